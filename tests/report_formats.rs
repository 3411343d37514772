//! End to end: `driftgate check --format github|sarif|junit` run as a process on
//! testdata/check/dg201-env-var-parity-fail (one DG201 error in prod, related places in stage
//! and dev; see its EXPECT.md), asserting the exact report and the exit code.

mod common;

use common::run;

const CASE: &str = "testdata/check/dg201-env-var-parity-fail";

fn check(format: &str, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["check", CASE, "--format", format];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.stderr.is_empty(), "{}", out.stderr_text());
    (out.code, String::from_utf8(out.stdout).expect("UTF-8 report"))
}

#[test]
fn github_annotations() {
    let (code, stdout) = check("github", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "::error file=charts/shop/values-prod.yaml,line=1,col=1,endLine=1,endColumn=4,title=DG201 env-var-parity::\
         env var PAYMENT_PROVIDER_URL is set in dev but not in prod\
         %0Acharts/shop/values-stage.yaml:2:3: set here for stage\
         %0Acharts/shop/values-dev.yaml:3:3: set here for dev\n\
         1 error, 0 warnings in 1 chart, 3 environments, 3 resources\n"
    );
}

#[test]
fn sarif_log() {
    let (code, stdout) = check("sarif", &[]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let schema_text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/sarif/sarif-schema-2.1.0.json"))
            .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "driftgate");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["id"], "DG201");
    assert_eq!(rules[0]["name"], "env-var-parity");
    assert_eq!(
        rules[0]["shortDescription"]["text"],
        "An env var set on a container in an earlier stage is missing in a later stage."
    );
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0],
        serde_json::json!({
            "ruleId": "DG201",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": "env var PAYMENT_PROVIDER_URL is set in dev but not in prod"},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": "charts/shop/values-prod.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 4}
                }
            }],
            "relatedLocations": [
                {
                    "id": 0,
                    "physicalLocation": {
                        "artifactLocation": {"uri": "charts/shop/values-stage.yaml", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 2, "startColumn": 3}
                    },
                    "message": {"text": "set here for stage"}
                },
                {
                    "id": 1,
                    "physicalLocation": {
                        "artifactLocation": {"uri": "charts/shop/values-dev.yaml", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 3, "startColumn": 3}
                    },
                    "message": {"text": "set here for dev"}
                }
            ],
            // The identity baselines use: it must not change between releases.
            "partialFingerprints": {"driftgate/v1": "cd5e8ec8fea3ceca"},
            "properties": {
                "chart": "charts/shop",
                "environment": "prod",
                "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "shop"},
                "path": "spec.template.spec.containers[app].env[PAYMENT_PROVIDER_URL]"
            }
        })
    );
}

#[test]
fn junit_report() {
    let (code, stdout) = check("junit", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="driftgate" tests="1" failures="1" errors="0">
  <!-- 1 error, 0 warnings in 1 chart, 3 environments, 3 resources -->
  <testsuite name="charts/shop" tests="1" failures="1" errors="0" skipped="0">
    <testcase name="DG201 env-var-parity (prod, Deployment/shop)" classname="charts/shop" file="charts/shop/values-prod.yaml" line="1">
      <failure message="env var PAYMENT_PROVIDER_URL is set in dev but not in prod" type="DG201">charts/shop/values-prod.yaml:1:1: error: env var PAYMENT_PROVIDER_URL is set in dev but not in prod
charts/shop/values-stage.yaml:2:3: set here for stage
charts/shop/values-dev.yaml:3:3: set here for dev</failure>
    </testcase>
  </testsuite>
</testsuites>
"#
    );
}

#[test]
fn junit_passes_a_clean_chart() {
    // Only dev: nothing earlier to compare with, so the chart has no findings.
    let (code, stdout) = check("junit", &["--env", "dev"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains(
            "  <testsuite name=\"charts/shop\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n    \
         <testcase name=\"no findings\" classname=\"charts/shop\"/>\n"
        ),
        "{stdout}"
    );
}
