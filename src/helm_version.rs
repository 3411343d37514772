//! Which Helm's `helm template` driftgate reproduces: Helm 3 (v3.17.2, the default) or Helm 4
//! (v4.1.4). Set by `--helm` or `helmVersion` in `driftgate.yaml`; each behaviour that differs
//! between the two is switched on this value where that behaviour is implemented.

/// The Helm major version whose output is reproduced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum HelmVersion {
    /// Helm v3.17.2.
    #[default]
    V3,
    /// Helm v4.1.4.
    V4,
}

impl HelmVersion {
    /// The accepted spellings: `3` and `4` (a leading `v` is allowed).
    pub const CHOICES: &'static str = "3 or 4";

    /// `3`, `4`, `v3`, `v4`; anything else is `None`.
    pub fn parse(text: &str) -> Option<HelmVersion> {
        match text.trim().trim_start_matches('v') {
            "3" => Some(HelmVersion::V3),
            "4" => Some(HelmVersion::V4),
            _ => None,
        }
    }

    /// The major version number.
    pub fn major(self) -> u8 {
        match self {
            HelmVersion::V3 => 3,
            HelmVersion::V4 => 4,
        }
    }

    /// The exact Helm release whose output is reproduced.
    pub fn release(self) -> &'static str {
        match self {
            HelmVersion::V3 => "v3.17.2",
            HelmVersion::V4 => "v4.1.4",
        }
    }

    pub fn is_v4(self) -> bool {
        self == HelmVersion::V4
    }
}

impl std::fmt::Display for HelmVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.major())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_two_majors_only() {
        assert_eq!(HelmVersion::parse("3"), Some(HelmVersion::V3));
        assert_eq!(HelmVersion::parse("v4"), Some(HelmVersion::V4));
        assert_eq!(HelmVersion::parse("5"), None);
        assert_eq!(HelmVersion::parse("3.17"), None);
        assert_eq!(HelmVersion::default().major(), 3);
    }
}
