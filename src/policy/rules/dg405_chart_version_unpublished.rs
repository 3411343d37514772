//! DG405 chart-version-unpublished: an environment pins a chart version the chart repository
//! does not have, or one whose published content differs from the working tree's chart.

use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::ChartRun;
use crate::policy::gate::Finding;
use crate::policy::registry::RuleMeta;
use crate::policy::rules::RuleContext;

/// The registry entry of DG405.
pub const RULE: RuleMeta = RuleMeta {
    id: "DG405",
    name: "chart-version-unpublished",
    default_severity: Severity::Error,
    summary: "An environment pins a chart version the chart repository does not have, or one published with other content.",
    hint: None,
    redacts_values: false,
    docs: r#"## What it does

Reads the team's chart repository offline, as `chartRepository:` in `driftgate.yaml` names it:
a Helm repository index (`index: charts-repo/index.yaml`, as `helm repo index` writes it), a
directory of packaged charts (`packages: charts-repo/`, the `NAME-VERSION.tgz` files
`helm package` writes), and/or a repository `helm repo add` added (`helmRepository: acme`, its
index read from Helm's repository cache, `$HELM_REPOSITORY_CACHE`). Then, for each
environment that pins an exact chart version:

- the repository has no version of the chart, or not that version: reported at the pin, with
  the versions it does have;
- the repository's package of that version differs from the working tree's chart while
  `Chart.yaml` still says that version: the chart changed without a version bump after it was
  published. Reported at `Chart.yaml`'s `version`, naming the files that differ (`Chart.yaml`
  and `Chart.lock` are not compared: `helm package` writes them anew).

Without `chartRepository:` the rule is silent; unpinned environments are DG401's.

## Why it matters

A pipeline that deploys a version nobody published fails at deploy time, after review and
merge; one that deploys a version published from other sources ships what nobody reviewed.

## Example

```yaml
chartRepository: { index: charts-repo/index.yaml }   # lists bedrock 1.4.2 and 1.5.0
charts:
  - path: charts/bedrock
    environments:
      prod: { values: [values-prod.yaml], version: 1.4.3 }
```

reports `prod pins chart bedrock 1.4.3, which the chart repository (charts-repo/index.yaml) does not have
(it has 1.4.2, 1.5.0)`.

## Fix

Pin a published version (`version: 1.4.2`), or publish 1.4.3 first. When the content differs,
bump `version` in `Chart.yaml` and publish the new version.
"#,
};

/// Reports every pinned environment of `chart` whose version the repository lacks, and a
/// published version whose content differs from the working tree.
pub fn check(context: &RuleContext, chart: &ChartRun) -> Vec<Finding> {
    let project = context.project;
    let Some(repository) = &project.chart_repository else { return Vec::new() };
    let sources = &project.sources;
    let mut findings = Vec::new();
    let finding = |message: String, location, environment: Option<&str>, help: String| {
        let mut diagnostic = Diagnostic::new(RULE.id, RULE.name, RULE.default_severity, message);
        diagnostic.chart = Some(chart.path.clone());
        diagnostic.environment = environment.map(str::to_string);
        diagnostic.location = Some(location);
        diagnostic.help = Some(help);
        let mut finding = Finding::new(diagnostic);
        finding.chart_name = Some(chart.name.clone());
        finding
    };
    let published = repository.versions.get(&chart.name);
    for env in &chart.environments {
        let Some(pinned) = &env.version else { continue };
        let version = pinned.version.trim().trim_start_matches('v');
        let exact = version.split(['-', '+']).next().is_some_and(|core| {
            let parts: Vec<&str> = core.split('.').collect();
            parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        });
        if !exact {
            continue;
        }
        let known = published.is_some_and(|versions| versions.iter().any(|v| v.trim_start_matches('v') == version));
        if known {
            continue;
        }
        let has = match published {
            Some(versions) => format!("it has {}", versions.iter().cloned().collect::<Vec<_>>().join(", ")),
            None => format!("it has no version of {}", chart.name),
        };
        findings.push(finding(
            format!(
                "{} pins chart {} {}, which the chart repository ({}) does not have ({has})",
                env.name, chart.name, pinned.version, repository.name
            ),
            sources.locate(pinned.at),
            Some(&env.name),
            format!("pin a published version of {}, or publish {} first", chart.name, pinned.version),
        ));
    }
    // The working tree's version, published with other content.
    let Some(tree_version) = &chart.chart_version else { return findings };
    let key = (chart.name.clone(), tree_version.version.clone());
    let Some((archive, shown)) = repository.packages.get(&key) else { return findings };
    let pinned_here: Vec<&str> = chart
        .environments
        .iter()
        .filter(|e| e.version.as_ref().is_some_and(|p| p.version.trim_start_matches('v') == tree_version.version))
        .map(|e| e.name.as_str())
        .collect();
    match crate::repository::content_differences(&project.root, &chart.path, archive) {
        Ok(differing) if differing.is_empty() => {}
        Ok(differing) => {
            let mut listed: Vec<String> = differing.iter().take(5).cloned().collect();
            if differing.len() > 5 {
                listed.push(format!("and {} more", differing.len() - 5));
            }
            let mut f = finding(
                format!(
                    "chart {} {} in the working tree differs from the published {shown} ({}){}",
                    chart.name,
                    tree_version.version,
                    listed.join(", "),
                    match pinned_here.as_slice() {
                        [] => String::new(),
                        envs => format!("; pinned by {}", envs.join(", ")),
                    }
                ),
                sources.locate(tree_version.at),
                None,
                format!("bump `version` in {}/Chart.yaml and publish the new version", chart.path),
            );
            f.diagnostic
                .related
                .push(Related::new(crate::diagnostic::Location::start_of(shown.clone()), "published here"));
            findings.push(f);
        }
        Err(message) => findings.push(finding(
            format!("cannot compare chart {} with the published {shown}: {message}", chart.name),
            sources.locate(tree_version.at),
            None,
            format!("repackage {shown} with `helm package`"),
        )),
    }
    findings
}
