//! End to end: what decides whether a finding fails the gate — dated ignores, inline
//! suppression comments, JSON-schema policies, and the git-aware DG402 with `--base` and
//! `--changed` — where the snapshots of `testdata/check/` cannot show it: other days, other
//! configurations, temporary git repositories made from the cases (see each EXPECT.md).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Output, case_dir, copy_to_temp, copy_tree, findings, path_arg, root, run};
use serde_json::Value;

/// `driftgate <args>` with `DRIFTGATE_TODAY` set to `today`.
fn driftgate(args: &[&str], today: &str) -> Output {
    common::driftgate(args).env("DRIFTGATE_TODAY", today).output()
}

// The reports of the default runs (inline suppressions, the expired ignore, schema policy
// findings and the errors of bad schemas and `until` dates) are the snapshots of their cases:
// see tests/check_cases.rs.

// ------------------------------------------------------------------ ignores with `until`

#[test]
fn an_ignore_applies_through_its_until_day() {
    let out = driftgate(&["check", &case_dir("ignore-until"), "--format", "json"], "2026-06-30");
    let json = out.json();
    assert_eq!(findings(&json), Vec::<String>::new());
    assert_eq!(json["summary"]["suppressed"], 1);
    assert_eq!(out.code, 0);
}

#[test]
fn a_malformed_today_override_stops_the_run() {
    let out = driftgate(&["check", "testdata/check/ignore-until"], "July 1st");
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr_text(), "error: DRIFTGATE_TODAY must be a date written YYYY-MM-DD, found `July 1st`\n");
}

// ------------------------------------------------------------------ schema policies

#[test]
fn schema_policy_severity_comes_from_policies_rules() {
    let repo = copy_case("schema-policy-fail");
    let config = repo.path().join("driftgate.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    // The case's `policies.rules` map comes last in its driftgate.yaml.
    std::fs::write(&config, format!("{text}    ORG001: {{ severity: warning }}\n")).unwrap();
    let out = run(&["check", path_arg(&repo), "--format", "json"]);
    let json = out.json();
    let severities: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["severity"].as_str().unwrap_or_default()).collect();
    assert_eq!(severities, ["warning", "warning"]);
    assert_eq!(out.code, 0);
}

// ------------------------------------------------------------------ DG402 and --changed

/// A copy of a case in a temporary directory.
fn copy_case(case: &str) -> tempfile::TempDir {
    copy_to_temp(&case_dir(case))
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=driftgate tests", "-c", "user.email=tests@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(repo)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The DG402 case committed as the only commit of a new repository.
fn committed_repo() -> tempfile::TempDir {
    let repo = copy_case("dg402-chart-version-not-bumped");
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    repo
}

fn edit(repo: &tempfile::TempDir, file: &str, from: &str, to: &str) {
    let file: PathBuf = repo.path().join(file);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", file.display());
    std::fs::write(&file, text.replace(from, to)).unwrap();
}

fn check_repo(repo: &tempfile::TempDir, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", path_arg(repo), "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(&args);
    (out.code, out.json())
}

const API_NOT_BUMPED: &str = "charts/api changed since HEAD (1 file) but its version is still 1.0.0";

#[test]
fn dg402_reports_the_version_line_of_a_changed_chart() {
    let repo = committed_repo();
    edit(&repo, "charts/api/templates/configmap.yaml", "greeting:", "welcome:");
    let (code, json) = check_repo(&repo, &["--base", "HEAD"]);
    assert_eq!(findings(&json), vec![format!("DG402 error - charts/api/Chart.yaml:3:10 | {API_NOT_BUMPED}")]);
    let d = &json["diagnostics"][0];
    assert_eq!(d["chart"], "charts/api");
    assert_eq!(d["location"]["end_column"], 15);
    assert_eq!(d["related"][0]["file"], "charts/api/templates/configmap.yaml");
    assert_eq!(d["related"][0]["message"], "changed since HEAD");
    assert_eq!(code, 1);

    // Without a base the rule does not run.
    let (code, json) = check_repo(&repo, &[]);
    assert_eq!(findings(&json), Vec::<String>::new());
    assert_eq!(code, 0);

    // Bumping the version fixes it.
    edit(&repo, "charts/api/Chart.yaml", "version: 1.0.0", "version: 1.0.1");
    let (code, json) = check_repo(&repo, &["--base", "HEAD"]);
    assert_eq!(findings(&json), Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn dg402_compares_with_an_older_commit_and_counts_untracked_files() {
    let repo = committed_repo();
    edit(&repo, "charts/web/values-prod.yaml", "hello prod", "hi prod");
    git(repo.path(), &["commit", "-q", "-am", "web: prod greeting"]);
    std::fs::write(
        repo.path().join("charts/web/templates/extra.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
    )
    .unwrap();
    let (code, json) = check_repo(&repo, &["--base", "HEAD~1"]);
    assert_eq!(
        findings(&json),
        vec![
            "DG402 error - charts/web/Chart.yaml:3:10 | charts/web changed since HEAD~1 (2 files) but its version is still 1.0.0"
        ]
    );
    assert_eq!(code, 1);
    // The committed change is not a change since HEAD; the untracked file is.
    let (_, json) = check_repo(&repo, &["--base", "main"]);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "charts/web changed since main (1 file) but its version is still 1.0.0"
    );
}

#[test]
fn a_chart_that_is_new_since_the_base_is_not_reported() {
    let repo = committed_repo();
    copy_tree(&repo.path().join("charts/api"), &repo.path().join("charts/billing"));
    edit(&repo, "charts/billing/Chart.yaml", "name: api", "name: billing");
    let (code, json) = check_repo(&repo, &["--base", "HEAD"]);
    assert_eq!(findings(&json), Vec::<String>::new());
    assert_eq!(json["summary"]["charts"], 3);
    assert_eq!(code, 0);
}

#[test]
fn changed_checks_only_the_charts_touched_since_head() {
    let repo = committed_repo();
    let (code, json) = check_repo(&repo, &["--changed"]);
    assert_eq!(findings(&json), Vec::<String>::new());
    assert_eq!(json["summary"]["charts"], 0, "nothing changed, nothing checked");
    assert_eq!(code, 0);

    edit(&repo, "charts/api/templates/configmap.yaml", "greeting:", "welcome:");
    git(repo.path(), &["add", "-A"]);
    let (code, json) = check_repo(&repo, &["--changed"]);
    assert_eq!(findings(&json), vec![format!("DG402 error - charts/api/Chart.yaml:3:10 | {API_NOT_BUMPED}")]);
    assert_eq!(json["summary"]["charts"], 1, "only charts/api");
    assert_eq!(json["summary"]["environments"], 2);
    assert_eq!(code, 1);

    // --chart narrows further: web did not change, so nothing is checked.
    let (code, json) = check_repo(&repo, &["--changed", "--chart", "web"]);
    assert_eq!(json["summary"]["charts"], 0);
    assert_eq!(code, 0);
}

#[test]
fn dg402_can_be_turned_off() {
    let repo = committed_repo();
    std::fs::write(
        repo.path().join("driftgate.yaml"),
        "policies:\n  rules:\n    DG401: { severity: off }\n    DG402: { severity: off }\n",
    )
    .unwrap();
    edit(&repo, "charts/api/templates/configmap.yaml", "greeting:", "welcome:");
    let (code, json) = check_repo(&repo, &["--changed"]);
    assert_eq!(findings(&json), Vec::<String>::new());
    // driftgate.yaml changed (it is new): every chart is checked.
    assert_eq!(json["summary"]["charts"], 2);
    assert_eq!(code, 0);
}

#[test]
fn base_outside_git_or_unknown_exits_two() {
    let plain = copy_case("dg402-chart-version-not-bumped");
    for flags in [&["--base", "HEAD"][..], &["--changed"][..]] {
        let mut args = vec!["check", path_arg(&plain)];
        args.extend_from_slice(flags);
        let out = run(&args);
        let stderr = out.stderr_text();
        assert_eq!(out.code, 2, "{flags:?}: {stderr}");
        assert!(
            stderr.contains("is not inside a git repository; --base and --changed compare with git history"),
            "{stderr}"
        );
    }

    let repo = committed_repo();
    let out = run(&["check", path_arg(&repo), "--base", "no-such-branch"]);
    let stderr = out.stderr_text();
    assert_eq!(out.code, 2, "{stderr}");
    assert!(stderr.starts_with("error: unknown git revision `no-such-branch`\n"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn dg402_works_when_the_checked_directory_is_inside_the_repository() {
    let repo = tempfile::tempdir().expect("temporary directory");
    let checked = repo.path().join("deploy");
    copy_tree(&root().join(case_dir("dg402-chart-version-not-bumped")), &checked);
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    std::fs::write(
        checked.join("charts/web/templates/new.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: new\n",
    )
    .unwrap();
    let out = run(&["check", checked.to_str().unwrap(), "--changed", "--format", "json"]);
    let json = out.json();
    assert_eq!(
        findings(&json),
        vec![
            "DG402 error - charts/web/Chart.yaml:3:10 | charts/web changed since HEAD (1 file) but its version is still 1.0.0"
        ]
    );
    assert_eq!(json["diagnostics"][0]["related"][0]["file"], "charts/web/templates/new.yaml");
    assert_eq!(out.code, 1);
}
