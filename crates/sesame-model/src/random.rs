//! Random text from the operating system's CSPRNG.

use rand::{rngs::OsRng, RngCore};

/// `len` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
pub fn text(alphabet: &[u8], len: usize) -> String {
    let size = alphabet.len();
    let limit = (256 / size * size) as u8;
    let mut out = String::with_capacity(len);
    let mut block = [0u8; 64];
    while out.len() < len {
        OsRng.fill_bytes(&mut block);
        for &byte in block.iter().filter(|&&byte| byte < limit) {
            out.push(alphabet[usize::from(byte) % size] as char);
            if out.len() == len {
                break;
            }
        }
    }
    out
}
