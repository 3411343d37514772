//! DG205 unknown-values-key: an override sets a key the chart neither declares nor reads.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ChartRun;
use crate::policy::gate::Finding;
use crate::policy::registry::RuleMeta;
use crate::policy::rules::RuleContext;
use crate::source::{FileId, FileSpan};
use crate::yaml::{Node, NodeValue};

/// The registry entry of DG205.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG205",
    name: "unknown-values-key",
    default_severity: Severity::Error,
    summary: "An override file sets a key the chart never reads and its defaults do not declare.",
    hint: None,
    redacts_values: false,
    docs: r#"## What it does

Walks every key an environment's override files set and reports the ones that the chart's
`values.yaml` does not declare and that no template reads. Templates are scanned for
`.Values.a.b` chains (also `$.Values…` and `index .Values "a" "b"`); a key below a value that a
template reads as a whole (`toYaml .Values.resources`, `range .Values.env`) is accepted, and so
are `global` and subchart sections. The finding points at the key and suggests the closest
known key. A chart that passes all of `.Values` somewhere is not checked.

## Why it matters

Helm ignores keys nobody reads. A typo such as `replicas` for `replicaCount` in the prod
override deploys one replica to prod, silently.

## Example

```yaml
# values.yaml
replicaCount: 1
# values-prod.yaml
replicas: 3
```

reports `values key replicas is neither declared in values.yaml nor read by any template`,
with the hint "did you mean `replicaCount`?".

## Fix

```yaml
# values-prod.yaml
replicaCount: 3
```
"#,
};

/// Nesting beyond this is not walked (override files are user input).
const MAX_DEPTH: usize = 64;

/// What the chart's templates read from `.Values`.
#[derive(Debug, Default, PartialEq)]
pub struct ValuesReads {
    /// Some template reads `.Values` as a whole: any key may be used.
    pub whole_values: bool,
    /// Read paths; each path's last key is read as a whole (its children are the reader's business).
    pub paths: HashSet<Vec<String>>,
}

impl ValuesReads {
    /// Collects the `.Values` reads of template texts.
    pub fn scan<'t>(texts: impl IntoIterator<Item = &'t str>) -> Self {
        static CHAIN: OnceLock<Regex> = OnceLock::new();
        static LOOKUP: OnceLock<Regex> = OnceLock::new();
        let chain = CHAIN
            .get_or_init(|| Regex::new(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)").unwrap_or_else(|_| unreachable!()));
        let lookup = LOOKUP.get_or_init(|| {
            Regex::new(r#"\b(?:index|hasKey|get)\s+\(?\s*\$?[A-Za-z0-9_]*\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)((?:\s+"[^"]*")+)"#)
                .unwrap_or_else(|_| unreachable!())
        });
        let mut reads = ValuesReads::default();
        for text in texts {
            let mut lookups = Vec::new();
            for caps in lookup.captures_iter(text) {
                let (Some(all), Some(fields), Some(keys)) = (caps.get(0), caps.get(1), caps.get(2)) else { continue };
                let mut path = split_fields(fields.as_str());
                path.extend(keys.as_str().split('"').skip(1).step_by(2).map(str::to_string));
                reads.paths.insert(path);
                lookups.push(all.range());
            }
            for caps in chain.captures_iter(text) {
                let (Some(all), Some(fields)) = (caps.get(0), caps.get(1)) else { continue };
                if lookups.iter().any(|range| range.contains(&all.start())) {
                    continue;
                }
                let path = split_fields(fields.as_str());
                if path.is_empty() {
                    reads.whole_values = true;
                } else {
                    reads.paths.insert(path);
                }
            }
        }
        reads
    }

    /// The path or one of its ancestors is read as a whole.
    fn covers(&self, path: &[String]) -> bool {
        (1..=path.len()).any(|n| self.paths.contains(&path[..n]))
    }

    /// Some read goes below `path`.
    fn reads_below(&self, path: &[String]) -> bool {
        self.paths.iter().any(|read| read.len() > path.len() && read.starts_with(path))
    }

    /// Keys read directly below `path`.
    fn children_of(&self, path: &[String]) -> impl Iterator<Item = &str> {
        self.paths
            .iter()
            .filter(move |read| read.len() > path.len() && read.starts_with(path))
            .map(move |read| read[path.len()].as_str())
    }
}

fn split_fields(fields: &str) -> Vec<String> {
    fields.split('.').filter(|f| !f.is_empty()).map(str::to_string).collect()
}

/// Reports the unknown keys of every override file of `chart` (each file once).
pub fn check(context: &RuleContext, chart: &ChartRun) -> Vec<Finding> {
    let project = context.project;
    let sources = &project.sources;
    let texts: Vec<_> = chart.templates.iter().map(|t| sources.get(t.file).text.clone()).collect();
    let reads = ValuesReads::scan(texts.iter().map(|t| &**t));
    if reads.whole_values {
        return Vec::new();
    }
    let subcharts: HashSet<&str> =
        chart.templates.iter().filter_map(|t| t.name.split("/charts/").nth(1)?.split('/').next()).collect();
    let defaults_file = sources.path(chart.defaults.file);
    let defaults_name = defaults_file.rsplit('/').next().unwrap_or("values.yaml").to_string();
    let mut seen: HashSet<FileId> = HashSet::new();
    let mut findings = Vec::new();
    for env in &chart.environments {
        for (file, overrides) in env.override_files.iter().zip(&env.overrides) {
            if !seen.insert(*file) {
                continue;
            }
            let mut unknown = Vec::new();
            walk(overrides, Some(&chart.defaults), &reads, &subcharts, &mut Vec::new(), &mut unknown);
            for (path, key_span, suggestion) in unknown {
                let dotted = path.join(".");
                let message =
                    format!("values key {dotted} is neither declared in {defaults_name} nor read by any template");
                let mut diagnostic = Diagnostic::new(RULE.id, RULE.name, RULE.default_severity, message);
                diagnostic.chart = Some(chart.path.clone());
                diagnostic.environment = Some(env.name.clone());
                diagnostic.location = Some(sources.locate(FileSpan { file: *file, span: key_span }));
                diagnostic.help = Some(match suggestion {
                    Some(known) => format!("did you mean `{known}`?"),
                    None => format!("remove {dotted}, or declare it in {defaults_name} and use it in a template"),
                });
                let mut finding = Finding::new(diagnostic);
                finding.subject = Some(dotted);
                finding.chart_name = Some(chart.name.clone());
                findings.push(finding);
            }
        }
    }
    findings
}

type Unknown = (Vec<String>, crate::source::Span, Option<String>);

fn walk(
    overrides: &Node,
    defaults: Option<&Node>,
    reads: &ValuesReads,
    subcharts: &HashSet<&str>,
    path: &mut Vec<String>,
    unknown: &mut Vec<Unknown>,
) {
    let NodeValue::Map(entries) = &overrides.value else { return };
    if path.len() >= MAX_DEPTH {
        return;
    }
    for (key, value) in entries {
        if path.is_empty() && (key.name == "global" || subcharts.contains(key.name.as_str())) {
            continue;
        }
        path.push(key.name.clone());
        let declared = defaults.and_then(|d| d.get(&key.name));
        if reads.covers(path) {
            // Read as a whole: its content is the template's business.
        } else if declared.is_none() && !reads.reads_below(path) {
            let suggestion = suggest(&key.name, defaults, reads, &path[..path.len() - 1]);
            unknown.push((path.clone(), key.span, suggestion));
        } else {
            let structured = declared.is_some_and(|d| matches!(&d.value, NodeValue::Map(m) if !m.is_empty()));
            if structured || reads.reads_below(path) {
                walk(value, declared, reads, subcharts, path, unknown);
            }
        }
        path.pop();
    }
}

/// The known key at the same level closest to `name`, if one is close enough.
fn suggest(name: &str, defaults: Option<&Node>, reads: &ValuesReads, parent: &[String]) -> Option<String> {
    let mut known: Vec<&str> = match defaults.map(|d| &d.value) {
        Some(NodeValue::Map(entries)) => entries.iter().map(|(k, _)| k.name.as_str()).collect(),
        _ => Vec::new(),
    };
    known.extend(reads.children_of(parent));
    known.sort_unstable();
    known.dedup();
    crate::suggest::closest(name, known).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(reads: &ValuesReads) -> Vec<String> {
        let mut out: Vec<String> = reads.paths.iter().map(|p| p.join(".")).collect();
        out.sort();
        out
    }

    #[test]
    fn template_reads_are_found_in_every_spelling() {
        let reads = ValuesReads::scan([r#"replicas: {{ .Values.replicaCount }}
image: "{{ $.Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
{{- toYaml .Values.resources | nindent 12 }}
{{ index .Values "podLabels" "team" }} {{ if hasKey .Values.service "nodePort" }}{{ end }}
{{ $root.Values.ingress.enabled }}"#]);
        assert!(!reads.whole_values);
        assert_eq!(
            paths(&reads),
            [
                "image.repository",
                "image.tag",
                "ingress.enabled",
                "podLabels.team",
                "replicaCount",
                "resources",
                "service.nodePort"
            ]
        );
        assert!(ValuesReads::scan(["{{ toYaml .Values }}"]).whole_values);
        assert!(ValuesReads::scan(["{{ include \"x\" $.Values }}"]).whole_values);
    }

    #[test]
    fn suggestions_by_distance_and_prefix() {
        assert_eq!(crate::suggest::edit_distance("replicas", "replicacount"), 5);
        assert_eq!(crate::suggest::edit_distance("tagg", "tag"), 1);
        let reads = ValuesReads::scan(["{{ .Values.replicaCount }} {{ .Values.image.tag }}"]);
        assert_eq!(suggest("replicas", None, &reads, &[]), Some("replicaCount".into()));
        assert_eq!(suggest("imgae", None, &reads, &[]), Some("image".into()));
        assert_eq!(suggest("tagg", None, &reads, &["image".into()]), Some("tag".into()));
        assert_eq!(suggest("zzz", None, &reads, &[]), None);
    }
}
