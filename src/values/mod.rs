//! Values files: loading with origins and merging them exactly as Helm merges `-f a -f b`.
//!
//! The merged tree is a [`yaml::Node`](crate::yaml::Node) whose every node still carries the file
//! and span that supplied it after merging: the override that won, not the default it shadowed.
//! This module knows nothing about templates.

mod coalesce;
mod convert;
#[cfg(test)]
mod encode_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
pub use coalesce::coalesce;
pub use coalesce::{ChartValues, coalesce_chart, merge_overrides, merge_tables};
pub use convert::{lookup, lookup_entry, to_template_value};

use crate::source::{FileId, Pos};
use crate::yaml::{self, Node, NodeValue, YamlError};

/// Why a values file could not be loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct ValuesError {
    pub message: String,
    pub file: FileId,
    pub pos: Pos,
}

impl std::fmt::Display for ValuesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}: {}", self.pos.line, self.pos.column, self.message)
    }
}

impl std::error::Error for ValuesError {}

/// Loads a values file as Helm 3 does: the first YAML document only, which must be a mapping
/// (an empty or `null` document is an empty mapping); `.inf`/`.nan` anywhere are errors because
/// Helm's JSON conversion rejects them.
pub fn load_values(text: &str, file: FileId) -> Result<Node, ValuesError> {
    let root = yaml::parse_first_document(text, file).map_err(|YamlError { message, pos }| ValuesError {
        message,
        file,
        pos,
    })?;
    let root = match root.value {
        NodeValue::Map(_) => root,
        NodeValue::Null => Node { value: NodeValue::Map(Vec::new()), ..root },
        ref other => {
            return Err(ValuesError {
                message: format!("values file must be a mapping, found {}", kind_with_article(other)),
                file,
                pos: root.span.start,
            });
        }
    };
    if let Some(bad) = find_non_finite(&root) {
        let NodeValue::Float(f) = bad.value else { unreachable!("find_non_finite returns floats") };
        let shown = if f.is_nan() {
            ".nan"
        } else if f > 0.0 {
            ".inf"
        } else {
            "-.inf"
        };
        return Err(ValuesError {
            message: format!("{shown} is not allowed in values (Helm cannot convert it to JSON)"),
            file,
            pos: bad.span.start,
        });
    }
    Ok(root)
}

/// "a sequence", "a string", ... for messages.
pub fn kind_with_article(value: &NodeValue) -> &'static str {
    match value {
        NodeValue::Null => "null",
        NodeValue::Bool(_) => "a boolean",
        NodeValue::Int(_) | NodeValue::Float(_) => "a number",
        NodeValue::String(_) => "a string",
        NodeValue::Seq(_) => "a sequence",
        NodeValue::Map(_) => "a mapping",
    }
}

/// The first `.inf`/`.nan` in the tree, searched without recursion.
fn find_non_finite(root: &Node) -> Option<&Node> {
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        match &node.value {
            NodeValue::Float(f) if !f.is_finite() => return Some(node),
            NodeValue::Seq(items) => pending.extend(items.iter().rev()),
            NodeValue::Map(entries) => pending.extend(entries.iter().rev().map(|(_, v)| v)),
            _ => {}
        }
    }
    None
}
