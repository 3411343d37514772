//! `# METADATA` blocks of Rego policies: a rule's id, title, severity and docs.
//!
//! regorus treats these blocks as comments and offers no annotations API, so they are read here:
//! the comment lines after `# METADATA` form a YAML document.

use std::sync::OnceLock;

use crate::source::FileId;
use crate::yaml::{self, Node};

use crate::diagnostic::Severity;

/// What a policy's METADATA says about the rule it implements.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyMetadata {
    /// `custom.id`, e.g. `DG201`.
    pub id: String,
    /// `title`: the rule's kebab-case name.
    pub title: String,
    /// `description`: the one-line summary.
    pub description: String,
    /// `custom.severity`.
    pub severity: Severity,
    /// `custom.docs`: Markdown documentation.
    pub docs: String,
    /// `custom.hint`: a one-line fix hint shown under each finding.
    pub hint: Option<String>,
    /// `custom.redacts: true`: findings concern secret values, so reports redact the snippet.
    pub redacts: bool,
}

/// A built-in policy file shipped inside the binary.
#[derive(Debug)]
pub struct BuiltinPolicy {
    /// Path relative to the crate root, e.g. `policies/dg201_env_var_parity.rego`.
    pub file: &'static str,
    pub source: &'static str,
    /// The package, e.g. `driftgate.rules.env_var_parity`.
    pub package: String,
    pub metadata: PolicyMetadata,
}

// BUILTIN_SOURCES and BUILTIN_LIBRARY: every `policies/*.rego` and `policies/lib/*.rego`,
// collected by build.rs.
include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

/// The built-in policies with their parsed metadata.
pub fn builtin_policies() -> &'static [BuiltinPolicy] {
    static POLICIES: OnceLock<Vec<BuiltinPolicy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        BUILTIN_SOURCES
            .iter()
            .map(|&(file, source)| {
                // Built-in files are part of the binary; a broken one is caught by the tests below.
                let metadata = parse_metadata(source).unwrap_or_else(|err| panic!("built-in policy {file}: {err}"));
                let package = package_of(source).unwrap_or_default();
                BuiltinPolicy { file, source, package, metadata }
            })
            .collect()
    })
}

/// The package name declared by a Rego source, e.g. `driftgate.cross`.
pub fn package_of(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("package ")?;
        Some(rest.trim().to_string())
    })
}

/// Reads the first `# METADATA` block of a Rego source.
pub fn parse_metadata(source: &str) -> Result<PolicyMetadata, String> {
    let yaml = metadata_block(source).ok_or("no `# METADATA` block")?;
    let doc = yaml::parse_first_document(&yaml, FileId::default()).map_err(|err| format!("METADATA: {err}"))?;
    let text = |node: Option<&Node>| node.and_then(Node::as_str).map(str::to_string);
    let custom = doc.get("custom");
    let custom_text = |key: &str| text(custom.and_then(|c| c.get(key)));
    let severity = match custom_text("severity").as_deref() {
        Some("error") => Severity::Error,
        Some("warning") => Severity::Warning,
        Some("info") => Severity::Info,
        other => return Err(format!("custom.severity must be error, warning or info, not {other:?}")),
    };
    Ok(PolicyMetadata {
        id: custom_text("id").ok_or("METADATA lacks custom.id")?,
        title: text(doc.get("title")).ok_or("METADATA lacks title")?,
        description: text(doc.get("description")).ok_or("METADATA lacks description")?,
        severity,
        docs: custom_text("docs").unwrap_or_default(),
        hint: custom_text("hint"),
        redacts: matches!(custom.and_then(|c| c.get("redacts")).map(|n| &n.value), Some(yaml::NodeValue::Bool(true))),
    })
}

/// The YAML text of the comment lines that follow `# METADATA`.
fn metadata_block(source: &str) -> Option<String> {
    let mut lines = source.lines().skip_while(|line| line.trim() != "# METADATA");
    lines.next()?;
    let mut yaml = String::new();
    for line in lines {
        let Some(comment) = line.trim_start().strip_prefix('#') else { break };
        yaml.push_str(comment.strip_prefix(' ').unwrap_or(comment));
        yaml.push('\n');
    }
    Some(yaml)
}

/// One `# METADATA` block of a user policy: every field is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserAnnotation {
    /// The rule the block precedes (e.g. `deny_latest`), or `None` for a package-wide block.
    pub rule: Option<String>,
    /// 1-based line of the `# METADATA` comment.
    pub line: u32,
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<Severity>,
    pub docs: Option<String>,
    pub hint: Option<String>,
    /// `custom.scope`: `cross` makes the package chart-wide.
    pub scope: Option<String>,
}

/// Every `# METADATA` block of a user policy. A block followed by `package` (or placed before
/// it) covers the whole file; a block followed by a rule head covers that rule. A block that
/// is not valid YAML, or names an unknown severity, is an error at its line.
pub fn user_annotations(source: &str) -> Result<Vec<UserAnnotation>, (u32, String)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut annotations = Vec::new();
    let mut index = 0;
    let mut seen_package = false;
    while index < lines.len() {
        let line = lines.get(index).copied().unwrap_or_default();
        if line.trim_start().starts_with("package ") {
            seen_package = true;
        }
        if line.trim() != "# METADATA" {
            index += 1;
            continue;
        }
        let start = index;
        index += 1;
        let mut yaml = String::new();
        while let Some(comment) = lines.get(index).and_then(|l| l.trim_start().strip_prefix('#')) {
            yaml.push_str(comment.strip_prefix(' ').unwrap_or(comment));
            yaml.push('\n');
            index += 1;
        }
        let next = lines.get(index).map(|l| l.trim()).unwrap_or_default();
        let rule = if next.starts_with("package ") || !seen_package {
            None
        } else {
            let name: String = next.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            (!name.is_empty()).then_some(name)
        };
        let line_number = u32::try_from(start + 1).unwrap_or(u32::MAX);
        let doc = yaml::parse_first_document(&yaml, FileId::default())
            .map_err(|err| (line_number, format!("METADATA is not valid YAML: {}", err.message)))?;
        let text = |node: Option<&Node>| node.and_then(Node::as_str).map(str::to_string);
        let custom = doc.get("custom");
        let custom_text = |key: &str| text(custom.and_then(|c| c.get(key)));
        let severity = match custom_text("severity").as_deref() {
            None => None,
            Some("error") => Some(Severity::Error),
            Some("warning") => Some(Severity::Warning),
            Some("info") => Some(Severity::Info),
            Some(other) => {
                return Err((line_number, format!("custom.severity must be error, warning or info, not `{other}`")));
            }
        };
        annotations.push(UserAnnotation {
            rule,
            line: line_number,
            id: custom_text("id"),
            title: text(doc.get("title")),
            description: text(doc.get("description")),
            severity,
            docs: custom_text("docs"),
            hint: custom_text("hint"),
            scope: custom_text("scope"),
        });
    }
    Ok(annotations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rego_unit_tests_of_the_builtin_policies_pass() {
        use crate::policy::rego::{PolicySource, TestOutcome, run_tests};
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/tests");
        let mut files: Vec<PolicySource> = builtin_policies()
            .iter()
            .map(|p| PolicySource { path: p.file.to_string(), text: p.source.to_string() })
            .collect();
        files.extend(
            BUILTIN_LIBRARY.iter().map(|&(path, text)| PolicySource { path: path.to_string(), text: text.to_string() }),
        );
        let mut test_files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        test_files.sort();
        for path in test_files {
            let text = std::fs::read_to_string(&path).unwrap();
            files.push(PolicySource { path: path.display().to_string(), text });
        }
        let (results, errors) = run_tests(&files);
        assert_eq!(errors, []);
        assert!(results.len() >= 4, "{results:?}");
        for result in &results {
            assert_eq!(result.outcome, TestOutcome::Passed, "{}", result.rule);
        }
    }

    #[test]
    fn every_builtin_policy_has_metadata_and_its_own_package() {
        let policies = builtin_policies();
        assert_eq!(policies.len(), BUILTIN_SOURCES.len());
        for policy in policies {
            let stem = policy.file.trim_start_matches("policies/").trim_end_matches(".rego");
            let expected_stem =
                format!("{}_{}", policy.metadata.id.to_lowercase(), policy.metadata.title.replace('-', "_"));
            assert_eq!(stem, expected_stem, "file name follows id and title");
            assert_eq!(policy.package, format!("driftgate.rules.{}", policy.metadata.title.replace('-', "_")));
        }
    }

    #[test]
    fn metadata_block_is_parsed_from_comments() {
        let source = "# METADATA\n# title: demo-rule\n# description: Demo.\n# custom:\n#   id: DG900\n#   severity: warning\n#   docs: |\n#     ## What it does\n#     Demo.\npackage demo\n";
        let meta = parse_metadata(source).unwrap();
        assert_eq!(meta.id, "DG900");
        assert_eq!(meta.title, "demo-rule");
        assert_eq!(meta.severity, Severity::Warning);
        assert_eq!(meta.docs, "## What it does\nDemo.\n");
        assert_eq!(package_of(source).as_deref(), Some("demo"));
    }

    #[test]
    fn bad_metadata_is_an_error_not_a_panic() {
        assert!(parse_metadata("package x\n").is_err());
        let err = parse_metadata("# METADATA\n# title: x\n# description: y\n# custom: {id: DG1, severity: loud}\n")
            .unwrap_err();
        assert!(err.contains("loud"), "{err}");
    }
}
