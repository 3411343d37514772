//! The function library templates can call: Go's builtins, Sprig, and Helm's additions.
//!
//! Each function declares its Go parameter types; the evaluator checks and converts arguments
//! against them exactly as Go's `reflect`-based call does (same error texts), so function bodies
//! receive arguments of the declared shape. Functions that need the engine itself (`include`,
//! `tpl`, `template`-like helpers) are not here: the evaluator implements them.

use crate::helm_version::HelmVersion;
use crate::value::Value;

pub use crate::value::ParamType;

/// The error a function returns; the evaluator wraps it as Go does:
/// `error calling NAME: MESSAGE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncError(pub String);

impl FuncError {
    pub fn new(message: impl Into<String>) -> Self {
        FuncError(message.into())
    }
}

impl std::fmt::Display for FuncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A binary string (`.Files.Get` of a file that is not UTF-8) given to a function that reads text.
pub const BINARY_TEXT: &str = "driftgate cannot use the binary contents of a file (not UTF-8) as text; \
     only b64enc, b32enc, sha1sum, sha256sum, sha512sum, adler32sum and len take them as Helm does";

pub type NativeFn = fn(&[Value]) -> Result<Value, FuncError>;

/// One callable template function.
#[derive(Clone, Copy, Debug)]
pub struct Function {
    pub name: &'static str,
    /// Declared parameter types; with `variadic`, the last one repeats (`...T`).
    pub params: &'static [ParamType],
    pub variadic: bool,
    pub call: NativeFn,
}

pub mod builtins;
pub mod encoding;
pub mod sprig;

/// Every function a Helm template can call, except the ones the evaluator implements itself
/// (`and`, `or`, `include`, `tpl`, ...). Later entries with the same name replace earlier ones,
/// as Helm's function map does.
pub fn all() -> Vec<Function> {
    let mut funcs = builtins::functions();
    funcs.extend(sprig::functions());
    funcs.extend(encoding::functions());
    funcs
}

/// The function library of `helm`'s engine: Helm 3.17's, with Helm 4's additions and changed
/// functions after it (they replace the entries of the same name).
pub fn all_for(helm: HelmVersion) -> Vec<Function> {
    let mut funcs = all();
    if helm.is_v4() {
        funcs.extend(builtins::helm4_functions());
        funcs.extend(sprig::helm4_functions());
        funcs.extend(encoding::helm4_functions());
    }
    funcs
}
