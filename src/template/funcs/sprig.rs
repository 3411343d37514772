//! The Sprig library as Helm registers it (without env and expandenv).
//!
//! Each family lives in its own file under `sprig/`. Functions that read the clock or randomness
//! in Sprig are deterministic here (see docs/functions.md).

mod aes;
mod crypto;
mod date;
mod dicts;
mod encoding;
mod general;
mod json;
mod kdf;
mod lists;
mod math;
mod paths;
mod random;
mod regex;
mod semver;
mod strings;
mod support;

use super::Function;

/// Functions that change their first argument (a map) in place in Go. Here they return the
/// changed map, and the evaluator must store that result back where the first argument came
/// from (a variable, or a map field reached through one) so later reads see the change.
pub const IN_PLACE_MAP_FUNCTIONS: &[&str] = &["set", "unset", "merge", "mergeOverwrite", "mustMerge", "mustMergeOverwrite"];

/// Every Sprig function Helm registers, except `env`, `expandenv`, `fail` and the JSON functions
/// Helm replaces.
pub fn functions() -> Vec<Function> {
    let mut funcs = Vec::with_capacity(256);
    funcs.extend(strings::functions());
    funcs.extend(lists::functions());
    funcs.extend(dicts::functions());
    funcs.extend(general::functions());
    funcs.extend(math::functions());
    funcs.extend(random::functions());
    funcs.extend(semver::functions());
    funcs.extend(regex::functions());
    funcs.extend(encoding::functions());
    funcs.extend(paths::functions());
    funcs.extend(date::functions());
    funcs.extend(crypto::functions());
    funcs.extend(json::functions());
    funcs
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::template::funcs::FuncError;
    use crate::template::value::Value;

    /// Calls the Sprig function `name` directly, after checking the argument count against its
    /// declaration as the evaluator does.
    pub fn call(name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let funcs = super::functions();
        let f = funcs.iter().rev().find(|f| f.name == name).unwrap_or_else(|| panic!("no function {name}"));
        let fixed = if f.variadic { f.params.len() - 1 } else { f.params.len() };
        assert!(
            if f.variadic { args.len() >= fixed } else { args.len() == fixed },
            "{name}: wrong number of args {}",
            args.len()
        );
        (f.call)(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let funcs = functions();
        let mut names: Vec<&str> = funcs.iter().map(|f| f.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
