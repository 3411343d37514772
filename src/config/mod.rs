//! `driftgate.yaml`: the typed model of the gate's own configuration and its strict reader.
//!
//! Reading is strict: an unknown key or a wrong type is a [`FatalError`](crate::error::FatalError)
//! with the file, line and what was expected, because a silently ignored typo in the gate's own
//! configuration is exactly the kind of drift driftgate exists to catch. This module only
//! describes and reads the file: `discover` resolves its paths (a path outside the repository is
//! an error there), `policy` applies its rule settings and compiles its schema policies.

use std::collections::BTreeMap;

use crate::diagnostic::{Location, Severity};
use crate::helm_version::HelmVersion;
use crate::source::{FileId, FileSpan};

mod date;
mod reader;

pub use date::{Date, TODAY_ENV};
pub use reader::{describe, parse};

/// The file name looked for at the repository root.
pub const CONFIG_FILE: &str = "driftgate.yaml";

/// A string together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub at: FileSpan,
}

/// The parsed `driftgate.yaml`.
#[derive(Debug, Clone)]
pub struct Config {
    pub file: FileId,
    pub kube_version: Option<Spanned<String>>,
    /// `helmVersion`: which Helm's `helm template` output to reproduce (3 or 4).
    pub helm_version: Option<Spanned<HelmVersion>>,
    pub promotion: Option<Vec<Spanned<String>>>,
    /// `None` when the key is absent: charts are then discovered from the layout.
    pub charts: Option<Vec<ChartConfig>>,
    pub policy_paths: Vec<Spanned<String>>,
    /// `policies.rules`: per-rule severity and ignores.
    pub rules: PolicyConfig,
    /// `policies.schemas`: JSON-schema policies on rendered resources.
    pub schema_policies: Vec<SchemaPolicyConfig>,
    /// `kubernetes.crds`: directories of CustomResourceDefinition files, relative to the repository.
    pub crd_dirs: Vec<Spanned<String>>,
    /// `baseline`: the file of accepted findings (`check --baseline`), relative to the repository.
    pub baseline: Option<Spanned<String>>,
    /// `chartRepository`: where the published chart versions are read from (DG405).
    pub chart_repository: Option<ChartRepositoryConfig>,
}

/// `chartRepository:` of driftgate.yaml: a Helm repository index and/or a directory of packaged
/// charts (`NAME-VERSION.tgz`), both relative to the repository.
#[derive(Debug, Clone)]
pub struct ChartRepositoryConfig {
    pub index: Option<Spanned<String>>,
    pub packages: Option<Spanned<String>>,
    /// A repository added with `helm repo add NAME`, read from Helm's repository cache.
    pub helm_repository: Option<Spanned<String>>,
    /// The `chartRepository:` mapping.
    pub at: FileSpan,
}

/// One entry of `charts:`.
#[derive(Debug, Clone)]
pub struct ChartConfig {
    pub path: Spanned<String>,
    pub release: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
    pub environments: Vec<EnvConfig>,
}

/// One environment of a chart.
#[derive(Debug, Clone)]
pub struct EnvConfig {
    pub name: Spanned<String>,
    pub stage: Option<Spanned<String>>,
    /// Override files relative to the chart directory, in merge order.
    pub values: Vec<Spanned<String>>,
    /// Secret inventory, relative to the repository root.
    pub secrets: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    /// Directory of today's plain manifests, relative to the repository root.
    pub baseline: Option<Spanned<String>>,
    /// `baselineIgnore`: differences from the baseline to tolerate (`helm-labels`).
    pub baseline_ignore: Vec<Spanned<String>>,
}

/// Whether `text` is a Kubernetes version as `--kube-version` and `kubeVersion` take it:
/// `1.33`, `v1.33` or `1.33.2`.
pub fn is_kube_version(text: &str) -> bool {
    let parts: Vec<&str> = text.strip_prefix('v').unwrap_or(text).split('.').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The values `baselineIgnore` accepts.
pub const BASELINE_IGNORES: &[&str] = &["helm-labels"];

/// The built-in rules that `policies.rules` keys and `policies.schemas` ids are checked against.
///
/// The rule catalogue lives in `policy`, above this module, so the caller of [`parse`] supplies it.
pub trait KnownRules {
    /// The id of the built-in rule `id_or_name` names (its id in any case, or its name).
    fn builtin_id(&self, id_or_name: &str) -> Option<&str>;
    /// Every built-in rule id, in catalogue order (for "did you mean" help).
    fn builtin_ids(&self) -> Vec<&str>;
}

/// A plain list of rule ids (matched case-insensitively, no rule names), e.g. for tests.
impl KnownRules for &[&str] {
    fn builtin_id(&self, id_or_name: &str) -> Option<&str> {
        self.iter().copied().find(|id| id.eq_ignore_ascii_case(id_or_name))
    }

    fn builtin_ids(&self) -> Vec<&str> {
        self.to_vec()
    }
}

/// `policies.rules`: per-rule settings keyed by rule id (e.g. `DG201`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyConfig {
    pub rules: BTreeMap<String, RuleConfig>,
}

/// The settings of one rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleConfig {
    /// `severity:`; `None` keeps the rule's default.
    pub severity: Option<RuleLevel>,
    /// `ignore:` entries; a finding matching any of them is dropped.
    pub ignore: Vec<IgnoreEntry>,
}

/// A configured severity: a [`Severity`] or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Info,
    Warning,
    Error,
}

impl RuleLevel {
    /// Parses `error`, `warning`, `info` or `off`.
    pub fn parse(text: &str) -> Option<RuleLevel> {
        match text {
            "error" => Some(RuleLevel::Error),
            "warning" => Some(RuleLevel::Warning),
            "info" => Some(RuleLevel::Info),
            "off" => Some(RuleLevel::Off),
            _ => None,
        }
    }

    /// The severity findings get; `None` for `off`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Off => None,
            RuleLevel::Info => Some(Severity::Info),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Error => Some(Severity::Error),
        }
    }
}

/// One `ignore:` entry. Every field given must match; an entry with no field matches nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IgnoreEntry {
    /// The environment of the finding, or one it relates to (`DG201`: the env that sets the var).
    pub env: Option<String>,
    /// The chart's path (`charts/bedrock`) or name (`bedrock`).
    pub chart: Option<String>,
    /// The finding's subject: env var, Secret, values key, image...
    pub name: Option<String>,
    /// The resource as `Kind/name` or `name`.
    pub resource: Option<String>,
    /// Why it is ignored (documentation only).
    pub reason: Option<String>,
    /// The last day the entry applies; from the day after, matching findings are reported again.
    pub until: Option<Date>,
    /// Where the entry is written, for "this ignore expired" notes.
    pub at: Option<Location>,
}

/// One `policies.schemas` entry as written in driftgate.yaml.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaPolicyConfig {
    /// The rule id findings carry, e.g. `ORG001`.
    pub id: Spanned<String>,
    /// Kebab-case rule name (default: the schema file's stem).
    pub name: String,
    /// One line saying what the policy wants, shown as the finding's hint.
    pub title: Option<String>,
    pub severity: Severity,
    /// The schema file, relative to the repository root.
    pub schema: Spanned<String>,
    pub matches: ResourceMatch,
}

/// Which rendered resources a schema policy applies to; an empty list matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceMatch {
    pub kinds: Vec<String>,
    pub api_versions: Vec<String>,
    /// Chart directories (`charts/web`) or chart names (`web`).
    pub charts: Vec<String>,
    pub envs: Vec<String>,
}
