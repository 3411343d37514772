//! The strict reader of `driftgate.yaml`: YAML nodes to [`Config`], every mistake located.

use super::{
    CONFIG_FILE, ChartConfig, ChartRepositoryConfig, Config, Date, EnvConfig, IgnoreEntry, KnownRules, PolicyConfig,
    ResourceMatch, RuleConfig, RuleLevel, SchemaPolicyConfig, Spanned,
};
use crate::diagnostic::Location;
use crate::diagnostic::Severity;
use crate::error::FatalError;
use crate::helm_version::HelmVersion;
use crate::source::{FileId, FileSpan, Sources};
use crate::yaml::{self, Key, Node, NodeValue};

/// Parses `text` (already registered as `file` in `sources`); rule ids are checked against `known`.
pub fn parse(sources: &Sources, file: FileId, text: &str, known: &dyn KnownRules) -> Result<Config, FatalError> {
    let reader = Reader { sources, known };
    let docs = yaml::parse_documents(text, file).map_err(|e| {
        FatalError::new(format!("{CONFIG_FILE} is not valid YAML: {}", e.message)).at(e.pos.in_file(sources.path(file)))
    })?;
    let mut config = Config {
        file,
        kube_version: None,
        helm_version: None,
        promotion: None,
        charts: None,
        policy_paths: Vec::new(),
        rules: PolicyConfig::default(),
        schema_policies: Vec::new(),
        crd_dirs: Vec::new(),
        baseline: None,
        chart_repository: None,
    };
    let Some(root) = docs.into_iter().find(|d| !matches!(d.value, NodeValue::Null)) else {
        return Ok(config);
    };
    for (key, value) in reader.mapping(&root, "the top level", TOP_KEYS)? {
        match key.name.as_str() {
            "kubeVersion" => {
                let version = reader.scalar(value, "kubeVersion")?;
                if !super::is_kube_version(&version.value) {
                    return Err(FatalError::new(format!(
                        "kubeVersion `{}` is not a Kubernetes version",
                        version.value
                    ))
                    .at(reader.location(value))
                    .with_help("write it as MAJOR.MINOR, e.g. \"1.33\""));
                }
                config.kube_version = Some(version);
            }
            "baseline" => config.baseline = Some(reader.scalar(value, "baseline")?),
            "chartRepository" => {
                let mut repository =
                    ChartRepositoryConfig { index: None, packages: None, helm_repository: None, at: value.file_span() };
                for (key, value) in reader.mapping(value, "chartRepository", CHART_REPOSITORY_KEYS)? {
                    match key.name.as_str() {
                        "index" => repository.index = Some(reader.scalar(value, "chartRepository.index")?),
                        "packages" => repository.packages = Some(reader.scalar(value, "chartRepository.packages")?),
                        _ => repository.helm_repository = Some(reader.scalar(value, "chartRepository.helmRepository")?),
                    }
                }
                config.chart_repository = Some(repository);
            }
            "helmVersion" => config.helm_version = Some(reader.helm_version(value)?),
            "promotion" => config.promotion = Some(reader.string_list(value, "promotion", "stage names")?),
            "charts" => config.charts = Some(reader.charts(value)?),
            "kubernetes" => {
                for (_, value) in reader.mapping(value, "kubernetes", KUBERNETES_KEYS)? {
                    config.crd_dirs = reader.string_list(value, "kubernetes.crds", "directories")?;
                }
            }
            "policies" => {
                // Schema policies first: `rules` may configure their ids.
                let entries = reader.mapping(value, "policies", POLICY_KEYS)?;
                if let Some((_, schemas)) = entries.iter().find(|(key, _)| key.name == "schemas") {
                    config.schema_policies = reader.schema_policies(schemas)?;
                }
                for (key, value) in entries {
                    match key.name.as_str() {
                        "paths" => config.policy_paths = reader.string_list(value, "policies.paths", "directories")?,
                        "schemas" => {}
                        _ => config.rules = reader.rules(value, &config.schema_policies)?,
                    }
                }
            }
            _ => unreachable!("mapping() only yields known keys"),
        }
    }
    Ok(config)
}

const TOP_KEYS: &[&str] =
    &["kubeVersion", "helmVersion", "promotion", "charts", "policies", "kubernetes", "baseline", "chartRepository"];
const CHART_REPOSITORY_KEYS: &[&str] = &["index", "packages", "helmRepository"];
const KUBERNETES_KEYS: &[&str] = &["crds"];
const POLICY_KEYS: &[&str] = &["paths", "rules", "schemas"];
const CHART_KEYS: &[&str] = &["path", "release", "namespace", "environments"];
const ENV_KEYS: &[&str] = &["stage", "values", "secrets", "version", "baseline", "baselineIgnore"];
const RULE_KEYS: &[&str] = &["severity", "ignore"];
const IGNORE_KEYS: &[&str] = &["env", "chart", "name", "resource", "reason", "until"];
const SCHEMA_POLICY_KEYS: &[&str] = &["id", "name", "title", "severity", "schema", "match"];
const MATCH_KEYS: &[&str] = &["kind", "apiVersion", "chart", "env"];

struct Reader<'a> {
    sources: &'a Sources,
    known: &'a dyn KnownRules,
}

impl Reader<'_> {
    fn location(&self, node: &Node) -> Location {
        self.sources.locate(node.file_span())
    }

    fn key_location(&self, file: FileId, key: &Key) -> Location {
        self.sources.locate(FileSpan { file, span: key.span })
    }

    fn wrong_type(&self, node: &Node, what: &str, expected: &str) -> FatalError {
        FatalError::new(format!("{what} must be {expected}, found {}", describe(node))).at(self.location(node))
    }

    /// The entries of a mapping whose keys must all be in `allowed`.
    fn mapping<'n>(
        &self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Result<Vec<(&'n Key, &'n Node)>, FatalError> {
        let NodeValue::Map(entries) = &node.value else {
            return Err(self.wrong_type(node, what, "a mapping"));
        };
        let mut out = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            if !allowed.contains(&key.name.as_str()) {
                let mut err = FatalError::new(format!("unknown key `{}` in {what}", key.name))
                    .at(self.key_location(node.file, key));
                err = match crate::suggest::closest(&key.name, allowed.iter().copied()) {
                    Some(near) => err.with_help(format!("did you mean `{near}`?")),
                    None => err.with_help(format!("expected one of: {}", allowed.join(", "))),
                };
                return Err(err);
            }
            out.push((key, value));
        }
        Ok(out)
    }

    /// `helmVersion: 3` or `4`.
    fn helm_version(&self, node: &Node) -> Result<Spanned<HelmVersion>, FatalError> {
        let text = self.scalar(node, "helmVersion")?;
        match HelmVersion::parse(&text.value) {
            Some(value) => Ok(Spanned { value, at: text.at }),
            None => Err(FatalError::new(format!("helmVersion must be {}, found {}", HelmVersion::CHOICES, text.value))
                .at(self.location(node))
                .with_help("driftgate reproduces helm template of Helm v3.17.2 (3) or Helm v4.1.4 (4)")),
        }
    }

    fn scalar(&self, node: &Node, what: &str) -> Result<Spanned<String>, FatalError> {
        let value = match &node.value {
            NodeValue::String(s) => s.to_string(),
            NodeValue::Int(i) => i.to_string(),
            NodeValue::Float(f) => f.to_string(),
            _ => return Err(self.wrong_type(node, what, "a string")),
        };
        Ok(Spanned { value, at: node.file_span() })
    }

    fn string_list(&self, node: &Node, what: &str, items: &str) -> Result<Vec<Spanned<String>>, FatalError> {
        match &node.value {
            NodeValue::Seq(seq) => seq.iter().map(|item| self.scalar(item, what)).collect(),
            _ => Err(self.wrong_type(node, what, &format!("a list of {items}"))),
        }
    }

    fn charts(&self, node: &Node) -> Result<Vec<ChartConfig>, FatalError> {
        let NodeValue::Seq(items) = &node.value else {
            return Err(self.wrong_type(node, "charts", "a list of charts"));
        };
        items.iter().map(|item| self.chart(item)).collect()
    }

    fn chart(&self, node: &Node) -> Result<ChartConfig, FatalError> {
        let mut path = None;
        let mut chart = ChartConfig {
            path: Spanned { value: String::new(), at: FileSpan::default() },
            release: None,
            namespace: None,
            environments: Vec::new(),
        };
        for (key, value) in self.mapping(node, "a chart entry", CHART_KEYS)? {
            match key.name.as_str() {
                "path" => path = Some(self.scalar(value, "charts[].path")?),
                "release" => chart.release = Some(self.scalar(value, "charts[].release")?),
                "namespace" => chart.namespace = Some(self.scalar(value, "charts[].namespace")?),
                _ => chart.environments = self.environments(value)?,
            }
        }
        chart.path = path.ok_or_else(|| {
            FatalError::new("a chart entry has no `path`")
                .at(self.location(node))
                .with_help("add `path: charts/<name>` (the chart directory, relative to driftgate.yaml)")
        })?;
        Ok(chart)
    }

    /// `policies.rules`: `{ DG201: { severity: warning, ignore: [ {env: dev, name: X, reason: ...} ] } }`.
    /// Keys are built-in rule ids or ids of `schemas`.
    fn rules(&self, node: &Node, schemas: &[SchemaPolicyConfig]) -> Result<PolicyConfig, FatalError> {
        let mut config = PolicyConfig::default();
        if matches!(node.value, NodeValue::Null) {
            return Ok(config);
        }
        let NodeValue::Map(entries) = &node.value else {
            return Err(self.wrong_type(node, "policies.rules", "a mapping of rule ids"));
        };
        for (key, value) in entries {
            let schema_id = schemas.iter().find(|s| s.id.value == key.name).map(|s| s.id.value.clone());
            // Ids of user Rego policies are known only once they are compiled: `check` verifies them.
            let builtin_like = key.name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("DG"));
            let known = self.known.builtin_id(&key.name).map(str::to_string).or(schema_id);
            let Some(rule_id) = known.or_else(|| (!builtin_like).then(|| key.name.clone())) else {
                let ids: Vec<&str> =
                    self.known.builtin_ids().into_iter().chain(schemas.iter().map(|s| s.id.value.as_str())).collect();
                let mut err = FatalError::new(format!("unknown rule `{}` in policies.rules", key.name))
                    .at(self.key_location(node.file, key));
                if let Some(near) = crate::suggest::closest(&key.name, ids) {
                    err = err.with_help(format!("did you mean `{near}`?"));
                }
                return Err(err);
            };
            let what = format!("policies.rules.{}", key.name);
            let mut rule_config = RuleConfig::default();
            for (k, v) in self.mapping(value, &what, RULE_KEYS)? {
                if k.name == "severity" {
                    // YAML 1.1 (as Helm reads it) makes a bare `off` the boolean false.
                    if matches!(v.value, NodeValue::Bool(false)) {
                        rule_config.severity = Some(RuleLevel::Off);
                        continue;
                    }
                    let level = self.scalar(v, "severity")?;
                    rule_config.severity = Some(RuleLevel::parse(&level.value).ok_or_else(|| {
                        FatalError::new(format!("unknown severity `{}`", level.value))
                            .at(self.location(v))
                            .with_help("expected one of: error, warning, info, off")
                    })?);
                    continue;
                }
                let NodeValue::Seq(items) = &v.value else {
                    return Err(self.wrong_type(
                        v,
                        "ignore",
                        "a list of `{ env, chart, name, resource, reason, until }` entries",
                    ));
                };
                for item in items {
                    let mut entry = IgnoreEntry { at: Some(self.location(item)), ..IgnoreEntry::default() };
                    for (ik, iv) in self.mapping(item, "an ignore entry", IGNORE_KEYS)? {
                        let text = Some(self.scalar(iv, &ik.name)?.value);
                        match ik.name.as_str() {
                            "env" => entry.env = text,
                            "chart" => entry.chart = text,
                            "name" => entry.name = text,
                            "resource" => entry.resource = text,
                            "until" => entry.until = Some(self.date(iv)?),
                            _ => entry.reason = text,
                        }
                    }
                    rule_config.ignore.push(entry);
                }
            }
            config.rules.insert(rule_id, rule_config);
        }
        Ok(config)
    }

    /// `until: YYYY-MM-DD`, a day that exists.
    fn date(&self, node: &Node) -> Result<Date, FatalError> {
        let text = self.scalar(node, "until")?;
        Date::parse(text.value.trim()).ok_or_else(|| {
            FatalError::new(format!("`until` must be a calendar date written YYYY-MM-DD, found `{}`", text.value))
                .at(self.location(node))
                .with_help("for example `until: 2026-03-31` (the ignore applies through that day)")
        })
    }

    /// `policies.schemas`: `[ { id, schema, match: { kind, apiVersion, chart, env }, severity, name, title } ]`.
    fn schema_policies(&self, node: &Node) -> Result<Vec<SchemaPolicyConfig>, FatalError> {
        let items: &[Node] = match &node.value {
            NodeValue::Seq(items) => items,
            NodeValue::Null => &[],
            _ => return Err(self.wrong_type(node, "policies.schemas", "a list of `{ id, schema, match }` entries")),
        };
        let mut policies: Vec<SchemaPolicyConfig> = Vec::with_capacity(items.len());
        for item in items {
            let policy = self.schema_policy(item)?;
            let builtin = self.known.builtin_id(&policy.id.value).is_some();
            let repeated = policies.iter().any(|p| p.id.value == policy.id.value);
            if builtin || repeated {
                let what = if builtin { "a built-in rule" } else { "another schema policy" };
                return Err(FatalError::new(format!(
                    "schema policy id `{}` is already used by {what}",
                    policy.id.value
                ))
                .at(self.sources.locate(policy.id.at))
                .with_help("give each schema policy its own id, e.g. ORG001"));
            }
            policies.push(policy);
        }
        Ok(policies)
    }

    fn schema_policy(&self, node: &Node) -> Result<SchemaPolicyConfig, FatalError> {
        let (mut id, mut schema, mut name, mut title, mut severity) = (None, None, None, None, Severity::Error);
        let mut matches = ResourceMatch::default();
        for (key, value) in self.mapping(node, "a schema policy", SCHEMA_POLICY_KEYS)? {
            match key.name.as_str() {
                "id" => {
                    let text = self.scalar(value, "policies.schemas[].id")?;
                    if text.value.is_empty()
                        || !text.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    {
                        return Err(FatalError::new(format!(
                            "schema policy id `{}` must be letters, digits, `-` or `_`",
                            text.value
                        ))
                        .at(self.location(value)));
                    }
                    id = Some(text);
                }
                "schema" => schema = Some(self.scalar(value, "policies.schemas[].schema")?),
                "name" => name = Some(self.scalar(value, "policies.schemas[].name")?.value),
                "title" => title = Some(self.scalar(value, "policies.schemas[].title")?.value),
                "severity" => {
                    let level = self.scalar(value, "severity")?;
                    severity = match level.value.as_str() {
                        "error" => Severity::Error,
                        "warning" => Severity::Warning,
                        "info" => Severity::Info,
                        other => {
                            return Err(FatalError::new(format!("unknown severity `{other}`"))
                                .at(self.location(value))
                                .with_help(
                                    "expected one of: error, warning, info (turn a policy off under policies.rules)",
                                ));
                        }
                    };
                }
                _ => {
                    if matches!(value.value, NodeValue::Null) {
                        continue;
                    }
                    for (mk, mv) in self.mapping(value, "match", MATCH_KEYS)? {
                        let what = format!("match.{}", mk.name);
                        let list = match &mv.value {
                            NodeValue::Seq(_) => self.string_list(mv, &what, "strings")?,
                            _ => vec![self.scalar(mv, &what)?],
                        };
                        let list = list.into_iter().map(|s| s.value).collect();
                        match mk.name.as_str() {
                            "kind" => matches.kinds = list,
                            "apiVersion" => matches.api_versions = list,
                            "chart" => matches.charts = list,
                            _ => matches.envs = list,
                        }
                    }
                }
            }
        }
        let missing = |field: &str, example: &str| {
            FatalError::new(format!("a schema policy has no `{field}`"))
                .at(self.location(node))
                .with_help(format!("add `{field}: {example}`"))
        };
        let id = id.ok_or_else(|| missing("id", "ORG001"))?;
        let schema = schema.ok_or_else(|| missing("schema", "policies/deployment.schema.json"))?;
        let name = name.unwrap_or_else(|| default_policy_name(&schema.value));
        Ok(SchemaPolicyConfig { id, name, title, severity, schema, matches })
    }

    fn environments(&self, node: &Node) -> Result<Vec<EnvConfig>, FatalError> {
        let NodeValue::Map(entries) = &node.value else {
            return Err(self.wrong_type(node, "environments", "a mapping of environment names"));
        };
        let mut envs = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let name = Spanned { value: key.name.clone(), at: FileSpan { file: node.file, span: key.span } };
            let mut env = EnvConfig {
                name,
                stage: None,
                values: Vec::new(),
                secrets: None,
                version: None,
                baseline: None,
                baseline_ignore: Vec::new(),
            };
            if !matches!(value.value, NodeValue::Null) {
                let what = format!("environment `{}`", key.name);
                for (k, v) in self.mapping(value, &what, ENV_KEYS)? {
                    match k.name.as_str() {
                        "stage" => env.stage = Some(self.scalar(v, "stage")?),
                        "values" => env.values = self.string_list(v, "values", "file paths")?,
                        "secrets" => env.secrets = Some(self.scalar(v, "secrets")?),
                        "version" => env.version = Some(self.scalar(v, "version")?),
                        "baseline" => env.baseline = Some(self.scalar(v, "baseline")?),
                        _ => {
                            env.baseline_ignore = self.string_list(v, "baselineIgnore", "difference kinds")?;
                            for item in &env.baseline_ignore {
                                if !super::BASELINE_IGNORES.contains(&item.value.as_str()) {
                                    return Err(FatalError::new(format!("unknown baselineIgnore `{}`", item.value))
                                        .at(self.sources.locate(item.at))
                                        .with_help(format!(
                                            "expected one of: {}",
                                            super::BASELINE_IGNORES.join(", ")
                                        )));
                                }
                            }
                        }
                    }
                }
            }
            envs.push(env);
        }
        Ok(envs)
    }
}

/// A schema policy's default name: its file's stem in kebab case (`deployment.schema.json` ->
/// `deployment-schema`).
fn default_policy_name(schema: &str) -> String {
    let file = schema.rsplit('/').next().unwrap_or(schema);
    let stem = file
        .strip_suffix(".json")
        .or_else(|| file.strip_suffix(".yaml"))
        .or_else(|| file.strip_suffix(".yml"))
        .unwrap_or(file);
    let mut name = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_matches('-');
    if name.is_empty() { "schema-policy".to_string() } else { name.to_string() }
}

/// A short description of a node's type for "expected X, found Y" messages.
pub fn describe(node: &Node) -> &'static str {
    match node.value {
        NodeValue::Null => "nothing (null)",
        NodeValue::Bool(_) => "a boolean",
        NodeValue::Int(_) | NodeValue::Float(_) => "a number",
        NodeValue::String(_) => "a string",
        NodeValue::Seq(_) => "a list",
        NodeValue::Map(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in rules these tests need; the real catalogue is `policy`'s (its tests read
    /// every example configuration with it).
    const BUILTIN: &[&str] = &["DG201"];

    fn read(text: &str) -> Result<Config, String> {
        let sources = Sources::new();
        let file = sources.add(CONFIG_FILE, text);
        parse(&sources, file, text, &BUILTIN).map_err(|e| e.to_string())
    }

    #[test]
    fn crd_directories_are_read_strictly() {
        let config = read("kubernetes:\n  crds: [crds/, vendor/crds]\n").unwrap();
        let dirs: Vec<&str> = config.crd_dirs.iter().map(|d| d.value.as_str()).collect();
        assert_eq!(dirs, ["crds/", "vendor/crds"]);
        assert_eq!(config.crd_dirs[1].at.span.start.line, 2);
        let unknown = read("kubernetes:\n  crd: [crds/]\n").unwrap_err();
        assert!(unknown.starts_with("driftgate.yaml:2:3: unknown key `crd` in kubernetes"), "{unknown}");
        let wrong = read("kubernetes:\n  crds: crds/\n").unwrap_err();
        assert!(wrong.starts_with("driftgate.yaml:2:9: "), "{wrong}");
    }

    #[test]
    fn schema_policies_are_read_with_defaults_and_configurable_ids() {
        let config = read(
            "policies:\n  rules:\n    ORG001: { severity: off }\n  schemas:\n    - id: ORG001\n      schema: policies/Deployment.Schema.json\n      match: { kind: [Deployment, StatefulSet], env: prod }\n",
        )
        .unwrap();
        let policy = &config.schema_policies[0];
        assert_eq!(policy.id.value, "ORG001");
        assert_eq!(policy.name, "deployment-schema");
        assert_eq!(policy.severity, Severity::Error);
        assert_eq!(policy.matches.kinds, ["Deployment", "StatefulSet"]);
        assert_eq!(policy.matches.envs, ["prod"]);
        assert!(policy.matches.api_versions.is_empty());
        assert_eq!(config.rules.rules["ORG001"].severity, Some(RuleLevel::Off));
    }

    #[test]
    fn schema_policy_mistakes_name_the_line() {
        let cases = [
            (
                "policies:\n  schemas:\n    - { id: DG201, schema: a.json }\n",
                "driftgate.yaml:3:13: schema policy id `DG201` is already used by a built-in rule",
            ),
            ("policies:\n  schemas:\n    - { id: ORG1 }\n", "driftgate.yaml:3:7: a schema policy has no `schema`"),
            (
                "policies:\n  schemas:\n    - { id: ORG1, schema: a.json, match: { knid: Pod } }\n",
                "driftgate.yaml:3:44: unknown key `knid` in match\n  help: did you mean `kind`?",
            ),
            (
                "policies:\n  schemas:\n    - { id: ORG1, schema: a.json, severity: fatal }\n",
                "driftgate.yaml:3:45: unknown severity `fatal`",
            ),
            // (An id that is not DG-like may name a user policy: `check` verifies it once they are compiled.)
            (
                "policies:\n  rules:\n    DG2O1: { severity: warning }\n",
                "driftgate.yaml:3:5: unknown rule `DG2O1` in policies.rules",
            ),
            (
                "policies:\n  rules:\n    DG201: { ignore: [ { env: dev, until: 31.12.2026 } ] }\n",
                "driftgate.yaml:3:43: `until` must be a calendar date written YYYY-MM-DD, found `31.12.2026`",
            ),
        ];
        for (text, expected) in cases {
            let err = read(text).err().unwrap_or_default();
            assert!(err.starts_with(expected), "{text}\n{err}");
        }
    }
}
