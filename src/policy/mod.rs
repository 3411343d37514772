//! Rules and policies: the rule registry, built-in rules, Rego (regorus) evaluation.
