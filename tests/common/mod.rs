//! What the end-to-end tests share: running the `driftgate` binary and reading what it printed,
//! the findings of a JSON report in one line each, scratch repositories, and golden files that
//! `DRIFTGATE_BLESS=1` rewrites.

// Each test file is its own crate and uses a part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The crate root: every run starts there unless told otherwise, so the paths in reports are
/// relative to it (`testdata/check/<case>`).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Variables that change what driftgate prints (the day `until` is compared with, the clock of
/// the template date functions). Removed from every run, so the shell running the tests does not
/// decide their outcome; a test that wants one sets it with [`Run::env`].
const CLOCK_VARS: &[&str] = &["DRIFTGATE_TODAY", "DRIFTGATE_NOW"];

/// A `driftgate` invocation being set up: see [`driftgate`].
pub struct Run {
    command: Command,
}

/// `driftgate <args>`, run from the crate root with the clock variables removed.
pub fn driftgate(args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_driftgate"));
    command.args(args).current_dir(root());
    for var in CLOCK_VARS {
        command.env_remove(var);
    }
    Run { command }
}

impl Run {
    /// Runs from `dir` instead of the crate root.
    pub fn cwd(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn output(mut self) -> Output {
        let out = self.command.output().expect("driftgate runs");
        Output {
            code: out.status.code().unwrap_or_else(|| panic!("driftgate was killed: {}", out.status)),
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }
}

/// `driftgate <args>` from the crate root.
pub fn run(args: &[&str]) -> Output {
    driftgate(args).output()
}

/// `driftgate <args>` from `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    driftgate(args).cwd(dir).output()
}

/// What a run printed and how it exited.
pub struct Output {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Stdout as JSON; when it is not, the panic shows both streams.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("output is not JSON ({e}):\n{}\n{}", self.stdout_text(), self.stderr_text()))
    }
}

/// `testdata/check/<case>`, relative to the crate root; panics when the case does not exist.
pub fn case_dir(case: &str) -> String {
    let dir = format!("testdata/check/{case}");
    assert!(root().join(&dir).is_dir(), "missing case {dir}");
    dir
}

/// `driftgate check <dir> --format json <extra>`: the exit code and the report.
pub fn check_json(dir: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", dir, "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(&args);
    (out.code, out.json())
}

/// A finding of a JSON report in one line: `rule severity environment file:line:column |
/// message`, with `-` for no environment and for no location.
pub fn finding_line(d: &Value) -> String {
    let loc = &d["location"];
    let at = if loc.is_null() {
        "-".to_string()
    } else {
        format!("{}:{}:{}", loc["file"].as_str().unwrap_or("?"), loc["line"], loc["column"])
    };
    format!(
        "{} {} {} {} | {}",
        d["rule"].as_str().unwrap_or("?"),
        d["severity"].as_str().unwrap_or("?"),
        d["environment"].as_str().unwrap_or("-"),
        at,
        d["message"].as_str().unwrap_or("?")
    )
}

/// [`finding_line`] of every finding of a JSON report, in report order.
pub fn findings(json: &Value) -> Vec<String> {
    json["diagnostics"].as_array().expect("diagnostics array").iter().map(finding_line).collect()
}

// ------------------------------------------------------------------ scratch repositories

/// A temporary directory holding `files` (path, text).
pub fn repo_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// Copies the directory `from` to `to`, creating `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of `dir` (relative to the crate root) in a temporary directory.
pub fn copy_to_temp(dir: &str) -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("temporary directory");
    copy_tree(&root().join(dir), temp.path());
    temp
}

/// The path of a temporary directory as an argument.
pub fn path_arg(dir: &tempfile::TempDir) -> &str {
    dir.path().to_str().expect("UTF-8 temporary path")
}

// ------------------------------------------------------------------ goldens

/// Whether `DRIFTGATE_BLESS` is set: goldens are (re)written instead of compared.
pub fn blessing() -> bool {
    std::env::var_os("DRIFTGATE_BLESS").is_some()
}

/// Compares `actual` with the golden file at `path`, or writes it there when blessing. `None`
/// when they agree (or it was written), otherwise what differs. A missing file is a mismatch.
pub fn golden(path: &Path, actual: &[u8]) -> Option<String> {
    if blessing() {
        write_golden(path, actual);
        return None;
    }
    match std::fs::read(path) {
        Ok(want) => compare_golden(path, &want, actual),
        Err(e) => Some(format!("{}: cannot be read ({e}); rerun with DRIFTGATE_BLESS=1 to write it", shown(path))),
    }
}

/// Like [`golden`] for output that is usually empty: the file exists only when `actual` is not
/// empty (blessing removes it otherwise), and a missing file expects nothing.
pub fn golden_unless_empty(path: &Path, actual: &[u8]) -> Option<String> {
    if blessing() {
        if actual.is_empty() {
            if path.exists() {
                std::fs::remove_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
        } else {
            write_golden(path, actual);
        }
        return None;
    }
    let want = if path.exists() {
        std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    } else {
        Vec::new()
    };
    if path.exists() && want.is_empty() {
        return Some(format!("{}: empty; an expected empty output has no file", shown(path)));
    }
    compare_golden(path, &want, actual)
}

fn write_golden(path: &Path, actual: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn compare_golden(path: &Path, want: &[u8], actual: &[u8]) -> Option<String> {
    if want == actual {
        return None;
    }
    Some(format!(
        "{} differs (rerun with DRIFTGATE_BLESS=1 to accept):\n{}",
        shown(path),
        first_difference(&String::from_utf8_lossy(want), &String::from_utf8_lossy(actual), "expected", "actual")
    ))
}

/// `path` relative to the crate root when it is under it.
fn shown(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

/// The first line where `want` and `got` differ, both quoted with their newline and labelled
/// `want_name` and `got_name`, or `(end)` for the shorter one.
pub fn first_difference(want: &str, got: &str, want_name: &str, got_name: &str) -> String {
    let width = want_name.len().max(got_name.len()) + 1;
    let (want_label, got_label) = (format!("{want_name}:"), format!("{got_name}:"));
    let (want_lines, got_lines): (Vec<&str>, Vec<&str>) =
        (want.split_inclusive('\n').collect(), got.split_inclusive('\n').collect());
    let show = |line: Option<&&str>| line.map_or("(end)".to_string(), |l| format!("{l:?}"));
    for i in 0..want_lines.len().max(got_lines.len()) {
        let (w, g) = (want_lines.get(i), got_lines.get(i));
        if w != g {
            return format!(
                "  line {}:\n    {want_label:width$} {}\n    {got_label:width$} {}",
                i + 1,
                show(w),
                show(g)
            );
        }
    }
    "  no difference".to_string()
}
