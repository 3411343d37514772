//! The commands behind the CLI, each returning the process exit code:
//! `0` nothing at or above `--fail-on`, `1` findings at or above it, `2` driftgate could not do
//! what was asked.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, Severity};
use crate::error::FatalError;
use crate::pipeline::{self, LoadOptions};
use crate::policy::{self, Finding};
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
    check_with_sources(options).map(|(diagnostics, summary, _)| (diagnostics, summary))
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
            Ok(pool) => pool.install(|| check_with_sources(&options)),
            Err(e) => return fatal(&FatalError::new(format!("cannot start {jobs} worker threads: {e}"))),
        },
        None => check_with_sources(&options),
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

fn check_with_sources(options: &LoadOptions) -> Result<(Vec<Diagnostic>, RunSummary, Sources), FatalError> {
    let loaded = pipeline::load(options)?;
    let config = loaded.plan.config.as_ref().map(|c| c.rules.clone()).unwrap_or_default();
    let mut diagnostics = policy::evaluate(&loaded.project, &config);
    diagnostics.extend(config.apply(loaded.diagnostics.into_iter().map(Finding::new).collect()));
    let summary = RunSummary::of(&loaded.project);
    Ok((policy::finish(diagnostics), summary, loaded.project.sources))
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
