//! `check` as one library call: discover, load and render, compile the policies, evaluate,
//! and say what the run covered. The command line, the tests, the benchmarks and editors all
//! come in through [`run`]; printing the result is [`crate::report`]'s job.

use std::path::PathBuf;

use crate::baseline::{self, Baseline};
use crate::diagnostic::Diagnostic;
use crate::discover::{self, Plan};
use crate::error::FatalError;
use crate::git::BaseDiff;
use crate::model::Project;
use crate::pipeline::{self, LoadOptions};
use crate::policy::registry::BuiltinRules;
use crate::policy::user::{self, UserPolicyOptions};
use crate::policy::{self, Date, EvalInputs, PolicyEngine, RuleInfo, SchemaPolicies};
use crate::source::Sources;

/// What to check.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// The repository, and the charts and environments to narrow the run to.
    pub load: LoadOptions,
    /// `--base` and `--changed`.
    pub changes: ChangeScope,
    pub policies: UserPolicyOptions,
    /// Worker threads (`--jobs`); one per core when `None`.
    pub jobs: Option<usize>,
    pub baseline: BaselineChoice,
}

/// Which accepted findings the run leaves out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum BaselineChoice {
    /// `baseline:` of driftgate.yaml, when it names one.
    #[default]
    Configured,
    /// `--baseline FILE` (relative to the working directory).
    File(PathBuf),
    /// Every finding, baseline or not (`--write-baseline`).
    Ignore,
}

/// What `check` compares with git: `--base REF` (DG402) and `--changed` (only the charts touched
/// since the base, `HEAD` unless `--base` says otherwise).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeScope {
    pub base: Option<String>,
    pub changed: bool,
}

impl ChangeScope {
    /// The git base to compare with, if any.
    pub fn base_ref(&self) -> Option<&str> {
        match (&self.base, self.changed) {
            (Some(base), _) => Some(base),
            (None, true) => Some(crate::git::DEFAULT_BASE),
            (None, false) => None,
        }
    }
}

/// The outcome of a `check`: every finding, sorted and configured, and what the run covered.
#[derive(Debug, Default)]
pub struct CheckRun {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: RunSummary,
    pub scope: RunScope,
    /// The files the run read, for the snippets of the human report.
    pub sources: Sources,
    /// What the baseline accepted, when one was used.
    pub baseline: Option<BaselineOutcome>,
    /// The findings ignores and suppression comments silenced (counted in `summary.suppressed`),
    /// each with why in its `help`.
    pub suppressed: Vec<Diagnostic>,
}

/// What the baseline made of a run.
#[derive(Debug, Default)]
pub struct BaselineOutcome {
    /// The baseline file, as named on the command line or relative to the repository.
    pub file: String,
    /// Findings the baseline holds: left out of `diagnostics` and of the exit code.
    pub baselined: Vec<Diagnostic>,
    /// Entries of the checked charts and environments that no finding matches any more.
    pub fixed: Vec<baseline::Entry>,
}

/// What a run covered, for the summary line of every report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub charts: usize,
    pub environments: usize,
    pub resources: usize,
    /// Findings silenced by an ignore entry or an inline suppression comment.
    pub suppressed: usize,
    /// Rule evaluations exempted by a user policy's `exception` rule (conftest's tally).
    pub exceptions: usize,
    /// Findings the baseline accepted.
    pub baselined: usize,
    /// Baseline entries that are fixed.
    pub fixed: usize,
}

impl RunSummary {
    /// Counts the charts, environments and rendered resources of a project.
    pub fn of(project: &Project) -> Self {
        RunSummary {
            charts: project.charts.len(),
            environments: project.charts.iter().map(|c| c.environments.len()).sum(),
            resources: project.charts.iter().flat_map(|c| &c.environments).map(|e| e.render.resources.len()).sum(),
            suppressed: 0,
            exceptions: 0,
            baselined: 0,
            fixed: 0,
        }
    }
}

/// What a run checked beyond the counts: the chart directories (so a clean chart still shows in
/// JUnit) and the metadata of loaded user rules (so SARIF can describe them).
#[derive(Clone, Debug, Default)]
pub struct RunScope {
    /// Chart directories relative to the checked directory, e.g. `charts/shop`.
    pub charts: Vec<String>,
    /// Rules declared by user policies.
    pub user_rules: Vec<RuleInfo>,
}

impl RunScope {
    /// The chart directories and user rules of a loaded run.
    pub fn of(project: &Project, user_rules: Vec<RuleInfo>) -> Self {
        RunScope { charts: project.charts.iter().map(|c| c.path.clone()).collect(), user_rules }
    }

    /// The metadata of rule `id`: built-in first, then user rules.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        policy::lookup(id).or_else(|| self.user_rules.iter().find(|rule| rule.id == id))
    }
}

/// Runs the gate: every finding of the selected charts and environments. `Err` is the run
/// that could not be done (exit 2): an invalid `driftgate.yaml`, a policy that does not
/// compile, an unknown revision.
pub fn run(options: &CheckOptions) -> Result<CheckRun, FatalError> {
    match options.jobs {
        Some(jobs) => match rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build() {
            Ok(pool) => pool.install(|| run_here(options)),
            Err(e) => Err(FatalError::new(format!("cannot start {jobs} worker threads: {e}"))),
        },
        None => run_here(options),
    }
}

fn run_here(options: &CheckOptions) -> Result<CheckRun, FatalError> {
    let root = options.load.root.as_path();
    let base = options.changes.base_ref().map(|base| BaseDiff::open(root, base)).transpose()?;
    let sources = Sources::new();
    let plan = discover::discover(root, &sources, &BuiltinRules)?;
    let load = match (&base, options.changes.changed) {
        (Some(base), true) => match changed_charts(&options.load, &plan, base) {
            Some(load) => load,
            // Nothing the checked charts depend on changed: nothing to check.
            None => return Ok(CheckRun::default()),
        },
        _ => options.load.clone(),
    };
    let loaded = pipeline::load_plan(&load, plan, sources)?;
    let mut dirs = match &loaded.plan.config {
        Some(config) => user::config_dirs(root, config, &loaded.project.sources)?,
        None => Vec::new(),
    };
    dirs.extend(options.policies.dirs.iter().map(|dir| user::PolicyDir::from_argument(root, dir)));
    let engine = user::compile(root, &dirs, &options.policies)?;
    let baseline = read_baseline(options, &loaded)?;
    let mut run = gate(loaded, base.as_ref(), &engine)?;
    if let Some((file, baseline)) = baseline {
        let applied = baseline.apply(std::mem::take(&mut run.diagnostics));
        // Entries of charts or environments this run did not check are not fixed.
        let checked = |entry: &baseline::Entry| {
            entry.chart.as_ref().is_none_or(|chart| run.scope.charts.contains(chart))
                && (options.load.envs.is_empty()
                    || entry.environment.as_ref().is_none_or(|env| options.load.envs.contains(env)))
        };
        let fixed: Vec<baseline::Entry> = applied.fixed.into_iter().filter(checked).collect();
        run.diagnostics = applied.new;
        run.summary.baselined = applied.baselined.len();
        run.summary.fixed = fixed.len();
        run.baseline = Some(BaselineOutcome { file, baselined: applied.baselined, fixed });
    }
    Ok(run)
}

/// The baseline the run applies: `--baseline FILE`, else `baseline:` of driftgate.yaml (a file
/// inside the repository that must exist), else none.
fn read_baseline(options: &CheckOptions, loaded: &pipeline::Loaded) -> Result<Option<(String, Baseline)>, FatalError> {
    match &options.baseline {
        BaselineChoice::Ignore => Ok(None),
        BaselineChoice::File(path) => {
            let shown = path.display().to_string();
            Ok(Some((shown.clone(), Baseline::read(path, &shown)?)))
        }
        BaselineChoice::Configured => {
            let Some(config) = &loaded.plan.config else { return Ok(None) };
            let Some(file) = &config.baseline else { return Ok(None) };
            let at = loaded.project.sources.locate(file.at);
            let rel = crate::paths::inside_root(&options.load.root, std::path::Path::new(""), &file.value)
                .map_err(|msg| FatalError::new(msg).at(at.clone()))?;
            let path = options.load.root.join(&rel);
            if !path.is_file() {
                return Err(FatalError::new(format!("baseline file {rel} does not exist"))
                    .at(at)
                    .with_help("write it with `driftgate check --write-baseline`"));
            }
            Ok(Some((rel.clone(), Baseline::read(&path, &rel)?)))
        }
    }
}

/// Where `--write-baseline` writes when no file is named: `baseline:` of driftgate.yaml.
pub fn configured_baseline(root: &std::path::Path) -> Result<Option<PathBuf>, FatalError> {
    let sources = Sources::new();
    let plan = discover::discover(root, &sources, &BuiltinRules)?;
    let Some(file) = plan.config.as_ref().and_then(|c| c.baseline.clone()) else { return Ok(None) };
    let rel = crate::paths::inside_root(root, std::path::Path::new(""), &file.value)
        .map_err(|msg| FatalError::new(msg).at(sources.locate(file.at)))?;
    Ok(Some(root.join(rel)))
}

/// Evaluates a loaded project with everything `check` adds: user policies, schema policies,
/// the git base, ignores with dates and inline suppressions.
fn gate(loaded: pipeline::Loaded, base: Option<&BaseDiff>, engine: &PolicyEngine) -> Result<CheckRun, FatalError> {
    let config = loaded.plan.config.as_ref().map(|c| c.rules.clone()).unwrap_or_default();
    let schema_configs = loaded.plan.config.as_ref().map(|c| c.schema_policies.as_slice()).unwrap_or_default();
    // `policies.rules` may configure user rules; an id no policy declares is a typo.
    for id in config.rules.keys() {
        let known = policy::lookup(id).is_some()
            || engine.rules().iter().any(|r| &r.info.id == id)
            || schema_configs.iter().any(|s| &s.id.value == id);
        if !known {
            let user_ids: Vec<&str> =
                engine.rules().iter().map(|r| r.info.id.as_str()).filter(|i| !i.starts_with("DG")).collect();
            let mut err = FatalError::new(format!("unknown rule `{id}` in policies.rules"));
            if let Some(config) = &loaded.plan.config {
                err = err.at(loaded.project.sources.start_of(config.file));
            }
            let help = match crate::suggest::closest(id, user_ids.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "no loaded policy declares a rule with this id (`driftgate rules` lists them)".to_string(),
            };
            return Err(err.with_help(help));
        }
    }
    let schemas = SchemaPolicies::load(&loaded.project.root, schema_configs, &loaded.project.sources)?;
    let today = Date::checked_today().map_err(FatalError::new)?;
    let inputs = EvalInputs { config: &config, engine, schemas: &schemas, base, today };
    let evaluation = policy::evaluate(&loaded.project, loaded.diagnostics, &inputs);
    let summary = RunSummary {
        suppressed: evaluation.suppressed,
        exceptions: evaluation.exceptions,
        ..RunSummary::of(&loaded.project)
    };
    let user_rules =
        engine.rules().iter().filter(|r| policy::lookup(&r.info.id).is_none()).map(|r| r.info.clone()).collect();
    let scope = RunScope::of(&loaded.project, user_rules);
    Ok(CheckRun {
        diagnostics: evaluation.diagnostics,
        summary,
        scope,
        sources: loaded.project.sources,
        baseline: None,
        suppressed: evaluation.silenced,
    })
}

/// `options` narrowed to the charts of `plan` touched since the base (`None` when there is
/// none): a chart is touched by a change under its directory or to a values file or secret
/// inventory of its environments; a change to driftgate.yaml, a policy directory or a schema
/// touches all.
fn changed_charts(options: &LoadOptions, plan: &Plan, base: &BaseDiff) -> Option<LoadOptions> {
    let mut shared: Vec<String> = vec![crate::config::CONFIG_FILE.to_string()];
    if let Some(config) = &plan.config {
        shared.extend(config.policy_paths.iter().map(|p| p.value.trim_end_matches('/').to_string()));
        shared.extend(config.schema_policies.iter().map(|p| p.schema.value.clone()));
    }
    let everything = shared.iter().any(|path| base.touches(path) || !base.changed_in(path).is_empty());
    let wanted = |dir: &str| {
        options.charts.is_empty()
            || options.charts.iter().any(|want| {
                let want = want.trim_end_matches('/');
                dir == want || dir.rsplit('/').next() == Some(want)
            })
    };
    let touched: Vec<String> = plan
        .charts
        .iter()
        .filter(|chart| wanted(&chart.dir))
        .filter(|chart| {
            everything
                || !base.changed_in(&chart.dir).is_empty()
                || chart.environments.iter().any(|env| {
                    env.values.iter().any(|(file, _)| base.touches(file))
                        || env.secrets.as_ref().is_some_and(|(file, _)| base.touches(file))
                })
        })
        .map(|chart| chart.dir.clone())
        .collect();
    if touched.is_empty() {
        return None;
    }
    Some(LoadOptions { charts: touched, ..options.clone() })
}
