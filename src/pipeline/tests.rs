//! Charts with subcharts through the whole pipeline: the findings Helm's refusals become, with
//! their wording and locations. (What renders is covered by the goldens under testdata/render.)

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::pipeline::{self, TemplateOptions};

/// Writes `files` (path, content) under a fresh directory and renders `chart` from it.
fn render(files: &[(&str, &[u8])], values: &[&str]) -> (tempfile::TempDir, Result<String, Vec<Diagnostic>>) {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }
    let result = template_in(dir.path(), values, "1.33.0");
    (dir, result)
}

fn template_in(root: &Path, values: &[&str], kube: &str) -> Result<String, Vec<Diagnostic>> {
    pipeline::template(&TemplateOptions {
        root: root.to_path_buf(),
        chart_dir: "chart".into(),
        values: values.iter().map(|v| v.to_string()).collect(),
        release: "r".into(),
        namespace: "default".into(),
        kube_version: kube.into(),
        include_crds: false,
        helm_version: Default::default(),
    })
}

/// `(rule, message, file, line, column)` of each finding.
fn summary(diagnostics: &[Diagnostic]) -> Vec<(String, String, String, u32, u32)> {
    diagnostics
        .iter()
        .map(|d| {
            let l = d.location.clone().unwrap();
            (d.rule.clone(), d.message.clone(), l.file, l.line, l.column)
        })
        .collect()
}

const PARENT: &[u8] = b"apiVersion: v2\nname: app\nversion: 0.1.0\n";
const CONFIG_MAP: &[u8] = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}\n";

fn golden_case(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/render").join(name)
}

#[test]
fn missing_dependency_is_helms_error_at_the_entry() {
    let diags = template_in(&golden_case("error-dependency-missing"), &[], "1.33.0").unwrap_err();
    assert_eq!(
        summary(&diags),
        [(
            "DG001".into(),
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: redis".into(),
            "chart/Chart.yaml".into(),
            5,
            5
        )]
    );
}

#[test]
fn kube_version_constraint_is_checked_like_helm() {
    let diags = template_in(&golden_case("error-kube-version"), &[], "1.24.0").unwrap_err();
    assert_eq!(
        summary(&diags),
        [(
            "DG001".into(),
            "chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.24.0".into(),
            "chart/Chart.yaml".into(),
            4,
            14
        )]
    );
    assert!(template_in(&golden_case("error-kube-version"), &[], "1.25.0").is_ok());
}

#[test]
fn subchart_without_chart_yaml_names_it() {
    let diags = template_in(&golden_case("error-subchart-no-chart-yaml"), &[], "1.33.0").unwrap_err();
    assert_eq!(
        summary(&diags),
        [(
            "DG001".into(),
            "error unpacking subchart broken in app: Chart.yaml file is missing".into(),
            "chart/charts/broken/Chart.yaml".into(),
            1,
            1
        )]
    );
}

#[test]
fn archive_entry_climbing_out_is_refused_naming_the_archive() {
    let diags = template_in(&golden_case("error-archive-traversal"), &[], "1.33.0").unwrap_err();
    assert_eq!(
        summary(&diags),
        [(
            "DG001".into(),
            "error unpacking subchart evil-0.1.0.tgz in app: chart illegally references parent directory".into(),
            "chart/charts/evil-0.1.0.tgz".into(),
            1,
            1
        )]
    );
}

#[test]
fn oversized_and_malformed_archives_are_findings() {
    let bomb = crate::chart::archive::tests::tgz_claiming("db/big.txt", crate::chart::archive::MAX_ENTRY_BYTES + 1);
    let (_dir, result) = render(&[("chart/Chart.yaml", PARENT), ("chart/charts/db-1.0.0.tgz", &bomb)], &[]);
    assert_eq!(
        summary(&result.unwrap_err()),
        [(
            "DG001".into(),
            format!(
                "error unpacking subchart db-1.0.0.tgz in app: decompressed chart file \"db/big.txt\" is larger than the maximum file size {}",
                crate::chart::archive::MAX_ENTRY_BYTES
            ),
            "chart/charts/db-1.0.0.tgz".into(),
            1,
            1
        )]
    );
    let (_dir, result) = render(&[("chart/Chart.yaml", PARENT), ("chart/charts/db-1.0.0.tgz", b"not an archive")], &[]);
    let diags = result.unwrap_err();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "error unpacking subchart db-1.0.0.tgz in app: gzip: invalid header");
    assert_eq!(diags[0].location.as_ref().unwrap().file, "chart/charts/db-1.0.0.tgz");
}

#[test]
fn archive_subchart_renders_under_its_alias() {
    let sub = crate::chart::archive::tests::tgz(&[
        ("db/Chart.yaml", b"apiVersion: v2\nname: db\nversion: 1.0.0\n"),
        ("db/values.yaml", b"port: 1\n"),
        (
            "db/templates/cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Values.port }}\n",
        ),
    ]);
    let chart_yaml = b"apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: db\n    version: 1.0.0\n    alias: cache\n";
    let (_dir, result) = render(
        &[
            ("chart/Chart.yaml", chart_yaml),
            ("chart/values.yaml", b"cache:\n  port: 2\n"),
            ("chart/charts/db-1.0.0.tgz", &sub),
        ],
        &[],
    );
    assert_eq!(
        result.unwrap(),
        "---\n# Source: app/charts/cache/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cache-2\n"
    );
}

#[test]
fn subchart_values_of_the_wrong_type_are_helms_type_mismatch() {
    let (_dir, result) = render(
        &[
            ("chart/Chart.yaml", PARENT),
            ("chart/templates/cm.yaml", CONFIG_MAP),
            ("chart/charts/sub/Chart.yaml", b"apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ("values.yaml", b"sub: [a, 1]\n"),
        ],
        &["values.yaml"],
    );
    assert_eq!(
        summary(&result.unwrap_err()),
        [("DG002".into(), "type mismatch on sub: [%!t(string=a) %!t(float64=1)]".into(), "values.yaml".into(), 1, 6)]
    );
}

#[test]
fn schema_violations_point_at_the_value_or_the_schema() {
    let diags = template_in(&golden_case("error-values-schema"), &[], "1.33.0").unwrap_err();
    let short: Vec<(String, String, u32, u32)> = summary(&diags)
        .into_iter()
        .map(|(rule, message, file, line, column)| {
            assert_eq!(rule, "DG002");
            let head = "values don't meet the specifications of the schema(s) in the following chart(s):\n";
            let rest = message.strip_prefix(head).unwrap().to_string();
            (rest, file, line, column)
        })
        .collect();
    let at = |m: &str, f: &str, l: u32, c: u32| (m.to_string(), f.to_string(), l, c);
    assert_eq!(
        short,
        [
            at("c:\n- (root): port is required", "chart/values.schema.json", 1, 1),
            at("c:\n- extra: Must be less than or equal to 0", "chart/values.yaml", 5, 1),
            at("c:\n- image.tag: Invalid type. Expected: string, given: integer", "chart/values.yaml", 3, 3),
            at("c:\n- level: level must be one of the following: \"a\", \"b\"", "chart/values.yaml", 6, 1),
            at("c:\n- name: String length must be greater than or equal to 3", "chart/values.yaml", 4, 1),
            at("c:\n- replicas: Invalid type. Expected: integer, given: string", "chart/values.yaml", 1, 1),
            at("s:\n- size: Invalid type. Expected: string, given: integer", "chart/charts/s/values.yaml", 1, 1),
            at("s:\n- (root): Additional property global is not allowed", "chart/charts/s/values.schema.json", 1, 1),
        ]
    );
}

#[test]
fn schema_violation_in_an_override_points_at_the_override() {
    let (_dir, result) = render(
        &[
            ("chart/Chart.yaml", PARENT),
            ("chart/templates/cm.yaml", CONFIG_MAP),
            ("chart/values.yaml", b"replicas: 1\n"),
            ("chart/values.schema.json", br#"{"properties": {"replicas": {"type": "integer", "minimum": 1}}}"#),
            ("prod.yaml", b"# prod\nreplicas: 0\n"),
        ],
        &["prod.yaml"],
    );
    assert_eq!(
        summary(&result.unwrap_err()),
        [(
            "DG002".into(),
            "values don't meet the specifications of the schema(s) in the following chart(s):\napp:\n- replicas: Must be greater than or equal to 1".into(),
            "prod.yaml".into(),
            2,
            1
        )]
    );
}

#[test]
fn schema_that_is_not_json_is_a_finding_at_the_schema() {
    let (_dir, result) = render(
        &[
            ("chart/Chart.yaml", PARENT),
            ("chart/templates/cm.yaml", CONFIG_MAP),
            ("chart/values.schema.json", b"{\n  \"type\": "),
        ],
        &[],
    );
    let diags = result.unwrap_err();
    assert_eq!(
        summary(&diags),
        [(
            "DG002".into(),
            "values.schema.json is not valid JSON: EOF while parsing a value at line 2 column 10".into(),
            "chart/values.schema.json".into(),
            2,
            10
        )]
    );
}

#[test]
fn library_chart_is_not_installable() {
    let (_dir, result) =
        render(&[("chart/Chart.yaml", b"apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n")], &[]);
    assert_eq!(
        summary(&result.unwrap_err()),
        [("DG001".into(), "library charts are not installable".into(), "chart/Chart.yaml".into(), 1, 1)]
    );
}

#[test]
fn crds_are_printed_only_when_asked() {
    let files: &[(&str, &[u8])] = &[
        ("chart/Chart.yaml", PARENT),
        ("chart/templates/cm.yaml", CONFIG_MAP),
        ("chart/crds/crd.yaml", b"kind: CustomResourceDefinition\n"),
        ("chart/crds/notes.txt", b"not a manifest"),
    ];
    let (dir, result) = render(files, &[]);
    assert_eq!(
        result.unwrap(),
        "---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n"
    );
    let with_crds = pipeline::template(&TemplateOptions {
        root: dir.path().to_path_buf(),
        chart_dir: "chart".into(),
        values: Vec::new(),
        release: "r".into(),
        namespace: "default".into(),
        kube_version: "1.33.0".into(),
        include_crds: true,
        helm_version: Default::default(),
    });
    assert_eq!(
        with_crds.unwrap(),
        "---\n# Source: app/crds/crd.yaml\nkind: CustomResourceDefinition\n\n---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n"
    );
}

#[test]
fn subchart_values_reads_are_recorded_from_the_top() {
    let (dir, _) = render(
        &[
            ("chart/Chart.yaml", PARENT),
            ("chart/values.yaml", b"cache:\n  size: 3\n"),
            ("chart/charts/cache/Chart.yaml", b"apiVersion: v2\nname: cache\nversion: 0.1.0\n"),
            (
                "chart/charts/cache/templates/cm.yaml",
                b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cache\ndata:\n  size: {{ .Values.size | quote }}\n",
            ),
        ],
        &[],
    );
    // No driftgate.yaml here, so no rule ids to check.
    let no_rules: &[&str] = &[];
    let loaded =
        pipeline::load(&pipeline::LoadOptions { root: dir.path().to_path_buf(), ..Default::default() }, &no_rules)
            .unwrap();
    let env = &loaded.project.charts[0].environments[0];
    let resource = &env.render.resources[0];
    assert_eq!(resource.output.name, "app/charts/cache/templates/cm.yaml");
    let reads: Vec<&Vec<String>> = resource.output.segments.iter().flat_map(|s| s.values_paths.iter()).collect();
    assert_eq!(reads, [&vec!["cache".to_string(), "size".to_string()]]);
    let node = crate::values::lookup(&env.values, &["cache", "size"]).unwrap();
    assert_eq!((loaded.project.sources.path(node.file), node.span.start.line), ("chart/values.yaml".to_string(), 2));
}
