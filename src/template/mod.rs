//! A Go `text/template` engine with Helm's and Sprig's function library.
//!
//! Parsing and execution follow Go's `text/template` exactly (the same output, the same error
//! texts), because Helm output must be reproduced byte for byte.

pub mod funcs;
pub mod value;
