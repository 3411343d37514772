//! Rules and policies: the rule registry, the built-in rules, Rego (regorus) evaluation, and
//! rule configuration. Turns a rendered [`Project`] into sorted [`Diagnostic`]s.
//!
//! Built-in rules that are policies over data live in `policies/*.rego`; rules that are
//! machinery live in [`rules`]. Locations come from [`crate::provenance`].

use std::collections::HashSet;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, Related, ResourceId, Severity};
use crate::model::{ChartRun, EnvRun, Project, RenderedResource};
use crate::provenance;

pub mod config;
pub mod crd_schema;
pub mod k8s_schema;
pub mod metadata;
pub mod registry;
pub mod rego;
pub mod rules;
pub mod schema_policy;
pub mod suppress;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
pub mod user;

pub use config::{Date, Finding, Gated, IgnoreEntry, PolicyConfig, RuleConfig, RuleLevel};
pub use registry::{RuleEngine, RuleInfo, RuleMeta, catalogue, docs_markdown, list_text, lookup};
pub use rego::{
    EngineRule, NamespaceSelection, PolicyEngine, PolicyLoadError, PolicySource, PolicyTestResult, RuleScope,
    TestOutcome, run_tests,
};
pub use rules::dg001_render_error::render_error;
pub use rules::dg002_invalid_values::invalid_values;
pub use rules::dg003_invalid_manifest::invalid_manifest;
pub use schema_policy::{SchemaPolicies, SchemaPolicyConfig};
pub use suppress::Suppressions;

/// Evaluates the built-in rules on every chart (in parallel), adds the renderer's DG001/DG003
/// findings, applies `config`, and returns the diagnostics sorted by file, line, column and rule.
pub fn evaluate(project: &Project, config: &PolicyConfig) -> Vec<Diagnostic> {
    match builtin_engine() {
        Ok(engine) => evaluate_with(project, config, engine),
        Err(message) => {
            let findings =
                project.charts.iter().map(|chart| Finding::new(policy_error(chart, message.clone()))).collect();
            finish(config.apply(findings))
        }
    }
}

/// [`evaluate`] with a given engine, e.g. the built-ins plus user policies
/// ([`PolicyEngine::add_user_policies`]).
pub fn evaluate_with(project: &Project, config: &PolicyConfig, engine: &PolicyEngine) -> Vec<Diagnostic> {
    evaluate_counted(project, config, engine).diagnostics
}

/// What evaluating a project found.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Sorted, with `config` applied.
    pub diagnostics: Vec<Diagnostic>,
    /// Rule evaluations that a conftest `exception` rule exempted (one per rule and resource).
    pub exceptions: usize,
}

/// [`evaluate_with`], also counting the exceptions user policies granted.
pub fn evaluate_counted(project: &Project, config: &PolicyConfig, engine: &PolicyEngine) -> Evaluation {
    let per_chart: Vec<(Vec<Finding>, usize)> =
        project.charts.par_iter().map(|chart| evaluate_chart_counted(project, chart, engine, config)).collect();
    let exceptions = per_chart.iter().map(|(_, count)| count).sum();
    let findings = per_chart.into_iter().flat_map(|(findings, _)| findings).collect();
    Evaluation { diagnostics: finish(config.apply(findings)), exceptions }
}

/// What a `check` run adds to the rules every evaluation runs.
#[derive(Debug)]
pub struct GateInputs<'a> {
    /// `policies.schemas`, compiled.
    pub schemas: &'a SchemaPolicies,
    /// The working tree's changes since `--base` (DG402 runs only with one).
    pub base: Option<&'a crate::git::BaseDiff>,
    /// The day `ignore: [{until}]` dates are compared with.
    pub today: Date,
}

/// Every finding of a `check` run after configuration, and how many were suppressed: the
/// built-in rules and `engine`'s policies (the built-ins when `None`), the findings made while
/// loading (`loading`), schema policies, DG402 when there is a base, DG004 for suppression
/// comments; then severities, ignores and inline suppressions; sorted as [`finish`] does.
pub fn evaluate_gated(
    project: &Project,
    config: &PolicyConfig,
    engine: Option<&PolicyEngine>,
    loading: Vec<Diagnostic>,
    inputs: &GateInputs,
) -> Gated {
    let engine = match engine {
        Some(engine) => Ok(engine),
        None => builtin_engine().as_ref().map_err(String::clone),
    };
    let enabled = |id: &str| config.rules.get(id).is_none_or(|rule| rule.severity != Some(RuleLevel::Off));
    let per_chart: Vec<(Vec<Finding>, usize)> = project
        .charts
        .par_iter()
        .map(|chart| {
            let (mut findings, exceptions) = match &engine {
                Ok(engine) => evaluate_chart_counted(project, chart, engine, config),
                Err(message) => (vec![Finding::new(policy_error(chart, message.clone()))], 0),
            };
            findings.extend(inputs.schemas.check_chart(project, chart, &enabled));
            if let Some(base) = inputs.base.filter(|_| enabled(rules::dg402_chart_version_not_bumped::RULE.id)) {
                findings.extend(rules::dg402_chart_version_not_bumped::check(project, chart, base));
            }
            (findings, exceptions)
        })
        .collect();
    let exceptions = per_chart.iter().map(|(_, count)| count).sum();
    let mut findings: Vec<Finding> = per_chart.into_iter().flat_map(|(findings, _)| findings).collect();
    findings.extend(loading.into_iter().map(Finding::new));
    let (suppressions, suppression_findings) = Suppressions::collect(project);
    findings.extend(suppression_findings);
    let mut gated = config.gate(findings, &suppressions, inputs.today);
    gated.diagnostics = finish(gated.diagnostics);
    gated.exceptions = exceptions;
    gated
}

/// The built-in policies, compiled once per process.
pub fn builtin_engine() -> &'static Result<PolicyEngine, String> {
    static ENGINE: OnceLock<Result<PolicyEngine, String>> = OnceLock::new();
    ENGINE.get_or_init(PolicyEngine::builtin)
}

/// All findings of one chart, before `config` is applied (rules it turns off are not run).
pub fn evaluate_chart(
    project: &Project,
    chart: &ChartRun,
    engine: &PolicyEngine,
    config: &PolicyConfig,
) -> Vec<Finding> {
    evaluate_chart_counted(project, chart, engine, config).0
}

/// [`evaluate_chart`] and the number of exceptions granted on it.
fn evaluate_chart_counted(
    project: &Project,
    chart: &ChartRun,
    engine: &PolicyEngine,
    config: &PolicyConfig,
) -> (Vec<Finding>, usize) {
    let enabled = |id: &str| config.rules.get(id).is_none_or(|rule| rule.severity != Some(RuleLevel::Off));
    let mut findings: Vec<Finding> = chart
        .environments
        .iter()
        .flat_map(|env| env.render.diagnostics.iter().map(move |d| (env, d)))
        .map(|(env, diagnostic)| {
            // The renderer knows the template; the chart, environment and hint are known here.
            let mut diagnostic = diagnostic.clone();
            diagnostic.chart.get_or_insert_with(|| chart.path.clone());
            diagnostic.environment.get_or_insert_with(|| env.name.clone());
            if diagnostic.help.is_none() {
                diagnostic.help = rules::renderer_hint(&diagnostic.rule).map(str::to_string);
            }
            relocate_to_origin(project, chart, env, &mut diagnostic);
            Finding { chart_name: Some(chart.name.clone()), ..Finding::new(diagnostic) }
        })
        .collect();
    findings.extend(rules::check_chart(project, chart, &enabled));
    let input = rego::chart_input(project, chart);
    for (rule, outcome) in engine.evaluate_enabled(input, &enabled) {
        match outcome {
            Ok(results) => findings.extend(results.iter().map(|r| rego_finding(project, chart, rule, r, None))),
            Err(message) => findings.push(Finding::new(failed_rule(chart, None, rule, &message))),
        }
    }
    // Per-resource user rules: each environment on its own worker, from one prepared engine.
    let per_env: Vec<(Vec<Finding>, usize)> =
        chart.environments.par_iter().map(|env| evaluate_environment(project, chart, env, engine, &enabled)).collect();
    let mut exceptions = 0;
    for (env_findings, env_exceptions) in per_env {
        findings.extend(env_findings);
        exceptions += env_exceptions;
    }
    (findings, exceptions)
}

/// The per-resource rules on every resource of one environment.
fn evaluate_environment(
    project: &Project,
    chart: &ChartRun,
    env: &EnvRun,
    engine: &PolicyEngine,
    enabled: &dyn Fn(&str) -> bool,
) -> (Vec<Finding>, usize) {
    if !engine.rules().iter().any(|r| r.scope == RuleScope::Resource) {
        return (Vec::new(), 0);
    }
    let context = serde_json::json!({
        "chart": chart.path,
        "chart_name": chart.name,
        "environment": env.name,
        "stage": env.stage,
    });
    let resources: Vec<serde_json::Value> = env.render.resources.iter().map(|r| rego::node_to_json(&r.doc)).collect();
    let results = engine.evaluate_resources(context, &resources);
    let mut findings = Vec::new();
    for (rule, index, outcome) in results.outcomes {
        if !enabled(&rule.info.id) {
            continue;
        }
        let resource = env.render.resources.get(index);
        match outcome {
            Ok(results) => findings.extend(results.iter().map(|result| {
                let mut result = result.clone();
                result.env.get_or_insert_with(|| env.name.clone());
                if result.resource.is_none() {
                    result.resource = resource.map(|r| rego::ResourceRef::from(&r.id));
                }
                rego_finding(project, chart, rule, &result, resource)
            })),
            Err(message) => {
                let mut diagnostic = failed_rule(chart, Some(env), rule, &message);
                if let Some(rendered) = resource {
                    diagnostic.location = Some(provenance::resource_location(&project.sources, chart, env, rendered));
                    diagnostic.resource = Some(rendered.id.clone());
                }
                findings.push(Finding::new(diagnostic));
            }
        }
    }
    (findings, results.exceptions.len())
}

/// A rule that failed to evaluate on a chart: reported under the rule's id, never skipped.
fn failed_rule(chart: &ChartRun, env: Option<&EnvRun>, rule: &rego::EngineRule, message: &str) -> Diagnostic {
    let mut diagnostic = policy_error(chart, format!("policy {} failed: {message}", rule.info.id));
    diagnostic.rule = rule.info.id.clone();
    diagnostic.name = rule.info.name.clone();
    diagnostic.environment = env.map(|e| e.name.clone());
    diagnostic
}

/// Diagnostics for user policies that could not be loaded.
pub fn load_errors_to_diagnostics(errors: &[rego::PolicyLoadError]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|err| {
            let mut diagnostic = Diagnostic::new("DG000", "policy-error", Severity::Error, err.message.clone());
            if !err.file.is_empty() {
                diagnostic.location = Some(Location::point(err.file.clone(), err.line.max(1), err.column.max(1)));
            }
            diagnostic
        })
        .collect()
}

/// A renderer finding about a field of a rendered resource (a repeated `metadata.name`) points
/// at where that field's value comes from; the template place becomes related information.
fn relocate_to_origin(project: &Project, chart: &ChartRun, env: &EnvRun, diagnostic: &mut Diagnostic) {
    let (Some(id), Some(path)) = (&diagnostic.resource, &diagnostic.path) else { return };
    let Some(resource) = provenance::find_resource(env, id) else { return };
    let origin = provenance::field_location(&project.sources, chart, env, resource, path);
    if diagnostic.location.as_ref() == Some(&origin) {
        return;
    }
    if let Some(template) = diagnostic.location.replace(origin) {
        diagnostic.related.push(Related {
            file: template.file,
            line: template.line,
            column: template.column,
            message: "rendered again here".to_string(),
        });
    }
}

/// A policy that could not be evaluated: reported, never silently skipped.
fn policy_error(chart: &ChartRun, message: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::new("DG000", "policy-error", Severity::Error, message);
    diagnostic.chart = Some(chart.path.clone());
    diagnostic
}

/// Turns one Rego result into a located finding; `resource` is the input of a per-resource rule.
fn rego_finding(
    project: &Project,
    chart: &ChartRun,
    rule: &rego::EngineRule,
    result: &rego::RegoFinding,
    resource: Option<&RenderedResource>,
) -> Finding {
    let severity = match result.severity.as_deref() {
        Some("error") => Severity::Error,
        Some("warning") => Severity::Warning,
        Some("info") => Severity::Info,
        _ => rule.severity,
    };
    let mut diagnostic = Diagnostic::new(&rule.info.id, &rule.info.name, severity, result.msg.clone());
    diagnostic.chart = Some(chart.path.clone());
    diagnostic.environment = result.env.clone();
    diagnostic.path = result.path.clone();
    let place = Place {
        env: result.env.as_deref(),
        resource: result.resource.as_ref(),
        path: result.path.as_deref(),
        at: result.at.as_deref(),
        inventory: result.inventory.as_deref(),
        values_path: result.values_path.as_deref(),
    };
    let (location, resource_id) = match (resource, &result.path, &result.at) {
        // A per-resource result without a field: the template that wrote the resource.
        (Some(rendered), None, None) => {
            let env = chart.environments.iter().find(|e| Some(&e.name) == result.env.as_ref());
            let location = env.map(|env| provenance::resource_location(&project.sources, chart, env, rendered));
            (location, Some(rendered.id.clone()))
        }
        _ => locate(project, chart, &place),
    };
    diagnostic.location = location;
    diagnostic.resource = resource_id;
    diagnostic.help = match &result.details {
        // conftest `violation` details, shown as the policy gave them.
        Some(details) => Some(format!("details: {details}")),
        None => rule.hint.clone(),
    };
    let mut related_envs = Vec::new();
    for related in &result.related {
        let place = Place {
            env: related.env.as_deref(),
            resource: related.resource.as_ref(),
            path: related.path.as_deref(),
            at: related.at.as_deref(),
            inventory: related.inventory.as_deref(),
            values_path: related.values_path.as_deref(),
        };
        if let (Some(location), _) = locate(project, chart, &place) {
            diagnostic.related.push(Related {
                file: location.file,
                line: location.line,
                column: location.column,
                message: related.msg.clone(),
            });
        }
        if let Some(env) = &related.env {
            if Some(env) != result.env.as_ref() && !related_envs.contains(env) {
                related_envs.push(env.clone());
            }
        }
    }
    // Something missing from an environment: where it would go, next to what the others set.
    if result.at.as_deref() == Some("override") {
        let env = chart.environments.iter().find(|e| Some(&e.name) == result.env.as_ref());
        if let (Some(env), Some(first)) = (env, diagnostic.related.first()) {
            let setter = Location::point(first.file.clone(), first.line, first.column);
            diagnostic.location = Some(provenance::counterpart_location(&project.sources, chart, env, &setter));
        }
    }
    Finding { diagnostic, subject: result.name.clone(), related_envs, chart_name: Some(chart.name.clone()) }
}

/// What a policy result names as the place of a finding.
struct Place<'a> {
    env: Option<&'a str>,
    resource: Option<&'a rego::ResourceRef>,
    path: Option<&'a str>,
    at: Option<&'a str>,
    inventory: Option<&'a str>,
    values_path: Option<&'a [serde_json::Value]>,
}

/// Resolves a place to a file location (via provenance) and the rendered resource's identity.
fn locate(project: &Project, chart: &ChartRun, place: &Place) -> (Option<Location>, Option<ResourceId>) {
    let sources = &project.sources;
    let Some(env) = place.env.and_then(|name| chart.environments.iter().find(|e| e.name == name)) else {
        return (Some(Location::point(sources.path(chart.chart_yaml), 1, 1)), None);
    };
    let rendered = place.resource.and_then(|r| {
        let id = ResourceId {
            api_version: r.api_version.clone(),
            kind: r.kind.clone(),
            namespace: (!r.namespace.is_empty()).then(|| r.namespace.clone()),
            name: r.name.clone(),
        };
        provenance::find_resource(env, &id)
    });
    let resource_id = rendered.map(|r| r.id.clone());
    let location = match place.at.unwrap_or("field") {
        "override" => provenance::override_location(sources, chart, env),
        "version" => version_location(project, chart, env),
        "inventory" => inventory_location(project, chart, env, place.inventory),
        "values" => values_location(project, chart, env, place.values_path.unwrap_or_default()),
        "template" => match rendered {
            Some(resource) => provenance::path_template_location(sources, chart, env, resource, place.path),
            None => provenance::override_location(sources, chart, env),
        },
        _ => match rendered {
            Some(resource) => {
                provenance::field_location(sources, chart, env, resource, place.path.unwrap_or("metadata.name"))
            }
            None => provenance::override_location(sources, chart, env),
        },
    };
    (Some(location), resource_id)
}

fn version_location(project: &Project, chart: &ChartRun, env: &EnvRun) -> Location {
    let sources = &project.sources;
    match (&env.version, project.config_file) {
        (Some(pinned), _) => provenance::span_location(sources, pinned.at.file, pinned.at.span),
        (None, Some(config)) => Location::point(sources.path(config), 1, 1),
        (None, None) => provenance::override_location(sources, chart, env),
    }
}

fn values_location(project: &Project, chart: &ChartRun, env: &EnvRun, path: &[serde_json::Value]) -> Location {
    let path: Vec<String> = path
        .iter()
        .map(|step| match step {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    match provenance::lookup_values(&env.values, &path) {
        Some(node) => provenance::span_location(&project.sources, node.file, node.span),
        None => provenance::override_location(&project.sources, chart, env),
    }
}

fn inventory_location(project: &Project, chart: &ChartRun, env: &EnvRun, name: Option<&str>) -> Location {
    let sources = &project.sources;
    let Some(inventory) = &env.secrets else { return provenance::override_location(sources, chart, env) };
    let entry = inventory.secrets.iter().chain(&inventory.config_maps).find(|e| Some(e.name.as_str()) == name);
    match entry {
        Some(entry) => provenance::span_location(sources, entry.at.file, entry.at.span),
        None => Location::point(sources.path(inventory.file), 1, 1),
    }
}

/// Drops duplicate findings (same rule, chart, location and message) and sorts by file, line,
/// column, rule and message.
pub fn finish(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    let mut unique: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| {
            // Containers or environments sharing one origin give one finding, not one each.
            let key = (d.rule.clone(), d.chart.clone(), d.location.clone(), d.message.clone());
            seen.insert(key)
        })
        .collect();
    unique.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    unique
}

fn sort_key(d: &Diagnostic) -> (bool, &str, u32, u32, &str, &str, Option<&str>) {
    let (file, line, column) = d.location.as_ref().map_or(("", 0, 0), |l| (l.file.as_str(), l.line, l.column));
    (d.location.is_none(), file, line, column, d.rule.as_str(), d.message.as_str(), d.environment.as_deref())
}
