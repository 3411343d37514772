//! Engine, results and input tests.

use super::input::kube_minor;
use super::*;

#[test]
fn at_names_a_place_and_an_unknown_one_means_the_field() {
    let at =
        |text: &str| serde_json::from_value::<RegoFinding>(serde_json::json!({"msg": "m", "at": text})).unwrap().at;
    assert_eq!(at("override"), Some(At::Override));
    assert_eq!(at("version"), Some(At::Version));
    assert_eq!(at("inventory"), Some(At::Inventory));
    assert_eq!(at("values"), Some(At::Values));
    assert_eq!(at("template"), Some(At::Template));
    assert_eq!(at("field"), Some(At::Field));
    assert_eq!(at("somewhere"), Some(At::Field));
    let none: RegoFinding = serde_json::from_value(serde_json::json!({"msg": "m"})).unwrap();
    assert_eq!(none.at, None);
}

#[test]
fn a_looping_policy_is_cut_off_by_the_time_limit() {
    let mut engine = PolicyEngine::builtin().unwrap();
    engine.set_time_limit(Duration::from_millis(200));
    let hostile = "package hostile\n\ndeny contains \"never\" if {\n\tr := numbers.range(1, 100000)\n\tsome a in r\n\tsome b in r\n\ta + b < 0\n}\n";
    engine.add_policy("DG900", "hostile.rego", hostile).unwrap();
    let started = std::time::Instant::now();
    let outcomes = engine.evaluate(json!({"environments": {}, "promotion": []}));
    let elapsed = started.elapsed();
    let (rule, outcome) = outcomes.last().unwrap();
    assert_eq!(rule.info.id, "DG900");
    let err = outcome.clone().unwrap_err();
    assert_eq!(err, "stopped after the 200 ms time limit (does it loop, or iterate over too much?)");
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert!(outcomes[..outcomes.len() - 1].iter().all(|(_, o)| o.as_ref().is_ok_and(|f| f.is_empty())));
}

#[test]
fn results_may_be_plain_strings_and_bad_shapes_are_errors() {
    let mut engine = PolicyEngine::builtin().unwrap();
    engine.add_policy("DG901", "strings.rego", "package s\n\ndeny contains \"plain\" if true\n").unwrap();
    engine.add_policy("DG902", "bad.rego", "package b\n\ndeny := 3\n").unwrap();
    let outcomes = engine.evaluate(json!({}));
    let by_id = |id: &str| outcomes.iter().find(|(r, _)| r.info.id == id).map(|(_, o)| o.clone()).unwrap();
    assert_eq!(by_id("DG901"), Ok(vec![RegoFinding { msg: "plain".into(), ..RegoFinding::default() }]));
    assert_eq!(by_id("DG902"), Err("a deny rule must be a set of results, got 3".to_string()));
}

#[test]
fn rego_unit_tests_pass_fail_and_error() {
    let policy = "package main\n\ndeny contains \"latest\" if endswith(input.image, \":latest\")\n";
    let tests = "package main\n\ntest_latest_denied if {\n\tdeny[\"latest\"] with input as {\"image\": \"a:latest\"}\n}\n\n\
                 test_pinned_denied if {\n\tdeny[\"latest\"] with input as {\"image\": \"a:1.0\"}\n}\n\n\
                 test_broken if {\n\tto_number(\"x\") == 1\n}\n";
    let files = [
        PolicySource { path: "policies/image.rego".into(), text: policy.into() },
        PolicySource { path: "policies/image_test.rego".into(), text: tests.into() },
        PolicySource { path: "policies/bad.rego".into(), text: "package bad\n\nx := \n".into() },
    ];
    let (results, errors) = run_tests(&files);
    let outcomes: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            let outcome = match &r.outcome {
                TestOutcome::Passed => "passed",
                TestOutcome::Failed => "failed",
                TestOutcome::Error(_) => "error",
            };
            (r.rule.as_str(), outcome)
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("data.main.test_latest_denied", "passed"),
            ("data.main.test_pinned_denied", "failed"),
            ("data.main.test_broken", "error"),
        ]
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].file, "policies/bad.rego");
}

#[test]
fn conftest_rule_names_are_found_and_others_ignored() {
    let source = "package main\n\ndeny[msg] { msg := \"a\" }\ndeny_latest_tag contains x if { x := 1 }\n\
                  violation_labels_2 contains x if { x := 1 }\nwarn_ contains x if { x := 1 }\ndenylist := []\n\
                  warnings := 1\n\tdeny_inner := 2\n";
    assert_eq!(candidate_rule_names(source), ["deny", "deny_latest_tag", "violation_labels_2"]);
    assert!(reads_like_rego_v0("package main\n# fails if it must\ndeny[msg] { msg := \"x\" }\n"));
    assert!(!reads_like_rego_v0("package main\ndeny contains msg if { msg := \"x\" }\n"));
    assert!(reads_like_rego_v0("package main\nimport future.keywords.if\ndeny[msg] if { msg := \"x\" }\n"));
}

#[test]
fn exceptions_exempt_suffixed_rules_and_the_empty_name_exempts_plain_deny() {
    let policy = "package main\n\ndeny_foo[msg] { msg := \"foo\" }\n\ndeny[msg] { msg := \"plain\" }\n\n\
                  warn_foo[msg] { msg := \"warned\" }\n\nexception[rules] { input.skip_foo; rules := [\"foo\"] }\n\n\
                  exception[rules] { input.skip_all; rules := [\"\"] }\n";
    let mut engine = crate::policy::builtin_engine().clone().unwrap();
    let errors = engine.add_user_policies(
        &[PolicySource { path: "p.rego".into(), text: policy.into() }],
        &NamespaceSelection::default(),
    );
    assert_eq!(errors, []);
    let run = |input: Json| {
        let results = engine.evaluate_resources(json!({}), &[input]);
        let mut found: Vec<String> = results
            .outcomes
            .iter()
            .flat_map(|(rule, _, outcome)| {
                outcome.clone().unwrap().into_iter().map(move |f| format!("{}={}", rule.info.id, f.msg))
            })
            .collect();
        found.sort();
        let exempted: Vec<&str> = results.exceptions.iter().map(|(rule, _)| rule.info.id.as_str()).collect();
        (found, exempted)
    };
    assert_eq!(
        run(json!({})),
        (vec!["main.deny=plain".into(), "main.deny_foo=foo".into(), "main.warn_foo=warned".into()], vec![])
    );
    // conftest: warn_foo is not a failure rule, so `foo` does not exempt it.
    assert_eq!(
        run(json!({"skip_foo": true})),
        (vec!["main.deny=plain".into(), "main.warn_foo=warned".into()], vec!["main.deny_foo"])
    );
    assert_eq!(
        run(json!({"skip_all": true})),
        (vec!["main.deny_foo=foo".into(), "main.warn_foo=warned".into()], vec!["main.deny"])
    );
}

#[test]
fn results_without_a_string_msg_are_errors_and_empty_messages_pass() {
    let policy = "package main\n\ndeny contains {\"message\": \"no msg\"} if true\n\nwarn contains \"\" if true\n";
    let mut engine = crate::policy::builtin_engine().clone().unwrap();
    let errors = engine.add_user_policies(
        &[PolicySource { path: "p.rego".into(), text: policy.into() }],
        &NamespaceSelection::default(),
    );
    assert_eq!(errors, []);
    let results = engine.evaluate_resources(json!({}), &[json!({})]);
    let outcomes: Vec<(&str, RuleOutcome)> =
        results.outcomes.into_iter().map(|(rule, _, outcome)| (rule.info.id.as_str(), outcome)).collect();
    assert_eq!(
        outcomes,
        [
            ("main.deny", Err(r#"a result object needs a string `msg`, got {"message":"no msg"}"#.to_string())),
            ("main.warn", Ok(vec![])),
        ]
    );
}

#[test]
fn metadata_names_rules_per_rule_or_per_package() {
    let policy = "# METADATA\n# title: pkg-title\n# custom:\n#   id: ACME100\n#   severity: error\npackage acme\n\n\
                  deny contains \"d\" if true\n\nwarn contains \"w\" if true\n\n\
                  # METADATA\n# title: own-title\n# custom:\n#   id: ACME101\n#   severity: info\n\
                  deny_own contains \"o\" if true\n";
    let mut engine = crate::policy::builtin_engine().clone().unwrap();
    let selection = NamespaceSelection { names: vec!["acme".into()], all: false };
    let errors = engine.add_user_policies(&[PolicySource { path: "p.rego".into(), text: policy.into() }], &selection);
    assert_eq!(errors, []);
    let rules: Vec<(&str, &str, &str, Severity)> = engine
        .rules()
        .iter()
        .filter(|r| r.scope == RuleScope::Resource)
        .map(|r| (r.query.as_str(), r.info.id.as_str(), r.info.name.as_str(), r.severity))
        .collect();
    assert_eq!(
        rules,
        [
            ("data.acme.deny", "ACME100", "pkg-title", Severity::Error),
            ("data.acme.warn", "ACME100", "pkg-title", Severity::Warning),
            ("data.acme.deny_own", "ACME101", "own-title", Severity::Info),
        ]
    );
    let bad = "package acme\n\n# METADATA\n# custom:\n#   severity: loud\ndeny contains \"d\" if true\n";
    let mut engine = crate::policy::builtin_engine().clone().unwrap();
    let errors = engine.add_user_policies(&[PolicySource { path: "bad.rego".into(), text: bad.into() }], &selection);
    assert_eq!(
        errors,
        [PolicyLoadError {
            file: "bad.rego".into(),
            line: 3,
            column: 1,
            message: "custom.severity must be error, warning or info, not `loud`".into()
        }]
    );
}

#[test]
fn kube_minor_versions() {
    assert_eq!(kube_minor("1.33"), Some(33));
    assert_eq!(kube_minor("v1.29.4"), Some(29));
    assert_eq!(kube_minor("1.30+-gke"), Some(30));
    assert_eq!(kube_minor("latest"), None);
    assert_eq!(kube_minor(""), None);
}
