//! Test support: render one template text through the engine, as the Helm-observed case tables
//! of the function families do.

use super::Templates;
use crate::source::FileId;
use crate::value::Value;

/// Renders `text` as a chart template with `data` as `.`; an error renders as `Error: <message>`.
pub(crate) fn render(text: &str, data: &Value) -> String {
    let mut set = Templates::new();
    if let Err(e) = set.add("sc/templates/t.yaml", text, FileId(1)) {
        return format!("Error: {}", e.message);
    }
    match set.execute("sc/templates/t.yaml", data) {
        Ok(out) => out.without_no_value().text,
        Err(e) => format!("Error: {}", e.message),
    }
}

/// Renders every `(template, expected output)` case, each with fresh data (templates may change
/// maps in place), and reports all differences at once.
pub(crate) fn check(cases: &[(&str, &str)], data: impl Fn() -> Value) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(text, want)| {
            let got = render(text, &data());
            (got != *want).then(|| format!("{text}\n  want {want:?}\n  got  {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
