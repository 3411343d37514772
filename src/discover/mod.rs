//! Finds the charts of a repository and the environments of each chart, from `driftgate.yaml`
//! or, without one, from the conventional file layouts:
//!
//! ```text
//! charts/<service>/Chart.yaml
//! charts/<service>/values.yaml              defaults
//! charts/<service>/values-<env>.yaml        or values/<env>.yaml, envs/<env>.yaml
//! ```
//!
//! Discovery only decides *what* to load; it reads nothing but `driftgate.yaml` and directory
//! listings.

use std::path::{Path, PathBuf};

use crate::config::{self, CONFIG_FILE, Config, KnownRules, Spanned};
use crate::error::FatalError;
use crate::helm_version::HelmVersion;
use crate::paths;
use crate::source::{FileSpan, Sources};

/// The stage names driftgate recognises without configuration, in promotion order.
const KNOWN_STAGES: &[&str] =
    &["dev", "development", "test", "qa", "stage", "staging", "preprod", "prod", "production"];

/// Default Kubernetes version for schemas and `.Capabilities`.
pub const DEFAULT_KUBE_VERSION: &str = "1.33";

/// What to check: charts, their environments, and the promotion order.
#[derive(Debug)]
pub struct Plan {
    pub config: Option<Config>,
    pub kube_version: String,
    /// Whose `helm template` is reproduced (`helmVersion`, default 3).
    pub helm_version: HelmVersion,
    pub promotion: Vec<String>,
    pub charts: Vec<ChartPlan>,
    /// Directories of CustomResourceDefinition files, relative to the root (`kubernetes.crds`).
    pub crd_dirs: Vec<String>,
}

/// One chart to load and the environments to render it for.
#[derive(Debug, Clone)]
pub struct ChartPlan {
    /// Chart directory relative to the root, `/`-separated.
    pub dir: String,
    /// Where the chart was declared in `driftgate.yaml`.
    pub declared_at: Option<FileSpan>,
    pub release: Option<String>,
    pub namespace: Option<String>,
    pub environments: Vec<EnvPlan>,
}

/// One environment of a chart.
#[derive(Debug, Clone)]
pub struct EnvPlan {
    pub name: String,
    pub stage: String,
    /// Override files relative to the root, in merge order, with where each was declared.
    pub values: Vec<(String, Option<FileSpan>)>,
    pub secrets: Option<(String, FileSpan)>,
    pub version: Option<Spanned<String>>,
    /// Today's plain manifests this environment replaces (a directory relative to the root).
    pub baseline: Option<BaselinePlan>,
}

/// `baseline:` of an environment: the directory, where it was declared, what to tolerate.
#[derive(Debug, Clone)]
pub struct BaselinePlan {
    pub dir: String,
    pub at: FileSpan,
    /// `baselineIgnore: [helm-labels]`.
    pub ignore_helm_labels: bool,
}

/// The repository a directory belongs to, as git and ruff find theirs: when `dir` has no
/// `driftgate.yaml` but a directory above it has one (looking up to the directory that holds
/// `.git`), that directory and the path of `dir` inside it (`/`-separated). `None` when `dir`
/// has its own config, or none is found: `dir` is then the repository.
pub fn find_config_above(dir: &Path) -> Option<(PathBuf, String)> {
    if dir.join(CONFIG_FILE).is_file() {
        return None;
    }
    let start = dir.canonicalize().ok()?;
    let mut current = start.as_path();
    loop {
        // The repository's top: nothing above it belongs to it.
        if current.join(".git").exists() {
            return None;
        }
        current = current.parent()?;
        if current.join(CONFIG_FILE).is_file() {
            return Some(relative_to(current, &start));
        }
    }
}

fn relative_to(root: &Path, dir: &Path) -> (PathBuf, String) {
    let inside = dir.strip_prefix(root).map(paths::to_slash).unwrap_or_default();
    (root.to_path_buf(), inside)
}

/// Reads `driftgate.yaml` if present (checking rule ids against `known`) and works out the
/// charts and environments under `root`.
pub fn discover(root: &Path, sources: &Sources, known: &dyn KnownRules) -> Result<Plan, FatalError> {
    if !root.is_dir() {
        return Err(FatalError::new(format!("{} is not a directory", root.display())));
    }
    let config_path = root.join(CONFIG_FILE);
    let config = if config_path.is_file() {
        let text =
            paths::read_text(&config_path).map_err(|e| FatalError::new(format!("cannot read {CONFIG_FILE}: {e}")))?;
        let file = sources.add(CONFIG_FILE, text.as_str());
        Some(config::parse(sources, file, &text, known)?)
    } else {
        None
    };

    let charts = match config.as_ref().and_then(|c| c.charts.as_ref()) {
        Some(declared) => {
            declared.iter().map(|c| plan_declared_chart(root, sources, c)).collect::<Result<Vec<_>, _>>()?
        }
        None => discover_charts(root)?.into_iter().map(|dir| plan_conventional_chart(root, dir)).collect(),
    };
    if charts.is_empty() {
        return Err(FatalError::new(format!("no Helm chart found under {}", root.display()))
            .with_help("driftgate looks for Chart.yaml files (e.g. charts/<service>/Chart.yaml), or for a `charts:` list in driftgate.yaml"));
    }

    let promotion = match config.as_ref().and_then(|c| c.promotion.as_ref()) {
        Some(stages) => stages.iter().map(|s| s.value.clone()).collect(),
        None => default_promotion(&charts),
    };
    let kube_version = config
        .as_ref()
        .and_then(|c| c.kube_version.as_ref())
        .map(|v| v.value.trim_start_matches('v').to_string())
        .unwrap_or_else(|| DEFAULT_KUBE_VERSION.to_string());
    let helm_version = config.as_ref().and_then(|c| c.helm_version.as_ref()).map(|v| v.value).unwrap_or_default();
    let mut crd_dirs = Vec::new();
    for dir in config.iter().flat_map(|c| &c.crd_dirs) {
        let at = sources.locate(dir.at);
        let rel =
            paths::inside_root(root, Path::new(""), &dir.value).map_err(|msg| FatalError::new(msg).at(at.clone()))?;
        if !root.join(&rel).is_dir() {
            return Err(FatalError::new(format!("CRD directory `{}` does not exist", dir.value)).at(at).with_help(
                "`kubernetes.crds` lists directories of CustomResourceDefinition files, relative to driftgate.yaml",
            ));
        }
        crd_dirs.push(rel);
    }
    Ok(Plan { config, kube_version, helm_version, promotion, charts, crd_dirs })
}

fn plan_declared_chart(root: &Path, sources: &Sources, chart: &config::ChartConfig) -> Result<ChartPlan, FatalError> {
    let at = |s: &Spanned<String>| sources.locate(s.at);
    let dir = paths::inside_root(root, Path::new(""), &chart.path.value)
        .map_err(|msg| FatalError::new(msg).at(at(&chart.path)))?;
    if !root.join(&dir).join("Chart.yaml").is_file() {
        return Err(FatalError::new(format!("no Chart.yaml in chart directory `{dir}`"))
            .at(at(&chart.path))
            .with_help("`path` must be a chart directory (one that holds Chart.yaml), relative to driftgate.yaml"));
    }
    let mut environments = Vec::new();
    for env in &chart.environments {
        let mut values = Vec::new();
        for file in &env.values {
            let rel = paths::inside_root(root, Path::new(&dir), &file.value)
                .map_err(|msg| FatalError::new(msg).at(at(file)))?;
            if !root.join(&rel).is_file() {
                return Err(FatalError::new(format!(
                    "values file `{}` of environment `{}` does not exist (looked for {rel})",
                    file.value, env.name.value
                ))
                .at(at(file))
                .with_help("`values` paths are relative to the chart directory"));
            }
            values.push((rel, Some(file.at)));
        }
        let secrets = match &env.secrets {
            Some(s) => {
                let rel =
                    paths::inside_root(root, Path::new(""), &s.value).map_err(|msg| FatalError::new(msg).at(at(s)))?;
                if !root.join(&rel).is_file() {
                    return Err(FatalError::new(format!(
                        "secret inventory `{}` of environment `{}` does not exist",
                        s.value, env.name.value
                    ))
                    .at(at(s))
                    .with_help("`secrets` paths are relative to the repository root"));
                }
                Some((rel, s.at))
            }
            None => None,
        };
        let baseline = match &env.baseline {
            Some(b) => {
                let rel =
                    paths::inside_root(root, Path::new(""), &b.value).map_err(|msg| FatalError::new(msg).at(at(b)))?;
                if !root.join(&rel).is_dir() {
                    return Err(FatalError::new(format!(
                        "baseline directory `{}` of environment `{}` does not exist",
                        b.value, env.name.value
                    ))
                    .at(at(b))
                    .with_help("`baseline` is a directory of plain manifests, relative to the repository root"));
                }
                let ignore_helm_labels = env.baseline_ignore.iter().any(|i| i.value == "helm-labels");
                Some(BaselinePlan { dir: rel, at: b.at, ignore_helm_labels })
            }
            None => None,
        };
        let stage = env.stage.as_ref().map(|s| s.value.clone());
        environments.push(EnvPlan {
            baseline,
            stage: stage.unwrap_or_else(|| infer_stage(&env.name.value)),
            name: env.name.value.clone(),
            values,
            secrets,
            version: env.version.clone(),
        });
    }
    if environments.is_empty() {
        environments = conventional_environments(root, &dir);
    }
    Ok(ChartPlan {
        dir,
        declared_at: Some(chart.path.at),
        release: chart.release.as_ref().map(|r| r.value.clone()),
        namespace: chart.namespace.as_ref().map(|n| n.value.clone()),
        environments,
    })
}

fn plan_conventional_chart(root: &Path, dir: String) -> ChartPlan {
    let environments = conventional_environments(root, &dir);
    ChartPlan { dir, declared_at: None, release: None, namespace: None, environments }
}

/// Environments from `values-<env>.yaml`, `values/<env>.yaml` and `envs/<env>.yaml`; a chart
/// without any is rendered once, as environment `default`, with its defaults only.
fn conventional_environments(root: &Path, dir: &str) -> Vec<EnvPlan> {
    let chart_dir = root.join(dir);
    let mut found: Vec<(String, String)> = Vec::new();
    let mut push = |name: &str, rel: String| {
        if !name.is_empty() && !found.iter().any(|(n, _)| n == name) {
            found.push((name.to_string(), rel));
        }
    };
    for file in paths::sorted_file_names(&chart_dir) {
        if let Some(env) = yaml_stem(&file).and_then(|stem| stem.strip_prefix("values-")) {
            push(env, join(dir, &file));
        }
    }
    for sub in ["values", "envs"] {
        for file in paths::sorted_file_names(&chart_dir.join(sub)) {
            if let Some(env) = yaml_stem(&file) {
                push(env, join(dir, &format!("{sub}/{file}")));
            }
        }
    }
    if found.is_empty() {
        return vec![EnvPlan {
            name: "default".to_string(),
            stage: "default".to_string(),
            values: Vec::new(),
            secrets: None,
            version: None,
            baseline: None,
        }];
    }
    found.sort_by(|a, b| stage_rank(&a.0).cmp(&stage_rank(&b.0)).then(a.0.cmp(&b.0)));
    found
        .into_iter()
        .map(|(name, file)| EnvPlan {
            stage: infer_stage(&name),
            name,
            values: vec![(file, None)],
            secrets: None,
            version: None,
            baseline: None,
        })
        .collect()
}

fn yaml_stem(file: &str) -> Option<&str> {
    file.strip_suffix(".yaml").or_else(|| file.strip_suffix(".yml"))
}

fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() { file.to_string() } else { format!("{dir}/{file}") }
}

/// The stage of an environment named like `prod-iowa` (known stage prefix) or `dev`.
pub fn infer_stage(env: &str) -> String {
    let lower = env.to_lowercase();
    KNOWN_STAGES
        .iter()
        .filter(|s| lower == **s || lower.starts_with(&format!("{s}-")))
        .max_by_key(|s| s.len())
        .map_or_else(|| env.to_string(), |s| s.to_string())
}

fn stage_rank(env: &str) -> usize {
    let stage = infer_stage(env);
    KNOWN_STAGES.iter().position(|s| *s == stage).unwrap_or(KNOWN_STAGES.len())
}

/// The known stages used by the discovered environments, in their usual order.
fn default_promotion(charts: &[ChartPlan]) -> Vec<String> {
    KNOWN_STAGES
        .iter()
        .filter(|s| charts.iter().any(|c| c.environments.iter().any(|e| e.stage == **s)))
        .map(|s| s.to_string())
        .collect()
}

/// Chart directories under `root` (relative, sorted), not descending into a chart's own
/// `charts/` (subcharts), hidden directories, or dependency/build folders.
fn discover_charts(root: &Path) -> Result<Vec<String>, FatalError> {
    let mut charts = Vec::new();
    let mut walker = walkdir::WalkDir::new(root).follow_links(false).max_depth(12).into_iter();
    while let Some(entry) = walker.next() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && (name.starts_with('.') || name == "node_modules" || name == "target") {
            walker.skip_current_dir();
            continue;
        }
        if entry.path().join("Chart.yaml").is_file() {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            charts.push(paths::to_slash(rel));
            // A chart's subcharts belong to it; do not report them as charts of their own.
            walker.skip_current_dir();
        }
    }
    charts.sort();
    Ok(charts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_inferred_from_known_prefixes() {
        assert_eq!(infer_stage("prod-iowa"), "prod");
        assert_eq!(infer_stage("dev"), "dev");
        assert_eq!(infer_stage("staging"), "staging");
        assert_eq!(infer_stage("preprod-eu"), "preprod");
        assert_eq!(infer_stage("canary"), "canary");
    }
}
