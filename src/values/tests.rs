//! Merge tests; expectations were produced by `helm template` (v3.17.2) with
//! `-f override1.yaml -f override2.yaml` and a template printing `{{ toJson .Values }}`.

use super::coalesce::Coalesced;
use super::*;
use crate::source::{FileId, Pos};
use crate::value::Value;

const DEFAULTS: &str = r#"image:
  repository: nginx
  tag: "1.25"
  pullPolicy: IfNotPresent
replicas: 1
ports: [80, 443]
resources:
  limits: {cpu: 100m, memory: 128Mi}
  requests: {cpu: 50m}
ingress:
  enabled: false
  hosts: [a.example.com]
tolerations: []
nodeSelector: {}
debug: null
legacy: true
mode: fast
"#;

const OVERRIDE1: &str = r#"image:
  tag: "1.26"
replicas: 3
ports: [8080]
resources:
  limits:
    memory: null
ingress:
  enabled: true
legacy: null
extra: {a: 1}
"#;

const OVERRIDE2: &str = r#"image:
  pullPolicy: Always
resources:
  requests: null
  limits:
    extra: null
ingress:
  hosts: [b.example.com, c.example.com]
  tls: {enabled: true, nothing: null}
extra: null
newnull: null
nodeSelector: "oops"
tolerations: {x: 1}
mode: {a: b}
"#;

const DEFAULTS_FILE: FileId = FileId(1);
const OVERRIDE1_FILE: FileId = FileId(2);
const OVERRIDE2_FILE: FileId = FileId(3);

fn merged() -> Coalesced {
    let defaults = load_values(DEFAULTS, DEFAULTS_FILE).unwrap();
    let o1 = load_values(OVERRIDE1, OVERRIDE1_FILE).unwrap();
    let o2 = load_values(OVERRIDE2, OVERRIDE2_FILE).unwrap();
    coalesce("web", &defaults, &merge_overrides(&[o1, o2]))
}

fn origin(node: &Node, path: &[&str]) -> (FileId, u32, u32) {
    let found = lookup(node, path).unwrap_or_else(|| panic!("no {path:?}"));
    (found.file, found.span.start.line, found.span.start.column)
}

#[test]
fn coalesced_values_equal_helm() {
    let result = merged();
    let json = serde_json::to_string(&result.values.to_json()).unwrap();
    assert_eq!(
        json,
        r#"{"debug":null,"extra":null,"image":{"pullPolicy":"Always","repository":"nginx","tag":"1.26"},"ingress":{"enabled":true,"hosts":["b.example.com","c.example.com"],"tls":{"enabled":true,"nothing":null}},"mode":{"a":"b"},"newnull":null,"nodeSelector":"oops","ports":[8080],"replicas":3,"resources":{"limits":{"cpu":"100m","extra":null}},"tolerations":{"x":1}}"#
    );
    let messages: Vec<&str> = result.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        ["skipped value for web.tolerations: Not a table.", "skipped value for web.mode: Not a table."]
    );
    assert_eq!(result.warnings[0].at.file, OVERRIDE2_FILE);
    assert_eq!(result.warnings[0].at.span.start.line, 13);
    assert_eq!(result.warnings[0].ignored.file, DEFAULTS_FILE);
    assert_eq!(result.warnings[0].ignored.span.start.line, 13);
}

#[test]
fn every_value_keeps_the_origin_that_won() {
    let values = merged().values;
    assert_eq!(origin(&values, &["image", "repository"]), (DEFAULTS_FILE, 2, 15));
    assert_eq!(origin(&values, &["image", "tag"]), (OVERRIDE1_FILE, 2, 8));
    assert_eq!(origin(&values, &["image", "pullPolicy"]), (OVERRIDE2_FILE, 2, 15));
    assert_eq!(origin(&values, &["replicas"]), (OVERRIDE1_FILE, 3, 11));
    assert_eq!(origin(&values, &["ports"]), (OVERRIDE1_FILE, 4, 8));
    assert_eq!(origin(&values, &["ports", "0"]), (OVERRIDE1_FILE, 4, 9));
    assert_eq!(origin(&values, &["ingress", "hosts", "1"]), (OVERRIDE2_FILE, 8, 26));
    assert_eq!(origin(&values, &["resources", "limits", "cpu"]), (DEFAULTS_FILE, 8, 17));
    assert_eq!(origin(&values, &["nodeSelector"]), (OVERRIDE2_FILE, 12, 15));
    assert!(lookup(&values, &["legacy"]).is_none());
    assert!(lookup(&values, &["resources", "requests"]).is_none());
    assert!(lookup(&values, &["resources", "limits", "memory"]).is_none());
    // Keys keep their own spans too.
    let (tag_key, tag) = lookup_entry(&values, &["image", "tag"]).unwrap();
    assert_eq!(tag_key.span.start, Pos { line: 2, column: 3, offset: 9 });
    assert_eq!(tag.as_str(), Some("1.26"));
    assert!(lookup_entry(&values, &["ports", "0"]).is_none());
}

#[test]
fn nested_type_conflicts_warn_like_helm() {
    let defaults = load_values(DEFAULTS, DEFAULTS_FILE).unwrap();
    let user = load_values(
        "image:\n  repository: {name: x}\nresources:\n  limits: small\n  requests:\n    cpu: {a: 1}\ningress:\n  hosts: {x: 1}\n",
        OVERRIDE1_FILE,
    )
    .unwrap();
    let result = coalesce("web", &defaults, &merge_overrides(&[user]));
    let messages: Vec<&str> = result.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "destination for web.image.repository is a table. Ignoring non-table value (nginx)",
            "cannot overwrite table with non table for web.resources.limits (map[cpu:100m memory:128Mi])",
            "destination for web.resources.requests.cpu is a table. Ignoring non-table value (50m)",
            "destination for web.ingress.hosts is a table. Ignoring non-table value ([a.example.com])",
        ]
    );
    let json = serde_json::to_string(&result.values.to_json()).unwrap();
    assert_eq!(
        json,
        r#"{"debug":null,"image":{"pullPolicy":"IfNotPresent","repository":{"name":"x"},"tag":"1.25"},"ingress":{"enabled":false,"hosts":{"x":1}},"legacy":true,"mode":"fast","nodeSelector":{},"ports":[80,443],"replicas":1,"resources":{"limits":"small","requests":{"cpu":{"a":1}}},"tolerations":[]}"#
    );
}

#[test]
fn loading_rejects_what_helm_rejects() {
    let empty = load_values("# nothing\n", FileId(4)).unwrap();
    assert_eq!(empty.value, NodeValue::Map(Vec::new()));
    assert_eq!(load_values("~\n", FileId(4)).unwrap().value, NodeValue::Map(Vec::new()));

    let err = load_values("- a\n- b\n", FileId(4)).unwrap_err();
    assert_eq!(err.message, "values file must be a mapping, found a sequence");
    assert_eq!((err.file, err.pos.line, err.pos.column), (FileId(4), 1, 1));

    let err = load_values("\n\nhello\n", FileId(4)).unwrap_err();
    assert_eq!(err.message, "values file must be a mapping, found a string");
    assert_eq!(err.pos.line, 3);

    let err = load_values("a:\n  b: [1, .inf]\n", FileId(4)).unwrap_err();
    assert_eq!(err.message, ".inf is not allowed in values (Helm cannot convert it to JSON)");
    assert_eq!((err.pos.line, err.pos.column), (2, 10));

    let err = load_values("a: 1\n  b: 2\n", FileId(4)).unwrap_err();
    assert_eq!(err.message, "mapping values are not allowed in this context");
    assert_eq!((err.pos.line, err.pos.column), (2, 4));

    // Helm 3 reads only the first document; what follows is not even parsed.
    let first = load_values("a: 1\n---\nb: [\n", FileId(4)).unwrap();
    assert_eq!(serde_json::to_string(&first.to_json()).unwrap(), r#"{"a":1}"#);
}

#[test]
fn template_values_are_floats() {
    let node = load_values("num: 3\nf: 1.5\nl: [1, x, null]\nm: {b: true}\n", FileId(0)).unwrap();
    let value = to_template_value(&node);
    assert_eq!(value.format_v(), "map[f:1.5 l:[1 x <nil>] m:map[b:true] num:3]");
    let map = value.as_map().unwrap();
    assert!(matches!(map.get("num"), Some(Value::Float(f)) if f == 3.0));
    assert_eq!(node.to_json()["num"], serde_json::json!(3));
    assert_eq!(node.to_json()["f"], serde_json::json!(1.5));
}

#[test]
fn merging_many_wide_files_keeps_the_last_origin() {
    let wide: String = (0..5000).map(|i| format!("key{i}: {i}\n")).collect();
    let files: Vec<Node> = (0..5).map(|i| load_values(&wide, FileId(i)).unwrap()).collect();
    let merged = coalesce("c", &files[0], &merge_overrides(&files[1..]));
    assert_eq!(origin(&merged.values, &["key42"]), (FileId(4), 43, 8));
}

/// Parent and subchart values as Helm coalesces them; the expectation is what
/// `helm template` printed for `{{ toJson .Values }}` in the parent (testdata/render/subcharts-tree
/// shows the same merge end to end).
#[test]
fn subchart_values_and_globals_coalesce_like_helm() {
    let parent =
        load_values("global:\n  env: prod\n  nested: {a: 1}\nsub:\n  greeting: parent\n  gone: null\n", FileId(1))
            .unwrap();
    let sub = load_values("greeting: hello\ngone: 1\nglobal:\n  env: dev\n  own: sub\n  nested: {b: 2}\n", FileId(2))
        .unwrap();
    let user = load_values("sub:\n  extra: true\n", FileId(3)).unwrap();
    let chart = ChartValues {
        name: "parent",
        defaults: &parent,
        subcharts: vec![ChartValues { name: "sub", defaults: &sub, subcharts: Vec::new() }],
    };
    let merged = coalesce_chart(&chart, &user, false).unwrap();
    assert_eq!(
        serde_json::to_string(&merged.values.to_json()).unwrap(),
        r#"{"global":{"env":"prod","nested":{"a":1}},"sub":{"extra":true,"global":{"env":"prod","nested":{"a":1,"b":2},"own":"sub"},"greeting":"parent"}}"#
    );
    // The winning value keeps its origin: the subchart's own global key, the user's key.
    let own = lookup(&merged.values, &["sub", "global", "own"]).unwrap();
    assert_eq!(own.file, FileId(2));
    assert_eq!(lookup(&merged.values, &["sub", "extra"]).unwrap().file, FileId(3));
    // Merging (not coalescing) keeps the null.
    let kept = coalesce_chart(&chart, &user, true).unwrap();
    assert_eq!(lookup(&kept.values, &["sub", "gone"]).map(|n| n.value.clone()), Some(crate::yaml::NodeValue::Null));
}

#[test]
fn subchart_table_of_the_wrong_type_is_an_error_with_helms_text() {
    let empty = load_values("", FileId(1)).unwrap();
    let user = load_values("sub: text\n", FileId(3)).unwrap();
    let chart = ChartValues {
        name: "parent",
        defaults: &empty,
        subcharts: vec![ChartValues { name: "sub", defaults: &empty, subcharts: Vec::new() }],
    };
    let err = coalesce_chart(&chart, &user, false).unwrap_err();
    assert_eq!(err.message, "type mismatch on sub: %!t(string=text)");
    assert_eq!((err.at.file, err.at.span.start.line, err.at.span.start.column), (FileId(3), 1, 6));
}

#[test]
fn merge_tables_keeps_the_destination() {
    let dst = load_values("a: 1\nt: {x: 1}\n", FileId(1)).unwrap();
    let src = load_values("a: 2\nb: 3\nt: {x: 2, z: 2}\n", FileId(2)).unwrap();
    let merged = merge_tables(dst, src);
    assert_eq!(serde_json::to_string(&merged.to_json()).unwrap(), r#"{"a":1,"b":3,"t":{"x":1,"z":2}}"#);
}

/// An aliased string stays one allocation through the `-f` merge, Helm's coalescing and the
/// template view, as Go shares it.
#[test]
fn aliased_strings_stay_shared_through_merge_and_templates() {
    let long = "y".repeat(50_000);
    let defaults = load_values(&format!("big: &s {long}\ncopy: *s\n"), FileId(1)).unwrap();
    let user = load_values("again: 1\n", FileId(2)).unwrap();
    let merged = coalesce("c", &defaults, &merge_overrides(&[user])).values;
    let Value::Map(map) = to_template_value(&merged) else { panic!("values are a map") };
    let (Some(Value::String(big)), Some(Value::String(copy))) = (map.get("big"), map.get("copy")) else {
        panic!("strings expected")
    };
    assert!(std::sync::Arc::ptr_eq(&big, &copy));
    let NodeValue::String(node_big) = &merged.get("big").unwrap().value else { panic!("string node") };
    assert!(std::sync::Arc::ptr_eq(&big, node_big));
}
