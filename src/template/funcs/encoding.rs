//! Helm's YAML/JSON functions: toYaml, fromYaml, fromYamlArray, toJson, fromJson, fromJsonArray,
//! and Sprig's toPrettyJson, toRawJson, mustToJson, mustToPrettyJson, mustToRawJson, mustFromJson.
//!
//! `mustToYaml` exists only in Helm 4 and is not provided (Helm 3 rejects it as undefined).

use super::{FuncError, Function, ParamType};
use crate::template::value::{Map, Value};
use crate::yaml::{self, JsonStyle, JsonTarget, NodeValue};

const COMPACT: JsonStyle = JsonStyle { escape_html: true, pretty: false };
const PRETTY: JsonStyle = JsonStyle { escape_html: true, pretty: true };
const RAW: JsonStyle = JsonStyle { escape_html: false, pretty: false };

pub fn functions() -> Vec<Function> {
    let any: &'static [ParamType] = &[ParamType::Any];
    let string: &'static [ParamType] = &[ParamType::String];
    let f = |name, params, call| Function { name, params, variadic: false, call };
    vec![
        f("toYaml", any, to_yaml),
        f("fromYaml", string, from_yaml),
        f("fromYamlArray", string, from_yaml_array),
        f("toJson", any, to_json),
        f("fromJson", string, from_json),
        f("fromJsonArray", string, from_json_array),
        f("toPrettyJson", any, to_pretty_json),
        f("toRawJson", any, to_raw_json),
        f("mustToJson", any, must_to_json),
        f("mustToPrettyJson", any, must_to_pretty_json),
        f("mustToRawJson", any, to_raw_json),
        f("mustFromJson", string, must_from_json),
    ]
}

fn arg(args: &[Value]) -> &Value {
    args.first().unwrap_or(&Value::Nil)
}

fn string_arg(args: &[Value]) -> &str {
    arg(args).as_str().unwrap_or("")
}

/// Helm's `toYaml`: errors are swallowed into an empty string; one final newline is trimmed.
fn to_yaml(args: &[Value]) -> Result<Value, FuncError> {
    let text = yaml::marshal_yaml(arg(args)).unwrap_or_default();
    Ok(Value::str(text.strip_suffix('\n').unwrap_or(&text)))
}

/// Helm's `toJson`: errors are swallowed into an empty string.
fn to_json(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::str(yaml::marshal_json(arg(args), COMPACT).unwrap_or_default()))
}

/// Sprig's `toPrettyJson`: errors are swallowed.
fn to_pretty_json(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::str(yaml::marshal_json(arg(args), PRETTY).unwrap_or_default()))
}

/// Sprig's `toRawJson` panics on error, which the template reports as the call's error;
/// `mustToRawJson` returns the same error.
fn to_raw_json(args: &[Value]) -> Result<Value, FuncError> {
    yaml::marshal_json(arg(args), RAW).map(Value::str).map_err(FuncError)
}

fn must_to_json(args: &[Value]) -> Result<Value, FuncError> {
    yaml::marshal_json(arg(args), COMPACT).map(Value::str).map_err(FuncError)
}

fn must_to_pretty_json(args: &[Value]) -> Result<Value, FuncError> {
    yaml::marshal_json(arg(args), PRETTY).map(Value::str).map_err(FuncError)
}

/// Helm's `fromJson`: a map; on error the map gets an `Error` entry with Go's message.
fn from_json(args: &[Value]) -> Result<Value, FuncError> {
    let (value, error) = yaml::unmarshal_json(string_arg(args), JsonTarget::Map);
    Ok(match error {
        None => value,
        Some(message) => with_error_entry(value, message),
    })
}

/// Helm's `fromJsonArray`: a list; on error a one-element list holding the message.
fn from_json_array(args: &[Value]) -> Result<Value, FuncError> {
    let (value, error) = yaml::unmarshal_json(string_arg(args), JsonTarget::List);
    Ok(match error {
        None => value,
        Some(message) => Value::list(vec![Value::str(message)]),
    })
}

/// Sprig's `mustFromJson`: any JSON value, or the decoding error.
fn must_from_json(args: &[Value]) -> Result<Value, FuncError> {
    match yaml::unmarshal_json(string_arg(args), JsonTarget::Any) {
        (value, None) => Ok(value),
        (_, Some(message)) => Err(FuncError(message)),
    }
}

/// Helm's `fromYaml`: a map; on error the map gets an `Error` entry with Helm's message.
fn from_yaml(args: &[Value]) -> Result<Value, FuncError> {
    Ok(match yaml_to_value(string_arg(args), JsonTarget::Map) {
        Ok(value) => value,
        Err(message) => with_error_entry(Value::map(Map::new()), message),
    })
}

/// Helm's `fromYamlArray`: a list; on error a one-element list holding the message.
fn from_yaml_array(args: &[Value]) -> Result<Value, FuncError> {
    Ok(match yaml_to_value(string_arg(args), JsonTarget::List) {
        Ok(value) => value,
        Err(message) => Value::list(vec![Value::str(message)]),
    })
}

fn with_error_entry(value: Value, message: String) -> Value {
    let mut map = value.as_map().cloned().unwrap_or_default();
    map.insert("Error".to_string(), Value::str(message));
    Value::map(map)
}

/// `sigs.k8s.io/yaml.Unmarshal` into `target`, with its error texts.
fn yaml_to_value(text: &str, target: JsonTarget) -> Result<Value, String> {
    let node = yaml::parse_first_document_go_error(text).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    let value = crate::values::to_template_value(&node);
    if let Err(e) = yaml::marshal_json(&value, COMPACT) {
        return Err(format!("error converting YAML to JSON: {e}"));
    }
    let mismatch = |kind: &str, go_type: &str| {
        Err(format!("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type {go_type}"))
    };
    let kind = match &node.value {
        NodeValue::Null => return Ok(if target == JsonTarget::List { Value::list(Vec::new()) } else { Value::map(Map::new()) }),
        NodeValue::Map(_) => "object",
        NodeValue::Seq(_) => "array",
        NodeValue::String(_) => "string",
        NodeValue::Bool(_) => "bool",
        NodeValue::Int(_) | NodeValue::Float(_) => "number",
    };
    match (target, kind) {
        (JsonTarget::Map, "object") | (JsonTarget::List, "array") | (JsonTarget::Any, _) => Ok(value),
        (JsonTarget::Map, _) => mismatch(kind, "map[string]interface {}"),
        (JsonTarget::List, _) => mismatch(kind, "[]interface {}"),
    }
}
