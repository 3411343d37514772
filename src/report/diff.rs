//! The `driftgate diff` report: one block per resource and a summary line for people, or the
//! versioned JSON document for tools.

use serde_json::json;

use crate::diagnostic::Location;
use crate::diff::{ChangeKind, EnvDiff, FieldDiff, REDACTED, json_value, show_value};
use crate::yaml::Node;

fn location_text(location: &Location) -> String {
    format!("{}:{}", location.file, location.line)
}

/// The human report: one block per resource, then a summary line.
pub fn human_report(diff: &EnvDiff) -> String {
    let mut out = String::new();
    let (mut only_a, mut only_b, mut changed, mut fields) = (0, 0, 0, 0);
    for resource in &diff.resources {
        let place = resource.location.as_ref().map(location_text);
        match resource.kind {
            ChangeKind::Removed => {
                only_a += 1;
                out.push_str(&format!("- {}   (only in {}", resource.id, diff.a));
            }
            ChangeKind::Added => {
                only_b += 1;
                out.push_str(&format!("+ {}   (only in {}", resource.id, diff.b));
            }
            ChangeKind::Changed => {
                changed += 1;
                out.push_str(&format!("~ {}\n", resource.id));
            }
        }
        if resource.kind != ChangeKind::Changed {
            match place {
                Some(place) => out.push_str(&format!("; {place})\n")),
                None => out.push_str(")\n"),
            }
        }
        for field in &resource.fields {
            fields += 1;
            out.push_str(&field_line(field));
        }
    }
    if diff.is_empty() {
        out.push_str(&format!("{} and {} of {} render the same resources\n", diff.a, diff.b, diff.chart));
    } else {
        out.push_str(&format!(
            "{}: {} -> {}: {} only in {}, {} only in {}, {} changed ({} {})\n",
            diff.chart,
            diff.a,
            diff.b,
            plural(only_a, "resource"),
            diff.a,
            plural(only_b, "resource"),
            diff.b,
            plural(changed, "resource"),
            fields,
            if fields == 1 { "field" } else { "fields" },
        ));
    }
    out
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 { format!("1 {word}") } else { format!("{count} {word}s") }
}

fn field_line(field: &FieldDiff) -> String {
    let change = &field.change;
    let shown = |node: Option<&Node>| match node {
        Some(_) if field.redacted => REDACTED.to_string(),
        Some(node) => show_value(node),
        None => String::new(),
    };
    let value = match change.kind {
        ChangeKind::Added => shown(change.b),
        ChangeKind::Removed => shown(change.a),
        ChangeKind::Changed if field.redacted => format!("{REDACTED} (differs)"),
        ChangeKind::Changed => format!("{} -> {}", shown(change.a), shown(change.b)),
    };
    let places: Vec<String> = match (&field.a_location, &field.b_location) {
        (Some(a), Some(b)) if a == b => vec![location_text(a)],
        (a, b) => a.iter().chain(b.iter()).map(location_text).collect(),
    };
    let mut line = format!("  {} {}: {}", change.kind.sign(), change.path, value);
    if !places.is_empty() {
        line.push_str(&format!("   ({})", places.join(" / ")));
    }
    line.push('\n');
    line
}

/// The JSON report: `{version, chart, a, b, differences: [{resource, path, kind, a, b,
/// redacted, a_location, b_location}]}`; a resource in one environment only has `path: null`.
pub fn json_report(diff: &EnvDiff) -> String {
    let mut differences = Vec::new();
    for resource in &diff.resources {
        if resource.kind != ChangeKind::Changed {
            let (a_location, b_location) = match resource.kind {
                ChangeKind::Removed => (resource.location.clone(), None),
                _ => (None, resource.location.clone()),
            };
            differences.push(json!({
                "resource": resource.id,
                "path": null,
                "kind": resource.kind.as_str(),
                "a": null,
                "b": null,
                "redacted": false,
                "a_location": a_location,
                "b_location": b_location,
            }));
        }
        for field in &resource.fields {
            let value = |node: Option<&Node>| match node {
                Some(_) if field.redacted => json!(REDACTED),
                Some(node) => json_value(node, 0),
                None => serde_json::Value::Null,
            };
            differences.push(json!({
                "resource": resource.id,
                "path": field.change.path,
                "kind": field.change.kind.as_str(),
                "a": value(field.change.a),
                "b": value(field.change.b),
                "redacted": field.redacted,
                "a_location": field.a_location,
                "b_location": field.b_location,
            }));
        }
    }
    let report = json!({
        "version": 1,
        "chart": diff.chart,
        "a": diff.a,
        "b": diff.b,
        "differences": differences,
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
