//! Helm's engine-level functions that are plain functions: `required`, `fail`, `lookup`.
//!
//! `include` and `tpl` need the template set and are implemented by the evaluator. Failures of
//! `required` and `fail` are wrapped in Helm's markers so that the final error is rewritten to
//! `execution error at (NAME:LINE:COL): message`, as Helm does.

use super::funcs::{FuncError, Function, ParamType};
use crate::value::{Map, Value};

const ERR_START: &str = "HELM_ERR_START";
const ERR_END: &str = "HELM_ERR_END";

fn marked(message: &str) -> FuncError {
    FuncError::new(format!("{ERR_START}{message}{ERR_END}"))
}

/// The functions Helm's engine adds on top of Sprig and its own function map.
pub fn functions() -> Vec<Function> {
    use ParamType::*;
    vec![
        Function { name: "required", params: &[String, Any], variadic: false, call: required },
        Function { name: "fail", params: &[String], variadic: false, call: fail },
        Function { name: "lookup", params: &[String, String, String, String], variadic: false, call: lookup },
    ]
}

fn required(args: &[Value]) -> Result<Value, FuncError> {
    let message = args[0].as_str().unwrap_or_default();
    match &args[1] {
        Value::Nil => Err(marked(message)),
        Value::String(s) if s.is_empty() => Err(marked(message)),
        v => Ok(v.clone()),
    }
}

fn fail(args: &[Value]) -> Result<Value, FuncError> {
    Err(marked(args[0].as_str().unwrap_or_default()))
}

/// Without a cluster (`helm template`), `lookup` finds nothing.
fn lookup(_args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::map(Map::new()))
}

/// Helm's `cleanupExecError`: a `required`/`fail` failure becomes
/// `execution error at (LOCATION): message`; any other error keeps Go's text.
pub fn cleanup_exec_error(go_message: &str) -> String {
    let mut parts = go_message.splitn(3, ": ");
    let (Some(_), Some(location), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return go_message.to_string();
    };
    // Helm matches `(?s)HELM_ERR_START(.*)HELM_ERR_END`: greedy, across lines.
    if let Some(start) = rest.find(ERR_START) {
        let after = &rest[start + ERR_START.len()..];
        if let Some(end) = after.rfind(ERR_END) {
            return format!("execution error at ({location}): {}", &after[..end]);
        }
    }
    go_message.to_string()
}

/// Helm's `cleanupParseError`: `parse error at (NAME:LINE): message`.
pub fn cleanup_parse_error(file_name: &str, go_message: &str) -> String {
    let tokens: Vec<&str> = go_message.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({file_name}): {go_message}");
    }
    format!("parse error at ({}): {}", tokens[1], tokens[tokens.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fails_on_nil_and_empty_string_only() {
        let msg = Value::str("need it");
        assert_eq!(required(&[msg.clone(), Value::Nil]).err(), Some(marked("need it")));
        assert_eq!(required(&[msg.clone(), Value::str("")]).err(), Some(marked("need it")));
        assert!(required(&[msg.clone(), Value::Bool(false)]).is_ok_and(|v| matches!(v, Value::Bool(false))));
        assert!(required(&[msg, Value::Int(0)]).is_ok());
    }

    #[test]
    fn exec_errors_are_rewritten_like_helm() {
        let go = "template: c/templates/t.yaml:1:6: executing \"c/templates/t.yaml\" at <required \"x\" .a>: error calling required: HELM_ERR_STARTneed itHELM_ERR_END";
        assert_eq!(cleanup_exec_error(go), "execution error at (c/templates/t.yaml:1:6): need it");
        let multi = "template: c/t.yaml:3:4: executing \"c/t.yaml\" at <include \"f\" .>: error calling include: template: c/t.yaml:1:2: executing \"f\" at <fail \"\\nx\\ny\">: error calling fail: HELM_ERR_START\nx\nyHELM_ERR_END";
        assert_eq!(cleanup_exec_error(multi), "execution error at (c/t.yaml:3:4): \nx\ny");
        let plain = "template: t:1:2: executing \"t\" at <.a.b>: nil pointer evaluating interface {}.b";
        assert_eq!(cleanup_exec_error(plain), plain);
    }

    #[test]
    fn parse_errors_are_rewritten_like_helm() {
        assert_eq!(
            cleanup_parse_error("c/t.yaml", "template: c/t.yaml:1: missing value for if"),
            "parse error at (c/t.yaml:1): missing value for if"
        );
    }
}
