//! What a chart looks like after discovery, values loading and rendering: the input of every rule.
//!
//! `discover` and `values` fill the static parts, `render` fills [`EnvRun::render`]; rules read
//! the whole [`ChartRun`] so that cross-environment rules see every environment at once.

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, ResourceId};
use crate::source::{FileId, FileSpan, Sources};
use crate::template::OutputSegment;
use crate::yaml::Node;

/// Everything one `check` run works on.
#[derive(Debug)]
pub struct Project {
    /// The checked directory; every reported path is relative to it.
    pub root: PathBuf,
    pub sources: Sources,
    /// Stage names in promotion order, e.g. `[dev, stage, prod]`.
    pub promotion: Vec<String>,
    /// Target Kubernetes version, e.g. `1.33`.
    pub kube_version: String,
    pub charts: Vec<ChartRun>,
    /// `driftgate.yaml`, when there is one.
    pub config_file: Option<FileId>,
    /// Directories of CustomResourceDefinition files (`kubernetes.crds`), relative to the root.
    pub crd_dirs: Vec<String>,
    /// The published chart versions (`chartRepository`), when driftgate.yaml names them.
    pub chart_repository: Option<crate::repository::ChartRepository>,
}

/// One chart and all of its environments.
#[derive(Debug)]
pub struct ChartRun {
    /// The chart directory relative to the root, e.g. `charts/bedrock`.
    pub path: String,
    /// `name` from Chart.yaml.
    pub name: String,
    /// `version` from Chart.yaml, with its position.
    pub chart_version: Option<Pinned>,
    pub chart_yaml: FileId,
    pub release: String,
    pub namespace: String,
    /// The chart's own `values.yaml` (an empty map when it has none).
    pub defaults: Node,
    /// Template files of the chart (including `_helpers.tpl`), for rules that ask what the chart reads.
    pub templates: Vec<TemplateFile>,
    pub environments: Vec<EnvRun>,
}

/// A template file of a chart.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Helm's template name, e.g. `bedrock/templates/deployment.yaml`.
    pub name: String,
    pub file: FileId,
}

/// One environment of one chart.
#[derive(Debug)]
pub struct EnvRun {
    pub name: String,
    /// The promotion stage this environment belongs to (its own name unless configured).
    pub stage: String,
    /// Index of `stage` in [`Project::promotion`]; `None` for a stage outside the promotion order.
    pub stage_index: Option<usize>,
    /// The override files on top of the chart's values.yaml, in merge order.
    pub override_files: Vec<FileId>,
    /// Their parsed contents, same order.
    pub overrides: Vec<Node>,
    /// The merged values: every node keeps the file and span that won the merge.
    pub values: Node,
    pub secrets: Option<Inventory>,
    /// The chart version this environment is pinned to.
    pub version: Option<Pinned>,
    pub render: RenderOutcome,
    /// The plain manifests deployed today that this environment replaces (`baseline:`).
    pub baseline: Option<BaselineManifests>,
}

/// An environment's `baseline:` directory, read: its resources, and what could not be read.
#[derive(Debug, Clone, Default)]
pub struct BaselineManifests {
    /// The directory relative to the root.
    pub dir: String,
    pub at: Option<FileSpan>,
    pub resources: Vec<BaselineResource>,
    /// Documents that are not Kubernetes resources, files that do not parse: where, and why.
    pub problems: Vec<(crate::diagnostic::Location, String)>,
    /// `baselineIgnore: [helm-labels]`: Helm's own labels and annotations are not compared.
    pub ignore_helm_labels: bool,
}

/// One resource of a baseline directory; its nodes have spans into the manifest file.
#[derive(Debug, Clone)]
pub struct BaselineResource {
    pub id: ResourceId,
    pub doc: Node,
}

/// A version string and where it was written.
#[derive(Debug, Clone)]
pub struct Pinned {
    pub version: String,
    pub at: FileSpan,
}

/// What Secrets and ConfigMaps exist in an environment's cluster (names, never values).
#[derive(Debug, Clone)]
pub struct Inventory {
    pub file: FileId,
    pub secrets: Vec<InventoryEntry>,
    pub config_maps: Vec<InventoryEntry>,
}

/// One Secret or ConfigMap of an inventory.
#[derive(Debug, Clone)]
pub struct InventoryEntry {
    pub name: String,
    /// The keys it holds; `None` accepts any key.
    pub keys: Option<Vec<String>>,
    pub at: FileSpan,
}

/// The result of rendering one environment.
#[derive(Debug, Default)]
pub struct RenderOutcome {
    /// The rendered resources, in `helm template` order.
    pub resources: Vec<RenderedResource>,
    /// The full `helm template`-style output.
    pub manifest: String,
    /// Render failures (DG001) and malformed output (DG003), already located.
    pub diagnostics: Vec<Diagnostic>,
    /// `helm template` itself would fail: a template error, or output that is not YAML.
    pub failed: bool,
}

/// One Kubernetes resource as rendered for an environment.
#[derive(Debug, Clone)]
pub struct RenderedResource {
    pub id: ResourceId,
    /// The document, parsed with spans into [`RenderedTemplate::file`].
    pub doc: Node,
    pub output: Arc<RenderedTemplate>,
}

/// The output of one template file for one environment, and where each part of it came from.
#[derive(Debug)]
pub struct RenderedTemplate {
    /// Helm's template name, e.g. `bedrock/templates/deployment.yaml`.
    pub name: String,
    /// The template's source file.
    pub template_file: FileId,
    /// The output text, registered in [`Sources`] as a virtual file so rendered nodes have spans.
    pub file: FileId,
    /// Output segments in increasing `offset` order.
    pub segments: Vec<OutputSegment>,
}
