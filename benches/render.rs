//! Times driftgate rendering one large generated chart in-process (load, parse, render, sort
//! and print, as `driftgate template` does), and prints the median.
//!
//! The chart is generated here: `--templates N` manifest templates (default 300), each
//! going through a chain of `--depth D` nested includes (default 25) and rendering `toYaml` of
//! a large values subtree. `--keep DIR` writes the chart to DIR and leaves it there, so that
//! another renderer can be timed on the very same files (`scripts/bench-render.sh` does that
//! with the Helm 4 engine).
//!
//! `--output FILE` writes driftgate's output there, to compare it with another renderer's.
//!
//! Run with `cargo bench --bench render -- [--runs N] [--templates N] [--depth D] [--keep DIR]
//! [--output FILE]`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use driftgate::pipeline::{self, TemplateOptions};

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::args().skip_while(|a| a != name).nth(1).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let runs: usize = arg("--runs", 15);
    let templates: usize = arg("--templates", 300);
    let depth: usize = arg("--depth", 25);
    let keep: Option<PathBuf> = std::env::args().skip_while(|a| a != "--keep").nth(1).map(PathBuf::from);

    let temp = tempfile::tempdir().expect("temp dir");
    let dir = keep.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let stats = generate_chart(&dir, templates, depth);
    let options = TemplateOptions {
        root: dir.clone(),
        chart_dir: ".".into(),
        values: Vec::new(),
        release: "bench".into(),
        namespace: "bench".into(),
        kube_version: "1.31.0".into(),
        include_crds: false,
        helm_version: Default::default(),
    };
    // Warm-up, and the output size for the record.
    let manifest = match pipeline::template(&options) {
        Ok(m) => m,
        Err(diags) => {
            eprintln!("the generated chart does not render:");
            for d in diags {
                eprintln!("  {}", d.message);
            }
            std::process::exit(1);
        }
    };
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let _ = pipeline::template(&options);
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "chart: {templates} templates, include depth {depth}, values.yaml {} KiB, output {} KiB ({} documents)",
        stats.values_bytes / 1024,
        manifest.len() / 1024,
        manifest.matches("\n# Source: ").count() + usize::from(manifest.starts_with("# Source: ")),
    );
    println!(
        "driftgate render: median {:.1} ms, min {:.1} ms, max {:.1} ms over {runs} runs",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    if let Some(file) = std::env::args().skip_while(|a| a != "--output").nth(1) {
        std::fs::write(&file, &manifest).expect("write the output");
    }
    if let Some(dir) = keep {
        println!("chart kept in {}", dir.display());
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct ChartStats {
    values_bytes: usize,
}

/// Writes the benchmark chart: Chart.yaml, a large values.yaml, a helpers file with an include
/// chain and `templates` manifests.
fn generate_chart(dir: &Path, templates: usize, depth: usize) -> ChartStats {
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create chart dirs");
        std::fs::write(path, text).expect("write chart file");
    };
    write("Chart.yaml", "apiVersion: v2\nname: big\nversion: 1.0.0\nappVersion: \"2.0\"\n");

    let mut values = String::from("image:\n  repository: registry.example/big\n  tag: \"2.0\"\nservices:\n");
    for i in 0..templates {
        let _ = write!(
            values,
            "  - name: svc-{i:03}\n    replicas: {}\n    port: {}\n    enabled: {}\n    env:\n",
            1 + i % 5,
            8000 + i,
            i % 7 != 0
        );
        for e in 0..12 {
            let _ = writeln!(values, "      VAR_{e}: \"value-{i}-{e}\"");
        }
        values.push_str(
            "    resources:\n      limits: {cpu: 500m, memory: 256Mi}\n      requests: {cpu: 100m, memory: 128Mi}\n",
        );
    }
    values.push_str("config:\n");
    for section in 0..40 {
        let _ = writeln!(values, "  section{section}:");
        for key in 0..15 {
            let _ = writeln!(
                values,
                "    key{key}: {}",
                match key % 5 {
                    0 => format!("{}", section * 100 + key),
                    1 => format!("\"text {section} {key}: quoted\""),
                    2 => "[a, b, c]".to_string(),
                    3 => format!("{{nested: {key}, flag: true}}"),
                    _ => format!("{}.5", key),
                }
            );
        }
    }
    write("values.yaml", &values);

    let mut helpers = String::new();
    helpers.push_str("{{- define \"big.fullname\" -}}{{ printf \"%s-%s\" .root.Release.Name .svc.name | trunc 63 | trimSuffix \"-\" }}{{- end -}}\n");
    for level in 0..depth {
        let _ = writeln!(
            helpers,
            "{{{{- define \"big.level{level}\" -}}}}\nlevel{level}: {{{{ .svc.name | quote }}}}\n{{{{ include \"big.level{}\" . }}}}{{{{- end -}}}}",
            level + 1
        );
    }
    let _ = writeln!(
        helpers,
        "{{{{- define \"big.level{depth}\" -}}}}app.kubernetes.io/name: {{{{ .svc.name }}}}\napp.kubernetes.io/instance: {{{{ .root.Release.Name }}}}{{{{- end -}}}}"
    );
    helpers.push_str(
        "{{- define \"big.labels\" -}}\n{{ include \"big.level0\" . }}\nhelm.sh/chart: {{ printf \"%s-%s\" .root.Chart.Name .root.Chart.Version }}\n{{- end -}}\n",
    );
    write("templates/_helpers.tpl", &helpers);

    for i in 0..templates {
        let text = format!(
            r#"{{{{- $svc := index .Values.services {i} }}}}
{{{{- $ctx := dict "root" $ "svc" $svc }}}}
{{{{- if $svc.enabled }}}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ include "big.fullname" $ctx }}}}
  labels:
    {{{{- include "big.labels" $ctx | nindent 4 }}}}
spec:
  replicas: {{{{ $svc.replicas }}}}
  template:
    spec:
      containers:
        - name: {{{{ $svc.name }}}}
          image: "{{{{ $.Values.image.repository }}}}:{{{{ $.Values.image.tag | default $.Chart.AppVersion }}}}"
          ports:
            - containerPort: {{{{ $svc.port }}}}
          env:
          {{{{- range $k, $v := $svc.env }}}}
            - name: {{{{ $k }}}}
              value: {{{{ $v | quote }}}}
          {{{{- end }}}}
          resources:
            {{{{- toYaml $svc.resources | nindent 12 }}}}
---
{{{{- end }}}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{{{ include "big.fullname" $ctx }}}}-config
  annotations:
    checksum: {{{{ toYaml $.Values.config | sha256sum }}}}
data:
  config.yaml: |
    {{{{- toYaml $.Values.config | nindent 4 }}}}
"#
        );
        write(&format!("templates/svc-{i:03}.yaml"), &text);
    }
    ChartStats { values_bytes: values.len() }
}
