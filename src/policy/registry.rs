//! The rule catalogue: every built-in rule's id, name, default severity, summary and docs.
//!
//! Rust rules declare a [`RuleMeta`] constant beside their implementation; Rego rules carry the
//! same facts in the `# METADATA` block of their policy file. This module gathers both into one
//! list so `driftgate rules` and `docs/rules/` read a single source.

use std::sync::OnceLock;

use crate::diagnostic::Severity;

use super::rego::metadata::{self, BuiltinPolicy};
use super::rules;

/// How a rule is implemented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleEngine {
    /// Rust code under `src/policy/rules/` (or the renderer, for DG001/DG003).
    Rust,
    /// A built-in Rego policy under `policies/`.
    Rego,
}

/// The static facts of a rule declared in Rust.
#[derive(Clone, Copy, Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub default_severity: Severity,
    pub summary: &'static str,
    /// The one-line fix hint shown under each finding, when the finding brings none.
    pub hint: Option<&'static str>,
    /// True when findings concern secret values: reports redact the source snippet.
    pub redacts_values: bool,
    /// Markdown with the sections "What it does", "Why it matters", "Example", "Fix".
    pub docs: &'static str,
}

/// One entry of the catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub default_severity: Severity,
    pub summary: String,
    pub docs: String,
    pub engine: RuleEngine,
    /// True when the rule's findings concern secret values: reports redact the source snippet.
    pub redacts_values: bool,
    /// The one-line fix hint shown under a finding that brings none of its own.
    pub hint: Option<String>,
}

/// Every built-in rule, ordered by id.
pub fn catalogue() -> &'static [RuleInfo] {
    static CATALOGUE: OnceLock<Vec<RuleInfo>> = OnceLock::new();
    CATALOGUE.get_or_init(build_catalogue)
}

/// The rule catalogue as the `driftgate.yaml` reader checks rule ids against it.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuiltinRules;

impl crate::config::KnownRules for BuiltinRules {
    fn builtin_id(&self, id_or_name: &str) -> Option<&str> {
        lookup(id_or_name).map(|rule| rule.id.as_str())
    }

    fn builtin_ids(&self) -> Vec<&str> {
        catalogue().iter().map(|rule| rule.id.as_str()).collect()
    }
}

/// The catalogue entry of `id` (case-insensitive, e.g. `dg201`), or of a rule name.
pub fn lookup(id_or_name: &str) -> Option<&'static RuleInfo> {
    catalogue().iter().find(|rule| rule.id.eq_ignore_ascii_case(id_or_name) || rule.name == id_or_name)
}

/// The documentation of one rule as Markdown, as `driftgate rules ID` prints it.
pub fn docs_markdown(rule: &RuleInfo) -> String {
    let mut out = format!(
        "# {} {}\n\nDefault severity: {}.\n\n{}\n",
        rule.id,
        rule.name,
        rule.default_severity.as_str(),
        rule.summary
    );
    out.push('\n');
    out.push_str(rule.docs.trim_end());
    out.push('\n');
    out
}

/// The rule list as `driftgate rules` prints it: one line per rule.
pub fn list_text() -> String {
    list_rules_text(catalogue())
}

/// [`list_text`] for any rules, e.g. those user policies add.
pub fn list_rules_text(rules: &[RuleInfo]) -> String {
    let mut out = String::new();
    for rule in rules {
        out.push_str(&format!(
            "{}  {:<26} {:<8} {}\n",
            rule.id,
            rule.name,
            rule.default_severity.as_str(),
            rule.summary
        ));
    }
    out
}

fn build_catalogue() -> Vec<RuleInfo> {
    let mut rules: Vec<RuleInfo> = rules::RUST_RULES
        .iter()
        .map(|rule| {
            let meta = &rule.meta;
            RuleInfo {
                id: meta.id.to_string(),
                name: meta.name.to_string(),
                default_severity: meta.default_severity,
                summary: meta.summary.to_string(),
                docs: meta.docs.to_string(),
                engine: RuleEngine::Rust,
                redacts_values: meta.redacts_values,
                hint: meta.hint.map(str::to_string),
            }
        })
        .collect();
    rules.extend(metadata::builtin_policies().iter().map(rego_rule_info));
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules
}

fn rego_rule_info(policy: &BuiltinPolicy) -> RuleInfo {
    let meta = &policy.metadata;
    RuleInfo {
        id: meta.id.clone(),
        name: meta.title.clone(),
        default_severity: meta.severity,
        summary: meta.description.clone(),
        docs: meta.docs.clone(),
        engine: RuleEngine::Rego,
        redacts_values: meta.redacts,
        hint: meta.hint.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's rule table and the catalogue list the same implemented rules, with the same
    /// names and default severities.
    #[test]
    fn readme_rule_table_matches_the_catalogue() {
        let readme =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
        let documented: Vec<(String, String)> = readme
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let id = cells.get(1)?;
                (id.len() == 5 && id.starts_with("DG")).then(|| (id.to_string(), cells[2].to_string()))
            })
            .collect();
        let implemented: Vec<(String, String)> =
            catalogue().iter().map(|rule| (rule.id.clone(), rule.name.clone())).collect();
        assert_eq!(documented, implemented);
    }

    #[test]
    fn catalogue_is_ordered_by_id_each_id_once() {
        let ids: Vec<&str> = catalogue().iter().map(|rule| rule.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn the_config_reader_sees_the_catalogue() {
        use crate::config::KnownRules;
        let ids: Vec<&str> = catalogue().iter().map(|rule| rule.id.as_str()).collect();
        assert_eq!(BuiltinRules.builtin_ids(), ids);
        for id_or_name in ["DG201", "dg201", "env-var-parity"] {
            assert_eq!(BuiltinRules.builtin_id(id_or_name), Some("DG201"), "{id_or_name}");
        }
        assert_eq!(BuiltinRules.builtin_id("DG999"), None);
    }

    #[test]
    fn implemented_rules_have_complete_docs_and_kebab_names() {
        for rule in catalogue() {
            assert!(
                rule.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} name {:?}",
                rule.id,
                rule.name
            );
            assert!(rule.summary.ends_with('.'), "{} summary", rule.id);
            for heading in ["## What it does", "## Why it matters", "## Example", "## Fix"] {
                assert!(rule.docs.contains(heading), "{} docs lack {heading}", rule.id);
            }
        }
    }

    /// Rego rules are the built-in policy files, Rust rules the entries of `RUST_RULES`.
    #[test]
    fn engines_follow_where_the_rule_is_written() {
        for rule in catalogue() {
            let in_table = rules::RUST_RULES.iter().find(|r| r.meta.id == rule.id);
            let policy = metadata::builtin_policies().iter().find(|p| p.metadata.id == rule.id);
            match rule.engine {
                RuleEngine::Rego => assert!(policy.is_some() && in_table.is_none(), "{}", rule.id),
                RuleEngine::Rust => {
                    assert!(matches!(
                        in_table.map(|r| r.runner),
                        Some(rules::Runner::Pipeline | rules::Runner::Chart(_))
                    ))
                }
            }
        }
        assert_eq!(lookup("dg201").map(|r| r.name.as_str()), Some("env-var-parity"));
        assert_eq!(lookup("env-var-parity").map(|r| r.id.as_str()), Some("DG201"));
        assert!(lookup("DG999").is_none());
    }

    #[test]
    fn list_text_has_one_aligned_line_per_rule() {
        let text = list_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), catalogue().len());
        assert_eq!(
            lines[0],
            "DG001  render-error               error    A template fails to render for an environment."
        );
        assert!(lines.contains(&"DG101  k8s-schema                 error    A resource does not match the Kubernetes schema of the target version."));
        assert!(lines.contains(&"DG601  baseline-mismatch          error    A rendered environment differs from its declared baseline manifests."));
        let docs = docs_markdown(lookup("DG205").unwrap());
        assert!(
            docs.starts_with("# DG205 unknown-values-key\n\nDefault severity: error.\n\nAn override file sets a key"),
            "{docs}"
        );
    }

    /// `docs/rules/` is generated from the catalogue; run with `DRIFTGATE_BLESS=1` to rewrite it.
    #[test]
    fn docs_rules_directory_matches_catalogue() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        let bless = std::env::var_os("DRIFTGATE_BLESS").is_some();
        let mut expected = vec![("README.md".to_string(), index_markdown())];
        for rule in catalogue() {
            expected.push((format!("{}.md", rule.id), docs_markdown(rule)));
        }
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in &expected {
                std::fs::write(dir.join(name), text).unwrap();
            }
        }
        for (name, text) in &expected {
            let actual = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            assert_eq!(&actual, text, "docs/rules/{name} is stale: rerun with DRIFTGATE_BLESS=1");
        }
        let on_disk = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(on_disk, expected.len(), "docs/rules/ holds files the catalogue does not");
    }

    fn index_markdown() -> String {
        let mut out = String::from(
            "# Rules\n\nGenerated from the rule registry (`driftgate rules`); do not edit.\n\n\
             | id | name | default severity | summary |\n|---|---|---|---|\n",
        );
        for rule in catalogue() {
            out.push_str(&format!(
                "| [{id}]({id}.md) | {} | {} | {} |\n",
                rule.name,
                rule.default_severity.as_str(),
                rule.summary,
                id = rule.id
            ));
        }
        out
    }
}
