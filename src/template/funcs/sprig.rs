//! The Sprig library as Helm registers it (without env and expandenv).
//!
//! Each family lives in its own file under `sprig/`. Functions that read the clock or randomness
//! in Sprig are deterministic here (see docs/functions.md).

mod aes;
mod crypto;
pub(crate) mod date;
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
pub mod semver;
mod strings;
mod support;
#[cfg(test)]
mod through_engine;

use super::Function;

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

/// What Helm 4 (v4.1.4) changed in the Sprig functions it registers (same Sprig v3.3, newer
/// libraries under it).
pub fn helm4_functions() -> Vec<Function> {
    let mut funcs = semver::helm4_functions();
    funcs.extend(regex::helm4_functions());
    funcs
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::template::funcs::FuncError;
    use crate::value::Value;

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

    use crate::template::funcs::ParamType;
    use crate::value::{Map, Value};

    fn samples(param: ParamType) -> Vec<Value> {
        let strings = [
            "",
            "é",
            "a/b:c",
            "-1",
            "%zz",
            "Jé",
            "1.0\u{3000}- 2.0",
            "((",
            "2006-01-02",
            "x\u{a0}y",
            "0x1F",
            "=>",
            "a*",
            "Jan",
            "\u{3000}1.0 - 2.0",
        ];
        let map: Map = [("a".to_string(), Value::Int(1)), ("é".to_string(), Value::Nil)].into();
        match param {
            ParamType::String => strings.iter().map(|s| Value::str(*s)).collect(),
            ParamType::Int | ParamType::Int64 => [-7, -1, 0, 1, 3, 100].iter().map(|i| Value::Int(*i)).collect(),
            ParamType::Float64 => {
                vec![Value::Float(-0.5), Value::Float(0.0), Value::Float(2.5), Value::Float(f64::NAN)]
            }
            ParamType::Bool => vec![Value::Bool(true), Value::Bool(false)],
            ParamType::List => vec![Value::list(vec![]), Value::list(vec![Value::Nil, Value::str("é"), Value::Int(2)])],
            ParamType::Map => vec![Value::map(Map::new()), Value::map(map)],
            ParamType::StringList => vec![Value::list(vec![Value::str("a")])],
            ParamType::Any => {
                let mut all = vec![Value::Nil, Value::Int(-2), Value::Int64(5), Value::Float(1e300), Value::Bool(true)];
                all.extend(strings.iter().take(6).map(|s| Value::str(*s)));
                all.push(Value::Bytes(vec![0xc3, 0xa9, 0xff].into()));
                all.push(Value::list(vec![Value::Int(1), Value::list(vec![])]));
                all.push(Value::map([("k".to_string(), Value::map(Map::new()))].into()));
                all
            }
        }
    }

    /// Every function, fed many combinations of arguments of its declared types (including
    /// multi-byte text cut at odd places), returns a value or an error and never panics.
    #[test]
    fn no_function_panics_on_odd_arguments() {
        for f in functions() {
            if f.name == "derivePassword" {
                continue; // scrypt is slow; its argument handling is covered by its own test.
            }
            let mut params: Vec<ParamType> = f.params.to_vec();
            if f.variadic {
                if let Some(last) = params.last().copied() {
                    params.push(last);
                }
            }
            let pools: Vec<Vec<Value>> = params.iter().map(|p| samples(*p)).collect();
            for round in 0..60usize {
                let args: Vec<Value> = pools
                    .iter()
                    .enumerate()
                    .map(|(i, pool)| pool[(round * (i + 1) + round / pool.len()) % pool.len()].clone())
                    .collect();
                let fixed = if f.variadic { f.params.len() - 1 } else { f.params.len() };
                let count = if f.variadic { fixed + round % (args.len() - fixed + 1) } else { fixed };
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (f.call)(&args[..count])));
                assert!(outcome.is_ok(), "{} panicked on {:?}", f.name, &args[..count]);
            }
        }
    }

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
