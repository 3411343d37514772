//! End to end: user Rego policies (conftest-style per resource, and cross-environment) run by
//! the `driftgate` binary on the small repository in `testdata/policies/shop/` (see its
//! EXPECT.md for why each finding is the right answer), plus `driftgate test` and `rules`, and
//! the bad inputs that must stop the run (exit 2) or become findings.

mod common;

use common::{finding_line, run};
use serde_json::Value;

const REPO: &str = "testdata/policies/shop";

/// `check REPO --format json` with `extra` arguments: exit code and report.
fn check(extra: &[&str]) -> (i32, Value) {
    common::check_json(REPO, extra)
}

/// [`finding_line`] of the findings of user rules (built-in DGnnn findings of the same
/// repository are covered elsewhere).
fn user_findings(json: &Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| !d["rule"].as_str().unwrap_or_default().starts_with("DG"))
        .map(finding_line)
        .collect()
}

#[test]
fn conftest_policies_from_policies_paths_give_located_findings() {
    let (code, json) = check(&[]);
    assert_eq!(
        user_findings(&json),
        [
            "ACME-SEC-001 error dev charts/shop/templates/deployment.yaml:1:1 | shop-web: containers must not run as root",
            "main.deny_latest_tag error dev charts/shop/templates/deployment.yaml:1:1 | web: image ghcr.io/acme/shop:latest uses the latest tag",
            "main.violation error dev charts/shop/templates/service.yaml:1:1 | Service shop lacks required labels",
        ]
    );
    assert_eq!(code, 1);
    // The worker's `allow-latest` annotation exempts it from deny_latest_tag: one exception.
    assert_eq!(json["summary"]["exceptions"], 1);
    let names: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "ACME-SEC-001" || d["rule"] == "main.violation")
        .map(|d| d["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["run-as-non-root", "main-violation"]);
    let resource = &json["diagnostics"][0]["resource"];
    assert_eq!(
        resource,
        &serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "shop-web"})
    );
}

#[test]
fn human_report_shows_violation_details_hints_and_the_exception_tally() {
    let out = run(&["check", REPO]);
    let text = out.stdout_text();
    assert!(text.contains("  × Service shop lacks required labels\n"), "{text}");
    assert!(text.contains("  help: details: {\"missing_labels\":[\"app.kubernetes.io/part-of\"]}\n"), "{text}");
    assert!(text.contains("  help: set spec.template.spec.securityContext.runAsNonRoot to true\n"), "{text}");
    let last = text.lines().last().unwrap_or_default();
    assert_eq!(last, "5 errors, 6 warnings, 1 exception in 1 chart, 3 environments, 7 resources");
    assert_eq!(out.code, 1);
}

#[test]
fn namespaces_and_data_select_more_packages() {
    // acme.registry only runs when selected; it reads the allowed registries from --data.
    let data = "testdata/policies/shop/data/registries.yaml";
    let (_, json) = check(&["--data", data, "--namespace", "main", "--namespace", "acme.registry"]);
    let registry: Vec<String> = user_findings(&json).into_iter().filter(|f| f.starts_with("acme.registry")).collect();
    assert_eq!(
        registry,
        [
            "acme.registry.warn warning dev charts/shop/templates/worker.yaml:2:1 | image docker.io/library/busybox:latest is not from an approved registry"
        ]
    );
    let (_, all) = check(&["--data", data, "--all-namespaces"]);
    assert_eq!(user_findings(&all), user_findings(&json));
    // Only acme.registry: main's rules are not run.
    let (code, only) = check(&["--data", data, "--namespace", "acme.registry"]);
    assert_eq!(user_findings(&only), registry);
    assert_eq!(code, 1, "built-in DG403 errors remain");
}

#[test]
fn cross_environment_policy_points_at_the_prod_override() {
    let (code, json) = check(&["--policy", "testdata/policies/shop/cross"]);
    let cross: Vec<String> = user_findings(&json).into_iter().filter(|f| f.starts_with("ACME-REL-001")).collect();
    assert_eq!(
        cross,
        [
            "ACME-REL-001 error prod charts/shop/values-prod.yaml:1:15 | shop-web runs 2 replicas in prod, fewer than the 3 of stage"
        ]
    );
    let finding = json["diagnostics"].as_array().unwrap().iter().find(|d| d["rule"] == "ACME-REL-001").unwrap();
    assert_eq!(finding["name"], "prod-replicas-below-stage");
    assert_eq!(finding["path"], "spec.replicas");
    assert_eq!(finding["resource"]["name"], "shop-web");
    assert_eq!(code, 1);
}

#[test]
fn rules_lists_and_explains_user_rules() {
    let out = run(&["rules", "--dir", REPO, "--policy", "testdata/policies/shop/cross"]);
    let text = out.stdout_text();
    let user: Vec<&str> = text.lines().filter(|l| !l.starts_with("DG")).collect();
    assert_eq!(
        user,
        [
            "main.deny_latest_tag  main-deny-latest-tag       error    ",
            "main.violation  main-violation             error    ",
            "main.warn_single_replica  main-warn-single-replica   warning  ",
            "ACME-SEC-001  run-as-non-root            error    Containers must not run as root.",
            "ACME-REL-001  prod-replicas-below-stage  error    A Deployment runs fewer replicas in prod than in stage.",
        ]
    );
    let out = run(&["rules", "acme-sec-001", "--dir", REPO]);
    assert_eq!(
        out.stdout_text(),
        "# ACME-SEC-001 run-as-non-root\n\nDefault severity: error.\n\nContainers must not run as root.\n\n\
         ## What it does\nFails a Deployment whose pod does not set `securityContext.runAsNonRoot: true`.\n"
    );
    assert_eq!(out.code, 0);
}

#[test]
fn test_command_runs_rego_unit_tests() {
    let out = run(&["test", REPO]);
    assert_eq!(
        out.stdout_text(),
        "PASS  policy/security_test.rego data.main.test_root_pod_is_denied\n\
         PASS  policy/security_test.rego data.main.test_non_root_pod_passes\n\
         PASS  policy/security_test.rego data.main.test_latest_is_exempted_by_annotation\n\
         3 tests: 3 passed, 0 failed, 0 errors\n"
    );
    assert_eq!(out.code, 0);

    let out = run(&["test", "testdata/policies/failing-tests"]);
    assert_eq!(
        out.stdout_text(),
        "PASS  replicas_test.rego data.main.test_one_replica_is_denied\n\
         FAIL  replicas_test.rego data.main.test_three_replicas_are_denied\n\
         2 tests: 1 passed, 1 failed, 0 errors\n"
    );
    assert_eq!(out.code, 1);

    let out = run(&["test", "testdata/policies/failing-tests", "--format", "json"]);
    let json = out.json();
    assert_eq!(json["summary"], serde_json::json!({"passed": 1, "failed": 1, "errors": 0}));
    let outcomes: Vec<(&str, &str)> = json["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["rule"].as_str().unwrap(), t["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [("data.main.test_one_replica_is_denied", "pass"), ("data.main.test_three_replicas_are_denied", "fail")]
    );
    assert_eq!(out.code, 1);
}

#[test]
fn a_policy_that_does_not_parse_stops_the_run_at_its_line() {
    for command in
        [&["check", REPO, "--policy", "testdata/policies/bad/syntax"][..], &["test", "testdata/policies/bad/syntax"]]
    {
        let out = run(command);
        assert_eq!(
            out.stderr_text(),
            "error: testdata/policies/bad/syntax/broken.rego:6:1: policy does not compile: expecting `)` while parsing call expr\n"
                .replace("testdata/policies/bad/syntax/", if command[0] == "test" { "" } else { "testdata/policies/bad/syntax/" }),
            "{command:?}"
        );
        assert_eq!(out.stdout_text(), "", "{command:?}");
        assert_eq!(out.code, 2, "{command:?}");
    }
}

#[test]
fn a_looping_policy_is_stopped_and_reported_not_waited_for() {
    let started = std::time::Instant::now();
    let (code, json) = check(&["--policy", "testdata/policies/bad/loop"]);
    let elapsed = started.elapsed();
    let stopped: Vec<String> = user_findings(&json)
        .into_iter()
        .filter(|f| f.starts_with("main.deny "))
        .map(|f| f.split_once(" | ").map(|(_, m)| m.to_string()).unwrap_or_default())
        .collect();
    assert!(!stopped.is_empty());
    for message in &stopped {
        assert_eq!(
            message,
            "policy main.deny failed: stopped after the 2000 ms time limit (does it loop, or iterate over too much?)"
        );
    }
    // Seven resources in three environments, each could take 2 s: stopped once per worker.
    assert!(elapsed < std::time::Duration::from_secs(9), "took {elapsed:?}");
    assert_eq!(code, 1);
}

#[test]
fn a_policy_with_too_many_results_is_a_finding() {
    let (_, json) = check(&["--policy", "testdata/policies/bad/explode"]);
    let exploded: Vec<String> = user_findings(&json).into_iter().filter(|f| f.starts_with("main.deny ")).collect();
    assert_eq!(
        exploded,
        [
            "main.deny error dev charts/shop/templates/deployment.yaml:1:1 | policy main.deny failed: gave 5000 results, more than the limit of 1000",
            "main.deny error dev charts/shop/templates/service.yaml:1:1 | policy main.deny failed: gave 5000 results, more than the limit of 1000",
            "main.deny error dev charts/shop/templates/worker.yaml:2:1 | policy main.deny failed: gave 5000 results, more than the limit of 1000",
        ]
    );
}

#[test]
fn data_files_that_do_not_parse_stop_the_run_at_their_line() {
    let out = run(&["check", REPO, "--data", "testdata/policies/bad/data/registries.json"]);
    assert_eq!(
        out.stderr_text(),
        "error: testdata/policies/bad/data/registries.json:3:33: data file is not valid JSON: trailing comma\n"
    );
    assert_eq!(out.code, 2);
    let out = run(&["check", REPO, "--data", "testdata/policies/bad/data/registries.yaml"]);
    assert_eq!(
        out.stderr_text(),
        "error: testdata/policies/bad/data/registries.yaml:3:1: data file is not valid YAML: did not find expected ',' or ']'\n"
    );
    assert_eq!(out.code, 2);
}

#[test]
fn a_missing_policy_directory_is_exit_2() {
    let out = run(&["check", REPO, "--policy", "testdata/policies/nope"]);
    assert_eq!(
        out.stderr_text(),
        "error: policy directory testdata/policies/nope does not exist\n  help: `--policy` and `policies.paths` name directories of .rego files\n"
    );
    assert_eq!(out.code, 2);
}

/// The shop repository in a temporary directory, with `rules` appended under `policies:`.
fn shop_with_rules(rules: &str) -> tempfile::TempDir {
    let dir = common::copy_to_temp(REPO);
    let config = dir.path().join("driftgate.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}  rules:\n{rules}")).unwrap();
    dir
}

#[test]
fn policies_rules_configures_user_rules_and_rejects_unknown_ids() {
    let repo = shop_with_rules("    main.violation: { severity: warning }\n    ACME-SEC-001: { severity: \"off\" }\n");
    let out = run(&["check", repo.path().to_str().unwrap(), "--format", "json"]);
    let json = out.json();
    assert_eq!(
        user_findings(&json),
        [
            "main.deny_latest_tag error dev charts/shop/templates/deployment.yaml:1:1 | web: image ghcr.io/acme/shop:latest uses the latest tag",
            "main.violation warning dev charts/shop/templates/service.yaml:1:1 | Service shop lacks required labels",
        ]
    );

    let repo = shop_with_rules("    ACME-SEC-01: { severity: \"off\" }\n");
    let out = run(&["check", repo.path().to_str().unwrap()]);
    assert_eq!(
        out.stderr_text(),
        "error: driftgate.yaml:1:1: unknown rule `ACME-SEC-01` in policies.rules\n  help: did you mean `ACME-SEC-001`?\n"
    );
    assert_eq!(out.code, 2);
    // Built-in ids are still checked when the file is read.
    let repo = shop_with_rules("    DG2011: { severity: \"off\" }\n");
    let out = run(&["check", repo.path().to_str().unwrap()]);
    assert!(out.stderr_text().contains("unknown rule `DG2011` in policies.rules"), "{}", out.stderr_text());
    assert_eq!(out.code, 2);
}
