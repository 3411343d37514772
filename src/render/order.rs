//! From each template's rendered text to exactly what `helm template` prints.
//!
//! Helm (v3.17, `pkg/releaseutil` and `cmd/helm/template.go`) does this in four steps, and this
//! module repeats them byte for byte:
//!
//! 1. Drop `NOTES.txt` outputs, partials (file name starting with `_`) and outputs that are only
//!    whitespace.
//! 2. Split every remaining output into documents on the pattern `(?:^|\s*\n)---\s*` (Go's ASCII
//!    `\s`), after trimming the whole text; drop empty pieces and trim the others. A document may
//!    therefore be only a comment, or even a lone `---`, and is still printed.
//! 3. Read each document's head (`apiVersion`, `kind`, `metadata.name`, `metadata.annotations`);
//!    a document with a `helm.sh/hook` annotation is a hook, and one whose hook list names an
//!    unknown event is dropped. Templates are visited in byte order of their names and documents
//!    in text order; then ordinary manifests and hooks are each sorted, stably, by kind in Helm's
//!    install order, unknown kinds last and alphabetically.
//! 4. Print `---\n# Source: <template>\n<document>\n` for each ordinary manifest, trim that
//!    block and end it with one newline (so no manifest prints a lone empty line), then the same
//!    header form for each hook.
//!
//! This module is not for validating manifests: it reads only the head fields Helm reads, and
//! reports the documents Helm would refuse to sort (bad YAML, a non-mapping document, a head field
//! of the wrong type). The head is read from the document parsed by [`crate::yaml`]; positions in [`OrderError`] are byte
//! offsets into the template's text.

use std::fmt;
use std::sync::LazyLock;

use crate::helm_version::HelmVersion;
use crate::source::{FileId, Pos};
use crate::yaml::{self, Key, Node, NodeValue};
use regex::Regex;

/// Kinds in the order Helm installs them (`releaseutil.InstallOrder`); others come after.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// Kinds Helm 4 adds at the end of [`INSTALL_ORDER`].
pub const HELM4_INSTALL_ORDER_ADDED: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/// Hook events Helm knows (`helm.sh/hook` values, compared after trimming and lowercasing).
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

const HOOK_ANNOTATION: &str = "helm.sh/hook";
const NOTES_SUFFIX: &str = "NOTES.txt";

/// Go's `regexp` `\s` is ASCII `[\t\n\f\r ]`; Rust's is Unicode, so the class is spelled out.
static SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").expect("separator pattern is valid"));

/// One template's rendered text (after `<no value>` removal), keyed by Helm's template name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateOutput {
    /// Helm's template name, e.g. `bedrock/templates/deployment.yaml`.
    pub name: String,
    pub text: String,
    /// The output registered as a (virtual) source file, so parsed documents have positions.
    pub file: FileId,
}

/// One manifest document in output order.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The template that produced it (printed in the `# Source:` line).
    pub source: String,
    /// The document text as printed: trimmed, without separators.
    pub content: String,
    /// Byte offset of `content` inside its template's text.
    pub offset: usize,
    /// `apiVersion` as Helm read it (`""` when absent).
    pub api_version: String,
    /// `kind` as Helm read it (`""` when absent).
    pub kind: String,
    /// `metadata.name` as Helm read it (`""` when absent).
    pub name: String,
    /// Whether it carries a `helm.sh/hook` annotation (hooks print after all other manifests).
    pub is_hook: bool,
    /// The parsed document; spans point into the template's whole output (`TemplateOutput::file`).
    pub doc: Node,
}

/// A document Helm refuses to sort, which makes `helm template` fail as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderError {
    /// The template whose output holds the document.
    pub template: String,
    /// Byte offset in the template's text where the problem is (the document start when the
    /// parser gives no better position).
    pub offset: usize,
    /// What is wrong, without the template name.
    pub message: String,
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "YAML parse error on {}: {}", self.template, self.message)
    }
}

impl std::error::Error for OrderError {}

/// Splits one template's text into documents the way Helm does: `(offset, document)` pairs with
/// each document trimmed and empty pieces dropped.
pub fn split_documents(text: &str) -> Vec<(usize, &str)> {
    let trimmed = text.trim();
    // `trim` keeps a sub-slice, so the difference of the pointers is the leading trim.
    let base = trimmed.as_ptr() as usize - text.as_ptr() as usize;
    let mut pieces = Vec::new();
    let mut start = 0;
    for found in SEPARATOR.find_iter(trimmed) {
        pieces.push((start, &trimmed[start..found.start()]));
        start = found.end();
    }
    pieces.push((start, &trimmed[start..]));

    pieces
        .into_iter()
        // Helm skips a piece only when it is empty before trimming; a piece of Unicode-only
        // whitespace survives and prints as an empty document.
        .filter(|(_, piece)| !piece.is_empty())
        .map(|(at, piece)| {
            let content = piece.trim();
            let lead = content.as_ptr() as usize - piece.as_ptr() as usize;
            (base + at + lead, content)
        })
        .collect()
}

/// Orders every document of every template the way `helm template` prints them: ordinary
/// manifests first, then hooks.
pub fn sort_manifests(outputs: &[TemplateOutput], helm: HelmVersion) -> Result<Vec<Manifest>, OrderError> {
    let mut sorted: Vec<&TemplateOutput> = outputs.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));

    let mut generic = Vec::new();
    let mut hooks = Vec::new();
    for output in sorted {
        if output.name.ends_with(NOTES_SUFFIX) || is_partial(&output.name) {
            continue;
        }
        if output.text.trim().is_empty() {
            continue;
        }
        for (offset, content) in split_documents(&output.text) {
            let (doc, head) = parse_document(&output.text, offset, content, output.file, helm)
                .map_err(|(at, message)| OrderError { template: output.name.clone(), offset: offset + at, message })?;
            let hook = match head.annotations.as_ref().filter(|a| !a.is_empty()) {
                Some(annotations) => {
                    annotations.iter().find(|(key, _)| key == HOOK_ANNOTATION).map(|(_, value)| value.as_str())
                }
                None => None,
            };
            if let Some(events) = hook {
                if !events.split(',').all(is_known_hook_event) {
                    // Helm logs "skipping unknown hook" and neither prints nor installs it.
                    continue;
                }
            }
            let manifest = Manifest {
                source: output.name.clone(),
                content: content.to_string(),
                offset,
                api_version: head.api_version,
                kind: head.kind,
                name: head.name,
                is_hook: hook.is_some(),
                doc,
            };
            if manifest.is_hook {
                hooks.push(manifest);
            } else {
                generic.push(manifest);
            }
        }
    }

    generic.sort_by(|a, b| compare_kinds(&a.kind, &b.kind, helm));
    hooks.sort_by(|a, b| compare_kinds(&a.kind, &b.kind, helm));
    generic.extend(hooks);
    Ok(generic)
}

/// Prints manifests as `helm template` does; byte-equal to its stdout for the same documents.
#[cfg(test)]
pub fn print(manifests: &[Manifest]) -> String {
    print_after("", manifests)
}

/// Like [`print`], with `leading` (the CRDs of `--include-crds`) printed before the ordinary
/// manifests, inside the section Helm trims.
pub fn print_after(leading: &str, manifests: &[Manifest]) -> String {
    let mut ordinary = String::from(leading);
    for manifest in manifests.iter().filter(|m| !m.is_hook) {
        push_document(&mut ordinary, manifest);
    }
    let mut out = String::with_capacity(ordinary.len() + 1);
    out.push_str(ordinary.trim());
    out.push('\n');
    for manifest in manifests.iter().filter(|m| m.is_hook) {
        push_document(&mut out, manifest);
    }
    out
}

fn push_document(out: &mut String, manifest: &Manifest) {
    out.push_str("---\n# Source: ");
    out.push_str(&manifest.source);
    out.push('\n');
    out.push_str(&manifest.content);
    out.push('\n');
}

fn is_partial(template_name: &str) -> bool {
    let base = template_name.rsplit('/').next().unwrap_or(template_name);
    base.starts_with('_')
}

fn is_known_hook_event(event: &str) -> bool {
    let event = event.trim().to_lowercase();
    HOOK_EVENTS.contains(&event.as_str())
}

/// Helm's `lessByKind` as an ordering: install-order kinds by position, then unknown kinds by
/// name; equal kinds compare equal so the stable sort keeps document order.
/// Helm 4 installs webhook configurations right after `APIService`, the last kind of Helm 3's list.
fn compare_kinds(a: &str, b: &str, helm: HelmVersion) -> std::cmp::Ordering {
    let rank = |kind: &str| {
        INSTALL_ORDER.iter().position(|k| *k == kind).or_else(|| {
            let added = if helm.is_v4() { HELM4_INSTALL_ORDER_ADDED } else { &[] };
            added.iter().position(|k| *k == kind).map(|i| INSTALL_ORDER.len() + i)
        })
    };
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The fields of a document Helm looks at when sorting (`releaseutil.SimpleHead`).
#[derive(Debug, Default, PartialEq)]
struct Head {
    api_version: String,
    kind: String,
    name: String,
    /// `None` when there is no `metadata` or no `annotations` mapping.
    annotations: Option<Vec<(String, String)>>,
}

/// Parses one document (positions shifted to where it starts in `text`) and reads its head.
fn parse_document(
    text: &str,
    offset: usize,
    content: &str,
    file: FileId,
    helm: HelmVersion,
) -> Result<(Node, Head), (usize, String)> {
    let mut doc = yaml::parse_first_document(content, file)
        .map_err(|e| (e.pos.offset, format!("line {}: {}", e.pos.line, e.message)))?;
    shift_spans(&mut doc, Pos::at_offset(text, offset));
    let head = read_head(&doc, helm).map_err(|(node_offset, message)| (node_offset.saturating_sub(offset), message))?;
    Ok((doc, head))
}

/// Reads a document's head with the leniency of `sigs.k8s.io/yaml` into Helm's struct: scalars
/// of any type become strings, null leaves a field empty, JSON's case-insensitive key matching
/// applies. Errors carry the byte offset of the offending node.
fn read_head(root: &Node, helm: HelmVersion) -> Result<Head, (usize, String)> {
    let NodeValue::Map(mapping) = &root.value else {
        if matches!(root.value, NodeValue::Null) {
            return Ok(Head::default());
        }
        // sigs.k8s.io/yaml's JSON decoding of a document that is not an object.
        let kind = match root.value {
            NodeValue::Seq(_) => "array",
            NodeValue::Bool(_) => "bool",
            NodeValue::Int(_) | NodeValue::Float(_) => "number",
            _ => "string",
        };
        let head_type = if helm.is_v4() { "util.SimpleHead" } else { "releaseutil.SimpleHead" };
        return Err((
            root.span.start.offset,
            format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type {head_type}"
            ),
        ));
    };
    let mut head = Head {
        api_version: string_field(mapping, "apiVersion", "apiVersion")?,
        kind: string_field(mapping, "kind", "kind")?,
        ..Head::default()
    };
    let Some(metadata) = field(mapping, "metadata") else {
        return Ok(head);
    };
    let metadata = match &metadata.value {
        NodeValue::Map(m) => m,
        NodeValue::Null => return Ok(head),
        _ => return Err((metadata.span.start.offset, format!("metadata is {}, not a mapping", describe(metadata)))),
    };
    head.name = string_field(metadata, "name", "metadata.name")?;
    let Some(annotations) = field(metadata, "annotations") else {
        return Ok(head);
    };
    head.annotations = match &annotations.value {
        NodeValue::Map(entries) => {
            let mut pairs = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                let value = match scalar_text(value) {
                    Some(text) => text,
                    None => {
                        return Err((
                            value.span.start.offset,
                            format!("metadata.annotations.{} is {}, not a string", key.name, describe(value)),
                        ));
                    }
                };
                pairs.push((key.name.clone(), value));
            }
            Some(pairs)
        }
        NodeValue::Null => None,
        _ => {
            return Err((
                annotations.span.start.offset,
                format!("metadata.annotations is {}, not a mapping", describe(annotations)),
            ));
        }
    };
    Ok(head)
}

/// The entry `name` of a mapping, matched exactly first, then case-insensitively (as Go's JSON
/// decoder matches struct fields).
fn field<'a>(mapping: &'a [(Key, Node)], name: &str) -> Option<&'a Node> {
    mapping
        .iter()
        .find(|(k, _)| k.name == name)
        .or_else(|| mapping.iter().find(|(k, _)| k.name.eq_ignore_ascii_case(name)))
        .map(|(_, v)| v)
}

fn string_field(mapping: &[(Key, Node)], name: &str, path: &str) -> Result<String, (usize, String)> {
    match field(mapping, name) {
        None => Ok(String::new()),
        Some(node) => scalar_text(node)
            .ok_or_else(|| (node.span.start.offset, format!("{path} is {}, not a string", describe(node)))),
    }
}

/// A scalar as the string Helm's struct gets; `None` for lists and mappings.
fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        NodeValue::Null => Some(String::new()),
        NodeValue::Bool(b) => Some(b.to_string()),
        NodeValue::Int(i) => Some(i.to_string()),
        NodeValue::Float(f) => Some(crate::value::format_float_g(*f)),
        NodeValue::String(s) => Some(s.to_string()),
        NodeValue::Seq(_) | NodeValue::Map(_) => None,
    }
}

fn describe(node: &Node) -> &'static str {
    match node.value {
        NodeValue::Seq(_) => "a list",
        NodeValue::Map(_) => "a mapping",
        _ => "a scalar",
    }
}

/// Moves positions parsed from a document to where the document starts in its template's output.
fn shift_spans(node: &mut Node, base: Pos) {
    node.span.start = shift_pos(node.span.start, base);
    node.span.end = shift_pos(node.span.end, base);
    match &mut node.value {
        NodeValue::Seq(items) => items.iter_mut().for_each(|n| shift_spans(n, base)),
        NodeValue::Map(entries) => {
            for (key, value) in entries {
                key.span.start = shift_pos(key.span.start, base);
                key.span.end = shift_pos(key.span.end, base);
                shift_spans(value, base);
            }
        }
        _ => {}
    }
}

/// A position in a document, moved to the document's place (`base`) in the whole output.
pub fn shift_pos(pos: Pos, base: Pos) -> Pos {
    Pos {
        line: pos.line + base.line - 1,
        column: if pos.line == 1 { pos.column + base.column - 1 } else { pos.column },
        offset: pos.offset + base.offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sort_manifests_v3(outputs: &[TemplateOutput]) -> Result<Vec<Manifest>, OrderError> {
        sort_manifests(outputs, HelmVersion::V3)
    }

    fn head_of(text: &str) -> Result<Head, (usize, String)> {
        parse_document(text, 0, text, FileId::default(), HelmVersion::V3).map(|(_, head)| head)
    }

    fn output(name: &str, text: &str) -> TemplateOutput {
        TemplateOutput { name: name.to_string(), text: text.to_string(), file: FileId::default() }
    }

    fn sources_and_kinds(manifests: &[Manifest]) -> Vec<(String, String, bool)> {
        manifests.iter().map(|m| (m.source.clone(), m.kind.clone(), m.is_hook)).collect()
    }

    #[test]
    fn split_keeps_offsets_into_the_original_text() {
        let text = "\n\n# head\nkind: A\n---  \n\nkind: B\n";
        let docs = split_documents(text);
        assert_eq!(docs, vec![(2, "# head\nkind: A"), (24, "kind: B")]);
        for (offset, doc) in docs {
            assert_eq!(&text[offset..offset + doc.len()], doc);
        }
    }

    #[test]
    fn split_separator_rules() {
        // Leading separator, consecutive separators: the second `---` has no newline before it
        // (the first match ate it), so it stays at the start of the next document.
        assert_eq!(split_documents("---\n---\nkind: A\n---\n"), vec![(4, "---\nkind: A")]);
        // A `---` followed by text on the same line separates; the rest starts the document.
        assert_eq!(split_documents("a: 1\n--- # note\nb: 2"), vec![(0, "a: 1"), (9, "# note\nb: 2")]);
        // Indented `---` and `---` inside a line do not separate.
        assert_eq!(split_documents("a: |\n  ---\nb: x---y"), vec![(0, "a: |\n  ---\nb: x---y")]);
        // `----` separates too, leaving a `-`.
        assert_eq!(split_documents("a: 1\n----\nb: 2"), vec![(0, "a: 1"), (8, "-\nb: 2")]);
        // Only separators: one lone `---` document survives.
        assert_eq!(split_documents("---\n---\n\n---\n"), vec![(4, "---")]);
        assert_eq!(split_documents("   \n\t"), Vec::<(usize, &str)>::new());
    }

    #[test]
    fn split_uses_ascii_whitespace_for_separators_and_unicode_for_trimming() {
        // A vertical tab is not `\s` for Go's regexp, so `\v---` does not separate...
        assert_eq!(split_documents("a: 1\x0b---\nb: 2").len(), 1);
        // ...but a piece of Unicode-only whitespace is not empty, and trims to an empty document.
        let docs = split_documents("a: 1\n---\n\u{a0}\n---\nb: 2");
        assert_eq!(docs.iter().map(|(_, d)| *d).collect::<Vec<_>>(), vec!["a: 1", "", "b: 2"]);
    }

    #[test]
    fn sorts_by_install_order_then_template_name_then_document_order() {
        let outputs = vec![
            output(
                "c/templates/z.yaml",
                "kind: Deployment\nmetadata:\n  name: z\n---\nkind: Service\nmetadata:\n  name: z",
            ),
            output(
                "c/templates/a.yaml",
                "kind: Deployment\nmetadata:\n  name: a\n---\nkind: Widget\n---\nkind: Gadget",
            ),
            output("c/templates/B.yaml", "kind: Widget\n---\nkind: Namespace"),
        ];
        let sorted = sort_manifests(&outputs, HelmVersion::V3).unwrap();
        let order: Vec<(&str, &str)> = sorted.iter().map(|m| (m.source.as_str(), m.kind.as_str())).collect();
        assert_eq!(
            order,
            vec![
                ("c/templates/B.yaml", "Namespace"),
                ("c/templates/z.yaml", "Service"),
                ("c/templates/a.yaml", "Deployment"),
                ("c/templates/z.yaml", "Deployment"),
                ("c/templates/a.yaml", "Gadget"),
                ("c/templates/B.yaml", "Widget"),
                ("c/templates/a.yaml", "Widget"),
            ]
        );
        assert_eq!(sorted[2].name, "a");
    }

    #[test]
    fn skips_notes_partials_and_blank_outputs() {
        let outputs = vec![
            output("c/templates/NOTES.txt", "kind: ConfigMap"),
            output("c/templates/_helpers.tpl", "kind: ConfigMap"),
            output("c/templates/sub/_part.yaml", "kind: ConfigMap"),
            output("c/templates/blank.yaml", " \n\t\n"),
            output("c/templates/comment.yaml", "# just a comment\n"),
        ];
        let sorted = sort_manifests(&outputs, HelmVersion::V3).unwrap();
        assert_eq!(sources_and_kinds(&sorted), vec![("c/templates/comment.yaml".into(), String::new(), false)]);
        assert_eq!(print(&sorted), "---\n# Source: c/templates/comment.yaml\n# just a comment\n");
    }

    #[test]
    fn hooks_print_after_manifests_and_unknown_hooks_vanish() {
        let outputs = vec![
            output(
                "c/templates/jobs.yaml",
                "kind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"-5\"\n---\nkind: ConfigMap\nmetadata:\n  name: seed\n  annotations:\n    \"helm.sh/hook\": \" Post-Install , test-success\"\n---\nkind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: after-lunch",
            ),
            output(
                "c/templates/svc.yaml",
                "kind: Service\nmetadata:\n  name: web\n  annotations:\n    note: not a hook",
            ),
        ];
        let sorted = sort_manifests(&outputs, HelmVersion::V3).unwrap();
        assert_eq!(
            sources_and_kinds(&sorted),
            vec![
                ("c/templates/svc.yaml".into(), "Service".into(), false),
                ("c/templates/jobs.yaml".into(), "ConfigMap".into(), true),
                ("c/templates/jobs.yaml".into(), "Job".into(), true),
            ]
        );
    }

    #[test]
    fn print_with_no_manifests_is_one_newline() {
        assert_eq!(print(&[]), "\n");
        let only_hook = sort_manifests_v3(&[output(
            "c/templates/job.yaml",
            "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-install",
        )])
        .unwrap();
        assert_eq!(
            print(&only_hook),
            "\n---\n# Source: c/templates/job.yaml\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-install\n"
        );
    }

    #[test]
    fn head_is_read_leniently_like_sigs_yaml() {
        let head = head_of("Kind: Job\nmetadata:\n  Name: 5\n  annotations:\n    weight: 5\n    empty:\n").unwrap();
        assert_eq!(head.kind, "Job");
        assert_eq!(head.name, "5");
        assert_eq!(
            head.annotations,
            Some(vec![("weight".to_string(), "5".to_string()), ("empty".to_string(), String::new())])
        );
        assert_eq!(head_of("kind: 1").unwrap().kind, "1");
        assert_eq!(head_of("kind: ~\nmetadata: null").unwrap(), Head::default());
        assert_eq!(head_of("---\nkind: A").unwrap().kind, "A");
        assert_eq!(head_of("# only a comment").unwrap(), Head::default());
        assert_eq!(head_of("---").unwrap(), Head::default());
        // Both spellings present: JSON decodes the lowercase key last, so it wins.
        assert_eq!(head_of("kind: Lower\nKind: Upper").unwrap().kind, "Lower");
    }

    #[test]
    fn head_errors_are_the_ones_helm_refuses() {
        assert!(head_of("kind: [a]").unwrap_err().1.contains("kind is a list"));
        assert!(
            head_of("- a\n- b")
                .unwrap_err()
                .1
                .ends_with("cannot unmarshal array into Go value of type releaseutil.SimpleHead")
        );
        assert!(head_of("just a string").unwrap_err().1.contains("cannot unmarshal string into"));
        assert!(head_of("012").unwrap_err().1.contains("cannot unmarshal number into"));
        assert!(head_of("metadata: 5").unwrap_err().1.contains("metadata is a scalar"));
        assert!(head_of("metadata:\n  name: {a: b}").unwrap_err().1.contains("metadata.name is a mapping"));
        assert!(
            head_of("metadata:\n  annotations:\n    a: [1]")
                .unwrap_err()
                .1
                .contains("metadata.annotations.a is a list")
        );
    }

    #[test]
    fn yaml_errors_point_into_the_template_text() {
        let text = "kind: ConfigMap\n---\napiVersion: v1\ndata:\n  command: echo: hello\n";
        let err = sort_manifests_v3(&[output("c/templates/cm.yaml", text)]).unwrap_err();
        assert_eq!(err.template, "c/templates/cm.yaml");
        assert!(err.to_string().starts_with("YAML parse error on c/templates/cm.yaml: line 3:"), "{err}");
        // The error sits on the `command:` line of the second document.
        let line_start = text.find("  command").unwrap();
        assert!(err.offset >= line_start && err.offset < text.len(), "offset {}", err.offset);
    }

    /// Templates without actions render to themselves, so the static goldens check the whole
    /// split/sort/print path against real `helm template` output.
    #[test]
    fn static_goldens_match_helm() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/render");
        for case in [
            "static-install-order",
            "static-separators",
            "static-skipped-files",
            "static-hooks",
            "static-hooks-only",
            "static-nothing",
        ] {
            let dir = root.join(case);
            let chart = std::fs::read_to_string(dir.join("chart/Chart.yaml")).unwrap();
            let chart_name = chart.lines().find_map(|l| l.strip_prefix("name: ")).unwrap().trim().to_string();
            let templates = dir.join("chart/templates");
            let mut outputs = Vec::new();
            for entry in walkdir::WalkDir::new(&templates) {
                let entry = entry.unwrap();
                if !entry.file_type().is_file() {
                    continue;
                }
                let relative = entry.path().strip_prefix(&templates).unwrap();
                let name = format!("{chart_name}/templates/{}", relative.to_str().unwrap());
                outputs.push(output(&name, &std::fs::read_to_string(entry.path()).unwrap()));
            }
            let manifests = sort_manifests(&outputs, HelmVersion::V3).unwrap();
            for m in &manifests {
                let text = &outputs.iter().find(|o| o.name == m.source).unwrap().text;
                assert_eq!(&text[m.offset..m.offset + m.content.len()], m.content, "{case}");
            }
            let expected = std::fs::read_to_string(dir.join("expected.yaml")).unwrap();
            assert_eq!(print(&manifests), expected, "{case}");
        }
    }

    #[test]
    fn manifest_error_golden_names_the_same_template() {
        // The error golden's failing template, fed with its rendered text (the value is
        // substituted by hand: `command: echo: hello`).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/render");
        let expected = std::fs::read_to_string(root.join("error-manifest-invalid-yaml/expected-error.txt")).unwrap();
        let rendered = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: badoutput\ndata:\n  command: echo: hello\n";
        let err = sort_manifests_v3(&[
            output("badoutput/templates/configmap.yaml", rendered),
            output("badoutput/templates/service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: badoutput\n"),
        ])
        .unwrap_err();
        assert!(expected.starts_with(&format!("Error: YAML parse error on {}:", err.template)));
        assert_eq!(err.template, "badoutput/templates/configmap.yaml");
        // Helm says "line 6"; the offset lands on that line too.
        assert_eq!(rendered[..err.offset].matches('\n').count() + 1, 6);
    }
}
