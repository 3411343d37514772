//! The YAML/JSON encoders against helm v3.17.2 goldens (see testdata/yaml/README.md), fed from
//! values files as templates see them; here rather than in `yaml`, which does not know values files.

use crate::source::FileId;
use crate::value::{Map, Value};
use crate::yaml::{JsonStyle, marshal_json, marshal_yaml};

const VALUES: &str = include_str!("../../testdata/yaml/encoding/values.yaml");

fn values() -> Value {
    let node = crate::values::load_values(VALUES, FileId(0)).expect("golden values load");
    crate::values::to_template_value(&node)
}

/// Helm's `toYaml`: marshal, then trim one final newline.
fn to_yaml(value: &Value) -> String {
    let text = marshal_yaml(value).unwrap_or_default();
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

fn golden(name: &str) -> String {
    let path = format!("{}/testdata/yaml/encoding/{name}.out", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn assert_same(name: &str, got: &str) {
    let want = golden(name);
    if got != want {
        let first = got.lines().zip(want.lines()).position(|(g, w)| g != w);
        panic!("{name} differs from helm at line {:?}\n--- got ---\n{got}\n--- want ---\n{want}", first.map(|i| i + 1));
    }
}

fn field(value: &Value, path: &[&str]) -> Value {
    path.iter().fold(value.clone(), |v, k| v.as_map().and_then(|m| m.get(k)).unwrap_or_default())
}

#[test]
fn to_yaml_matches_helm() {
    assert_same("yaml", &to_yaml(&values()));
}

#[test]
fn to_yaml_of_parts_matches_helm() {
    let values = values();
    assert_same("scalar_yaml", &to_yaml(&field(&values, &["long_spaced"])));
    assert_same("list_yaml", &to_yaml(&field(&values, &["nested", "list_of_maps"])));
    assert_same("str_yaml", &to_yaml(&Value::str("plain")));
    assert_same("nil_yaml", &to_yaml(&field(&values, &["nothing"])));
    assert_same("num_yaml", &to_yaml(&Value::Int(3)));
    assert_same("emptymap_yaml", &to_yaml(&field(&values, &["nested", "empty_map"])));
}

#[test]
fn to_json_family_matches_helm() {
    let values = values();
    let compact = JsonStyle { escape_html: true, pretty: false };
    assert_same("json", &marshal_json(&values, compact).unwrap());
    assert_same("pretty", &marshal_json(&values, JsonStyle { escape_html: true, pretty: true }).unwrap());
    assert_same("raw", &marshal_json(&values, JsonStyle { escape_html: false, pretty: false }).unwrap());
}

#[test]
fn unencodable_values() {
    let mut map = Map::new();
    map.insert("x".into(), Value::Float(f64::NAN));
    let compact = JsonStyle { escape_html: true, pretty: false };
    assert_eq!(marshal_json(&Value::map(map.clone()), compact), Err("json: unsupported value: NaN".into()));
    assert_eq!(marshal_yaml(&Value::map(map)), Err("json: unsupported value: NaN".into()));
    assert_eq!(marshal_json(&Value::Float(f64::NEG_INFINITY), compact), Err("json: unsupported value: -Inf".into()));
    // A DEL character cannot pass go-yaml's reader during the JSON round trip: helm's toYaml
    // prints nothing for it (observed with helm 3.17.2).
    assert!(marshal_yaml(&Value::str("a\u{7f}b")).is_err());
    assert_eq!(marshal_json(&Value::str("a\u{7f}b"), compact), Ok("\"a\u{7f}b\"".into()));
}

fn dict(entries: &[(&str, Value)]) -> Value {
    Value::map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

#[test]
fn block_scalars_and_line_separators_match_helm() {
    // Each expectation is helm 3.17.2's `toYaml` output for the same value.
    let s = |text: &str| Value::str(text);
    assert_eq!(to_yaml(&dict(&[("z", s("a\n\n"))])), "z: |+\n  a\n");
    assert_eq!(to_yaml(&s("x\n\n")), "|+\n  x\n");
    assert_eq!(to_yaml(&dict(&[("z", s("a\n\n")), ("zz", Value::Int(1))])), "z: |+\n  a\n\nzz: 1");
    assert_eq!(
        to_yaml(&dict(&[
            ("ls", s("a\u{2028}b")),
            ("nel", s("a\u{85}b")),
            ("ps", s("a\u{2029}b c")),
            ("tabs", s("a\tb")),
        ])),
        "ls: 'a\u{2028}  b'\nnel: a b\nps: 'a\u{2029}  b c'\ntabs: \"a\\tb\""
    );
    assert_eq!(to_yaml(&Value::list(vec![s("x\n\n")])), "- |+\n  x\n");
    assert_eq!(to_yaml(&dict(&[("k", Value::list(vec![s("a\n\n")]))])), "k:\n- |+\n  a\n");
}

#[test]
fn key_order_pairs_match_helm() {
    // Two-key maps, so Go's sort is deterministic; observed with helm 3.17.2.
    let pairs = [
        ("1abc", "10abc", "10abc"),
        ("x1y", "x1_", "x1_"),
        ("a01", "a1", "a1"),
        ("ab", "a_b", "a_b"),
        ("x10", "x9", "x9"),
        ("x09", "x9", "x9"),
        ("a1b", "a1-", "a1-"),
        ("1a", "1_", "\"1_\""),
        ("é", "z", "z"),
        ("Item", "_under", "_under"),
        ("a", "A", "A"),
        ("a1", "a", "a"),
    ];
    for (first, second, printed_first) in pairs {
        let out = to_yaml(&dict(&[(first, Value::Int(1)), (second, Value::Int(2))]));
        assert!(out.starts_with(&format!("{printed_first}:")), "{first} vs {second}: {out}");
    }
}

#[test]
fn numbers_print_after_the_json_round_trip() {
    let cases = [
        (Value::Float(3.0), "3"),
        (Value::Float(1e6), "1000000"),
        (Value::Float(1.5), "1.5"),
        (Value::Float(1e21), "1e+21"),
        (Value::Float(1e20), "1e+20"),
        (Value::Float(1e19), "10000000000000000000"),
        (Value::Float(1e-7), "1e-07"),
        (Value::Float(-0.0), "0"),
        (Value::Int(-42), "-42"),
        (Value::Bool(true), "true"),
    ];
    for (value, want) in cases {
        assert_eq!(to_yaml(&value), want, "{value:?}");
    }
}

#[test]
fn printing_values_matches_helm() {
    // print.json: `{{ print $v }}` for every top-level value, from helm 3.17.2.
    let path = format!("{}/testdata/yaml/encoding/print.json", env!("CARGO_MANIFEST_DIR"));
    let want: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let values = values();
    let map = values.as_map().unwrap();
    assert_eq!(map.len(), want.len());
    for (key, printed) in &want {
        assert_eq!(&map.get(key).unwrap().format_v(), printed, "{key}");
    }
}

#[test]
fn to_yaml_of_random_strings_matches_helm() {
    // 400 strings built from quoting-sensitive pieces (see testdata/yaml/README.md).
    compare_random_corpus("values.yaml", "toyaml.out");
}

#[test]
fn to_yaml_of_random_keys_and_nesting_matches_helm() {
    // 300 random keys with strings, lists and nested maps as values.
    compare_random_corpus("values2.yaml", "toyaml2.out");
}

fn compare_random_corpus(values_file: &str, golden_file: &str) {
    let dir = format!("{}/testdata/yaml/fuzz", env!("CARGO_MANIFEST_DIR"));
    let values_text = std::fs::read_to_string(format!("{dir}/{values_file}")).unwrap();
    let want = std::fs::read_to_string(format!("{dir}/{golden_file}")).unwrap();
    let node = crate::values::load_values(&values_text, FileId(0)).unwrap();
    let got = to_yaml(&crate::values::to_template_value(&node));
    let got_lines: Vec<&str> = got.lines().collect();
    let want_lines: Vec<&str> = want.lines().collect();
    for (i, (g, w)) in got_lines.iter().zip(&want_lines).enumerate() {
        assert_eq!(g, w, "line {}", i + 1);
    }
    assert_eq!(got, want);
}

#[test]
fn to_json_of_random_corpus_matches_helm() {
    let dir = format!("{}/testdata/yaml/fuzz", env!("CARGO_MANIFEST_DIR"));
    let values_text = std::fs::read_to_string(format!("{dir}/values2.yaml")).unwrap();
    let value = crate::values::to_template_value(&crate::values::load_values(&values_text, FileId(0)).unwrap());
    let compact = marshal_json(&value, JsonStyle { escape_html: true, pretty: false }).unwrap();
    assert_eq!(compact, std::fs::read_to_string(format!("{dir}/tojson2.out")).unwrap());
    let pretty = marshal_json(&value, JsonStyle { escape_html: true, pretty: true }).unwrap();
    assert_eq!(pretty, std::fs::read_to_string(format!("{dir}/toprettyjson2.out")).unwrap());
}

#[test]
fn plain_scalar_resolution_matches_helm() {
    // ~120 plain scalars (numbers in every base, YAML 1.1 words, timestamps, overflow) read
    // from a values file, printed by toJson, toYaml and `print`; see testdata/yaml/README.md.
    let dir = format!("{}/testdata/yaml/resolve", env!("CARGO_MANIFEST_DIR"));
    let values_text = std::fs::read_to_string(format!("{dir}/values.yaml")).unwrap();
    let value = crate::values::to_template_value(&crate::values::load_values(&values_text, FileId(0)).unwrap());
    let compact = marshal_json(&value, JsonStyle { escape_html: true, pretty: false }).unwrap();
    assert_eq!(compact, std::fs::read_to_string(format!("{dir}/tojson.out")).unwrap());
    assert_eq!(to_yaml(&value), std::fs::read_to_string(format!("{dir}/toyaml.out")).unwrap());
    let printed: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/print.json")).unwrap()).unwrap();
    let map = value.as_map().unwrap();
    assert_eq!(map.len(), printed.len());
    for (key, want) in &printed {
        assert_eq!(&map.get(key).unwrap().format_v(), want, "{key}");
    }
}
