//! The library's layers run one way: no module of `src/` refers to a module of a higher layer.
//! The layers are the table in docs/architecture.md (between the `layers` markers); this test
//! reads every `crate::` path of every source file (`use` lines, inline paths, test modules
//! included) and checks it against that table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Module name -> layer number, from docs/architecture.md.
fn layers() -> BTreeMap<String, u32> {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).expect("docs/architecture.md");
    let start = doc.find("<!-- layers -->").expect("a `<!-- layers -->` marker in docs/architecture.md");
    let end = doc.find("<!-- /layers -->").expect("a `<!-- /layers -->` marker in docs/architecture.md");
    let mut layers = BTreeMap::new();
    for line in doc[start..end].lines() {
        // `  9    report        | what it is`: the layer, its modules, then a description.
        let modules = line.split('|').next().unwrap_or_default();
        let mut words = modules.split_whitespace();
        let Some(number) = words.next().and_then(|w| w.parse::<u32>().ok()) else { continue };
        for module in words {
            assert!(layers.insert(module.to_string(), number).is_none(), "{module} is listed twice");
        }
    }
    assert!(!layers.is_empty(), "the layer table in docs/architecture.md is empty");
    layers
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/policy/rules/dg201.rs` -> `policy`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// Every top-level module a file refers to through `crate::`, with the line it does so on.
fn references(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                // `use crate::{a, b::c};` — possibly over several lines.
                let start = text.lines().skip(index).collect::<Vec<_>>().join("\n");
                let open = start.find("crate::{").unwrap() + "crate::{".len();
                let close = start[open..].find('}').map_or(start.len(), |c| open + c);
                for item in start[open..close].split(',') {
                    let name: String =
                        item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() {
                        found.push((index + 1, name));
                    }
                }
                rest = group;
                continue;
            }
            let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push((index + 1, name));
            }
            rest = after;
        }
    }
    found
}

#[test]
fn no_module_refers_to_a_higher_layer() {
    let layers = layers();
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        // The binary (main.rs and its commands) sits on top of the library.
        if module == "main" || module == "commands" || module == "lib" {
            continue;
        }
        let Some(&own) = layers.get(&module) else {
            violations.push(format!("{}: module `{module}` is not in the layer table", file.display()));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (line, target) in references(&text) {
            if target == module || target == "self" || target == "super" {
                continue;
            }
            match layers.get(&target) {
                Some(&layer) if layer <= own => {}
                Some(&layer) => violations.push(format!(
                    "{}:{line}: `{module}` (layer {own}) refers to `{target}` (layer {layer})",
                    file.strip_prefix(root()).unwrap().display()
                )),
                None => violations.push(format!(
                    "{}:{line}: `{target}` is not in the layer table",
                    file.strip_prefix(root()).unwrap().display()
                )),
            }
        }
    }
    assert!(violations.is_empty(), "layer violations:\n{}", violations.join("\n"));
}

#[test]
fn every_library_module_is_in_the_layer_table() {
    let layers = layers();
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let declared: Vec<String> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod ").or_else(|| line.trim().strip_prefix("mod ")))
        .map(|rest| rest.trim_end_matches(';').to_string())
        .collect();
    for module in &declared {
        assert!(layers.contains_key(module), "src/lib.rs declares `{module}`, which the layer table lacks");
    }
    for module in layers.keys() {
        assert!(declared.contains(module), "the layer table names `{module}`, which src/lib.rs does not declare");
    }
}

#[test]
fn references_are_read_from_use_groups_and_inline_paths() {
    let text = "use crate::{yaml::Node, values};\nlet x = crate::model::Project::new(); // crate::report\nuse crate::{\n    a,\n    b::c,\n};\n";
    let names: Vec<(usize, String)> = references(text);
    let names: Vec<(usize, &str)> = names.iter().map(|(l, n)| (*l, n.as_str())).collect();
    assert_eq!(names, [(1, "yaml"), (1, "values"), (2, "model"), (3, "a"), (3, "b")]);
}
