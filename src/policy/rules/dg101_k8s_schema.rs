//! DG101 k8s-schema: a rendered resource does not match the Kubernetes schema of the target version.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, Related, Severity};
use crate::model::{ChartRun, EnvRun, Project, RenderedResource};
use crate::policy::gate::Finding;
use crate::policy::registry::RuleMeta;
use crate::policy::rules::RuleContext;
use crate::policy::schema::crd::{self as crd_schema, CrdCatalog, CrdVersion, UnreadFile};
use crate::policy::schema::kubernetes::{self as k8s_schema, JsonStep, Problem, Validation, Violation};
use crate::provenance;
use crate::source::{FileSpan, Span};
use crate::yaml::{Key, Node, NodeValue};

use super::dg102_deprecated_api;

/// The registry entry of DG101.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG101",
    name: "k8s-schema",
    default_severity: Severity::Error,
    summary: "A resource does not match the Kubernetes schema of the target version.",
    hint: None,
    redacts_values: false,
    docs: r#"## What it does

Validates every rendered resource of every environment against the Kubernetes schema of the
target version (`kubeVersion` in `driftgate.yaml`, `--kube-version`, default 1.33), in its strict
form: unknown fields are errors, as `kubectl apply --validate=strict` makes them. Each problem is
reported where it can be fixed: the values line that supplied a wrong value, or the template
line that wrote a misspelled field. Integer-or-string fields (`targetPort`, `maxSurge`) and
quantities (`cpu: 0.5`, `memory: 128Mi`) accept numbers and strings, as Kubernetes does.

Schemas for Kubernetes 1.25 to 1.37 ship inside driftgate (from the kubernetes-validate
project); an older or newer target is checked against the nearest bundled version, and the rule
says so once. Removed APIs are DG102's business and are not reported twice. Problems in a
Secret's `data` are reported at the template, never at a values line.

### Custom resources

A custom resource (a `ServiceMonitor`, a `Certificate`...) is checked against the
`openAPIV3Schema` of its CustomResourceDefinition (`apiextensions.k8s.io/v1`): the version
entry named by the resource's `apiVersion`, if it is `served`. The definition is looked for, in
this order, among the resources the chart renders for that environment, in the chart's `crds/`
directory, and in the directories listed in `driftgate.yaml`:

```yaml
kubernetes:
  crds: [crds/]     # relative to the repository; YAML files with one or more definitions
```

Definitions are read only when a chart renders a kind without a bundled schema, so charts
without custom resources cost nothing. The check follows the API server: unknown fields are
errors unless the schema sets `x-kubernetes-preserve-unknown-fields` (or `additionalProperties`
describes them); `apiVersion`, `kind` and `metadata` are always known, and `metadata` is checked
as the ObjectMeta it is; `x-kubernetes-int-or-string` accepts integers and strings;
`x-kubernetes-embedded-resource` objects may carry `apiVersion`, `kind` and `metadata`; a
`null` field that is not `nullable` is pruned by the server, so it counts as absent; a
`required` field with a `default` is never missing. `type`, `enum`, `pattern`, `minimum`,
`maximum` (and their exclusive forms), `multipleOf`, `minLength`, `maxLength`, `minItems`,
`maxItems`, `uniqueItems`, `minProperties`, `maxProperties`, `allOf`, `anyOf`, `oneOf` and `not`
are checked; `format` and CEL rules (`x-kubernetes-validations`) are not. A pattern the checker
cannot compile (look-around) rejects nothing.

A kind with neither a bundled schema nor a definition (a custom resource whose definition
driftgate was not shown, or an API the version no longer serves) is not checked: the rule reports
that once per kind as info, naming where it looked, so a skipped check is never mistaken for a
passed one; silence it for a kind with `DG101: { ignore: [ { name: ServiceMonitor } ] }`.

## Why it matters

Helm renders whatever the templates print; the API server rejects it at deploy time, or, for a
misspelled optional field, silently drops it. A quoted number (`replicas: "3"`) or an
`imagePullPolicyy` typo in one environment's override passes `helm template` and fails the
prod rollout.

## Example

```yaml
# templates/deployment.yaml
spec:
  replicas: {{ .Values.replicaCount | quote }}
  template:
    spec:
      containers:
        - name: web
          imagePullPolicyy: Always
```

reports `spec.replicas: expected integer, got string` at the values line that sets
`replicaCount`, and `spec.template.spec.containers[0]: unknown field imagePullPolicyy` at the
template line, with the hint "did you mean `imagePullPolicy`?".

## Fix

```yaml
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: web
          imagePullPolicy: Always
```
"#,
};

/// Validates every rendered resource of `chart` (in parallel) and reports each violation at its
/// origin; kinds without a schema are reported once each as info.
pub fn check(context: &RuleContext, chart: &ChartRun) -> Vec<Finding> {
    let project = context.project;
    let Some(requested) = k8s_schema::parse_kube_version(&project.kube_version) else {
        let message = format!(
            "kubeVersion {:?} is not a Kubernetes version (like 1.33): resources were not checked against a schema",
            project.kube_version
        );
        return vec![skipped(project, chart, message, None)];
    };
    let selection = match k8s_schema::schemas_for(requested) {
        Ok(selection) => selection,
        Err(problem) => return vec![skipped(project, chart, format!("{problem}: resources were not checked"), None)],
    };
    let schemas = selection.schemas;
    let mut findings = Vec::new();
    if schemas.version != requested {
        let message = format!(
            "no Kubernetes {} schemas are bundled; resources were checked against {}",
            k8s_schema::version_text(requested),
            k8s_schema::version_text(schemas.version)
        );
        findings.push(skipped(project, chart, message, None));
    }

    let resources: Vec<(&EnvRun, &RenderedResource)> = chart
        .environments
        .iter()
        .flat_map(|env| env.render.resources.iter().map(move |resource| (env, resource)))
        // A resource without apiVersion or kind is DG003's finding; a removed API is DG102's.
        .filter(|(_, resource)| !resource.id.api_version.is_empty() && !resource.id.kind.is_empty())
        .filter(|(_, resource)| {
            !dg102_deprecated_api::removed_in(&resource.id.api_version, &resource.id.kind, requested)
        })
        .collect();
    let outcomes: Vec<(&EnvRun, &RenderedResource, Validation)> = resources
        .par_iter()
        .map(|&(env, resource)| {
            let json = resource.doc.to_json();
            (env, resource, schemas.validate(&resource.id.api_version, &resource.id.kind, &json))
        })
        .collect();

    let version = k8s_schema::version_text(schemas.version);
    let builtin = SchemaOrigin::Builtin { version: version.clone() };
    let mut custom: Vec<(&EnvRun, &RenderedResource)> = Vec::new();
    for (env, resource, outcome) in outcomes {
        match outcome {
            Validation::Valid => {}
            Validation::UnknownKind => custom.push((env, resource)),
            Validation::Invalid(violations) => {
                for violation in violations {
                    findings.push(violation_finding(project, chart, env, resource, &violation, &builtin));
                }
            }
        }
    }
    if custom.is_empty() {
        return findings;
    }

    // Custom resources: only now are CustomResourceDefinitions looked for.
    let sources = CrdSources::load(project, chart, &custom);
    for unread in &sources.problems {
        let message = format!("CustomResourceDefinitions in {} were not read: {}", unread.file, unread.message);
        let mut finding = skipped(project, chart, message, None);
        finding.diagnostic.location = Some(Location::point(unread.file.clone(), unread.line, unread.column));
        findings.push(finding);
    }
    let checked: Vec<(&EnvRun, &RenderedResource, Option<CustomOutcome>)> = custom
        .par_iter()
        .map(|&(env, resource)| {
            let found = sources.lookup(env, &resource.id.api_version, &resource.id.kind);
            let outcome = found.map(|crd| {
                let json = resource.doc.to_json();
                // A version without a schema accepts any content (only `metadata` is checked).
                let mut violations =
                    crd.schema.as_ref().map(|schema| crd_schema::validate(schema, &json)).unwrap_or_default();
                if let Some(metadata) = json.get("metadata") {
                    violations.extend(schemas.validate_metadata(metadata));
                }
                (SchemaOrigin::Crd { name: crd.crd_name.clone() }, violations)
            });
            (env, resource, outcome)
        })
        .collect();
    let mut unknown_kinds: BTreeMap<(&str, &str), (&EnvRun, &RenderedResource)> = BTreeMap::new();
    for (env, resource, outcome) in checked {
        match outcome {
            Some((origin, violations)) => {
                for violation in violations {
                    findings.push(violation_finding(project, chart, env, resource, &violation, &origin));
                }
            }
            None => {
                unknown_kinds.entry((&resource.id.api_version, &resource.id.kind)).or_insert((env, resource));
            }
        }
    }
    for ((api_version, kind), (env, resource)) in unknown_kinds {
        let message = format!(
            "{kind} ({api_version}) has no schema in Kubernetes {version} and no served CustomResourceDefinition \
             was found for it (looked in {}), so it was not checked",
            sources.looked_in()
        );
        let location = provenance::resource_location(&project.sources, chart, env, resource);
        let mut finding = skipped(project, chart, message, Some((env, resource, location)));
        finding.diagnostic.help = Some(format!(
            "list a directory holding its CustomResourceDefinition under `kubernetes: {{ crds: [...] }}` in \
             driftgate.yaml, or silence the kind with `DG101: {{ ignore: [ {{ name: {kind} }} ] }}`"
        ));
        finding.subject = Some(kind.to_string());
        findings.push(finding);
    }
    findings
}

/// The definition a custom resource was checked against, and what it found.
type CustomOutcome = (SchemaOrigin, Vec<Violation>);

/// Where the schema a violation breaks comes from, for hints.
enum SchemaOrigin {
    /// The bundled schemas of a Kubernetes version, e.g. `1.33`.
    Builtin { version: String },
    /// A CustomResourceDefinition, by its name.
    Crd { name: String },
}

/// The CustomResourceDefinitions visible to one chart: those each environment renders, the
/// chart's `crds/` files, and the directories listed under `kubernetes.crds` in driftgate.yaml
/// (looked up in that order).
struct CrdSources {
    rendered: BTreeMap<String, CrdCatalog>,
    chart_dir: String,
    files: CrdCatalog,
    configured: Vec<String>,
    problems: Vec<UnreadFile>,
}

impl CrdSources {
    /// Reads the definitions the environments of `custom` may need.
    fn load(project: &Project, chart: &ChartRun, custom: &[(&EnvRun, &RenderedResource)]) -> CrdSources {
        let mut rendered = BTreeMap::new();
        for (env, _) in custom {
            rendered.entry(env.name.clone()).or_insert_with(|| {
                let mut catalog = CrdCatalog::default();
                for resource in env.render.resources.iter().filter(|r| r.id.kind == "CustomResourceDefinition") {
                    catalog.add_document(&resource.doc.to_json());
                }
                catalog
            });
        }
        let mut files = CrdCatalog::default();
        let mut problems = Vec::new();
        let chart_dir = format!("{}/crds/", chart.path.trim_end_matches('/'));
        let chart_crds = project.root.join(&chart.path).join("crds");
        if chart_crds.is_dir() {
            problems.extend(files.load_dir(&chart_crds, &chart_dir));
        }
        for dir in &project.crd_dirs {
            problems.extend(files.load_dir(&project.root.join(dir), dir));
        }
        CrdSources { rendered, chart_dir, files, configured: project.crd_dirs.clone(), problems }
    }

    fn lookup(&self, env: &EnvRun, api_version: &str, kind: &str) -> Option<&CrdVersion> {
        self.rendered
            .get(&env.name)
            .and_then(|catalog| catalog.lookup(api_version, kind))
            .or_else(|| self.files.lookup(api_version, kind))
    }

    /// The places searched, for the message about a kind without a definition.
    fn looked_in(&self) -> String {
        let mut places = vec!["the chart's rendered resources".to_string(), self.chart_dir.clone()];
        if self.configured.is_empty() {
            places.push("no `kubernetes.crds` directory configured".to_string());
        } else {
            places.extend(self.configured.iter().map(|dir| format!("{}/", dir.trim_end_matches('/'))));
        }
        places.join(", ")
    }
}

/// An info finding about a check that could not be done.
fn skipped(
    project: &Project,
    chart: &ChartRun,
    message: String,
    at: Option<(&EnvRun, &RenderedResource, Location)>,
) -> Finding {
    let mut diagnostic = Diagnostic::new(RULE.id, RULE.name, Severity::Info, message);
    diagnostic.chart = Some(chart.path.clone());
    match at {
        Some((env, resource, location)) => {
            diagnostic.environment = Some(env.name.clone());
            diagnostic.resource = Some(resource.id.clone());
            diagnostic.location = Some(location);
        }
        None => {
            // About the whole run, not this chart: reported once, whatever the number of charts.
            diagnostic.chart = None;
            diagnostic.location = project.config_file.map(|file| project.sources.start_of(file));
        }
    }
    let mut finding = Finding::new(diagnostic);
    finding.chart_name = Some(chart.name.clone());
    finding
}

fn violation_finding(
    project: &Project,
    chart: &ChartRun,
    env: &EnvRun,
    resource: &RenderedResource,
    violation: &Violation,
    origin: &SchemaOrigin,
) -> Finding {
    let mut diagnostic = Diagnostic::new(RULE.id, RULE.name, RULE.default_severity, violation.message());
    diagnostic.chart = Some(chart.path.clone());
    diagnostic.environment = Some(env.name.clone());
    diagnostic.resource = Some(resource.id.clone());
    let path = k8s_schema::path_text(&violation.path);
    diagnostic.path = Some(path.clone());
    let location = violation_location(project, chart, env, resource, violation);
    // A bad value from a values file: the template line that printed it may be the thing to fix.
    if matches!(violation.problem, Problem::WrongType { .. }) {
        if let Some(walked) = walk(&resource.doc, &violation.path) {
            let written = provenance::template_location(&project.sources, &resource.output, walked.node.span);
            if written.file != location.file {
                diagnostic.related.push(Related::new(written, "printed by this template line"));
            }
        }
    }
    diagnostic.location = Some(location);
    diagnostic.help = Some(hint(&violation.problem, &resource.id.kind, origin));
    let mut finding = Finding::new(diagnostic);
    finding.subject = Some(path);
    finding.chart_name = Some(chart.name.clone());
    finding
}

fn hint(problem: &Problem, kind: &str, origin: &SchemaOrigin) -> String {
    let owner = match origin {
        SchemaOrigin::Builtin { version } => format!("a Kubernetes {version} {kind}"),
        SchemaOrigin::Crd { name } => format!("a {kind} (CustomResourceDefinition {name})"),
    };
    let reference = match origin {
        SchemaOrigin::Builtin { version } => format!("see the Kubernetes {version} API reference for {kind}"),
        SchemaOrigin::Crd { name } => format!("see the schema in the CustomResourceDefinition {name}"),
    };
    match problem {
        Problem::UnknownField { name, known } => match crate::suggest::closest(name, known.iter().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("remove `{name}`: {owner} has no such field here"),
        },
        Problem::WrongType { expected, got } if got == &"string" && expected.iter().any(|t| t == "integer" || t == "number") => {
            "Kubernetes does not turn strings into numbers: drop `quote` (or the quotes), or pipe the value through `int`"
                .to_string()
        }
        Problem::WrongType { expected, .. } => format!("write a {} here", expected.join(" or ")),
        Problem::MissingField { name } => format!("{owner} needs `{name}` here"),
        Problem::NotOneOf { .. } | Problem::OutOfBounds { .. } | Problem::Other { .. } => reference,
    }
}

/// Where to fix a violation: an unknown field at its key, a missing one at its parent's key,
/// anything else at the origin of the offending value.
fn violation_location(
    project: &Project,
    chart: &ChartRun,
    env: &EnvRun,
    resource: &RenderedResource,
    violation: &Violation,
) -> Location {
    let sources = &project.sources;
    let walked = walk(&resource.doc, &violation.path);
    // A Secret's data may come from a values file: point at the template, whose line shows the
    // expression, never at a values line that would show the secret itself.
    let secret_data = resource.id.kind == "Secret"
        && matches!(violation.path.first(), Some(JsonStep::Key(k)) if k == "data" || k == "stringData");
    if secret_data {
        return match walked {
            Some(Walked { node, .. }) => provenance::template_location(sources, &resource.output, node.span),
            None => provenance::resource_location(sources, chart, env, resource),
        };
    }
    match (&violation.problem, walked) {
        (Problem::UnknownField { .. }, Some(Walked { key: Some(key), .. })) => {
            key_location(project, chart, env, resource, key)
        }
        (Problem::MissingField { .. }, Some(Walked { key: Some(key), .. })) => {
            provenance::template_location(sources, &resource.output, key.span)
        }
        (Problem::MissingField { .. }, _) => provenance::resource_location(sources, chart, env, resource),
        (_, Some(Walked { node, .. })) => {
            let hints: Vec<String> = violation
                .path
                .iter()
                .rev()
                .find_map(|step| match step {
                    JsonStep::Key(key) => Some(key.clone()),
                    JsonStep::Index(_) => None,
                })
                .into_iter()
                .collect();
            provenance::node_location(sources, chart, env, resource, node, &hints)
        }
        (_, None) => provenance::resource_location(sources, chart, env, resource),
    }
}

/// The node at the end of a path, and the mapping key that leads to it (the nearest one, when
/// the path ends in list items).
struct Walked<'n> {
    node: &'n Node,
    key: Option<&'n Key>,
}

fn walk<'n>(doc: &'n Node, path: &[JsonStep]) -> Option<Walked<'n>> {
    let mut node = doc;
    let mut key = None;
    for step in path {
        match (step, &node.value) {
            (JsonStep::Key(name), NodeValue::Map(entries)) => {
                let (k, v) = entries.iter().find(|(k, _)| k.name == *name)?;
                key = Some(k);
                node = v;
            }
            (JsonStep::Index(index), NodeValue::Seq(items)) => node = items.get(*index)?,
            _ => return None,
        }
    }
    Some(Walked { node, key })
}

/// Where a mapping key of rendered output came from: the template text when the template wrote
/// it literally, else the values entry with that key that the writing action read (a block
/// inserted with `toYaml`), else the action.
fn key_location(project: &Project, chart: &ChartRun, env: &EnvRun, resource: &RenderedResource, key: &Key) -> Location {
    let sources = &project.sources;
    let segments = &resource.output.segments;
    let writer = segments.iter().take_while(|s| s.offset <= key.span.start.offset).last();
    if let Some(segment) = writer.filter(|s| !s.literal) {
        for path in &segment.values_paths {
            if let Some(read) = provenance::lookup_values(&env.values, path) {
                if let Some((file, span)) = find_key(read, &key.name) {
                    return sources.locate(FileSpan { file, span });
                }
            }
        }
    }
    if writer.is_none() {
        return provenance::override_location(sources, chart, env);
    }
    provenance::template_location(sources, &resource.output, key.span)
}

/// The first mapping key named `name` inside a values node (document order, bounded depth).
fn find_key(root: &Node, name: &str) -> Option<(crate::source::FileId, Span)> {
    const MAX_DEPTH: usize = 64;
    let mut stack = vec![(root, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            continue;
        }
        match &node.value {
            NodeValue::Map(entries) => {
                if let Some((key, value)) = entries.iter().find(|(k, _)| k.name == name) {
                    return Some((value.file, key.span));
                }
                stack.extend(entries.iter().rev().map(|(_, v)| (v, depth + 1)));
            }
            NodeValue::Seq(items) => stack.extend(items.iter().rev().map(|item| (item, depth + 1))),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_suggest_the_field_and_say_why_strings_are_not_numbers() {
        let known = vec!["image".to_string(), "imagePullPolicy".to_string(), "name".to_string()];
        let unknown = Problem::UnknownField { name: "imagePullPolicyy".into(), known: known.clone() };
        let v133 = SchemaOrigin::Builtin { version: "1.33".into() };
        assert_eq!(hint(&unknown, "Deployment", &v133), "did you mean `imagePullPolicy`?");
        let far = Problem::UnknownField { name: "sidecarMode".into(), known };
        assert_eq!(
            hint(&far, "Deployment", &v133),
            "remove `sidecarMode`: a Kubernetes 1.33 Deployment has no such field here"
        );
        let quoted = Problem::WrongType { expected: vec!["integer".into()], got: "string" };
        assert!(hint(&quoted, "Deployment", &v133).contains("drop `quote`"));
        let missing = Problem::MissingField { name: "selector".into() };
        assert_eq!(hint(&missing, "Deployment", &v133), "a Kubernetes 1.33 Deployment needs `selector` here");
    }
}
