//! User policies on disk: the Rego files of `--policy` and `policies.paths` directories, and the
//! `--data` documents they read under `data`.
//!
//! Loading only reads files; compiling them is [`PolicyEngine::add_user_policies`]. Every
//! failure here is a [`FatalError`] with the file and position at fault (exit 2): a gate that
//! silently runs without a policy it was told to run is worse than one that stops.
//!
//! [`PolicyEngine::add_user_policies`]: super::PolicyEngine::add_user_policies

use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};
use walkdir::WalkDir;

use crate::config::{self, CONFIG_FILE, Config};
use crate::diagnostic::Location;
use crate::error::FatalError;
use crate::paths;
use crate::source::{FileId, Sources};
use crate::yaml::Node;

use super::super::builtin_engine;
use super::super::registry::RuleInfo;
use super::{NamespaceSelection, PolicyEngine, PolicyLoadError, PolicySource};

/// Whether `*_test.rego` files are loaded: `check` leaves them out, `test` needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestFiles {
    Skip,
    Include,
}

/// Most Rego files one run loads; a policy directory pointing at a huge tree is a mistake.
const MAX_POLICY_FILES: usize = 10_000;

/// A policy directory (or single `.rego` file) to load, and how to name its files in reports.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDir {
    /// Where it is on disk.
    pub path: PathBuf,
    /// The prefix its files get in reports (relative to the checked directory when inside it).
    pub display: String,
}

impl PolicyDir {
    /// A `policies.paths` entry: relative to the repository `root`, and never outside it.
    pub fn from_config(root: &Path, relative: &str) -> Result<Self, String> {
        let inside = paths::inside_root(root, Path::new(""), relative)?;
        Ok(PolicyDir { path: root.join(&inside), display: inside })
    }

    /// A `--policy` argument: a path as given on the command line (it may be a shared library
    /// outside the repository); named relative to `root` when it lies inside it.
    pub fn from_argument(root: &Path, given: &Path) -> Self {
        PolicyDir { path: given.to_path_buf(), display: display_path(root, given) }
    }
}

/// Reads every `*.rego` file under `dirs` (recursively, sorted by path; hidden directories are
/// skipped), each named by its directory's display prefix.
pub fn load_policy_files(dirs: &[PolicyDir], tests: TestFiles) -> Result<Vec<PolicySource>, FatalError> {
    let mut files: Vec<PolicySource> = Vec::new();
    for dir in dirs {
        if !dir.path.exists() {
            return Err(FatalError::new(format!("policy directory {} does not exist", dir.display))
                .with_help("`--policy` and `policies.paths` name directories of .rego files"));
        }
        if dir.path.is_file() {
            files.push(read_policy(&dir.path, dir.display.clone())?);
            continue;
        }
        let walk = WalkDir::new(&dir.path)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            let entry =
                entry.map_err(|e| FatalError::new(format!("cannot read policy directory {}: {e}", dir.display)))?;
            let name = entry.file_name().to_string_lossy();
            if !entry.file_type().is_file() || !name.ends_with(".rego") {
                continue;
            }
            if tests == TestFiles::Skip && name.ends_with("_test.rego") {
                continue;
            }
            let relative =
                entry.path().strip_prefix(&dir.path).map(paths::to_slash).unwrap_or_else(|_| name.to_string());
            let display = if dir.display.is_empty() {
                relative
            } else {
                format!("{}/{relative}", dir.display.trim_end_matches('/'))
            };
            if files.iter().any(|f| f.path == display) {
                continue;
            }
            if files.len() >= MAX_POLICY_FILES {
                return Err(FatalError::new(format!(
                    "more than {MAX_POLICY_FILES} policy files under {}",
                    dir.display
                )));
            }
            files.push(read_policy(entry.path(), display)?);
        }
    }
    Ok(files)
}

fn read_policy(path: &Path, display: String) -> Result<PolicySource, FatalError> {
    let text = paths::read_text(path).map_err(|e| FatalError::new(format!("cannot read policy {display}: {e}")))?;
    Ok(PolicySource { path: display, text })
}

/// Reads `--data` files (JSON, or YAML for `.yaml`/`.yml`) and merges their top-level objects
/// into one document, loaded under `data` as conftest does. Later files win on conflicting keys.
pub fn load_data_files(root: &Path, files: &[PathBuf]) -> Result<Json, FatalError> {
    let mut merged = Map::new();
    for file in files {
        let display = display_path(root, file);
        let text =
            paths::read_text(file).map_err(|e| FatalError::new(format!("cannot read data file {display}: {e}")))?;
        let document = parse_data(&display, &text)?;
        match document {
            Json::Object(entries) => merge_objects(&mut merged, entries),
            Json::Null => {}
            _ => {
                return Err(FatalError::new(format!("data file {display} must hold an object"))
                    .at(Location::start_of(display.clone()))
                    .with_help("its top-level keys become `data.<key>` in policies"));
            }
        }
    }
    Ok(Json::Object(merged))
}

/// Parses one data document; a syntax error is located at its line and column.
pub fn parse_data(display: &str, text: &str) -> Result<Json, FatalError> {
    let is_yaml = display.ends_with(".yaml") || display.ends_with(".yml");
    if is_yaml {
        let documents = crate::yaml::parse_documents(text, FileId::default()).map_err(|e| {
            FatalError::new(format!("data file is not valid YAML: {}", e.message)).at(e.pos.in_file(display))
        })?;
        let mut documents = documents.into_iter().filter(|d| !matches!(d.value, crate::yaml::NodeValue::Null));
        let first = documents.next();
        if let Some(second) = documents.next() {
            return Err(FatalError::new("a data file holds one YAML document, this one has several")
                .at(second.span.start.in_file(display)));
        }
        return Ok(first.as_ref().map_or(Json::Null, Node::to_json));
    }
    serde_json::from_str(text).map_err(|e| {
        let line = u32::try_from(e.line()).unwrap_or(u32::MAX).max(1);
        let column = u32::try_from(e.column()).unwrap_or(u32::MAX).max(1);
        FatalError::new(format!("data file is not valid JSON: {}", json_error_text(&e)))
            .at(Location::point(display, line, column))
    })
}

/// serde_json's message without its trailing " at line L column C" (the location says it).
fn json_error_text(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// Deep-merges `from` into `into`: objects merge, anything else is replaced.
fn merge_objects(into: &mut Map<String, Json>, from: Map<String, Json>) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Json::Object(existing)), Json::Object(incoming)) => merge_objects(existing, incoming),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// `given` relative to `root` when it lies inside it, else as given; `/`-separated.
fn display_path(root: &Path, given: &Path) -> String {
    let absolute = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    match absolute(given).strip_prefix(absolute(root)) {
        Ok(inside) => paths::to_slash(inside),
        Err(_) => given.to_string_lossy().replace('\\', "/"),
    }
}

/// The user policies of a run: conftest's `--policy`, `--data`, `--namespace` and
/// `--all-namespaces` (the directories of `policies.paths` are added from `driftgate.yaml`).
#[derive(Clone, Debug, Default)]
pub struct UserPolicyOptions {
    /// `--policy` directories or files, as given on the command line.
    pub dirs: Vec<PathBuf>,
    /// `--data` files (JSON or YAML), loaded under `data`.
    pub data: Vec<PathBuf>,
    pub namespaces: NamespaceSelection,
}

/// The policy directories of a run: `driftgate.yaml`'s `policies.paths` (read from `root`,
/// none without that file), then the `--policy` arguments.
pub fn policy_dirs(root: &Path, options: &UserPolicyOptions) -> Result<Vec<PolicyDir>, FatalError> {
    let mut dirs = config_policy_dirs(root)?;
    dirs.extend(options.dirs.iter().map(|dir| PolicyDir::from_argument(root, dir)));
    Ok(dirs)
}

/// The policy directories named by `driftgate.yaml` in `root` (none without that file).
fn config_policy_dirs(root: &Path) -> Result<Vec<PolicyDir>, FatalError> {
    let path = root.join(CONFIG_FILE);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let text = paths::read_text(&path).map_err(|e| FatalError::new(format!("cannot read {CONFIG_FILE}: {e}")))?;
    let sources = Sources::new();
    let file = sources.add(CONFIG_FILE, text.as_str());
    let config = config::parse(&sources, file, &text, &super::super::registry::BuiltinRules)?;
    config_dirs(root, &config, &sources)
}

/// The directories of a parsed `driftgate.yaml`'s `policies.paths`, each inside `root`.
pub fn config_dirs(root: &Path, config: &Config, sources: &Sources) -> Result<Vec<PolicyDir>, FatalError> {
    config
        .policy_paths
        .iter()
        .map(|entry| {
            PolicyDir::from_config(root, &entry.value).map_err(|message| {
                FatalError::new(format!("invalid policies.paths entry: {message}")).at(sources.locate(entry.at))
            })
        })
        .collect()
}

/// The built-in policies plus the user policies of `dirs` and `--data`, compiled once for the
/// whole run (workers clone the prepared engine).
pub fn compile(root: &Path, dirs: &[PolicyDir], options: &UserPolicyOptions) -> Result<PolicyEngine, FatalError> {
    let builtin = builtin_engine().clone().map_err(|e| FatalError::new(format!("built-in policies: {e}")))?;
    if dirs.is_empty() && options.data.is_empty() {
        return Ok(builtin);
    }
    let files = load_policy_files(dirs, TestFiles::Skip)?;
    let data = load_data_files(root, &options.data)?;
    let mut engine = builtin;
    let errors = engine.add_user_policies(&files, &options.namespaces);
    if let Some(err) = load_failure(&errors) {
        return Err(err);
    }
    if !options.data.is_empty() {
        engine.add_data(data).map_err(|e| FatalError::new(format!("cannot load --data: {e}")))?;
    }
    Ok(engine)
}

/// Policies that do not compile stop the run (exit 2) at the first one's file and line.
pub fn load_failure(errors: &[PolicyLoadError]) -> Option<FatalError> {
    let first = errors.first()?;
    let mut err = FatalError::new(format!("policy does not compile: {}", first.message));
    if !first.file.is_empty() {
        err = err.at(Location::point(first.file.clone(), first.line.max(1), first.column.max(1)));
    }
    if errors.len() > 1 {
        let others: Vec<String> = errors[1..]
            .iter()
            .map(|e| format!("{}:{}:{}: {}", e.file, e.line.max(1), e.column.max(1), e.message))
            .collect();
        err = err.with_help(format!("also: {}", others.join("; ")));
    }
    Some(err)
}

/// The rules the user policies of a repository add (not the built-ins), one entry per id, in
/// load order; for `driftgate rules`.
pub fn user_rule_infos(root: &Path, options: &UserPolicyOptions) -> Result<Vec<RuleInfo>, FatalError> {
    let dirs = policy_dirs(root, options)?;
    if dirs.is_empty() {
        return Ok(Vec::new());
    }
    let engine = compile(root, &dirs, options)?;
    let builtin = builtin_engine().as_ref().map(|e| e.rules().len()).unwrap_or(0);
    let mut infos: Vec<RuleInfo> = Vec::new();
    for rule in engine.rules().iter().skip(builtin) {
        if !infos.iter().any(|i| i.id == rule.info.id) {
            infos.push(rule.info.clone());
        }
    }
    Ok(infos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_files_are_read_recursively_sorted_and_tests_skipped_for_check() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("policies/k8s")).unwrap();
        std::fs::create_dir_all(root.join("policies/.git")).unwrap();
        std::fs::write(root.join("policies/b.rego"), "package main\n").unwrap();
        std::fs::write(root.join("policies/k8s/a.rego"), "package k8s\n").unwrap();
        std::fs::write(root.join("policies/b_test.rego"), "package main\n").unwrap();
        std::fs::write(root.join("policies/.git/x.rego"), "package hidden\n").unwrap();
        std::fs::write(root.join("policies/notes.md"), "# notes\n").unwrap();
        let dirs = [PolicyDir::from_config(root, "policies/").unwrap()];
        let names = |tests| load_policy_files(&dirs, tests).unwrap().into_iter().map(|f| f.path).collect::<Vec<_>>();
        assert_eq!(names(TestFiles::Skip), ["policies/b.rego", "policies/k8s/a.rego"]);
        assert_eq!(names(TestFiles::Include), ["policies/b.rego", "policies/b_test.rego", "policies/k8s/a.rego"]);
    }

    #[test]
    fn config_policy_paths_may_not_leave_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let err = PolicyDir::from_config(dir.path(), "../elsewhere").unwrap_err();
        assert_eq!(err, "path `../elsewhere` points outside the repository");
        let missing =
            load_policy_files(&[PolicyDir::from_config(dir.path(), "nope").unwrap()], TestFiles::Skip).unwrap_err();
        assert_eq!(missing.message, "policy directory nope does not exist");
    }

    #[test]
    fn data_files_merge_and_bad_ones_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.json"), r#"{"registries": {"allowed": ["ghcr.io"]}, "x": 1}"#).unwrap();
        std::fs::write(root.join("b.yaml"), "registries:\n  blocked: [docker.io]\nx: 2\n").unwrap();
        let data = load_data_files(root, &[root.join("a.json"), root.join("b.yaml")]).unwrap();
        assert_eq!(data, serde_json::json!({"registries": {"allowed": ["ghcr.io"], "blocked": ["docker.io"]}, "x": 2}));

        std::fs::write(root.join("bad.json"), "{\n  \"a\": [1,\n}\n").unwrap();
        let err = load_data_files(root, &[root.join("bad.json")]).unwrap_err();
        assert_eq!(err.to_string(), "bad.json:3:1: data file is not valid JSON: expected value");
        std::fs::write(root.join("bad.yaml"), "a: 1\nb: [1, 2\n").unwrap();
        let err = load_data_files(root, &[root.join("bad.yaml")]).unwrap_err();
        let location = err.location.clone().unwrap();
        assert_eq!((location.file.as_str(), location.line), ("bad.yaml", 3), "{err}");
        std::fs::write(root.join("list.json"), "[1]").unwrap();
        let err = load_data_files(root, &[root.join("list.json")]).unwrap_err();
        assert_eq!(err.message, "data file list.json must hold an object");
    }
}
