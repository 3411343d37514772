//! End to end: the Kubernetes schema rules (DG101 k8s-schema, DG102 deprecated-api) through
//! `driftgate check` run as a process. The JSON and human reports of the default runs on
//! `testdata/check/dg10*` are the snapshots of those cases (tests/check_cases.rs, and each
//! case's EXPECT.md for why they are right); the tests here cover what those cannot: other
//! `--kube-version`s and `--fail-on`, `--format human`, and repositories built in the test.

mod common;

use std::path::Path;

use common::{case_dir, findings, repo_of, run};
use serde_json::Value;

fn check_json(case: &str, extra: &[&str]) -> (i32, Value) {
    common::check_json(&case_dir(case), extra)
}

/// `--format human` is the default: it prints the human snapshot.
#[test]
fn format_human_prints_the_human_snapshot() {
    for case in ["dg101-k8s-schema-fail", "dg101-crd-fail"] {
        let out = run(&["check", &case_dir(case), "--format", "human"]);
        let want = std::fs::read_to_string(common::root().join(case_dir(case)).join("expected.human")).unwrap();
        let got = out.stdout_text();
        assert!(got == want, "{case}:\n{}", common::first_difference(&want, &got, "expected.human", "--format human"));
        assert_eq!(out.code, 1, "{case}");
    }
}

fn check_dir(dir: &Path) -> (i32, Value) {
    common::check_json(dir.to_str().unwrap(), &[])
}

const WIDGET: &str = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n";
const CRD_CHART: &str = "apiVersion: v2\nname: crd\nversion: 0.1.0\n";

#[test]
fn dg101_unknown_kind_info_does_not_fail_the_run_and_can_be_ignored_by_kind() {
    let dir = repo_of(&[
        ("charts/crd/Chart.yaml", CRD_CHART),
        ("charts/crd/values.yaml", ""),
        ("charts/crd/values-dev.yaml", ""),
        ("charts/crd/templates/widget.yaml", WIDGET),
    ]);
    let (code, json) = check_dir(dir.path());
    assert_eq!(
        findings(&json),
        [
            "DG101 info dev charts/crd/templates/widget.yaml:1:1 | Widget (example.com/v1) has no schema in Kubernetes 1.33 and no served CustomResourceDefinition was found for it (looked in the chart's rendered resources, charts/crd/crds/, no `kubernetes.crds` directory configured), so it was not checked"
        ]
    );
    assert_eq!(code, 0, "an info does not fail the gate");

    let config = "charts:\n  - path: charts/crd\n    environments:\n      dev: { values: [values-dev.yaml], version: 0.1.0 }\n\
                  policies:\n  rules:\n    DG101: { ignore: [ { name: Widget, reason: CRD without schema } ] }\n";
    std::fs::write(dir.path().join("driftgate.yaml"), config).unwrap();
    let (code, json) = check_dir(dir.path());
    assert_eq!(findings(&json), Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn dg101_crd_directories_must_exist_inside_the_repository() {
    let dir = repo_of(&[
        ("charts/crd/Chart.yaml", CRD_CHART),
        ("charts/crd/values.yaml", ""),
        ("charts/crd/values-dev.yaml", ""),
        ("driftgate.yaml", "kubernetes:\n  crds: [../elsewhere]\n"),
    ]);
    let out = run(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let stderr = out.stderr_text();
    assert!(stderr.contains("path `../elsewhere` points outside the repository"), "{stderr}");
    assert!(stderr.contains("driftgate.yaml:2:"), "{stderr}");
    assert_eq!(out.code, 2);
    std::fs::write(dir.path().join("driftgate.yaml"), "kubernetes:\n  crds: [missing]\n").unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()]);
    let stderr = out.stderr_text();
    assert!(stderr.contains("CRD directory `missing` does not exist"), "{stderr}");
    std::fs::write(dir.path().join("driftgate.yaml"), "kubernetes:\n  crd: [missing]\n").unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 2);
}

#[test]
fn dg101_unreadable_definition_files_are_reported_once_at_the_file() {
    let dir = repo_of(&[
        ("driftgate.yaml", "kubernetes:\n  crds: [crds]\n"),
        ("crds/bad.yaml", "a: [1\n"),
        ("charts/a/Chart.yaml", CRD_CHART),
        ("charts/a/templates/widget.yaml", WIDGET),
        ("charts/b/Chart.yaml", CRD_CHART),
        ("charts/b/templates/widget.yaml", WIDGET),
    ]);
    let (_, json) = check_dir(dir.path());
    let dg101: Vec<String> = findings(&json).into_iter().filter(|f| f.starts_with("DG101")).collect();
    assert_eq!(
        dg101,
        [
            "DG101 info default charts/a/templates/widget.yaml:1:1 | Widget (example.com/v1) has no schema in Kubernetes 1.33 and no served CustomResourceDefinition was found for it (looked in the chart's rendered resources, charts/a/crds/, crds/), so it was not checked",
            "DG101 info default charts/b/templates/widget.yaml:1:1 | Widget (example.com/v1) has no schema in Kubernetes 1.33 and no served CustomResourceDefinition was found for it (looked in the chart's rendered resources, charts/b/crds/, crds/), so it was not checked",
            "DG101 info - crds/bad.yaml:2:1 | CustomResourceDefinitions in crds/bad.yaml were not read: not valid YAML: did not find expected ',' or ']'",
        ]
    );
}

#[test]
fn dg101_in_secret_data_points_at_the_template_not_the_values_line() {
    let dir = repo_of(&[
        ("charts/db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 0.1.0\n"),
        ("charts/db/values.yaml", "pin: 48213\n"),
        ("charts/db/values-dev.yaml", ""),
        (
            "charts/db/templates/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  pin: {{ .Values.pin }}\n",
        ),
    ]);
    let (code, json) = check_dir(dir.path());
    let got = findings(&json);
    assert_eq!(
        got,
        ["DG101 error dev charts/db/templates/secret.yaml:6:8 | stringData.pin: expected string, got integer"]
    );
    assert_eq!(code, 1);
    assert!(json["diagnostics"][0]["related"].as_array().unwrap().is_empty());
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert!(!out.stdout_text().contains("48213"));
}

#[test]
fn dg101_outside_the_bundled_versions_says_which_version_it_checked() {
    let (code, json) = check_json("dg101-k8s-schema-pass", &["--kube-version", "1.40"]);
    assert_eq!(
        findings(&json),
        ["DG101 info - - | no Kubernetes 1.40 schemas are bundled; resources were checked against 1.37"]
    );
    assert_eq!(code, 0);
    let (code, json) = check_json("dg101-k8s-schema-pass", &["--kube-version", "v1.29.3"]);
    assert_eq!(findings(&json), Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn dg102_follows_the_target_version() {
    // 1.24: both APIs still served, both deprecated: warnings only, and DG101 says its schemas
    // start at 1.25 (where policy/v1beta1 is gone, so that kind was not checked).
    let (code, json) = check_json("dg102-deprecated-api-fail", &["--kube-version", "1.24"]);
    assert_eq!(
        findings(&json),
        [
            "DG101 info dev charts/queue/templates/pdb.yaml:1:1 | PodDisruptionBudget (policy/v1beta1) has no schema in Kubernetes 1.25 and no served CustomResourceDefinition was found for it (looked in the chart's rendered resources, charts/queue/crds/, no `kubernetes.crds` directory configured), so it was not checked",
            "DG102 warning dev charts/queue/templates/pdb.yaml:1:13 | policy/v1beta1 PodDisruptionBudget is deprecated since Kubernetes 1.21 and removed in 1.25 (target: 1.24)",
            "DG102 warning dev charts/queue/values.yaml:2:15 | autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated since Kubernetes 1.23 and removed in 1.26 (target: 1.24)",
            "DG101 info - driftgate.yaml:1:1 | no Kubernetes 1.24 schemas are bundled; resources were checked against 1.25",
        ]
    );
    assert_eq!(code, 0, "warnings do not fail the gate by default");
    let (code, _) = check_json("dg102-deprecated-api-fail", &["--kube-version", "1.24", "--fail-on", "warning"]);
    assert_eq!(code, 1);
    // 1.26: autoscaling/v2beta2 is gone too.
    let (code, json) = check_json("dg102-deprecated-api-fail", &["--kube-version", "1.26"]);
    assert_eq!(
        findings(&json),
        [
            "DG102 error dev charts/queue/templates/pdb.yaml:1:13 | policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (target: 1.26)",
            "DG102 error dev charts/queue/values.yaml:2:15 | autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26 (target: 1.26)",
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn rules_explains_both() {
    for (id, needle) in [("DG101", "# DG101 k8s-schema"), ("DG102", "# DG102 deprecated-api")] {
        let out = run(&["rules", id]);
        let text = out.stdout_text();
        assert!(text.starts_with(needle), "{text}");
        assert!(text.contains("## Example") && text.contains("## Fix"), "{text}");
        assert!(!text.contains("not implemented yet"), "{text}");
    }
}
