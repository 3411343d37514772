//! HMAC-SHA256, PBKDF2 and scrypt, enough for Sprig's `derivePassword` (the Master Password
//! algorithm), which is deterministic and so is reproduced exactly.

use sha2::{Digest, Sha256};

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// PBKDF2-HMAC-SHA256 with one iteration (all scrypt needs).
fn pbkdf2_one_round(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut index: u32 = 1;
    while out.len() < len {
        let mut message = salt.to_vec();
        message.extend_from_slice(&index.to_be_bytes());
        let block = hmac_sha256(password, &message);
        let take = (len - out.len()).min(32);
        out.extend_from_slice(&block[..take]);
        index += 1;
    }
    out
}

fn salsa20_8(block: &mut [u32; 16]) {
    let mut x = *block;
    for _ in 0..4 {
        let quarter = |x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize| {
            x[b] ^= x[a].wrapping_add(x[d]).rotate_left(7);
            x[c] ^= x[b].wrapping_add(x[a]).rotate_left(9);
            x[d] ^= x[c].wrapping_add(x[b]).rotate_left(13);
            x[a] ^= x[d].wrapping_add(x[c]).rotate_left(18);
        };
        quarter(&mut x, 0, 4, 8, 12);
        quarter(&mut x, 5, 9, 13, 1);
        quarter(&mut x, 10, 14, 2, 6);
        quarter(&mut x, 15, 3, 7, 11);
        quarter(&mut x, 0, 1, 2, 3);
        quarter(&mut x, 5, 6, 7, 4);
        quarter(&mut x, 10, 11, 8, 9);
        quarter(&mut x, 15, 12, 13, 14);
    }
    for (b, v) in block.iter_mut().zip(x) {
        *b = b.wrapping_add(v);
    }
}

/// scrypt's BlockMix over `2 * r` 64-byte blocks held as u32 words.
fn block_mix(input: &[u32], output: &mut [u32], r: usize) {
    let mut x = [0u32; 16];
    x.copy_from_slice(&input[(2 * r - 1) * 16..2 * r * 16]);
    for i in 0..2 * r {
        for (xv, iv) in x.iter_mut().zip(&input[i * 16..(i + 1) * 16]) {
            *xv ^= iv;
        }
        salsa20_8(&mut x);
        let slot = if i % 2 == 0 { i / 2 } else { r + i / 2 };
        output[slot * 16..(slot + 1) * 16].copy_from_slice(&x);
    }
}

/// scrypt key derivation (`n` a power of two).
pub fn scrypt(password: &[u8], salt: &[u8], n: usize, r: usize, p: usize, len: usize) -> Vec<u8> {
    let block_words = 32 * r;
    let mut b = pbkdf2_one_round(password, salt, p * 128 * r);
    let mut v = vec![0u32; n * block_words];
    let mut x = vec![0u32; block_words];
    let mut y = vec![0u32; block_words];
    for chunk in b.chunks_mut(128 * r) {
        for (word, bytes) in x.iter_mut().zip(chunk.chunks(4)) {
            *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        for i in 0..n {
            v[i * block_words..(i + 1) * block_words].copy_from_slice(&x);
            block_mix(&x, &mut y, r);
            std::mem::swap(&mut x, &mut y);
        }
        for _ in 0..n {
            let j = x[(2 * r - 1) * 16] as usize & (n - 1);
            for (xv, vv) in x.iter_mut().zip(&v[j * block_words..(j + 1) * block_words]) {
                *xv ^= vv;
            }
            block_mix(&x, &mut y, r);
            std::mem::swap(&mut x, &mut y);
        }
        for (bytes, word) in chunk.chunks_mut(4).zip(&x) {
            bytes.copy_from_slice(&word.to_le_bytes());
        }
    }
    pbkdf2_one_round(password, &b, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn scrypt_matches_rfc_7914_vector() {
        let key = scrypt(b"password", b"NaCl", 1024, 8, 16, 64);
        assert_eq!(
            hex::encode(key),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        );
    }
}
