//! The input document of a chart-wide policy: one chart with every environment.

use std::collections::BTreeMap;

use regorus::Value as Rego;
use serde_json::json;

use crate::model::{ChartRun, Project};
use crate::yaml::{MAX_JSON_DEPTH, Node, NodeValue};

/// The input document of a chart-wide policy (built-in rules and `driftgate.cross`):
///
/// ```text
/// { "chart": {path, name, release, namespace},
///   "promotion": ["dev", "stage", "prod"], "kube_version": "1.33", "kube_minor": 33 (or null),
///   "environments": { "<env>": { name, stage, stage_index (null outside the promotion order),
///       version (null when not pinned), values (merged), resources [rendered documents],
///       resource_templates [the template that wrote each resource], render_failed (bool),
///       inventory (null, or {file, secrets: [{name, keys (null: any key)}], configMaps}),
///       override_files [paths] } } }
/// ```
///
/// Values and resources go from YAML nodes to Rego values directly: strings are shared, not
/// copied, so an aliased string costs a pointer here as it does in the values.
pub fn chart_input(project: &Project, chart: &ChartRun) -> Rego {
    let sources = &project.sources;
    let mut environments = BTreeMap::new();
    for env in &chart.environments {
        let inventory = env.secrets.as_ref().map(|inv| {
            let entries = |list: &[crate::model::InventoryEntry]| {
                list.iter().map(|e| json!({ "name": e.name, "keys": e.keys })).collect::<Vec<_>>()
            };
            json!({
                "file": sources.path(inv.file),
                "secrets": entries(&inv.secrets),
                "configMaps": entries(&inv.config_maps),
            })
        });
        let mut entry = Rego::from(json!({
            "name": env.name,
            "stage": env.stage,
            "stage_index": env.stage_index,
            "version": env.version.as_ref().map(|v| v.version.clone()),
            "resource_templates": env.render.resources.iter().map(|r| r.output.name.clone()).collect::<Vec<_>>(),
            "render_failed": !env.render.diagnostics.is_empty(),
            "inventory": inventory,
            "override_files": env.override_files.iter().map(|f| sources.path(*f)).collect::<Vec<_>>(),
        }));
        if let Ok(fields) = entry.as_object_mut() {
            fields.insert(Rego::from("values"), node_value(&env.values));
            let resources: Vec<Rego> = env.render.resources.iter().map(|r| node_value(&r.doc)).collect();
            fields.insert(Rego::from("resources"), Rego::from(resources));
        }
        environments.insert(Rego::from(env.name.as_str()), entry);
    }
    let mut input = Rego::from(json!({
        "chart": {
            "path": chart.path,
            "name": chart.name,
            "release": chart.release,
            "namespace": chart.namespace,
        },
        "promotion": project.promotion,
        "kube_version": project.kube_version,
        "kube_minor": kube_minor(&project.kube_version),
    }));
    if let Ok(fields) = input.as_object_mut() {
        fields.insert(Rego::from("environments"), Rego::from(environments));
    }
    input
}

/// A YAML node as a Rego value, as [`Node::to_json`] would give it (non-finite floats and
/// collections nested deeper than [`MAX_JSON_DEPTH`] are `null`), sharing its strings.
pub(crate) fn node_value(node: &Node) -> Rego {
    node_value_at(node, 0)
}

fn node_value_at(node: &Node, depth: usize) -> Rego {
    if depth > MAX_JSON_DEPTH {
        return Rego::Null;
    }
    match &node.value {
        NodeValue::Null => Rego::Null,
        NodeValue::Bool(b) => Rego::from(*b),
        NodeValue::Int(i) => Rego::from(*i),
        NodeValue::Float(f) if f.is_finite() => Rego::from(*f),
        NodeValue::Float(_) => Rego::Null,
        NodeValue::String(s) => Rego::String(s.clone()),
        NodeValue::Seq(items) => {
            Rego::from(items.iter().map(|item| node_value_at(item, depth + 1)).collect::<Vec<_>>())
        }
        NodeValue::Map(entries) => Rego::from(
            entries
                .iter()
                .map(|(key, value)| (Rego::from(key.name.as_str()), node_value_at(value, depth + 1)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// The minor version of a Kubernetes version such as `1.33`, `v1.33.2` or `1.33.0-gke.1`.
pub(super) fn kube_minor(version: &str) -> Option<u32> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let _major = parts.next()?;
    let minor = parts.next()?;
    let digits: String = minor.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn policy_input_shares_value_strings() {
        let node = crate::yaml::parse_documents("a: &s long text\nb: *s\nn: 1.5\nl: [1, null]\n", FileId(1))
            .unwrap()
            .remove(0);
        let value = node_value(&node);
        let (Rego::String(a), Rego::String(b)) = (&value["a"], &value["b"]) else { panic!("strings expected") };
        assert!(std::sync::Arc::ptr_eq(a, b));
        assert_eq!(value, Rego::from(node.to_json()), "the same document as through JSON");
    }
}
