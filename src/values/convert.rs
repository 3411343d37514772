//! Views of a values tree: what templates see, what policies see, and path lookup.

use crate::value::{Map, Value};
use crate::yaml::{Key, Node, NodeValue};

/// What a template sees for `node`: Helm's JSON round trip makes every number a `float64`.
pub fn to_template_value(node: &Node) -> Value {
    match &node.value {
        NodeValue::Null => Value::Nil,
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Int(i) => Value::Float(*i as f64),
        NodeValue::Float(f) => Value::Float(*f),
        NodeValue::String(s) => Value::String(s.clone()),
        NodeValue::Seq(items) => Value::list(items.iter().map(to_template_value).collect()),
        NodeValue::Map(entries) => {
            let map: Map = entries.iter().map(|(k, v)| (k.name.clone(), to_template_value(v))).collect();
            Value::map(map)
        }
    }
}

/// The node at `path` (mapping keys; a decimal segment also indexes a sequence).
pub fn lookup<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    let mut current = node;
    for segment in path {
        current = match &current.value {
            NodeValue::Map(_) => current.get(segment)?,
            NodeValue::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The mapping entry at `path` with its key (for pointing at `key:` rather than at the value);
/// `None` when the path is empty, missing, or ends inside a sequence.
pub fn lookup_entry<'a>(node: &'a Node, path: &[&str]) -> Option<(&'a Key, &'a Node)> {
    let (last, parents) = path.split_last()?;
    match &lookup(node, parents)?.value {
        NodeValue::Map(entries) => entries.iter().find(|(k, _)| k.name == *last).map(|(k, v)| (k, v)),
        _ => None,
    }
}
