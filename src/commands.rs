//! The commands behind the CLI, each returning the process exit code:
//! `0` nothing at or above `--fail-on`, `1` findings at or above it, `2` driftgate could not do
//! what was asked.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::config::{self as dg_config, CONFIG_FILE};
use crate::diagnostic::Location;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover;
use crate::error::FatalError;
use crate::git::BaseDiff;
use crate::pipeline::{self, LoadOptions};
use crate::policy::registry::BuiltinRules;
use crate::policy::user::{self, PolicyDir, TestFiles};
use crate::policy::{self, NamespaceSelection, PolicyEngine, PolicyLoadError, RuleInfo, TestOutcome};
use crate::report::{self, RunScope, RunSummary, human::HumanOptions};
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
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// JUnit XML for CI test reports.
    Junit,
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
    pub policies: UserPolicyArgs,
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

/// The user-policy options of `check` (and `rules`, `test`): conftest's `--policy`, `--data`,
/// `--namespace`, `--all-namespaces`.
#[derive(Clone, Debug, Default)]
pub struct UserPolicyArgs {
    /// `--policy` directories or files, as given on the command line.
    pub dirs: Vec<PathBuf>,
    /// `--data` files (JSON or YAML), loaded under `data`.
    pub data: Vec<PathBuf>,
    pub namespaces: NamespaceSelection,
}

/// Report formats of `test` and `diff`: for people, or JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Human,
    Json,
}

/// Arguments of `driftgate test`.
#[derive(Clone, Debug)]
pub struct TestArgs {
    pub dir: PathBuf,
    pub policies: Vec<PathBuf>,
    pub format: ReportFormat,
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
    let loaded = match pipeline::load(&options, &BuiltinRules) {
        Ok(loaded) => loaded,
        Err(e) => return fatal(&e),
    };
    let charts: Vec<_> =
        loaded.project.charts.iter().filter(|c| c.environments.iter().any(|e| e.name == args.env)).collect();
    if charts.len() > 1 && args.chart.is_none() {
        return fatal(&FatalError::new(format!("environment `{}` exists in several charts", args.env)).with_help(
            format!(
                "choose one with --chart: {}",
                charts.iter().map(|c| c.path.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
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
    check_with_sources(options, &ChangeScope::default(), &UserPolicyArgs::default())
        .map(|(diagnostics, summary, _, _)| (diagnostics, summary))
}

/// [`check_diagnostics`] with user policies.
pub fn check_with_policies(
    options: &LoadOptions,
    policies: &UserPolicyArgs,
) -> Result<(Vec<Diagnostic>, RunSummary), FatalError> {
    check_with_sources(options, &ChangeScope::default(), policies)
        .map(|(diagnostics, summary, _, _)| (diagnostics, summary))
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
            Ok(pool) => pool.install(|| check_with_sources(&options, &args.changes, &args.policies)),
            Err(e) => return fatal(&FatalError::new(format!("cannot start {jobs} worker threads: {e}"))),
        },
        None => check_with_sources(&options, &args.changes, &args.policies),
    };
    let (diagnostics, summary, sources, scope) = match result {
        Ok(r) => r,
        Err(e) => return fatal(&e),
    };
    let mut buffer = Vec::new();
    let written = match args.format {
        Format::Json => report::json::write(&mut buffer, &diagnostics, &summary),
        Format::Github => report::github::write(&mut buffer, &diagnostics, &summary),
        Format::Sarif => report::sarif::write(&mut buffer, &diagnostics, &scope),
        Format::Junit => report::junit::write(&mut buffer, &diagnostics, &summary, &scope, args.fail_on),
        Format::Human => {
            let terminal = args.output.is_none() && std::io::stdout().is_terminal();
            report::human::write(&mut buffer, &diagnostics, &summary, &sources, HumanOptions::for_output(terminal))
        }
    };
    if let Err(e) = written {
        return fatal(&FatalError::new(format!("cannot write the report: {e}")));
    }
    let delivered = match &args.output {
        Some(path) => {
            std::fs::write(path, &buffer).map_err(|e| FatalError::new(format!("cannot write {}: {e}", path.display())))
        }
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

fn check_with_sources(
    options: &LoadOptions,
    changes: &ChangeScope,
    policies: &UserPolicyArgs,
) -> Result<(Vec<Diagnostic>, RunSummary, Sources, RunScope), FatalError> {
    let base = changes.base_ref().map(|base| BaseDiff::open(&options.root, base)).transpose()?;
    let options = match (&base, changes.changed) {
        (Some(base), true) => match changed_charts(options, base)? {
            Some(options) => options,
            // Nothing the checked charts depend on changed: nothing to check.
            None => return Ok((Vec::new(), RunSummary::default(), Sources::new(), RunScope::default())),
        },
        _ => options.clone(),
    };
    let loaded = pipeline::load(&options, &BuiltinRules)?;
    let root = options.root.as_path();
    let mut dirs = Vec::new();
    if let Some(config) = &loaded.plan.config {
        for entry in &config.policy_paths {
            let dir = PolicyDir::from_config(root, &entry.value).map_err(|message| {
                FatalError::new(format!("invalid policies.paths entry: {message}"))
                    .at(crate::discover::location(&loaded.project.sources, entry.at))
            })?;
            dirs.push(dir);
        }
    }
    dirs.extend(policies.dirs.iter().map(|dir| PolicyDir::from_argument(root, dir)));
    let engine = user_engine(root, &dirs, policies)?;
    gate_loaded(loaded, base.as_ref(), &engine)
}

/// Evaluates a loaded project with everything `check` adds: user policies, schema policies,
/// the git base, ignores with dates and inline suppressions.
fn gate_loaded(
    loaded: pipeline::Loaded,
    base: Option<&BaseDiff>,
    engine: &PolicyEngine,
) -> Result<(Vec<Diagnostic>, RunSummary, Sources, RunScope), FatalError> {
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
                err = err.at(Location::point(loaded.project.sources.path(config.file), 1, 1));
            }
            let help = match crate::suggest::closest(id, user_ids.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "no loaded policy declares a rule with this id (`driftgate rules` lists them)".to_string(),
            };
            return Err(err.with_help(help));
        }
    }
    let schemas = policy::SchemaPolicies::load(&loaded.project.root, schema_configs, &loaded.project.sources)?;
    let today = policy::Date::checked_today().map_err(FatalError::new)?;
    let inputs = policy::GateInputs { schemas: &schemas, base, today };
    let gated = policy::evaluate_gated(&loaded.project, &config, Some(engine), loaded.diagnostics, &inputs);
    let summary =
        RunSummary { suppressed: gated.suppressed, exceptions: gated.exceptions, ..RunSummary::of(&loaded.project) };
    let user_rules =
        engine.rules().iter().filter(|r| policy::lookup(&r.info.id).is_none()).map(|r| r.info.clone()).collect();
    let scope = RunScope::of(&loaded.project, user_rules);
    Ok((gated.diagnostics, summary, loaded.project.sources, scope))
}

/// `options` narrowed to the charts touched since the base (`None` when there is none): a
/// chart is touched by a change under its directory or to a values file or secret inventory of
/// its environments; a change to driftgate.yaml, a policy directory or a schema touches all.
fn changed_charts(options: &LoadOptions, base: &BaseDiff) -> Result<Option<LoadOptions>, FatalError> {
    let plan = discover::discover(&options.root, &Sources::new(), &BuiltinRules)?;
    let mut shared: Vec<String> = vec![CONFIG_FILE.to_string()];
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

/// The built-in policies plus the user policies of `dirs` and `--data`, compiled once for the
/// whole run (workers clone the prepared engine).
fn user_engine(root: &Path, dirs: &[PolicyDir], policies: &UserPolicyArgs) -> Result<PolicyEngine, FatalError> {
    let builtin = policy::builtin_engine().clone().map_err(|e| FatalError::new(format!("built-in policies: {e}")))?;
    if dirs.is_empty() && policies.data.is_empty() {
        return Ok(builtin);
    }
    let files = user::load_policy_files(dirs, TestFiles::Skip)?;
    let data = user::load_data_files(root, &policies.data)?;
    let mut engine = builtin;
    let errors = engine.add_user_policies(&files, &policies.namespaces);
    if let Some(err) = load_failure(&errors) {
        return Err(err);
    }
    if !policies.data.is_empty() {
        engine.add_data(data).map_err(|e| FatalError::new(format!("cannot load --data: {e}")))?;
    }
    Ok(engine)
}

/// Policies that do not compile stop the run (exit 2) at the first one's file and line.
fn load_failure(errors: &[PolicyLoadError]) -> Option<FatalError> {
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

/// The policy directories named by `driftgate.yaml` in `root` (none without that file).
fn config_policy_dirs(root: &Path) -> Result<Vec<PolicyDir>, FatalError> {
    let path = root.join(CONFIG_FILE);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let text =
        crate::paths::read_text(&path).map_err(|e| FatalError::new(format!("cannot read {CONFIG_FILE}: {e}")))?;
    let sources = Sources::new();
    let file = sources.add(CONFIG_FILE, text.as_str());
    let config = dg_config::parse(&sources, file, &text, &BuiltinRules)?;
    config
        .policy_paths
        .iter()
        .map(|entry| {
            PolicyDir::from_config(root, &entry.value).map_err(|message| {
                FatalError::new(format!("invalid policies.paths entry: {message}"))
                    .at(crate::discover::location(&sources, entry.at))
            })
        })
        .collect()
}

/// Arguments of `driftgate rules`.
#[derive(Clone, Debug, Default)]
pub struct RulesArgs {
    pub id: Option<String>,
    /// The repository whose `policies.paths` are listed too.
    pub dir: PathBuf,
    pub policies: UserPolicyArgs,
}

/// `driftgate rules [ID]`: the catalogue with the user rules, or one rule's documentation.
pub fn rules_with_policies(args: &RulesArgs) -> u8 {
    let user_rules = match user_rule_infos(args) {
        Ok(rules) => rules,
        Err(e) => return fatal(&e),
    };
    match args.id.as_deref() {
        None => {
            print!("{}", policy::list_text());
            print!("{}", policy::registry::list_rules_text(&user_rules));
            EXIT_OK
        }
        Some(id) => {
            let user = user_rules.iter().find(|r| r.id.eq_ignore_ascii_case(id) || r.name == id);
            match policy::lookup(id).or(user) {
                Some(rule) => {
                    print!("{}", policy::docs_markdown(rule));
                    EXIT_OK
                }
                None => fatal(
                    &FatalError::new(format!("unknown rule `{id}`")).with_help("`driftgate rules` lists every rule"),
                ),
            }
        }
    }
}

/// The rules the user policies add, one entry per id, in load order.
fn user_rule_infos(args: &RulesArgs) -> Result<Vec<RuleInfo>, FatalError> {
    let mut dirs = config_policy_dirs(&args.dir)?;
    dirs.extend(args.policies.dirs.iter().map(|dir| PolicyDir::from_argument(&args.dir, dir)));
    if dirs.is_empty() {
        return Ok(Vec::new());
    }
    let engine = user_engine(&args.dir, &dirs, &args.policies)?;
    let builtin = policy::builtin_engine().as_ref().map(|e| e.rules().len()).unwrap_or(0);
    let mut infos: Vec<RuleInfo> = Vec::new();
    for rule in engine.rules().iter().skip(builtin) {
        if !infos.iter().any(|i| i.id == rule.info.id) {
            infos.push(rule.info.clone());
        }
    }
    Ok(infos)
}

/// `driftgate test`: runs the `test_*` rules of the policies, like `opa test`; exit 1 when one
/// fails or errs, 2 when a policy does not compile.
pub fn test(args: &TestArgs) -> u8 {
    let mut dirs = match config_policy_dirs(&args.dir) {
        Ok(dirs) => dirs,
        Err(e) => return fatal(&e),
    };
    dirs.extend(args.policies.iter().map(|dir| PolicyDir::from_argument(&args.dir, dir)));
    if dirs.is_empty() {
        // Like `opa test DIR`: the directory itself holds the policies.
        dirs.push(PolicyDir { path: args.dir.clone(), display: String::new() });
    }
    let files = match user::load_policy_files(&dirs, TestFiles::Include) {
        Ok(files) => files,
        Err(e) => return fatal(&e),
    };
    let (results, errors) = policy::run_tests(&files);
    if let Some(err) = load_failure(&errors) {
        return fatal(&err);
    }
    let text = match args.format {
        ReportFormat::Human => test_report_text(&results),
        ReportFormat::Json => test_report_json(&results),
    };
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        return fatal(&FatalError::new(format!("cannot write the report: {e}")));
    }
    if results.iter().all(|r| r.outcome == TestOutcome::Passed) { EXIT_OK } else { EXIT_FINDINGS }
}

fn outcome_word(outcome: &TestOutcome) -> &'static str {
    match outcome {
        TestOutcome::Passed => "PASS",
        TestOutcome::Failed => "FAIL",
        TestOutcome::Error(_) => "ERROR",
    }
}

/// One line per test, then the tally: `PASS policies/a_test.rego data.main.test_x`.
fn test_report_text(results: &[policy::PolicyTestResult]) -> String {
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
fn test_report_json(results: &[policy::PolicyTestResult]) -> String {
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
            None => {
                fatal(&FatalError::new(format!("unknown rule `{id}`")).with_help("`driftgate rules` lists every rule"))
            }
        },
    }
}

/// Arguments of `driftgate diff`.
#[derive(Clone, Debug)]
pub struct DiffArgs {
    pub dir: PathBuf,
    /// The environment compared from.
    pub a: String,
    /// The environment compared to.
    pub b: String,
    pub chart: Option<String>,
    pub format: ReportFormat,
    pub kube_version: Option<String>,
}

/// `driftgate diff`: what differs between two environments of one chart, per resource and
/// field path; exit 0 when nothing does, 1 when something does.
pub fn diff(args: &DiffArgs) -> u8 {
    let options = LoadOptions {
        root: args.dir.clone(),
        envs: vec![args.a.clone(), args.b.clone()],
        charts: args.chart.iter().cloned().collect(),
        kube_version: args.kube_version.clone(),
        include_crds: false,
    };
    let loaded = match pipeline::load(&options, &BuiltinRules) {
        Ok(loaded) => loaded,
        Err(e) => return fatal(&e),
    };
    let has = |chart: &crate::model::ChartRun, env: &str| chart.environments.iter().any(|e| e.name == env);
    let charts: Vec<_> = loaded.project.charts.iter().filter(|c| has(c, &args.a) && has(c, &args.b)).collect();
    let chart = match charts.as_slice() {
        [chart] => *chart,
        [] => {
            let names = loaded.project.charts.iter().map(|c| c.path.as_str()).collect::<Vec<_>>().join(", ");
            return fatal(
                &FatalError::new(format!("no chart has both environments `{}` and `{}`", args.a, args.b))
                    .with_help(format!("charts considered: {names}")),
            );
        }
        several => {
            return fatal(
                &FatalError::new(format!("environments `{}` and `{}` exist in several charts", args.a, args.b))
                    .with_help(format!(
                        "choose one with --chart: {}",
                        several.iter().map(|c| c.path.as_str()).collect::<Vec<_>>().join(", ")
                    )),
            );
        }
    };
    let env = |name: &str| chart.environments.iter().find(|e| e.name == name);
    let (Some(a), Some(b)) = (env(&args.a), env(&args.b)) else {
        return fatal(&FatalError::new("environment vanished while loading"));
    };
    // A chart that does not load or render cannot be compared: say why, as `render` does.
    let failures: Vec<&Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.chart.as_deref().is_none_or(|c| c == chart.path))
        .chain([a, b].into_iter().filter(|e| e.render.failed).flat_map(|e| e.render.diagnostics.iter()))
        .collect();
    if !failures.is_empty() {
        for d in &failures {
            match &d.location {
                Some(l) => eprintln!("error[{}]: {}:{}:{}: {}", d.rule, l.file, l.line, l.column, d.message),
                None => eprintln!("error[{}]: {}", d.rule, d.message),
            }
        }
        return fatal(&FatalError::new(format!(
            "cannot compare `{}` and `{}` of {}: they do not render",
            args.a, args.b, chart.path
        )));
    }
    let diff = crate::diff::diff_envs(&loaded.project.sources, chart, a, b);
    let text = match args.format {
        ReportFormat::Human => crate::diff::human_report(&diff),
        ReportFormat::Json => crate::diff::json_report(&diff),
    };
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        return fatal(&FatalError::new(format!("cannot write the report: {e}")));
    }
    if diff.is_empty() { EXIT_OK } else { EXIT_FINDINGS }
}
