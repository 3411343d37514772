//! Conformance table of the engine: each case is a template, data and the exact output or error
//! Helm v3.17.2 prints for it (checked with the real binary on scratch charts).

use super::exec::Limits;
use super::*;
use crate::template::OutputSegment;
use crate::value::Map;

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

/// The values of the scratch chart the expectations were taken from.
const VALUES: &str = r#"{"a": 1, "s": "hello", "m": {"x": 1, "z": "two"}, "l": [1, 2.5, "x"], "big": 1000000, "e": "",
    "t": true, "f": false, "n": null, "ten": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "neg": -3, "fl": 2.75, "huge": 123456789012}"#;

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
        ("{{ .Values.m }}", "map[x:1 z:two]"),
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
        ("{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}", "x=1;z=two;"),
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
        ("{{ with .Values.m.z }}{{ . }}{{ end }}", "two"),
        ("{{ with .Values.e }}x{{ else with .Values.s }}{{ . }}{{ else }}z{{ end }}", "hello"),
        ("{{ with .Values.nope }}x{{ else }}none{{ end }}", "none"),
        ("{{ range .Values.l }}[{{ . }}]{{ end }}", "[1][2.5][x]"),
        ("{{ range .Values.nope }}x{{ else }}empty{{ end }}", "empty"),
        (
            "{{ range .Values.l }}{{ if eq (printf \"%T\" .) \"string\" }}{{ break }}{{ end }}{{ . }},{{ end }}",
            "1,2.5,",
        ),
        (
            "{{ range .Values.l }}{{ if eq (printf \"%T\" .) \"float64\" }}{{ continue }}{{ end }}{{ . }},{{ end }}",
            "x,",
        ),
        (
            "{{ range 3 }}{{ . }}{{ end }}",
            "Error: template: c/templates/t.yaml:1:9: executing \"c/templates/t.yaml\" at <3>: range can't iterate over 3",
        ),
        (
            "{{ range \"ab\" }}{{ . }}{{ end }}",
            "Error: template: c/templates/t.yaml:1:9: executing \"c/templates/t.yaml\" at <\"ab\">: range can't iterate over ab",
        ),
        ("{{ block \"blk\" .Values.s }}B{{ . }}{{ end }}", "Bhello"),
    ]);
}

#[test]
fn logic_and_comparison() {
    check(&[
        ("{{ 3 | eq 3 }}{{ and 1 0 2 }}{{ or 0 \"\" \"x\" }}", "true0x"),
        (
            "{{ and }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <and>: wrong number of args for and: want at least 1 got 0",
        ),
        ("{{ and .Values.f .Values.nope.x }}", "false"),
        ("{{ or .Values.s .Values.nope.x }}", "hello"),
        ("{{ not .Values.e }} {{ not .Values.m }}", "true false"),
        (
            "{{ eq .Values.a 1 }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <eq .Values.a 1>: error calling eq: incompatible types for comparison",
        ),
        ("{{ eq .Values.a 1.0 }} {{ eq .Values.s \"x\" \"hello\" }} {{ eq .Values.nope \"x\" }}", "true true false"),
        (
            "{{ lt 1 2 }} {{ gt .Values.big 5.0 }} {{ le \"a\" \"a\" }} {{ ge 1 2 }} {{ ne .Values.s \"hello\" }}",
            "true true true false false",
        ),
    ]);
}

#[test]
fn builtin_functions() {
    check(&[
        ("{{ len .Values.l }} {{ len .Values.s }} {{ len .Values.m }}", "3 5 2"),
        (
            "{{ len .Values.nope }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <len .Values.nope>: error calling len: len of nil pointer",
        ),
        (
            "{{ len 3 }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <len 3>: error calling len: len of type int",
        ),
        ("{{ index .Values.l 1 }} {{ index .Values \"m\" \"z\" }}|{{ index .Values.m \"zz\" }}|", "2.5 two||"),
        (
            "{{ index .Values.l 3 }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <index .Values.l 3>: error calling index: reflect: slice index out of range",
        ),
    ]);
}

#[test]
fn field_and_argument_errors() {
    check(&[
        (
            "{{ .Values.a }} {{ .Values.missing.x }}",
            "Error: template: c/templates/t.yaml:1:26: executing \"c/templates/t.yaml\" at <.Values.missing.x>: nil pointer evaluating interface {}.x",
        ),
        (
            "a\n  b {{ .Values.nope.x }}",
            "Error: template: c/templates/t.yaml:2:14: executing \"c/templates/t.yaml\" at <.Values.nope.x>: nil pointer evaluating interface {}.x",
        ),
        (
            "{{ .Values.m.x.y }}",
            "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <.Values.m.x.y>: can't evaluate field y in type interface {}",
        ),
        (
            "{{ .Values.s.x }}",
            "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <.Values.s.x>: can't evaluate field x in type interface {}",
        ),
        (
            "{{ \"x\" | len 1 }}",
            "Error: template: c/templates/t.yaml:1:9: executing \"c/templates/t.yaml\" at <len>: wrong number of args for len: want 1 got 2",
        ),
        (
            "{{ print | printf 1 }}",
            "Error: template: c/templates/t.yaml:1:18: executing \"c/templates/t.yaml\" at <1>: expected string; found 1",
        ),
        (
            "{{ .Values.l | printf }}",
            "Error: template: c/templates/t.yaml:1:15: executing \"c/templates/t.yaml\" at <printf>: wrong type for value; expected string; got []interface {}",
        ),
        (
            "{{ printf nil }}",
            "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <nil>: cannot assign nil to string",
        ),
        (
            "{{ printf .Values.nope }}",
            "Error: template: c/templates/t.yaml:1:17: executing \"c/templates/t.yaml\" at <.Values.nope>: wrong type for value; expected string; got interface {}",
        ),
        (
            "{{ $x := .Values.nope }}{{ printf $x }}",
            "Error: template: c/templates/t.yaml:1:34: executing \"c/templates/t.yaml\" at <$x>: invalid value; expected string",
        ),
        (
            "{{ printf \"%s\" .Values.nope.x }}",
            "Error: template: c/templates/t.yaml:1:22: executing \"c/templates/t.yaml\" at <.Values.nope.x>: nil pointer evaluating interface {}.x",
        ),
        (
            "{{ $v := \"a\" }}{{ $v.x }}",
            "Error: template: c/templates/t.yaml:1:20: executing \"c/templates/t.yaml\" at <$v.x>: can't evaluate field x in type string",
        ),
        (
            "{{ range .Values.l }}{{ .x }}{{ end }}",
            "Error: template: c/templates/t.yaml:1:24: executing \"c/templates/t.yaml\" at <.x>: can't evaluate field x in type interface {}",
        ),
        (
            "{{ template \"nope\" . }}",
            "Error: template: c/templates/t.yaml:1:12: executing \"c/templates/t.yaml\" at <{{template \"nope\" .}}>: template \"nope\" not defined",
        ),
        ("{{ if }}", "Error: parse error at (c/templates/t.yaml:1): missing value for if"),
        ("{{ nofunc 1 }}", "Error: parse error at (c/templates/t.yaml:1): function \"nofunc\" not defined"),
    ]);
}

#[test]
fn parse_errors_spanning_lines() {
    check(&[
        (
            "x\n{{ .Values.s\n\n",
            "Error: parse error at (c/templates/t.yaml:4): unclosed action started at c/templates/t.yaml:2",
        ),
        ("x\n{{/* abc\n", "Error: parse error at (c/templates/t.yaml:2): unclosed comment"),
        ("{{ define \"a\" }}\nx", "Error: parse error at (c/templates/t.yaml:2): unexpected EOF"),
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
        (
            "{{ include \"nope\" . }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <include \"nope\" .>: error calling include: template: no template \"nope\" associated with template \"gotpl\"",
        ),
        (
            "{{ include \"inc2\" . }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <include \"inc2\" .>: error calling include: template: c/templates/_h.tpl:2:12: executing \"inc2\" at <.Values.nope.x>: nil pointer evaluating interface {}.x",
        ),
        ("{{ tpl \"{{ .Values.s }}-{{ .Values.nope }}\" . }}", "hello-"),
        ("{{ tpl \"{{ define \\\"q\\\" }}Q{{ end }}{{ include \\\"q\\\" . }}\" . }}", "Q"),
        (
            "{{ tpl \"{{ .Values.nope.x }}\" . }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <tpl \"{{ .Values.nope.x }}\" .>: error calling tpl: error during tpl function execution for \"{{ .Values.nope.x }}\": template: gotpl:1:10: executing \"gotpl\" at <.Values.nope.x>: nil pointer evaluating interface {}.x",
        ),
        (
            "{{ tpl \"{{ required \\\"rq\\\" .Values.nope }}\" . }}",
            "Error: execution error at (c/templates/t.yaml:1:3): rq",
        ),
        (
            "{{ tpl \"{{ if }}\" . }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <tpl \"{{ if }}\" .>: error calling tpl: cannot parse template \"{{ if }}\": template: gotpl:1: missing value for if",
        ),
        ("{{ tpl \"x{{ . }}\" \"str\" }}", "xstr"),
        (
            "{{ tpl \"{{ .Template.Name }}\" .Values }}",
            "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <tpl \"{{ .Template.Name }}\" .Values>: error calling tpl: error during tpl function execution for \"{{ .Template.Name }}\": template: gotpl:1:12: executing \"gotpl\" at <.Template.Name>: nil pointer evaluating interface {}.Name",
        ),
        ("{{ lookup \"v1\" \"Secret\" \"ns\" \"x\" }}", "map[]"),
    ]);
}

/// Runs one file template with `defines` next to it; returns the output or the error message.
fn render_with(defines: &str, text: &str) -> String {
    let mut set = Templates::new();
    if let Err(e) = set.add("c/templates/_h.tpl", defines, FileId(1)) {
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

#[test]
fn recursive_include_ends_in_helms_error() {
    let got = render_with("{{ define \"r\" }}{{ include \"r\" . }}{{ end }}", "{{ include \"r\" . }}");
    let prefix = "Error: template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <include \"r\" .>: error calling include: template: c/templates/_h.tpl:1:19: executing \"r\" at <include \"r\" .>: error calling include: ";
    assert!(got.starts_with(prefix), "{got}");
    assert!(
        got.ends_with(
            "error calling include: rendering template has a nested reference name: r: unable to execute template"
        ),
        "{got}"
    );
}

#[test]
fn recursive_template_is_bounded() {
    let got = render_with("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}", "{{ template \"r\" . }}");
    assert_eq!(
        got,
        format!(
            "Error: template: c/templates/_h.tpl:1:28: executing \"r\" at <{{{{template \"r\" .}}}}>: exceeded maximum template depth ({})",
            Limits::default().max_call_depth
        )
    );
}

#[test]
fn recursive_tpl_is_bounded() {
    let got =
        render_with("{{ define \"r\" }}{{ tpl \"{{ include \\\"r\\\" . }}\" . }}{{ end }}", "{{ include \"r\" . }}");
    assert!(got.starts_with("Error: template: c/templates/t.yaml:1:3: executing"), "{got}");
    assert!(got.contains("exceeded maximum template depth") || got.contains("nested reference name: r"), "{got}");
}

#[test]
fn output_size_is_bounded() {
    // Each level doubles the output: 2^40 bytes would be written without the limit.
    let mut defines = String::from("{{ define \"d0\" }}xxxxxxxxxxxxxxxx{{ end }}");
    for i in 1..40 {
        defines.push_str(&format!(
            "{{{{ define \"d{i}\" }}}}{{{{ template \"d{p}\" }}}}{{{{ template \"d{p}\" }}}}{{{{ end }}}}",
            p = i - 1
        ));
    }
    let mut set = Templates::new();
    set.set_limits(Limits { max_output_bytes: 1 << 20, ..Limits::default() });
    assert!(set.add("c/templates/_h.tpl", &defines, FileId(1)).is_ok());
    assert!(set.add("c/templates/t.yaml", "{{ template \"d39\" }}", FileId(2)).is_ok());
    let err = set.execute("c/templates/t.yaml", &Value::Nil).err().map(|e| e.message).unwrap_or_default();
    assert_eq!(
        err,
        "template: c/templates/_h.tpl:1:17: executing \"d0\" at <>: output exceeds the limit of 1048576 bytes"
    );
}

#[test]
fn long_loops_are_bounded() {
    // 100 nested levels of a 10-element range: 10^100 iterations without the step limit.
    let mut text = String::new();
    for _ in 0..100 {
        text.push_str("{{ range $.Values.ten }}");
    }
    for _ in 0..100 {
        text.push_str("{{ end }}");
    }
    let mut set = Templates::new();
    set.set_limits(Limits { max_steps: 100_000, ..Limits::default() });
    assert!(set.add("t", &text, FileId(0)).is_ok());
    let mut values = Map::new();
    values.insert("ten".into(), Value::list(vec![Value::Int(0); 10]));
    let mut top = Map::new();
    top.insert("Values".into(), Value::map(values));
    let err = set.execute("t", &Value::map(top)).err().map(|e| e.message).unwrap_or_default();
    assert!(err.ends_with("execution exceeds the limit of 100000 steps"), "{err}");
}

#[test]
fn deep_nesting_is_a_parse_error_not_a_stack_overflow() {
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000));
    let mut set = Templates::new();
    let err = set.add("t", &deep, FileId(0)).err().map(|e| e.message).unwrap_or_default();
    assert_eq!(err, "parse error at (t:1): max expression depth exceeded");
    let ifs = format!("{}{}", "{{ if 1 }}".repeat(5000), "{{ end }}".repeat(5000));
    let err = set.add("t", &ifs, FileId(0)).err().map(|e| e.message).unwrap_or_default();
    assert_eq!(err, "parse error at (t:1): max expression depth exceeded");
}

/// Cases rendered by `helm template` (v3.17.2) as `[` + template + `]` in a chart with the
/// [`VALUES`] and [`HELPERS`] above; the second column is Helm's output or its error line.
const HELM_CASES: &[(&str, &str)] = &[
    (
        "{{ printf \"%v|%s|%d\" .Values.huge .Values.huge .Values.neg }}",
        "[1.23456789012e+11|%!s(float64=1.23456789012e+11)|%!d(float64=-3)]",
    ),
    (
        "{{ printf \"%5.1f|%-8v|%08.3f|%+.2e\" .Values.fl .Values.s .Values.fl .Values.fl }}",
        "[  2.8|hello   |0002.750|+2.75e+00]",
    ),
    ("{{ printf \"%x|%X|%o|%q|%c\" .Values.s 3054 8 65 9731 }}", "[68656c6c6f|BEE|10|'A'|☃]"),
    ("{{ printf \"%v %v\" .Values.m .Values.l }}", "[map[x:1 z:two] [1 2.5 x]]"),
    ("{{ printf \"%s\" .Values.m }}", "[map[x:%!s(float64=1) z:two]]"),
    ("{{ printf \"%d\" .Values.l }}", "[[%!d(float64=1) %!d(float64=2.5) %!d(string=x)]]"),
    ("{{ printf \"%t %t\" true 1 }}", "[true %!t(int=1)]"),
    ("{{ printf \"%6.2v|%.3s|%10q\" 3.14159 \"abcdef\" \"hi\" }}", "[   3.1|abc|      \"hi\"]"),
    (
        "{{ printf \"%T %T %T %T %T %T\" 1 1.5 \"s\" true nil .Values.l }}",
        "[int float64 string bool <nil> []interface {}]",
    ),
    ("{{ printf \"%*d|%-*d\" 5 1 4 2 }}", "[    1|2   ]"),
    ("{{ printf \"%g %g %g %g\" 100000.0 1000000.0 0.0001 0.00001 }}", "[100000 1e+06 0.0001 1e-05]"),
    ("{{ printf \"%.0f %.1f %.2f\" 2.5 0.05 1.005 }}", "[2 0.1 1.00]"),
    ("{{ printf \"%e %E\" 0.0 123456.789 }}", "[0.000000e+00 1.234568E+05]"),
    ("{{ printf \"%#x %#o %#v\" 255 8 \"s\" }}", "[0xff 010 \"s\"]"),
    ("{{ printf \"% d % x\" 5 \"ab\" }}", "[ 5 61 62]"),
    ("{{ printf \"%U %#U\" 65 9731 }}", "[U+0041 U+2603 '☃']"),
    ("{{ printf \"%08.3f|%-08d|%+08d\" -3.5 42 42 }}", "[-003.500|42      |+0000042]"),
    ("{{ printf \"%3c|%-3c|\" 65 66 }}", "[  A|B  |]"),
    ("{{ printf \"%v\" .Values.n }}|{{ printf \"%s\" .Values.nope }}", "[<nil>|%!s(<nil>)]"),
    ("{{ print .Values.n }}|{{ print nil nil }}|{{ print \"a\" 1 2 \"b\" }}", "[<nil>|<nil> <nil>|a1 2b]"),
    ("{{ println }}|{{ print }}|{{ printf \"\" }}", "[\n||]"),
    (
        "{{ .Values.huge }} {{ 123456789012 }} {{ .Values.fl }} {{ 1e21 }} {{ 0.000001 }}",
        "[1.23456789012e+11 123456789012 2.75 1e+21 1e-06]",
    ),
    (
        "{{ html .Values.m }} {{ js \"\\u2028é\\x01\" }} {{ urlquery \"é ~\" 1 }}",
        "[map[x:1 z:two] \\u2028é\\u0001 %C3%A9+~1]",
    ),
    ("{{ html 1 2 }} {{ js nil }} {{ urlquery }}", "[1 2 \\u003Cno value\\u003E ]"),
    ("{{- \" x \" -}}", "[ x ]"),
    ("a {{- 1 }} b {{ 2 -}} c", "[a1 b 2c]"),
    ("{{ 3 -}}\n\n   {{- 4 }}", "[34]"),
    ("{{/* c */ -}}   x", "[x]"),
    ("{{- /* c */}}", "[]"),
    ("{{ if and .Values.t .Values.s }}{{ \"yes\" }}{{ end }}", "[yes]"),
    ("{{ if or .Values.e .Values.nope }}x{{ else }}y{{ end }}", "[y]"),
    ("{{ and .Values.s .Values.t }} {{ or .Values.e .Values.f }} {{ and 1 .Values.l }}", "[true false [1 2.5 x]]"),
    ("{{ not 0 }} {{ not \"\" }} {{ not .Values.m }} {{ not nil }}", "[true true false true]"),
    (
        "{{ eq .Values.s \"hello\" }} {{ eq .Values.a 1.0 }} {{ eq nil nil }} {{ ne .Values.nope \"x\" }}",
        "[true true true true]",
    ),
    (
        "{{ eq .Values.l .Values.l }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <eq .Values.l .Values.l>: error calling eq: non-comparable type [%!s(float64=1) %!s(float64=2.5) x]: []interface {}",
    ),
    (
        "{{ eq .Values.m \"x\" }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <eq .Values.m \"x\">: error calling eq: incompatible types for comparison",
    ),
    (
        "{{ lt .Values.nope 1 }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <lt .Values.nope 1>: error calling lt: invalid type for comparison",
    ),
    (
        "{{ lt 1 1.5 }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <lt 1 1.5>: error calling lt: incompatible types for comparison",
    ),
    (
        "{{ eq 1 }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <eq 1>: error calling eq: missing argument for comparison",
    ),
    ("{{ ge .Values.fl 2.75 }} {{ gt \"b\" \"a\" }} {{ le 3 2 }}", "[true true false]"),
    (
        "{{ index .Values.l -1 }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <index .Values.l -1>: error calling index: index out of range: -1",
    ),
    (
        "{{ index .Values.m 1 }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <index .Values.m 1>: error calling index: value has type int; should be string",
    ),
    (
        "{{ index .Values.m nil }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <index .Values.m nil>: error calling index: value is nil; should be of type string",
    ),
    ("{{ index .Values.s 1 }}", "[101]"),
    (
        "{{ index .Values.t 1 }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <index .Values.t 1>: error calling index: can't index item of type bool",
    ),
    (
        "{{ index .Values.nope 1 }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <index .Values.nope 1>: error calling index: index of untyped nil",
    ),
    ("{{ index .Values.l }}", "[[1 2.5 x]]"),
    ("{{ len .Values.e }} {{ len \"héllo\" }}", "[0 6]"),
    (
        "{{ len .Values.t }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <len .Values.t>: error calling len: len of type bool",
    ),
    ("{{ range $i, $e := .Values.l }}{{ $i }}{{ end }}", "[012]"),
    ("{{ range $i, $e := .Values.nope }}{{ $i }}{{ else }}none{{ end }}", "[none]"),
    ("{{ range .Values.m }}{{ . }}{{ end }}", "[1two]"),
    (
        "{{ range $x := .Values.e }}a{{ else }}b{{ end }}",
        "Error: template: c/templates/t.yaml:1:23: executing \"c/templates/t.yaml\" at <.Values.e>: range can't iterate over ",
    ),
    (
        "{{ range .Values.s }}{{ end }}",
        "Error: template: c/templates/t.yaml:1:17: executing \"c/templates/t.yaml\" at <.Values.s>: range can't iterate over hello",
    ),
    ("{{ with $x := .Values.s }}{{ $x }}{{ . }}{{ end }}", "[hellohello]"),
    ("{{ with .Values.m }}{{ .x }}{{ .nope }}{{ end }}", "[1]"),
    ("{{ with .Values.f }}a{{ else with .Values.t }}b{{ . }}{{ end }}", "[btrue]"),
    ("{{ $a := 1 }}{{ range .Values.l }}{{ $a = . }}{{ end }}{{ $a }}", "[x]"),
    ("{{ $a := 1 }}{{ with .Values.s }}{{ $a := 2 }}{{ end }}{{ $a }}", "[1]"),
    ("{{ $.Values.s }} {{ $.Values.nope }}", "[hello ]"),
    (
        "{{ .Values.a.b }}",
        "Error: template: c/templates/t.yaml:1:11: executing \"c/templates/t.yaml\" at <.Values.a.b>: can't evaluate field b in type interface {}",
    ),
    (
        "{{ .Values.t.b }}",
        "Error: template: c/templates/t.yaml:1:11: executing \"c/templates/t.yaml\" at <.Values.t.b>: can't evaluate field b in type interface {}",
    ),
    (
        "{{ .nope.x }}",
        "Error: template: c/templates/t.yaml:1:9: executing \"c/templates/t.yaml\" at <.nope.x>: nil pointer evaluating interface {}.x",
    ),
    ("{{ (index .Values.l 2) }} {{ (.Values.m).x }}", "[x 1]"),
    (
        "{{ (\"str\").x }}",
        "Error: template: c/templates/t.yaml:1:5: executing \"c/templates/t.yaml\" at <\"str\">: can't evaluate field x in type string",
    ),
    (
        "{{ (1).x }}",
        "Error: template: c/templates/t.yaml:1:5: executing \"c/templates/t.yaml\" at <1>: can't evaluate field x in type int",
    ),
    (
        "{{ nil }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <nil>: nil is not a command",
    ),
    ("{{ .Values.s | printf \"%s %s\" \"a\" }}", "[a hello]"),
    (
        "{{ \"a\" | .Values.s }}",
        "Error: template: c/templates/t.yaml:1:17: executing \"c/templates/t.yaml\" at <.Values.s>: s is not a method but has arguments",
    ),
    (
        "{{ \"a\" | $ }}",
        "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <$>: can't give argument to non-function $",
    ),
    (
        "{{ .Values.s 1 }}",
        "Error: template: c/templates/t.yaml:1:11: executing \"c/templates/t.yaml\" at <.Values.s>: s is not a method but has arguments",
    ),
    ("{{ template \"hello\" }}", "[hi ]"),
    ("{{ template \"hello\" \"x\" | printf }}", "[hi x]"),
    ("{{ define \"x\" }}X{{ end }}", "[]"),
    ("{{ block \"blk\" . }}in{{ end }}", "[in]"),
    ("{{ include \"hello\" .Values.s | printf \"%q\" }}", "[\"hi hello\"]"),
    (
        "{{ include \"hello\" }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <include>: wrong number of args for include: want 2 got 1",
    ),
    (
        "{{ include }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <include>: wrong number of args for include: want 2 got 0",
    ),
    (
        "{{ include 1 2 }}",
        "Error: template: c/templates/t.yaml:1:12: executing \"c/templates/t.yaml\" at <1>: expected string; found 1",
    ),
    ("{{ required \"r\" .Values.f }}{{ required \"r\" .Values.a }}", "[false1]"),
    ("{{ required \"r\" \"\" }}", "Error: execution error at (c/templates/t.yaml:1:4): r"),
    (
        "{{ required \"r\" }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <required>: wrong number of args for required: want 2 got 1",
    ),
    ("{{ fail \"f1\" }}", "Error: execution error at (c/templates/t.yaml:1:4): f1"),
    (
        "{{ fail 3 }}",
        "Error: template: c/templates/t.yaml:1:9: executing \"c/templates/t.yaml\" at <3>: expected string; found 3",
    ),
    ("{{ tpl \"{{ .Values.s }}\" $ }}", "[hello]"),
    ("{{ tpl \"{{ $.Values.s }}\" $ }}", "[hello]"),
    ("{{ tpl \"{{ .Template.Name }}|{{ .Template.BasePath }}\" $ }}", "[c/templates/t.yaml|c/templates]"),
    ("{{ tpl \"{{ .nope }}\" $ }}", "[]"),
    ("{{ tpl \"{{ include \\\"hello\\\" 1 }}\" $ }}", "[hi 1]"),
    (
        "{{ tpl \"{{ define \\\"hello\\\" }}H{{ end }}{{ include \\\"hello\\\" 1 }}\" $ }}{{ include \"hello\" 2 }}",
        "[Hhi 2]",
    ),
    ("{{ tpl .Values.s .Values }}", "[hello]"),
    ("{{ tpl \"{{ fail \\\"in tpl\\\" }}\" . }}", "Error: execution error at (c/templates/t.yaml:1:4): in tpl"),
    ("{{ tpl \"{{ template \\\"hello\\\" 1 }}\" . }}", "[hi 1]"),
    ("{{ lookup \"v1\" \"Secret\" \"ns\" \"x\" | len }}", "[0]"),
    (
        "{{ 'a' }} {{ '\n' }} {{ '\\'' }}",
        "Error: parse error at (c/templates/t.yaml:1): unterminated character constant",
    ),
    ("{{ \"\\x41\\u00e9\\101\" }}", "[AéA]"),
    ("{{ 1_000 }} {{ 0b101 }} {{ 0o17 }} {{ 0x_1F }}", "[1000 5 15 31]"),
    ("{{ 9223372036854775807 }}", "[9223372036854775807]"),
    (
        "{{ 9223372036854775808 }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <9223372036854775808>: 9223372036854775808 overflows int",
    ),
    ("{{ -9223372036854775808 }}", "[-9223372036854775808]"),
    ("{{ 1.5e300 }} {{ .5 }} {{ -0.0 }}", "[1.5e+300 0.5 -0]"),
    (
        "{{ 0x1p60 }} {{ 0x1.8p-2 }} {{ 1e3 }} {{ 0x1e }} {{ -0x1e }} {{ typeOf -0x1e }}",
        "[1.152921504606847e+18 0.375 1000 30 -30 float64]",
    ),
    ("{{ '\\xff' }} {{ '\\u00e9' }} {{ printf \"%T\" 'a' }}", "[255 233 int]"),
    ("{{ repeat 2+0i \"x\" }} {{ round 1.45 1 1+0i }} {{ repeat 0x1p1 \"y\" }}", "[xx 1.4 yy]"),
    (
        "{{ if false }}{{ 1i }}{{ end }}x\n{{ 1+2i }}",
        "Error: template: c/templates/t.yaml:2:3: executing \"c/templates/t.yaml\" at <1+2i>: complex constant 1+2i is not supported (driftgate has no complex128 values)",
    ),
    ("{{ 1e400 }}", "Error: parse error at (c/templates/t.yaml:1): \"1e400\""),
    ("a\n{{ 1+2 }}", "Error: parse error at (c/templates/t.yaml:2): \"1+2\""),
    ("{{ 0b1+1i }}", "Error: parse error at (c/templates/t.yaml:1): syntax error scanning complex number"),
    ("{{ 3 | printf \"%d\" 4 }}", "[4%!(EXTRA int=3)]"),
    ("{{ printf \"%d\" 1.0 }}", "[%!d(float64=1)]"),
    ("{{ $x := 1 }}{{ $x := 2 }}{{ $x }}", "[2]"),
    ("{{ range $i := .Values.l }}{{ break }}{{ end }}x", "[x]"),
    ("{{ if true }}{{ break }}{{ end }}", "Error: parse error at (c/templates/t.yaml:1): {{break}} outside {{range}}"),
    ("{{ else }}", "Error: parse error at (c/templates/t.yaml:1): unexpected {{else}}"),
    ("{{ end }}", "Error: parse error at (c/templates/t.yaml:1): unexpected {{end}}"),
    ("{{ if true }}", "Error: parse error at (c/templates/t.yaml:1): unexpected EOF"),
    ("{{ range }}{{ end }}", "Error: parse error at (c/templates/t.yaml:1): missing value for range"),
    ("{{ with }}{{ end }}", "Error: parse error at (c/templates/t.yaml:1): missing value for with"),
    ("{{ .Values.s | 3 }}", "Error: parse error at (c/templates/t.yaml:1): non executable command in pipeline stage 2"),
    (
        "{{ \"a\" \"b\" }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <\"a\">: can't give argument to non-function \"a\"",
    ),
    (
        "{{ 1 2 }}",
        "Error: template: c/templates/t.yaml:1:4: executing \"c/templates/t.yaml\" at <1>: can't give argument to non-function 1",
    ),
    (
        "{{ .Values.s | nil }}",
        "Error: parse error at (c/templates/t.yaml:1): non executable command in pipeline stage 2",
    ),
    ("{{ ( }}", "Error: parse error at (c/templates/t.yaml:1): unclosed left paren"),
    ("{{ ) }}", "Error: parse error at (c/templates/t.yaml:1): unexpected right paren"),
    ("{{ a. }}", "Error: parse error at (c/templates/t.yaml:1): function \"a\" not defined"),
    ("{{ .a.b. }}", "Error: parse error at (c/templates/t.yaml:1): unexpected <.> in operand"),
    (
        "{{ $x = 1 }}",
        "Error: template: c/templates/t.yaml:1:9: executing \"c/templates/t.yaml\" at <1>: undefined variable: $x",
    ),
    ("{{ \"unterminated }}", "Error: parse error at (c/templates/t.yaml:1): unterminated quoted string"),
    ("{{ `raw }}", "Error: parse error at (c/templates/t.yaml:1): unterminated raw quoted string"),
    ("{{ 'ab' }}", "Error: parse error at (c/templates/t.yaml:1): 'ab'"),
    ("{{ '' }}", "Error: parse error at (c/templates/t.yaml:1): invalid syntax"),
    ("{{ 3.14.15 }}", "Error: parse error at (c/templates/t.yaml:1): unexpected \".15\" in operand"),
    ("{{ 0x }}", "Error: parse error at (c/templates/t.yaml:1): \"0x\""),
    ("{{ .Values.s := 3 }}", "Error: parse error at (c/templates/t.yaml:1): unexpected \":=\" in operand"),
    (
        "{{ $x := 1 2 }}",
        "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <1>: can't give argument to non-function 1",
    ),
    (
        "{{ range $a, $b, $c := .Values.l }}{{ end }}",
        "Error: parse error at (c/templates/t.yaml:1): too many declarations in range",
    ),
    ("{{ template }}", "Error: parse error at (c/templates/t.yaml:1): unexpected \"}}\" in template clause"),
    (
        "{{ template \"x\" }}",
        "Error: template: c/templates/t.yaml:1:13: executing \"c/templates/t.yaml\" at <{{template \"x\"}}>: template \"x\" not defined",
    ),
    ("{{ define \"q\" }}{{ end }}", "[]"),
    (
        "{{ if 1 }}{{ else }}{{ else }}{{ end }}",
        "Error: parse error at (c/templates/t.yaml:1): expected end; found {{else}}",
    ),
    ("{{ end", "Error: parse error at (c/templates/t.yaml:1): bad character U+005D ']'"),
    ("{{ printf \"%s\"", "Error: parse error at (c/templates/t.yaml:1): unexpected \"]\" in operand"),
    ("{{ /* bad comment */ }}", "Error: parse error at (c/templates/t.yaml:1): unexpected \"/\" in command"),
    ("{{/* unclosed", "Error: parse error at (c/templates/t.yaml:1): unclosed comment"),
    ("{{/* x */ x }}", "Error: parse error at (c/templates/t.yaml:1): comment ends before closing delimiter"),
    ("{{ \"\\q\" }}", "Error: parse error at (c/templates/t.yaml:1): invalid syntax"),
    ("{{ .Values.s", "Error: parse error at (c/templates/t.yaml:1): bad character U+005D ']'"),
    ("}}", "[}}]"),
    ("{{ .Values.s }}{{ .Values.nope.x", "Error: parse error at (c/templates/t.yaml:1): bad character U+005D ']'"),
    ("x\ny\n{{ if }}", "Error: parse error at (c/templates/t.yaml:3): missing value for if"),
    (
        "x\ny\n  {{ .Values.nope.x }}",
        "Error: template: c/templates/t.yaml:3:12: executing \"c/templates/t.yaml\" at <.Values.nope.x>: nil pointer evaluating interface {}.x",
    ),
    ("{{ .Values.m.z }}{{ .Values.m }}", "[twomap[x:1 z:two]]"),
    ("{{ if .Values.a }}\nfoo\n", "Error: parse error at (c/templates/t.yaml:3): unexpected EOF"),
    (
        "line1\n{{ .Values.s\n| printf \"%s\" 1 }}\n{{ nope }}",
        "Error: parse error at (c/templates/t.yaml:4): function \"nope\" not defined",
    ),
    (
        "line1\n{{ .Values.s\n| printf \"%s\" 1 }}\n{{ .Values.nope.x }}",
        "Error: template: c/templates/t.yaml:4:10: executing \"c/templates/t.yaml\" at <.Values.nope.x>: nil pointer evaluating interface {}.x",
    ),
    (
        "{{ \"a\" }}\n\n{{ $x := 1 }}\n{{ $y }}",
        "Error: parse error at (c/templates/t.yaml:4): undefined variable \"$y\"",
    ),
    ("{{- range .Values.l }}\n  - {{ . }}\n{{- end }}", "[\n  - 1\n  - 2.5\n  - x]"),
    ("{{ range $k, $v := .Values.m -}}\n{{ $k }}: {{ $v }}\n{{ end -}}", "[x: 1\nz: two\n]"),
    ("a\n{{- /* multi\nline */ -}}\nb", "[ab]"),
    ("{{ printf \"%s-%d\" .Values.s (len .Values.l) }}", "[hello-3]"),
    ("{{ index .Values.m \"x\" | printf \"%v\" }}", "[1]"),
    ("{{ $m := .Values.m }}{{ $m.x }} {{ $m.nope }}", "[1 ]"),
    ("{{ $l := .Values.l }}{{ index $l 0 }}", "[1]"),
    ("{{ range $i, $_ := .Values.l }}{{ if $i }},{{ end }}{{ $i }}{{ end }}", "[0,1,2]"),
    ("{{ define \"local\" }}L{{ . }}{{ end }}{{ template \"local\" 5 }}", "[L5]"),
    ("{{ (printf \"%s\" \"a\") }}", "[a]"),
    (
        "{{ printf \"%s\" (printf \"%s\" .Values.nope.x) }}",
        "Error: template: c/templates/t.yaml:1:36: executing \"c/templates/t.yaml\" at <.Values.nope.x>: nil pointer evaluating interface {}.x",
    ),
    ("{{ .Values.l | len | printf \"%d items\" }}", "[3 items]"),
    ("{{ \"x\" | printf \"%s %s\" \"y\" | printf \"[%s]\" }}", "[[y x]]"),
    ("{{ if not (eq .Values.s \"a\") }}ne{{ end }}", "[ne]"),
    ("{{ if and (ne .Values.s \"a\") (gt (len .Values.l) 2) }}ok{{ end }}", "[ok]"),
    (
        "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}",
        "Error: parse error at (c/templates/t.yaml:1): multiple definition of template \"a\"",
    ),
    ("{{ define \"a\" }}x{{ end }}{{ define \"a\" }} {{ end }}{{ template \"a\" }}", "[x]"),
    (
        "{{ if .Values.a }}\n{{ else }}\n{{ end }}\n{{ range .Values.l }}\n{{ .x }\n{{ end }}",
        "Error: parse error at (c/templates/t.yaml:5): unexpected \"}\" in operand",
    ),
    (
        "{{ printf \"%s\"\n  \"a\"\n  .Values.nope.x }}",
        "Error: template: c/templates/t.yaml:3:9: executing \"c/templates/t.yaml\" at <.Values.nope.x>: nil pointer evaluating interface {}.x",
    ),
    ("{{ with .Values.m }}{{ $.Values.s }}{{ .z }}{{ end }}", "[hellotwo]"),
    ("{{ range $i, $v := .Values.ten }}{{ if gt $i 2 }}{{ break }}{{ end }}{{ $i }}{{ end }}", "[012]"),
    ("{{ range .Values.m }}{{ continue }}x{{ end }}y", "[y]"),
    ("{{ block \"b2\" \"dd\" }}{{ . }}{{ end }}{{ template \"b2\" \"ee\" }}", "[ddee]"),
    ("{{ else if }}", "Error: parse error at (c/templates/t.yaml:1): unexpected {{else}}"),
    ("{{ if 1 }}{{ else if }}{{ end }}", "Error: parse error at (c/templates/t.yaml:1): missing value for if"),
    (
        "{{ if 1 }}{{ else with 2 }}{{ . }}{{ end }}",
        "Error: parse error at (c/templates/t.yaml:1): unexpected <with> in input",
    ),
    ("{{ with 0 }}{{ else with 2 }}{{ . }}{{ end }}", "[2]"),
    (
        "{{ range .Values.l }}{{ else }}{{ else }}{{ end }}",
        "Error: parse error at (c/templates/t.yaml:1): expected end; found {{else}}",
    ),
    (
        "{{ template \"hello\" 1 2 }}",
        "Error: template: c/templates/t.yaml:1:21: executing \"c/templates/t.yaml\" at <1>: can't give argument to non-function 1",
    ),
    ("{{ define \"x\" }}{{ if 1 }}{{ end }}", "Error: parse error at (c/templates/t.yaml:1): unexpected EOF"),
    ("{{ .Values.s | printf \"%s\" | len }}", "[5]"),
    ("{{ (.Values.s) }}{{ ($).Values.s }}", "[hellohello]"),
    (
        "{{ $.Values.nope.x }}",
        "Error: template: c/templates/t.yaml:1:5: executing \"c/templates/t.yaml\" at <$.Values.nope.x>: nil pointer evaluating interface {}.x",
    ),
    ("x\n{{ .Values.s\n\n", "Error: parse error at (c/templates/t.yaml:4): unexpected \"]\" in operand"),
    ("x\n{{ \"abc\n}}", "Error: parse error at (c/templates/t.yaml:2): unterminated quoted string"),
    (
        "x\n{{ (.Values.s\n\n }}",
        "Error: parse error at (c/templates/t.yaml:4): unclosed left paren in action started at c/templates/t.yaml:2",
    ),
    ("{{ if .Values.s }}\nx\n{{ else }}\n", "Error: parse error at (c/templates/t.yaml:4): unexpected EOF"),
    ("{{ .Values.s | printf \"%s %s\" (printf \"%d\" 1\n) }}", "[1 hello]"),
];

#[test]
fn helm_oracle_table() {
    let mut failures = Vec::new();
    for (text, want) in HELM_CASES {
        let got = render(&format!("[{text}]"));
        if got != *want {
            failures.push(format!("template {text:?}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), HELM_CASES.len(), failures.join("\n"));
}

/// A stand-in for Helm's `*chart.Metadata`, `chartutil.VersionSet` and `chartutil.KubeVersion`.
#[derive(Debug)]
struct FakeObject {
    type_name: &'static str,
    fields: Vec<(&'static str, Value)>,
    printed: &'static str,
}

impl crate::value::Object for FakeObject {
    fn type_name(&self) -> &str {
        self.type_name
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match (self.type_name, name) {
            ("chartutil.VersionSet", "Has") => {
                Some(Ok(Value::Bool(args.first().and_then(Value::as_str) == Some("v1"))))
            }
            _ => None,
        }
    }
    fn method_signature(&self, name: &str) -> Option<(&'static [funcs::ParamType], bool)> {
        match (self.type_name, name) {
            ("chartutil.VersionSet", "Has") => Some((&[funcs::ParamType::String], false)),
            _ => None,
        }
    }
    fn format_v(&self) -> String {
        self.printed.to_string()
    }
}

fn object(type_name: &'static str, fields: Vec<(&'static str, Value)>, printed: &'static str) -> Value {
    Value::Object(Arc::new(FakeObject { type_name, fields, printed }))
}

#[test]
fn objects_expose_fields_and_methods_like_helm() {
    let mut top = match context() {
        Value::Map(m) => m.snapshot(),
        _ => Map::new(),
    };
    top.insert("Chart".into(), object("*chart.Metadata", vec![("Name", Value::str("c"))], "{c}"));
    let kube = object("chartutil.KubeVersion", vec![("Major", Value::str("1"))], "v1.32.0");
    let apis = object("chartutil.VersionSet", vec![], "[v1]");
    top.insert(
        "Capabilities".into(),
        object("*chartutil.Capabilities", vec![("KubeVersion", kube), ("APIVersions", apis)], "&{}"),
    );
    let data = Value::map(top);
    let cases = [
        (
            "{{ .Chart.Name }} {{ .Capabilities.APIVersions.Has \"v1\" }} {{ .Capabilities.APIVersions.Has \"nope/v9\" }}",
            "[c true false]",
        ),
        (
            "{{ .Chart.Nope }}",
            "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <.Chart.Nope>: can't evaluate field Nope in type interface {}",
        ),
        (
            "{{ .Capabilities.KubeVersion.Nope }}",
            "Error: template: c/templates/t.yaml:1:17: executing \"c/templates/t.yaml\" at <.Capabilities.KubeVersion.Nope>: can't evaluate field Nope in type chartutil.KubeVersion",
        ),
        (
            "{{ .Capabilities.APIVersions.Has }}",
            "Error: template: c/templates/t.yaml:1:17: executing \"c/templates/t.yaml\" at <.Capabilities.APIVersions.Has>: wrong number of args for Has: want 1 got 0",
        ),
        (
            "{{ .Capabilities.APIVersions.Has \"a\" \"b\" }}",
            "Error: template: c/templates/t.yaml:1:17: executing \"c/templates/t.yaml\" at <.Capabilities.APIVersions.Has>: wrong number of args for Has: want 1 got 2",
        ),
        (
            "{{ .Capabilities.APIVersions.Has 1 }}",
            "Error: template: c/templates/t.yaml:1:34: executing \"c/templates/t.yaml\" at <1>: expected string; found 1",
        ),
        ("{{ \"v1\" | .Capabilities.APIVersions.Has }}", "[true]"),
        (
            "{{ .Chart.Name \"x\" }}",
            "Error: template: c/templates/t.yaml:1:10: executing \"c/templates/t.yaml\" at <.Chart.Name>: Name has arguments but cannot be invoked as function",
        ),
        ("{{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Major }}", "[v1.32.0 1]"),
    ];
    let mut failures = Vec::new();
    for (text, want) in cases {
        let mut set = Templates::new();
        let got = match set.add("c/templates/t.yaml", &format!("[{text}]"), FileId(2)) {
            Err(e) => e.message,
            Ok(()) => match set.execute("c/templates/t.yaml", &data) {
                Ok(out) => out.text,
                Err(e) => format!("Error: {}", e.message),
            },
        };
        if got != want {
            failures.push(format!("template {text:?}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn later_definitions_replace_earlier_ones_but_empty_ones_do_not() {
    let mut set = Templates::new();
    let adds = [
        ("c/charts/sub/templates/_h.tpl", "{{ define \"name\" }}sub{{ end }}{{ define \"keep\" }}kept{{ end }}"),
        ("c/templates/_h.tpl", "{{ define \"name\" }}top{{ end }}{{ define \"keep\" }} {{ end }}"),
        ("c/templates/t.yaml", "{{ include \"name\" . }} {{ include \"keep\" . }}"),
    ];
    for (i, (name, text)) in adds.iter().enumerate() {
        assert!(set.add(name, text, FileId(i as u32)).is_ok());
    }
    let out = set.execute("c/templates/t.yaml", &Value::Nil).map(|o| o.text).map_err(|e| e.message);
    assert_eq!(out.as_deref(), Ok("top kept"));
}

#[test]
fn segments_point_at_the_writing_node() {
    let mut set = Templates::new();
    assert!(set.add("c/templates/_h.tpl", "{{ define \"lbl\" }}app: {{ .Values.s }}{{ end }}", FileId(1)).is_ok());
    let text = "kind: A\nimage: {{ .Values.m.z }}:{{ $.Values.l }}\n{{ template \"lbl\" . }}\n{{ include \"lbl\" . }}\nx: {{ .Values.nope }}y\n";
    assert!(set.add("c/templates/t.yaml", text, FileId(2)).is_ok());
    let out = set.execute("c/templates/t.yaml", &context()).map_err(|e| e.message);
    let Ok(out) = out else { panic!("{out:?}") };
    let out = out.without_no_value();
    assert_eq!(out.text, "kind: A\nimage: two:[1 2.5 x]\napp: hello\napp: hello\nx: y\n");
    let seg = |offset: usize, file: u32, line: u32, column: u32, paths: &[&[&str]]| OutputSegment {
        offset,
        file: FileId(file),
        pos: Pos { line, column, offset: 0 },
        values_paths: paths.iter().map(|p| p.iter().map(|s| s.to_string()).collect()).collect(),
        literal: false,
    };
    let expected = [
        seg(0, 2, 1, 1, &[]),
        seg(15, 2, 2, 8, &[&["m", "z"]]),
        seg(18, 2, 2, 25, &[]),
        seg(19, 2, 2, 26, &[&["l"]]),
        seg(28, 2, 2, 42, &[]),
        seg(29, 1, 1, 19, &[]),
        seg(34, 1, 1, 24, &[&["s"]]),
        seg(39, 2, 3, 23, &[]),
        seg(40, 2, 4, 1, &[]),
        seg(50, 2, 4, 22, &[]),
        seg(54, 2, 5, 22, &[]),
    ];
    // Literal template text (copied verbatim) versus an action's output.
    let literal = [true, false, true, false, true, true, false, true, false, true, true];
    let got: Vec<_> = out
        .segments
        .iter()
        .map(|s| (s.offset, s.file, s.pos.line, s.pos.column, s.values_paths.clone(), s.literal))
        .collect();
    let want: Vec<_> = expected
        .iter()
        .zip(literal)
        .map(|(s, literal)| (s.offset, s.file, s.pos.line, s.pos.column, s.values_paths.clone(), literal))
        .collect();
    assert_eq!(got, want);
}

/// A realistic deployment with helpers, rendered by `helm template rel` (v3.17.2) from the same
/// files; the output must match byte for byte.
#[test]
fn realistic_deployment_matches_helm() {
    let helpers = r#"{{- define "app.name" -}}{{ or .Values.nameOverride .Release.Name }}{{- end }}
{{- define "app.fullname" -}}{{ printf "%s-%s" .Release.Name "app" }}{{- end }}
{{- define "app.labels" -}}
app.kubernetes.io/name: {{ include "app.fullname" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- range $k, $v := .Values.labels }}
{{ $k }}: {{ $v }}
{{- end }}
{{- end }}"#;
    let deployment = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
        - name: {{ include "app.name" . }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
          {{- range .Values.env }}
            - name: {{ .name }}
              value: {{ printf "%q" .value }}
          {{- end }}
          {{- with .Values.resources }}
          resources:
            limits:
              cpu: {{ .cpu }}
              memory: {{ .memory }}
          {{- end }}
          {{- if and .Values.probe (eq .Values.probe.kind "http") }}
          livenessProbe:
            httpGet:
              path: {{ .Values.probe.path }}
              port: {{ index .Values.ports 0 }}
          {{- end }}
"#;
    let mut set = Templates::new();
    assert!(set.add("app/templates/_helpers.tpl", helpers, FileId(0)).is_ok());
    let added = set.add("app/templates/deployment.yaml", deployment, FileId(1));
    assert!(added.is_ok(), "{added:?}");
    let values = serde_json::json!({
        "replicas": 3, "image": {"repository": "nginx", "tag": "1.27"},
        "labels": {"team": "core", "tier": "web"},
        "env": (0..20).map(|i| serde_json::json!({"name": format!("VAR_{i}"), "value": format!("value-{i}")})).collect::<Vec<_>>(),
        "resources": {"cpu": "500m", "memory": "256Mi"}, "probe": {"kind": "http", "path": "/healthz"}, "ports": [8080]
    });
    let mut top = Map::new();
    top.insert("Values".into(), from_json(&values));
    let mut release = Map::new();
    release.insert("Name".into(), Value::str("rel"));
    top.insert("Release".into(), Value::map(release));
    let data = Value::map(top);
    let out = set.execute("app/templates/deployment.yaml", &data).map(|o| o.text).map_err(|e| e.message);
    assert_eq!(out.as_deref(), Ok(HELM_DEPLOYMENT));
}

const HELM_DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-app
  labels:app.kubernetes.io/name: rel-app
app.kubernetes.io/instance: rel
team: core
tier: web
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: rel
          image: "nginx:1.27"
          env:
            - name: VAR_0
              value: "value-0"
            - name: VAR_1
              value: "value-1"
            - name: VAR_2
              value: "value-2"
            - name: VAR_3
              value: "value-3"
            - name: VAR_4
              value: "value-4"
            - name: VAR_5
              value: "value-5"
            - name: VAR_6
              value: "value-6"
            - name: VAR_7
              value: "value-7"
            - name: VAR_8
              value: "value-8"
            - name: VAR_9
              value: "value-9"
            - name: VAR_10
              value: "value-10"
            - name: VAR_11
              value: "value-11"
            - name: VAR_12
              value: "value-12"
            - name: VAR_13
              value: "value-13"
            - name: VAR_14
              value: "value-14"
            - name: VAR_15
              value: "value-15"
            - name: VAR_16
              value: "value-16"
            - name: VAR_17
              value: "value-17"
            - name: VAR_18
              value: "value-18"
            - name: VAR_19
              value: "value-19"
          resources:
            limits:
              cpu: 500m
              memory: 256Mi
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
"#;

#[test]
fn template_sets_are_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Templates>();
    let mut set = Templates::new();
    assert!(set.add("t", "{{ .Values.s }}", FileId(0)).is_ok());
    let set = &set;
    let data = context();
    let outputs: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..4).map(|_| scope.spawn(|| set.execute("t", &data).map(|o| o.text).unwrap_or_default())).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    assert_eq!(outputs, vec!["hello"; 4]);
}
