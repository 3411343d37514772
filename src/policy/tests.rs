//! End-to-end rule tests: fixture projects through the real evaluation (`policy::evaluate`).

use super::testkit::{EnvSpec, ProjectBuilder, Read, invalid_manifest, invalid_values, render_error};
use super::*;

/// The evaluation `check` runs, with the built-in policies, no schema policies, no git base.
pub(crate) fn evaluate(project: &Project, config: &PolicyConfig) -> Vec<Diagnostic> {
    let engine = builtin_engine().as_ref().expect("built-in policies compile");
    evaluate_with(project, config, engine)
}

/// [`evaluate`] with the given engine (the built-ins plus user policies).
fn evaluate_with(project: &Project, config: &PolicyConfig, engine: &PolicyEngine) -> Vec<Diagnostic> {
    let schemas = SchemaPolicies::default();
    let today = Date { year: 2026, month: 1, day: 1 };
    let inputs = EvalInputs { config, engine, schemas: &schemas, base: None, today };
    super::evaluate(project, Vec::new(), &inputs).diagnostics
}

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
            {{- range $k, $v := .Values.env }}
            - name: {{ $k }}
              value: {{ $v | quote }}
            {{- end }}
"#;

const DEFAULTS: &str = "replicaCount: 1\nimage:\n  repository: ghcr.io/acme/web\n  tag: 1.2.3\nenv: {}\n";

/// A rendered Deployment with the given image and env entries, and the reads that wrote them.
pub(crate) fn deployment(image: &str, env: &[(&str, &str)]) -> String {
    let mut out = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: web\n          image: \"{image}\"\n"
    );
    if env.is_empty() {
        out.push_str("          env:\n");
    } else {
        out.push_str("          env:\n");
        for (name, value) in env {
            out.push_str(&format!("            - name: {name}\n              value: \"{value}\"\n"));
        }
    }
    out
}

const IMAGE_READS: &[Read] = &[
    Read { output: "ghcr.io/acme/web", action: "{{ .Values.image.repository }}", values: "image.repository" },
    Read { output: ":", action: ":{{", values: "" },
];

/// `rule file:line:col message` plus one `  related file:line:col message` line per related place.
fn describe(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let at = d.location.as_ref().map_or("-".to_string(), |l| format!("{}:{}:{}", l.file, l.line, l.column));
            let mut line = format!("{} {} {} | {}", d.rule, d.environment.as_deref().unwrap_or("-"), at, d.message);
            for r in &d.related {
                line.push_str(&format!("\n  related {}:{}:{} {}", r.file, r.line, r.column, r.message));
            }
            line
        })
        .collect()
}

/// The workload-hygiene warnings (DG501-DG505) turned off: most fixtures are about other rules.
/// Fixtures are minimal resources, not complete Kubernetes objects (a Deployment without a
/// selector), so schema validation (DG101, tested in `tests/schema_cases.rs`) is off too.
pub(crate) fn quiet() -> PolicyConfig {
    let off = RuleConfig { severity: Some(RuleLevel::Off), ignore: vec![] };
    PolicyConfig {
        rules: ["DG101", "DG501", "DG502", "DG503", "DG504", "DG505"]
            .iter()
            .map(|id| (id.to_string(), off.clone()))
            .collect(),
    }
}

fn run(project: &Project) -> Vec<String> {
    describe(&evaluate(project, &quiet()))
}

/// Every rule but `rules` (and DG101: the fixtures are not complete Kubernetes objects).
fn without(rules: &[&str]) -> PolicyConfig {
    let off = RuleConfig { severity: Some(RuleLevel::Off), ignore: vec![] };
    PolicyConfig { rules: rules.iter().chain(&["DG101"]).map(|id| (id.to_string(), off.clone())).collect() }
}

fn run_all(project: &Project) -> Vec<String> {
    describe(&evaluate(project, &without(&[])))
}

fn only(rule: &str, lines: Vec<String>) -> Vec<String> {
    lines.into_iter().filter(|l| l.starts_with(rule)).collect()
}

// ---------------------------------------------------------------- DG201 env-var-parity

pub(crate) fn parity_project(prod_env: &[(&str, &str)], prod_override: &str) -> Project {
    let dev_output = deployment("ghcr.io/acme/web:1.2.3", &[("SENTRY_DSN", "https://sentry.example/1")]);
    let prod_output = deployment("ghcr.io/acme/web:1.2.3", prod_env);
    let dev_reads = [
        IMAGE_READS[0],
        Read { output: "- name: SENTRY_DSN", action: "{{- range $k, $v := .Values.env }}", values: "env" },
    ];
    ProjectBuilder::new(&["dev", "stage", "prod"])
        .chart(
            "charts/web",
            DEFAULTS,
            &[("templates/deployment.yaml", DEPLOYMENT)],
            &[
                EnvSpec {
                    name: "dev",
                    stage: "dev",
                    overrides: &[("values-dev.yaml", "env:\n  SENTRY_DSN: https://sentry.example/1\n")],
                    rendered: &[("templates/deployment.yaml", &dev_output, &dev_reads)],
                    ..EnvSpec::default()
                },
                EnvSpec {
                    name: "prod-iowa",
                    stage: "prod",
                    overrides: &[("values-prod.yaml", "replicaCount: 3\n"), ("values-prod-iowa.yaml", prod_override)],
                    rendered: &[("templates/deployment.yaml", &prod_output, IMAGE_READS)],
                    ..EnvSpec::default()
                },
            ],
        )
        .build()
}

#[test]
fn dg201_reports_var_missing_in_later_stage_at_its_override_with_related_setter() {
    let project = parity_project(&[], "# iowa\n");
    assert_eq!(
        only("DG201", run(&project)),
        [
            "DG201 prod-iowa charts/web/values-prod-iowa.yaml:1:1 | env var SENTRY_DSN is set in dev but not in prod-iowa\n  \
          related charts/web/values-dev.yaml:2:3 set here for dev"
        ]
    );
    let diagnostics = evaluate(&project, &quiet());
    let d = diagnostics.iter().find(|d| d.rule == "DG201").unwrap();
    assert_eq!(d.path.as_deref(), Some("spec.template.spec.containers[web].env[SENTRY_DSN]"));
    assert_eq!(d.resource.as_ref().map(|r| r.to_string()), Some("Deployment/web".to_string()));
    assert_eq!(d.name, "env-var-parity");
    assert_eq!(d.severity, Severity::Error);
}

#[test]
fn dg201_passes_when_later_stage_sets_the_var() {
    let project =
        parity_project(&[("SENTRY_DSN", "https://sentry.example/7")], "env:\n  SENTRY_DSN: https://sentry.example/7\n");
    assert_eq!(only("DG201", run(&project)), Vec::<String>::new());
}

#[test]
fn dg201_ignore_by_related_env_and_name_and_severity_override() {
    let project = parity_project(&[], "# iowa\n");
    let ignore = IgnoreEntry {
        env: Some("dev".into()),
        name: Some("SENTRY_DSN".into()),
        reason: Some("dev only".into()),
        ..Default::default()
    };
    let config =
        PolicyConfig { rules: [("DG201".to_string(), RuleConfig { severity: None, ignore: vec![ignore] })].into() };
    assert!(evaluate(&project, &config).iter().all(|d| d.rule != "DG201"));
    let config = PolicyConfig {
        rules: [("DG201".to_string(), RuleConfig { severity: Some(RuleLevel::Warning), ignore: vec![] })].into(),
    };
    let severities: Vec<Severity> =
        evaluate(&project, &config).iter().filter(|d| d.rule == "DG201").map(|d| d.severity).collect();
    assert_eq!(severities, [Severity::Warning]);
}

// ---------------------------------------------------------------- DG202 missing-secret

const API_DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      imagePullSecrets:
        - name: {{ .Values.pullSecret }}
      containers:
        - name: api
          image: ghcr.io/acme/api@sha256:0123
          env:
            - name: SENTRY_DSN
              valueFrom:
                secretKeyRef:
                  name: {{ .Values.sentry.existingSecret }}
                  key: dsn
            - name: DJANGO_KEY
              valueFrom:
                secretKeyRef:
                  name: api-django
                  key: {{ .Values.django.key }}
            - name: OPTIONAL
              valueFrom:
                secretKeyRef: { name: nowhere, key: x, optional: true }
          envFrom:
            - secretRef:
                name: api-env
            - secretRef:
                name: api-rendered
      volumes:
        - name: certs
          secret:
            secretName: api-certs
---
apiVersion: v1
kind: Secret
metadata:
  name: api-rendered
"#;

fn api_output(sentry: &str, key: &str, certs: &str) -> String {
    API_DEPLOYMENT
        .replace("{{ .Values.pullSecret }}", "regcred")
        .replace("{{ .Values.sentry.existingSecret }}", sentry)
        .replace("{{ .Values.django.key }}", key)
        .replace("api-certs", certs)
        .replace(
            "secretKeyRef: { name: nowhere, key: x, optional: true }",
            "secretKeyRef:\n                  name: nowhere\n                  optional: true",
        )
}

fn secret_project(prod_values: &str, sentry: &str, key: &str, certs: &str) -> Project {
    let output = api_output(sentry, key, certs);
    let dev_output = api_output("api-sentry", "secret-key", "api-certs");
    let dev_reads = [
        Read { output: "api-sentry", action: "{{ .Values.sentry.existingSecret }}", values: "sentry.existingSecret" },
        Read { output: "key: secret-key", action: "key: {{ .Values.django.key }}", values: "django.key" },
    ];
    let reads = [
        Read { output: sentry, action: "{{ .Values.sentry.existingSecret }}", values: "sentry.existingSecret" },
        Read { output: key, action: "{{ .Values.django.key }}", values: "django.key" },
        Read { output: &format!("secretName: {certs}"), action: "secretName: api-certs", values: "" },
    ];
    let inventory = "secrets:\n  - name: api-django\n    keys: [secret-key, database-url]\n  - name: api-env\n  - name: regcred\n  - name: api-sentry\n  - name: api-certs\n";
    let inventory_prod = "secrets:\n  - name: api-django\n    keys: [secret-key]\n  - name: api-env\n  - name: regcred\n  - name: api-sentry\n";
    let defaults = "pullSecret: regcred\nsentry:\n  existingSecret: api-sentry\ndjango:\n  key: secret-key\n";
    ProjectBuilder::new(&["dev", "prod"])
        .chart(
            "charts/api",
            defaults,
            &[("templates/deployment.yaml", API_DEPLOYMENT)],
            &[
                EnvSpec {
                    name: "dev",
                    overrides: &[("values-dev.yaml", "# dev\n")],
                    rendered: &[("templates/deployment.yaml", &dev_output, &dev_reads)],
                    inventory: Some(("secrets/dev.yaml", inventory)),
                    ..EnvSpec::default()
                },
                EnvSpec {
                    name: "prod",
                    stage: "prod",
                    overrides: &[("values-prod.yaml", prod_values)],
                    rendered: &[("templates/deployment.yaml", &output, &reads)],
                    inventory: Some(("secrets/prod.yaml", inventory_prod)),
                    ..EnvSpec::default()
                },
            ],
        )
        .build()
}

#[test]
fn dg202_reports_unlisted_secrets_and_missing_keys_at_their_origin() {
    let project = secret_project(
        "sentry:\n  existingSecret: api-sentry-prod\ndjango:\n  key: database-url\n",
        "api-sentry-prod",
        "database-url",
        "api-certs",
    );
    assert_eq!(
        only("DG202", run(&project)),
        [
            "DG202 prod charts/api/templates/deployment.yaml:35:13 | Secret api-certs is referenced by Deployment/api but is neither rendered for prod nor listed in secrets/prod.yaml\n  \
             related secrets/prod.yaml:1:1 api-certs is not listed in this inventory",
            "DG202 prod charts/api/values-prod.yaml:2:19 | Secret api-sentry-prod is referenced by Deployment/api but is neither rendered for prod nor listed in secrets/prod.yaml\n  \
             related secrets/prod.yaml:6:11 secrets/prod.yaml lists api-sentry, not api-sentry-prod",
            "DG202 prod charts/api/values-prod.yaml:4:8 | Secret api-django has no key database-url in secrets/prod.yaml, but Deployment/api reads it\n  \
             related secrets/prod.yaml:2:11 api-django is listed here without key database-url",
        ]
    );
    let diagnostics = evaluate(&project, &quiet());
    let paths: Vec<_> = diagnostics.iter().filter(|d| d.rule == "DG202").filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(
        paths,
        [
            "spec.template.spec.volumes[certs].secret",
            "spec.template.spec.containers[api].env[SENTRY_DSN].valueFrom.secretKeyRef",
            "spec.template.spec.containers[api].env[DJANGO_KEY].valueFrom.secretKeyRef.key",
        ]
    );
}

#[test]
fn dg202_passes_when_every_reference_is_rendered_or_listed() {
    let project = secret_project("sentry:\n  existingSecret: api-env\n", "api-env", "secret-key", "api-rendered");
    assert_eq!(only("DG202", run(&project)), Vec::<String>::new());
}

// ---------------------------------------------------------------- DG205 unknown-values-key

const READER: &str = r#"replicas: {{ .Values.replicaCount }}
image: {{ .Values.image.tag }}
resources: {{- toYaml .Values.resources | nindent 2 }}
thing: {{ .Values.extra.thing }}
"#;

fn values_key_project(prod: &str) -> Project {
    ProjectBuilder::new(&["dev", "prod"])
        .chart(
            "charts/web",
            "replicaCount: 1\nimage:\n  tag: 1.0.0\nresources: {}\npodAnnotations: {}\n",
            &[("templates/config.yaml", READER)],
            &[
                EnvSpec { name: "prod", stage: "prod", overrides: &[("values-prod.yaml", prod)], ..EnvSpec::default() },
                EnvSpec {
                    name: "prod-eu",
                    stage: "prod",
                    overrides: &[("values-prod.yaml", prod)],
                    ..EnvSpec::default()
                },
            ],
        )
        .build()
}

#[test]
fn dg205_reports_typos_once_per_file_with_a_suggestion() {
    let project = values_key_project(
        "replicas: 3\nimage:\n  tagg: 1.0.1\nresources:\n  limits:\n    cpu: 1\nextra:\n  thing: 1\n  other: 2\nglobal:\n  x: 1\npodAnnotations:\n  a: b\n",
    );
    let diagnostics = evaluate(&project, &quiet());
    assert_eq!(
        describe(&diagnostics),
        [
            "DG205 prod charts/web/values-prod.yaml:1:1 | values key replicas is neither declared in values.yaml nor read by any template",
            "DG205 prod charts/web/values-prod.yaml:3:3 | values key image.tagg is neither declared in values.yaml nor read by any template",
            "DG205 prod charts/web/values-prod.yaml:9:3 | values key extra.other is neither declared in values.yaml nor read by any template",
        ]
    );
    let helps: Vec<_> = diagnostics.iter().map(|d| d.help.clone().unwrap_or_default()).collect();
    assert_eq!(
        helps,
        [
            "did you mean `replicaCount`?",
            "did you mean `tag`?",
            "remove extra.other, or declare it in values.yaml and use it in a template",
        ]
    );
    let end = diagnostics[0].location.as_ref().map(|l| (l.end_line, l.end_column));
    assert_eq!(end, Some((1, 9)), "the location covers the key");
}

#[test]
fn dg205_passes_for_declared_read_and_whole_read_keys() {
    let project = values_key_project(
        "replicaCount: 3\nimage:\n  tag: 1.0.1\nresources:\n  limits:\n    cpu: 1\nextra:\n  thing: 2\n",
    );
    assert_eq!(run(&project), Vec::<String>::new());
}

// ---------------------------------------------------------------- DG301 inline-secret

const SECRET_TEMPLATE: &str = r#"apiVersion: v1
kind: Secret
metadata:
  name: web-django
stringData:
  secret-key: {{ .Values.django.secretKey | quote }}
data: {}
"#;

fn inline_secret_project(output: &str) -> Project {
    let reads = [Read {
        output: "\"s3cr3t-value\"",
        action: "{{ .Values.django.secretKey | quote }}",
        values: "django.secretKey",
    }];
    let reads: &[Read] = if output.contains("s3cr3t") { &reads } else { &[] };
    ProjectBuilder::new(&["dev"])
        .chart(
            "charts/web",
            "django:\n  secretKey: s3cr3t-value\n",
            &[("templates/secret.yaml", SECRET_TEMPLATE)],
            &[EnvSpec {
                overrides: &[("values-dev.yaml", "# dev\n")],
                rendered: &[("templates/secret.yaml", output, reads)],
                ..EnvSpec::default()
            }],
        )
        .build()
}

#[test]
fn dg301_reports_literal_secret_data_without_its_value() {
    let output = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-django\nstringData:\n  secret-key: \"s3cr3t-value\"\ndata: {}\n";
    let lines = only("DG301", run(&inline_secret_project(output)));
    assert_eq!(
        lines,
        [
            "DG301 dev charts/web/values.yaml:2:14 | Secret web-django renders a literal value for stringData key secret-key (<redacted>)"
        ]
    );
    assert!(lines.iter().all(|l| !l.contains("s3cr3t")));
}

#[test]
fn dg301_passes_for_a_secret_without_literal_data() {
    let output =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-django\nstringData:\n  secret-key: \"\"\ndata: {}\n";
    assert_eq!(only("DG301", run(&inline_secret_project(output))), Vec::<String>::new());
}

// ---------------------------------------------------------------- DG302 secret-in-env

pub(crate) fn env_secret_project(dev_values: &str, output: &str) -> Project {
    let reads = [
        IMAGE_READS[0],
        Read { output: "- name: DB_PASSWORD", action: "{{- range $k, $v := .Values.env }}", values: "env" },
    ];
    ProjectBuilder::new(&["dev"])
        .chart(
            "charts/web",
            DEFAULTS,
            &[("templates/deployment.yaml", DEPLOYMENT)],
            &[EnvSpec {
                overrides: &[("values-dev.yaml", dev_values)],
                rendered: &[("templates/deployment.yaml", output, &reads)],
                ..EnvSpec::default()
            }],
        )
        .build()
}

#[test]
fn dg302_reports_literal_credentials_at_the_values_line() {
    let output = deployment("ghcr.io/acme/web:1.2.3", &[("DB_PASSWORD", "hunter2-long"), ("LOG_LEVEL", "debug")]);
    let project = env_secret_project("env:\n  DB_PASSWORD: hunter2-long\n  LOG_LEVEL: debug\n", &output);
    let lines = only("DG302", run(&project));
    assert_eq!(
        lines,
        [
            "DG302 dev charts/web/values-dev.yaml:2:16 | env var DB_PASSWORD has a literal value (<redacted>) instead of valueFrom.secretKeyRef"
        ]
    );
    assert!(lines.iter().all(|l| !l.contains("hunter2")));
}

#[test]
fn dg302_passes_for_secret_key_refs_and_ordinary_names() {
    let output = deployment("ghcr.io/acme/web:1.2.3", &[("LOG_LEVEL", "debug")]).replace(
        "          env:\n",
        "          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: db, key: password}\n",
    );
    let project = env_secret_project("env:\n  LOG_LEVEL: debug\n", &output);
    assert_eq!(only("DG302", run(&project)), Vec::<String>::new());
}

// ---------------------------------------------------------------- DG403 image-unpinned

fn image_project(dev_values: &str, image: &str) -> Project {
    let output = deployment(image, &[]);
    let tag = image.rsplit_once(':').map_or("", |(_, tag)| tag);
    let mut reads = Vec::new();
    if output.contains(IMAGE_READS[0].output) {
        reads.push(IMAGE_READS[0]);
    }
    if !tag.is_empty() {
        reads.push(Read {
            output: &output[output.find(&format!(":{tag}\"")).unwrap() + 1..][..tag.len()],
            action: "{{ .Values.image.tag }}",
            values: "image.tag",
        });
    }
    let project = ProjectBuilder::new(&["dev"]).chart(
        "charts/web",
        DEFAULTS,
        &[("templates/deployment.yaml", DEPLOYMENT)],
        &[EnvSpec {
            overrides: &[("values-dev.yaml", dev_values)],
            rendered: &[("templates/deployment.yaml", &output, &reads)],
            ..EnvSpec::default()
        }],
    );
    project.build()
}

#[test]
fn dg403_reports_latest_at_the_tag_and_missing_tags_at_the_image() {
    let lines = only("DG403", run(&image_project("image:\n  tag: latest\n", "ghcr.io/acme/web:latest")));
    assert_eq!(
        lines,
        [
            "DG403 dev charts/web/values-dev.yaml:2:8 | image ghcr.io/acme/web:latest of container web uses the mutable tag latest"
        ]
    );
    let lines = only("DG403", run(&image_project("image:\n  repository: ghcr.io/acme/web\n", "ghcr.io/acme/web")));
    assert_eq!(
        lines,
        ["DG403 dev charts/web/values-dev.yaml:2:15 | image ghcr.io/acme/web of container web has no tag"]
    );
}

#[test]
fn dg403_passes_for_version_tags_digests_and_registry_ports() {
    assert_eq!(
        only("DG403", run(&image_project("image:\n  tag: 1.2.4\n", "ghcr.io/acme/web:1.2.4"))),
        Vec::<String>::new()
    );
    assert_eq!(
        only("DG403", run(&image_project("# dev\n", "registry:5000/acme/web@sha256:0123"))),
        Vec::<String>::new()
    );
    assert_eq!(only("DG403", run(&image_project("# dev\n", "registry:5000/acme/web:1.2.3"))), Vec::<String>::new());
}

// ---------------------------------------------------------------- DG401 / DG404 versions

const CONFIG: &str = "promotion: [dev, stage, prod]\ncharts:\n  - path: charts/web\n    environments:\n      dev: { version: 1.5.0 }\n      stage: { version: 1.4.2 }\n      prod: { version: 1.5.0 }\n      canary: { version: ^1.4 }\n";

fn version_project(config: &str, versions: [Option<&str>; 4]) -> Project {
    let env = |name, stage, version| EnvSpec { name, stage, version, overrides: &[], ..EnvSpec::default() };
    ProjectBuilder::new(&["dev", "stage", "prod"])
        .config(config)
        .chart(
            "charts/web",
            DEFAULTS,
            &[],
            &[
                env("dev", "dev", versions[0]),
                env("stage", "stage", versions[1]),
                env("prod", "prod", versions[2]),
                env("canary", "prod", versions[3]),
            ],
        )
        .build()
}

#[test]
fn dg404_and_dg401_report_at_the_version_in_driftgate_yaml() {
    let project = version_project(CONFIG, [Some("1.5.0"), Some("1.4.2"), Some("1.5.0"), Some("^1.4")]);
    assert_eq!(
        run(&project),
        [
            "DG404 prod driftgate.yaml:7:24 | prod pins chart version 1.5.0, which the previous stage (stage) has not run: it pins 1.4.2\n  \
             related driftgate.yaml:6:25 stage pins 1.4.2",
            "DG401 canary driftgate.yaml:8:26 | canary pins chart version ^1.4, which is a range, not a version",
        ]
    );
}

#[test]
fn dg404_and_dg401_pass_for_promoted_exact_versions() {
    let config = CONFIG.replace("stage: { version: 1.4.2 }", "stage: { version: 1.5.0 }").replace("^1.4", "v1.5.0");
    let project = version_project(&config, [Some("1.5.0"), Some("1.5.0"), Some("1.5.0"), Some("v1.5.0")]);
    assert_eq!(run(&project), Vec::<String>::new());
}

#[test]
fn dg401_reports_a_missing_version_at_driftgate_yaml() {
    let project = version_project(CONFIG, [Some("1.5.0"), Some("1.4.2"), None, None]);
    let lines = only("DG401", run(&project));
    assert_eq!(
        lines,
        [
            "DG401 canary driftgate.yaml:1:1 | canary pins no chart version",
            "DG401 prod driftgate.yaml:1:1 | prod pins no chart version"
        ]
    );
}

// ---------------------------------------------------------------- DG001 / DG003 from the renderer

#[test]
fn renderer_findings_pass_through_configuration() {
    let mut project = parity_project(&[("SENTRY_DSN", "x")], "# iowa\n");
    let location = Location {
        file: "charts/web/templates/deployment.yaml".into(),
        line: 11,
        column: 22,
        end_line: 11,
        end_column: 40,
    };
    let env = &mut project.charts[0].environments[1];
    env.render.diagnostics.push(render_error(
        "charts/web",
        "prod-iowa",
        "execution error: image.tag is required",
        Some(location.clone()),
    ));
    // A finding the renderer made without chart and environment gets them here.
    let mut bare = Diagnostic::new("DG003", "invalid-manifest", Severity::Error, "output is not YAML");
    bare.location = Some(Location::point("charts/web/templates/deployment.yaml", 2, 1));
    env.render.diagnostics.push(bare);
    env.render.diagnostics.push(invalid_manifest(
        "charts/web",
        "prod-iowa",
        "ConfigMap has no metadata.name",
        None,
        None,
    ));
    let diagnostics = evaluate(&project, &quiet());
    let found: Vec<_> =
        diagnostics.iter().map(|d| (d.rule.as_str(), d.name.as_str(), d.severity, d.location.clone())).collect();
    assert_eq!(
        found,
        [
            (
                "DG003",
                "invalid-manifest",
                Severity::Error,
                Some(Location::point("charts/web/templates/deployment.yaml", 2, 1))
            ),
            ("DG001", "render-error", Severity::Error, Some(location)),
            ("DG003", "invalid-manifest", Severity::Error, None),
        ]
    );
    let filled: Vec<_> =
        diagnostics.iter().map(|d| (d.chart.as_deref(), d.environment.as_deref(), d.help.is_some())).collect();
    assert_eq!(filled, [(Some("charts/web"), Some("prod-iowa"), true); 3]);
    let mut off = quiet();
    off.rules.insert("DG003".to_string(), RuleConfig { severity: Some(RuleLevel::Off), ignore: vec![] });
    assert_eq!(evaluate(&project, &off).len(), 1, "DG003 off leaves DG001");
}

// ---------------------------------------------------------------- robustness

#[test]
fn null_and_odd_fields_do_not_break_any_policy() {
    let output = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: odd\nspec:\n  template:\n    spec:\n      imagePullSecrets:\n      volumes:\n        - name: v\n          projected:\n            sources:\n      containers:\n        - name: a\n          env:\n          envFrom:\n          image: 7\n        - env: [1, x]\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\nstringData: [a]\n---\nkind: CronJob\nmetadata: x\n";
    let project = ProjectBuilder::new(&["dev"])
        .chart(
            "charts/odd",
            "",
            &[("templates/all.yaml", "{{ .Values.x }}\n")],
            &[EnvSpec {
                overrides: &[("values-dev.yaml", "")],
                rendered: &[("templates/all.yaml", output, &[])],
                inventory: Some(("secrets/dev.yaml", "secrets:\n")),
                ..EnvSpec::default()
            }],
        )
        .build();
    // Only the hygiene warnings the odd Deployment earns; no policy fails on the nulls.
    assert_eq!(
        run_all(&project),
        [
            "DG501 dev charts/odd/templates/all.yaml:1:1 | container 1 of Deployment/odd has no readinessProbe",
            "DG501 dev charts/odd/templates/all.yaml:1:1 | container a of Deployment/odd has no readinessProbe",
            "DG503 dev charts/odd/templates/all.yaml:1:1 | Deployment/odd runs a single replica in dev and has no autoscaler",
            "DG505 dev charts/odd/templates/all.yaml:1:1 | container 1 of Deployment/odd has no resource requests or limits",
            "DG505 dev charts/odd/templates/all.yaml:1:1 | container a of Deployment/odd has no resource requests or limits",
        ]
    );
}

// ---------------------------------------------------------------- cost

/// A clean 4-environment chart with 9 resources per environment (36 in all), as in a pre-commit
/// hook, gives no finding. (Its evaluation time is measured by `cargo bench --bench check`.)
#[test]
fn a_clean_four_environment_chart_has_no_findings() {
    let mut output = String::new();
    for i in 0..3 {
        let vars: Vec<(String, String)> = (0..12).map(|v| (format!("VAR_{v}"), format!("value-{v}"))).collect();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        output.push_str(
            &deployment("ghcr.io/acme/web:1.2.3", &vars).replace("name: web\nspec", &format!("name: web-{i}\nspec")),
        );
        output.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-{i}\nspec:\n  ports:\n    - port: 80\n"
        ));
        output.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-{i}\ndata:\n  a: b\n---\n"
        ));
    }
    let envs: Vec<EnvSpec> = [("dev", "dev"), ("stage", "stage"), ("prod-iowa", "prod"), ("prod-frankfurt", "prod")]
        .into_iter()
        .map(|(name, stage)| EnvSpec {
            name,
            stage,
            overrides: &[("values-x.yaml", "replicaCount: 2\n")],
            rendered: &[],
            inventory: Some(("secrets/x.yaml", "secrets:\n  - name: a\n")),
            ..EnvSpec::default()
        })
        .collect();
    let rendered = [("templates/deployment.yaml", output.as_str(), IMAGE_READS)];
    let envs: Vec<EnvSpec> = envs.into_iter().map(|e| EnvSpec { rendered: &rendered, ..e }).collect();
    let project = ProjectBuilder::new(&["dev", "stage", "prod"])
        .chart("charts/web", DEFAULTS, &[("templates/deployment.yaml", DEPLOYMENT)], &envs)
        .build();
    let resources: usize = project.charts.iter().flat_map(|c| &c.environments).map(|e| e.render.resources.len()).sum();
    assert_eq!(resources, 36);
    assert_eq!(run(&project), Vec::<String>::new());
}

// ---------------------------------------------------------------- user policies

fn user_engine(files: &[(&str, &str)]) -> (PolicyEngine, Vec<PolicyLoadError>) {
    let mut engine = PolicyEngine::builtin().unwrap();
    let sources: Vec<PolicySource> =
        files.iter().map(|(path, text)| PolicySource { path: path.to_string(), text: text.to_string() }).collect();
    let errors = engine.add_user_policies(&sources, &crate::policy::NamespaceSelection::default());
    (engine, errors)
}

#[test]
fn conftest_policies_run_per_resource_with_context() {
    let conftest = r#"package main

deny contains msg if {
	input.kind == "Deployment"
	data.driftgate.context.stage == "prod"
	msg := sprintf("%s runs in %s without a PodDisruptionBudget", [input.metadata.name, data.driftgate.context.environment])
}

warn contains {"msg": "image is not from the internal registry", "path": "spec.template.spec.containers[web].image"} if {
	some c in input.spec.template.spec.containers
	not startswith(c.image, "registry.internal/")
}
"#;
    let (engine, errors) = user_engine(&[("policies/pdb.rego", conftest)]);
    assert_eq!(errors, []);
    let project = parity_project(&[("SENTRY_DSN", "x")], "env:\n  SENTRY_DSN: x\n");
    let diagnostics = evaluate_with(&project, &quiet(), &engine);
    let found: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.rule.starts_with("main."))
        .map(|d| {
            format!(
                "{} {} {} {}",
                d.rule,
                d.severity.as_str(),
                describe(std::slice::from_ref(d))[0],
                d.resource.as_ref().map_or(String::new(), |r| r.to_string())
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "main.deny error main.deny prod-iowa charts/web/templates/deployment.yaml:1:1 | web runs in prod-iowa without a PodDisruptionBudget Deployment/web",
            "main.warn warning main.warn dev charts/web/values.yaml:3:15 | image is not from the internal registry Deployment/web",
        ]
    );
}

#[test]
fn cross_user_policies_get_metadata_ids_and_load_errors_are_located() {
    let cross = r#"# METADATA
# title: prod-needs-three-replicas
# description: Prod overrides set replicaCount to at least 3.
# custom:
#   id: ACME001
#   severity: warning
package driftgate.cross

deny contains {"msg": sprintf("%s runs fewer than 5 replicas", [name]), "env": name, "at": "override"} if {
	some name, env in input.environments
	env.stage == "prod"
	env.values.replicaCount < 5
}
"#;
    let broken = "package main\n\ndeny contains msg if {\n\tmsg := \n}\n";
    let (engine, errors) = user_engine(&[("policies/replicas.rego", cross), ("policies/broken.rego", broken)]);
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].file.as_str(), errors[0].line), ("policies/broken.rego", 4));
    let project = parity_project(&[("SENTRY_DSN", "x")], "env:\n  SENTRY_DSN: x\n");
    let diagnostics: Vec<Diagnostic> = evaluate_with(&project, &PolicyConfig::default(), &engine)
        .into_iter()
        .filter(|d| d.rule == "ACME001")
        .collect();
    assert_eq!(
        describe(&diagnostics),
        ["ACME001 prod-iowa charts/web/values-prod-iowa.yaml:1:1 | prod-iowa runs fewer than 5 replicas"]
    );
    assert_eq!(
        (diagnostics[0].name.as_str(), diagnostics[0].severity),
        ("prod-needs-three-replicas", Severity::Warning)
    );
    let stop = super::user::load_failure(&errors).expect("a load error stops the run");
    assert_eq!(stop.location.as_ref().map(|l| (l.file.as_str(), l.line)), Some(("policies/broken.rego", 4)));
}

#[test]
fn dg302_reports_urls_with_passwords_whatever_the_name() {
    let output =
        deployment("ghcr.io/acme/web:1.2.3", &[("DATABASE_URL", "mysql://app:pw-very-secret@db.internal/app")]);
    let project = env_secret_project("env:\n  DATABASE_URL: mysql://app:pw-very-secret@db.internal/app\n", &output);
    let lines = only("DG302", run(&project));
    assert_eq!(
        lines,
        [
            "DG302 dev charts/web/values-dev.yaml:2:17 | env var DATABASE_URL has a literal URL with a password (<redacted>) instead of valueFrom.secretKeyRef"
        ]
    );
    let output = deployment("ghcr.io/acme/web:1.2.3", &[("DATABASE_URL", "mysql://db.internal/app")]);
    assert_eq!(
        only("DG302", run(&env_secret_project("env:\n  DATABASE_URL: mysql://db.internal/app\n", &output))),
        Vec::<String>::new()
    );
}

#[test]
fn literals_written_in_template_text_are_located_in_the_template() {
    let template = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-db\ntype: Opaque\nstringData:\n  password: not-a-real-password\n";
    let output = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ledger-db\ntype: Opaque\nstringData:\n  password: not-a-real-password\n";
    let reads = [Read { output: "ledger", action: "{{ .Release.Name }}", values: "" }];
    let project = ProjectBuilder::new(&["dev"])
        .chart(
            "charts/ledger",
            "",
            &[("templates/secret.yaml", template)],
            &[EnvSpec {
                overrides: &[("values-dev.yaml", "")],
                rendered: &[("templates/secret.yaml", output, &reads)],
                ..EnvSpec::default()
            }],
        )
        .build();
    let diagnostics = evaluate(&project, &quiet());
    assert_eq!(
        describe(&diagnostics),
        [
            "DG301 dev charts/ledger/templates/secret.yaml:7:13 | Secret ledger-db renders a literal value for stringData key password (<redacted>)"
        ]
    );
    let location = diagnostics[0].location.clone().unwrap();
    assert_eq!((location.end_line, location.end_column), (7, 32));
}

#[test]
fn dg201_relates_every_setter_up_to_the_stage_nearest_first() {
    let with = deployment("ghcr.io/acme/web:1.2.3", &[("FLAG", "on")]);
    let without = deployment("ghcr.io/acme/web:1.2.3", &[]);
    let reads = [Read { output: "- name: FLAG", action: "{{- range $k, $v := .Values.env }}", values: "env" }];
    let env = |name, stage, file, text, output| EnvSpec {
        name,
        stage,
        overrides: Box::leak(Box::new([(file, text)])),
        rendered: Box::leak(Box::new([("templates/deployment.yaml", output, &reads[..])])),
        ..EnvSpec::default()
    };
    let project = ProjectBuilder::new(&["dev", "stage", "prod"])
        .chart(
            "charts/web",
            DEFAULTS,
            &[("templates/deployment.yaml", DEPLOYMENT)],
            &[
                env("dev", "dev", "values-dev.yaml", "env:\n  FLAG: \"on\"\n", with.as_str()),
                env("stage", "stage", "values-stage.yaml", "env:\n  FLAG: \"on\"\n", with.as_str()),
                env("prod-a", "prod", "values-prod-a.yaml", "env:\n  FLAG: \"on\"\n", with.as_str()),
                env("prod-b", "prod", "values-prod-b.yaml", "env: {}\n", without.as_str()),
            ],
        )
        .build();
    assert_eq!(
        only("DG201", run(&project)),
        ["DG201 prod-b charts/web/values-prod-b.yaml:1:1 | env var FLAG is set in dev but not in prod-b\n  \
          related charts/web/values-prod-a.yaml:2:3 set here for prod-a\n  \
          related charts/web/values-stage.yaml:2:3 set here for stage\n  \
          related charts/web/values-dev.yaml:2:3 set here for dev"]
    );
}

#[test]
fn dg201_points_at_the_map_the_later_environment_would_add_the_var_to() {
    let project = parity_project(&[("OTHER", "x")], "# iowa\nreplicaCount: 4\nenv:\n  OTHER: x\n");
    assert_eq!(
        only("DG201", run(&project)),
        [
            "DG201 prod-iowa charts/web/values-prod-iowa.yaml:3:1 | env var SENTRY_DSN is set in dev but not in prod-iowa\n  \
          related charts/web/values-dev.yaml:2:3 set here for dev"
        ]
    );
}

// ---------------------------------------------------------------- DG303 secret-in-values

fn values_secret_project(prod: &str) -> Project {
    ProjectBuilder::new(&["dev", "prod"])
        .chart(
            "charts/web",
            "database:\n  existingSecret: web-db\n  passwordKey: password\ningress:\n  tlsSecret: web-tls\n",
            &[],
            &[EnvSpec {
                name: "prod",
                stage: "prod",
                overrides: &[("values-prod.yaml", prod)],
                inventory: Some((
                    "secrets/prod.yaml",
                    "secrets:\n  - name: web-db\n    keys: [password, secret-key]\n",
                )),
                ..EnvSpec::default()
            }],
        )
        .build()
}

#[test]
fn dg303_reports_credential_literals_in_values_files() {
    let project = values_secret_project(
        "database:\n  adminPassword: hunter2-long\n  url: postgres://app:pw-long@db/app\napi:\n  API_KEY: k-123456\n",
    );
    let lines = only("DG303", run(&project));
    assert_eq!(
        lines,
        [
            "DG303 prod charts/web/values-prod.yaml:2:18 | values key database.adminPassword holds a literal credential (<redacted>)",
            "DG303 prod charts/web/values-prod.yaml:3:8 | values key database.url holds a literal credential (<redacted>)",
            "DG303 prod charts/web/values-prod.yaml:5:12 | values key api.API_KEY holds a literal credential (<redacted>)",
        ]
    );
    assert!(lines.iter().all(|l| !l.contains("hunter2") && !l.contains("pw-long") && !l.contains("k-123456")));
}

#[test]
fn dg303_passes_secret_names_key_names_and_references() {
    let project = values_secret_project(
        "database:\n  secretName: web-db\n  SECRET_KEY: secret-key\n  password: \"\"\n  url: postgres://db/app\n",
    );
    assert_eq!(only("DG303", run(&project)), Vec::<String>::new());
}

// ---------------------------------------------------------------- workload hygiene: DG203, DG204, DG501-DG505

/// One chart whose template is its own output (no actions), rendered per (env, stage, text).
/// Each environment has its own template, so DG204 sees nothing in common: leave it out.
fn static_project(envs: &[(&str, &str, &str)], inventory: Option<&str>) -> Project {
    let templates: Vec<(String, String)> =
        envs.iter().map(|(env, _, text)| (format!("templates/{env}.yaml"), text.to_string())).collect();
    let template_refs: Vec<(&str, &str)> = templates.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let rendered: Vec<[(&str, &str, &[Read]); 1]> =
        templates.iter().map(|(n, t)| [(n.as_str(), t.as_str(), &[][..])]).collect();
    let overrides: Vec<[(String, &str); 1]> =
        envs.iter().map(|(env, _, _)| [(format!("values-{env}.yaml"), "# override\n")]).collect();
    let override_refs: Vec<[(&str, &str); 1]> = overrides.iter().map(|[(f, t)]| [(f.as_str(), *t)]).collect();
    let specs: Vec<EnvSpec> = envs
        .iter()
        .enumerate()
        .map(|(i, (name, stage, _))| EnvSpec {
            name,
            stage,
            overrides: &override_refs[i],
            rendered: &rendered[i],
            inventory: inventory.map(|text| ("secrets/inventory.yaml", text)),
            ..EnvSpec::default()
        })
        .collect();
    ProjectBuilder::new(&["dev", "prod"]).chart("charts/app", "", &template_refs, &specs).build()
}

const BARE_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  revisionHistoryLimit: 0
  strategy:
    type: Recreate
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/app:1.0.0
          env:
            - name: MODE
              valueFrom:
                configMapKeyRef: {name: app-config, key: mode}
      volumes:
        - name: features
          configMap: {name: app-features}
";

const SOUND_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  revisionHistoryLimit: 3
  strategy:
    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
  replicas: 1
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/app:1.0.0
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
          env:
            - name: MODE
              valueFrom:
                configMapKeyRef: {name: app-config, key: mode}
      volumes:
        - name: features
          configMap: {name: app-features}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
  minReplicas: 2
  maxReplicas: 5
";

#[test]
fn workload_rules_report_what_a_bare_deployment_lacks() {
    let single = BARE_DEPLOYMENT
        .replace("replicas: 2", "replicas: 1")
        .replace("    type: Recreate\n", "    rollingUpdate: {maxUnavailable: 100%}\n");
    let project = static_project(
        &[("dev", "dev", BARE_DEPLOYMENT), ("prod", "prod", &single)],
        Some("configMaps:\n  - name: app-config\n    keys: [other]\n"),
    );
    assert_eq!(
        describe(&evaluate(&project, &without(&["DG204"]))),
        [
            "DG504 dev charts/app/templates/dev.yaml:6:25 | Deployment/app keeps no revision history (revisionHistoryLimit: 0)",
            "DG502 dev charts/app/templates/dev.yaml:8:11 | Deployment/app stops all 2 pods before starting new ones (strategy: Recreate)",
            "DG501 dev charts/app/templates/dev.yaml:13:11 | container app of Deployment/app has no readinessProbe",
            "DG505 dev charts/app/templates/dev.yaml:13:11 | container app of Deployment/app has no resource requests or limits",
            "DG203 dev charts/app/templates/dev.yaml:18:58 | ConfigMap app-config has no key mode in secrets/inventory.yaml, but Deployment/app reads it\n  \
             related secrets/inventory.yaml:2:11 app-config is listed here without key mode",
            "DG203 dev charts/app/templates/dev.yaml:21:22 | ConfigMap app-features is referenced by Deployment/app but is neither rendered for dev nor listed in secrets/inventory.yaml\n  \
             related secrets/inventory.yaml:1:1 app-features is not listed in this inventory",
            "DG504 prod charts/app/templates/prod.yaml:6:25 | Deployment/app keeps no revision history (revisionHistoryLimit: 0)",
            "DG502 prod charts/app/templates/prod.yaml:8:37 | Deployment/app can take all 1 pods down at once (maxUnavailable: 100%)",
            "DG503 prod charts/app/templates/prod.yaml:9:13 | Deployment/app runs a single replica in prod and has no autoscaler",
            "DG501 prod charts/app/templates/prod.yaml:13:11 | container app of Deployment/app has no readinessProbe",
            "DG505 prod charts/app/templates/prod.yaml:13:11 | container app of Deployment/app has no resource requests or limits",
            "DG203 prod charts/app/templates/prod.yaml:18:58 | ConfigMap app-config has no key mode in secrets/inventory.yaml, but Deployment/app reads it\n  \
             related secrets/inventory.yaml:2:11 app-config is listed here without key mode",
            "DG203 prod charts/app/templates/prod.yaml:21:22 | ConfigMap app-features is referenced by Deployment/app but is neither rendered for prod nor listed in secrets/inventory.yaml\n  \
             related secrets/inventory.yaml:1:1 app-features is not listed in this inventory",
        ]
    );
    let severities: Vec<_> =
        evaluate(&project, &without(&["DG204"])).iter().map(|d| (d.rule.clone(), d.severity)).collect();
    assert!(severities.iter().all(|(rule, s)| (*s == Severity::Warning) == rule.starts_with("DG5")), "{severities:?}");
}

#[test]
fn workload_rules_pass_a_sound_deployment() {
    let project = static_project(
        &[("dev", "dev", SOUND_DEPLOYMENT), ("prod", "prod", SOUND_DEPLOYMENT)],
        Some("configMaps:\n  - name: app-config\n    keys: [mode]\n  - name: app-features\n"),
    );
    assert_eq!(describe(&evaluate(&project, &without(&["DG204"]))), Vec::<String>::new());
}

const PDB: &str =
    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: app\nspec:\n  minAvailable: 1\n";

fn parity_of_resources(dev_has_pdb: bool) -> Project {
    let with: &[(&str, &str, &[Read])] =
        &[("templates/app.yaml", SOUND_DEPLOYMENT, &[]), ("templates/pdb.yaml", PDB, &[])];
    let without: &[(&str, &str, &[Read])] = &[("templates/app.yaml", SOUND_DEPLOYMENT, &[])];
    ProjectBuilder::new(&["dev", "prod"])
        .chart(
            "charts/app",
            "",
            &[("templates/app.yaml", SOUND_DEPLOYMENT), ("templates/pdb.yaml", PDB)],
            &[
                EnvSpec {
                    name: "dev",
                    overrides: &[("values-dev.yaml", "# dev\n")],
                    rendered: if dev_has_pdb { with } else { without },
                    ..EnvSpec::default()
                },
                EnvSpec {
                    name: "prod",
                    stage: "prod",
                    overrides: &[("values-prod.yaml", "# prod\n")],
                    rendered: with,
                    ..EnvSpec::default()
                },
            ],
        )
        .build()
}

#[test]
fn dg204_reports_a_resource_missing_from_one_environment() {
    assert_eq!(
        run_all(&parity_of_resources(false)),
        ["DG204 dev charts/app/values-dev.yaml:1:1 | PodDisruptionBudget/app is rendered for prod but not for dev\n  \
          related charts/app/templates/pdb.yaml:1:1 rendered here for prod"]
    );
    assert_eq!(run_all(&parity_of_resources(true)), Vec::<String>::new());
}

#[test]
fn loader_constructors_carry_the_registered_name_and_severity() {
    let at = Location::point("charts/web/values-prod.yaml", 3, 2);
    let d = invalid_values("charts/web", "prod", "did not find expected key", Some(at.clone()));
    assert_eq!(
        (d.rule.as_str(), d.name.as_str(), d.severity, d.chart.as_deref(), d.environment.as_deref(), d.location),
        ("DG002", "invalid-values", Severity::Error, Some("charts/web"), Some("prod"), Some(at))
    );
    let d = render_error("charts/web", "dev", "m", None);
    assert_eq!((d.rule.as_str(), d.name.as_str()), ("DG001", "render-error"));
    let d = invalid_manifest("charts/web", "dev", "m", None, None);
    assert_eq!((d.rule.as_str(), d.name.as_str()), ("DG003", "invalid-manifest"));
}
