//! End to end: `driftgate check` run as a process on the small repositories under
//! `testdata/check/`, asserting the exit code and every finding's rule, environment, file, line
//! and column (see each case's EXPECT.md for why these are the right answers).

mod common;

use std::path::Path;

use common::{case_dir, run};
use serde_json::Value;

/// (rule, environment, "file:line:column") of every finding, in report order.
type Finding = (&'static str, Option<&'static str>, &'static str);

/// The blessed snapshot of a case: its exit code and JSON report.
fn check_json(case: &str) -> (i32, Value) {
    let out = snapshot(case);
    (out.code, out.json())
}

/// What `expected.exit`, `expected.json` and `expected.stderr` of a case say it prints.
fn snapshot(case: &str) -> common::Output {
    let dir = common::root().join(case_dir(case));
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_default();
    common::Output {
        code: String::from_utf8(read("expected.exit")).unwrap().trim().parse().expect("expected.exit"),
        stdout: read("expected.json"),
        stderr: read("expected.stderr"),
    }
}

fn findings(json: &Value) -> Vec<(String, Option<String>, String)> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            let loc = &d["location"];
            let at = if loc.is_null() {
                "-".to_string()
            } else {
                format!("{}:{}:{}", loc["file"].as_str().unwrap(), loc["line"], loc["column"])
            };
            (d["rule"].as_str().unwrap().to_string(), d["environment"].as_str().map(str::to_string), at)
        })
        .collect()
}

fn assert_case(case: &str, exit: i32, want: &[Finding]) {
    let (code, json) = check_json(case);
    let got = findings(&json);
    let want: Vec<(String, Option<String>, String)> =
        want.iter().map(|(r, e, at)| (r.to_string(), e.map(str::to_string), at.to_string())).collect();
    assert_eq!(got, want, "{case}: findings");
    assert_eq!(code, exit, "{case}: exit code");
}

fn message_of(case: &str, index: usize) -> String {
    let (_, json) = check_json(case);
    json["diagnostics"][index]["message"].as_str().unwrap_or_default().to_string()
}

// ------------------------------------------------------------------ snapshots

/// The names of the case directories under `testdata/check/`, sorted.
fn case_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(common::root().join("testdata/check"))
        .expect("testdata/check exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The lines of an optional per-case file, without empty lines and `#` comments.
fn case_lines(dir: &Path, file: &str) -> Vec<String> {
    match std::fs::read_to_string(dir.join(file)) {
        Ok(text) => text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", dir.join(file).display()),
    }
}

/// The files that hold a case's expected output.
const EXPECTED_FILES: [&str; 3] = ["expected.exit", "expected.json", "expected.stderr"];

/// Runs `driftgate check testdata/check/<case> --format json` plus the case's `args` (one per
/// line) with the variables of its `env` (`NAME=value` lines), and compares the exit code, stdout
/// and stderr with `expected.exit`, `expected.json` and `expected.stderr` (the last two only
/// exist when that output is not empty), or writes them under `DRIFTGATE_BLESS`. What differs.
fn check_snapshot(case: &str) -> Vec<String> {
    let dir_arg = case_dir(case);
    let dir = common::root().join(&dir_arg);
    if !common::blessing() && !dir.join("expected.exit").is_file() {
        return vec![format!(
            "{dir_arg} has no expectation (expected.exit, expected.json or expected.stderr); \
             write them with DRIFTGATE_BLESS=1 and review them against EXPECT.md"
        )];
    }
    let extra = case_lines(&dir, "args");
    let mut args = vec!["check", dir_arg.as_str(), "--format", "json"];
    args.extend(extra.iter().map(String::as_str));
    let mut run = common::driftgate(&args);
    for line in case_lines(&dir, "env") {
        let Some((name, value)) = line.split_once('=') else {
            return vec![format!("env: {line:?} is not NAME=value")];
        };
        run = run.env(name, value);
    }
    let out = run.output();
    let mut problems: Vec<String> = [
        common::golden(&dir.join("expected.exit"), format!("{}\n", out.code).as_bytes()),
        common::golden_unless_empty(&dir.join("expected.json"), &out.stdout),
        common::golden_unless_empty(&dir.join("expected.stderr"), &out.stderr),
    ]
    .into_iter()
    .flatten()
    .collect();
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("expected") && !EXPECTED_FILES.contains(&name.as_str()) {
            problems
                .push(format!("{dir_arg}/{name}: not an expectation file (those are {})", EXPECTED_FILES.join(", ")));
        }
    }
    problems
}

/// Every case directory has an exit code and output snapshot, and driftgate prints exactly that.
#[test]
fn every_case_prints_its_snapshot() {
    let cases = case_names();
    assert!(cases.len() > 40, "testdata/check/ lost its cases: {cases:?}");
    let mut failures = Vec::new();
    for case in &cases {
        let problems = check_snapshot(case);
        if !problems.is_empty() {
            failures.push(format!("{case}:\n{}", problems.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} check cases differ from their snapshots \
         (`DRIFTGATE_BLESS=1 cargo test --test check_cases` rewrites them; review the diff):\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Every case says in EXPECT.md why its snapshot is the right answer.
#[test]
fn every_case_explains_its_answer() {
    let unexplained: Vec<String> = case_names()
        .into_iter()
        .filter(|case| !common::root().join(case_dir(case)).join("EXPECT.md").is_file())
        .collect();
    assert!(unexplained.is_empty(), "cases without EXPECT.md: {unexplained:?}");
}

#[test]
fn first_difference_shows_the_line_and_where_a_text_ends() {
    assert_eq!(
        common::first_difference("a\nb\nc\n", "a\nB\nc\n", "expected", "actual"),
        "  line 2:\n    expected: \"b\\n\"\n    actual:   \"B\\n\""
    );
    assert_eq!(
        common::first_difference("a\nb\n", "a\nb\nc\n", "expected", "actual"),
        "  line 3:\n    expected: (end)\n    actual:   \"c\\n\""
    );
    assert_eq!(
        common::first_difference("a\n", "a", "helm", "driftgate"),
        "  line 1:\n    helm:      \"a\\n\"\n    driftgate: \"a\""
    );
}

// ------------------------------------------------------------------ hand-written expectations

#[test]
fn passing_repositories_exit_zero_without_findings() {
    for case in [
        "dg001-render-error-pass",
        "dg002-values-schema-pass",
        "dg003-duplicate-resource-pass",
        "dg003-invalid-manifest-pass",
        "dg201-env-var-parity-pass",
        "dg202-missing-secret-pass",
        "dg205-unknown-values-key-pass",
        "dg301-inline-secret-pass",
        "dg302-secret-in-env-pass",
        "dg401-chart-version-unpinned-pass",
        "dg403-image-unpinned-pass",
        "dg404-promotion-order-pass",
    ] {
        assert_case(case, 0, &[]);
    }
}

#[test]
fn dg001_render_error_points_at_the_failing_action() {
    assert_case("dg001-render-error-fail", 1, &[("DG001", Some("dev"), "charts/api/templates/configmap.yaml:6:45")]);
}

#[test]
fn dg002_schema_violations_point_at_the_override_for_chart_and_subchart() {
    assert_case(
        "dg002-values-schema-fail",
        1,
        &[
            ("DG002", Some("prod"), "charts/api/values-prod.yaml:2:1"),
            ("DG002", Some("prod"), "charts/api/values-prod.yaml:4:3"),
        ],
    );
    let head = "values don't meet the specifications of the schema(s) in the following chart(s):\n";
    assert_eq!(
        message_of("dg002-values-schema-fail", 0),
        format!("{head}api:\n- replicaCount: Must be greater than or equal to 1")
    );
    assert_eq!(
        message_of("dg002-values-schema-fail", 1),
        format!("{head}cache:\n- memory: Invalid type. Expected: integer, given: string")
    );
}

#[test]
fn dg003_invalid_yaml_output_points_at_the_template_line() {
    assert_case(
        "dg003-invalid-manifest-fail",
        1,
        &[("DG003", Some("dev"), "charts/worker/templates/configmap.yaml:6:12")],
    );
    assert!(
        message_of("dg003-invalid-manifest-fail", 0).contains("line 6: mapping values are not allowed in this context")
    );
}

#[test]
fn dg003_repeated_resource() {
    // At the values entry that names both copies; the template that rendered the second is related.
    assert_case("dg003-duplicate-resource-fail", 1, &[("DG003", Some("prod"), "charts/web/values-prod.yaml:1:15")]);
    let (_, json) = check_json("dg003-duplicate-resource-fail");
    let related = &json["diagnostics"][0]["related"][0];
    assert_eq!(
        (related["file"].as_str(), related["line"].as_u64()),
        (Some("charts/web/templates/settings.yaml"), Some(1))
    );
    assert_eq!(related["message"], "rendered again here");
}

#[test]
fn dg201_points_at_the_override_that_lacks_the_var_and_relates_the_one_that_sets_it() {
    assert_case("dg201-env-var-parity-fail", 1, &[("DG201", Some("prod"), "charts/shop/values-prod.yaml:1:1")]);
    let (_, json) = check_json("dg201-env-var-parity-fail");
    let d = &json["diagnostics"][0];
    assert_eq!(d["message"], "env var PAYMENT_PROVIDER_URL is set in dev but not in prod");
    assert_eq!(d["path"], "spec.template.spec.containers[app].env[PAYMENT_PROVIDER_URL]");
    // Every environment that sets it, the nearest earlier stage first.
    assert_eq!(d["related"][0]["file"], "charts/shop/values-stage.yaml");
    assert_eq!(d["related"][0]["line"], 2);
    assert_eq!(d["related"][0]["message"], "set here for stage");
    assert_eq!(d["related"][1]["file"], "charts/shop/values-dev.yaml");
    assert_eq!(d["related"][1]["line"], 3);
}

#[test]
fn dg202_points_at_the_value_that_names_the_secret() {
    assert_case("dg202-missing-secret-fail", 1, &[("DG202", Some("stage"), "charts/orders/values-stage.yaml:1:17")]);
}

#[test]
fn dg205_points_at_the_typo_and_suggests_the_key() {
    assert_case("dg205-unknown-values-key-fail", 1, &[("DG205", Some("prod"), "charts/catalog/values-prod.yaml:1:1")]);
    let out = run(&["check", &case_dir("dg205-unknown-values-key-fail")]);
    let human = out.stdout_text();
    assert!(human.contains("did you mean `replicaCount`?"), "{human}");
}

#[test]
fn dg301_and_dg302_point_at_the_literal_and_never_print_it() {
    assert_case("dg301-inline-secret-fail", 1, &[("DG301", Some("dev"), "charts/ledger/templates/secret.yaml:7:13")]);
    assert_case(
        "dg302-secret-in-env-fail",
        1,
        &[("DG302", Some("dev"), "charts/mailer/templates/deployment.yaml:22:22")],
    );
    // The literals planted in the cases' templates.
    for (case, secret) in
        [("dg301-inline-secret-fail", "not-a-real-password"), ("dg302-secret-in-env-fail", "correct-horse-battery")]
    {
        let template = walk_text(&common::root().join(case_dir(case)));
        assert!(template.contains(secret), "{case}: the planted value is still in the template");
        for format in ["human", "json"] {
            let out = run(&["check", &case_dir(case), "--format", format]);
            let text = out.stdout_text();
            assert!(!text.contains(secret), "{case} ({format}) prints the secret value:\n{text}");
            assert!(text.contains("<redacted>"), "{case} ({format}): {text}");
        }
    }
}

/// The text of every template of a case.
fn walk_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&walk_text(&path));
        } else if path.to_string_lossy().contains("templates") {
            text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    text
}

#[test]
fn dg401_and_dg404_point_at_driftgate_yaml() {
    assert_case(
        "dg401-chart-version-unpinned-fail",
        1,
        &[("DG401", Some("stage"), "driftgate.yaml:7:54"), ("DG401", Some("prod"), "driftgate.yaml:8:53")],
    );
    assert_case("dg404-promotion-order-fail", 1, &[("DG404", Some("prod"), "driftgate.yaml:8:53")]);
}

#[test]
fn dg403_points_at_the_tag() {
    assert_case("dg403-image-unpinned-fail", 1, &[("DG403", Some("dev"), "charts/frontend/values-dev.yaml:2:8")]);
}

#[test]
fn broken_templates_and_values_are_findings_not_crashes() {
    assert_case("bad-include-missing", 1, &[("DG001", Some("dev"), "charts/api/templates/configmap.yaml:6:9")]);
    assert!(message_of("bad-include-missing", 0).contains("no template \"api.lables\""));
    assert_case("bad-include-recursion", 1, &[("DG001", Some("dev"), "charts/api/templates/_helpers.tpl:3:4")]);
    assert_case("bad-template-syntax", 1, &[("DG001", None, "charts/api/templates/configmap.yaml:4:26")]);
    assert_eq!(
        message_of("bad-template-syntax", 0),
        "parse error at (api/templates/configmap.yaml:4): unexpected \"}\" in operand"
    );
    assert_case("bad-values-list", 1, &[("DG002", Some("prod"), "charts/api/values-prod.yaml:1:1")]);
    assert_case("bad-values-malformed-yaml", 1, &[("DG002", Some("prod"), "charts/api/values-prod.yaml:3:13")]);
}

#[test]
fn unusable_input_exits_two_with_the_place_to_fix() {
    let cases = [
        ("bad-chart-no-chart-yaml", "driftgate.yaml:4:11: no Chart.yaml in chart directory `charts/api`"),
        (
            "bad-config-missing-values-file",
            "driftgate.yaml:7:24: values file `values-prd.yaml` of environment `prod` does not exist",
        ),
        (
            "bad-config-path-outside-repo",
            "driftgate.yaml:6:50: path `../../../secrets/dev.yaml` points outside the repository",
        ),
        (
            "bad-config-unknown-key",
            "driftgate.yaml:2:1: unknown key `promotoin` in the top level\n  help: did you mean `promotion`?",
        ),
        ("bad-config-wrong-type", "driftgate.yaml:2:12: promotion must be a list of stage names, found a mapping"),
        ("bad-no-charts", "no Helm chart found under testdata/check/bad-no-charts"),
    ];
    for (case, message) in cases {
        let out = snapshot(case);
        let stderr = out.stderr_text();
        assert_eq!(out.code, 2, "{case}: {stderr}");
        assert!(stderr.contains(message), "{case}: {stderr}");
        assert!(out.stdout.is_empty(), "{case}: nothing on stdout");
    }
}

#[test]
fn bad_flags_exit_two() {
    let out = run(&["check", "--format", "xml"]);
    assert_eq!(out.code, 2);
    let out = run(&["check", "testdata/check/dg201-env-var-parity-pass", "--env", "nope"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr_text().contains("no environment named `nope`"));
}

#[test]
fn fail_on_warning_and_env_filter() {
    // Only prod is checked: DG201 compares stages, and prod alone has nothing to compare with.
    let out = run(&["check", &case_dir("dg201-env-var-parity-fail"), "--env", "prod"]);
    assert_eq!(out.code, 0, "{}", out.stdout_text());
}

#[test]
fn rules_lists_and_explains() {
    let out = run(&["rules"]);
    let text = out.stdout_text();
    assert_eq!(out.code, 0);
    for id in ["DG001", "DG201", "DG205", "DG404", "DG601"] {
        assert!(text.contains(id), "{id} listed");
    }
    let out = run(&["rules", "DG201"]);
    let text = out.stdout_text();
    assert!(text.contains("env-var-parity"), "{text}");
    let out = run(&["rules", "DG999"]);
    assert_eq!(out.code, 2);
}

/// The JSON example in the README is real output: the DG201 failing case.
#[test]
fn readme_json_example_is_what_check_prints() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let section = readme.split("## JSON output").nth(1).expect("README has a JSON output section");
    let block = section.split("```json\n").nth(1).and_then(|b| b.split("\n```").next()).expect("a json block");
    let documented: Value = serde_json::from_str(block).expect("the README example is valid JSON");
    let (_, actual) = check_json("dg201-env-var-parity-fail");
    assert_eq!(documented, actual);
}
