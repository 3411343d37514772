//! The command line behaves like the tools users already run (ruff, conftest, kubeconform,
//! helm): the config found from a subdirectory, colors and `NO_COLOR`, `--quiet`, `-o -`,
//! validated `--kube-version` and `--jobs`, a structured error on exit 2, the suppressed
//! findings on request, completions and a man page.

mod common;

use common::{driftgate, run, run_in};

fn chart_paths(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"].as_array().unwrap().iter().map(|d| d["chart"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_subdirectory_is_checked_with_the_repository_config() {
    let sub = common::root().join("examples/charts/bedrock");
    let out = run_in(&sub, &["check", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr_text());
    assert!(out.stderr_text().starts_with("driftgate: using "), "{}", out.stderr_text());
    assert!(out.stderr_text().contains("examples/driftgate.yaml"), "{}", out.stderr_text());
    let from_below = out.json();
    let from_root = run(&["check", "examples", "--chart", "charts/bedrock", "--format", "json"]).json();
    assert_eq!(from_below["diagnostics"], from_root["diagnostics"], "the same findings as --chart from the root");
    assert_eq!(chart_paths(&from_below), ["charts/bedrock"]);
    // --quiet says nothing but the findings.
    let out = run_in(&sub, &["check", "--format", "json", "--quiet"]);
    assert!(out.stderr.is_empty(), "{}", out.stderr_text());
}

#[test]
fn colors_follow_the_flag_and_no_color() {
    let esc = |args: &[&str], no_color: Option<&str>| {
        let mut run = driftgate(args);
        if let Some(value) = no_color {
            run = run.env("NO_COLOR", value);
        }
        run.output().stdout_text().contains('\u{1b}')
    };
    assert!(esc(&["check", "examples", "--color", "always"], None));
    assert!(esc(&["check", "examples", "--color", "always"], Some("1")), "an explicit --color always wins");
    assert!(!esc(&["check", "examples", "--color", "never"], None));
    assert!(!esc(&["check", "examples"], Some("1")), "auto on a pipe: plain");
    let out = run(&["check", "examples", "--color", "sometimes"]);
    assert_eq!(out.code, 2);
}

#[test]
fn the_report_wraps_at_the_width_it_is_given() {
    let long = "env var FEATURE_NEWSLETTER_V2 is set in dev but not in prod-frankfurt";
    let wide = driftgate(&["check", "examples"]).env("COLUMNS", "200").output().stdout_text();
    assert!(wide.lines().any(|l| l.contains(long)), "{wide}");
    let narrow = driftgate(&["check", "examples"]).env("COLUMNS", "50").output().stdout_text();
    assert!(!narrow.lines().any(|l| l.contains(long)), "{narrow}");
}

#[test]
fn quiet_prints_the_findings_only() {
    let out = run(&["check", "examples", "--quiet"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout_text().contains("DG201 env-var-parity"));
    assert!(!out.stdout_text().contains(" in 3 charts, "), "no summary line");
    let clean = run(&["check", "testdata/check/dg201-env-var-parity-pass", "-q"]);
    assert_eq!((clean.code, clean.stdout_text()), (0, String::new()));
}

#[test]
fn output_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let case = common::root().join("testdata/check/dg201-env-var-parity-fail");
    let out = run_in(dir.path(), &["check", case.to_str().unwrap(), "--format", "json", "-o", "-"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.json()["summary"]["errors"], 1);
    assert!(!dir.path().join("-").exists(), "no file named `-`");
}

#[test]
fn kube_versions_and_job_counts_are_checked() {
    let out = run(&["check", "examples", "--kube-version", "banana"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr_text().contains("`banana` is not a Kubernetes version"), "{}", out.stderr_text());
    for ok in ["1.33", "v1.30", "1.29.4"] {
        assert_ne!(run(&["check", "examples", "--kube-version", ok]).code, 2, "{ok}");
    }
    let out = run(&["render", "examples", "--env", "dev", "--chart", "bedrock", "--kube-version", "1"]);
    assert_eq!(out.code, 2);
    let out = run(&["check", "examples", "--jobs", "0"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr_text().contains("at least one worker thread"), "{}", out.stderr_text());
    let repo = common::repo_of(&[
        ("driftgate.yaml", "kubeVersion: latest\n"),
        ("chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
    ]);
    let out = run(&["check", common::path_arg(&repo)]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr_text().starts_with("error: driftgate.yaml:1:14: kubeVersion `latest` is not a Kubernetes version"),
        "{}",
        out.stderr_text()
    );
}

#[test]
fn exit_2_still_gives_structured_reports() {
    let case = "testdata/check/bad-config-unknown-key";
    let out = run(&["check", case, "--format", "json"]);
    assert_eq!(out.code, 2);
    let report = out.json();
    assert_eq!(report["version"], 1);
    assert_eq!(report["error"]["message"], "unknown key `promotoin` in the top level");
    assert_eq!(report["error"]["location"]["file"], "driftgate.yaml");
    assert_eq!(report["error"]["location"]["line"], 2);
    assert_eq!(report["error"]["help"], "did you mean `promotion`?");
    assert_eq!(report["diagnostics"], serde_json::json!([]));

    let out = run(&["check", case, "--format", "sarif"]);
    assert_eq!(out.code, 2);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("testdata/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert!(note["message"]["text"].as_str().unwrap().starts_with("unknown key `promotoin`"));
    assert_eq!(note["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
    // The human message stays on standard error.
    assert!(out.stderr_text().starts_with("error: driftgate.yaml:2:1: unknown key"), "{}", out.stderr_text());
}

#[test]
fn suppressed_findings_are_listed_on_request() {
    let case = "testdata/check/suppress-inline";
    let plain = run(&["check", case, "--format", "json"]).json();
    assert!(plain.get("suppressed").is_none(), "listed only on request");
    let report = run(&["check", case, "--format", "json", "--show-suppressed"]).json();
    let listed: Vec<(String, u64, String)> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["rule"].as_str().unwrap().to_string(),
                s["location"]["line"].as_u64().unwrap(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(listed.len() as u64, report["summary"]["suppressed"].as_u64().unwrap());
    assert!(listed.iter().all(|(_, _, reason)| reason == "suppressed by a `driftgate:ignore` comment"), "{listed:?}");
    let human = run(&["check", "examples", "--show-suppressed"]).stdout_text();
    assert!(human.contains("suppressed (1):"), "{human}");
    assert!(human.contains("help: ignored in driftgate.yaml"), "{human}");
    let sarif: serde_json::Value =
        serde_json::from_slice(&run(&["check", "examples", "--format", "sarif", "--show-suppressed"]).stdout).unwrap();
    let suppressed: Vec<&serde_json::Value> =
        sarif["runs"][0]["results"].as_array().unwrap().iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
}

#[test]
fn completions_and_man_page_come_from_the_command_definition() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}");
        let text = out.stdout_text();
        assert!(text.contains("write-baseline") && text.contains("show-suppressed"), "{shell}: {text}");
    }
    let out = run(&["man"]);
    assert_eq!(out.code, 0);
    let page = out.stdout_text();
    assert!(page.contains(".TH driftgate 1"), "{page}");
    assert!(page.contains("check"), "{page}");
}
