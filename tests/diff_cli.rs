//! `driftgate diff` as a process: exact report lines and exit codes on the bundled example and
//! on a small chart written for the test (resources in one environment only, Secret data).

mod common;

use common::{run, run_in};

#[test]
fn prod_regions_differ_in_the_newsletter_flag_and_the_cluster_name() {
    let out = run(&["diff", "examples", "prod-iowa", "prod-frankfurt", "--chart", "bedrock"]);
    assert_eq!(out.code, 1, "{}", out.stderr_text());
    let want = "\
~ Deployment/bedrock-clock
  ~ spec.template.spec.containers[clock].env[CLUSTER_NAME].value: iowa-a -> frankfurt-b   (charts/bedrock/values-prod-iowa.yaml:4 / charts/bedrock/values-prod-frankfurt.yaml:3)
  - spec.template.spec.containers[clock].env[FEATURE_NEWSLETTER_V2]: {name: FEATURE_NEWSLETTER_V2, value: \"true\"}   (charts/bedrock/values-prod-iowa.yaml:2)
~ Deployment/bedrock-web
  ~ spec.template.spec.containers[web].env[CLUSTER_NAME].value: iowa-a -> frankfurt-b   (charts/bedrock/values-prod-iowa.yaml:4 / charts/bedrock/values-prod-frankfurt.yaml:3)
  - spec.template.spec.containers[web].env[FEATURE_NEWSLETTER_V2]: {name: FEATURE_NEWSLETTER_V2, value: \"true\"}   (charts/bedrock/values-prod-iowa.yaml:2)
charts/bedrock: prod-iowa -> prod-frankfurt: 0 resources only in prod-iowa, 0 resources only in prod-frankfurt, 2 resources changed (4 fields)
";
    assert_eq!(out.stdout_text(), want);
}

#[test]
fn swapping_the_environments_swaps_added_and_removed() {
    let out = run(&["diff", "examples", "prod-frankfurt", "prod-iowa", "--chart", "charts/bedrock"]);
    assert_eq!(out.code, 1);
    let text = out.stdout_text();
    assert!(
        text.contains("  + spec.template.spec.containers[web].env[FEATURE_NEWSLETTER_V2]: {name: FEATURE_NEWSLETTER_V2, value: \"true\"}   (charts/bedrock/values-prod-iowa.yaml:2)\n"),
        "{text}"
    );
    assert!(text.contains("  ~ spec.template.spec.containers[web].env[CLUSTER_NAME].value: frankfurt-b -> iowa-a   (charts/bedrock/values-prod-frankfurt.yaml:3 / charts/bedrock/values-prod-iowa.yaml:4)\n"), "{text}");
}

#[test]
fn the_default_value_and_the_override_that_changed_it_are_both_located() {
    let out = run(&["diff", "examples", "dev", "stage", "--chart", "bedrock"]);
    assert_eq!(out.code, 1);
    let text = out.stdout_text();
    assert!(text.contains("~ Deployment/bedrock-web\n  ~ spec.replicas: 1 -> 2   (charts/bedrock/values-dev.yaml:7 / charts/bedrock/values.yaml:21)\n"), "{text}");
    assert!(text.contains("  ~ spec.tls[0].hosts[0]: www-dev.example.com -> www-stage.example.com   (charts/bedrock/values-dev.yaml:10 / charts/bedrock/values-stage.yaml:6)\n"), "{text}");
    assert!(text.ends_with("charts/bedrock: dev -> stage: 0 resources only in dev, 0 resources only in stage, 4 resources changed (10 fields)\n"), "{text}");
}

#[test]
fn a_literal_url_with_a_password_is_redacted() {
    let out = run(&["diff", "examples", "dev", "prod-frankfurt", "--chart", "basket"]);
    assert_eq!(out.code, 1);
    let text = out.stdout_text();
    assert!(text.contains("  - spec.template.spec.containers[web].env[DATABASE_URL].value: <redacted>   (charts/basket/values-dev.yaml:4)\n"), "{text}");
    assert!(!text.contains("://"), "{text}");
}

#[test]
fn an_environment_equals_itself() {
    let out = run(&["diff", "examples", "stage", "stage", "--chart", "snippets"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout_text(), "stage and stage of charts/snippets render the same resources\n");
}

#[test]
fn json_lists_each_difference_with_both_values_and_locations() {
    let out = run(&["diff", "examples", "prod-iowa", "prod-frankfurt", "--chart", "bedrock", "--format", "json"]);
    assert_eq!(out.code, 1);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["version"], 1);
    assert_eq!(report["chart"], "charts/bedrock");
    let differences = report["differences"].as_array().expect("differences");
    assert_eq!(differences.len(), 4);
    let flag = &differences[3];
    assert_eq!(
        flag["resource"],
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "bedrock", "name": "bedrock-web"})
    );
    assert_eq!(flag["path"], "spec.template.spec.containers[web].env[FEATURE_NEWSLETTER_V2]");
    assert_eq!(flag["kind"], "removed");
    assert_eq!(flag["a"], serde_json::json!({"name": "FEATURE_NEWSLETTER_V2", "value": "true"}));
    assert_eq!(flag["b"], serde_json::Value::Null);
    assert_eq!(
        flag["a_location"],
        serde_json::json!({"file": "charts/bedrock/values-prod-iowa.yaml", "line": 2, "column": 3, "end_line": 2, "end_column": 24})
    );
    assert_eq!(flag["b_location"], serde_json::Value::Null);
}

#[test]
fn usage_errors_exit_2_like_render() {
    let ambiguous = run(&["diff", "examples", "dev", "stage"]);
    assert_eq!(ambiguous.code, 2);
    assert_eq!(
        ambiguous.stderr_text(),
        "error: environments `dev` and `stage` exist in several charts\n  help: choose one with --chart: charts/bedrock, charts/snippets, charts/basket\n"
    );
    let unknown = run(&["diff", "examples", "dev", "qa", "--chart", "bedrock"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr_text().starts_with("error: no environment named `qa`\n"));
    assert!(unknown.stdout.is_empty());
    let missing_operand = run(&["diff", "examples"]);
    assert_eq!(missing_operand.code, 2);
}

/// A one-chart repository where dev adds a ConfigMap, and the Secret's data differs.
fn secret_repo() -> tempfile::TempDir {
    common::repo_of(&[
        ("charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\n"),
        ("charts/app/values.yaml", "debug: false\npassword: s3cr3t-default\napiToken: tok-default\n"),
        ("charts/app/values-dev.yaml", "debug: true\npassword: s3cr3t-dev\n"),
        ("charts/app/values-prod.yaml", "apiToken: tok-prod\n"),
        (
            "charts/app/templates/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  password: {{ .Values.password | quote }}\n",
        ),
        (
            "charts/app/templates/deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: API_TOKEN\n              value: {{ .Values.apiToken | quote }}\n",
        ),
        (
            "charts/app/templates/debug.yaml",
            "{{- if .Values.debug }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-debug\ndata:\n  level: trace\n{{- end }}\n",
        ),
    ])
}

#[test]
fn secret_data_and_credential_env_values_only_say_that_they_differ() {
    let repo = secret_repo();
    let out = run_in(repo.path(), &["diff", "dev", "prod"]);
    assert_eq!(out.code, 1, "{}", out.stderr_text());
    let want = "\
~ Secret/app
  ~ stringData.password: <redacted> (differs)   (charts/app/values-dev.yaml:2 / charts/app/values.yaml:2)
- ConfigMap/app-debug   (only in dev; charts/app/templates/debug.yaml:2)
~ Deployment/app
  ~ spec.template.spec.containers[app].env[API_TOKEN].value: <redacted> (differs)   (charts/app/values.yaml:3 / charts/app/values-prod.yaml:1)
charts/app: dev -> prod: 1 resource only in dev, 0 resources only in prod, 2 resources changed (2 fields)
";
    assert_eq!(out.stdout_text(), want);
    let json = run_in(repo.path(), &["diff", ".", "dev", "prod", "--format", "json"]);
    let text = json.stdout_text();
    assert!(text.contains("\"redacted\": true"), "{text}");
    for secret in ["s3cr3t", "tok-"] {
        assert!(!text.contains(secret) && !out.stdout_text().contains(secret), "{text}");
    }
}

/// `diff ENV --baseline`: the render against the plain manifests it replaces, the same
/// differences DG601 reports (testdata/check/dg601-baseline-mismatch-fail, see its EXPECT.md).
#[test]
fn baseline_diff_shows_what_the_migration_changes() {
    let case = "testdata/check/dg601-baseline-mismatch-fail";
    let out = run(&["diff", case, "iowa", "--baseline"]);
    assert_eq!(out.code, 1, "{}", out.stderr_text());
    let want = "\
~ Deployment/web
  ~ metadata.annotations.team: checkout -> payments   (legacy/iowa/web.yaml:8 / charts/web/values.yaml:3)
  ~ spec.replicas: 4 -> 3   (legacy/iowa/web.yaml:13 / charts/web/values-iowa.yaml:1)
  - spec.template.spec.containers[web].env[LOG_FORMAT]: {name: LOG_FORMAT, value: json}   (legacy/iowa/web.yaml:30)
charts/web: baseline legacy/iowa -> iowa: 0 resources only in baseline legacy/iowa, 0 resources only in iowa, 1 resource changed (3 fields)
";
    assert_eq!(out.stdout_text(), want);
    let out = run(&["diff", case, "frankfurt", "--baseline", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr_text());
    assert_eq!(out.json()["differences"], serde_json::json!([]));
    let out = run(&["diff", "examples", "prod-iowa", "--baseline"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr_text().contains("environment `prod-iowa` declares no `baseline:` directory"),
        "{}",
        out.stderr_text()
    );
}
