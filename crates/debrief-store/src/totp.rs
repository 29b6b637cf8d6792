//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second steps, six
//! digits, the secret as base32, as every authenticator app reads them.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP: i64 = 30;
/// Steps either side of now that are accepted (clocks drift).
pub const SKEW: i64 = 1;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A fresh 160-bit secret, base32 without padding.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    base32(&bytes)
}

/// Base32 (RFC 4648) without padding.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The bytes of a base32 secret (spaces and case ignored); `None` when it is not base32.
pub fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET
            .iter()
            .position(|&a| a as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// The code for `step` (`unix / 30`), six digits.
pub fn code(secret: &[u8], step: i64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    value % 1_000_000
}

/// The step whose code `typed` is, within [`SKEW`] steps of `now` and after `last` (a code is
/// accepted once); `None` otherwise.
pub fn verify(secret: &str, typed: &str, now: i64, last: i64) -> Option<i64> {
    let key = unbase32(secret)?;
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let typed: u32 = digits.parse().ok()?;
    let current = now.div_euclid(STEP);
    (current - SKEW..=current + SKEW)
        .filter(|s| *s > last)
        .find(|s| code(&key, *s) == typed)
}

/// The `otpauth://` address an authenticator app reads (typed in, or as a QR code elsewhere).
pub fn uri(secret: &str, email: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/debrief:{}?secret={secret}&issuer=debrief&algorithm=SHA1&digits=6&period=30",
        enc(email)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vectors_give_their_last_six_digits() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890".
        let key = b"12345678901234567890";
        for (t, full) in [
            (59, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (2_000_000_000, 69_279_037),
        ] {
            assert_eq!(code(key, t / STEP), full % 1_000_000, "T={t}");
        }
    }

    #[test]
    fn base32_round_trips_and_codes_verify_once() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert_eq!(base32(&unbase32(&secret).unwrap()), secret);
        assert_eq!(
            base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        let now = 1_800_000_000;
        let typed = format!("{:06}", code(&unbase32(&secret).unwrap(), now / STEP));
        let step = verify(&secret, &typed, now, 0).expect("the current code");
        assert_eq!(verify(&secret, &typed, now, step), None, "never twice");
        assert_eq!(
            verify(&secret, &typed, now + 10 * STEP, 0),
            None,
            "not ten steps later"
        );
        assert_eq!(verify(&secret, "12345", now, 0), None);
        assert_eq!(verify(&secret, "abcdef", now, 0), None);
    }
}
