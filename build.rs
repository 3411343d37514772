//! Collects the built-in Rego policies (`policies/*.rego`, one rule each, and the shared
//! `policies/lib/*.rego`) into the binary, so that adding a rule needs no list to be edited.

use std::fmt::Write as _;
use std::path::Path;

fn rego_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rego") && !name.ends_with("_test.rego"))
        .collect();
    names.sort();
    names
}

fn table(out: &mut String, name: &str, doc: &str, root: &Path, dir: &str) {
    writeln!(out, "/// {doc}").unwrap();
    writeln!(out, "pub const {name}: &[(&str, &str)] = &[").unwrap();
    for file in rego_files(&root.join(dir)) {
        let path = format!("{dir}/{file}");
        let absolute = root.join(&path);
        writeln!(out, "    ({path:?}, include_str!({:?})),", absolute.display().to_string()).unwrap();
    }
    writeln!(out, "];").unwrap();
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("cargo::rerun-if-changed=policies");
    println!("cargo::rerun-if-changed=policies/lib");
    let mut out = String::new();
    table(&mut out, "BUILTIN_SOURCES", "The built-in policy files, one rule each, by path.", root, "policies");
    table(
        &mut out,
        "BUILTIN_LIBRARY",
        "Shared helper modules of the built-in policies (no rules of their own).",
        root,
        "policies/lib",
    );
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_policies.rs");
    std::fs::write(target, out).expect("write builtin_policies.rs");
}
