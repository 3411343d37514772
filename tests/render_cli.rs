//! `driftgate render` as a process: what it prints for the bundled example equals real
//! `helm template` output for the same chart and values files (the example goldens).

mod common;

use common::{first_difference, root, run};

#[test]
fn render_prints_what_helm_template_prints_for_every_example_environment() {
    for chart in ["bedrock", "snippets", "basket"] {
        for env in ["dev", "stage", "prod-iowa", "prod-frankfurt"] {
            let out = run(&["render", "examples", "--chart", chart, "--env", env]);
            assert_eq!(out.code, 0, "{chart}/{env}: {}", out.stderr_text());
            let golden = format!("testdata/render/example-{chart}-{env}/expected.yaml");
            let want = std::fs::read_to_string(root().join(&golden)).expect("golden exists");
            assert!(
                out.stdout == want.as_bytes(),
                "{chart}/{env}: output differs from {golden}\n{}",
                first_difference(&want, &out.stdout_text(), "helm", "driftgate")
            );
        }
    }
}

#[test]
fn render_needs_a_chart_when_the_environment_is_ambiguous() {
    let out = run(&["render", "examples", "--env", "dev"]);
    assert_eq!(out.code, 2);
    let stderr = out.stderr_text();
    assert!(stderr.contains("environment `dev` exists in several charts"), "{stderr}");
    assert!(stderr.contains("charts/bedrock"), "{stderr}");
}

#[test]
fn render_reports_a_template_error_with_its_location_and_prints_nothing() {
    let out = run(&["render", "testdata/check/dg001-render-error-fail", "--env", "dev"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    let stderr = out.stderr_text();
    assert!(stderr.starts_with("error[DG001]: charts/api/templates/configmap.yaml:6:45: "), "{stderr}");
}

#[test]
fn render_of_an_unknown_environment_is_a_usage_error() {
    let out = run(&["render", "examples", "--env", "qa", "--chart", "bedrock"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr_text().contains("no environment named `qa`"));
}

#[test]
fn render_include_crds_prints_every_charts_crds_first_like_helm() {
    // The chart reads no release fields, so the golden (made with another release name) applies.
    let case = "testdata/render/subcharts-crds";
    let want = std::fs::read_to_string(root().join(case).join("expected.yaml")).unwrap();
    let out = run(&["render", case, "--env", "default", "--include-crds"]);
    assert_eq!(out.code, 0, "{}", out.stderr_text());
    assert!(
        out.stdout == want.as_bytes(),
        "output differs from {case}/expected.yaml\n{}",
        first_difference(&want, &out.stdout_text(), "helm", "driftgate")
    );
    let without = run(&["render", case, "--env", "default"]);
    let without = without.stdout_text();
    assert!(without.starts_with("---\n# Source: parent/charts/other/templates/cm.yaml\n"), "{without}");
    assert!(!without.contains("crds/"), "{without}");
}

#[test]
fn render_with_helm_4_prints_what_helm_4_template_prints_for_every_example_environment() {
    for chart in ["bedrock", "snippets", "basket"] {
        for env in ["dev", "stage", "prod-iowa", "prod-frankfurt"] {
            let out = run(&["render", "examples", "--chart", chart, "--env", env, "--helm", "4"]);
            assert_eq!(out.code, 0, "{chart}/{env}: {}", out.stderr_text());
            let dir = root().join(format!("testdata/render/example-{chart}-{env}"));
            let golden = [dir.join("expected-helm4.yaml"), dir.join("expected.yaml")]
                .into_iter()
                .find(|p| p.is_file())
                .expect("golden exists");
            let want = std::fs::read_to_string(&golden).unwrap();
            assert!(
                out.stdout == want.as_bytes(),
                "{chart}/{env}: output differs from {}\n{}",
                golden.display(),
                first_difference(&want, &out.stdout_text(), "helm", "driftgate")
            );
        }
    }
}

/// `helmVersion: 4` in driftgate.yaml renders as Helm 4; `--helm 3` overrides it.
#[test]
fn render_follows_helm_version_of_the_config_and_the_flag_overrides_it() {
    let dir = "testdata/check/helm4-config";
    let out = run(&["render", dir, "--env", "dev"]);
    assert_eq!(out.code, 0, "{}", out.stderr_text());
    let text = out.stdout_text();
    assert!(text.contains("helm: \"v4.1.4\"\n  chart: \"api\"\n  slot0: \"ready\"\n  slot1: \"ready\"\n"), "{text}");

    let out = run(&["render", dir, "--env", "dev", "--helm", "3"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    let stderr = out.stderr_text();
    assert!(stderr.contains("can't evaluate field name in type interface {}"), "{stderr}");
}

#[test]
fn render_with_helm_4_prints_helm_4s_error_text() {
    let out = run(&["render", "testdata/check/dg001-render-error-fail", "--env", "dev", "--helm", "4"]);
    assert_eq!(out.code, 1);
    let stderr = out.stderr_text();
    assert!(stderr.starts_with("error[DG001]: charts/api/templates/configmap.yaml:6:45: "), "{stderr}");
}

#[test]
fn helm_versions_other_than_3_and_4_are_usage_errors() {
    for command in [&["render", "examples", "--env", "dev", "--chart", "bedrock"][..], &["check", "examples"][..]] {
        let mut args = command.to_vec();
        args.extend(["--helm", "2"]);
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}");
        let stderr = out.stderr_text();
        assert!(stderr.contains("invalid value '2' for '--helm <VERSION>'"), "{stderr}");
        assert!(stderr.contains("3 or 4"), "{stderr}");
    }
    let out = run(&["diff", "examples", "dev", "stage", "--chart", "bedrock", "--helm", "5"]);
    assert_eq!(out.code, 2);
}
