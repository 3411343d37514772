//! End to end: the Kubernetes schema rules (DG101 k8s-schema, DG102 deprecated-api) through
//! `driftgate check` run as a process on `testdata/check/dg10*`, asserting exit codes, and every
//! finding's rule, severity, environment, file, line, column and message (see each case's
//! EXPECT.md for why these are the right answers).

mod common;

use std::path::Path;

use common::{case_dir, findings, repo_of, run};
use serde_json::Value;

fn check_json(case: &str, extra: &[&str]) -> (i32, Value) {
    common::check_json(&case_dir(case), extra)
}

#[test]
fn passing_repositories_exit_zero_without_findings() {
    for case in ["dg101-k8s-schema-pass", "dg101-crd-pass", "dg102-deprecated-api-pass"] {
        let (code, json) = check_json(case, &[]);
        assert_eq!(findings(&json), Vec::<String>::new(), "{case}");
        assert_eq!(code, 0, "{case}");
    }
}

#[test]
fn dg101_reports_each_violation_where_it_is_fixed_and_unknown_kinds_once_as_info() {
    let (code, json) = check_json("dg101-k8s-schema-fail", &[]);
    assert_eq!(
        findings(&json),
        [
            "DG101 error dev charts/web/templates/deployment.yaml:18:11 | spec.template.spec.containers[0]: unknown field `imagePullPolicyy`",
            "DG101 info dev charts/web/templates/servicemonitor.yaml:1:1 | ServiceMonitor (monitoring.coreos.com/v1) has no schema in Kubernetes 1.33 and no served CustomResourceDefinition was found for it (looked in the chart's rendered resources, charts/web/crds/, no `kubernetes.crds` directory configured), so it was not checked",
            "DG101 error prod charts/web/values-prod.yaml:1:15 | spec.replicas: expected integer, got string",
            "DG101 error prod charts/web/values-prod.yaml:5:3 | spec.template.spec.containers[0].resources: unknown field `limit`",
            "DG101 error dev charts/web/values.yaml:1:15 | spec.replicas: expected integer, got string",
        ]
    );
    assert_eq!(code, 1);
    let diagnostics = &json["diagnostics"];
    assert_eq!(diagnostics[0]["path"], "spec.template.spec.containers[0].imagePullPolicyy");
    assert_eq!(diagnostics[0]["resource"]["kind"], "Deployment");
    assert_eq!(diagnostics[0]["resource"]["name"], "web");
    assert_eq!(diagnostics[1]["resource"]["kind"], "ServiceMonitor");
    assert_eq!(diagnostics[2]["path"], "spec.replicas");
    // The quoted value came from a values file; the template line that quoted it is related.
    let related = &diagnostics[2]["related"][0];
    assert_eq!(
        (related["file"].as_str(), related["line"].as_u64(), related["message"].as_str()),
        (Some("charts/web/templates/deployment.yaml"), Some(6), Some("printed by this template line"))
    );
    assert_eq!(json["summary"]["errors"], 4);
    assert_eq!(json["summary"]["infos"], 1);
}

#[test]
fn dg101_human_output_suggests_the_field_and_explains_quoted_numbers() {
    let out = run(&["check", &case_dir("dg101-k8s-schema-fail"), "--format", "human"]);
    let text = out.stdout_text();
    assert!(text.contains("did you mean `imagePullPolicy`?"), "{text}");
    assert!(text.contains("did you mean `limits`?"), "{text}");
    assert!(text.contains("Kubernetes does not turn strings into numbers"), "{text}");
    assert_eq!(out.code, 1);
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
fn dg101_checks_custom_resources_against_their_definitions_wherever_they_are() {
    let (code, json) = check_json("dg101-crd-fail", &[]);
    assert_eq!(
        findings(&json),
        [
            "DG101 error dev charts/web/templates/gadget.yaml:6:12 | spec.enabled: expected boolean, got string",
            "DG101 info dev charts/web/templates/gadget.yaml:8:1 | Sprocket (example.com/v1beta1) has no schema in Kubernetes 1.33 and no served CustomResourceDefinition was found for it (looked in the chart's rendered resources, charts/web/crds/, crds/), so it was not checked",
            "DG101 error dev charts/web/templates/servicemonitor.yaml:12:7 | spec.endpoints[0]: unknown field `scrapeTimeoutt`",
            "DG101 error dev charts/web/templates/widget.yaml:9:3 | spec: unknown field `colour`",
            "DG101 error dev charts/web/values-dev.yaml:1:17 | spec.endpoints[0].interval: must match the pattern `^([0-9]+(ms|s|m|h))+$`",
            "DG101 error prod charts/web/values-prod.yaml:2:9 | spec.size: expected integer, got string",
            "DG101 error prod charts/web/values-prod.yaml:3:9 | spec.tier: must be one of bronze, silver, gold",
            "DG101 error dev charts/web/values.yaml:2:9 | spec.size: expected integer, got string",
        ]
    );
    assert_eq!(code, 1);
    let diagnostics = &json["diagnostics"];
    assert_eq!(diagnostics[3]["resource"]["kind"], "Widget");
    assert_eq!(diagnostics[3]["path"], "spec.colour");
    assert_eq!(diagnostics[5]["related"][0]["file"], "charts/web/templates/widget.yaml");
    assert_eq!(diagnostics[5]["related"][0]["line"], 6);
    assert_eq!(json["summary"]["errors"], 7);
    assert_eq!(json["summary"]["infos"], 1);
    let out = run(&["check", &case_dir("dg101-crd-fail"), "--format", "human"]);
    let text = out.stdout_text();
    assert!(text.contains("help: see the schema in the CustomResourceDefinition widgets.example.com"), "{text}");
    assert!(text.contains("silence the kind with `DG101: { ignore: [ { name: Sprocket } ] }`"), "{text}");
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
fn dg102_removed_is_an_error_and_deprecated_a_warning_at_the_api_version_origin() {
    let (code, json) = check_json("dg102-deprecated-api-fail", &[]);
    assert_eq!(
        findings(&json),
        [
            "DG102 error dev charts/queue/templates/pdb.yaml:1:13 | policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (target: 1.25)",
            "DG102 warning dev charts/queue/values.yaml:2:15 | autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated since Kubernetes 1.23 and removed in 1.26 (target: 1.25)",
        ]
    );
    assert_eq!(code, 1);
    assert_eq!(json["diagnostics"][0]["path"], "apiVersion");
    let out = run(&["check", &case_dir("dg102-deprecated-api-fail")]);
    let text = out.stdout_text();
    assert!(text.contains("help: use apiVersion: policy/v1\n"), "{text}");
    assert!(text.contains("help: use apiVersion: autoscaling/v2\n"), "{text}");
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
