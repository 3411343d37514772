//! Rules and policies: the rule registry, the built-in rules, Rego (regorus) evaluation, and
//! rule configuration. Turns a rendered [`Project`] into sorted [`Diagnostic`]s.
//!
//! Built-in rules that are policies over data live in `policies/*.rego`; rules that are
//! machinery live in [`rules`]. Locations come from [`crate::provenance`].

use std::collections::HashSet;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, Related, ResourceId, Severity};
use crate::git::BaseDiff;
use crate::model::{ChartRun, EnvRun, Project, RenderedResource};
use crate::provenance;

pub(crate) mod gate;
pub mod registry;
pub mod rego;
pub(crate) mod rules;
pub mod schema;
pub use rego::user;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
pub(crate) mod tests;

pub use crate::config::{Date, IgnoreEntry, PolicyConfig, RuleConfig, RuleLevel};
pub use gate::suppress::Suppressions;
pub use gate::{Finding, Gated};
pub use registry::{RuleEngine, RuleInfo, RuleMeta, catalogue, docs_markdown, list_text, lookup};
pub use rego::{
    At, EngineRule, NamespaceSelection, PolicyEngine, PolicyLoadError, PolicySource, PolicyTestResult, RuleScope,
    TestOutcome, run_tests,
};
pub use rules::RuleContext;
pub use schema::policies::{SchemaPolicies, SchemaPolicyConfig};

/// What an evaluation reads besides the project.
#[derive(Clone, Copy)]
pub struct EvalInputs<'a> {
    /// `policies.rules`: severities and ignores.
    pub config: &'a PolicyConfig,
    /// The built-in policies and the user policies, compiled once for the run.
    pub engine: &'a PolicyEngine,
    /// `policies.schemas`, compiled.
    pub schemas: &'a SchemaPolicies,
    /// The working tree's changes since `--base` (DG402 runs only with one).
    pub base: Option<&'a BaseDiff>,
    /// The day `ignore: [{until}]` dates are compared with.
    pub today: Date,
}

/// What evaluating a project found, after configuration.
pub type Evaluation = Gated;

/// Every finding of a project: the findings made while loading and rendering (`loading`, the
/// renderer's own per environment), the Rust rules of [`rules::RUST_RULES`], the engine's
/// policies, the schema policies and DG004 for suppression comments; then severities, ignores
/// and inline suppressions; sorted as [`finish`] does. Charts are evaluated in parallel.
pub fn evaluate(project: &Project, loading: Vec<Diagnostic>, inputs: &EvalInputs) -> Evaluation {
    let config = inputs.config;
    let enabled = |id: &str| config.rules.get(id).is_none_or(|rule| rule.severity != Some(RuleLevel::Off));
    let context = RuleContext { project, base: inputs.base };
    let per_chart: Vec<(Vec<Finding>, usize)> = project
        .charts
        .par_iter()
        .map(|chart| {
            let (mut findings, exceptions) = evaluate_chart(&context, chart, inputs.engine, &enabled);
            findings.extend(inputs.schemas.check_chart(project, chart, &enabled));
            (findings, exceptions)
        })
        .collect();
    let exceptions = per_chart.iter().map(|(_, count)| count).sum();
    let mut findings: Vec<Finding> = per_chart.into_iter().flat_map(|(findings, _)| findings).collect();
    findings.extend(loading.into_iter().map(|diagnostic| Finding::new(with_pipeline_hint(diagnostic))));
    let (suppressions, suppression_findings) = Suppressions::collect(project);
    findings.extend(suppression_findings);
    let mut gated = config.gate(findings, &suppressions, inputs.today);
    gated.diagnostics = finish(gated.diagnostics);
    gated.silenced = finish(gated.silenced);
    gated.exceptions = exceptions;
    gated
}

/// A finding made on the way (loading, rendering) with its rule's hint, when it brings none:
/// the loader and the renderer know what failed, the rule table how to fix it.
fn with_pipeline_hint(mut diagnostic: Diagnostic) -> Diagnostic {
    if diagnostic.help.is_none() {
        diagnostic.help = rules::pipeline_hint(&diagnostic.rule).map(str::to_string);
    }
    diagnostic
}

/// The built-in policies, compiled once per process.
pub fn builtin_engine() -> &'static Result<PolicyEngine, String> {
    static ENGINE: OnceLock<Result<PolicyEngine, String>> = OnceLock::new();
    ENGINE.get_or_init(PolicyEngine::builtin)
}

/// All findings of one chart before configuration (rules it turns off are not run), and the
/// number of exceptions granted on it.
fn evaluate_chart(
    context: &RuleContext,
    chart: &ChartRun,
    engine: &PolicyEngine,
    enabled: &(dyn Fn(&str) -> bool + Sync),
) -> (Vec<Finding>, usize) {
    let project = context.project;
    let mut findings: Vec<Finding> = chart
        .environments
        .iter()
        .flat_map(|env| env.render.diagnostics.iter().map(move |d| (env, d)))
        .map(|(env, diagnostic)| {
            // The renderer knows the template; the chart, environment and hint are known here.
            let mut diagnostic = diagnostic.clone();
            diagnostic.chart.get_or_insert_with(|| chart.path.clone());
            diagnostic.environment.get_or_insert_with(|| env.name.clone());
            let mut diagnostic = with_pipeline_hint(diagnostic);
            relocate_to_origin(project, chart, env, &mut diagnostic);
            Finding { chart_name: Some(chart.name.clone()), ..Finding::new(diagnostic) }
        })
        .collect();
    findings.extend(rules::check_chart(context, chart, enabled));
    let input = rego::chart_input(project, chart);
    for (rule, outcome) in engine.evaluate_enabled(input, enabled) {
        match outcome {
            Ok(results) => findings.extend(results.iter().map(|r| rego_finding(project, chart, rule, r, None))),
            Err(message) => findings.push(Finding::new(failed_rule(chart, None, rule, &message))),
        }
    }
    // Per-resource user rules: each environment on its own worker, from one prepared engine.
    let per_env: Vec<(Vec<Finding>, usize)> =
        chart.environments.par_iter().map(|env| evaluate_environment(project, chart, env, engine, enabled)).collect();
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
    enabled: &(dyn Fn(&str) -> bool + Sync),
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
    let resources: Vec<serde_json::Value> = env.render.resources.iter().map(|r| r.doc.to_json()).collect();
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
        diagnostic.related.push(Related::new(template, "rendered again here"));
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
        at: result.at,
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
        None => rule.info.hint.clone(),
    };
    let mut related_envs = Vec::new();
    for related in &result.related {
        let place = Place {
            env: related.env.as_deref(),
            resource: related.resource.as_ref(),
            path: related.path.as_deref(),
            at: related.at,
            inventory: related.inventory.as_deref(),
            values_path: related.values_path.as_deref(),
        };
        if let (Some(location), _) = locate(project, chart, &place) {
            diagnostic.related.push(Related::new(location, related.msg.clone()));
        }
        if let Some(env) = &related.env {
            if Some(env) != result.env.as_ref() && !related_envs.contains(env) {
                related_envs.push(env.clone());
            }
        }
    }
    // Something missing from an environment: where it would go, next to what the others set.
    if result.at == Some(At::Override) {
        let env = chart.environments.iter().find(|e| Some(&e.name) == result.env.as_ref());
        if let (Some(env), Some(first)) = (env, diagnostic.related.first()) {
            let setter = first.location();
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
    at: Option<At>,
    inventory: Option<&'a str>,
    values_path: Option<&'a [serde_json::Value]>,
}

/// Resolves a place to a file location (via provenance) and the rendered resource's identity.
fn locate(project: &Project, chart: &ChartRun, place: &Place) -> (Option<Location>, Option<ResourceId>) {
    let sources = &project.sources;
    let Some(env) = place.env.and_then(|name| chart.environments.iter().find(|e| e.name == name)) else {
        return (Some(sources.start_of(chart.chart_yaml)), None);
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
    let location = match place.at.unwrap_or_default() {
        At::Override => provenance::override_location(sources, chart, env),
        At::Version => version_location(project, chart, env),
        At::Inventory => inventory_location(project, chart, env, place.inventory),
        At::Values => values_location(project, chart, env, place.values_path.unwrap_or_default()),
        At::Template => match rendered {
            Some(resource) => provenance::path_template_location(sources, chart, env, resource, place.path),
            None => provenance::override_location(sources, chart, env),
        },
        At::Field => match rendered {
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
        (Some(pinned), _) => sources.locate(pinned.at),
        (None, Some(config)) => sources.start_of(config),
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
        Some(node) => project.sources.locate(node.file_span()),
        None => provenance::override_location(&project.sources, chart, env),
    }
}

fn inventory_location(project: &Project, chart: &ChartRun, env: &EnvRun, name: Option<&str>) -> Location {
    let sources = &project.sources;
    let Some(inventory) = &env.secrets else { return provenance::override_location(sources, chart, env) };
    let entry = inventory.secrets.iter().chain(&inventory.config_maps).find(|e| Some(e.name.as_str()) == name);
    match entry {
        Some(entry) => sources.locate(entry.at),
        None => sources.start_of(inventory.file),
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
