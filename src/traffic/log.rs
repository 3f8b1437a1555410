//! Reads a plain request log: one `METHOD URL` a line, `#` comments, with
//! lines longer than [`MAX_LINE_BYTES`] counted as unreadable, never buffered.

use std::io::{self, BufRead};

use super::aggregate::{Aggregator, Place};
use super::MAX_LINE_BYTES;

pub(super) fn read_log(input: &mut impl BufRead, calls: &mut Aggregator<'_>) -> io::Result<()> {
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let Some(too_long) = read_line_bounded(input, &mut line)? else {
            return Ok(());
        };
        number += 1;
        let place = Place::Line(number);
        if too_long {
            calls.unreadable(place, "the line is longer than 64 KiB");
            continue;
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            calls.unreadable(place, "the line is not UTF-8");
            continue;
        };
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let mut words = text.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some(method), Some(url), None) => calls.call(place, method, url),
            _ => calls.unreadable(place, "expected `METHOD URL`"),
        }
        if calls.stop.is_some() {
            return Ok(());
        }
    }
}

/// Reads one line into `line`, keeping at most [`MAX_LINE_BYTES`]; `None` at
/// the end of the input, else whether the line was longer.
fn read_line_bounded(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    let mut any = false;
    let mut too_long = false;
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(any.then_some(too_long));
        }
        any = true;
        let newline = buffer.iter().position(|&b| b == b'\n');
        let end = newline.map_or(buffer.len(), |at| at + 1);
        let room = MAX_LINE_BYTES.saturating_sub(line.len());
        if end > room {
            too_long = true;
        }
        line.extend_from_slice(&buffer[..end.min(room)]);
        input.consume(end);
        if newline.is_some() {
            return Ok(Some(too_long));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_and_flagged() {
        let text = format!("{}\nGET x\nlast", "a".repeat(MAX_LINE_BYTES + 10));
        let mut input = io::Cursor::new(text.into_bytes());
        let mut line = Vec::new();
        assert_eq!(
            read_line_bounded(&mut input, &mut line).unwrap(),
            Some(true)
        );
        assert_eq!(line.len(), MAX_LINE_BYTES);
        line.clear();
        assert_eq!(
            read_line_bounded(&mut input, &mut line).unwrap(),
            Some(false)
        );
        assert_eq!(line, b"GET x\n");
        line.clear();
        assert_eq!(
            read_line_bounded(&mut input, &mut line).unwrap(),
            Some(false)
        );
        line.clear();
        assert_eq!(read_line_bounded(&mut input, &mut line).unwrap(), None);
    }
}
