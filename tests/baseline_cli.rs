//! End to end: `check --write-baseline`, `--baseline`, and several reports of one run
//! (`--report FORMAT=FILE`), on copies of testdata/check/baseline-apply (see its EXPECT.md:
//! two new DG201 findings, one baselined, one fixed).

mod common;

use common::{copy_to_temp, path_arg, run};

const CASE: &str = "testdata/check/baseline-apply";

#[test]
fn written_baseline_accepts_everything_until_something_new_appears() {
    let repo = copy_to_temp(CASE);
    let dir = path_arg(&repo);
    let file = repo.path().join("accepted.json");
    let file_arg = file.to_str().unwrap();

    let out = run(&["check", dir, "--write-baseline", file_arg]);
    assert_eq!(out.code, 0, "{}", out.stderr_text());
    assert!(out.stdout.is_empty(), "writing a baseline prints no report");
    assert!(
        out.stderr_text().starts_with(&format!("wrote 3 findings to the baseline {file_arg}\n")),
        "{}",
        out.stderr_text()
    );
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written["driftgate_baseline"], 1);
    let messages: Vec<&str> =
        written["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages,
        [
            "env var PAYMENT_URL is set in dev but not in prod",
            "env var SENTRY_DSN is set in dev but not in prod",
            "env var SENTRY_DSN is set in dev but not in stage",
        ]
    );

    // Everything accepted: exit 0, all three counted.
    let out = run(&["check", dir, "--baseline", file_arg, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr_text());
    let report = out.json();
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!((report["summary"]["baselined"].as_u64(), report["summary"]["fixed"].as_u64()), (Some(3), Some(0)));

    // A new variable in dev: only its findings are reported.
    let dev = repo.path().join("charts/shop/values-dev.yaml");
    let text = std::fs::read_to_string(&dev).unwrap();
    std::fs::write(&dev, format!("{text}  QUEUE_URL: amqp://queue.dev\n")).unwrap();
    let out = run(&["check", dir, "--baseline", file_arg, "--format", "json"]);
    assert_eq!(out.code, 1);
    let found: Vec<String> = out.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d["environment"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            "prod env var QUEUE_URL is set in dev but not in prod",
            "stage env var QUEUE_URL is set in dev but not in stage"
        ]
    );
}

#[test]
fn write_baseline_refuses_a_narrowed_run() {
    let out = run(&["check", CASE, "--write-baseline", "x.json", "--env", "prod"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr_text().contains("cannot be used with"), "{}", out.stderr_text());
}

#[test]
fn one_run_writes_several_reports() {
    let repo = copy_to_temp(CASE);
    let dir = path_arg(&repo);
    let sarif = repo.path().join("out.sarif");
    let junit = repo.path().join("out.xml");
    let out = run(&[
        "check",
        dir,
        "--report",
        &format!("sarif={}", sarif.display()),
        "--report",
        &format!("junit={}", junit.display()),
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout_text()
            .ends_with("2 errors, 0 warnings, 1 baselined (1 fixed) in 1 chart, 3 environments, 3 resources\n"),
        "{}",
        out.stdout_text()
    );
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let states: Vec<(&str, bool)> = results
        .iter()
        .map(|r| (r["baselineState"].as_str().unwrap(), r["suppressions"].as_array().is_some_and(|s| !s.is_empty())))
        .collect();
    assert_eq!(states, [("new", false), ("new", false), ("unchanged", true)]);
    let fingerprints: std::collections::BTreeSet<&str> =
        results.iter().map(|r| r["partialFingerprints"]["driftgate/v1"].as_str().unwrap()).collect();
    assert_eq!(fingerprints.len(), 3, "every result has its own fingerprint");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<!-- 2 errors, 0 warnings, 1 baselined (1 fixed) in 1 chart"), "{xml}");

    let out = run(&["check", dir, "--report", "yaml=out.yaml"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr_text().contains("unknown format `yaml` (human, json, github, sarif, junit, codequality)"),
        "{}",
        out.stderr_text()
    );
}
