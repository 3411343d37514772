//! toYamlPretty, toToml and fromToml called through the template engine, each expectation
//! taken from `helm template` v3.17.2 on a scratch chart with the values in `VALUES`.

use crate::source::FileId;
use crate::template::Templates;
use crate::template::value::{Map, MapRef, MapType, Value};

const VALUES: &str = r#"
data:
  b: [1, two, {c: 3}]
  a: "yes"
  empty: {}
  none: []
  long: "a long string that goes past the eighty column limit of the emitter, so it folds or not, it really is very long indeed"
  multi: "l1\nl2\n"
  multitrail: "l1 \nl2"
  lead: " lead"
  num: 1.5
  big: 1000000
  small: 0.00001
  huge: 1e21
  int: 3
  neg: -2
  bool: true
  nil: null
  quoted: "123"
  oct: "0777"
  on: "on"
  star: "*.x"
  colonsp: "a: b"
  hash: "a #b"
  tilde: "~"
  empty_s: ""
  date: "2024-01-01"
  fl: "1e3"
  dotted: ".5"
  sixty: "1:20"
  nested: {x: {y: [ [1,2], [] , {} ]}, z: [{a: 1, b: [x]}]}
  list_of_lists: [[a, b], [c]]
  uni: "é😀"
  tab: "a\tb"
  keys: {item10: 1, item2: 2, B: 3, a: 4, "1": 5, "-x": 6}
  nohex: "0x1F"
  dash: "-"
  q: "it's"
  dq: 'say "hi"'
  null_s: "null"
  true_s: "True"
  inf: ".inf"
  nan: ".nan"
"#;

fn values() -> Value {
    let node = crate::yaml::parse_first_document(VALUES, FileId(2)).expect("test values parse");
    let values = match crate::values::to_template_value(&node) {
        Value::Map(map) => map.snapshot(),
        _ => Map::new(),
    };
    let mut top = Map::new();
    top.insert("Values".into(), Value::Map(MapRef::typed(values, MapType::Values)));
    Value::map(top)
}

fn render(text: &str) -> String {
    let mut set = Templates::new();
    if let Err(e) = set.add("sc/templates/t.yaml", text, FileId(1)) {
        return format!("Error: {}", e.message);
    }
    match set.execute("sc/templates/t.yaml", &values()) {
        Ok(out) => out.without_no_value().text,
        Err(e) => format!("Error: {}", e.message),
    }
}

fn check(cases: &[(&str, &str)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(text, want)| {
            let got = render(text);
            (got != *want).then(|| format!("{text}\n  want {want:?}\n  got  {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

const PRETTY_DATA: &str = r#"a: "yes"
b:
  - 1
  - two
  - c: 3
big: 1e+06
bool: true
colonsp: 'a: b'
dash: '-'
date: "2024-01-01"
dotted: ".5"
dq: say "hi"
empty: {}
empty_s: ""
fl: "1e3"
hash: 'a #b'
huge: 1e+21
inf: ".inf"
int: 3
keys:
  -x: 6
  "1": 5
  B: 3
  a: 4
  item2: 2
  item10: 1
lead: ' lead'
list_of_lists:
  - - a
    - b
  - - c
long: a long string that goes past the eighty column limit of the emitter, so it folds or not, it really is very long indeed
multi: |
  l1
  l2
multitrail: "l1 \nl2"
nan: ".nan"
neg: -2
nested:
  x:
    "true":
      - - 1
        - 2
      - []
      - {}
  z:
    - a: 1
      b:
        - x
nil: null
nohex: "0x1F"
none: []
null_s: "null"
num: 1.5
oct: "0777"
q: it's
quoted: "123"
sixty: "1:20"
small: 1e-05
star: '*.x'
tab: "a\tb"
tilde: "~"
"true": "on"
true_s: "True"
uni: "é\U0001F600""#;

#[test]
fn to_yaml_pretty_matches_helm() {
    check(&[
        ("{{ toYamlPretty .Values.data }}", PRETTY_DATA),
        (
            "{{ toYamlPretty \"yes\" }}|{{ toYamlPretty 1.0 }}|{{ toYamlPretty 1e6 }}|{{ toYamlPretty 12345678.0 }}|{{ toYamlPretty 3 }}|{{ toYamlPretty nil }}|{{ toYamlPretty (list) }}|{{ toYamlPretty (dict) }}|{{ toYamlPretty 0.1 }}|{{ toYamlPretty 1e21 }}|{{ toYamlPretty 1e-7 }}|{{ toYamlPretty (int64 5) }}|{{ toYamlPretty true }}",
            "\"yes\"|1|1e+06|1.2345678e+07|3|null|[]|{}|0.1|1e+21|1e-07|5|true",
        ),
        (
            "{{ toYamlPretty (list 1 (list 2 3) (dict \"a\" (list 4))) }}",
            "- 1\n- - 2\n  - 3\n- a:\n    - 4",
        ),
        (
            "{{ toYamlPretty (dict (repeat 130 \"k\") 1 \"a\\nb\" 2 \"\" 3 \" x\" (list 1)) }}",
            &format!("\"\": 3\n' x':\n  - 1\n? |-\n  a\n  b\n: 2\n? {}\n: 1", "k".repeat(130)),
        ),
        (
            "{{ toYamlPretty (list (dict \"a\" 1 \"b\" (dict \"c\" (list))) (list) \"x\") }}",
            "- a: 1\n  b:\n    c: []\n- []\n- x",
        ),
        // Scalars go-yaml v3 quotes or not, and where it differs from toYaml (U+0085 is kept).
        (
            "{{ range list \"y\" \"1_000\" \"0o17\" \"0b101\" \"+1\" \"1.\" \"-\" \"=\" \"<<\" \"2024-01-01T10:00:00Z\" \"1:20:30\" \"NO\" \"nULL\" \"+.inf\" \"0x_1\" \"1e\" \"_1\" \"0_\" \"tRue\" \"~x\" \" \" }}{{ toYamlPretty . }}|{{ end }}",
            "\"y\"|\"1_000\"|\"0o17\"|\"0b101\"|\"+1\"|\"1.\"|'-'|=|<<|\"2024-01-01T10:00:00Z\"|\"1:20:30\"|\"NO\"|nULL|\"+.inf\"|\"0x_1\"|1e|_1|\"0_\"|tRue|~x|' '|",
        ),
        (
            "{{ range list \"a\\n\" \"a\\n\\n\" \"\\na\" \" a\\nb\" \"a\\n \" \"x\\r\\ny\" \"a\\u0085b\" \"é\\u2028x\" }}{{ toYamlPretty . }}|{{ end }}",
            "|\n  a||+\n  a\n||2-\n\n  a||2-\n   a\n  b|\"a\\n \"|\"x\\r\\ny\"|\"a\\Nb\"|'é\u{2028}  x'|",
        ),
    ]);
}
