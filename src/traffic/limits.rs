//! Limits on the byte stream of recorded traffic: its size, and the JSON
//! nesting depth and key length serde_json would otherwise buffer unbounded.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use super::{TrafficError, MAX_JSON_DEPTH, MAX_KEY_BYTES};

/// Why the byte stream was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    TooLarge(u64),
    TooDeep,
    KeyTooLong,
}

impl From<Stop> for TrafficError {
    fn from(stop: Stop) -> TrafficError {
        match stop {
            Stop::TooLarge(limit) => TrafficError::TooLarge { limit },
            Stop::TooDeep => TrafficError::TooDeep {
                limit: MAX_JSON_DEPTH,
            },
            Stop::KeyTooLong => TrafficError::KeyTooLong {
                limit: MAX_KEY_BYTES,
            },
        }
    }
}

pub(super) fn stopped(stop: &Cell<Option<Stop>>, why: Stop) -> io::Error {
    stop.set(Some(why));
    io::Error::new(io::ErrorKind::InvalidData, "input stopped")
}

/// Counts bytes and fails past the limit.
pub(super) struct Limited<R> {
    pub(super) inner: R,
    pub(super) read: u64,
    pub(super) limit: Option<u64>,
    pub(super) stop: Rc<Cell<Option<Stop>>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.read += count as u64;
        match self.limit {
            Some(limit) if self.read > limit => Err(stopped(&self.stop, Stop::TooLarge(limit))),
            _ => Ok(count),
        }
    }
}

/// Follows the JSON structure byte by byte and fails on deep nesting or long
/// keys, the two things serde_json would otherwise buffer without bound.
pub(super) struct JsonGuard<R> {
    inner: R,
    depth: u32,
    /// Bit `i`: the container at depth `i + 1` is an object.
    objects: u64,
    in_string: bool,
    escaped: bool,
    expect_key: bool,
    in_key: bool,
    key_bytes: usize,
    stop: Rc<Cell<Option<Stop>>>,
}

impl<R> JsonGuard<R> {
    pub(super) fn new(inner: R, stop: Rc<Cell<Option<Stop>>>) -> JsonGuard<R> {
        JsonGuard {
            inner,
            depth: 0,
            objects: 0,
            in_string: false,
            escaped: false,
            expect_key: false,
            in_key: false,
            key_bytes: 0,
            stop,
        }
    }

    pub(super) fn scan(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        let mut at = 0;
        while at < bytes.len() {
            // A value's string (most of a HAR: bodies, headers) in a tight
            // loop with its state in locals: only `\` and `"` change anything.
            if self.in_string && !self.in_key {
                let mut escaped = self.escaped;
                while at < bytes.len() {
                    let byte = bytes[at];
                    at += 1;
                    if escaped {
                        escaped = false;
                    } else if byte == b'\\' {
                        escaped = true;
                    } else if byte == b'"' {
                        self.in_string = false;
                        break;
                    }
                }
                self.escaped = escaped;
                continue;
            }
            let byte = bytes[at];
            at += 1;
            if self.in_string {
                if self.in_key {
                    self.key_bytes += 1;
                    if self.key_bytes > MAX_KEY_BYTES {
                        return Err(Stop::KeyTooLong);
                    }
                }
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == b'"' {
                    self.in_string = false;
                    self.in_key = false;
                }
                continue;
            }
            match byte {
                b'"' => {
                    self.in_string = true;
                    self.in_key = self.expect_key;
                    self.key_bytes = 0;
                    self.expect_key = false;
                }
                b'{' | b'[' => {
                    if self.depth >= MAX_JSON_DEPTH {
                        return Err(Stop::TooDeep);
                    }
                    let bit = 1u64 << self.depth;
                    if byte == b'{' {
                        self.objects |= bit;
                    } else {
                        self.objects &= !bit;
                    }
                    self.depth += 1;
                    self.expect_key = byte == b'{';
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.expect_key = false;
                }
                b',' => {
                    self.expect_key =
                        self.depth > 0 && self.objects & (1u64 << (self.depth - 1)) != 0;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for JsonGuard<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.scan(&buffer[..count])
            .map_err(|why| stopped(&self.stop, why))?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(text: &str) -> Result<(), Stop> {
        JsonGuard::new(io::empty(), Rc::default()).scan(text.as_bytes())
    }

    #[test]
    fn guard_counts_nesting_and_key_length_outside_strings() {
        assert!(guard(r#"{"a": [{"b": "[[[[{{{{"}]}"#).is_ok());
        assert_eq!(guard(&"[".repeat(65)), Err(Stop::TooDeep));
        assert!(guard(&"[".repeat(64)).is_ok());
        let long_key = format!("{{\"{}\": 1}}", "k".repeat(MAX_KEY_BYTES + 1));
        assert_eq!(guard(&long_key), Err(Stop::KeyTooLong));
        let long_value = format!(
            "{{\"k\": \"{}\", \"a\": [\"{}\"]}}",
            "v".repeat(100_000),
            "w".repeat(100_000)
        );
        assert!(guard(&long_value).is_ok());
    }

    /// The same verdicts whatever the reads' sizes (the skip inside strings
    /// resumes across buffers), on texts with escapes, keys and nesting.
    #[test]
    fn guard_gives_the_same_verdict_in_any_chunks() {
        let deep = format!(
            "{{\"a\": \"x\\\"{}\", \"b\": {}1{}}}",
            "[".repeat(10),
            "[".repeat(70),
            "]".repeat(70)
        );
        let long_key = format!(
            "[\"{}\", {{\"{}\": \"v\\\\\"}}]",
            "s".repeat(300),
            "k".repeat(MAX_KEY_BYTES + 1)
        );
        let fine =
            r#"{"log": {"entries": [{"a\"b": "c\\", "d": ["\"[[[{", {"e": "f"}]}]}}"#.to_owned();
        for (text, verdict) in [
            (deep, Err(Stop::TooDeep)),
            (long_key, Err(Stop::KeyTooLong)),
            (fine, Ok(())),
        ] {
            assert_eq!(guard(&text), verdict, "{text}");
            for chunk in [1, 2, 3, 7, 64] {
                let mut guarded = JsonGuard::new(io::empty(), Rc::default());
                let got = text
                    .as_bytes()
                    .chunks(chunk)
                    .try_for_each(|piece| guarded.scan(piece));
                assert_eq!(got, verdict, "{chunk}: {text}");
            }
        }
    }
}
