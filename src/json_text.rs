//! JSON text written by hand, byte for byte as `serde_json` writes it: the
//! piece the answer writer (`link::json`) and the JSON log lines
//! (`telemetry`) share.

use std::fmt;

/// Whether `serde_json` escapes this byte in a string: control characters,
/// `"` and `\\`. The one statement of the rule; everything else here reads it.
pub const fn is_escaped(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether `serde_json` would escape a byte of the text (everything else,
/// non-ASCII included, it leaves as it is). Written without an early exit,
/// so that it compiles to a vector loop.
pub fn needs_escape(text: &str) -> bool {
    text.bytes().fold(false, |found, b| found | is_escaped(b))
}

/// A JSON string as `serde_json` writes it.
pub fn write_json_str(writer: &mut (impl fmt::Write + ?Sized), text: &str) -> fmt::Result {
    writer.write_char('"')?;
    write_escaped(writer, text)?;
    writer.write_char('"')
}

/// The text, escaped as `serde_json` escapes a string's content.
pub fn write_escaped(writer: &mut (impl fmt::Write + ?Sized), text: &str) -> fmt::Result {
    if !needs_escape(text) {
        return writer.write_str(text);
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if !is_escaped(byte) {
            continue;
        }
        writer.write_str(&text[start..at])?;
        match byte {
            b'"' => writer.write_str("\\\"")?,
            b'\\' => writer.write_str("\\\\")?,
            b'\n' => writer.write_str("\\n")?,
            b'\r' => writer.write_str("\\r")?,
            b'\t' => writer.write_str("\\t")?,
            0x08 => writer.write_str("\\b")?,
            0x0c => writer.write_str("\\f")?,
            _ => write!(writer, "\\u{byte:04x}")?,
        }
        start = at + 1;
    }
    writer.write_str(&text[start..])
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

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut texts: Vec<String> = (0..=0x7fu8).map(|b| format!("a{}b", b as char)).collect();
        texts.extend(["", "plain", "é ☃", "\"\\\n\u{1}\u{1f}x\u{7f}"].map(String::from));
        for text in texts {
            let mut written = String::new();
            write_json_str(&mut written, &text).unwrap();
            assert_eq!(written, serde_json::to_string(&text).unwrap(), "{text:?}");
        }
    }
}
