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

const TOML_DATA: &str = "a = \"yes\"\nb = [1.0, \"two\", {c = 3.0}]\nbig = 1000000.0\nbool = true\ncolonsp = \"a: b\"\ndash = \"-\"\ndate = \"2024-01-01\"\ndotted = \".5\"\ndq = \"say \\\"hi\\\"\"\nempty_s = \"\"\nfl = \"1e3\"\nhash = \"a #b\"\nhuge = 1000000000000000000000.0\ninf = \".inf\"\nint = 3.0\nlead = \" lead\"\nlist_of_lists = [[\"a\", \"b\"], [\"c\"]]\nlong = \"a long string that goes past the eighty column limit of the emitter, so it folds or not, it really is very long indeed\"\nmulti = \"l1\\nl2\\n\"\nmultitrail = \"l1 \\nl2\"\nnan = \".nan\"\nneg = -2.0\nnohex = \"0x1F\"\nnone = []\nnull_s = \"null\"\nnum = 1.5\noct = \"0777\"\nq = \"it's\"\nquoted = \"123\"\nsixty = \"1:20\"\nsmall = 0.00001\nstar = \"*.x\"\ntab = \"a\\tb\"\ntilde = \"~\"\ntrue = \"on\"\ntrue_s = \"True\"\nuni = \"é😀\"\n\n[empty]\n\n[keys]\n  -x = 6.0\n  1 = 5.0\n  B = 3.0\n  a = 4.0\n  item10 = 1.0\n  item2 = 2.0\n\n[nested]\n  [nested.x]\n    true = [[1.0, 2.0], [], {}]\n\n  [[nested.z]]\n    a = 1.0\n    b = [\"x\"]\n";

#[test]
fn to_toml_matches_helm() {
    check(&[
        ("{{ toToml .Values.data }}", TOML_DATA),
        (
            r#"{{ toToml (dict "a" 1 "s" "x" "n" (dict "k" (list 1 2) "deep" (dict "z" 1 "y" (dict "q" "w"))) "f" 1.5 "b" true "m" (dict) "z" (list (dict "a" 1) (dict "b" (dict "c" 2)))) }}"#,
            "a = 1\nb = true\nf = 1.5\ns = \"x\"\n\n[m]\n\n[n]\n  k = [1, 2]\n  [n.deep]\n    z = 1\n    [n.deep.y]\n      q = \"w\"\n\n[[z]]\n  a = 1\n\n[[z]]\n  [z.b]\n    c = 2\n",
        ),
        (
            r#"{{ toToml (list 1 2) }}|{{ toToml "x" }}|{{ toToml (dict "a" (list 1 nil)) }}|{{ toToml (dict "a" nil "b" 1) }}|{{ toToml (dict "a" (list 1 (list 2 nil))) }}"#,
            "[1, 2]|\"x\"|toml: cannot encode array with nil element|b = 1\n|toml: cannot encode array with nil element",
        ),
        (
            r#"{{ toToml (dict "a b" 1 "é" 2 "a.b" 3 "" 4 "A-_9" 5 "q\"" 6 "s" "l1\nl2\t\"\\\u007f\u0001é😀" "f1" 1e6 "f2" 1e21 "f3" 0.000001 "f4" -0.0 "f5" 1e-7 "i" (int64 -5) "mix" (list 1 "a" (list 2 3) (dict "k" "v"))) }}"#,
            "\"\" = 4\nA-_9 = 5\n\"a b\" = 1\n\"a.b\" = 3\nf1 = 1000000.0\nf2 = 1000000000000000000000.0\nf3 = 0.000001\nf4 = -0.0\nf5 = 0.0000001\ni = -5\nmix = [1, \"a\", [2, 3], {k = \"v\"}]\n\"q\\\"\" = 6\ns = \"l1\\nl2\\t\\\"\\\\\\u007f\\u0001é😀\"\n\"é\" = 2\n",
        ),
        (
            r#"{{ toToml (dict "x" (list (list (dict "a" 1)))) }}|{{ toToml (dict "e" (list)) }}|{{ toToml (dict "y" (dict "a b" (dict "c" 1))) }}"#,
            "x = [[{a = 1}]]\n|e = []\n|[y]\n  [y.\"a b\"]\n    c = 1\n",
        ),
        (
            r#"{{ toToml (dict "a" (list (dict "x" nil "y" 1) (dict "x" 1 "y" nil "z" (dict "q" 1)))) }}|{{ toToml (list (dict "a" 1)) }}|{{ toToml (dict) }}|{{ toToml (dict "a" (list nil 1)) }}|{{ toToml (dict "a" (list (dict "k" 1) 1)) }}"#,
            "[[a]]\n  y = 1\n\n[[a]]\n  x = 1\n  [a.z]\n    q = 1\n|toml: top-level values must be Go maps or structs||toml: cannot encode array with nil element|a = [{k = 1}, 1]\n",
        ),
        (
            r#"{{ toToml (dict "a" (list 1 (dict "x" nil "y" 1 "w" (dict "k" 2)))) }}|{{ toToml (dict "a" (dict "b" (list (dict "c" (list (dict "d" 1)))))) }}|{{ toToml (dict "n" (b64dec "aGk=")) }}"#,
            "a = [1, {y = 1, w = {k = 2}}]\n|[a]\n\n  [[a.b]]\n\n    [[a.b.c]]\n      d = 1\n|n = \"hi\"\n",
        ),
        (
            "{{ toToml nil }}",
            "Error: template: sc/templates/t.yaml:1:3: executing \"sc/templates/t.yaml\" at <toToml nil>: error calling toToml: reflect: call of reflect.Value.Type on zero Value",
        ),
    ]);
}
