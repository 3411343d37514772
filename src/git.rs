//! What changed in the working tree since a git base revision, for `check --base REF` (DG402)
//! and `check --changed` (only the charts touched since the base).
//!
//! Runs the `git` binary as a subprocess: no library could match the user's own git
//! configuration (attributes, ignores, worktrees) as faithfully. Read-only: it never takes a lock.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::FatalError;

/// The base the working tree is compared with when `--changed` is given without `--base`.
pub const DEFAULT_BASE: &str = "HEAD";

/// The files of the checked directory that differ between a base revision and the working tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseDiff {
    /// The revision as the user wrote it (`main`, `HEAD~1`), for messages.
    pub base: String,
    /// The commit it resolved to.
    pub commit: String,
    /// The checked directory.
    pub root: PathBuf,
    /// Changed, added, deleted and untracked (not ignored) files, relative to `root` with `/`
    /// separators, sorted.
    pub changed: Vec<String>,
}

impl BaseDiff {
    /// Compares the working tree under `root` with `base`. Exit-2 errors when `root` is not in a
    /// git repository, `base` is not a commit, or git cannot be run.
    pub fn open(root: &Path, base: &str) -> Result<BaseDiff, FatalError> {
        let inside = git(root, &["rev-parse", "--is-inside-work-tree"])?;
        if !inside.success || inside.stdout.trim() != "true" {
            return Err(FatalError::new(format!(
                "{} is not inside a git repository; --base and --changed compare with git history",
                root.display()
            ))
            .with_help("run driftgate inside a git checkout, or leave out --base and --changed"));
        }
        let resolved =
            git(root, &["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{base}^{{commit}}")])?;
        if !resolved.success || resolved.stdout.trim().is_empty() {
            return Err(FatalError::new(format!("unknown git revision `{base}`")).with_help(
                "give a branch, tag or commit that exists in this repository, e.g. --base origin/main (a repository with no commit has no HEAD yet)",
            ));
        }
        let commit = resolved.stdout.trim().to_string();
        let diff = git(root, &["diff", "--name-only", "--no-renames", "--relative", "-z", &commit, "--"])?;
        if !diff.success {
            return Err(FatalError::new(format!("git diff against `{base}` failed: {}", diff.stderr.trim())));
        }
        let untracked = git(root, &["ls-files", "--others", "--exclude-standard", "-z"])?;
        if !untracked.success {
            return Err(FatalError::new(format!("git ls-files failed: {}", untracked.stderr.trim())));
        }
        let mut changed: Vec<String> = diff
            .stdout
            .split('\0')
            .chain(untracked.stdout.split('\0'))
            .filter(|path| !path.is_empty())
            .map(str::to_string)
            .collect();
        changed.sort();
        changed.dedup();
        Ok(BaseDiff { base: base.to_string(), commit, root: root.to_path_buf(), changed })
    }

    /// The changed files inside directory `dir` (relative to the root; `""` is the root itself).
    pub fn changed_in(&self, dir: &str) -> Vec<&str> {
        let dir = dir.trim_end_matches('/');
        self.changed
            .iter()
            .map(String::as_str)
            .filter(|path| dir.is_empty() || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/')))
            .collect()
    }

    /// Whether `file` (relative to the root) changed.
    pub fn touches(&self, file: &str) -> bool {
        self.changed.iter().any(|path| path == file)
    }

    /// The text of `file` (relative to the root) at the base, or `None` when it did not exist
    /// there.
    pub fn text_at_base(&self, file: &str) -> Result<Option<String>, FatalError> {
        let out = git(&self.root, &["show", &format!("{}:./{file}", self.commit)])?;
        Ok(out.success.then_some(out.stdout))
    }
}

/// What a git command printed.
struct GitOutput {
    success: bool,
    stdout: String,
    stderr: String,
}

fn git(root: &Path, args: &[&str]) -> Result<GitOutput, FatalError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        // Read-only queries must not refresh the index (which takes its lock) or translate messages.
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| {
            FatalError::new(format!("cannot run git: {e}"))
                .with_help("--base and --changed need the `git` command on PATH")
        })?;
    Ok(GitOutput {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(changed: &[&str]) -> BaseDiff {
        BaseDiff {
            base: "main".into(),
            commit: "0".into(),
            root: PathBuf::from("."),
            changed: changed.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn changed_in_matches_whole_directory_names() {
        let d = diff(&["charts/api/templates/a.yaml", "charts/api-gateway/Chart.yaml", "driftgate.yaml"]);
        assert_eq!(d.changed_in("charts/api"), ["charts/api/templates/a.yaml"]);
        assert_eq!(d.changed_in("charts/api/"), ["charts/api/templates/a.yaml"]);
        assert_eq!(d.changed_in("").len(), 3);
        assert!(d.touches("driftgate.yaml") && !d.touches("charts/api"));
    }
}
