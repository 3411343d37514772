//! Values files: loading with origins and merging them exactly as Helm merges `-f a -f b`.
//!
//! The merged tree is a [`yaml::Node`](crate::yaml::Node) whose every node still carries the file
//! and span that supplied it after merging: the override that won, not the default it shadowed.
//! This module knows nothing about templates.

use crate::source::FileId;
use crate::yaml::{Node, YamlError};

/// Parses a values file; it must be a mapping (an empty file is an empty mapping).
pub fn load_values(_text: &str, _file: FileId) -> Result<Node, YamlError> {
    unimplemented!("values::load_values")
}

/// A values node as a template value: numbers become float64, as Helm's JSON round trip makes them.
pub fn to_template_value(_node: &Node) -> crate::template::value::Value {
    unimplemented!("values::to_template_value")
}
