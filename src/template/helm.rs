//! Helm's engine-level functions that are plain functions: `required`, `fail`, `lookup`.
//!
//! `include` and `tpl` need the template set and are implemented by the evaluator. Failures of
//! `required` and `fail` are wrapped in Helm's markers so that the final error is rewritten to
//! `execution error at (NAME:LINE:COL): message`, as Helm does.

use super::funcs::{FuncError, Function, ParamType};
use crate::helm_version::HelmVersion;
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

/// The final text of an execution error as `helm` prints it. Helm 3 prints Go's one line. Helm 4
/// prints each `template: LOCATION: executing "NAME" at <ACTION>: ` link of the chain on lines
/// of its own (location, then `executing ...:` indented by two, then the message by four), a
/// nested `include` failure after `error calling include:`; a chain with any other
/// `error calling FUNCTION:` (eq, index, tpl, ...) keeps Go's one line, as do `required` and
/// `fail` messages (`execution error at ...`).
pub fn format_exec_error(helm: HelmVersion, message: &str) -> String {
    if !helm.is_v4() {
        return message.to_string();
    }
    format_exec_chain(message).unwrap_or_else(|| message.to_string())
}

fn format_exec_chain(message: &str) -> Option<String> {
    const INCLUDE: &str = "error calling include: ";
    let mut out = String::new();
    let mut rest = message;
    loop {
        let link = rest.strip_prefix("template: ")?;
        let (location, after) = link.split_once(": executing \"")?;
        // The template name is Go-quoted: find its closing quote.
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let end = end?;
        let name = &after[..end];
        let after = after[end + 1..].strip_prefix(" at <")?;
        let (action, tail) = after.split_once(">: ")?;
        out.push_str(&format!("{location}\n  executing \"{name}\" at <{action}>:\n"));
        if let Some(inner) = tail.strip_prefix(INCLUDE) {
            out.push_str("    error calling include:\n");
            if inner.starts_with("template: ") && inner.contains(": executing \"") {
                rest = inner;
                continue;
            }
            out.push_str(inner);
            return Some(out);
        }
        if tail.starts_with("error calling ") {
            return None;
        }
        out.push_str("    ");
        out.push_str(tail);
        return Some(out);
    }
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
    fn helm4_prints_execution_errors_over_several_lines() {
        let v4 = |m: &str| format_exec_error(HelmVersion::V4, m);
        let plain = "template: c/t.yaml:1:10: executing \"c/t.yaml\" at <.a.x>: nil pointer evaluating interface {}.x";
        assert_eq!(
            v4(plain),
            "c/t.yaml:1:10\n  executing \"c/t.yaml\" at <.a.x>:\n    nil pointer evaluating interface {}.x"
        );
        assert_eq!(format_exec_error(HelmVersion::V3, plain), plain);
        let nested = "template: c/t.yaml:1:3: executing \"c/t.yaml\" at <include \"h\" .>: error calling include: \
                      template: no template \"h\" associated with template \"gotpl\"";
        assert_eq!(
            v4(nested),
            "c/t.yaml:1:3\n  executing \"c/t.yaml\" at <include \"h\" .>:\n    error calling include:\n\
             template: no template \"h\" associated with template \"gotpl\""
        );
        let function = "template: c/t.yaml:1:3: executing \"c/t.yaml\" at <eq 1 \"a\">: error calling eq: x";
        assert_eq!(v4(function), function);
        assert_eq!(v4("execution error at (c/t.yaml:1:3): boom"), "execution error at (c/t.yaml:1:3): boom");
    }

    #[test]
    fn parse_errors_are_rewritten_like_helm() {
        assert_eq!(
            cleanup_parse_error("c/t.yaml", "template: c/t.yaml:1: missing value for if"),
            "parse error at (c/t.yaml:1): missing value for if"
        );
    }
}
