//! Sprig's encodings and checksums: base64, base32, sha1/sha256/sha512, adler32.

use base64::Engine as _;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::support::{bytes_arg, fixed, str_arg, string};
use crate::template::funcs::{Function, ParamType as P};
use crate::value::Value;

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("b64enc", &[P::String], |a| string(base64::engine::general_purpose::STANDARD.encode(bytes_arg(a, 0)?))),
        // Sprig returns the decoding error's text as the result instead of failing.
        fixed("b64dec", &[P::String], |a| Ok(decoded(base64_decode_bytes(str_arg(a, 0)?)))),
        fixed("b32enc", &[P::String], |a| string(base32_encode(bytes_arg(a, 0)?))),
        fixed("b32dec", &[P::String], |a| Ok(decoded(base32_decode_bytes(str_arg(a, 0)?)))),
        fixed("sha1sum", &[P::String], |a| string(hex::encode(Sha1::digest(bytes_arg(a, 0)?)))),
        fixed("sha256sum", &[P::String], |a| string(hex::encode(Sha256::digest(bytes_arg(a, 0)?)))),
        fixed("sha512sum", &[P::String], |a| string(hex::encode(Sha512::digest(bytes_arg(a, 0)?)))),
        fixed("adler32sum", &[P::String], |a| string(adler32(bytes_arg(a, 0)?).to_string())),
    ]
}

/// Sprig returns the decoded bytes as a Go string, or the decoding error's text.
fn decoded(result: Result<Vec<u8>, String>) -> Value {
    match result {
        Ok(bytes) => Value::go_string(bytes),
        Err(message) => Value::str(message),
    }
}

fn corrupt(kind: &str, offset: usize) -> String {
    format!("illegal {kind} data at input byte {offset}")
}

/// Go's `base64.StdEncoding.DecodeString`: newlines are ignored, padding is required, and
/// errors name the offending input byte as Go does.
pub fn base64_decode_bytes(text: &str) -> Result<Vec<u8>, String> {
    let clean: Vec<u8> = text.bytes().filter(|b| *b != b'\n' && *b != b'\r').collect();
    match base64::engine::general_purpose::STANDARD.decode(&clean) {
        Ok(bytes) => Ok(bytes),
        Err(base64::DecodeError::InvalidByte(offset, b'=')) => {
            // Go accepts a complete padded quantum and fails on what follows it.
            let end = offset + clean[offset..].iter().take_while(|b| **b == b'=').count();
            Err(corrupt("base64", if end % 4 == 0 && end < clean.len() { end } else { offset }))
        }
        Err(base64::DecodeError::InvalidByte(offset, _) | base64::DecodeError::InvalidLastSymbol(offset, _)) => {
            Err(corrupt("base64", offset))
        }
        Err(_) => {
            // Offset of the incomplete or over-long quantum, as Go reports it.
            let body = clean.iter().position(|b| *b == b'=').unwrap_or(clean.len());
            let padded_end = body + clean[body..].iter().take_while(|b| **b == b'=').count();
            let offset = if padded_end < clean.len() && padded_end % 4 == 0 { padded_end } else { body - body % 4 };
            Err(corrupt("base64", offset))
        }
    }
}

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(5) * 8);
    for chunk in input.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let bits = block.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(BASE32_ALPHABET[((bits >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base32.StdEncoding.DecodeString` (padding required, upper case only).
fn base32_decode_bytes(text: &str) -> Result<Vec<u8>, String> {
    let clean: Vec<u8> = text.bytes().filter(|b| *b != b'\n' && *b != b'\r').collect();
    let mut out = Vec::with_capacity(clean.len() * 5 / 8);
    for (block_index, block) in clean.chunks(8).enumerate() {
        let base = block_index * 8;
        let mut bits: u64 = 0;
        let mut data_chars = 0;
        for (i, c) in block.iter().enumerate() {
            if *c == b'=' {
                if i < 2 || block[i..].iter().any(|b| *b != b'=') || block.len() < 8 {
                    return Err(corrupt("base32", base));
                }
                break;
            }
            let value = BASE32_ALPHABET.iter().position(|a| a == c).ok_or_else(|| corrupt("base32", base + i))?;
            bits = (bits << 5) | value as u64;
            data_chars += 1;
        }
        if block.len() < 8 {
            return Err(corrupt("base32", base));
        }
        if data_chars < 8 && base + 8 < clean.len() {
            return Err(corrupt("base32", base + 8));
        }
        bits <<= 5 * (8 - data_chars);
        let bytes = match data_chars {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => return Err(corrupt("base32", base + data_chars)),
        };
        out.extend_from_slice(&bits.to_be_bytes()[3..3 + bytes]);
    }
    Ok(out)
}

/// Adler-32 checksum.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for byte in chunk {
            a += u32::from(*byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use crate::template::funcs::sprig::test_support::call;
    use crate::value::Value;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn results_observed_in_helm() {
        let cases: Vec<(&str, &str, &str)> = vec![
            ("b64enc", "hello", "aGVsbG8="),
            ("b64enc", "héllo", "aMOpbGxv"),
            ("b64dec", "aGVsbG8=", "hello"),
            ("b64dec", "!!", "illegal base64 data at input byte 0"),
            ("b64dec", "aGVsbG8", "illegal base64 data at input byte 4"),
            ("b64dec", "aGVsbG8=x", "illegal base64 data at input byte 8"),
            ("b64dec", "aGVs\nbG8=", "hello"),
            ("b32enc", "hello", "NBSWY3DP"),
            ("b32enc", "hi", "NBUQ===="),
            ("b32dec", "NBSWY3DP", "hello"),
            ("b32dec", "NBUQ====", "hi"),
            ("b32dec", "NBSWY3D", "illegal base32 data at input byte 0"),
            ("b32dec", "nbswy3dp", "illegal base32 data at input byte 0"),
            ("adler32sum", "hello", "103547413"),
            ("sha1sum", "hello", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
            ("sha256sum", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "sha512sum",
                "abc",
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            ),
        ];
        for (name, input, want) in cases {
            let got = call(name, &[s(input)]).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.as_str(), Some(want), "{name} {input:?}");
        }
    }

    #[test]
    fn binary_content_keeps_every_byte() {
        let binary = Value::Bytes(vec![0xff, 0x00, 0xfe].into());
        assert_eq!(call("b64enc", std::slice::from_ref(&binary)).unwrap().as_str(), Some("/wD+"));
        assert_eq!(
            call("sha256sum", &[binary]).unwrap().as_str(),
            Some("af9ceddc9d8b08ac09e1994bfd20459b5e377425df7354dfce3501992828a5b7")
        );
    }
}
