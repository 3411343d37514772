//! Parser tests: positions, resolution, keys, merges, aliases and limits.

use super::*;

fn parse_one(text: &str) -> Node {
    let mut docs = parse_documents(text, FileId(7)).expect("parses");
    assert_eq!(docs.len(), 1, "one document");
    docs.remove(0)
}

fn keys(node: &Node) -> Vec<&str> {
    match &node.value {
        NodeValue::Map(entries) => entries.iter().map(|(k, _)| k.name.as_str()).collect(),
        _ => panic!("not a map: {node:?}"),
    }
}

fn at(line: u32, column: u32, offset: usize) -> Pos {
    Pos { line, column, offset }
}

#[test]
fn spans_are_one_based_with_byte_offsets() {
    let text = "a: 1\nbé:\n  c: \"x\"\n";
    let root = parse_one(text);
    assert_eq!(root.file, FileId(7));
    let a = root.get("a").unwrap();
    assert_eq!(a.value, NodeValue::Int(1));
    assert_eq!(a.span, Span { start: at(1, 4, 3), end: at(1, 5, 4) });
    let (key_b, _) = match &root.value {
        NodeValue::Map(entries) => &entries[1],
        _ => unreachable!(),
    };
    assert_eq!(key_b.name, "bé");
    assert_eq!(key_b.span.start, at(2, 1, 5));
    assert_eq!(key_b.span.end, at(2, 3, 8));
    let c = root.get("bé").unwrap().get("c").unwrap();
    assert_eq!(c.value, NodeValue::String("x".into()));
    // Column counts characters: `é` is one column but two bytes.
    assert_eq!(c.span.start, at(3, 6, 15));
    assert_eq!(c.span.end, at(3, 9, 18));
}

#[test]
fn scalars_resolve_as_yaml_1_1() {
    let root = parse_one(
        "a: yes\nb: 'yes'\nc: 0777\nd: 1e6\ne: ~\nf:\ng: on\nh: 2024-01-01\ni: \"12\"\nj: 1.0\nk: !!str 12\nl: !!float 3\nm: -.inf\n",
    );
    let v = |k: &str| root.get(k).unwrap().value.clone();
    assert_eq!(v("a"), NodeValue::Bool(true));
    assert_eq!(v("b"), NodeValue::String("yes".into()));
    assert_eq!(v("c"), NodeValue::Int(511));
    assert_eq!(v("d"), NodeValue::Float(1e6));
    assert_eq!(v("e"), NodeValue::Null);
    assert_eq!(v("f"), NodeValue::Null);
    assert_eq!(v("g"), NodeValue::Bool(true));
    assert_eq!(v("h"), NodeValue::String("2024-01-01".into()));
    assert_eq!(v("i"), NodeValue::String("12".into()));
    assert_eq!(v("j"), NodeValue::Float(1.0));
    assert_eq!(v("k"), NodeValue::String("12".into()));
    assert_eq!(v("l"), NodeValue::Float(3.0));
    assert_eq!(v("m"), NodeValue::Float(f64::NEG_INFINITY));
}

#[test]
fn block_scalars_keep_their_text() {
    let root = parse_one("a: |\n  x\n   y\nb: >-\n  p\n  q\nc: |+\n  z\n\n");
    assert_eq!(root.get("a").unwrap().as_str(), Some("x\n y\n"));
    assert_eq!(root.get("b").unwrap().as_str(), Some("p q"));
    assert_eq!(root.get("c").unwrap().as_str(), Some("z\n\n"));
}

#[test]
fn keys_are_stringified_like_sigs_k8s_yaml() {
    let root = parse_one("on: 1\nno: 2\n1: 3\n0x10: 4\n1.5: 5\n\"on\": 6\n.inf: 7\n");
    assert_eq!(keys(&root), ["true", "false", "1", "16", "1.5", "on", ".inf"]);
}

#[test]
fn duplicate_keys_last_wins_in_first_position() {
    let root = parse_one("a: 1\nb: 2\na: 3\n");
    assert_eq!(keys(&root), ["a", "b"]);
    let a = root.get("a").unwrap();
    assert_eq!(a.value, NodeValue::Int(3));
    assert_eq!(a.span.start.line, 3);
}

#[test]
fn merge_keys_follow_go_yaml_v2_order() {
    // Observed with helm 3.17.2: m1 -> {a:1,b:2}, m2 -> {a:10,b:2}, m3 -> {a:5,b:2,x:1}.
    let root = parse_one(
        "base: &b\n  a: 1\n  b: 2\nm1:\n  a: 10\n  <<: *b\nm2:\n  <<: *b\n  a: 10\nm3:\n  <<: [{x: 1, a: 5}, *b]\n",
    );
    let get = |m: &str, k: &str| root.get(m).unwrap().get(k).map(|n| n.value.clone());
    assert_eq!(get("m1", "a"), Some(NodeValue::Int(1)));
    assert_eq!(get("m2", "a"), Some(NodeValue::Int(10)));
    assert_eq!(get("m3", "a"), Some(NodeValue::Int(5)));
    assert_eq!(get("m3", "x"), Some(NodeValue::Int(1)));
    assert_eq!(get("m3", "b"), Some(NodeValue::Int(2)));
    // A merged value keeps the span of the anchored definition.
    assert_eq!(root.get("m1").unwrap().get("a").unwrap().span.start.line, 2);
    let err = parse_documents("a: &x 1\nb:\n  <<: *x\n", FileId(0)).unwrap_err();
    assert_eq!(err.message, "map merge requires map or sequence of maps as the value");
    assert_eq!((err.pos.line, err.pos.column), (3, 3));
}

#[test]
fn aliases_expand_and_billion_laughs_is_refused() {
    let root = parse_one("a: &x [1, 2]\nb: *x\n");
    assert_eq!(root.get("b").unwrap().value, root.get("a").unwrap().value);

    let mut bomb = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = i - 1;
        bomb.push_str(&format!("l{i}: &l{i} [*l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}]\n"));
    }
    let err = parse_documents(&bomb, FileId(0)).unwrap_err();
    assert_eq!(err.message, "document contains excessive aliasing");
    assert_eq!(err.pos.line, 6);

    let err = parse_documents("a: &a [*a]\n", FileId(0)).unwrap_err();
    assert_eq!(err.message, "anchor 'a' value contains itself");

    let err = parse_documents("a: *nope\n", FileId(0)).unwrap_err();
    assert_eq!(err.message, "unknown anchor 'nope' referenced");
    assert_eq!((err.pos.line, err.pos.column), (1, 4));
}

#[test]
fn empty_streams_and_documents() {
    let docs = parse_documents("", FileId(1)).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].value, NodeValue::Null);
    assert_eq!(docs[0].span.start, at(1, 1, 0));
    let docs = parse_documents("# only a comment\n", FileId(1)).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].value, NodeValue::Null);
    let docs = parse_documents("a: 1\n---\n---\nb: 2\n", FileId(1)).unwrap();
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[1].value, NodeValue::Null);
    assert_eq!(keys(&docs[2]), ["b"]);
}

#[test]
fn syntax_errors_carry_positions() {
    let err = parse_documents("a: b: c\n", FileId(0)).unwrap_err();
    assert_eq!(err.message, "mapping values are not allowed in this context");
    assert_eq!((err.pos.line, err.pos.column), (1, 5));

    let err = parse_documents("a:\n  - x\n b: 1\n", FileId(0)).unwrap_err();
    assert_eq!(err.message, "did not find expected key");
    assert_eq!(err.pos.line, 3);

    let err = parse_documents("a: [1, 2\n", FileId(0)).unwrap_err();
    assert_eq!(err.message, "did not find expected ',' or ']'");

    let err = parse_documents("a: !!int abc\n", FileId(0)).unwrap_err();
    assert_eq!(err.message, "cannot decode !!str `abc` as a !!int");
    assert_eq!((err.pos.line, err.pos.column), (1, 4));

    let err = parse_documents("~: 1\n", FileId(0)).unwrap_err();
    assert_eq!((err.pos.line, err.pos.column), (1, 1));
    assert!(err.message.contains("null"), "{}", err.message);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000);
    let err = parse_documents(&deep, FileId(0)).unwrap_err();
    assert_eq!(err.message, "document nesting exceeds the maximum depth of 500");
    assert_eq!(err.pos.column, 501);

    let mut nested = String::new();
    for depth in 0..600 {
        nested.push_str(&" ".repeat(depth));
        nested.push_str("k:\n");
    }
    let err = parse_documents(&nested, FileId(0)).unwrap_err();
    assert_eq!(err.pos.line, 501);

    let ok = format!("{}1{}", "[".repeat(499), "]".repeat(499));
    assert!(parse_documents(&ok, FileId(0)).is_ok());
}

#[test]
fn a_two_hundred_line_values_file_parses_with_every_value_resolved() {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!(
            "service{i}:\n  enabled: yes\n  replicas: {i}\n  image: \"repo/app:{i}\"\n  ports: [80, 443]\n"
        ));
    }
    let docs = parse_documents(&text, FileId(0)).unwrap();
    let last = docs[0].get("service39").unwrap();
    assert_eq!(last.get("enabled").map(|n| &n.value), Some(&NodeValue::Bool(true)));
    assert_eq!(last.get("replicas").map(|n| &n.value), Some(&NodeValue::Int(39)));
    assert_eq!(last.get("image").and_then(Node::as_str), Some("repo/app:39"));
    assert_eq!(last.span.start.line, 197);
}

#[test]
fn block_scalars_at_the_end_of_input_without_a_line_break() {
    // Expectations observed with helm 3.17.2 (`toJson .Values` of these values files).
    let cases = [
        ("a: |\n  x", "x"),
        ("a: |-\n  x", "x"),
        ("a: |+\n  x", "x"),
        ("a: >\n  x\n  y", "x y"),
        ("a: >\n\n  x", "\nx"),
        ("a: |\n  x\n  ", "x\n"),
        ("a: |+\n  x\n  ", "x\n"),
        ("a: |\n  x\n# c", "x\n"),
    ];
    for (text, want) in cases {
        let root = parse_one(text);
        assert_eq!(root.get("a").and_then(Node::as_str), Some(want), "{text:?}");
    }
    let root = parse_one("a: |\n  x\nb: |\n  y");
    assert_eq!(root.get("a").and_then(Node::as_str), Some("x\n"));
    assert_eq!(root.get("b").and_then(Node::as_str), Some("y"));
}

#[test]
fn parser_panics_become_errors() {
    // libyaml-safer panics on a tag followed by `,` in a flow sequence; go-yaml accepts it.
    let err = parse_documents("a: [!!str, b]", FileId(0)).unwrap_err();
    assert_eq!(err.message, "the YAML parser cannot read this input (unsupported syntax)");
}

#[test]
fn truncated_inputs_never_panic() {
    let corpus = "a: |\n  x\n  y\nb: >-\n  p\n\n  q\nc: [1, {d: e}, 'f''g', \"h\\ti\"]\n? k\n: v\n&x m: *x\nl:\n- - 1\n  - !!str 2\n";
    for end in 0..=corpus.len() {
        let _ = parse_documents(&corpus[..end], FileId(0));
    }
}

#[test]
fn go_yaml_error_texts() {
    // helm 3.17.2 reported "yaml: line 38: block sequence entries are not allowed in this
    // context" for a values file whose 38th line was `k037: -`.
    let mut text: String = (0..37).map(|i| format!("k{i:03}: 1\n")).collect();
    text.push_str("k037: -\n");
    assert_eq!(
        parse_first_document_go_error(&text).unwrap_err(),
        "yaml: line 38: block sequence entries are not allowed in this context"
    );
    let err = parse_documents(&text, FileId(0)).unwrap_err();
    assert_eq!((err.pos.line, err.pos.column), (38, 7));
}

#[test]
fn deep_trees_are_cut_in_json_not_overflowed() {
    let mut node = Node { value: NodeValue::Int(1), file: FileId(0), span: crate::source::Span::default() };
    for _ in 0..500 {
        node = Node { value: NodeValue::Seq(vec![node]), file: FileId(0), span: crate::source::Span::default() };
    }
    let json = node.to_json();
    let mut depth = 0;
    let mut cursor = &json;
    while let serde_json::Value::Array(items) = cursor {
        depth += 1;
        cursor = &items[0];
    }
    assert_eq!(depth, MAX_JSON_DEPTH + 1);
    assert_eq!(*cursor, serde_json::Value::Null);
}

/// go-yaml shares an aliased string; so does the tree here, so a long anchored string
/// referenced many times costs one copy.
#[test]
fn aliased_strings_are_shared_not_copied() {
    let long = "x".repeat(100_000);
    let node = parse_one(&format!("a: &big {long}\nb: *big\nc: [*big, *big]\n"));
    let text = |n: &Node| match &n.value {
        NodeValue::String(s) => s.clone(),
        other => panic!("not a string: {other:?}"),
    };
    let a = text(node.get("a").unwrap());
    let b = text(node.get("b").unwrap());
    let NodeValue::Seq(items) = &node.get("c").unwrap().value else { panic!("c is a list") };
    assert!(Arc::ptr_eq(&a, &b));
    assert!(items.iter().all(|item| Arc::ptr_eq(&a, &text(item))));
    assert_eq!(a.len(), 100_000);
}
