//! JSON text written by hand, byte for byte as `serde_json` writes it: the
//! piece the answer writer (`link::json`) and the JSON log lines
//! (`telemetry`) share.

/// Whether `serde_json` would escape a byte of the text: control characters,
/// `"` and `\` (it leaves everything else, non-ASCII included, as it is).
/// Written without an early exit, so that it compiles to a vector loop.
pub fn needs_escape(text: &str) -> bool {
    text.bytes().fold(false, |found, b| {
        found | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
