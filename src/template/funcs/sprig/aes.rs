//! AES-256 in CBC mode with PKCS#7 padding, enough for Sprig's `encryptAES` / `decryptAES`.
//! Small and table-light: speed does not matter for a handful of template calls.

/// Multiplication in AES's field GF(2^8).
const fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        let high = a & 0x80;
        a <<= 1;
        if high != 0 {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    product
}

const SBOX: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let x = i as u8;
        let mut inverse = 0u8;
        if x != 0 {
            let mut y = 1u16;
            while y < 256 {
                if gmul(x, y as u8) == 1 {
                    inverse = y as u8;
                    break;
                }
                y += 1;
            }
        }
        let mut result = inverse;
        let mut rotated = inverse;
        let mut k = 0;
        while k < 4 {
            rotated = rotated.rotate_left(1);
            result ^= rotated;
            k += 1;
        }
        table[i] = result ^ 0x63;
        i += 1;
    }
    table
};

const INV_SBOX: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        table[SBOX[i] as usize] = i as u8;
        i += 1;
    }
    table
};

const ROUNDS: usize = 14;

/// The expanded AES-256 key schedule.
pub struct Aes256 {
    round_keys: [[u8; 16]; ROUNDS + 1],
}

impl Aes256 {
    /// Expands a 32-byte key.
    pub fn new(key: &[u8; 32]) -> Aes256 {
        let mut words = [[0u8; 4]; 4 * (ROUNDS + 1)];
        for (i, word) in words.iter_mut().take(8).enumerate() {
            word.copy_from_slice(&key[4 * i..4 * i + 4]);
        }
        let mut rcon = 1u8;
        for i in 8..words.len() {
            let mut temp = words[i - 1];
            if i % 8 == 0 {
                temp = [
                    SBOX[temp[1] as usize] ^ rcon,
                    SBOX[temp[2] as usize],
                    SBOX[temp[3] as usize],
                    SBOX[temp[0] as usize],
                ];
                rcon = gmul(rcon, 2);
            } else if i % 8 == 4 {
                temp = temp.map(|b| SBOX[b as usize]);
            }
            for k in 0..4 {
                words[i][k] = words[i - 8][k] ^ temp[k];
            }
        }
        let mut round_keys = [[0u8; 16]; ROUNDS + 1];
        for (r, round_key) in round_keys.iter_mut().enumerate() {
            for c in 0..4 {
                round_key[4 * c..4 * c + 4].copy_from_slice(&words[4 * r + c]);
            }
        }
        Aes256 { round_keys }
    }

    fn add_round_key(state: &mut [u8; 16], key: &[u8; 16]) {
        for (s, k) in state.iter_mut().zip(key) {
            *s ^= k;
        }
    }

    fn shift_rows(state: &mut [u8; 16], inverse: bool) {
        let old = *state;
        for r in 1..4 {
            for c in 0..4 {
                let from = if inverse { (c + 4 - r) % 4 } else { (c + r) % 4 };
                state[r + 4 * c] = old[r + 4 * from];
            }
        }
    }

    fn mix_columns(state: &mut [u8; 16], coefficients: [u8; 4]) {
        for c in 0..4 {
            let col = [state[4 * c], state[4 * c + 1], state[4 * c + 2], state[4 * c + 3]];
            for r in 0..4 {
                state[4 * c + r] = (0..4).fold(0, |acc, k| acc ^ gmul(col[k], coefficients[(k + 4 - r) % 4]));
            }
        }
    }

    /// Encrypts one block.
    pub fn encrypt_block(&self, block: &mut [u8; 16]) {
        Self::add_round_key(block, &self.round_keys[0]);
        for round in 1..=ROUNDS {
            for b in block.iter_mut() {
                *b = SBOX[*b as usize];
            }
            Self::shift_rows(block, false);
            if round != ROUNDS {
                Self::mix_columns(block, [2, 3, 1, 1]);
            }
            Self::add_round_key(block, &self.round_keys[round]);
        }
    }

    /// Decrypts one block.
    pub fn decrypt_block(&self, block: &mut [u8; 16]) {
        Self::add_round_key(block, &self.round_keys[ROUNDS]);
        for round in (0..ROUNDS).rev() {
            Self::shift_rows(block, true);
            for b in block.iter_mut() {
                *b = INV_SBOX[*b as usize];
            }
            Self::add_round_key(block, &self.round_keys[round]);
            if round != 0 {
                Self::mix_columns(block, [14, 11, 13, 9]);
            }
        }
    }
}

/// Sprig's key: the password's bytes, truncated or zero-padded to 32.
pub fn sprig_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let bytes = password.as_bytes();
    let len = bytes.len().min(32);
    key[..len].copy_from_slice(&bytes[..len]);
    key
}

/// CBC encryption of already padded `data` (a multiple of 16 bytes).
pub fn cbc_encrypt(cipher: &Aes256, iv: [u8; 16], data: &mut [u8]) {
    let mut previous = iv;
    for chunk in data.chunks_exact_mut(16) {
        let mut block = [0u8; 16];
        for (i, b) in block.iter_mut().enumerate() {
            *b = chunk[i] ^ previous[i];
        }
        cipher.encrypt_block(&mut block);
        chunk.copy_from_slice(&block);
        previous = block;
    }
}

/// CBC decryption of `data` (a multiple of 16 bytes).
pub fn cbc_decrypt(cipher: &Aes256, iv: [u8; 16], data: &mut [u8]) {
    let mut previous = iv;
    for chunk in data.chunks_exact_mut(16) {
        let mut block = [0u8; 16];
        block.copy_from_slice(chunk);
        let saved = block;
        cipher.decrypt_block(&mut block);
        for (i, b) in block.iter().enumerate() {
            chunk[i] = b ^ previous[i];
        }
        previous = saved;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fips_197_aes_256_vector() {
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        let cipher = Aes256::new(&key);
        let mut block: [u8; 16] = hex::decode("00112233445566778899aabbccddeeff").unwrap().try_into().unwrap();
        cipher.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "8ea2b7ca516745bfeafc49904b496089");
        cipher.decrypt_block(&mut block);
        assert_eq!(hex::encode(block), "00112233445566778899aabbccddeeff");
    }
}
