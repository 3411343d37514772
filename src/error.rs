//! Errors that stop a run before any finding can be made: bad flags, an unreadable or invalid
//! `driftgate.yaml`, a directory with no charts. They exit with code 2.

use crate::diagnostic::Location;

/// Why driftgate could not do what was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct FatalError {
    pub message: String,
    /// The file and position at fault, when a file is.
    pub location: Option<Location>,
    /// What was expected, or how to fix it.
    pub help: Option<String>,
}

impl FatalError {
    pub fn new(message: impl Into<String>) -> Self {
        FatalError { message: message.into(), location: None, help: None }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for FatalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}:{}:{}: ", loc.file, loc.line, loc.column)?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FatalError {}
