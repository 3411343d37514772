//! Reports of real evaluations: rule fixtures through the one evaluation, printed.

use crate::policy::tests::{deployment, env_secret_project, evaluate, parity_project, quiet};
use crate::policy::{RuleConfig, RuleLevel};

#[test]
fn human_report_of_a_real_evaluation_points_at_both_files() {
    use crate::check::RunSummary;
    use crate::report::human;
    let project = parity_project(&[], "# iowa\n");
    let diagnostics = evaluate(&project, &quiet());
    let text = human::to_string(
        &diagnostics,
        &RunSummary::of(&project),
        &project.sources,
        human::HumanOptions::for_output(false),
        Default::default(),
    );
    let expected = "DG201 env-var-parity

  × env var SENTRY_DSN is set in dev but not in prod-iowa
   ╭─[charts/web/values-prod-iowa.yaml:1:1]
 1 │ # iowa
   · ▲
   · ╰── prod-iowa
   ╰────
  help: set the variable in this environment too, or ignore it in driftgate.yaml if it belongs to
        earlier stages only
  ╰─▶   ☞ set here for dev
         ╭─[charts/web/values-dev.yaml:2:3]
       1 │ env:
       2 │   SENTRY_DSN: https://sentry.example/1
         ·   ▲
         ╰────

1 error, 0 warnings in 1 chart, 2 environments, 2 resources
";
    assert_eq!(text, expected);
}

#[test]
fn reports_of_a_secret_finding_never_hold_the_value() {
    use crate::check::RunSummary;
    use crate::report::{human, json};
    let output = deployment("ghcr.io/acme/web:1.2.3", &[("DB_PASSWORD", "hunter2-long")]);
    let project = env_secret_project("env:\n  DB_PASSWORD: hunter2-long\n  LOG_LEVEL: debug\n", &output);
    // DG303 reports the same values line; this test is about DG302.
    let mut config = quiet();
    config.rules.insert("DG303".to_string(), RuleConfig { severity: Some(RuleLevel::Off), ignore: vec![] });
    let diagnostics = evaluate(&project, &config);
    let summary = RunSummary::of(&project);
    let text = human::to_string(
        &diagnostics,
        &summary,
        &project.sources,
        human::HumanOptions::for_output(false),
        Default::default(),
    );
    let expected = "DG302 secret-in-env

  × env var DB_PASSWORD has a literal value (<redacted>) instead of valueFrom.secretKeyRef
   ╭─[charts/web/values-dev.yaml:2:16]
 2 │   DB_PASSWORD: <redacted>
   ·                ─────┬────
   ·                     ╰── dev
   ╰────
  help: move the value into a Secret and use valueFrom.secretKeyRef

1 error, 0 warnings in 1 chart, 1 environment, 1 resource
";
    assert_eq!(text, expected);
    let json = json::to_string(&diagnostics, &summary, Default::default());
    assert!(!json.contains("hunter2"), "{json}");
    assert!(json.contains(r#""path": "spec.template.spec.containers[web].env[DB_PASSWORD].value","#), "{json}");
}
