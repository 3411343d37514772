//! End to end: `driftgate check` run as a process on the small repositories under
//! `testdata/check/`. Each case's exit code and exact output, as JSON and as the human report,
//! are snapshots next to it (`expected.exit`, `expected.json`, `expected.stderr`,
//! `expected.human`; `DRIFTGATE_BLESS=1` rewrites them, see testdata/README.md), and its
//! EXPECT.md says why they are the right answers. The other tests here check what a snapshot
//! cannot: that secrets are never printed, whatever was blessed, and other flags and commands.

mod common;

use std::path::Path;

use common::{case_dir, run};
use serde_json::Value;

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
const EXPECTED_FILES: [&str; 4] = ["expected.exit", "expected.json", "expected.stderr", "expected.human"];

/// Runs `driftgate check testdata/check/<case> --format json` plus the case's `args` (one per
/// line) with the variables of its `env` (`NAME=value` lines), and compares the exit code, stdout
/// and stderr with `expected.exit`, `expected.json` and `expected.stderr` (the last two only
/// exist when that output is not empty), or writes them under `DRIFTGATE_BLESS`. Then runs the
/// same without `--format json` (the human report, without colour as stdout is not a terminal)
/// and compares its stdout with `expected.human` (only there when not empty); its exit code and
/// stderr must be those of the JSON run. What differs.
fn check_snapshot(case: &str) -> Vec<String> {
    let dir_arg = case_dir(case);
    let dir = common::root().join(&dir_arg);
    if !common::blessing() && !dir.join("expected.exit").is_file() {
        return vec![format!(
            "{dir_arg} has no expectation (expected.exit and the output snapshots); \
             write them with DRIFTGATE_BLESS=1 and review them against EXPECT.md"
        )];
    }
    let extra = case_lines(&dir, "args");
    let mut env = Vec::new();
    for line in case_lines(&dir, "env") {
        let Some((name, value)) = line.split_once('=') else {
            return vec![format!("env: {line:?} is not NAME=value")];
        };
        env.push((name.to_string(), value.to_string()));
    }
    let check = |format: &[&str]| {
        let mut args = vec!["check", dir_arg.as_str()];
        args.extend_from_slice(format);
        args.extend(extra.iter().map(String::as_str));
        let mut run = common::driftgate(&args);
        for (name, value) in &env {
            run = run.env(name, value);
        }
        run.output()
    };
    let out = check(&["--format", "json"]);
    let human = check(&[]);
    let mut problems: Vec<String> = [
        common::golden(&dir.join("expected.exit"), format!("{}\n", out.code).as_bytes()),
        common::golden_unless_empty(&dir.join("expected.json"), &out.stdout),
        common::golden_unless_empty(&dir.join("expected.stderr"), &out.stderr),
        common::golden_unless_empty(&dir.join("expected.human"), &human.stdout),
    ]
    .into_iter()
    .flatten()
    .collect();
    if human.code != out.code {
        problems.push(format!("the human report exits {}, the JSON report {}", human.code, out.code));
    }
    if human.stderr != out.stderr {
        problems.push(format!(
            "the human report prints another stderr than the JSON report:\n{}",
            common::first_difference(&out.stderr_text(), &human.stderr_text(), "json", "human")
        ));
    }
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

// ------------------------------------------------------------------ what snapshots do not show

/// The literal credentials planted in the DG301, DG302, DG303 and DG601 cases are printed in no
/// format and are in none of their snapshots (blessing writes whatever is printed): `<redacted>` is.
#[test]
fn secret_values_are_never_printed() {
    let planted: [(&str, &[&str]); 4] = [
        ("dg301-inline-secret-fail", &["not-a-real-password"]),
        ("dg302-secret-in-env-fail", &["correct-horse-battery"]),
        // One value is reported (DG303), the other suppressed by a comment without a reason.
        ("suppress-inline", &["another-dev-only-value", "dev-only-seed-value"]),
        // A Secret of a baseline directory against the rendered one.
        ("dg601-baseline-secret", &["rendered-pass-7781", "baseline-pass-3349"]),
    ];
    for (case, secrets) in planted {
        let dir = common::root().join(case_dir(case));
        let charts = walk_text(&dir);
        let mut printed = Vec::new();
        for format in ["human", "json"] {
            let out = run(&["check", &case_dir(case), "--format", format]);
            let text = out.stdout_text();
            assert!(text.contains("<redacted>"), "{case} ({format}): {text}");
            printed.push((format!("--format {format}"), text + &out.stderr_text()));
        }
        for file in EXPECTED_FILES {
            printed.push((file.to_string(), std::fs::read_to_string(dir.join(file)).unwrap_or_default()));
        }
        for secret in secrets {
            assert!(charts.contains(secret), "{case}: the planted value {secret} is no longer in its files");
            for (what, text) in &printed {
                assert!(!text.contains(secret), "{case}: {what} holds the secret value {secret}:\n{text}");
            }
        }
    }
}

/// The text of every file under `dir`.
fn walk_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&walk_text(&path));
        } else {
            text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    text
}

/// Input that stops the run (exit 2) prints the error on stderr, nothing on stdout for people,
/// and for `--format json` a report that holds only the error (so editors can show it).
#[test]
fn unusable_input_prints_only_the_error() {
    let mut stopped = 0;
    for case in case_names() {
        let dir = common::root().join(case_dir(&case));
        let exit = std::fs::read_to_string(dir.join("expected.exit")).unwrap_or_default();
        if exit.trim() != "2" {
            continue;
        }
        stopped += 1;
        assert!(dir.join("expected.stderr").is_file(), "{case}: exits 2 without an error");
        assert!(!dir.join("expected.human").exists(), "{case}: exits 2 but prints a human report");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
        let stderr = std::fs::read_to_string(dir.join("expected.stderr")).unwrap();
        let message = json["error"]["message"].as_str().unwrap_or_else(|| panic!("{case}: no error in the JSON"));
        assert!(stderr.contains(message), "{case}: the JSON error is the one on stderr");
        assert_eq!(json["diagnostics"], serde_json::json!([]), "{case}");
    }
    assert!(stopped >= 6, "only {stopped} cases exit 2");
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
    let (_, actual) = common::check_json(&case_dir("dg201-env-var-parity-fail"), &[]);
    assert_eq!(documented, actual);
}
