//! The commands behind the CLI, each returning the process exit code:
//! `0` nothing at or above `--fail-on`, `1` findings at or above it, `2` driftgate could not do
//! what was asked.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{self, git::BaseDiff};
use crate::error::FatalError;
use crate::pipeline::{self, LoadOptions};
use crate::policy;
use crate::report::{self, RunSummary, human::HumanOptions};
use crate::source::Sources;

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: driftgate could not do what was asked.
pub const EXIT_FATAL: u8 = 2;

/// Report formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// Arguments of `driftgate check`.
#[derive(Clone, Debug)]
pub struct CheckArgs {
    pub dir: PathBuf,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub envs: Vec<String>,
    pub charts: Vec<String>,
    pub kube_version: Option<String>,
    pub fail_on: Severity,
    pub jobs: Option<usize>,
    /// `--base` and `--changed`.
    pub changes: ChangeScope,
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
            (None, true) => Some(discover::git::DEFAULT_BASE),
            (None, false) => None,
        }
    }
}

/// Arguments of `driftgate render`.
#[derive(Clone, Debug)]
pub struct RenderArgs {
    pub dir: PathBuf,
    pub env: String,
    pub chart: Option<String>,
    pub kube_version: Option<String>,
    /// Print the charts' `crds/` files before the manifests, like `helm template --include-crds`.
    pub include_crds: bool,
}

/// Prints a fatal error the way every command does, and returns exit code 2.
pub fn fatal(err: &FatalError) -> u8 {
    eprintln!("error: {err}");
    EXIT_FATAL
}

/// `driftgate render`: the manifests of one environment, exactly as `helm template` prints them.
pub fn render(args: &RenderArgs) -> u8 {
    let options = LoadOptions {
        root: args.dir.clone(),
        envs: vec![args.env.clone()],
        charts: args.chart.iter().cloned().collect(),
        kube_version: args.kube_version.clone(),
        include_crds: args.include_crds,
    };
    let loaded = match pipeline::load(&options) {
        Ok(loaded) => loaded,
        Err(e) => return fatal(&e),
    };
    let charts: Vec<_> = loaded
        .project
        .charts
        .iter()
        .filter(|c| c.environments.iter().any(|e| e.name == args.env))
        .collect();
    if charts.len() > 1 && args.chart.is_none() {
        return fatal(&FatalError::new(format!("environment `{}` exists in several charts", args.env)).with_help(format!(
            "choose one with --chart: {}",
            charts.iter().map(|c| c.path.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    let envs = || charts.iter().flat_map(|c| c.environments.iter()).filter(|e| e.name == args.env);
    // Loading findings (a chart that does not parse, a values file that is not YAML) and the
    // failures `helm template` itself would stop on.
    let failures: Vec<&Diagnostic> = loaded
        .diagnostics
        .iter()
        .chain(envs().filter(|e| e.render.failed).flat_map(|e| e.render.diagnostics.iter()))
        .collect();
    if failures.is_empty() {
        let mut stdout = std::io::stdout().lock();
        for env in envs() {
            if let Err(e) = stdout.write_all(env.render.manifest.as_bytes()) {
                return fatal(&FatalError::new(format!("cannot write the manifests: {e}")));
            }
        }
    }
    for d in &failures {
        match &d.location {
            Some(l) => eprintln!("error[{}]: {}:{}:{}: {}", d.rule, l.file, l.line, l.column, d.message),
            None => eprintln!("error[{}]: {}", d.rule, d.message),
        }
    }
    if failures.is_empty() { EXIT_OK } else { EXIT_FINDINGS }
}

/// Loads, renders and evaluates: every finding of a `check` run, with what the run covered.
pub fn check_diagnostics(options: &LoadOptions) -> Result<(Vec<Diagnostic>, RunSummary), FatalError> {
    check_with_sources(options, &ChangeScope::default()).map(|(diagnostics, summary, _)| (diagnostics, summary))
}

/// `driftgate check`: the gate.
pub fn check(args: &CheckArgs) -> u8 {
    let options = LoadOptions {
        root: args.dir.clone(),
        envs: args.envs.clone(),
        charts: args.charts.clone(),
        kube_version: args.kube_version.clone(),
        include_crds: false,
    };
    let result = match args.jobs {
        Some(jobs) => match rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build() {
            Ok(pool) => pool.install(|| check_with_sources(&options, &args.changes)),
            Err(e) => return fatal(&FatalError::new(format!("cannot start {jobs} worker threads: {e}"))),
        },
        None => check_with_sources(&options, &args.changes),
    };
    let (diagnostics, summary, sources) = match result {
        Ok(r) => r,
        Err(e) => return fatal(&e),
    };
    let mut buffer = Vec::new();
    let written = match args.format {
        Format::Json => report::json::write(&mut buffer, &diagnostics, &summary),
        Format::Human => {
            let terminal = args.output.is_none() && std::io::stdout().is_terminal();
            report::human::write(&mut buffer, &diagnostics, &summary, &sources, HumanOptions::for_output(terminal))
        }
    };
    if let Err(e) = written {
        return fatal(&FatalError::new(format!("cannot write the report: {e}")));
    }
    let delivered = match &args.output {
        Some(path) => std::fs::write(path, &buffer)
            .map_err(|e| FatalError::new(format!("cannot write {}: {e}", path.display()))),
        None => std::io::stdout()
            .lock()
            .write_all(&buffer)
            .map_err(|e| FatalError::new(format!("cannot write the report: {e}"))),
    };
    if let Err(e) = delivered {
        return fatal(&e);
    }
    if diagnostics.iter().any(|d| d.severity >= args.fail_on) { EXIT_FINDINGS } else { EXIT_OK }
}

fn check_with_sources(options: &LoadOptions, changes: &ChangeScope) -> Result<(Vec<Diagnostic>, RunSummary, Sources), FatalError> {
    let base = changes.base_ref().map(|base| BaseDiff::open(&options.root, base)).transpose()?;
    let options = match (&base, changes.changed) {
        (Some(base), true) => match changed_charts(options, base)? {
            Some(options) => options,
            // Nothing the checked charts depend on changed: nothing to check.
            None => return Ok((Vec::new(), RunSummary::default(), Sources::new())),
        },
        _ => options.clone(),
    };
    let loaded = pipeline::load(&options)?;
    gate_loaded(loaded, base.as_ref())
}

/// Evaluates a loaded project with everything `check` adds: schema policies, the git base,
/// ignores with dates and inline suppressions.
fn gate_loaded(loaded: pipeline::Loaded, base: Option<&BaseDiff>) -> Result<(Vec<Diagnostic>, RunSummary, Sources), FatalError> {
    let config = loaded.plan.config.as_ref().map(|c| c.rules.clone()).unwrap_or_default();
    let schema_configs = loaded.plan.config.as_ref().map(|c| c.schema_policies.as_slice()).unwrap_or_default();
    let schemas = policy::SchemaPolicies::load(&loaded.project.root, schema_configs, &loaded.project.sources)?;
    let today = policy::Date::checked_today().map_err(FatalError::new)?;
    let inputs = policy::GateInputs { schemas: &schemas, base, today };
    let gated = policy::evaluate_gated(&loaded.project, &config, None, loaded.diagnostics, &inputs);
    let summary = RunSummary { suppressed: gated.suppressed, ..RunSummary::of(&loaded.project) };
    Ok((gated.diagnostics, summary, loaded.project.sources))
}

/// `options` narrowed to the charts touched since the base (`None` when there is none): a
/// chart is touched by a change under its directory or to a values file or secret inventory of
/// its environments; a change to driftgate.yaml, a policy directory or a schema touches all.
fn changed_charts(options: &LoadOptions, base: &BaseDiff) -> Result<Option<LoadOptions>, FatalError> {
    let plan = discover::discover(&options.root, &Sources::new())?;
    let mut shared: Vec<String> = vec![discover::config::CONFIG_FILE.to_string()];
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
        return Ok(None);
    }
    Ok(Some(LoadOptions { charts: touched, ..options.clone() }))
}

/// `driftgate rules [ID]`: the catalogue, or one rule's documentation.
pub fn rules(id: Option<&str>) -> u8 {
    match id {
        None => {
            print!("{}", policy::list_text());
            EXIT_OK
        }
        Some(id) => match policy::lookup(id) {
            Some(rule) => {
                print!("{}", policy::docs_markdown(rule));
                EXIT_OK
            }
            None => fatal(&FatalError::new(format!("unknown rule `{id}`")).with_help("`driftgate rules` lists every rule")),
        },
    }
}
