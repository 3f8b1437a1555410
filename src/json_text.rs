//! JSON text written by hand, byte for byte as `serde_json` writes it: the
//! pieces the answer writer (`link::json`) and the JSON log lines
//! (`telemetry`) share.

/// Whether `serde_json` would escape a byte of the text: control characters,
/// `"` and `\` (it leaves everything else, non-ASCII included, as it is).
/// Written without an early exit, so that it compiles to a vector loop.
pub fn needs_escape(text: &str) -> bool {
    text.bytes().fold(false, |found, b| {
        found | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// A number in decimal, as `{}` (and `serde_json`) writes it, in `digits`.
pub fn decimal(value: u64, digits: &mut [u8; 20]) -> &str {
    std::str::from_utf8(decimal_bytes(value, digits)).expect("ASCII digits")
}

/// [`decimal`] as bytes, for writers of bytes (no UTF-8 check to pay).
pub fn decimal_bytes(value: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    &digits[at..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_display_does() {
        for value in [0u64, 7, 10, 200, 65_535, u64::MAX] {
            assert_eq!(decimal(value, &mut [0; 20]), value.to_string());
            assert_eq!(
                decimal_bytes(value, &mut [0; 20]),
                value.to_string().as_bytes()
            );
        }
    }

    #[test]
    fn escapes_what_serde_json_escapes() {
        for byte in 0..=0x7fu8 {
            let text = format!("a{}b", byte as char);
            let serde = serde_json::to_string(&text).unwrap();
            assert_eq!(
                needs_escape(&text),
                serde != format!("\"{text}\""),
                "{byte:#x}"
            );
        }
        assert!(!needs_escape("é ☃ plain"));
    }
}
