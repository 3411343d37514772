//! The dynamic value type, Go's `interface{}`: what YAML/JSON decoding, values files and templates share.
//!
//! Go types matter for fidelity (`typeOf`, `%T`, `eq` between int and float64 is an error), so
//! numbers keep their Go type: values files only ever produce `float64`, template literals `int`,
//! some Sprig functions `int64`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::helm_version::HelmVersion;

/// Go's `map[string]interface{}`; iteration is sorted by key, as Go's `range` and `fmt` do.
pub type Map = BTreeMap<String, Value>;

/// A Go map as templates hold it: a shared reference, so `set $ctx "k" v` changes the map every
/// holder sees (`$ctx`, `.Values.x`, a list element), as in Go.
///
/// Lock discipline: no method calls back into template code while it holds the lock, and
/// recursive walks go through [`MapRef::walk`], which refuses to lock a map the same walk is
/// already inside (a map that contains itself) instead of locking it twice.
#[derive(Clone)]
pub struct MapRef {
    entries: Arc<RwLock<Map>>,
    /// The Go type this reference sees the map as: the same Go map passed to a
    /// `map[string]interface {}` parameter comes back from `set` as that plain type.
    map_type: MapType,
}

/// The Go map types templates meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapType {
    /// `map[string]interface {}`: every map but the two below.
    Plain,
    /// Helm's `chartutil.Values` (`.Values`; `common.Values` in Helm 4), a named type over the
    /// plain one; Sprig's `dig` refuses it, as Go's type assertion does.
    Values(HelmVersion),
    /// `map[string]string` (`.Chart.Annotations`); Sprig's map functions refuse it.
    StringMap,
}

impl MapType {
    /// The name `%T` and `typeOf` print.
    pub fn go_name(self) -> &'static str {
        match self {
            MapType::Plain => "map[string]interface {}",
            MapType::Values(HelmVersion::V3) => "chartutil.Values",
            MapType::Values(HelmVersion::V4) => "common.Values",
            MapType::StringMap => "map[string]string",
        }
    }
}

/// The maps a recursive walk (printing, encoding, comparing, copying) is currently inside.
#[derive(Debug, Default)]
pub struct OpenMaps(Vec<usize>);

impl MapRef {
    /// A new map, shared by nobody yet.
    pub fn new(map: Map) -> Self {
        MapRef::typed(map, MapType::Plain)
    }

    /// A new map of the given Go type.
    pub fn typed(map: Map, map_type: MapType) -> Self {
        MapRef { entries: Arc::new(RwLock::new(map)), map_type }
    }

    /// The Go type of this reference.
    pub fn map_type(&self) -> MapType {
        self.map_type
    }

    /// The same map, seen as another Go type (Go's conversion of a named map type).
    pub fn as_type(&self, map_type: MapType) -> MapRef {
        MapRef { entries: self.entries.clone(), map_type }
    }

    /// Whether Go passes this map to a `map[string]interface {}` parameter.
    pub fn is_interface_map(&self) -> bool {
        self.map_type != MapType::StringMap
    }

    // A panic while a lock was held cannot leave a `BTreeMap` half-updated, so a poisoned lock
    // is still usable.
    fn read(&self) -> RwLockReadGuard<'_, Map> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Map> {
        self.entries.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value at `key` (a shallow copy: nested maps stay shared).
    #[inline]
    pub fn get(&self, key: &str) -> Option<Value> {
        self.read().get(key).cloned()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.read().contains_key(key)
    }

    /// Sets `key` in place; every holder of this map sees it.
    pub fn insert(&self, key: String, value: Value) -> Option<Value> {
        self.write().insert(key, value)
    }

    /// Deletes `key` in place.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.write().remove(key)
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// The keys, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    /// A copy of the entries as they are now (values shallow: nested maps stay shared), to
    /// iterate over while the map itself may change.
    pub fn snapshot(&self) -> Map {
        self.read().clone()
    }

    /// Runs `f` on the entries under the read lock; `f` must not reach this map again (use
    /// [`MapRef::walk`] to recurse into values).
    pub fn with_read<R>(&self, f: impl FnOnce(&Map) -> R) -> R {
        f(&self.read())
    }

    /// Runs `f` on the entries under the read lock, for a walk that recurses into nested
    /// values; `None` when the walk is already inside this map (it contains itself), which would
    /// otherwise lock it twice and never end.
    pub fn walk<R>(&self, open: &mut OpenMaps, f: impl FnOnce(&Map, &mut OpenMaps) -> R) -> Option<R> {
        let id = Arc::as_ptr(&self.entries) as usize;
        if open.0.contains(&id) {
            return None;
        }
        open.0.push(id);
        let result = f(&self.read(), open);
        open.0.pop();
        Some(result)
    }

    /// Whether both are the same Go map (not merely equal contents).
    pub fn ptr_eq(&self, other: &MapRef) -> bool {
        Arc::ptr_eq(&self.entries, &other.entries)
    }
}

impl From<Map> for MapRef {
    fn from(map: Map) -> Self {
        MapRef::new(map)
    }
}

impl Default for MapRef {
    fn default() -> Self {
        MapRef::new(Map::new())
    }
}

impl std::fmt::Debug for MapRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Value::Map(self.clone()).format_v())
    }
}

/// The Go slice types templates meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListType {
    /// `[]interface {}`: every list but the one below.
    Plain,
    /// Helm's `chartutil.VersionSet` (`.Capabilities.APIVersions`; `common.VersionSet` in Helm 4),
    /// a named `[]string` with the method `Has`.
    VersionSet(HelmVersion),
}

impl ListType {
    /// The name `%T` and `typeOf` print.
    pub fn go_name(self) -> &'static str {
        match self {
            ListType::Plain => "[]interface {}",
            ListType::VersionSet(HelmVersion::V3) => "chartutil.VersionSet",
            ListType::VersionSet(HelmVersion::V4) => "common.VersionSet",
        }
    }
}

/// A Go slice as templates hold it: its items (shared, never changed in place) and its Go type.
/// Derefs to the items, so it reads like a `Vec<Value>`.
#[derive(Clone, Debug)]
pub struct List {
    items: Arc<Vec<Value>>,
    list_type: ListType,
}

impl List {
    pub fn typed(items: Vec<Value>, list_type: ListType) -> Self {
        List { items: Arc::new(items), list_type }
    }

    /// The Go type of this slice.
    pub fn list_type(&self) -> ListType {
        self.list_type
    }

    /// The named slice type as a method receiver (`VersionSet.Has`); `None` for a plain slice,
    /// which has no methods.
    pub fn methods(&self) -> Option<Arc<dyn Object>> {
        match self.list_type {
            ListType::Plain => None,
            ListType::VersionSet(_) => Some(Arc::new(VersionSetMethods(self.clone()))),
        }
    }
}

impl std::ops::Deref for List {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.items
    }
}

/// The methods of `chartutil.VersionSet`.
#[derive(Debug)]
struct VersionSetMethods(List);

impl Object for VersionSetMethods {
    fn type_name(&self) -> &str {
        self.0.list_type().go_name()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn method_signature(&self, name: &str) -> Option<(&'static [ParamType], bool)> {
        (name == "Has").then_some((&[ParamType::String][..], false))
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Has" {
            return None;
        }
        Some(match args {
            [Value::String(v)] => Ok(Value::Bool(self.0.iter().any(|known| known.as_str() == Some(v.as_ref())))),
            _ => Err("wrong number of args for Has: want 1".to_string()),
        })
    }
    fn format_v(&self) -> String {
        Value::List(self.0.clone()).format_v()
    }
}

/// One value a template can see.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Go's untyped nil (a missing key, a YAML `null`).
    #[default]
    Nil,
    Bool(bool),
    /// Go `int`: template literals, `len`, `atoi`, `until`.
    Int(i64),
    /// Go `int64`: Sprig's `int64`, `add`, `sub`, ...
    Int64(i64),
    /// Go `float64`: every number that comes from a values file.
    Float(f64),
    String(Arc<str>),
    /// Go `[]byte` (`.Files.GetBytes`).
    Bytes(Arc<[u8]>),
    /// A Go `string` whose bytes are not UTF-8: what `.Files.Get` returns for a binary file.
    /// Hashing and encoding functions take its bytes; text functions and output refuse it
    /// with a message that names the limitation (see docs/functions.md).
    BinaryString(Arc<[u8]>),
    /// Go `[]interface{}`, or a named slice type (see [`ListType`]).
    List(List),
    /// Go `map[string]interface{}`, shared by reference as in Go.
    Map(MapRef),
    /// A Go struct or named type with fields and methods (`.Chart`, `.Capabilities`, `.Files`, semver versions).
    Object(Arc<dyn Object>),
}

/// A Go parameter type, as far as argument checking needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// `interface{}`: anything, nil included.
    Any,
    /// `string`
    String,
    /// `int`
    Int,
    /// `int64`
    Int64,
    /// `float64`
    Float64,
    /// `bool`
    Bool,
    /// `[]interface{}`
    List,
    /// `map[string]interface{}`
    Map,
    /// `[]string`
    StringList,
}

/// A Go struct-like value: named fields, methods, and how `fmt` prints it.
pub trait Object: Send + Sync + std::fmt::Debug {
    /// The Go type name as `%T` and Sprig's `typeOf` print it, e.g. `*chart.Metadata`.
    fn type_name(&self) -> &str;
    /// A field or a method without arguments; `None` when the type has no such member.
    fn field(&self, name: &str) -> Option<Value>;
    /// A method call with arguments; `None` when the type has no such method.
    fn call_method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    /// The Go parameter types of a method (and whether the last one repeats), so the evaluator
    /// checks arguments with Go's messages before `call_method`; `None` leaves them unchecked.
    fn method_signature(&self, _name: &str) -> Option<(&'static [ParamType], bool)> {
        None
    }
    /// What Go's `fmt` `%v` prints for it (a `String()` method, or the struct dump).
    fn format_v(&self) -> String;
    /// What a template action `{{ x }}` prints for it: Go's text/template follows a pointer and
    /// uses a `String()` method of the pointer when the value is addressable (a field), so it
    /// may differ from `%v` (`.Capabilities.KubeVersion` prints `v1.33.0`, not `{v1.33.0 1 33}`).
    fn format_action(&self) -> String {
        self.format_v()
    }
    /// A struct's Go fields in declaration order, for `%+v` (`{Version:v1.33.0 ...}`) and `%#v`
    /// (`chartutil.KubeVersion{Version:"v1.33.0", ...}`); `None` when those print as `%v`.
    fn go_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        None
    }
    /// How `encoding/json` sees a struct: its fields under their JSON names, in declaration
    /// order (`omitempty` ones left out when empty); `None` when it encodes as its `%v` text.
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    /// For a named Go map type (Helm's `.Files`): its entries, so `range` can iterate over it.
    fn map_entries(&self) -> Option<Map> {
        None
    }
}

impl Value {
    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A Go string from its bytes: text when they are UTF-8, a [`Value::BinaryString`] otherwise.
    pub fn go_string(bytes: Vec<u8>) -> Value {
        match String::from_utf8(bytes) {
            Ok(text) => Value::str(text),
            Err(e) => Value::BinaryString(e.into_bytes().into()),
        }
    }

    /// What Go makes of a binary string where it needs text (`encoding/json`, `range` over it):
    /// each byte that is not part of a valid UTF-8 sequence becomes U+FFFD.
    pub fn lossy_text(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len());
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            out.extend(chunk.invalid().iter().map(|_| char::REPLACEMENT_CHARACTER));
        }
        out
    }

    /// The bytes of a Go string, text or binary.
    pub fn string_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(s) => Some(s.as_bytes()),
            Value::BinaryString(b) => Some(b),
            _ => None,
        }
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::typed(items, ListType::Plain))
    }

    /// A fresh map (Go's `make(map[string]interface{})` filled with `map`).
    pub fn map(map: Map) -> Value {
        Value::Map(MapRef::new(map))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&MapRef> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Go's `text/template` truth: false, 0, empty string/slice/map and nil are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) | Value::BinaryString(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(_) => true,
        }
    }

    /// The Go type name, as `%T` and Sprig's `typeOf` print it.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) | Value::BinaryString(_) => "string",
            Value::Bytes(_) => "[]uint8",
            Value::List(l) => l.list_type().go_name(),
            Value::Map(m) => m.map_type().go_name(),
            Value::Object(o) => o.type_name(),
        }
    }

    /// Go's `reflect.Kind` name, as Sprig's `kindOf` / `kindIs` use it.
    pub fn kind_name(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) | Value::BinaryString(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(_) => "ptr",
        }
    }

    /// What Go's `fmt.Sprint` / `%v` prints for this value at the top level (nil is `<nil>`).
    pub fn format_v(&self) -> String {
        let mut out = String::new();
        write_v(&mut out, self);
        out
    }
}

/// Containers nested deeper than this, or a map inside itself, print as `...` (Go would
/// recurse until its stack overflows).
const MAX_PRINT_DEPTH: usize = 1000;

/// Appends Go's `%v` rendering of `value` to `out`.
pub fn write_v(out: &mut String, value: &Value) {
    write_v_within(out, value, &mut OpenMaps::default());
}

fn write_v_within(out: &mut String, value: &Value, open: &mut OpenMaps) {
    if open.0.len() > MAX_PRINT_DEPTH {
        out.push_str("...");
        return;
    }
    match value {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float_g(*f)),
        Value::String(s) => out.push_str(s),
        Value::BinaryString(b) => out.push_str(&Value::lossy_text(b)),
        Value::Bytes(b) => {
            out.push('[');
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{byte}");
            }
            out.push(']');
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v_within(out, item, open);
            }
            out.push(']');
        }
        Value::Map(map) => {
            let printed = map.walk(open, |entries, open| {
                out.push_str("map[");
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(k);
                    out.push(':');
                    write_v_within(out, v, open);
                }
                out.push(']');
            });
            if printed.is_none() {
                out.push_str("...");
            }
        }
        Value::Object(o) => out.push_str(&o.format_v()),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which is also what `%v` prints for a float64:
/// the shortest digits that round-trip, in exponent form when the decimal exponent is < -4
/// or >= 6 (so `1000000` prints `1e+06`, the long-standing Helm surprise).
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".to_string() } else { "-Inf".to_string() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".to_string() } else { "0".to_string() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "1.234567e6".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("LowerExp always has an exponent");
    let exp: i32 = exp.parse().expect("LowerExp exponent is an integer");
    // strconv uses a fixed precision of 6 for this decision in shortest mode.
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

// Environments render in parallel and parsed templates are shared between threads.
const _: fn() = || {
    fn shared_between_threads<T: Send + Sync>() {}
    shared_between_threads::<Value>();
};

// Values are copied around constantly; a map reference must not make every value bigger.
const _: () = assert!(std::mem::size_of::<Value>() <= 24);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go_percent_v() {
        let cases = [
            (3.0, "3"),
            (1.5, "1.5"),
            (123456.0, "123456"),
            (1000000.0, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (356136738.0, "3.56136738e+08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_g(f), want, "formatting {f}");
        }
    }

    #[test]
    fn a_map_is_shared_by_every_clone_until_copied() {
        let original = Value::map(Map::new());
        let Value::Map(held) = original.clone() else { unreachable!() };
        held.insert("k".into(), Value::Int(1));
        assert_eq!(original.format_v(), "map[k:1]");
        let snapshot = held.snapshot();
        held.remove("k");
        assert_eq!((snapshot.len(), held.len(), original.format_v()), (1, 0, "map[]".to_string()));
        held.insert("self".into(), original.clone());
        assert_eq!(original.format_v(), "map[self:...]");
        assert!(matches!(&original, Value::Map(m) if m.ptr_eq(&held) && m.keys() == ["self"]));
    }

    #[test]
    fn containers_print_like_go() {
        let mut m = Map::new();
        m.insert("b".into(), Value::list(vec![Value::Float(1.0), Value::Nil]));
        m.insert("a".into(), Value::str("x"));
        assert_eq!(Value::map(m).format_v(), "map[a:x b:[1 <nil>]]");
    }
}
