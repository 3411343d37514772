//! The team's chart repository, read offline: which versions of which charts are published
//! (`chartRepository:` of driftgate.yaml). Two sources, either or both:
//!
//! - `index`: a Helm repository index (`index.yaml`, as `helm repo index` writes it and Helm's
//!   repository cache keeps it): `entries.<chart>[].version`;
//! - `packages`: a directory of packaged charts (`<chart>-<version>.tgz`, as `helm package`
//!   writes them), whose content can be compared with the working tree's chart;
//! - `helmRepository`: the name of a repository `helm repo add` added, whose index Helm keeps in
//!   its repository cache (`$HELM_REPOSITORY_CACHE/<name>-index.yaml`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::config::ChartRepositoryConfig;
use crate::error::FatalError;
use crate::paths;
use crate::source::Sources;
use crate::yaml::{self, NodeValue};

/// Published chart versions.
#[derive(Debug, Clone, Default)]
pub struct ChartRepository {
    /// How the repository is named in findings: the index and/or packages directory.
    pub name: String,
    /// Versions by chart name.
    pub versions: BTreeMap<String, BTreeSet<String>>,
    /// Packaged charts by chart name and version: the archive, and its path for findings.
    pub packages: BTreeMap<(String, String), (PathBuf, String)>,
}

impl ChartRepository {
    /// Reads the index and the packages directory `config` names. A file or directory that is
    /// missing, outside the repository or unreadable stops the run (exit 2) with its path.
    pub fn load(root: &Path, config: &ChartRepositoryConfig, sources: &Sources) -> Result<ChartRepository, FatalError> {
        let mut repository = ChartRepository::default();
        let mut names = Vec::new();
        if config.index.is_none() && config.packages.is_none() && config.helm_repository.is_none() {
            return Err(FatalError::new("chartRepository names no `index`, `packages` directory or `helmRepository`")
                .at(sources.locate(config.at)));
        }
        if let Some(name) = &config.helm_repository {
            let at = sources.locate(name.at);
            let path = helm_repository_cache().join(format!("{}-index.yaml", name.value));
            let shown = path.display().to_string();
            let text = paths::read_text(&path).map_err(|e| {
                FatalError::new(format!("cannot read Helm's index of repository `{}` ({shown}): {e}", name.value))
                    .at(at.clone())
                    .with_help(format!("run `helm repo update {}` first, or name a copy with `index:`", name.value))
            })?;
            let versions = read_index(&text).map_err(|e| FatalError::new(format!("{shown}: {e}")).at(at))?;
            for (chart, version) in versions {
                repository.versions.entry(chart).or_default().insert(version);
            }
            names.push(format!("helm repository {}", name.value));
        }
        if let Some(index) = &config.index {
            let at = sources.locate(index.at);
            let rel =
                paths::inside_root(root, Path::new(""), &index.value).map_err(|m| FatalError::new(m).at(at.clone()))?;
            let text = paths::read_text(&root.join(&rel)).map_err(|e| {
                FatalError::new(format!("cannot read the chart repository index {rel}: {e}")).at(at.clone())
            })?;
            let versions = read_index(&text).map_err(|e| FatalError::new(format!("{rel}: {e}")).at(at))?;
            for (chart, version) in versions {
                repository.versions.entry(chart).or_default().insert(version);
            }
            names.push(rel);
        }
        if let Some(packages) = &config.packages {
            let at = sources.locate(packages.at);
            let rel = paths::inside_root(root, Path::new(""), &packages.value)
                .map_err(|m| FatalError::new(m).at(at.clone()))?;
            let dir = root.join(&rel);
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| FatalError::new(format!("cannot read the chart packages directory {rel}: {e}")).at(at))?;
            for entry in entries.flatten() {
                let file_name = entry.file_name().to_string_lossy().to_string();
                let Some(stem) = file_name.strip_suffix(".tgz") else { continue };
                let Some((chart, version)) = split_package_name(stem) else { continue };
                let shown = format!("{}/{file_name}", rel.trim_end_matches('/'));
                repository.versions.entry(chart.to_string()).or_default().insert(version.to_string());
                repository.packages.insert((chart.to_string(), version.to_string()), (entry.path(), shown));
            }
            names.push(rel);
        }
        repository.name = names.join(", ");
        Ok(repository)
    }
}

/// Helm's repository cache: `$HELM_REPOSITORY_CACHE`, else `$XDG_CACHE_HOME/helm/repository`,
/// else `~/.cache/helm/repository` (Helm's defaults on Linux).
fn helm_repository_cache() -> PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("HELM_REPOSITORY_CACHE")
        .or_else(|| var("XDG_CACHE_HOME").map(|c| c.join("helm/repository")))
        .or_else(|| var("HOME").map(|h| h.join(".cache/helm/repository")))
        .unwrap_or_else(|| PathBuf::from(".cache/helm/repository"))
}

/// `web-api-1.4.2` -> (`web-api`, `1.4.2`): the version starts after the last `-` that is
/// followed by a digit (chart names may hold dashes; versions may hold `-rc.1`).
fn split_package_name(stem: &str) -> Option<(&str, &str)> {
    let bytes = stem.as_bytes();
    (1..stem.len())
        .filter(|&i| bytes[i - 1] == b'-' && bytes[i].is_ascii_digit())
        .map(|i| (&stem[..i - 1], &stem[i..]))
        .find(|(_, version)| version.split(['-', '+']).next().is_some_and(|core| core.split('.').count() == 3))
}

/// The (chart, version) pairs of a Helm repository index.
fn read_index(text: &str) -> Result<Vec<(String, String)>, String> {
    let doc = yaml::parse_first_document(text, crate::source::FileId::default())
        .map_err(|e| format!("not a chart repository index: {} at line {}", e.message, e.pos.line))?;
    let entries = match doc.get("entries").map(|n| &n.value) {
        Some(NodeValue::Map(entries)) => entries,
        Some(NodeValue::Null) => return Ok(Vec::new()),
        _ => return Err("not a chart repository index: it has no `entries` mapping".to_string()),
    };
    let mut out = Vec::new();
    for (chart, versions) in entries {
        let NodeValue::Seq(items) = &versions.value else { continue };
        for item in items {
            if let Some(version) = item.get("version").and_then(crate::chart::text_field) {
                out.push((chart.name.clone(), version));
            }
        }
    }
    Ok(out)
}

/// The files whose content differs between the working tree's chart in `root/dir` and the
/// packaged chart `archive`: changed, added or removed, by path inside the chart.
/// `Chart.yaml` and `Chart.lock` are left out: `helm package` writes them anew.
pub fn content_differences(root: &Path, dir: &str, archive: &Path) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(archive).map_err(|e| e.to_string())?;
    let packed = crate::chart::archive::read_chart_archive_within(&bytes, crate::chart::archive::MAX_ARCHIVE_BYTES)?;
    let tree = crate::chart::content_files(root, dir).map_err(|d| d.message.clone())?;
    let rewritten = |name: &str| matches!(name, "Chart.yaml" | "Chart.lock");
    let packed: BTreeMap<&str, &[u8]> =
        packed.iter().filter(|f| !rewritten(&f.name)).map(|f| (f.name.as_str(), f.data.as_slice())).collect();
    let tree: BTreeMap<&str, &[u8]> =
        tree.iter().filter(|(name, _)| !rewritten(name)).map(|(name, data)| (name.as_str(), &data[..])).collect();
    let names: BTreeSet<&str> = packed.keys().chain(tree.keys()).copied().collect();
    Ok(names.into_iter().filter(|name| packed.get(name) != tree.get(name)).map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_split_at_the_version() {
        assert_eq!(split_package_name("bedrock-1.4.2"), Some(("bedrock", "1.4.2")));
        assert_eq!(split_package_name("web-api-2.0.0-rc.1"), Some(("web-api", "2.0.0-rc.1")));
        assert_eq!(split_package_name("app-v2-1.0.0"), Some(("app-v2", "1.0.0")));
        assert_eq!(split_package_name("nodash"), None);
    }

    #[test]
    fn index_entries_give_versions() {
        let index = "apiVersion: v1\nentries:\n  bedrock:\n    - version: 1.4.2\n      digest: abc\n    - version: 1.5.0\n  basket:\n    - version: 0.3.0\ngenerated: \"2026-01-01T00:00:00Z\"\n";
        let mut got = read_index(index).unwrap();
        got.sort();
        let want = [("basket", "0.3.0"), ("bedrock", "1.4.2"), ("bedrock", "1.5.0")];
        assert_eq!(got, want.map(|(c, v)| (c.to_string(), v.to_string())));
        assert!(read_index("- a\n- b\n").unwrap_err().contains("no `entries` mapping"));
    }
}
