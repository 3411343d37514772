//! YAML as Helm reads and writes it, with a position for every node.
//!
//! Reading follows go-yaml v2 (YAML 1.1 scalar resolution: `yes`/`on` are booleans, `0777` is
//! octal, duplicate keys: last wins, `<<` merge keys, keys stringified like `sigs.k8s.io/yaml`).
//! Writing follows Helm's `toYaml` (go-yaml v2's emitter fed from JSON), `toYamlPretty`
//! (go-yaml v3's encoder) and `toJson` (Go's `encoding/json`). This module knows nothing about values files or templates.

use std::sync::Arc;

use crate::source::{FileId, FileSpan, Pos, Span};

mod emit;
mod json;
mod parse;
mod resolve;
#[cfg(test)]
mod tests;

pub use emit::{MAX_ENCODE_DEPTH, marshal as marshal_yaml, marshal_v3 as marshal_yaml_v3};
pub use json::{JsonStyle, JsonTarget, marshal as marshal_json, unmarshal as unmarshal_json, write_json_bytes};
pub use parse::{MAX_ALIAS_EXPANSION, MAX_DEPTH};
pub(crate) use resolve::format_float32_g;

/// A parsed YAML node with the file and span it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    pub file: FileId,
    pub span: Span,
}

/// The resolved content of a node (YAML 1.1 resolution, as go-yaml v2 does it).
#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Shared: an alias of a long string costs a pointer, as in Go.
    String(Arc<str>),
    Seq(Vec<Node>),
    /// Entries in document order; keys are unique (the last duplicate wins).
    Map(Vec<(Key, Node)>),
}

/// A mapping key, stringified the way `sigs.k8s.io/yaml` does, with its own span.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

/// A syntax error with the position where the parser stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub pos: Pos,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}: {}", self.pos.line, self.pos.column, self.message)
    }
}

impl Node {
    /// Where the node is: its file and span.
    pub fn file_span(&self) -> FileSpan {
        FileSpan { file: self.file, span: self.span }
    }

    /// The entry `key` of a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            NodeValue::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The node as JSON, spans dropped: integers stay integers, non-finite floats become
    /// `null`, and collections nested deeper than [`MAX_JSON_DEPTH`] become `null` (regorus
    /// refuses data nested deeper than 128 levels; nothing real comes close).
    pub fn to_json(&self) -> serde_json::Value {
        to_json(self, 0)
    }
}

/// Deepest nesting [`Node::to_json`] keeps.
pub const MAX_JSON_DEPTH: usize = 100;

fn to_json(node: &Node, depth: usize) -> serde_json::Value {
    use serde_json::Value as Json;
    if depth > MAX_JSON_DEPTH {
        return Json::Null;
    }
    match &node.value {
        NodeValue::Null => Json::Null,
        NodeValue::Bool(b) => Json::Bool(*b),
        NodeValue::Int(i) => Json::from(*i),
        NodeValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        NodeValue::String(s) => Json::String(s.to_string()),
        NodeValue::Seq(items) => Json::Array(items.iter().map(|item| to_json(item, depth + 1)).collect()),
        NodeValue::Map(entries) => {
            Json::Object(entries.iter().map(|(key, value)| (key.name.clone(), to_json(value, depth + 1))).collect())
        }
    }
}

/// Parses every document of a YAML stream.
///
/// An empty stream (nothing but blanks or comments) returns one `Null` document at 1:1, so
/// callers always get at least one document. Errors carry libyaml's problem text and position.
pub fn parse_documents(text: &str, file: FileId) -> Result<Vec<Node>, YamlError> {
    Ok(parse::parse_documents(text, file)?)
}

/// Parses the first document only, ignoring the rest of the stream (as Helm 3 reads values
/// files); an empty stream gives a `Null` node.
pub fn parse_first_document(text: &str, file: FileId) -> Result<Node, YamlError> {
    Ok(parse::parse_first_document(text, file)?)
}

/// Like [`parse_first_document`], but the error is the text go-yaml v2 gives
/// (`yaml: line 2: mapping values are not allowed in this context`), for functions that
/// hand Helm's error text to templates.
pub fn parse_first_document_go_error(text: &str) -> Result<Node, String> {
    parse::parse_first_document(text, FileId::default()).map_err(|failure| failure.go_text)
}
