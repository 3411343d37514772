//! Times `check` end to end (discover, load, render every environment, evaluate every rule) on
//! the bundled example and on a generated monorepo, and prints medians.
//!
//! Run with `cargo bench --bench check` (optionally `-- --runs N`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use driftgate::check::{self, CheckOptions};
use driftgate::pipeline::{self, LoadOptions};
use driftgate::policy::registry::BuiltinRules;
use driftgate::policy::{self, Date, EvalInputs, PolicyConfig, SchemaPolicies};

fn main() {
    let runs = std::env::args().skip_while(|a| a != "--runs").nth(1).and_then(|n| n.parse().ok()).unwrap_or(30);
    cold_kubernetes_schemas();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    measure("check examples (3 charts x 4 environments)", &example, runs);
    measure_phases(&example, runs);

    let monorepo = generate_monorepo(&example, 200);
    measure("check generated monorepo (200 charts x 4 environments)", monorepo.path(), runs.min(10));
}

/// Times the two halves of a check separately: loading + rendering, and rule evaluation.
fn measure_phases(root: &Path, runs: usize) {
    let options = LoadOptions { root: root.to_path_buf(), ..Default::default() };
    let engine = policy::builtin_engine().as_ref().expect("built-in policies compile");
    let (config, schemas) = (PolicyConfig::default(), SchemaPolicies::default());
    let inputs = EvalInputs { config: &config, engine, schemas: &schemas, base: None, today: Date::today() };
    let mut load_times = Vec::new();
    let mut eval_times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let loaded = pipeline::load(&options, &BuiltinRules).expect("load runs");
        load_times.push(start.elapsed());
        let start = Instant::now();
        let _ = policy::evaluate(&loaded.project, loaded.diagnostics, &inputs);
        eval_times.push(start.elapsed());
    }
    load_times.sort();
    eval_times.sort();
    println!(
        "  of which: discover + load + render median {:.1} ms, rules median {:.1} ms",
        ms(load_times[runs / 2]),
        ms(eval_times[runs / 2])
    );
}

fn measure(label: &str, root: &Path, runs: usize) {
    let options =
        CheckOptions { load: LoadOptions { root: root.to_path_buf(), ..Default::default() }, ..Default::default() };
    // One warm-up run: file system cache, lazy statics.
    let findings = check::run(&options).expect("check runs").diagnostics;
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
        "{label}: median {:.1} ms, min {:.1} ms, max {:.1} ms over {runs} runs ({} findings)",
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1]),
        findings.len()
    );
}

/// What the first check in a process pays for schema validation (DG101): decoding the bundled
/// schemas of one version, then the first validation of each kind the example renders.
fn cold_kubernetes_schemas() {
    use driftgate::policy::schema::kubernetes::schemas_for;
    let start = Instant::now();
    let schemas = schemas_for((1, 33)).expect("bundled schemas").schemas;
    let decoded = start.elapsed();
    let kinds = [
        ("apps/v1", "Deployment"),
        ("v1", "Service"),
        ("v1", "ConfigMap"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("networking.k8s.io/v1", "Ingress"),
        ("policy/v1", "PodDisruptionBudget"),
    ];
    // Enough of each document that validation reaches the nested definitions (parsed on first use).
    let pod = serde_json::json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{
        "name": "x", "image": "x:1", "ports": [{"containerPort": 80}], "env": [{"name": "A", "value": "b"}],
        "resources": {"limits": {"cpu": 1}}, "readinessProbe": {"httpGet": {"port": 80}}}],
        "volumes": [{"name": "v", "configMap": {"name": "c"}}]}});
    let first = Instant::now();
    for (api_version, kind) in kinds {
        let document = serde_json::json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"},
            "spec": {"template": pod, "selector": {"matchLabels": {"app": "x"}}}});
        schemas.validate(api_version, kind, &document);
    }
    println!(
        "cold Kubernetes 1.33 schemas: decode {:.1} ms, first validation of {} kinds {:.1} ms",
        ms(decoded),
        kinds.len(),
        ms(first.elapsed())
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A repository with `count` charts: copies of the example's charts without its driftgate.yaml
/// (so conventional discovery runs), each under its own directory.
fn generate_monorepo(example: &Path, count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let charts: Vec<PathBuf> = std::fs::read_dir(example.join("charts"))
        .expect("examples/charts")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    for i in 0..count {
        let source = &charts[i % charts.len()];
        let target = dir.path().join("charts").join(format!("svc{i:03}"));
        copy_dir(source, &target);
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy file");
        }
    }
}
