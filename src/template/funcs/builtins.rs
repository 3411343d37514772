//! Go's text/template builtins that are plain functions (len, index, slice, print, printf, eq, lt, html, js, urlquery, ...).

use super::Function;

pub fn functions() -> Vec<Function> {
    Vec::new()
}
