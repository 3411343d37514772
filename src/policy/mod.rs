//! Rules and policies: the rule registry, the built-in rules, Rego (regorus) evaluation, and
//! rule configuration. Turns a rendered [`Project`] into sorted [`Diagnostic`]s.
//!
//! Built-in rules that are policies over data live in `policies/*.rego`; rules that are
//! machinery live in [`rules`]. Locations come from [`crate::provenance`].

use std::collections::HashSet;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, Related, ResourceId, Severity};
use crate::model::{ChartRun, EnvRun, Project};
use crate::provenance;

pub mod config;
pub mod metadata;
pub mod registry;
pub mod rego;
pub mod rules;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

pub use config::{Finding, IgnoreEntry, PolicyConfig, RuleConfig, RuleLevel};
pub use registry::{RuleEngine, RuleInfo, RuleMeta, catalogue, docs_markdown, list_text, lookup};
pub use rego::PolicyEngine;
pub use rules::dg001_render_error::render_error;
pub use rules::dg003_invalid_manifest::invalid_manifest;

/// Evaluates every rule on every chart (in parallel), adds the renderer's DG001/DG003 findings,
/// applies `config`, and returns the diagnostics sorted by file, line, column and rule.
pub fn evaluate(project: &Project, config: &PolicyConfig) -> Vec<Diagnostic> {
    let engine = builtin_engine();
    let findings: Vec<Finding> = project
        .charts
        .par_iter()
        .flat_map_iter(|chart| match engine {
            Ok(engine) => evaluate_chart(project, chart, engine),
            Err(message) => vec![Finding::new(policy_error(chart, message.clone()))],
        })
        .collect();
    finish(config.apply(findings))
}

/// The built-in policies, compiled once per process.
fn builtin_engine() -> &'static Result<PolicyEngine, String> {
    static ENGINE: OnceLock<Result<PolicyEngine, String>> = OnceLock::new();
    ENGINE.get_or_init(PolicyEngine::builtin)
}

/// All findings of one chart, before configuration is applied.
pub fn evaluate_chart(project: &Project, chart: &ChartRun, engine: &PolicyEngine) -> Vec<Finding> {
    let mut findings: Vec<Finding> = chart
        .environments
        .iter()
        .flat_map(|env| env.render.diagnostics.iter().cloned())
        .map(|diagnostic| Finding { chart_name: Some(chart.name.clone()), ..Finding::new(diagnostic) })
        .collect();
    findings.extend(rules::check_chart(project, chart));
    let input = rego::chart_input(project, chart);
    for (rule_id, outcome) in engine.evaluate(input) {
        let Some(rule) = lookup(&rule_id) else { continue };
        match outcome {
            Ok(results) => findings.extend(results.iter().map(|r| rego_finding(project, chart, rule, r))),
            Err(message) => {
                let mut diagnostic = policy_error(chart, format!("policy {rule_id} failed: {message}"));
                diagnostic.rule = rule.id.clone();
                diagnostic.name = rule.name.clone();
                findings.push(Finding::new(diagnostic));
            }
        }
    }
    findings
}

/// A policy that could not be evaluated: reported, never silently skipped.
fn policy_error(chart: &ChartRun, message: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::new("DG000", "policy-error", Severity::Error, message);
    diagnostic.chart = Some(chart.path.clone());
    diagnostic
}

/// Turns one Rego result into a located finding.
fn rego_finding(project: &Project, chart: &ChartRun, rule: &RuleInfo, result: &rego::RegoFinding) -> Finding {
    let mut diagnostic = Diagnostic::new(&rule.id, &rule.name, rule.default_severity, result.msg.clone());
    diagnostic.chart = Some(chart.path.clone());
    diagnostic.environment = result.env.clone();
    diagnostic.path = result.path.clone();
    let place = Place {
        env: result.env.as_deref(),
        resource: result.resource.as_ref(),
        path: result.path.as_deref(),
        at: result.at.as_deref(),
        inventory: result.inventory.as_deref(),
    };
    let (location, resource) = locate(project, chart, &place);
    diagnostic.location = location;
    diagnostic.resource = resource;
    diagnostic.help = rule_hint(rule);
    let mut related_envs = Vec::new();
    for related in &result.related {
        let place = Place {
            env: related.env.as_deref(),
            resource: related.resource.as_ref(),
            path: related.path.as_deref(),
            at: related.at.as_deref(),
            inventory: related.inventory.as_deref(),
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
    Finding { diagnostic, subject: result.name.clone(), related_envs, chart_name: Some(chart.name.clone()) }
}

/// The one-line fix hint of a rule (from its METADATA `custom.hint`).
fn rule_hint(rule: &RuleInfo) -> Option<String> {
    metadata::builtin_policies()
        .iter()
        .find(|p| p.metadata.id == rule.id)
        .and_then(|p| p.metadata.hint.clone())
}

/// What a policy result names as the place of a finding.
struct Place<'a> {
    env: Option<&'a str>,
    resource: Option<&'a rego::ResourceRef>,
    path: Option<&'a str>,
    at: Option<&'a str>,
    inventory: Option<&'a str>,
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

fn inventory_location(project: &Project, chart: &ChartRun, env: &EnvRun, name: Option<&str>) -> Location {
    let sources = &project.sources;
    let Some(inventory) = &env.secrets else { return provenance::override_location(sources, chart, env) };
    let entry = inventory.secrets.iter().chain(&inventory.config_maps).find(|e| Some(e.name.as_str()) == name);
    match entry {
        Some(entry) => provenance::span_location(sources, entry.at.file, entry.at.span),
        None => Location::point(sources.path(inventory.file), 1, 1),
    }
}

/// Drops repeats (the same finding in several environments that share its origin) and sorts.
/// Drops duplicate findings and sorts by file, line, column, rule and message.
pub fn finish(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    let mut unique: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| {
            let key = (d.rule.clone(), d.location.clone(), d.message.clone(), d.resource.clone(), d.path.clone(), d.chart.clone());
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
