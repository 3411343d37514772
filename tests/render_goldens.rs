//! Renderer fidelity: every case under `testdata/render/` is rendered by driftgate and compared
//! byte for byte with what real `helm template` printed for it (`expected.yaml`), or checked to
//! fail where Helm failed (`expected-error.txt`). `scripts/update-goldens.sh` regenerates them.

mod common;

use std::path::{Path, PathBuf};

use common::{first_difference, root};

use driftgate::helm_version::HelmVersion;
use driftgate::pipeline::{self, TemplateOptions};
use driftgate::source::FileId;
use driftgate::yaml::{self, Node, NodeValue};

struct Case {
    name: String,
    dir: PathBuf,
    chart: String,
    release: String,
    namespace: String,
    kube_version: String,
    values: Vec<String>,
    include_crds: bool,
}

fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("testdata/render"))
        .expect("testdata/render exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("case.yaml").is_file())
        .collect();
    dirs.sort();
    dirs.into_iter().map(|dir| read_case(&dir)).collect()
}

fn read_case(dir: &Path) -> Case {
    let text = std::fs::read_to_string(dir.join("case.yaml")).expect("case.yaml is readable");
    let doc = yaml::parse_documents(&text, FileId(0)).expect("case.yaml parses").remove(0);
    let text_of = |key: &str, default: &str| -> String {
        match doc.get(key).map(|n| &n.value) {
            Some(NodeValue::String(s)) => s.to_string(),
            Some(NodeValue::Float(f)) => f.to_string(),
            _ => default.to_string(),
        }
    };
    let values = match doc.get("values").map(|n| &n.value) {
        Some(NodeValue::Seq(items)) => items.iter().filter_map(Node::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    Case {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        dir: dir.to_path_buf(),
        chart: text_of("chart", "chart"),
        release: text_of("release", "release"),
        namespace: text_of("namespace", "default"),
        kube_version: text_of("kubeVersion", "1.33.0"),
        values,
        include_crds: matches!(doc.get("includeCrds").map(|n| &n.value), Some(NodeValue::Bool(true))),
    }
}

/// What helm printed for a case: `expected.yaml` / `expected-error.txt` (Helm 3), and for Helm 4
/// `expected-helm4.yaml` / `expected-error-helm4.txt` where Helm 4 prints something else.
fn expected_files(case: &Case, helm: HelmVersion) -> (PathBuf, PathBuf) {
    let v3 = (case.dir.join("expected.yaml"), case.dir.join("expected-error.txt"));
    if helm == HelmVersion::V3 {
        return v3;
    }
    let v4 = (case.dir.join("expected-helm4.yaml"), case.dir.join("expected-error-helm4.txt"));
    if v4.0.is_file() || v4.1.is_file() { v4 } else { v3 }
}

fn check_goldens(helm: HelmVersion) {
    let mut failures = Vec::new();
    let all = cases();
    assert!(!all.is_empty(), "no render cases found");
    for case in &all {
        let options = TemplateOptions {
            root: case.dir.clone(),
            chart_dir: case.chart.clone(),
            values: case.values.clone(),
            release: case.release.clone(),
            namespace: case.namespace.clone(),
            kube_version: case.kube_version.clone(),
            include_crds: case.include_crds,
            helm_version: helm,
        };
        let result = pipeline::template(&options);
        let (expected_ok, expected_err) = expected_files(case, helm);
        match (result, expected_ok.is_file()) {
            (Ok(out), true) => {
                let want = std::fs::read_to_string(&expected_ok).unwrap();
                if out != want {
                    failures.push(format!(
                        "{}: output differs from helm\n{}",
                        case.name,
                        first_difference(&want, &out, "helm", "driftgate")
                    ));
                }
            }
            (Ok(_), false) => failures.push(format!(
                "{}: helm failed ({}) but driftgate rendered",
                case.name,
                std::fs::read_to_string(&expected_err).unwrap_or_default().trim()
            )),
            (Err(diags), true) => failures.push(format!(
                "{}: driftgate failed where helm rendered: {}",
                case.name,
                diags.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join("; ")
            )),
            (Err(_), false) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} render cases differ from helm {}:\n\n{}",
        failures.len(),
        all.len(),
        helm.release(),
        failures.join("\n\n")
    );
}

#[test]
fn rendered_output_equals_helm_template() {
    check_goldens(HelmVersion::V3);
}

/// The same cases with `--helm 4`, against what helm v4.1.4 printed.
#[test]
fn rendered_output_equals_helm4_template() {
    check_goldens(HelmVersion::V4);
}
