//! What counts as secret material where driftgate has to decide in Rust (redacting reports and
//! diffs). The DG302 secret-in-env policy (policies/dg302_secret_in_env.rego) uses the same
//! words and URL shape; a test keeps the two in step.

use std::sync::OnceLock;

use regex::Regex;

/// Words that make an env var name a credential (`DATABASE_PASSWORD`, `API_KEY`, ...).
pub const CREDENTIAL_WORDS: [&str; 11] = [
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "PRIVATEKEY",
    "ACCESS_KEY",
    "ACCESSKEY",
    "CREDENTIAL",
];

/// Whether an env var name looks like a credential, as DG302 decides it.
pub fn is_credential_env_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    CREDENTIAL_WORDS.iter().any(|word| upper.contains(word))
}

/// A URL carrying a password: `scheme://user:password@`.
pub fn url_with_password() -> &'static Regex {
    static URL: OnceLock<Regex> = OnceLock::new();
    URL.get_or_init(|| Regex::new(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/@\s:]+:[^/@\s]+@").unwrap_or_else(|_| unreachable!()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rust_and_rego_definitions_agree() {
        let rego = include_str!("../policies/dg302_secret_in_env.rego");
        let line = rego.lines().find(|l| l.starts_with("credential_words :=")).expect("DG302 lists its words");
        let words: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        assert_eq!(words, CREDENTIAL_WORDS);
        assert!(is_credential_env_name("db_password"));
        assert!(!is_credential_env_name("LOG_LEVEL"));
        assert!(url_with_password().is_match("postgres://app:s3cret@db/app"));
        assert!(!url_with_password().is_match("https://example.com/a:b"));
    }
}
