//! Form-encoded text written by hand, byte for byte as `serde_urlencoded`
//! writes a value: the `/go` and page URLs of a links answer
//! (`http::links`), and the catalog's texts encoded once when it loads.

/// `application/x-www-form-urlencoded` as `serde_urlencoded` (`form_urlencoded`)
/// writes a value: `*-._` and ASCII letters and digits as they are, space as
/// `+`, every other byte as `%XX`.
pub fn form_encode(text: &str, out: &mut Vec<u8>) {
    /// Each byte's encoding (the byte itself, `+`, or `%XX`) in four bytes,
    /// with its length in the last: one copy and one add a byte, no branch.
    const ENCODED: [[u8; 4]; 256] = {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut table = [[0; 4]; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            table[b] = if c.is_ascii_alphanumeric() || matches!(c, b'*' | b'-' | b'.' | b'_') {
                [c, 0, 0, 1]
            } else if c == b' ' {
                [b'+', 0, 0, 1]
            } else {
                [b'%', HEX[b >> 4], HEX[b & 15], 3]
            };
            b += 1;
        }
        table
    };
    // Into a buffer on the stack, copied out a chunk at a time: inputs are
    // short. A chunk's encoding (at most 192 bytes) is counted in a `u8`,
    // and the buffer holds four bytes past any `u8`, so no write into it
    // needs a bounds check.
    const CHUNK: usize = 64;
    let mut buffer = [0u8; 256 + 4];
    for chunk in text.as_bytes().chunks(CHUNK) {
        let mut written: u8 = 0;
        for &b in chunk {
            let encoded = ENCODED[usize::from(b)];
            let at = usize::from(written);
            // Four bytes are copied; the next byte's encoding overwrites the spare ones.
            buffer[at..at + 4].copy_from_slice(&encoded);
            written += encoded[3];
        }
        out.extend_from_slice(&buffer[..usize::from(written)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_every_byte_as_serde_urlencoded_does() {
        let mut texts: Vec<String> = (0..=0x7fu8).map(|b| format!("a{}b", b as char)).collect();
        texts.extend(
            [
                "",
                " ",
                "é☃x",
                "GET /api/profiles/{id}?include=lists,segments",
            ]
            .map(String::from),
        );
        texts.push("x".repeat(200) + "/" + &"é".repeat(70));
        for text in texts {
            let mut out = Vec::new();
            form_encode(&text, &mut out);
            let expected = serde_urlencoded::to_string([("k", &text)]).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                expected["k=".len()..],
                "{text:?}"
            );
        }
    }
}
