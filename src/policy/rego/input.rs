//! The input document of a chart-wide policy: one chart with every environment.

use serde_json::{Map, Value as Json, json};

use crate::model::{ChartRun, Project};

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
pub fn chart_input(project: &Project, chart: &ChartRun) -> Json {
    let sources = &project.sources;
    let mut environments = Map::new();
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
        let resources: Vec<Json> = env.render.resources.iter().map(|r| r.doc.to_json()).collect();
        environments.insert(
            env.name.clone(),
            json!({
                "name": env.name,
                "stage": env.stage,
                "stage_index": env.stage_index,
                "version": env.version.as_ref().map(|v| v.version.clone()),
                "values": env.values.to_json(),
                "resources": resources,
                "resource_templates": env.render.resources.iter().map(|r| r.output.name.clone()).collect::<Vec<_>>(),
                "render_failed": !env.render.diagnostics.is_empty(),
                "inventory": inventory,
                "override_files": env.override_files.iter().map(|f| sources.path(*f)).collect::<Vec<_>>(),
            }),
        );
    }
    json!({
        "chart": {
            "path": chart.path,
            "name": chart.name,
            "release": chart.release,
            "namespace": chart.namespace,
        },
        "promotion": project.promotion,
        "kube_version": project.kube_version,
        "kube_minor": kube_minor(&project.kube_version),
        "environments": environments,
    })
}

/// The minor version of a Kubernetes version such as `1.33`, `v1.33.2` or `1.33.0-gke.1`.
pub(super) fn kube_minor(version: &str) -> Option<u32> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let _major = parts.next()?;
    let minor = parts.next()?;
    let digits: String = minor.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}
