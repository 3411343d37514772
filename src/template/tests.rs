//! Conformance table of the engine: each case is a template, data and the exact output or error
//! Helm v3.17.2 prints for it (checked with the real binary on scratch charts).

use super::*;
use crate::template::value::Map;

/// Converts JSON test data into template values (numbers become float64, as from a values file).
fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => Value::str(s.as_str()),
        serde_json::Value::Array(items) => Value::list(items.iter().map(from_json).collect()),
        serde_json::Value::Object(obj) => {
            Value::map(obj.iter().map(|(k, v)| (k.clone(), from_json(v))).collect::<Map>())
        }
    }
}

const VALUES: &str = r#"{"a": 1, "s": "hello", "m": {"x": 1, "y": "two"}, "l": [1, 2.5, "x"], "big": 1000000, "e": "", "t": true, "f": false, "n": null}"#;

fn context() -> Value {
    let values: serde_json::Value = serde_json::from_str(VALUES).unwrap_or_default();
    let mut top = Map::new();
    top.insert("Values".into(), from_json(&values));
    let mut template = Map::new();
    template.insert("Name".into(), Value::str("c/templates/t.yaml"));
    template.insert("BasePath".into(), Value::str("c/templates"));
    top.insert("Template".into(), Value::map(template));
    Value::map(top)
}

const HELPERS: &str = "{{ define \"inc\" }}{{ required \"in inc\" .Values.nope }}{{ end }}{{ define \"inc2\" }}\n  {{ .Values.nope.x }}{{ end }}{{ define \"hello\" }}hi {{ . }}{{ end }}";

/// Renders `text` as `c/templates/t.yaml` next to a helpers file, like `helm template` does,
/// and returns the output with `<no value>` removed, or Helm's error message.
fn render(text: &str) -> String {
    let mut set = Templates::new();
    if let Err(e) = set.add("c/templates/_h.tpl", HELPERS, FileId(1)) {
        return format!("helpers: {}", e.message);
    }
    if let Err(e) = set.add("c/templates/t.yaml", text, FileId(2)) {
        return format!("Error: {}", e.message);
    }
    match set.execute("c/templates/t.yaml", &context()) {
        Ok(out) => out.without_no_value().text,
        Err(e) => format!("Error: {}", e.message),
    }
}

fn check(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (text, want) in cases {
        let got = render(text);
        if got != *want {
            failures.push(format!("template {text:?}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn actions_and_printing() {
    check(&[
        ("plain text", "plain text"),
        ("{{ .Values.a }} {{ .Values.big }}", "1 1e+06"),
        ("{{ .Values.s }}", "hello"),
        ("{{ .Values.m }}", "map[x:1 y:two]"),
        ("{{ .Values.l }}", "[1 2.5 x]"),
        ("[{{ .Values.missing }}]", "[]"),
        ("[{{ .Values.n }}]", "[]"),
        ("{{ 1 }} {{ 1.5 }} {{ 1e3 }} {{ 0x1F }} {{ 'a' }} {{ -2 }} {{ 017 }}", "1 1.5 1000 31 97 -2 15"),
        ("{{ true }} {{ \"q\\tx\" }} {{ `raw\\n` }}", "true q\tx raw\\n"),
        ("{{/* comment */}}x", "x"),
        ("a  {{- /* c */ -}}  b", "ab"),
        ("a \n {{- 1 -}} \n b", "a1b"),
        ("{{ print 1 2 \"a\" \"b\" 3 nil }}|{{ println 1 \"a\" }}|", "1 2ab3 <nil>|1 a\n|"),
        ("{{ printf \"%d %s %v\" 1.5 }} {{ .Values.big }}", "%!d(float64=1.5) %!s(MISSING) %!v(MISSING) 1e+06"),
        ("{{ .Values.a | printf \"%d\" }}", "%!d(float64=1)"),
        ("{{ \"a\" | printf \"%s-%s\" \"b\" }}", "b-a"),
        ("{{ html \"<a>\" }} {{ js \"it's\" }} {{ urlquery \"a b\" }}", "&lt;a&gt; it\\'s a+b"),
    ]);
}

#[test]
fn variables_and_scoping() {
    check(&[
        ("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", "2"),
        ("{{ $x := .Values.nope }}{{ $x.foo }}|{{ (.Values.nope).foo }}", "|"),
        ("{{ with .Values.m }}{{ $.Values.s }} {{ .x }}{{ end }}", "hello 1"),
        ("{{ $x := 1 }}{{ if true }}{{ $x = 3 }}{{ $y := 4 }}{{ end }}{{ $x }}", "3"),
        ("{{ $y }}", "Error: parse error at (c/templates/t.yaml:1): undefined variable \"$y\""),
        ("{{ range $i, $v := .Values.l }}{{ $i }}={{ $v }};{{ end }}", "0=1;1=2.5;2=x;"),
        ("{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}", "x=1;y=two;"),
        ("{{ range $v := .Values.l }}{{ $v }},{{ end }}", "1,2.5,x,"),
        ("{{ template \"hello\" .Values.s }}", "hi hello"),
        ("{{ $x := 5 }}{{ include \"hello\" $x }}", "hi 5"),
    ]);
}

#[test]
fn control_structures() {
    check(&[
        ("{{ if .Values.t }}T{{ else }}F{{ end }}", "T"),
        ("{{ if .Values.e }}T{{ else if .Values.a }}A{{ else }}F{{ end }}", "A"),
        ("{{ if .Values.f }}T{{ else if .Values.e }}A{{ else }}F{{ end }}", "F"),
        ("{{ with .Values.m.y }}{{ . }}{{ end }}", "two"),
        ("{{ with .Values.e }}x{{ else with .Values.s }}{{ . }}{{ else }}z{{ end }}", "hello"),
        ("{{ with .Values.nope }}x{{ else }}none{{ end }}", "none"),
        ("{{ range .Values.l }}[{{ . }}]{{ end }}", "[1][2.5][x]"),
        ("{{ range .Values.nope }}x{{ else }}empty{{ end }}", "empty"),
        ("{{ range .Values.l }}{{ if eq (printf \"%T\" .) \"string\" }}{{ break }}{{ end }}{{ . }},{{ end }}", "1,2.5,"),
        ("{{ range .Values.l }}{{ if eq (printf \"%T\" .) \"float64\" }}{{ continue }}{{ end }}{{ . }},{{ end }}", "x,"),
        ("{{ range 3 }}{{ . }}{{ end }}", "Error: template: c/templates/t.yaml:1:9: executing \"c/templates/t.yaml\" at <3>: range can't iterate over 3"),
        ("{{ range \"ab\" }}{{ . }}{{ end }}", "Error: template: c/templates/t.yaml:1:9: executing \"c/templates/t.yaml\" at <\"ab\">: range can't iterate over ab"),
        ("{{ block \"blk\" .Values.s }}B{{ . }}{{ end }}", "Bhello"),
    ]);
}

#[test]
fn logic_and_comparison() {
    check(&[
        ("{{ 3 | eq 3 }}{{ and 1 0 2 }}{{ or 0 \"\" \"x\" }}", "true0x"),
        ("{{ and }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <and>: wrong number of args for and: want at least 1 got 0"),
        ("{{ and .Values.f .Values.nope.x }}", "false"),
        ("{{ or .Values.s .Values.nope.x }}", "hello"),
        ("{{ not .Values.e }} {{ not .Values.m }}", "true false"),
        ("{{ eq .Values.a 1 }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <eq .Values.a 1>: error calling eq: incompatible types for comparison"),
        ("{{ eq .Values.a 1.0 }} {{ eq .Values.s \"x\" \"hello\" }} {{ eq .Values.nope \"x\" }}", "true true false"),
        ("{{ lt 1 2 }} {{ gt .Values.big 5.0 }} {{ le \"a\" \"a\" }} {{ ge 1 2 }} {{ ne .Values.s \"hello\" }}", "true true true false false"),
    ]);
}

#[test]
fn builtin_functions() {
    check(&[
        ("{{ len .Values.l }} {{ len .Values.s }} {{ len .Values.m }}", "3 5 2"),
        ("{{ len .Values.nope }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <len .Values.nope>: error calling len: len of nil pointer"),
        ("{{ len 3 }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <len 3>: error calling len: len of type int"),
        ("{{ index .Values.l 1 }} {{ index .Values \"m\" \"y\" }}|{{ index .Values.m \"zz\" }}|", "2.5 two||"),
        ("{{ index .Values.l 3 }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <index .Values.l 3>: error calling index: reflect: slice index out of range"),
        ("{{ slice .Values.l 1 }} {{ slice .Values.s 1 3 }}", "[2.5 x] el"),
    ]);
}

#[test]
fn field_and_argument_errors() {
    check(&[
        ("{{ .Values.a }} {{ .Values.missing.x }}", "Error: template: c/templates/t.yaml:1:26: executing \"c/templates/t.yaml\" at <.Values.missing.x>: nil pointer evaluating interface {}.x"),
        ("a\n  b {{ .Values.nope.x }}", "Error: template: c/templates/t.yaml:2:14: executing \"c/templates/t.yaml\" at <.Values.nope.x>: nil pointer evaluating interface {}.x"),
        ("{{ .Values.m.x.y }}", "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <.Values.m.x.y>: can't evaluate field y in type interface {}"),
        ("{{ .Values.s.x }}", "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <.Values.s.x>: can't evaluate field x in type interface {}"),
        ("{{ \"x\" | len 1 }}", "Error: template: c/templates/t.yaml:1:9: executing \"c/templates/t.yaml\" at <len>: wrong number of args for len: want 1 got 2"),
        ("{{ print | printf 1 }}", "Error: template: c/templates/t.yaml:1:18: executing \"c/templates/t.yaml\" at <1>: expected string; found 1"),
        ("{{ .Values.l | printf }}", "Error: template: c/templates/t.yaml:1:15: executing \"c/templates/t.yaml\" at <printf>: wrong type for value; expected string; got []interface {}"),
        ("{{ printf nil }}", "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <nil>: cannot assign nil to string"),
        ("{{ printf .Values.nope }}", "Error: template: c/templates/t.yaml:1:17: executing \"c/templates/t.yaml\" at <.Values.nope>: wrong type for value; expected string; got interface {}"),
        ("{{ $x := .Values.nope }}{{ printf $x }}", "Error: template: c/templates/t.yaml:1:34: executing \"c/templates/t.yaml\" at <$x>: invalid value; expected string"),
        ("{{ printf \"%s\" .Values.nope.x }}", "Error: template: c/templates/t.yaml:1:22: executing \"c/templates/t.yaml\" at <.Values.nope.x>: nil pointer evaluating interface {}.x"),
        ("{{ $v := \"a\" }}{{ $v.x }}", "Error: template: c/templates/t.yaml:1:20: executing \"c/templates/t.yaml\" at <$v.x>: can't evaluate field x in type string"),
        ("{{ range .Values.l }}{{ .x }}{{ end }}", "Error: template: c/templates/t.yaml:1:24: executing \"c/templates/t.yaml\" at <.x>: can't evaluate field x in type interface {}"),
        ("{{ template \"nope\" . }}", "Error: template: c/templates/t.yaml:1:12: executing \"c/templates/t.yaml\" at <{{template \"nope\" .}}>: template \"nope\" not defined"),
        ("{{ if }}", "Error: parse error at (c/templates/t.yaml:1): missing value for if"),
        ("{{ nofunc 1 }}", "Error: parse error at (c/templates/t.yaml:1): function \"nofunc\" not defined"),
    ]);
}

#[test]
fn helm_engine_functions() {
    check(&[
        ("a: {{ required \"need it\" .Values.nope }}", "Error: execution error at (c/templates/t.yaml:1:6): need it"),
        ("a: {{ required \"need it\" .Values.e }}", "Error: execution error at (c/templates/t.yaml:1:6): need it"),
        ("a: {{ required \"need it\" .Values.f }}", "a: false"),
        ("x\n{{ fail \"boom\" }}", "Error: execution error at (c/templates/t.yaml:2:3): boom"),
        ("{{ include \"inc\" . }}", "Error: execution error at (c/templates/t.yaml:1:3): in inc"),
        ("{{ include \"hello\" 3 | printf \"%s!\" }}", "hi 3!"),
        ("{{ include \"nope\" . }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <include \"nope\" .>: error calling include: template: no template \"nope\" associated with template \"gotpl\""),
        ("{{ include \"inc2\" . }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <include \"inc2\" .>: error calling include: template: c/templates/_h.tpl:2:12: executing \"inc2\" at <.Values.nope.x>: nil pointer evaluating interface {}.x"),
        ("{{ tpl \"{{ .Values.s }}-{{ .Values.nope }}\" . }}", "hello-"),
        ("{{ tpl \"{{ define \\\"q\\\" }}Q{{ end }}{{ include \\\"q\\\" . }}\" . }}", "Q"),
        ("{{ tpl \"{{ .Values.nope.x }}\" . }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <tpl \"{{ .Values.nope.x }}\" .>: error calling tpl: error during tpl function execution for \"{{ .Values.nope.x }}\": template: gotpl:1:10: executing \"gotpl\" at <.Values.nope.x>: nil pointer evaluating interface {}.x"),
        ("{{ tpl \"{{ required \\\"rq\\\" .Values.nope }}\" . }}", "Error: execution error at (c/templates/t.yaml:1:3): rq"),
        ("{{ tpl \"{{ if }}\" . }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <tpl \"{{ if }}\" .>: error calling tpl: cannot parse template \"{{ if }}\": template: gotpl:1: missing value for if"),
        ("{{ tpl \"x{{ . }}\" \"str\" }}", "xstr"),
        ("{{ tpl \"{{ .Template.Name }}\" .Values }}", "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <tpl \"{{ .Template.Name }}\" .Values>: error calling tpl: error during tpl function execution for \"{{ .Template.Name }}\": template: gotpl:1:12: executing \"gotpl\" at <.Template.Name>: nil pointer evaluating interface {}.Name"),
        ("{{ lookup \"v1\" \"Secret\" \"ns\" \"x\" }}", "map[]"),
    ]);
}
