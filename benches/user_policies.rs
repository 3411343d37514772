//! Times `check` with user policies: a generated chart of 20 resources rendered for 4
//! environments, checked with the built-in rules alone and with 30 user policies (25
//! conftest-style per-resource rules in `package main`, 5 cross-environment rules), and prints
//! medians. The policies are compiled once per run and the engine cloned per chart and
//! environment.
//!
//! Run with `cargo bench --bench user_policies` (optionally `-- --runs N`).

use std::path::Path;
use std::time::{Duration, Instant};

use driftgate::check::{self, CheckOptions};
use driftgate::pipeline::LoadOptions;
use driftgate::policy::user::UserPolicyOptions;

const ENVIRONMENTS: [&str; 4] = ["dev", "stage", "prod-iowa", "prod-frankfurt"];

fn main() {
    let runs = std::env::args().skip_while(|a| a != "--runs").nth(1).and_then(|n| n.parse().ok()).unwrap_or(15);
    let repo = generate_repository();
    let root = repo.path();
    let options = LoadOptions { root: root.to_path_buf(), ..Default::default() };
    let none = UserPolicyOptions::default();
    let with = UserPolicyOptions { dirs: vec![root.join("policies")], ..Default::default() };
    measure("check, built-in rules only (20 resources x 4 environments)", &options, &none, runs);
    measure("check with 30 user policies (20 resources x 4 environments)", &options, &with, runs);
    measure_compile(&root.join("policies"), runs);
}

/// The share of a run spent compiling the user policies (once per run).
fn measure_compile(dir: &Path, runs: usize) {
    use driftgate::policy::user::{PolicyDir, TestFiles, load_policy_files};
    use driftgate::policy::{NamespaceSelection, builtin_engine};
    let files =
        load_policy_files(&[PolicyDir { path: dir.to_path_buf(), display: "policies".into() }], TestFiles::Skip)
            .expect("policies load");
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let mut engine = builtin_engine().clone().expect("built-ins compile");
            let errors = engine.add_user_policies(&files, &NamespaceSelection::default());
            assert!(errors.is_empty(), "{errors:?}");
            start.elapsed()
        })
        .collect();
    times.sort();
    println!("  of which compiling the 30 policies: median {:.1} ms", ms(times[times.len() / 2]));
    let mut engine = builtin_engine().clone().expect("built-ins compile");
    engine.add_user_policies(&files, &NamespaceSelection::default());
    let resources: Vec<serde_json::Value> = (0..20)
        .map(|i| {
            serde_json::json!({"apiVersion": "apps/v1", "kind": if i % 2 == 0 { "Deployment" } else { "Service" },
                "metadata": {"name": format!("svc{i}"), "labels": {"app.kubernetes.io/name": "x"}},
                "spec": {"replicas": 2, "ports": [{"port": 8000 + i}],
                         "template": {"spec": {"containers": [{"name": "c", "image": "ghcr.io/acme/x:1"}]}}}})
        })
        .collect();
    let context = serde_json::json!({"chart": "charts/fleet", "environment": "dev", "stage": "dev"});
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let results = engine.evaluate_resources(context.clone(), &resources);
            assert!(!results.outcomes.is_empty());
            start.elapsed()
        })
        .collect();
    times.sort();
    println!("  evaluating one environment's 20 resources: median {:.1} ms", ms(times[times.len() / 2]));
}

fn measure(label: &str, load: &LoadOptions, policies: &UserPolicyOptions, runs: usize) {
    let options = CheckOptions { load: load.clone(), policies: policies.clone(), ..Default::default() };
    // One warm-up run: file system cache, the built-in policies compiled once per process.
    let run = check::run(&options).expect("check runs");
    let (findings, summary) = (run.diagnostics, run.summary);
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let _ = check::run(&options).expect("check runs");
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{label}: median {:.1} ms, min {:.1} ms, max {:.1} ms over {runs} runs ({} findings, {} resources)",
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1]),
        findings.len(),
        summary.resources
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One chart whose template renders a Deployment and a Service for each of 10 services, four
/// override files, and 30 policies under `policies/`.
fn generate_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let chart = root.join("charts/fleet");
    write(&chart.join("Chart.yaml"), "apiVersion: v2\nname: fleet\nversion: 1.0.0\n");
    let mut values = String::from("replicaCount: 2\nimage:\n  tag: \"1.0.0\"\nservices:\n");
    for i in 0..10 {
        values.push_str(&format!("  - name: svc{i}\n    port: {}\n", 8000 + i));
    }
    write(&chart.join("values.yaml"), &values);
    for (index, env) in ENVIRONMENTS.iter().enumerate() {
        write(&chart.join(format!("values-{env}.yaml")), &format!("replicaCount: {}\n", index + 1));
    }
    write(
        &chart.join("templates/services.yaml"),
        r#"{{- range .Values.services }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  labels:
    app.kubernetes.io/name: {{ .name }}
spec:
  replicas: {{ $.Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .name }}
    spec:
      containers:
        - name: {{ .name }}
          image: "ghcr.io/acme/{{ .name }}:{{ $.Values.image.tag }}"
          ports:
            - containerPort: {{ .port }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
spec:
  selector:
    app.kubernetes.io/name: {{ .name }}
  ports:
    - port: {{ .port }}
{{- end }}
"#,
    );
    let policies = root.join("policies");
    for i in 0..25 {
        let policy = format!(
            "package main\n\ndeny_rule_{i} contains msg if {{\n\tinput.kind == \"Deployment\"\n\
             \tsome container in input.spec.template.spec.containers\n\
             \tnot startswith(container.image, \"registry{i}.internal/\")\n\
             \tcount(input.metadata.labels) > {i}\n\
             \tmsg := sprintf(\"rule {i}: %s\", [container.name])\n}}\n\n\
             warn_rule_{i} contains msg if {{\n\tinput.kind == \"Service\"\n\
             \tsome port in input.spec.ports\n\tport.port == {}\n\
             \tmsg := sprintf(\"rule {i}: port %d\", [port.port])\n}}\n",
            8000 + i
        );
        write(&policies.join(format!("rule_{i:02}.rego")), &policy);
    }
    for i in 0..5 {
        let policy = format!(
            "package driftgate.cross\n\ndeny_cross_{i} contains result if {{\n\
             \tsome name, env in input.environments\n\tsome other in input.environments\n\
             \tenv.stage_index > other.stage_index\n\
             \tsome deployment in env.resources\n\tdeployment.kind == \"Deployment\"\n\
             \tsome counterpart in other.resources\n\tcounterpart.metadata.name == deployment.metadata.name\n\
             \tdeployment.spec.replicas < counterpart.spec.replicas - {i}\n\
             \tresult := {{\"msg\": \"fewer replicas\", \"env\": name}}\n}}\n"
        );
        write(&policies.join(format!("cross_{i}.rego")), &policy);
    }
    dir
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
}
