//! Sprig's random functions, made reproducible: every value is derived from the function name and
//! its arguments, so two renders (and two machines) produce the same output.

use base64::Engine as _;

use super::support::{fixed, int_arg, string};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::Value;

const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const NUMERIC: &[u8] = b"0123456789";

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("randAlphaNum", &[P::Int], |a| random_string("randAlphaNum", int_arg(a, 0)?, ALPHANUMERIC)),
        fixed("randAlpha", &[P::Int], |a| random_string("randAlpha", int_arg(a, 0)?, ALPHA)),
        fixed("randNumeric", &[P::Int], |a| random_string("randNumeric", int_arg(a, 0)?, NUMERIC)),
        fixed("randAscii", &[P::Int], |a| {
            let printable: Vec<u8> = (32u8..=126).collect();
            random_string("randAscii", int_arg(a, 0)?, &printable)
        }),
        fixed("randBytes", &[P::Int], |a| {
            let count = int_arg(a, 0)?;
            let count =
                usize::try_from(count).map_err(|_| FuncError::new("runtime error: makeslice: len out of range"))?;
            let mut rng = DeterministicRng::from_parts(&["randBytes", &count.to_string()]);
            let bytes: Vec<u8> = (0..count).map(|_| rng.next_u64() as u8).collect();
            string(base64::engine::general_purpose::STANDARD.encode(bytes))
        }),
        fixed("randInt", &[P::Int, P::Int], |a| {
            let (min, max) = (int_arg(a, 0)?, int_arg(a, 1)?);
            let span = max.wrapping_sub(min);
            if span <= 0 {
                return Err(FuncError::new("invalid argument to Intn"));
            }
            let mut rng = DeterministicRng::from_parts(&["randInt", &min.to_string(), &max.to_string()]);
            Ok(Value::Int(min + rng.below(span as u64) as i64))
        }),
        fixed("uuidv4", &[], |_| string(uuid_v4(&["uuidv4"]))),
    ]
}

fn random_string(name: &str, count: i64, alphabet: &[u8]) -> Result<Value, FuncError> {
    // goutils returns an error (which Sprig drops) for a negative count: the result is "".
    if count <= 0 {
        return string("");
    }
    if count > 1 << 24 {
        return Err(FuncError::new(format!("{name}: count {count} is too large")));
    }
    let mut rng = DeterministicRng::from_parts(&[name, &count.to_string()]);
    let out: String = (0..count).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize] as char).collect();
    string(out)
}

/// A version-4-shaped UUID derived from `parts`.
pub fn uuid_v4(parts: &[&str]) -> String {
    let mut rng = DeterministicRng::from_parts(parts);
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes()[..chunk.len()]);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// SplitMix64 seeded with an FNV-1a hash of its inputs: small, fast and stable across platforms.
#[derive(Clone, Debug)]
pub struct DeterministicRng {
    state: u64,
}

impl DeterministicRng {
    /// A generator whose sequence depends only on `parts`.
    pub fn from_parts(parts: &[&str]) -> Self {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in parts {
            for byte in part.bytes().chain(std::iter::once(0xff)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        DeterministicRng { state: hash }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..bound` (`bound > 0`), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        let bound = bound.max(1);
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % bound;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_support::call;

    #[test]
    fn random_strings_have_the_requested_shape_and_repeat() {
        let a = call("randAlphaNum", &[Value::Int(16)]).unwrap();
        let a = a.as_str().unwrap().to_string();
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(call("randAlphaNum", &[Value::Int(16)]).unwrap().as_str(), Some(a.as_str()));
        let n = call("randNumeric", &[Value::Int(8)]).unwrap();
        assert!(n.as_str().unwrap().bytes().all(|b| b.is_ascii_digit()));
        let l = call("randAlpha", &[Value::Int(8)]).unwrap();
        assert!(l.as_str().unwrap().bytes().all(|b| b.is_ascii_alphabetic()));
        assert_eq!(call("randAscii", &[Value::Int(-1)]).unwrap().as_str(), Some(""));
    }

    #[test]
    fn uuid_is_well_formed_v4() {
        let u = call("uuidv4", &[]).unwrap();
        let u = u.as_str().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn rand_int_stays_in_range() {
        let v = call("randInt", &[Value::Int(5), Value::Int(8)]).unwrap();
        assert!(matches!(v, Value::Int(5..=7)));
        assert_eq!(call("randInt", &[Value::Int(5), Value::Int(5)]).unwrap_err().0, "invalid argument to Intn");
    }
}
