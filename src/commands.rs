//! The commands of the `driftgate` binary: each calls the library, prints its result and
//! returns the process exit code: `0` nothing at or above `--fail-on`, `1` findings at or above
//! it, `2` driftgate could not do what was asked.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use driftgate::baseline::Baseline;
use driftgate::check::{self, CheckOptions};
use driftgate::diagnostic::{Diagnostic, Severity};
use driftgate::error::FatalError;
use driftgate::helm_version::HelmVersion;
use driftgate::pipeline::{self, LoadOptions};
use driftgate::policy::registry::BuiltinRules;
use driftgate::policy::user::{self, PolicyDir, TestFiles, UserPolicyOptions};
use driftgate::policy::{self, TestOutcome};
use driftgate::report::{self, human::HumanOptions};

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
    /// GitLab's code quality report.
    Codequality,
}

/// Arguments of `driftgate check`: what to check, and how to report it.
#[derive(Clone, Debug)]
pub struct CheckArgs {
    pub options: CheckOptions,
    pub format: Format,
    pub output: Option<PathBuf>,
    /// More reports of the same run, each in its format and file (`--report FORMAT=FILE`).
    pub reports: Vec<(Format, PathBuf)>,
    pub fail_on: Severity,
    /// `--write-baseline FILE`: record today's findings instead of reporting them.
    pub write_baseline: Option<PathBuf>,
    /// `--color`.
    pub color: ColorChoice,
    /// `--quiet`: the findings only.
    pub quiet: bool,
    /// `--show-suppressed`: list the findings ignores and comments silenced.
    pub show_suppressed: bool,
}

/// `--color auto|always|never`; `auto` colors a terminal unless `NO_COLOR` is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// The repository a command runs on: `dir`, or the directory above it whose `driftgate.yaml`
/// governs it (then narrowed to the charts under `dir`, and said on standard error).
fn repository_of(load: &LoadOptions, quiet: bool) -> LoadOptions {
    match pipeline::find_config_above(&load.root) {
        Some((root, within)) => {
            if !quiet {
                eprintln!(
                    "driftgate: using {} (paths below are relative to {}), checking the charts under {}",
                    root.join(driftgate::config::CONFIG_FILE).display(),
                    root.display(),
                    if within.is_empty() { "." } else { within.as_str() }
                );
            }
            LoadOptions { root, within: Some(within), ..load.clone() }
        }
        None => load.clone(),
    }
}

/// Whether `path` (of `--output` or `--report`) means standard output: none, or `-`.
fn is_stdout(path: Option<&PathBuf>) -> bool {
    path.is_none_or(|p| p.as_os_str() == "-")
}

/// How the human report looks on standard output or in a file.
fn human_options(color: ColorChoice, quiet: bool, to_stdout: bool) -> HumanOptions {
    let terminal = to_stdout && std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    };
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok());
    let width = match (terminal, columns) {
        (_, Some(columns)) if to_stdout => columns,
        (true, _) => terminal_size::terminal_size().map_or(100, |(w, _)| usize::from(w.0)),
        _ => 100,
    };
    HumanOptions { color, width: width.clamp(40, 1000), quiet }
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
    pub helm_version: Option<HelmVersion>,
    /// Print the charts' `crds/` files before the manifests, like `helm template --include-crds`.
    pub include_crds: bool,
}

/// Prints the findings that stop `render` and `diff` on stderr, one line each.
fn print_failures<'d>(failures: impl IntoIterator<Item = &'d Diagnostic>) {
    for d in failures {
        match &d.location {
            Some(l) => eprintln!("error[{}]: {}:{}:{}: {}", d.rule, l.file, l.line, l.column, d.message),
            None => eprintln!("error[{}]: {}", d.rule, d.message),
        }
    }
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
        helm_version: args.helm_version,
        include_crds: args.include_crds,
        within: None,
    };
    let options = repository_of(&options, false);
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
    print_failures(failures.iter().copied());
    if failures.is_empty() { EXIT_OK } else { EXIT_FINDINGS }
}

/// `driftgate check`: the gate.
pub fn check(args: &CheckArgs) -> u8 {
    let main = (args.format, args.output.as_ref());
    let reports = || std::iter::once(main).chain(args.reports.iter().map(|(format, path)| (*format, Some(path))));
    let options = CheckOptions { load: repository_of(&args.options.load, args.quiet), ..args.options.clone() };
    let run = match check::run(&options) {
        Ok(run) => run,
        Err(e) => {
            // Editors and upload steps read the error from the report they asked for.
            for (format, path) in reports() {
                let text = match format {
                    Format::Json => report::json::error_to_string(&e),
                    Format::Sarif => report::sarif::error_to_string(&e),
                    _ => continue,
                };
                if let Err(write_error) = deliver(path, text.as_bytes()) {
                    eprintln!("error: {write_error}");
                }
            }
            return fatal(&e);
        }
    };
    if let Some(path) = &args.write_baseline {
        return write_baseline(&options, path, &run);
    }
    for (format, path) in reports() {
        let human = human_options(args.color, args.quiet, is_stdout(path));
        let buffer = report_bytes(format, &run, args, human);
        if let Err(e) = deliver(path, &buffer) {
            return fatal(&e);
        }
    }
    if run.diagnostics.iter().any(|d| d.severity >= args.fail_on) { EXIT_FINDINGS } else { EXIT_OK }
}

/// Writes a report to its file, or to standard output for none or `-`.
fn deliver(path: Option<&PathBuf>, bytes: &[u8]) -> Result<(), FatalError> {
    match path {
        Some(path) if !is_stdout(Some(path)) => {
            std::fs::write(path, bytes).map_err(|e| FatalError::new(format!("cannot write {}: {e}", path.display())))
        }
        _ => std::io::stdout()
            .lock()
            .write_all(bytes)
            .map_err(|e| FatalError::new(format!("cannot write the report: {e}"))),
    }
}

/// One report of a run in `format`.
fn report_bytes(format: Format, run: &check::CheckRun, args: &CheckArgs, human: HumanOptions) -> Vec<u8> {
    let check::CheckRun { diagnostics, summary, scope, sources, baseline, suppressed } = run;
    let fail_on = args.fail_on;
    let baseline = report::Extras {
        baseline: baseline.as_ref(),
        suppressed: args.show_suppressed.then_some(suppressed.as_slice()),
    };
    match format {
        Format::Json => report::json::to_string(diagnostics, summary, baseline).into_bytes(),
        Format::Github => report::github::to_string(diagnostics, summary).into_bytes(),
        Format::Sarif => report::sarif::to_string(diagnostics, scope, baseline).into_bytes(),
        Format::Junit => report::junit::to_string(diagnostics, summary, scope, fail_on).into_bytes(),
        Format::Codequality => report::codequality::to_string(diagnostics).into_bytes(),
        Format::Human => report::human::to_string(diagnostics, summary, sources, human, baseline).into_bytes(),
    }
}

/// `check --write-baseline FILE`: today's findings become the accepted ones.
fn write_baseline(options: &CheckOptions, path: &std::path::Path, run: &check::CheckRun) -> u8 {
    let baseline = Baseline::of(&run.diagnostics);
    if let Err(e) = std::fs::write(path, baseline.to_json()) {
        return fatal(&FatalError::new(format!("cannot write the baseline {}: {e}", path.display())));
    }
    let n = baseline.entries.len();
    eprintln!("wrote {n} finding{} to the baseline {}", if n == 1 { "" } else { "s" }, path.display());
    let configured = check::configured_baseline(&options.load.root).ok().flatten();
    if configured.is_none_or(|c| !same_file(&c, path)) {
        eprintln!("  use it with `driftgate check --baseline {}` or `baseline:` in driftgate.yaml", path.display());
    }
    EXIT_OK
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Arguments of `driftgate rules`.
#[derive(Clone, Debug, Default)]
pub struct RulesArgs {
    pub id: Option<String>,
    /// The repository whose `policies.paths` are listed too.
    pub dir: PathBuf,
    pub policies: UserPolicyOptions,
}

/// `driftgate rules [ID]`: the catalogue with the user rules, or one rule's documentation.
pub fn rules(args: &RulesArgs) -> u8 {
    let user_rules = match user::user_rule_infos(&args.dir, &args.policies) {
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

/// `driftgate test`: runs the `test_*` rules of the policies, like `opa test`; exit 1 when one
/// fails or errs, 2 when a policy does not compile.
pub fn test(args: &TestArgs) -> u8 {
    let given = UserPolicyOptions { dirs: args.policies.clone(), ..Default::default() };
    let mut dirs = match user::policy_dirs(&args.dir, &given) {
        Ok(dirs) => dirs,
        Err(e) => return fatal(&e),
    };
    if dirs.is_empty() {
        // Like `opa test DIR`: the directory itself holds the policies.
        dirs.push(PolicyDir { path: args.dir.clone(), display: String::new() });
    }
    let files = match user::load_policy_files(&dirs, TestFiles::Include) {
        Ok(files) => files,
        Err(e) => return fatal(&e),
    };
    let (results, errors) = policy::run_tests(&files);
    if let Some(err) = user::load_failure(&errors) {
        return fatal(&err);
    }
    let text = match args.format {
        ReportFormat::Human => report::policy_tests::human(&results),
        ReportFormat::Json => report::policy_tests::json(&results),
    };
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        return fatal(&FatalError::new(format!("cannot write the report: {e}")));
    }
    if results.iter().all(|r| r.outcome == TestOutcome::Passed) { EXIT_OK } else { EXIT_FINDINGS }
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
    /// `--baseline`: compare `a` with its `baseline:` manifests (`b` is unused).
    pub baseline: bool,
    pub helm_version: Option<HelmVersion>,
}

/// `driftgate diff`: what differs between two environments of one chart, per resource and
/// field path; exit 0 when nothing does, 1 when something does.
pub fn diff(args: &DiffArgs) -> u8 {
    if args.baseline {
        return diff_baseline(args);
    }
    let options = LoadOptions {
        root: args.dir.clone(),
        envs: vec![args.a.clone(), args.b.clone()],
        charts: args.chart.iter().cloned().collect(),
        kube_version: args.kube_version.clone(),
        helm_version: args.helm_version,
        include_crds: false,
        within: None,
    };
    let options = repository_of(&options, false);
    let loaded = match pipeline::load(&options, &BuiltinRules) {
        Ok(loaded) => loaded,
        Err(e) => return fatal(&e),
    };
    let has = |chart: &driftgate::model::ChartRun, env: &str| chart.environments.iter().any(|e| e.name == env);
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
        print_failures(failures.iter().copied());
        return fatal(&FatalError::new(format!(
            "cannot compare `{}` and `{}` of {}: they do not render",
            args.a, args.b, chart.path
        )));
    }
    let diff = driftgate::diff::diff_envs(&loaded.project.sources, chart, a, b);
    let text = match args.format {
        ReportFormat::Human => report::diff::human_report(&diff),
        ReportFormat::Json => report::diff::json_report(&diff),
    };
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        return fatal(&FatalError::new(format!("cannot write the report: {e}")));
    }
    if diff.is_empty() { EXIT_OK } else { EXIT_FINDINGS }
}

/// `driftgate diff ENV --baseline`: what the environment's render changes against the plain
/// manifests it replaces, with the tolerances of DG601.
fn diff_baseline(args: &DiffArgs) -> u8 {
    let options = LoadOptions {
        root: args.dir.clone(),
        envs: vec![args.a.clone()],
        charts: args.chart.iter().cloned().collect(),
        kube_version: args.kube_version.clone(),
        helm_version: args.helm_version,
        include_crds: false,
        within: None,
    };
    let options = repository_of(&options, false);
    let loaded = match pipeline::load(&options, &BuiltinRules) {
        Ok(loaded) => loaded,
        Err(e) => return fatal(&e),
    };
    let with_baseline: Vec<(&driftgate::model::ChartRun, &driftgate::model::EnvRun)> = loaded
        .project
        .charts
        .iter()
        .flat_map(|c| c.environments.iter().filter(|e| e.name == args.a && e.baseline.is_some()).map(move |e| (c, e)))
        .collect();
    let (chart, env) = match with_baseline.as_slice() {
        [one] => *one,
        [] => {
            return fatal(
                &FatalError::new(format!("environment `{}` declares no `baseline:` directory", args.a))
                    .with_help("add `baseline: DIR` to the environment in driftgate.yaml"),
            );
        }
        several => {
            return fatal(
                &FatalError::new(format!("environment `{}` has a baseline in several charts", args.a)).with_help(
                    format!(
                        "choose one with --chart: {}",
                        several.iter().map(|(c, _)| c.path.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                ),
            );
        }
    };
    if env.render.failed {
        print_failures(env.render.diagnostics.iter());
        return fatal(&FatalError::new(format!("cannot compare `{}` of {}: it does not render", args.a, chart.path)));
    }
    let Some(baseline) = &env.baseline else { return fatal(&FatalError::new("baseline vanished while loading")) };
    for (at, problem) in &baseline.problems {
        eprintln!("warning: {}:{}:{}: {problem}", at.file, at.line, at.column);
    }
    let diff = driftgate::diff::diff_baseline(&loaded.project.sources, chart, env, baseline);
    let text = match args.format {
        ReportFormat::Human => report::diff::human_report(&diff),
        ReportFormat::Json => report::diff::json_report(&diff),
    };
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        return fatal(&FatalError::new(format!("cannot write the report: {e}")));
    }
    if diff.is_empty() && baseline.problems.is_empty() { EXIT_OK } else { EXIT_FINDINGS }
}
