//! The `driftgate` command: parses arguments, calls the library, maps the outcome to an exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
mod commands;

use commands::{CheckArgs, ColorChoice, DiffArgs, Format, RenderArgs, ReportFormat, RulesArgs, TestArgs};
use driftgate::check::{BaselineChoice, ChangeScope, CheckOptions};
use driftgate::diagnostic::Severity;
use driftgate::helm_version::HelmVersion;
use driftgate::pipeline::LoadOptions;
use driftgate::policy::NamespaceSelection;
use driftgate::policy::user::UserPolicyOptions;

/// A pre-deploy gate for Helm charts deployed to several environments: renders every
/// environment and fails on drift between them.
#[derive(Parser)]
#[command(name = "driftgate", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render every environment, run every rule, report, and exit 1 on errors.
    Check {
        /// Repository to check.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormatArg::Human)]
        format: CheckFormatArg,
        /// Write the report to this file instead of standard output (`-`: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Colors in the human report: auto (on a terminal, unless NO_COLOR is set), always, never.
        #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
        color: ColorArg,
        /// Print the findings only: no summary line, nothing when there is no finding.
        #[arg(long, short)]
        quiet: bool,
        /// Also list the findings that ignores and `driftgate:ignore` comments silence, with why.
        #[arg(long)]
        show_suppressed: bool,
        /// Only this environment (repeatable).
        #[arg(long = "env", short = 'e')]
        envs: Vec<String>,
        /// Only this chart, by directory or name (repeatable).
        #[arg(long = "chart", short = 'c')]
        charts: Vec<String>,
        /// Target Kubernetes version, e.g. 1.33 (overrides `kubeVersion` in driftgate.yaml).
        #[arg(long, value_parser = parse_kube_version)]
        kube_version: Option<String>,
        /// Print what this Helm major version's `helm template` prints: 3 (v3.17.2, the default) or
        /// 4 (v4.1.4); overrides `helmVersion` in driftgate.yaml.
        #[arg(long = "helm", value_name = "VERSION", value_parser = parse_helm_version)]
        helm_version: Option<HelmVersion>,
        /// Lowest severity that fails the run.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Worker threads, at least 1 (default: one per core).
        #[arg(long, short, value_parser = parse_jobs)]
        jobs: Option<usize>,
        /// Git revision to compare the working tree with (enables DG402 chart-version-not-bumped).
        #[arg(long, value_name = "REF")]
        base: Option<String>,
        /// Only check charts changed since --base (default HEAD: staged and unstaged changes).
        #[arg(long)]
        changed: bool,
        /// Accept the findings recorded in this baseline file; fail only on new ones (overrides
        /// `baseline:` of driftgate.yaml).
        #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
        baseline: Option<PathBuf>,
        /// Record today's findings in FILE as accepted, instead of reporting them.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["changed", "envs", "charts"])]
        write_baseline: Option<PathBuf>,
        /// Also write the report in FORMAT to FILE (repeatable): `--report sarif=driftgate.sarif`.
        #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report)]
        reports: Vec<(CheckFormatArg, PathBuf)>,
        #[command(flatten)]
        policies: PolicyOptions,
    },
    /// Print the rendered manifests of one environment, like `helm template`.
    Render {
        /// Repository to render from.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The environment to render.
        #[arg(long = "env", short = 'e')]
        env: String,
        /// The chart, by directory or name (needed when the repository has several).
        #[arg(long = "chart", short = 'c')]
        chart: Option<String>,
        /// Target Kubernetes version, e.g. 1.33 (overrides `kubeVersion` in driftgate.yaml).
        #[arg(long, value_parser = parse_kube_version)]
        kube_version: Option<String>,
        /// Print what this Helm major version's `helm template` prints: 3 (v3.17.2, the default) or
        /// 4 (v4.1.4); overrides `helmVersion` in driftgate.yaml.
        #[arg(long = "helm", value_name = "VERSION", value_parser = parse_helm_version)]
        helm_version: Option<HelmVersion>,
        /// Also print the charts' `crds/` files, as `helm template --include-crds` does.
        #[arg(long)]
        include_crds: bool,
    },
    /// What differs between two environments of a chart, per resource and field path.
    #[command(
        override_usage = "driftgate diff [OPTIONS] [DIR] A B\n       driftgate diff [OPTIONS] [DIR] ENV --baseline"
    )]
    Diff {
        /// `[DIR] A B`: the repository (default `.`), the environment compared from and the one
        /// compared to; with `--baseline`, `[DIR] ENV`.
        #[arg(num_args = 1..=3, required = true, value_name = "OPERAND")]
        operands: Vec<String>,
        /// Compare ENV with the plain manifests of its `baseline:` directory (what DG601 checks).
        #[arg(long)]
        baseline: bool,
        /// The chart, by directory or name (needed when several charts have both environments).
        #[arg(long = "chart", short = 'c')]
        chart: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
        /// Target Kubernetes version, e.g. 1.33 (overrides `kubeVersion` in driftgate.yaml).
        #[arg(long, value_parser = parse_kube_version)]
        kube_version: Option<String>,
        /// Print what this Helm major version's `helm template` prints: 3 (v3.17.2, the default) or
        /// 4 (v4.1.4); overrides `helmVersion` in driftgate.yaml.
        #[arg(long = "helm", value_name = "VERSION", value_parser = parse_helm_version)]
        helm_version: Option<HelmVersion>,
    },
    /// List the rules, or explain one.
    Rules {
        /// A rule id such as DG201, or its name.
        id: Option<String>,
        /// Repository whose driftgate.yaml `policies.paths` add user rules.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        policies: PolicyOptions,
    },
    /// Run the Rego unit tests (`test_*` rules of `*_test.rego` files), like `opa test`.
    Test {
        /// Repository (its driftgate.yaml `policies.paths`), or a directory of policies.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// A policy directory or file (repeatable).
        #[arg(long = "policy", short = 'p')]
        policies: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
    },
    /// Print a shell completion script: `driftgate completions bash > /etc/bash_completion.d/driftgate`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `driftgate man > driftgate.1`.
    Man,
}

/// User policies, conftest-style.
#[derive(clap::Args)]
struct PolicyOptions {
    /// A directory (or file) of Rego policies, added to driftgate.yaml's `policies.paths` (repeatable).
    #[arg(long = "policy", short = 'p')]
    policy: Vec<PathBuf>,
    /// A JSON or YAML file loaded under `data` for the policies (repeatable).
    #[arg(long = "data", short = 'd')]
    data: Vec<PathBuf>,
    /// A package whose deny/violation/warn rules run per resource (repeatable; default `main`).
    #[arg(long = "namespace", short = 'n')]
    namespaces: Vec<String>,
    /// Run the rules of every user policy package per resource.
    #[arg(long)]
    all_namespaces: bool,
}

impl PolicyOptions {
    fn into_args(self) -> UserPolicyOptions {
        UserPolicyOptions {
            dirs: self.policy,
            data: self.data,
            namespaces: NamespaceSelection { names: self.namespaces, all: self.all_namespaces },
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormatArg {
    /// Snippets for a terminal.
    Human,
    /// The versioned JSON report.
    Json,
    /// GitHub Actions annotations.
    Github,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// JUnit XML for CI test reports.
    Junit,
    /// GitLab code quality report (merge request widget).
    Codequality,
}

/// `FORMAT=FILE` of `--report`.
fn parse_report(text: &str) -> Result<(CheckFormatArg, PathBuf), String> {
    let formats = "human, json, github, sarif, junit, codequality";
    let Some((format, file)) = text.split_once('=') else {
        return Err(format!("expected FORMAT=FILE, e.g. sarif=driftgate.sarif (formats: {formats})"));
    };
    let format =
        CheckFormatArg::from_str(format, true).map_err(|_| format!("unknown format `{format}` ({formats})"))?;
    if file.is_empty() {
        return Err("the file after `=` is missing".to_string());
    }
    Ok((format, PathBuf::from(file)))
}

impl CheckFormatArg {
    fn format(self) -> Format {
        match self {
            CheckFormatArg::Human => Format::Human,
            CheckFormatArg::Json => Format::Json,
            CheckFormatArg::Github => Format::Github,
            CheckFormatArg::Sarif => Format::Sarif,
            CheckFormatArg::Junit => Format::Junit,
            CheckFormatArg::Codequality => Format::Codequality,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check {
            dir,
            format,
            output,
            color,
            quiet,
            show_suppressed,
            envs,
            charts,
            kube_version,
            helm_version,
            fail_on,
            jobs,
            base,
            changed,
            baseline,
            write_baseline,
            reports,
            policies,
        } => {
            let baseline = match (&write_baseline, baseline) {
                (Some(_), _) => BaselineChoice::Ignore,
                (None, Some(file)) => BaselineChoice::File(file),
                (None, None) => BaselineChoice::Configured,
            };
            commands::check(&CheckArgs {
                options: CheckOptions {
                    load: LoadOptions {
                        root: dir,
                        envs,
                        charts,
                        kube_version,
                        helm_version,
                        include_crds: false,
                        within: None,
                    },
                    changes: ChangeScope { base, changed },
                    policies: policies.into_args(),
                    jobs,
                    baseline,
                },
                format: format.format(),
                output,
                reports: reports.into_iter().map(|(format, file)| (format.format(), file)).collect(),
                write_baseline,
                color: match color {
                    ColorArg::Auto => ColorChoice::Auto,
                    ColorArg::Always => ColorChoice::Always,
                    ColorArg::Never => ColorChoice::Never,
                },
                quiet,
                show_suppressed,
                fail_on: match fail_on {
                    FailOn::Error => Severity::Error,
                    FailOn::Warning => Severity::Warning,
                },
            })
        }
        Command::Render { dir, env, chart, kube_version, helm_version, include_crds } => {
            commands::render(&RenderArgs { dir, env, chart, kube_version, helm_version, include_crds })
        }
        Command::Diff { operands, baseline, chart, format, kube_version, helm_version } => {
            // clap cannot put an optional positional before two required ones; split here.
            let (dir, a, b) = match (operands.as_slice(), baseline) {
                ([a, b], false) => (PathBuf::from("."), a.clone(), b.clone()),
                ([dir, a, b], false) => (PathBuf::from(dir), a.clone(), b.clone()),
                ([env], true) => (PathBuf::from("."), env.clone(), String::new()),
                ([dir, env], true) => (PathBuf::from(dir), env.clone(), String::new()),
                (_, false) => {
                    eprintln!("error: diff takes [DIR] A B");
                    return ExitCode::from(commands::EXIT_FATAL);
                }
                (_, true) => {
                    eprintln!("error: diff --baseline takes [DIR] ENV");
                    return ExitCode::from(commands::EXIT_FATAL);
                }
            };
            commands::diff(&DiffArgs {
                dir,
                a,
                b,
                chart,
                format: match format {
                    FormatArg::Human => ReportFormat::Human,
                    FormatArg::Json => ReportFormat::Json,
                },
                kube_version,
                baseline,
                helm_version,
            })
        }
        Command::Rules { id, dir, policies } => commands::rules(&RulesArgs { id, dir, policies: policies.into_args() }),
        Command::Test { dir, policies, format } => commands::test(&TestArgs {
            dir,
            policies,
            format: match format {
                FormatArg::Human => ReportFormat::Human,
                FormatArg::Json => ReportFormat::Json,
            },
        }),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "driftgate", &mut std::io::stdout());
            commands::EXIT_OK
        }
        Command::Man => match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
            Ok(()) => commands::EXIT_OK,
            Err(e) => commands::fatal(&driftgate::error::FatalError::new(format!("cannot write the man page: {e}"))),
        },
    };
    ExitCode::from(code)
}

/// `--kube-version 1.33` (`v1.33`, `1.33.2`).
fn parse_kube_version(text: &str) -> Result<String, String> {
    match driftgate::config::is_kube_version(text) {
        true => Ok(text.to_string()),
        false => Err(format!("`{text}` is not a Kubernetes version (expected MAJOR.MINOR, e.g. 1.33)")),
    }
}

/// `--jobs N`, N at least 1.
fn parse_jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("at least one worker thread is needed".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{text}` is not a number of threads")),
    }
}

/// `--helm 3` or `--helm 4`.
fn parse_helm_version(text: &str) -> Result<HelmVersion, String> {
    HelmVersion::parse(text).ok_or_else(|| format!("driftgate reproduces Helm {} (got `{text}`)", HelmVersion::CHOICES))
}
