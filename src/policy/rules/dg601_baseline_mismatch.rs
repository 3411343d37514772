//! DG601 baseline-mismatch: a rendered environment differs from the plain manifests it is
//! declared to replace (`baseline:` of the environment): the migration proof.

use crate::diagnostic::{Diagnostic, Location, Related, Severity};
use crate::diff::{self, ChangeKind, REDACTED};
use crate::model::{ChartRun, EnvRun};
use crate::policy::gate::Finding;
use crate::policy::registry::RuleMeta;
use crate::policy::rules::RuleContext;

/// The registry entry of DG601.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG601",
    name: "baseline-mismatch",
    default_severity: Severity::Error,
    summary: "A rendered environment differs from its declared baseline manifests.",
    hint: None,
    redacts_values: false,
    docs: r#"## What it does

For an environment with `baseline: DIR` in `driftgate.yaml` (the plain manifests deployed today,
as kept for `kubectl apply`: one or many files, several documents each, `List` kinds), compares
every baseline resource with the environment's render, semantically and with the same matching
as `driftgate diff` (resources by apiVersion, kind, namespace and name; containers and env vars
by name; other lists by index). Each difference is a finding at its field path with both
places: the values or template line that produced the rendered side, and the manifest line.
A resource only in the baseline, or only in the render, is a finding too; so is a baseline
document that is not a Kubernetes resource or does not parse.

Differences that change nothing in the cluster are tolerated: key order and quoting; a number
against a string of the same text (`8080` / `"8080"`, as int-or-string fields read them); an
empty map, list or `null` against an absent field; fields the cluster writes (`status`,
`metadata.uid`, `resourceVersion`, `creationTimestamp`, `generation`, `managedFields`, the
`last-applied-configuration` annotation); and, with `baselineIgnore: [helm-labels]`, the labels
and annotations Helm itself adds (`helm.sh/chart`, `app.kubernetes.io/managed-by`,
`meta.helm.sh/release-name`, `meta.helm.sh/release-namespace`). Values of Secrets and of
credential-looking env vars are compared, never printed.

## Why it matters

Moving from hand-kept per-cluster YAML to one chart with small overrides is safe only when the
chart renders what runs now. This rule is that proof, per environment, on every commit.

## Example

```yaml
      prod-iowa: { values: [values-prod.yaml, values-prod-iowa.yaml],
                   baseline: legacy/iowa-a/bedrock/ }
```

with `replicas: 6` in `legacy/iowa-a/bedrock/deployment.yaml` and `replicaCount: 4` in
`values-prod-iowa.yaml` reports `Deployment/bedrock-web spec.replicas is 4 in prod-iowa, 6 in
the baseline`, at the values line, with the manifest line as related place.

## Fix

Change the values (or the template) until the render matches, or change the baseline manifest
when the render is what should run.
"#,
};

/// `a.b[c]` -> `a.b`, `a.b` -> `a`; `None` at the top.
fn parent_path(path: &str) -> Option<&str> {
    let cut = if path.ends_with(']') { path.rfind('[')? } else { path.rfind('.')? };
    (cut > 0).then(|| &path[..cut])
}

/// Compares every environment of `chart` that declares a baseline with it.
pub fn check(context: &RuleContext, chart: &ChartRun) -> Vec<Finding> {
    let mut findings = Vec::new();
    for env in &chart.environments {
        if let Some(baseline) = &env.baseline {
            if !env.render.failed {
                findings.extend(check_env(context, chart, env, baseline));
            }
        }
    }
    findings
}

fn check_env(
    context: &RuleContext,
    chart: &ChartRun,
    env: &EnvRun,
    baseline: &crate::model::BaselineManifests,
) -> Vec<Finding> {
    let sources = &context.project.sources;
    let finding = |message: String, location: Location, related: Vec<Related>, resource, path: Option<String>| {
        let mut diagnostic = Diagnostic::new(RULE.id, RULE.name, RULE.default_severity, message);
        diagnostic.chart = Some(chart.path.clone());
        diagnostic.environment = Some(env.name.clone());
        diagnostic.resource = resource;
        diagnostic.path = path;
        diagnostic.location = Some(location);
        diagnostic.related = related;
        diagnostic.help = Some(format!(
            "change the values or templates until {} renders what {} holds, or update the baseline",
            env.name, baseline.dir
        ));
        let mut finding = Finding::new(diagnostic);
        finding.chart_name = Some(chart.name.clone());
        finding
    };
    let mut findings: Vec<Finding> = baseline
        .problems
        .iter()
        .map(|(at, message)| {
            finding(format!("baseline of {}: {message}", env.name), at.clone(), Vec::new(), None, None)
        })
        .collect();
    let compared = diff::diff_baseline(sources, chart, env, baseline);
    for resource in &compared.resources {
        let id = Some(resource.id.clone());
        match resource.kind {
            ChangeKind::Removed => findings.push(finding(
                format!("{} is in the baseline {} but {} does not render it", resource.id, baseline.dir, env.name),
                resource.location.clone().unwrap_or_else(|| Location::start_of(baseline.dir.clone())),
                Vec::new(),
                id,
                None,
            )),
            ChangeKind::Added => findings.push(finding(
                format!("{} renders {}, which the baseline {} does not have", env.name, resource.id, baseline.dir),
                resource.location.clone().unwrap_or_else(|| sources.start_of(chart.chart_yaml)),
                Vec::new(),
                id,
                None,
            )),
            ChangeKind::Changed => {
                for field in &resource.fields {
                    let change = &field.change;
                    let shown = |node: Option<&crate::yaml::Node>| match node {
                        Some(_) if field.redacted => REDACTED.to_string(),
                        Some(node) => diff::show_value(node),
                        None => String::new(),
                    };
                    let (a, b) = (shown(change.a), shown(change.b));
                    let message = match change.kind {
                        ChangeKind::Changed => format!(
                            "{} {} is {b} in {}, {a} in the baseline{}",
                            resource.id,
                            change.path,
                            env.name,
                            if field.redacted { " (values differ)" } else { "" }
                        ),
                        ChangeKind::Removed => {
                            format!(
                                "{} {} is {a} in the baseline but not set in {}",
                                resource.id, change.path, env.name
                            )
                        }
                        ChangeKind::Added => {
                            format!(
                                "{} {} is {b} in {} but not set in the baseline",
                                resource.id, change.path, env.name
                            )
                        }
                    };
                    // The line to fix is the render's; the manifest line explains it. For secret
                    // material both places are the resources' first lines, whose snippets hold no value.
                    let rendered_resource = env.render.resources.iter().find(|r| r.id == resource.id);
                    let resource_start = || match rendered_resource {
                        Some(r) => crate::provenance::resource_location(sources, chart, env, r),
                        None => sources.start_of(chart.chart_yaml),
                    };
                    // A field only the baseline has is added where its parent is rendered.
                    let parent = || {
                        let r = rendered_resource?;
                        let parent = parent_path(&change.path)?;
                        Some(crate::provenance::field_location(sources, chart, env, r, parent))
                    };
                    let location = match (&field.b_location, field.redacted) {
                        (Some(at), false) => at.clone(),
                        (None, false) => parent().unwrap_or_else(resource_start),
                        _ => resource_start(),
                    };
                    let baseline_start = baseline
                        .resources
                        .iter()
                        .find(|r| r.id == resource.id)
                        .map(|r| sources.locate(r.doc.file_span()));
                    let related = match (&field.a_location, field.redacted) {
                        (Some(at), false) => vec![Related::new(at.clone(), "in the baseline")],
                        _ => baseline_start.map(|at| Related::new(at, "in the baseline")).into_iter().collect(),
                    };
                    findings.push(finding(message, location, related, id.clone(), Some(change.path.clone())));
                }
            }
        }
    }
    findings
}
