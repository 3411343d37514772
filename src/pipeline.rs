//! The whole run as a library call: discover -> load values -> render -> (evaluate) .
//!
//! Charts are loaded and rendered in parallel (rayon), environments of a chart too; the
//! result is a [`Project`] that rules read, plus the findings made while loading.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::chart::{self, Chart};
use crate::config::KnownRules;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Location;
pub use crate::discover::find_config_above;
use crate::discover::{self, ChartPlan, EnvPlan, Plan};
use crate::error::FatalError;
use crate::helm_version::HelmVersion;
use crate::model::{
    BaselineManifests, BaselineResource, ChartRun, EnvRun, Inventory, InventoryEntry, Pinned, Project, TemplateFile,
};
use crate::paths;
use crate::render::{self, Release};
use crate::repository::ChartRepository;
use crate::source::{FileSpan, Sources};
use crate::yaml::{Node, NodeValue};

#[cfg(test)]
mod tests;

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub root: PathBuf,
    /// Only these environments (all when empty).
    pub envs: Vec<String>,
    /// Only these charts, by directory or chart name (all when empty).
    pub charts: Vec<String>,
    /// Overrides `kubeVersion` from the config.
    pub kube_version: Option<String>,
    /// Overrides `helmVersion` from the config: whose `helm template` to reproduce.
    pub helm_version: Option<HelmVersion>,
    /// Print the charts' `crds/` files too, like `helm template --include-crds`.
    pub include_crds: bool,
    /// Only the charts under this directory, relative to `root` (the directory `driftgate` was
    /// run in when its `driftgate.yaml` was found above it); a directory inside a chart selects
    /// that chart.
    pub within: Option<String>,
}

/// A loaded and rendered project, and what went wrong on the way.
#[derive(Debug)]
pub struct Loaded {
    pub project: Project,
    pub plan: Plan,
    /// Findings made while loading and rendering (DG001, DG002, DG003).
    pub diagnostics: Vec<Diagnostic>,
}

/// Discovers, loads and renders every selected chart and environment; `driftgate.yaml` rule ids
/// are checked against `known` (the rule catalogue, `policy::registry::BuiltinRules`).
pub fn load(options: &LoadOptions, known: &dyn KnownRules) -> Result<Loaded, FatalError> {
    let sources = Sources::new();
    let plan = discover::discover(&options.root, &sources, known)?;
    load_plan(options, plan, sources)
}

/// Loads and renders the selected charts and environments of a discovered `plan`; `sources`
/// holds the files discovery read.
pub fn load_plan(options: &LoadOptions, mut plan: Plan, sources: Sources) -> Result<Loaded, FatalError> {
    let root = options.root.as_path();
    if let Some(v) = &options.kube_version {
        plan.kube_version = v.trim_start_matches('v').to_string();
    }
    if let Some(helm) = options.helm_version {
        plan.helm_version = helm;
    }
    let selected: Vec<ChartPlan> = plan
        .charts
        .iter()
        .filter(|c| options.charts.is_empty() || options.charts.iter().any(|want| chart_matches(c, want, root)))
        .filter(|c| options.within.as_deref().is_none_or(|within| contains_or_within(&c.dir, within)))
        .map(|c| {
            let mut c = c.clone();
            if !options.envs.is_empty() {
                c.environments.retain(|e| options.envs.contains(&e.name));
            }
            c
        })
        .collect();
    if selected.is_empty() {
        let what = match (&options.within, options.charts.is_empty()) {
            (Some(within), true) => format!("no chart is under {within}"),
            _ => format!("no chart matches --chart {}", options.charts.join(", ")),
        };
        return Err(FatalError::new(what).with_help(format!(
            "charts found: {}",
            plan.charts.iter().map(|c| c.dir.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    for want in &options.envs {
        if !selected.iter().any(|c| c.environments.iter().any(|e| &e.name == want)) {
            return Err(FatalError::new(format!("no environment named `{want}`"))
                .with_help(format!("environments found: {}", environment_names(&plan).join(", "))));
        }
    }

    let chart_repository = match plan.config.as_ref().and_then(|c| c.chart_repository.as_ref()) {
        Some(config) => Some(ChartRepository::load(root, config, &sources)?),
        None => None,
    };
    let results: Vec<Result<LoadedChart, FatalError>> = selected
        .par_iter()
        .map(|chart_plan| load_chart(root, chart_plan, &plan, options.include_crds, &sources))
        .collect();
    let mut charts = Vec::new();
    let mut diagnostics = Vec::new();
    for result in results {
        let (chart, diags) = result?;
        charts.extend(chart);
        diagnostics.extend(diags);
    }
    let project = Project {
        root: root.to_path_buf(),
        config_file: plan.config.as_ref().map(|c| c.file),
        promotion: plan.promotion.clone(),
        kube_version: plan.kube_version.clone(),
        charts,
        sources,
        crd_dirs: plan.crd_dirs.clone(),
        chart_repository,
    };
    Ok(Loaded { project, plan, diagnostics })
}

/// Whether `dir` is `within`, under it, or holds it.
fn contains_or_within(dir: &str, within: &str) -> bool {
    let within = within.trim_end_matches('/');
    within.is_empty()
        || dir == within
        || dir.starts_with(&format!("{within}/"))
        || within.starts_with(&format!("{dir}/"))
}

fn chart_matches(chart: &ChartPlan, want: &str, root: &Path) -> bool {
    let want = want.trim_end_matches('/');
    chart.dir == want || chart.dir.rsplit('/').next() == Some(want) || root.join(&chart.dir) == Path::new(want)
}

fn environment_names(plan: &Plan) -> Vec<String> {
    let mut names: Vec<String> =
        plan.charts.iter().flat_map(|c| c.environments.iter().map(|e| e.name.clone())).collect();
    names.sort();
    names.dedup();
    names
}

/// One chart loaded and rendered (`None` when it does not load), and the findings made on the way.
type LoadedChart = (Option<ChartRun>, Vec<Diagnostic>);

/// Loads one chart and renders all of its environments.
fn load_chart(
    root: &Path,
    chart_plan: &ChartPlan,
    plan: &Plan,
    include_crds: bool,
    sources: &Sources,
) -> Result<LoadedChart, FatalError> {
    let mut diagnostics = Vec::new();
    let chart = match chart::load(root, &chart_plan.dir, sources) {
        Ok(chart) => chart,
        Err(mut d) => {
            d.chart = Some(chart_plan.dir.clone());
            return Ok((None, vec![*d]));
        }
    };
    let tree = match render::ChartTree::new(&chart, plan.helm_version) {
        Ok(tree) => tree,
        Err(mut d) => {
            d.chart = Some(chart_plan.dir.clone());
            return Ok((None, vec![*d]));
        }
    };
    // What stops `helm template` before any template runs.
    let mut refusals = Vec::new();
    if chart.metadata.is_library() {
        let at = sources.start_of(chart.chart_yaml);
        refusals.push(Diagnostic::render_error("library charts are not installable", Some(at)));
    }
    refusals.extend(tree.check_dependencies(sources));
    refusals.extend(tree.check_kube_version(&plan.kube_version, sources));
    let parsed = if !refusals.is_empty() {
        diagnostics.extend(refusals.into_iter().map(|mut d| {
            d.chart = Some(chart.dir.clone());
            d
        }));
        None
    } else {
        match render::parse_chart(&tree, sources) {
            Ok(parsed) => Some(parsed),
            Err(mut d) => {
                d.chart = Some(chart.dir.clone());
                diagnostics.push(*d);
                None
            }
        }
    };
    let render_options = render::RenderOptions { include_crds };
    let release = Release {
        name: chart_plan.release.clone().unwrap_or_else(|| default_release_name(&chart)),
        namespace: chart_plan.namespace.clone().unwrap_or_else(|| "default".to_string()),
        kube_version: plan.kube_version.clone(),
    };
    let envs: Vec<Result<(EnvRun, Vec<Diagnostic>), FatalError>> = chart_plan
        .environments
        .par_iter()
        .map(|env| load_env(root, &tree, parsed.as_ref(), &release, render_options, env, plan, sources))
        .collect();
    let mut environments = Vec::new();
    for env in envs {
        let (env, diags) = env?;
        diagnostics.extend(diags.into_iter().map(|mut d| {
            d.chart.get_or_insert_with(|| chart.dir.clone());
            d.environment.get_or_insert_with(|| env.name.clone());
            d
        }));
        environments.push(env);
    }
    let chart_version = (!chart.metadata.version.is_empty()).then(|| Pinned {
        version: chart.metadata.version.clone(),
        at: FileSpan { file: chart.chart_yaml, span: chart.metadata.version_span.unwrap_or_default() },
    });
    let run = ChartRun {
        path: chart.dir.clone(),
        name: chart.metadata.name.clone(),
        chart_version,
        chart_yaml: chart.chart_yaml,
        release: release.name.clone(),
        namespace: release.namespace.clone(),
        defaults: chart.defaults.clone(),
        templates: tree
            .template_names(&vec![true; tree.nodes.len()])
            .into_iter()
            .map(|(name, t)| TemplateFile { name, file: t.file })
            .collect(),
        environments,
    };
    Ok((Some(run), diagnostics))
}

/// `.Release.Name` defaults to the chart directory's name.
fn default_release_name(chart: &Chart) -> String {
    chart.dir.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or(&chart.metadata.name).to_string()
}

#[allow(clippy::too_many_arguments)]
fn load_env(
    root: &Path,
    tree: &render::ChartTree<'_>,
    parsed: Option<&render::ParsedChart<'_>>,
    release: &Release,
    render_options: render::RenderOptions,
    env: &EnvPlan,
    plan: &Plan,
    sources: &Sources,
) -> Result<(EnvRun, Vec<Diagnostic>), FatalError> {
    let mut diagnostics = Vec::new();
    let mut override_files = Vec::new();
    let mut overrides = Vec::new();
    for (rel, declared_at) in &env.values {
        let text = match paths::read_text(&root.join(rel)) {
            Ok(text) => text,
            Err(e) => {
                let mut err = FatalError::new(format!("cannot read values file {rel}: {e}"));
                if let Some(at) = declared_at {
                    err = err.at(sources.locate(*at));
                }
                return Err(err);
            }
        };
        let file = sources.add(rel.clone(), text.as_str());
        override_files.push(file);
        match crate::values::load_values(&text, file) {
            Ok(node) => overrides.push(node),
            Err(e) => {
                let at = e.pos.in_file(rel.clone());
                diagnostics.push(Diagnostic::invalid_values(e.message.clone(), Some(at)));
            }
        }
    }
    let chart = tree.root().chart;
    let user = crate::values::merge_overrides(&overrides);
    let env_values = match tree.env_values(&user, sources) {
        Ok(env_values) => Some(env_values),
        Err(d) => {
            diagnostics.push(*d);
            None
        }
    };
    if let Some(env_values) = &env_values {
        diagnostics.extend(tree.validate(env_values, sources));
    }
    let secrets = match &env.secrets {
        Some((rel, at)) => Some(load_inventory(root, rel, *at, sources)?),
        None => None,
    };
    let baseline = env.baseline.as_ref().map(|b| load_baseline(root, b, &release.namespace, sources));
    let stage_index = plan.promotion.iter().position(|s| *s == env.stage);
    let version = env.version.as_ref().map(|v| Pinned { version: v.value.clone(), at: v.at });
    let mut render = match (parsed, &env_values) {
        (Some(parsed), Some(env_values)) if diagnostics.is_empty() => {
            parsed.render(env_values, release, render_options, &env.name, sources)
        }
        _ => crate::model::RenderOutcome { failed: true, ..Default::default() },
    };
    let values = match env_values {
        Some(env_values) => env_values.values,
        None => user,
    };
    for d in &mut render.diagnostics {
        d.chart.get_or_insert_with(|| chart.dir.clone());
        d.environment.get_or_insert_with(|| env.name.clone());
    }
    Ok((
        EnvRun {
            name: env.name.clone(),
            stage: env.stage.clone(),
            stage_index,
            override_files,
            overrides,
            values,
            secrets,
            version,
            render,
            baseline,
        },
        diagnostics,
    ))
}

/// Reads a `baseline:` directory: every `.yaml`, `.yml` and `.json` file under it, every
/// document of each (a `List` gives its `items`), as `kubectl apply -f DIR -R` would read them.
/// What is not a Kubernetes resource is a problem with its place, not a fatal error.
fn load_baseline(root: &Path, plan: &discover::BaselinePlan, namespace: &str, sources: &Sources) -> BaselineManifests {
    let mut manifests = BaselineManifests {
        dir: plan.dir.clone(),
        at: Some(plan.at),
        ignore_helm_labels: plan.ignore_helm_labels,
        ..Default::default()
    };
    let dir = root.join(&plan.dir);
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json"))
        .collect();
    files.truncate(MAX_BASELINE_FILES);
    for path in files {
        let rel = paths::to_slash(path.strip_prefix(root).unwrap_or(&path));
        let text = match paths::read_text(&path) {
            Ok(text) => text,
            Err(e) => {
                manifests.problems.push((Location::start_of(rel.clone()), format!("cannot read {rel}: {e}")));
                continue;
            }
        };
        let file = sources.add(&rel, text.as_str());
        let docs = match crate::yaml::parse_documents(&text, file) {
            Ok(docs) => docs,
            Err(e) => {
                let message = format!("{rel} is not valid YAML: {}", e.message);
                manifests.problems.push((e.pos.in_file(rel.clone()), message));
                continue;
            }
        };
        let mut queue: Vec<Node> = docs;
        queue.reverse();
        while let Some(doc) = queue.pop() {
            if matches!(doc.value, NodeValue::Null) {
                continue;
            }
            let at = sources.locate(doc.file_span());
            if !matches!(doc.value, NodeValue::Map(_)) {
                manifests.problems.push((at, format!("a document of {rel} is not a Kubernetes resource (a mapping)")));
                continue;
            }
            if doc.get("kind").and_then(Node::as_str) == Some("List") {
                if let Some(Node { value: NodeValue::Seq(items), .. }) = doc.get("items") {
                    queue.extend(items.iter().rev().cloned());
                }
                continue;
            }
            match render::resource_id(&doc, namespace) {
                Ok(id) if manifests.resources.iter().any(|r| r.id == id) => {
                    manifests.problems.push((at, format!("{}/{} is defined twice in the baseline", id.kind, id.name)));
                }
                Ok(id) => manifests.resources.push(BaselineResource { id, doc }),
                Err(field) => manifests
                    .problems
                    .push((at, format!("a document of {rel} has no {field}: not a Kubernetes resource"))),
            }
        }
    }
    manifests
}

/// Most files one baseline directory is read from.
const MAX_BASELINE_FILES: usize = 10_000;

/// Reads a secret inventory (`secrets:` and `configMaps:` lists of names and optional keys).
fn load_inventory(root: &Path, rel: &str, declared_at: FileSpan, sources: &Sources) -> Result<Inventory, FatalError> {
    let text = paths::read_text(&root.join(rel)).map_err(|e| {
        FatalError::new(format!("cannot read secret inventory {rel}: {e}")).at(sources.locate(declared_at))
    })?;
    let file = sources.add(rel, text.as_str());
    let invalid = |node: &Node, msg: &str| {
        FatalError::new(format!("invalid secret inventory: {msg}"))
            .at(node.span.start.in_file(rel))
            .with_help("expected `secrets:` and `configMaps:` lists of `{ name: ..., keys: [...] }`")
    };
    let docs = crate::yaml::parse_documents(&text, file).map_err(|e| {
        FatalError::new(format!("secret inventory is not valid YAML: {}", e.message)).at(e.pos.in_file(rel))
    })?;
    let mut inventory = Inventory { file, secrets: Vec::new(), config_maps: Vec::new() };
    let Some(root_node) = docs.into_iter().find(|d| !matches!(d.value, NodeValue::Null)) else {
        return Ok(inventory);
    };
    let NodeValue::Map(entries) = &root_node.value else {
        return Err(invalid(&root_node, "the file must be a mapping"));
    };
    for (key, list) in entries {
        let target = match key.name.as_str() {
            "secrets" => &mut inventory.secrets,
            "configMaps" => &mut inventory.config_maps,
            other => {
                return Err(FatalError::new(format!("unknown key `{other}` in secret inventory"))
                    .at(key.span.start.in_file(rel))
                    .with_help("expected `secrets` or `configMaps`"));
            }
        };
        let items: &[Node] = match &list.value {
            NodeValue::Seq(items) => items,
            NodeValue::Null => &[],
            _ => return Err(invalid(list, &format!("`{}` must be a list", key.name))),
        };
        for item in items {
            let (name, keys) = match &item.value {
                NodeValue::String(name) => (name.to_string(), None),
                NodeValue::Map(_) => {
                    let name = item
                        .get("name")
                        .and_then(Node::as_str)
                        .ok_or_else(|| invalid(item, "an entry has no `name`"))?;
                    let keys = match item.get("keys").map(|k| &k.value) {
                        Some(NodeValue::Seq(keys)) => {
                            Some(keys.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
                        }
                        None | Some(NodeValue::Null) => None,
                        Some(_) => return Err(invalid(item, "`keys` must be a list of key names")),
                    };
                    (name.to_string(), keys)
                }
                _ => return Err(invalid(item, "an entry must be a name or a mapping with `name`")),
            };
            target.push(InventoryEntry { name, keys, at: FileSpan { file, span: item.span } });
        }
    }
    Ok(inventory)
}

/// One chart rendered with explicit values files, like `helm template NAME CHART -f a -f b`.
#[derive(Debug, Clone)]
pub struct TemplateOptions {
    /// The directory paths are relative to (and may not escape).
    pub root: PathBuf,
    /// The chart directory, relative to `root`.
    pub chart_dir: String,
    /// Values files relative to `root`, in `-f` order.
    pub values: Vec<String>,
    pub release: String,
    pub namespace: String,
    pub kube_version: String,
    /// Print the charts' `crds/` files too, like `helm template --include-crds`.
    pub include_crds: bool,
    /// Whose `helm template` to reproduce.
    pub helm_version: HelmVersion,
}

/// Renders one chart as `helm template` would; on failure, the findings that explain why.
pub fn template(options: &TemplateOptions) -> Result<String, Vec<Diagnostic>> {
    let sources = Sources::new();
    let env = EnvPlan {
        name: "template".to_string(),
        stage: "template".to_string(),
        values: options.values.iter().map(|v| (v.clone(), None)).collect(),
        secrets: None,
        version: None,
        baseline: None,
    };
    let chart_plan = ChartPlan {
        dir: options.chart_dir.clone(),
        declared_at: None,
        release: Some(options.release.clone()),
        namespace: Some(options.namespace.clone()),
        environments: vec![env],
    };
    let plan = Plan {
        config: None,
        kube_version: options.kube_version.clone(),
        helm_version: options.helm_version,
        promotion: Vec::new(),
        charts: vec![chart_plan.clone()],
        crd_dirs: Vec::new(),
    };
    let (chart, mut diagnostics) = load_chart(&options.root, &chart_plan, &plan, options.include_crds, &sources)
        .map_err(|e| vec![Diagnostic::render_error(e.message.clone(), e.location.clone())])?;
    let Some(mut chart) = chart else { return Err(diagnostics) };
    let env = chart.environments.remove(0);
    let failed = env.render.failed || !diagnostics.is_empty();
    diagnostics.extend(env.render.diagnostics);
    // Like `helm template`, print what renders; a manifest without a kind is `check`'s business.
    if failed {
        return Err(diagnostics);
    }
    Ok(env.render.manifest)
}
