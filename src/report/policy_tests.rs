//! The `driftgate test` report: one line per Rego unit test and a tally for people, or JSON.

use crate::policy::{PolicyTestResult, TestOutcome};

fn outcome_word(outcome: &TestOutcome) -> &'static str {
    match outcome {
        TestOutcome::Passed => "PASS",
        TestOutcome::Failed => "FAIL",
        TestOutcome::Error(_) => "ERROR",
    }
}

/// One line per test, then the tally: `PASS policies/a_test.rego data.main.test_x`.
pub fn human(results: &[PolicyTestResult]) -> String {
    let mut out = String::new();
    for result in results {
        out.push_str(&format!("{:<5} {} {}", outcome_word(&result.outcome), result.file, result.rule));
        if let TestOutcome::Error(message) = &result.outcome {
            out.push_str(&format!(": {}", message.lines().next().unwrap_or_default()));
        }
        out.push('\n');
    }
    let count = |word: &str| results.iter().filter(|r| outcome_word(&r.outcome) == word).count();
    let tests = if results.len() == 1 { "1 test".to_string() } else { format!("{} tests", results.len()) };
    let errors = if count("ERROR") == 1 { "1 error".to_string() } else { format!("{} errors", count("ERROR")) };
    out.push_str(&format!("{tests}: {} passed, {} failed, {errors}\n", count("PASS"), count("FAIL")));
    out
}

/// `{version, summary {passed, failed, errors}, tests [{file, rule, outcome, message, duration_ms}]}`.
pub fn json(results: &[PolicyTestResult]) -> String {
    let count = |word: &str| results.iter().filter(|r| outcome_word(&r.outcome) == word).count();
    let tests: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            serde_json::json!({
                "file": r.file,
                "rule": r.rule,
                "outcome": outcome_word(&r.outcome).to_lowercase(),
                "message": match &r.outcome { TestOutcome::Error(m) => Some(m.as_str()), _ => None },
                "duration_ms": r.duration.as_secs_f64() * 1000.0,
            })
        })
        .collect();
    let report = serde_json::json!({
        "version": 1,
        "summary": { "passed": count("PASS"), "failed": count("FAIL"), "errors": count("ERROR") },
        "tests": tests,
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
