//! Helm's YAML/JSON/TOML functions: toYaml, toYamlPretty, fromYaml, fromYamlArray, toJson,
//! fromJson, fromJsonArray, toToml, fromToml, and Sprig's toPrettyJson, toRawJson, mustToJson,
//! mustToPrettyJson, mustToRawJson, mustFromJson.
//!
//! `mustToYaml` and `mustToToml` exist only in Helm 4 and are not provided (Helm 3 rejects them
//! as undefined).

#[cfg(test)]
mod through_engine;
mod toml_decode;
mod toml_encode;

use super::{FuncError, Function, ParamType};
use crate::value::{Map, Value};
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
        f("toYamlPretty", any, to_yaml_pretty),
        f("toToml", any, to_toml),
        f("fromToml", string, from_toml),
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

/// The functions Helm 4 adds: `mustToYaml`.
pub fn helm4_functions() -> Vec<Function> {
    vec![Function { name: "mustToYaml", params: &[ParamType::Any], variadic: false, call: must_to_yaml }]
}

/// Helm 4's `mustToYaml`: `toYaml` whose marshalling error fails the call.
fn must_to_yaml(args: &[Value]) -> Result<Value, FuncError> {
    let text = yaml::marshal_yaml(arg(args)).map_err(FuncError::new)?;
    Ok(Value::str(text.strip_suffix('\n').unwrap_or(&text)))
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

/// Helm's `toYamlPretty` (go-yaml v3, indent 2): errors give an empty string; one final
/// newline is trimmed.
fn to_yaml_pretty(args: &[Value]) -> Result<Value, FuncError> {
    let text = yaml::marshal_yaml_v3(arg(args)).unwrap_or_default();
    Ok(Value::str(text.strip_suffix('\n').unwrap_or(&text)))
}

/// Helm's `toToml`: the encoder's error text is the result; a nil value fails the call the way
/// Go's reflection panic does.
fn to_toml(args: &[Value]) -> Result<Value, FuncError> {
    match toml_encode::encode(arg(args)) {
        Ok(text) => Ok(Value::str(text)),
        Err(toml_encode::TomlEncodeError::Encoder(message)) => Ok(Value::str(message)),
        Err(toml_encode::TomlEncodeError::NilValue) => {
            Err(FuncError::new("reflect: call of reflect.Value.Type on zero Value"))
        }
    }
}

/// Helm's `fromToml`: a map; on error the map gets an `Error` entry with the decoder's message.
fn from_toml(args: &[Value]) -> Result<Value, FuncError> {
    Ok(match toml_decode::decode(string_arg(args)) {
        Ok(map) => Value::map(map),
        Err(message) => with_error_entry(Value::map(Map::new()), message),
    })
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
    let mut map = value.as_map().map(|m| m.snapshot()).unwrap_or_default();
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
        Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type {go_type}"
        ))
    };
    let kind = match &node.value {
        NodeValue::Null => {
            return Ok(if target == JsonTarget::List { Value::list(Vec::new()) } else { Value::map(Map::new()) });
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, input: &str) -> String {
        let function = functions().into_iter().find(|f| f.name == name).expect("registered");
        let value = (function.call)(&[Value::str(input)]).expect("never fails");
        yaml::marshal_json(&value, COMPACT).expect("encodable")
    }

    /// `(input, toJson (fromYaml input), toJson (fromYamlArray input))`, from helm 3.17.2.
    const FROM_YAML: &[(&str, &str, &str)] = &[
        (
            "a: 1\nb: [x, y]",
            r#"{"a":1,"b":["x",true]}"#,
            r#"["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"]"#,
        ),
        (
            "- a\n- b",
            r#"{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"}"#,
            r#"["a","b"]"#,
        ),
        (
            "hello",
            r#"{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}"}"#,
            r#"["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type []interface {}"]"#,
        ),
        ("", "{}", "[]"),
        (
            "a: b: c",
            r#"{"Error":"error converting YAML to JSON: yaml: mapping values are not allowed in this context"}"#,
            r#"["error converting YAML to JSON: yaml: mapping values are not allowed in this context"]"#,
        ),
        (
            "a:\n  - x\n b: 1",
            r#"{"Error":"error converting YAML to JSON: yaml: line 2: did not find expected key"}"#,
            r#"["error converting YAML to JSON: yaml: line 2: did not find expected key"]"#,
        ),
        (
            "{a: 1",
            r#"{"Error":"error converting YAML to JSON: yaml: line 1: did not find expected ',' or '}'"}"#,
            r#"["error converting YAML to JSON: yaml: line 1: did not find expected ',' or '}'"]"#,
        ),
        (
            "a: .inf",
            r#"{"Error":"error converting YAML to JSON: json: unsupported value: +Inf"}"#,
            r#"["error converting YAML to JSON: json: unsupported value: +Inf"]"#,
        ),
        (
            "x: 1\n---\ny: [",
            r#"{"x":1}"#,
            r#"["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"]"#,
        ),
        (
            "~: 1",
            r#"{"Error":"error converting YAML to JSON: unsupported map key of type: %!s(\u003cnil\u003e), key: \u003cnil\u003e, value: 1"}"#,
            r#"["error converting YAML to JSON: unsupported map key of type: %!s(\u003cnil\u003e), key: \u003cnil\u003e, value: 1"]"#,
        ),
        (
            "a: !!int abc",
            r#"{"Error":"error converting YAML to JSON: yaml: cannot decode !!str `abc` as a !!int"}"#,
            r#"["error converting YAML to JSON: yaml: cannot decode !!str `abc` as a !!int"]"#,
        ),
        (
            "n: 0777\nf: 1e3\nb: yes",
            r#"{"b":true,"f":1000,"false":511}"#,
            r#"["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"]"#,
        ),
        (
            "a: &x 1\nb: *y",
            r#"{"Error":"error converting YAML to JSON: yaml: unknown anchor 'y' referenced"}"#,
            r#"["error converting YAML to JSON: yaml: unknown anchor 'y' referenced"]"#,
        ),
        (
            "\"unterminated",
            r#"{"Error":"error converting YAML to JSON: yaml: found unexpected end of stream"}"#,
            r#"["error converting YAML to JSON: yaml: found unexpected end of stream"]"#,
        ),
        (
            "a:\n\tb: 1",
            r#"{"Error":"error converting YAML to JSON: yaml: line 2: found character that cannot start any token"}"#,
            r#"["error converting YAML to JSON: yaml: line 2: found character that cannot start any token"]"#,
        ),
        (
            "a: 1e400",
            r#"{"a":"1e400"}"#,
            r#"["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"]"#,
        ),
    ];

    /// `(input, toJson (fromJson input), toJson (fromJsonArray input))`, from helm 3.17.2.
    const FROM_JSON: &[(&str, &str, &str)] = &[
        (
            r#"{"a": 1, "b": [true, null, "x"]}"#,
            r#"{"a":1,"b":[true,null,"x"]}"#,
            r#"["json: cannot unmarshal object into Go value of type []interface {}"]"#,
        ),
        (
            "[1, 2]",
            r#"{"Error":"json: cannot unmarshal array into Go value of type map[string]interface {}"}"#,
            "[1,2]",
        ),
        (
            r#""str""#,
            r#"{"Error":"json: cannot unmarshal string into Go value of type map[string]interface {}"}"#,
            r#"["json: cannot unmarshal string into Go value of type []interface {}"]"#,
        ),
        ("", r#"{"Error":"unexpected end of JSON input"}"#, r#"["unexpected end of JSON input"]"#),
        (r#"{"a": 1"#, r#"{"Error":"unexpected end of JSON input"}"#, r#"["unexpected end of JSON input"]"#),
        (
            r#"{"a" 1}"#,
            r#"{"Error":"invalid character '1' after object key"}"#,
            r#"["invalid character '1' after object key"]"#,
        ),
        (
            r#"{"a": 1,}"#,
            r#"{"Error":"invalid character '}' looking for beginning of object key string"}"#,
            r#"["invalid character '}' looking for beginning of object key string"]"#,
        ),
        ("[1, 2", r#"{"Error":"unexpected end of JSON input"}"#, r#"["unexpected end of JSON input"]"#),
        (
            r#"{"a": tru}"#,
            r#"{"Error":"invalid character '}' in literal true (expecting 'e')"}"#,
            r#"["invalid character '}' in literal true (expecting 'e')"]"#,
        ),
        (
            "nul",
            r#"{"Error":"invalid character ' ' in literal null (expecting 'l')"}"#,
            r#"["invalid character ' ' in literal null (expecting 'l')"]"#,
        ),
        (
            "{a: 1}",
            r#"{"Error":"invalid character 'a' looking for beginning of object key string"}"#,
            r#"["invalid character 'a' looking for beginning of object key string"]"#,
        ),
        (
            r#"{"a": 1e400}"#,
            r#"{"Error":"json: cannot unmarshal number 1e400 into Go value of type float64","a":null}"#,
            r#"["json: cannot unmarshal object into Go value of type []interface {}"]"#,
        ),
        (
            "01",
            r#"{"Error":"invalid character '1' after top-level value"}"#,
            r#"["invalid character '1' after top-level value"]"#,
        ),
        (
            "1 2",
            r#"{"Error":"invalid character '2' after top-level value"}"#,
            r#"["invalid character '2' after top-level value"]"#,
        ),
        (
            r#"{"a":"\x"}"#,
            r#"{"Error":"invalid character 'x' in string escape code"}"#,
            r#"["invalid character 'x' in string escape code"]"#,
        ),
        (
            "[1,]",
            r#"{"Error":"invalid character ']' looking for beginning of value"}"#,
            r#"["invalid character ']' looking for beginning of value"]"#,
        ),
        (
            r#"{"a": -}"#,
            r#"{"Error":"invalid character '}' in numeric literal"}"#,
            r#"["invalid character '}' in numeric literal"]"#,
        ),
        (
            r#"{"a": 1.}"#,
            r#"{"Error":"invalid character '}' after decimal point in numeric literal"}"#,
            r#"["invalid character '}' after decimal point in numeric literal"]"#,
        ),
        (
            r#"{"a": 1e}"#,
            r#"{"Error":"invalid character '}' in exponent of numeric literal"}"#,
            r#"["invalid character '}' in exponent of numeric literal"]"#,
        ),
        (
            "{\"a\":\"x\u{1}\"}",
            r#"{"Error":"invalid character '\\x01' in string literal"}"#,
            r#"["invalid character '\\x01' in string literal"]"#,
        ),
        ("\t{\"a\":1}  ", r#"{"a":1}"#, r#"["json: cannot unmarshal object into Go value of type []interface {}"]"#),
        (
            r#"{"a":1}}"#,
            r#"{"Error":"invalid character '}' after top-level value"}"#,
            r#"["invalid character '}' after top-level value"]"#,
        ),
        (
            r#"["\u00e9\ud83d\ude00"]"#,
            r#"{"Error":"json: cannot unmarshal array into Go value of type map[string]interface {}"}"#,
            "[\"é😀\"]",
        ),
        (
            r#"{"html": "<&>"}"#,
            r#"{"html":"\u003c\u0026\u003e"}"#,
            r#"["json: cannot unmarshal object into Go value of type []interface {}"]"#,
        ),
        (
            "'",
            r#"{"Error":"invalid character '\\'' looking for beginning of value"}"#,
            r#"["invalid character '\\'' looking for beginning of value"]"#,
        ),
        (
            "é",
            r#"{"Error":"invalid character 'Ã' looking for beginning of value"}"#,
            r#"["invalid character 'Ã' looking for beginning of value"]"#,
        ),
        (
            "1",
            r#"{"Error":"json: cannot unmarshal number into Go value of type map[string]interface {}"}"#,
            r#"["json: cannot unmarshal number into Go value of type []interface {}"]"#,
        ),
        (
            "true",
            r#"{"Error":"json: cannot unmarshal bool into Go value of type map[string]interface {}"}"#,
            r#"["json: cannot unmarshal bool into Go value of type []interface {}"]"#,
        ),
        (
            "1e400",
            r#"{"Error":"json: cannot unmarshal number into Go value of type map[string]interface {}"}"#,
            r#"["json: cannot unmarshal number into Go value of type []interface {}"]"#,
        ),
        (
            r#"{"a":[1e400, 2]}"#,
            r#"{"Error":"json: cannot unmarshal number 1e400 into Go value of type float64","a":[null,2]}"#,
            r#"["json: cannot unmarshal object into Go value of type []interface {}"]"#,
        ),
    ];

    #[test]
    fn from_yaml_matches_helm() {
        for (input, map_json, list_json) in FROM_YAML {
            assert_eq!(call("fromYaml", input), *map_json, "fromYaml {input:?}");
            assert_eq!(call("fromYamlArray", input), *list_json, "fromYamlArray {input:?}");
        }
    }

    #[test]
    fn from_json_matches_helm() {
        for (input, map_json, list_json) in FROM_JSON {
            assert_eq!(call("fromJson", input), *map_json, "fromJson {input:?}");
            assert_eq!(call("fromJsonArray", input), *list_json, "fromJsonArray {input:?}");
        }
    }

    #[test]
    fn must_variants_fail_with_go_errors() {
        let must_from = functions().into_iter().find(|f| f.name == "mustFromJson").unwrap();
        assert_eq!((must_from.call)(&[Value::str("[1,")]).unwrap_err(), FuncError::new("unexpected end of JSON input"));
        assert_eq!((must_from.call)(&[Value::str("\"s\"")]).unwrap().as_str(), Some("s"));
        let raw = functions().into_iter().find(|f| f.name == "toRawJson").unwrap();
        assert_eq!((raw.call)(&[Value::Float(f64::NAN)]).unwrap_err(), FuncError::new("json: unsupported value: NaN"));
        let to_json = functions().into_iter().find(|f| f.name == "toJson").unwrap();
        assert_eq!((to_json.call)(&[Value::Float(f64::NAN)]).unwrap().as_str(), Some(""));
        let to_yaml = functions().into_iter().find(|f| f.name == "toYaml").unwrap();
        assert_eq!((to_yaml.call)(&[Value::Float(f64::INFINITY)]).unwrap().as_str(), Some(""));
        assert!(functions().iter().all(|f| f.name != "mustToYaml"));
        // Go's json nesting limit, so deep input cannot build values deeper than that.
        let deep = "[".repeat(10_001);
        assert_eq!(
            (must_from.call)(&[Value::str(deep.as_str())]).unwrap_err(),
            FuncError::new("invalid character '[' exceeded max depth")
        );
    }
}
