//! The Sprig library as Helm registers it (without env and expandenv).

use super::Function;

pub fn functions() -> Vec<Function> {
    Vec::new()
}
