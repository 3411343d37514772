//! toYamlPretty, toToml and fromToml called through the template engine, each expectation
//! taken from `helm template` v3.17.2 on a scratch chart with the values in `VALUES`.

use crate::helm_version::HelmVersion;
use crate::source::FileId;
use crate::value::{Map, MapRef, MapType, Value};

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
    top.insert("Values".into(), Value::Map(MapRef::typed(values, MapType::Values(HelmVersion::V3))));
    Value::map(top)
}

fn check(cases: &[(&str, &str)]) {
    crate::template::testkit::check(cases, values);
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
            r#"{{ toYamlPretty (fromToml "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00.5-07:00\nc = 1979-05-27T07:32:00\nd = 1979-05-27\ne = 07:32:00") }}|{{ toYamlPretty (dict "t" (toDate "2006-01-02" "2024-02-29")) }}"#,
            "a: 1979-05-27T07:32:00Z\nb: 1979-05-27T00:32:00.5-07:00\nc: 1979-05-27T07:32:00Z\nd: 1979-05-27T00:00:00Z\ne: 0000-01-01T07:32:00Z|t: 2024-02-29T00:00:00Z",
        ),
        ("{{ toYamlPretty (list 1 (list 2 3) (dict \"a\" (list 4))) }}", "- 1\n- - 2\n  - 3\n- a:\n    - 4"),
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
            r#"{{ toToml (fromToml "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00.5-07:00\nc = 1979-05-27T07:32:00\nd = 1979-05-27\ne = 07:32:00") }}"#,
            "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00.5-07:00\nc = 1979-05-27T07:32:00\nd = 1979-05-27\ne = 07:32:00\n",
        ),
        (
            "{{ toToml nil }}",
            "Error: template: sc/templates/t.yaml:1:3: executing \"sc/templates/t.yaml\" at <toToml nil>: error calling toToml: reflect: call of reflect.Value.Type on zero Value",
        ),
    ]);
}

/// A Go template string literal holding `text`.
fn go_literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `(toml text, what {{ fromToml text }} prints)`, from helm 3.17.2.
const FROM_TOML: &[(&str, &str)] = &[
    ("= x", "map[Error:toml: line 1: unexpected '=': key name appears blank]"),
    ("a = ", "map[Error:toml: line 0 (last key \"a\"): unexpected EOF; expected value]"),
    ("a = 1\na = 2", "map[Error:toml: line 2 (last key \"a\"): Key 'a' has already been defined.]"),
    ("[t]\n[t]", "map[Error:toml: line 2: Key 't' has already been defined.]"),
    ("a = \"unterminated", "map[Error:toml: line 0 (last key \"a\"): unexpected EOF; expected '\"']"),
    (
        "a = 1 b = 2",
        "map[Error:toml: line 1: expected a top-level item to end with a newline, comment, or EOF, but got 'b' instead]",
    ),
    ("a = tru", "map[Error:toml: line 1 (last key \"a\"): expected value but found \"tru\" instead]"),
    (
        "a = [1, 2",
        "map[Error:toml: line 0 (last key \"a\"): expected a comma (',') or array terminator (']'), but got end of file]",
    ),
    ("[t", "map[Error:toml: line 0: expected '.' or ']' to end table name, but got '\\x00' instead]"),
    (
        "a = 1_",
        "map[Error:toml: line 1 (last key \"a\"): Invalid integer \"1_\": underscores must be surrounded by digits]",
    ),
    ("a = 01", "map[Error:toml: line 1 (last key \"a\"): Invalid integer \"01\": cannot have leading zeroes]"),
    (
        "a = 1.e5",
        "map[Error:toml: line 1 (last key \"a\"): Invalid float \"1.e5\": '.' must be followed by one or more digits]",
    ),
    (
        "a = {x = 1",
        "map[Error:toml: line 0 (last key \"a.x\"): expected a comma or an inline table terminator '}', but got end of file instead]",
    ),
    ("x = 1\n[x]", "map[Error:toml: line 2: Key 'x' has already been defined.]"),
    ("a = 'x'\nb", "map[Error:toml: line 1: unexpected EOF; expected key separator '=']"),
    ("[[a]]\n[a]", "map[Error:toml: line 2: Key 'a' has already been defined.]"),
    ("a = \"\\q\"", "map[Error:toml: line 1 (last key \"a\"): invalid escape in string '\\q']"),
    (
        "a = 9223372036854775808",
        "map[Error:toml: line 1 (last key \"a\"): 9223372036854775808 is out of range for int64]",
    ),
    ("a = 1979-13-27", "map[Error:toml: line 1 (last key \"a\"): invalid datetime: \"1979-13-27\"]"),
    ("a = 1e400", "map[Error:toml: line 1 (last key \"a\"): 1e400 is out of range for float64]"),
    ("a = 0x", "map[Error:toml: line 1 (last key \"a\"): not a hexidecimal number: '0x\0']"),
    ("\ta = 1\n b = \"x\" # c", "map[a:1 b:x]"),
    ("a = \"\"\"\nx\"\"\"\"\"", "map[a:x\"\"]"),
    ("a = [\n 1,\n 2,\n]", "map[a:[1 2]]"),
    ("a = [1,,2]", "map[Error:toml: line 1 (last key \"a\"): unexpected comma]"),
    ("a = {}\nb = {x=1,}", "map[Error:toml: line 2 (last key \"b.x\"): trailing comma not allowed in inline tables]"),
    ("a = \"tab\there\"", "map[a:tab\there]"),
    ("a = 1979-05-27 07:32:00Z", "map[a:1979-05-27 07:32:00 +0000 UTC]"),
    ("a = 1979-05-27T07:32:00.123456789123Z", "map[a:1979-05-27 07:32:00.123456789 +0000 UTC]"),
    ("a = 07:32", "map[Error:toml: line 1 (last key \"a\"): invalid datetime: \"07:32\"]"),
    ("'' = 1", "map[:1]"),
    ("\"a.b\".c = 1", "map[a.b:map[c:1]]"),
    ("a = +nan", "map[a:NaN]"),
    ("a = -0.0", "map[a:-0]"),
    ("a = 0e0", "map[a:0]"),
    ("a = 3.14e+2", "map[a:314]"),
    ("[a.b]\n[a]\nx=1", "map[a:map[b:map[] x:1]]"),
    ("[a]\nb.c = 1\n[a.b]", "map[a:map[b:map[c:1]]]"),
    ("a = {b=1}\n[a.c]", "map[a:map[b:1 c:map[]]]"),
    ("[[a]]\nb=1\n[a.c]\nd=2\n[[a]]", "map[a:[map[b:1 c:map[d:2]] map[]]]"),
    ("a.b = 1\n[a]", "map[a:map[b:1]]"),
    ("a.b = 1\na = 2", "map[a:map[b:1]]"),
    ("a = 1\r\nb = 2\r\n", "map[a:1 b:2]"),
    ("\u{feff}a = 1", "map[a:1]"),
    ("é = 1", "map[Error:toml: line 1: expected '.' or '=', but got 'é' instead]"),
    (
        "a = [{b=1},{b=2}]\n[[a]]",
        "map[Error:toml: line 2: Key 'a' was already created and cannot be used as an array.]",
    ),
    ("a = 1 # x\n# y\n[b] # z\nc = \"#\"", "map[a:1 b:map[c:#]]"),
    ("a = \"\"\"\\\n  x\"\"\"", "map[a:x]"),
    ("a = '''x''''", "map[a:x']"),
    ("a = 2000-01-01T00:00:00+05:30", "map[a:2000-01-01 00:00:00 +0530 +0530]"),
    ("a = 1987-07-05t17:45:00z", "map[a:1987-07-05 17:45:00 +0000 UTC]"),
    ("a = 1_2.3_4e1_0", "map[a:1.234e+11]"),
    ("a = -0x1", "map[Error:toml: line 1 (last key \"a\"): cannot use sign with non-decimal numbers: '-0x']"),
    ("a = 0.1", "map[a:0.1]"),
    ("a = 5e+22", "map[a:5e+22]"),
    ("a = [[1], ['x']]", "map[a:[[1] [x]]]"),
    ("[x.y]\nz = 1\n[x]\nw = 2", "map[x:map[w:2 y:map[z:1]]]"),
    ("a = \"\\ud800\"", "map[Error:toml: line 1 (last key \"a\"): Escaped character '\\ud800' is not valid UTF-8.]"),
    ("a = 24:00:00", "map[Error:toml: line 1 (last key \"a\"): invalid datetime: \"24:00:00\"]"),
    ("a = 2000-02-30", "map[Error:toml: line 1 (last key \"a\"): invalid datetime: \"2000-02-30\"]"),
    ("a = 1.5E3", "map[a:1500]"),
    ("a = 00:00:00.5", "map[a:0000-01-01 00:00:00.5 +0000 time-local]"),
    ("a=1\nb=[\n#c\n1 #d\n,2]", "map[a:1 b:[1 2]]"),
    ("k = \"a\\bb\\f\"", "map[k:a\u{8}b\u{c}]"),
    (
        "a = infinity",
        "map[Error:toml: line 1: expected a top-level item to end with a newline, comment, or EOF, but got 'i' instead]",
    ),
];

#[test]
fn from_toml_matches_helm() {
    let cases: Vec<(String, &str)> =
        FROM_TOML.iter().map(|(text, want)| (format!("{{{{ fromToml {} }}}}", go_literal(text)), *want)).collect();
    let cases: Vec<(&str, &str)> = cases.iter().map(|(t, w)| (t.as_str(), *w)).collect();
    check(&cases);
}

const TOML_DOCUMENT: &str = r#"# comment
title = "t"   # trailing
int = +99
hex = 0xDEAD_beef
oct = 0o755
bin = 0b1101
flt = 6.626e-34
f2 = 1e6
f3 = 3.0
inf = -inf
nan = nan
u = 1_000
s1 = 'lit\n'
s2 = """
multi
line\
   cont"""
s3 = '''
raw\n'''
s4 = "uni \u00e9 \U0001F600 \t"
dt = 1979-05-27T07:32:00Z
dt2 = 1979-05-27T00:32:00.999999-07:00
ldt = 1979-05-27T07:32:00
ld = 1979-05-27
lt = 07:32:00
arr = [1, "a", [2.5], {x = 1}]
emptyarr = []
inl = {a.b = 1, c = "d"}
"quoted key" = 1
a.b.c = 2
[tbl]
k = true
[tbl.sub]
z = 1
[[aot]]
n = 1
[[aot]]
n = 2
"#;

#[test]
fn from_toml_values_have_helms_types() {
    let template = format!(
        "{{{{- $t := fromToml {} }}}}{{{{- range $k, $v := $t }}}}\n{{{{ $k }}}}: {{{{ printf \"%v\" $v }}}} {{{{ typeOf $v }}}}{{{{ end }}}}",
        go_literal(TOML_DOCUMENT)
    );
    // Helm prints `[]map[string]interface {}` for `aot`; this value model has one list type.
    let want = "
a: map[b:map[c:2]] map[string]interface {}
aot: [map[n:1] map[n:2]] []interface {}
arr: [1 a [2.5] map[x:1]] []interface {}
bin: 13 int64
dt: 1979-05-27 07:32:00 +0000 UTC time.Time
dt2: 1979-05-27 00:32:00.999999 -0700 -0700 time.Time
emptyarr: [] []interface {}
f2: 1e+06 float64
f3: 3 float64
flt: 6.626e-34 float64
hex: 3735928559 int64
inf: -Inf float64
inl: map[a:map[b:1] c:d] map[string]interface {}
int: 99 int64
ld: 1979-05-27 00:00:00 +0000 date-local time.Time
ldt: 1979-05-27 07:32:00 +0000 datetime-local time.Time
lt: 0000-01-01 07:32:00 +0000 time-local time.Time
nan: NaN float64
oct: 493 int64
quoted key: 1 int64
s1: lit\\n string
s2: multi
linecont string
s3: raw\\n string
s4: uni é 😀 \t string
tbl: map[k:true sub:map[z:1]] map[string]interface {}
title: t string
u: 1000 int64";
    check(&[(template.as_str(), want)]);
}
