//! Sprig functions called through the template engine (argument conversion, printing, piping),
//! each expectation taken from `helm template` v3.17.2 on a scratch chart with these values:
//! `f: 3.7, big: 1000000, s: "12abc", lst: [b, a, c], m: {z: 1, a: 2, m: 3}`.

use crate::helm_version::HelmVersion;
use crate::value::{Map, MapRef, MapType, Value};

fn values() -> Value {
    let mut m = Map::new();
    m.insert("z".into(), Value::Float(1.0));
    m.insert("a".into(), Value::Float(2.0));
    m.insert("m".into(), Value::Float(3.0));
    let mut values = Map::new();
    values.insert("f".into(), Value::Float(3.7));
    values.insert("big".into(), Value::Float(1_000_000.0));
    values.insert("s".into(), Value::str("12abc"));
    values.insert("lst".into(), Value::list(vec![Value::str("b"), Value::str("a"), Value::str("c")]));
    values.insert("m".into(), Value::map(m));
    let mut top = Map::new();
    top.insert("Values".into(), Value::Map(MapRef::typed(values, MapType::Values(HelmVersion::V3))));
    Value::map(top)
}

fn check(cases: &[(&str, &str)]) {
    crate::template::testkit::check(cases, values);
}

#[test]
fn values_and_literals_convert_as_in_helm() {
    check(&[
        (
            r#"{{ typeOf (add 1 2) }} {{ add 1 2.9 .Values.f }} {{ semverCompare ">=1.21-0" "v1.33.0" }}"#,
            "int64 6 true",
        ),
        (
            r#"{{ int "12abc" }} {{ int "0x10" }} {{ int "010" }} {{ int "1.0" }} {{ int .Values.f }} {{ typeOf (int64 "5") }}"#,
            "0 16 8 1 3 int64",
        ),
        ("{{ toString 1000000.0 }} {{ toString .Values.big }}", "1e+06 1e+06"),
        (r#"{{ trunc -5 "hello world" }} {{ trunc 3 "hello" }} {{ trunc -20 "hi" }}"#, "world hel hi"),
        (r#"{{ substr 1 3 "hello" }} {{ substr 2 99 "hello" }} {{ substr -1 2 "hello" }}"#, "el llo he"),
        (r#"{{ split "/" "a/b/c" }} {{ typeOf (split "/" "a/b") }}"#, "map[_0:a _1:b _2:c] map[string]interface {}"),
        ("{{ until 3 }} {{ untilStep 0 10 3 }} {{ until -3 }}", "[0 1 2] [0 3 6 9] [0 -1 -2]"),
        (
            r#"[{{ quote .Values.nope }}] {{ quote 1 "a" .Values.nope 2.5 }} {{ squote "a" 1 }}"#,
            r#"[] "1" "a" "2.5" 'a' '1'"#,
        ),
        (r#"{{ default "d" false }} {{ default "d" 0 }} {{ default "d" list }} {{ default "d" "x" }}"#, "d d d x"),
        ("{{ sortAlpha .Values.lst }} {{ keys .Values.m | sortAlpha }}", "[a b c] [a m z]"),
        ("{{ div 7 2 }} {{ mod -7 3 }} {{ mul 2 3 4 }} {{ max 1 5 3 }} {{ typeOf (max 1 2) }}", "3 -1 24 5 int64"),
        (
            "{{ addf 1.1 2.2 }} {{ divf 1 3 }} {{ mulf 1.1 3 }} {{ subf 5 1.5 }} {{ maxf 1 2.5 }}",
            "3.3 0.3333333333333333 3.3 3.5 2.5",
        ),
        ("{{ floor 2.7 }} {{ ceil 2.1 }} {{ round 2.345 2 }} {{ round 2.5 0 }} {{ round -2.5 0 }}", "2 3 2.35 3 -3"),
        (
            "{{ seq 5 }} | {{ seq 5 1 }} | {{ seq 0 2 10 }} | {{ seq 1 -1 }}",
            "1 2 3 4 5 | 5 4 3 2 1 | 0 2 4 6 8 10 | 1 0 -1",
        ),
        (
            r#"{{ regexFindAll "[a-z]+" "ab1cd2ef" -1 }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexSplit "a" "bababab" 3 }}"#,
            "[ab cd ef] -W-xxW- [b b bab]",
        ),
        (
            r#"{{ semver "1.2.3-beta.1+b5" }} {{ typeOf (semver "1.2.3") }} {{ (semver "v1.2.3").Major }}"#,
            "1.2.3-beta.1+b5 *semver.Version 1",
        ),
        (
            "{{ kindOf 1 }} {{ kindOf .Values.f }} {{ kindOf .Values.lst }} {{ kindOf .Values.m }} {{ kindOf nil }}",
            "int float64 slice map invalid",
        ),
        (
            r#"{{ camelcase "hello_world-foo bar" }} {{ snakecase "HelloWorldHTTPServer" }} {{ kebabcase "HelloWorld fooBar" }}"#,
            "HelloWorldFooBar hello_world_http_server hello-world-foo-bar",
        ),
        (
            r#"{{ wrap 5 "hello world foo" | quote }} {{ wrapWith 5 "\t" "Hello World" | quote }}"#,
            r#""hello\nworld\nfoo" "Hello\tWorld""#,
        ),
        (
            r#"{{ base "a/b.txt" }} {{ dir "a/b/c" }} {{ ext "x.tar.gz" }} {{ clean "a//b/../c" }} {{ isAbs "/a" }}"#,
            "b.txt a/b .gz a/c true",
        ),
        (r#"{{ urlJoin (dict "scheme" "http" "host" "h" "path" "/x" "query" "a=b") }}"#, "http://h/x?a=b"),
        (
            r#"{{ cat "a" 1 .Values.nope 2.5 }} {{ repeat 3 "ab" }} {{ indent 2 "a\nb" | quote }}"#,
            r#"a 1 2.5 ababab "  a\n  b""#,
        ),
        (
            r#"{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b64dec "!!" }} {{ b32enc "hello" }}"#,
            "aGVsbG8= hello illegal base64 data at input byte 0 NBSWY3DP",
        ),
        (
            r#"{{ dict "a" 1 "b" }} {{ get (dict "a" 1) "b" | quote }} {{ pluck "a" (dict "a" 1) (dict "a" 2) (dict "b" 3) }}"#,
            r#"map[a:1 b:] "" [1 2]"#,
        ),
        (r#"{{ dig "a" "b" "def" (dict "a" (dict "b" 5)) }} {{ dig "a" "x" "def" (dict "a" (dict "b" 5)) }}"#, "5 def"),
        (
            r#"{{ merge (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "y" 2)) }}"#,
            "map[a:1 b:3 n:map[x:1 y:2]]",
        ),
        (
            "{{ first .Values.lst }} {{ last .Values.lst }} {{ rest .Values.lst }} {{ initial .Values.lst }} [{{ first list }}]",
            "b c [a c] [b a] []",
        ),
        (
            r#"{{ has "a" .Values.lst }} {{ without .Values.lst "a" }} {{ uniq (list 1 1 2 "a" "a") }} {{ compact (list 1 0 "" "a" nil) }}"#,
            "true [b c] [1 2 a] [1 a]",
        ),
        (
            r#"{{ chunk 2 (list 1 2 3 4 5) }} {{ slice (list 1 2 3 4) 1 3 }} [{{ slice list }}]"#,
            "[[1 2] [3 4] [5]] [2 3] []",
        ),
        (
            r#"{{ atoi "42x" }} {{ float64 "3.5" }} {{ ternary "y" "n" true }} {{ coalesce 0 "" "x" }} {{ all 1 "a" }} {{ any 0 "" }}"#,
            "0 3.5 y x true false",
        ),
        (
            r#"{{ toDate "2006-01-02" "2017-12-31" }} {{ unixEpoch (toDate "2006-01-02" "2017-12-31") }}"#,
            "2017-12-31 00:00:00 +0000 UTC 1514678400",
        ),
        (
            r#"{{ dateModify "1.5h" (toDate "2006-01-02" "2017-12-31") }} {{ duration 95 }} {{ duration "3700" }}"#,
            "2017-12-31 01:30:00 +0000 UTC 0s 1h1m40s",
        ),
        (r#"{{ $d := dict "a" 1 }}{{ $d = set $d "b" 2 }}{{ $d }}"#, "map[a:1 b:2]"),
        (
            "{{ add1 .Values.f }} {{ sub 5 2.5 }} {{ int 3.99 }} {{ int64 -3.99 }} {{ int true }} {{ int nil }}",
            "4 3 3 -3 1 0",
        ),
        (
            r#"{{ derivePassword 1 "pin" "pw" "u" "s" }} {{ decryptAES "secretkey" "CCbztuuo5MDGBfDK8PcxIJKl27Nqww7ubZae5Yf2wVU=" }}"#,
            "6287 plaintext",
        ),
        (
            r#"{{ mustToJson (dict "a" (list 1 "x<&>")) }} {{ mustFromJson "[1]" | first | typeOf }}"#,
            r#"{"a":[1,"x\u003c\u0026\u003e"]} float64"#,
        ),
    ]);
}

#[test]
fn errors_read_as_in_helm() {
    check(&[
        (
            r#"{{ first "x" }}"#,
            r#"Error: template: sc/templates/t.yaml:1:3: executing "sc/templates/t.yaml" at <first "x">: error calling first: Cannot find first on type string"#,
        ),
        (
            "{{ divf 1 0 }}",
            r#"Error: template: sc/templates/t.yaml:1:3: executing "sc/templates/t.yaml" at <divf 1 0>: error calling divf: decimal division by 0"#,
        ),
        (
            r#"{{ semverCompare "foo" "1.0.0" }}"#,
            r#"Error: template: sc/templates/t.yaml:1:3: executing "sc/templates/t.yaml" at <semverCompare "foo" "1.0.0">: error calling semverCompare: improper constraint: foo"#,
        ),
    ]);
}

/// Each template is the exact file Helm rendered (a comment first, so columns match).
#[test]
fn argument_conversion_matches_helm() {
    check(&[
        (
            "# {{/* */}}{{ until .Values.f }}",
            r#"Error: template: sc/templates/t.yaml:1:27: executing "sc/templates/t.yaml" at <.Values.f>: wrong type for value; expected int; got float64"#,
        ),
        (
            r#"# {{/* */}}{{ round .Values.f 1 }} {{ trunc (int .Values.f) "hello" }} {{ repeat 2 .Values.s }} {{ ternary 1 2 (eq 1 1) }}"#,
            "# 3.7 hel 12abc12abc 1",
        ),
        (
            r#"# {{/* */}}{{ date "2006" 0 }} {{ semverCompare "^1" (printf "%s" "1.5.0") }} {{ regexFindAll "a" "aaa" 2 }} {{ splitn "," 2 "a,b,c" | toString }} {{ list 1 2 | join "-" }}"#,
            "# 1970 true [a a] map[_0:a _1:b,c] 1-2",
        ),
        (
            r#"# {{/* */}}{{ dict "k" .Values.m | keys }} {{ pick .Values.m "a" }} {{ omit .Values "m" "lst" | keys | sortAlpha }} {{ hasKey .Values "f" }}"#,
            "# [k] map[a:2] [big f s] true",
        ),
        (
            r#"# {{/* */}}{{ randAlphaNum 5 | len }} {{ uuidv4 | len }} {{ shuffle "abc" | len }} {{ now | typeOf }} {{ genCA "x" 365 | typeOf }} {{ (genCA "x" 365).Cert | hasPrefix "-----BEGIN CERTIFICATE-----" }}"#,
            "# 5 36 3 time.Time sprig.certificate true",
        ),
        (
            r#"# {{/* */}}{{ round 2.5 0 1 }} {{ seq 1 "2" }}"#,
            r#"Error: template: sc/templates/t.yaml:1:40: executing "sc/templates/t.yaml" at <"2">: expected integer; found "2""#,
        ),
        (
            r#"# {{/* */}}{{ max .Values.f 2 }} {{ maxf .Values.f 2 }} {{ .Values.f | int64 | typeOf }} {{ add1 "x" }} {{ mul "3" 2 }}"#,
            "# 3 3.7 int64 1 6",
        ),
        (
            r#"# {{/* */}}{{ plural "a" "b" .Values.f }}"#,
            r#"Error: template: sc/templates/t.yaml:1:36: executing "sc/templates/t.yaml" at <.Values.f>: wrong type for value; expected int; got float64"#,
        ),
        (
            r#"# {{/* */}}{{ indent .Values.f "x" }}"#,
            r#"Error: template: sc/templates/t.yaml:1:28: executing "sc/templates/t.yaml" at <.Values.f>: wrong type for value; expected int; got float64"#,
        ),
    ]);
}

/// Maps are shared references, as in Go: `set`, `unset` and the `merge` family change the map
/// they are given (and return it), and every holder of that map sees the change: a `$ctx` dict,
/// `.Values` and its nested maps reached through a variable, a list element. `deepCopy` breaks the
/// sharing; `range` iterates over the entries as they were when it started. `.Values` is Helm's
/// `chartutil.Values`, which `dig` refuses.
#[test]
fn maps_are_shared_like_go_maps() {
    check(&[
        (
            r#"# {{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }} {{ $_ := unset $d "a" }}{{ $d }} {{ $x := .Values.m }}{{ $_ := set $x "new" 1 }}{{ .Values.m.new }} {{ $_ := merge $d (dict "c" 3) }}{{ $d }} {{ $_ := set .Values "top" 5 }}{{ .Values.top }}"#,
            r#"# map[a:1 b:2] map[b:2] 1 map[b:2 c:3] 5"#,
        ),
        (
            r#"# {{ $ctx := dict "a" 1 }}{{ $_ := set $ctx "key" .Values.s }}{{ $ctx.key }} {{ $ctx }}"#,
            r#"# 12abc map[a:1 key:12abc]"#,
        ),
        (
            r#"# {{ $x := .Values.m }}{{ $_ := unset $x "z" }}{{ .Values.m }} {{ $_ := set .Values.m "q" 9 }}{{ $x.q }}"#,
            r#"# map[a:2 m:3] 9"#,
        ),
        (
            r#"# {{ $ctx := dict "a" 1 }}{{ $r := merge $ctx (dict "c" 3 "a" 9) }}{{ $_ := set $r "viaR" 1 }}{{ $ctx }}"#,
            r#"# map[a:1 c:3 viaR:1]"#,
        ),
        (
            r#"# {{ $ctx := dict "a" 1 }}{{ $r := mergeOverwrite $ctx (dict "c" 3 "a" 9) }}{{ $_ := set $r "viaR" 1 }}{{ $ctx }}"#,
            r#"# map[a:9 c:3 viaR:1]"#,
        ),
        (
            r#"# {{ $ctx := dict "a" 1 }}{{ $r := mustMerge $ctx (dict "c" 3 "a" 9) }}{{ $_ := set $r "viaR" 1 }}{{ $ctx }}"#,
            r#"# map[a:1 c:3 viaR:1]"#,
        ),
        (
            r#"# {{ $ctx := dict "a" 1 }}{{ $r := mustMergeOverwrite $ctx (dict "c" 3 "a" 9) }}{{ $_ := set $r "viaR" 1 }}{{ $ctx }}"#,
            r#"# map[a:9 c:3 viaR:1]"#,
        ),
        (
            r#"# {{ $src := dict "n" (dict "y" 2) }}{{ $dst := dict }}{{ $_ := merge $dst $src }}{{ $_ := set $src.n "z" 3 }}{{ $dst }}"#,
            r#"# map[n:map[y:2 z:3]]"#,
        ),
        (
            r#"# {{ $src := dict "n" (dict "y" 2) }}{{ $dst := dict "n" (dict "q" 1) }}{{ $_ := mergeOverwrite $dst $src }}{{ $_ := set $src.n "w" 4 }}{{ $dst }} {{ $src }}"#,
            r#"# map[n:map[q:1 y:2]] map[n:map[w:4 y:2]]"#,
        ),
        (
            r#"# {{ $c := deepCopy .Values.m }}{{ $_ := set $c "copied" 1 }}{{ .Values.m }} {{ $c }}"#,
            r#"# map[a:2 m:3 z:1] map[a:2 copied:1 m:3 z:1]"#,
        ),
        (
            r#"# {{ $n := dict "x" 1 }}{{ $o := dict "n" $n "l" (list $n) }}{{ $c := mustDeepCopy $o }}{{ $_ := set $n "y" 2 }}{{ $o }} {{ $c }}"#,
            r#"# map[l:[map[x:1 y:2]] n:map[x:1 y:2]] map[l:[map[x:1]] n:map[x:1]]"#,
        ),
        (
            r#"# {{ $ctx := dict "a" 1 }}{{ $l := list $ctx }}{{ $_ := set (index $l 0) "inList" 1 }}{{ $ctx }}"#,
            r#"# map[a:1 inList:1]"#,
        ),
        (r#"# {{ $_ := set $ "rootKey" 1 }}{{ $.rootKey }} {{ .rootKey }}"#, r#"# 1 1"#),
        (
            r#"# {{ $ctx := dict "a" 1 "c" 3 }}{{ range $k, $v := $ctx }}{{ $_ := set $ctx "zz" 1 }}{{ $_ := set $ctx "c" 100 }}{{ $k }}={{ $v }} {{ end }}{{ $ctx }}"#,
            r#"# a=1 c=3 map[a:1 c:100 zz:1]"#,
        ),
        (r#"# {{ $ctx := dict "a" 1 }}{{ merge $ctx $ctx }} {{ mergeOverwrite $ctx $ctx }}"#, r#"# map[a:1] map[a:1]"#),
        (
            r#"# {{ $ctx := dict "a" 1 "b" 2 }}{{ pluck "a" $ctx .Values.m }} {{ keys $ctx .Values.m | sortAlpha }} {{ get $ctx "a" }} {{ hasKey $ctx "b" }} {{ $_ := unset $ctx "b" }}{{ hasKey $ctx "b" }} {{ len $ctx }}"#,
            r#"# [1 2] [a a b m z] 1 true false 1"#,
        ),
        (
            r#"# {{ $m2 := mustMerge (dict) .Values.m }}{{ $_ := set $m2 "only" 1 }}{{ hasKey .Values.m "only" }} {{ $m2 | len }}"#,
            r#"# false 4"#,
        ),
        (r#"# {{ $d := dict "x" (dict "y" 1) }}{{ $_ := set $d.x "y" 2 }}{{ $d }}"#, r#"# map[x:map[y:2]]"#),
        (
            r#"# {{ $s := dict "a" 1 }}{{ $_ := set $s "self" $s }}{{ $s.self.self.self.a }} {{ toYaml $s | quote }} {{ toJson $s | quote }} {{ toPrettyJson $s | quote }}"#,
            r#"# 1 "" "" """#,
        ),
        (
            r#"# {{ $s := dict "a" 1 }}{{ $_ := set $s "self" $s }}{{ mustToJson $s }}"#,
            r#"Error: template: sc/templates/t.yaml:1:55: executing "sc/templates/t.yaml" at <mustToJson $s>: error calling mustToJson: json: unsupported value: encountered a cycle via map[string]interface {}"#,
        ),
        (
            r#"# {{ $s := dict "a" 1 }}{{ $_ := set $s "self" $s }}{{ toRawJson $s }}"#,
            r#"Error: template: sc/templates/t.yaml:1:55: executing "sc/templates/t.yaml" at <toRawJson $s>: error calling toRawJson: json: unsupported value: encountered a cycle via map[string]interface {}"#,
        ),
        (
            r#"# {{ dig "m" "a" "x" .Values }}"#,
            r#"Error: template: sc/templates/t.yaml:1:5: executing "sc/templates/t.yaml" at <dig "m" "a" "x" .Values>: error calling dig: interface conversion: interface {} is chartutil.Values, not map[string]interface {}"#,
        ),
        (
            r#"# {{ dig "Values" "m" "x" $ }}"#,
            r#"Error: template: sc/templates/t.yaml:1:5: executing "sc/templates/t.yaml" at <dig "Values" "m" "x" $>: error calling dig: interface conversion: interface {} is chartutil.Values, not map[string]interface {}"#,
        ),
        (r#"# {{ dig "a" "x" .Values.m }} {{ dig "z" "x" .Values.m }}"#, r#"# 2 1"#),
        (
            r#"# {{ typeOf .Values }} {{ typeOf .Values.m }} {{ typeOf (deepCopy .Values) }} {{ kindOf .Values }} {{ printf "%T" .Values }}"#,
            r#"# chartutil.Values map[string]interface {} chartutil.Values map chartutil.Values"#,
        ),
        (
            r#"# {{ $v := .Values }}{{ $_ := set $v "viaVar" 1 }}{{ .Values.viaVar }} {{ hasKey .Values "viaVar" }}"#,
            r#"# 1 true"#,
        ),
        (
            r#"# {{ $a := dict "k" (dict "x" 1) }}{{ $b := dict "k" (dict "y" 2) }}{{ $_ := merge $a $b }}{{ $_ := set $b.k "z" 3 }}{{ $a }}"#,
            r#"# map[k:map[x:1 y:2]]"#,
        ),
        (
            r#"# {{ $d := dict }}{{ $_ := set $d "l" (list 1 2) }}{{ $e := $d }}{{ $_ := set $e "x" 1 }}{{ $d }} {{ eq (len $d) (len $e) }}"#,
            r#"# map[l:[1 2] x:1] true"#,
        ),
        (
            r#"# {{ $d := dict "a" 1 }}{{ $e := dict "a" 1 }}{{ deepEqual $d $e }} {{ $_ := set $e "b" 2 }}{{ deepEqual $d $e }}"#,
            r#"# true false"#,
        ),
        (
            r#"# {{ $d := dict "a" 1 }}{{ $e := omit $d "x" }}{{ $_ := set $e "b" 2 }}{{ $d }} {{ $p := pick $d "a" }}{{ $_ := set $p "c" 3 }}{{ $d }}"#,
            r#"# map[a:1] map[a:1]"#,
        ),
        (
            r#"# {{ typeOf (set .Values "a" 1) }} {{ dig "a" "d" (set .Values "a" 1) }} {{ typeOf (merge .Values (dict)) }} {{ typeOf (unset .Values "zz") }} {{ typeOf (deepCopy .Values) }} {{ typeOf (pick .Values "a") }} {{ typeOf .Values }}"#,
            r#"# map[string]interface {} 1 map[string]interface {} map[string]interface {} chartutil.Values map[string]interface {} chartutil.Values"#,
        ),
    ]);
}

/// Go's `fmt` recurses without end on a map that contains itself (Helm dies with a stack
/// overflow); here the inner occurrence prints as `...`.
#[test]
fn printing_a_map_that_contains_itself_ends() {
    check(&[(
        r#"{{ $s := dict "a" 1 }}{{ $_ := set $s "self" $s }}{{ $s }} {{ printf "%v" $s }} {{ list $s }}"#,
        "map[a:1 self:...] map[a:1 self:...] [map[a:1 self:...]]",
    )]);
}
