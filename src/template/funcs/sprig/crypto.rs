//! Sprig's key, certificate and password functions.
//!
//! Real keys, certificates, salts and IVs are random and would make every render differ, so
//! these return deterministic placeholders of the right shape, derived from the arguments:
//! PEM blocks whose base64 body decodes to a text saying it is a driftgate placeholder, bcrypt
//! strings of the right length and alphabet, and so on. docs/functions.md lists each one.

use std::fmt::Write as _;
use std::sync::Arc;

use base64::Engine as _;

use super::random::DeterministicRng;
use super::support::{arg, fixed, int_arg, str_arg, string, strval};
use super::{aes, kdf};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::{Object, Value};

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("bcrypt", &[P::String], |a| string(bcrypt_placeholder(str_arg(a, 0)?))),
        fixed("htpasswd", &[P::String, P::String], |a| {
            let (user, password) = (str_arg(a, 0)?, str_arg(a, 1)?);
            if user.contains(':') {
                return string(format!("invalid username: {user}"));
            }
            string(format!("{user}:{}", bcrypt_placeholder(password)))
        }),
        // Go's parameter is uint32; larger values wrap as a Go conversion would.
        fixed("derivePassword", &[P::Int, P::String, P::String, P::String, P::String], |a| {
            let counter = int_arg(a, 0)? as u32;
            string(derive_password(counter, str_arg(a, 1)?, str_arg(a, 2)?, str_arg(a, 3)?, str_arg(a, 4)?))
        }),
        fixed("genPrivateKey", &[P::String], |a| {
            let kind = str_arg(a, 0)?;
            let label = match kind {
                "" | "rsa" => "RSA PRIVATE KEY",
                "dsa" => "DSA PRIVATE KEY",
                "ecdsa" => "EC PRIVATE KEY",
                "ed25519" => "PRIVATE KEY",
                other => return string(format!("Unknown type {other}")),
            };
            string(pem(label, &["genPrivateKey", kind], 1190))
        }),
        fixed("genCA", &[P::String, P::Int], |a| {
            let (cn, days) = (str_arg(a, 0)?, int_arg(a, 1)?);
            Ok(certificate(&["genCA", cn, &days.to_string()]))
        }),
        fixed("genCAWithKey", &[P::String, P::Int, P::String], |a| {
            let (cn, days, key) = (str_arg(a, 0)?, int_arg(a, 1)?, str_arg(a, 2)?);
            check_private_key(key)?;
            Ok(certificate_with_key(&["genCAWithKey", cn, &days.to_string(), key], key))
        }),
        fixed("genSelfSignedCert", &[P::String, P::List, P::List, P::Int], |a| {
            let parts = cert_parts("genSelfSignedCert", a)?;
            Ok(certificate(&parts.iter().map(String::as_str).collect::<Vec<_>>()))
        }),
        fixed("genSelfSignedCertWithKey", &[P::String, P::List, P::List, P::Int, P::String], |a| {
            let key = str_arg(a, 4)?;
            check_private_key(key)?;
            let parts = cert_parts("genSelfSignedCertWithKey", a)?;
            Ok(certificate_with_key(&parts.iter().map(String::as_str).collect::<Vec<_>>(), key))
        }),
        fixed("genSignedCert", &[P::String, P::List, P::List, P::Int, P::Any], |a| {
            let ca = ca_cert(arg(a, 4))?;
            let mut parts = cert_parts("genSignedCert", a)?;
            parts.push(ca);
            Ok(certificate(&parts.iter().map(String::as_str).collect::<Vec<_>>()))
        }),
        fixed("genSignedCertWithKey", &[P::String, P::List, P::List, P::Int, P::Any, P::String], |a| {
            let ca = ca_cert(arg(a, 4))?;
            let key = str_arg(a, 5)?;
            check_private_key(key)?;
            let mut parts = cert_parts("genSignedCertWithKey", a)?;
            parts.push(ca);
            Ok(certificate_with_key(&parts.iter().map(String::as_str).collect::<Vec<_>>(), key))
        }),
        fixed("buildCustomCert", &[P::String, P::String], |a| {
            let engine = base64::engine::general_purpose::STANDARD;
            let cert =
                engine.decode(str_arg(a, 0)?).map_err(|_| FuncError::new("unable to decode base64 certificate"))?;
            let key =
                engine.decode(str_arg(a, 1)?).map_err(|_| FuncError::new("unable to decode base64 private key"))?;
            let cert = String::from_utf8_lossy(&cert).into_owned();
            let key = String::from_utf8_lossy(&key).into_owned();
            if !cert.contains("-----BEGIN ") {
                return Err(FuncError::new("unable to decode certificate"));
            }
            check_private_key(&key)?;
            Ok(Value::Object(Arc::new(Certificate { cert, key })))
        }),
        fixed("encryptAES", &[P::String, P::String], |a| string(encrypt_aes(str_arg(a, 0)?, str_arg(a, 1)?))),
        fixed("decryptAES", &[P::String, P::String], |a| string(decrypt_aes(str_arg(a, 0)?, str_arg(a, 1)?)?)),
    ]
}

/// Sprig's `encryptAES`: AES-256-CBC with PKCS#7 padding, the IV first, base64-encoded. Sprig
/// draws the IV at random; here it is derived from the key and the text, so the output is
/// stable and still decrypts with Sprig's (and Helm's) `decryptAES`.
fn encrypt_aes(password: &str, plaintext: &str) -> String {
    if plaintext.is_empty() {
        return String::new();
    }
    let pad = 16 - plaintext.len() % 16;
    let mut data = plaintext.as_bytes().to_vec();
    data.extend(std::iter::repeat_n(pad as u8, pad));
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&kdf::hmac_sha256(password.as_bytes(), plaintext.as_bytes())[..16]);
    aes::cbc_encrypt(&aes::Aes256::new(&aes::sprig_key(password)), iv, &mut data);
    let mut out = iv.to_vec();
    out.extend_from_slice(&data);
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// Sprig's `decryptAES`, with Go's panics turned into the same error texts.
fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, FuncError> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let bytes = super::encoding::base64_decode_bytes(crypt64).map_err(FuncError::new)?;
    if bytes.len() < 16 {
        return Err(FuncError::new(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            bytes.len()
        )));
    }
    let (iv, rest) = bytes.split_at(16);
    if rest.len() % 16 != 0 {
        return Err(FuncError::new("crypto/cipher: input not full blocks"));
    }
    let mut data = rest.to_vec();
    let mut iv_block = [0u8; 16];
    iv_block.copy_from_slice(iv);
    aes::cbc_decrypt(&aes::Aes256::new(&aes::sprig_key(password)), iv_block, &mut data);
    let Some(&pad) = data.last() else {
        return Err(FuncError::new("runtime error: index out of range [-1]"));
    };
    let keep = data.len() as i64 - i64::from(pad);
    if keep < 0 {
        return Err(FuncError::new(format!("runtime error: slice bounds out of range [:{keep}]")));
    }
    data.truncate(keep as usize);
    Ok(String::from_utf8_lossy(&data).into_owned())
}

/// Sprig's `certificate` struct: `.Cert` and `.Key` hold PEM text.
#[derive(Clone, Debug)]
struct Certificate {
    cert: String,
    key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(self.cert.as_str())),
            "Key" => Some(Value::str(self.key.as_str())),
            _ => None,
        }
    }

    fn format_v(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
}

fn certificate(parts: &[&str]) -> Value {
    let mut key_parts = parts.to_vec();
    key_parts.push("key");
    let key = pem("RSA PRIVATE KEY", &key_parts, 1190);
    certificate_with_key(parts, &key)
}

fn certificate_with_key(parts: &[&str], key: &str) -> Value {
    Value::Object(Arc::new(Certificate { cert: pem("CERTIFICATE", parts, 800), key: key.to_string() }))
}

fn check_private_key(key: &str) -> Result<(), FuncError> {
    if key.contains("-----BEGIN ") && key.contains("PRIVATE KEY-----") {
        Ok(())
    } else {
        Err(FuncError::new("parsing private key: no PEM data found"))
    }
}

/// `cn`, the IP and DNS lists and the validity days, as strings for seeding.
fn cert_parts(name: &str, a: &[Value]) -> Result<Vec<String>, FuncError> {
    let list = |i: usize| -> Result<String, FuncError> {
        match arg(a, i) {
            Value::List(items) => Ok(items.iter().map(|v| strval(v).into_owned()).collect::<Vec<_>>().join(",")),
            Value::Nil => Ok(String::new()),
            other => Err(FuncError::new(format!(
                "wrong type for value; expected []interface {{}}; got {}",
                other.type_name()
            ))),
        }
    };
    Ok(vec![name.to_string(), str_arg(a, 0)?.to_string(), list(1)?, list(2)?, int_arg(a, 3)?.to_string()])
}

fn ca_cert(value: &Value) -> Result<String, FuncError> {
    match value {
        Value::Object(o) if o.type_name() == "sprig.certificate" => {
            Ok(o.field("Cert").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
        }
        other => {
            Err(FuncError::new(format!("wrong type for value; expected sprig.certificate; got {}", other.type_name())))
        }
    }
}

/// A PEM block whose body decodes to a placeholder notice followed by deterministic filler.
fn pem(label: &str, parts: &[&str], size: usize) -> String {
    let mut body =
        format!("driftgate placeholder {label} ({}); not a real key or certificate\n", parts.first().unwrap_or(&""))
            .into_bytes();
    let mut rng = DeterministicRng::from_parts(parts);
    while body.len() < size {
        body.push(rng.next_u64() as u8);
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(&body);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    let _ = writeln!(out, "-----END {label}-----");
    out
}

/// A string shaped like a bcrypt hash (`$2a$10$` + 53 characters of bcrypt's alphabet).
fn bcrypt_placeholder(input: &str) -> String {
    const ALPHABET: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = DeterministicRng::from_parts(&["bcrypt", input]);
    let tail: String = (0..53).map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize] as char).collect();
    format!("$2a$10${tail}")
}

/// The scrypt master key for a password and salt. scrypt is slow by design (32 MiB, tens of
/// milliseconds) and charts derive many site passwords from one master password, so keys are
/// remembered per rendering thread.
fn master_key(password: &str, salt: &[u8]) -> Vec<u8> {
    /// (password, salt, derived key)
    type CachedKey = (String, Vec<u8>, Vec<u8>);
    thread_local! {
        static KEYS: std::cell::RefCell<Vec<CachedKey>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    if let Some(key) =
        KEYS.with(|keys| keys.borrow().iter().find(|(p, s, _)| p == password && s == salt).map(|(_, _, k)| k.clone()))
    {
        return key;
    }
    let key = kdf::scrypt(password.as_bytes(), salt, 32768, 8, 2, 64);
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if keys.len() >= 8 {
            keys.remove(0);
        }
        keys.push((password.to_string(), salt.to_vec(), key.clone()));
    });
    key
}

/// The Master Password algorithm, as Sprig implements it: scrypt over the user name, HMAC over
/// the site and counter, then one character class template filled from the HMAC bytes.
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    const SEED: &[u8] = b"com.lyndir.masterpassword";
    let templates: &[&str] = match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return format!("cannot find password template {kind}"),
    };
    let mut salt = SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let key = master_key(password, &salt);
    let mut message = SEED.to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    let seed = kdf::hmac_sha256(&key, &message);
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, class)| {
            let chars: &[u8] = match class {
                b'V' => b"AEIOU",
                b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
                b'v' => b"aeiou",
                b'c' => b"bcdfghjklmnpqrstvwxyz",
                b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
                b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
                b'n' => b"0123456789",
                b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
                _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
            };
            // The templates are at most 20 long and the seed has 32 bytes.
            chars[usize::from(seed[(i + 1) % seed.len()]) % chars.len()] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_support::call;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    #[test]
    fn certificates_are_reproducible_pem() {
        let ca = call("genCA", &[s("my-ca"), Value::Int(365)]).unwrap();
        let again = call("genCA", &[s("my-ca"), Value::Int(365)]).unwrap();
        let Value::Object(o) = &ca else { panic!() };
        let cert = o.field("Cert").unwrap();
        let cert = cert.as_str().unwrap();
        assert!(cert.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(cert.ends_with("\n-----END CERTIFICATE-----\n"));
        assert!(cert.lines().all(|l| l.len() <= 64));
        assert_eq!(ca.format_v(), again.format_v());
        let key = o.field("Key").unwrap();
        assert!(key.as_str().unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let body: String = cert.lines().filter(|l| !l.starts_with("-----")).collect();
        let decoded = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
        assert!(decoded.starts_with(b"driftgate placeholder CERTIFICATE (genCA)"));

        let signed = call(
            "genSignedCert",
            &[s("svc"), Value::list(vec![s("10.0.0.1")]), Value::list(vec![s("svc.local")]), Value::Int(30), ca],
        )
        .unwrap();
        assert_eq!(signed.type_name(), "sprig.certificate");
    }

    #[test]
    fn derive_password_matches_helm() {
        let cases = [
            (1, "long", "password", "user", "example.com", "ZedaFaxcZaso9*"),
            (2, "maximum", "pw", "u", "s", "S2$TYTKe9bU9YXWCqT@%"),
            (1, "pin", "pw", "u", "s", "6287"),
        ];
        for (counter, kind, password, user, site, want) in cases {
            let got = call("derivePassword", &[Value::Int(counter), s(kind), s(password), s(user), s(site)]).unwrap();
            assert_eq!(got.as_str(), Some(want), "{kind}");
        }
    }

    #[test]
    fn aes_decrypts_what_helm_encrypted_and_round_trips() {
        let cases = [
            ("secretkey", "CCbztuuo5MDGBfDK8PcxIJKl27Nqww7ubZae5Yf2wVU=", "plaintext"),
            (
                "a-key-that-is-longer-than-thirty-two-bytes",
                "ql4pXl6+kIieNZ3336/5HH1REB+dNSBL3x1KW/B50eVlZuNURFo6/7PkT6YcIPhJ",
                "sixteen byte msg",
            ),
        ];
        for (key, data, want) in cases {
            assert_eq!(call("decryptAES", &[s(key), s(data)]).unwrap().as_str(), Some(want));
            let ours = call("encryptAES", &[s(key), s(want)]).unwrap();
            assert_eq!(ours.as_str(), call("encryptAES", &[s(key), s(want)]).unwrap().as_str());
            assert_eq!(call("decryptAES", &[s(key), ours]).unwrap().as_str(), Some(want));
        }
        let errors = [
            ("!!", "illegal base64 data at input byte 0"),
            ("AAAA", "runtime error: slice bounds out of range [:16] with capacity 3"),
            ("AAAAAAAAAAAAAAAAAAAAAA==", "runtime error: index out of range [-1]"),
            ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "runtime error: slice bounds out of range [:-19]"),
        ];
        for (data, want) in errors {
            assert_eq!(call("decryptAES", &[s("k"), s(data)]).unwrap_err().0, want, "{data}");
        }
        assert_eq!(call("decryptAES", &[s("k"), s("")]).unwrap().as_str(), Some(""));
    }

    #[test]
    fn password_helpers_have_the_right_shape() {
        let hash = call("bcrypt", &[s("secret")]).unwrap();
        let hash = hash.as_str().unwrap();
        assert_eq!(hash.len(), 60);
        assert!(hash.starts_with("$2a$10$"));
        let line = call("htpasswd", &[s("admin"), s("secret")]).unwrap();
        assert_eq!(line.as_str().unwrap(), format!("admin:{hash}"));
        assert_eq!(call("htpasswd", &[s("a:b"), s("x")]).unwrap().as_str(), Some("invalid username: a:b"));
        assert_eq!(
            call("derivePassword", &[Value::Int(1), s("nope"), s("pw"), s("user"), s("site")]).unwrap().as_str(),
            Some("cannot find password template nope")
        );
        assert_eq!(call("genPrivateKey", &[s("foo")]).unwrap().as_str(), Some("Unknown type foo"));
        assert!(
            call("genPrivateKey", &[s("ecdsa")])
                .unwrap()
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN EC PRIVATE KEY-----")
        );
        assert_eq!(call("encryptAES", &[s("k"), s("")]).unwrap().as_str(), Some(""));
    }
}
