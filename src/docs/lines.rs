//! A doc's lines as the scope-list reader reads them: HTML table rows and
//! list items as Markdown ones (a row spread over several lines joined on
//! its first, the lines it took left as [`JOINED`]), other text as it is.

/// The doc's lines as text: HTML tags dropped (a table row or list item
/// spread over several lines joined on its first), Markdown emphasis kept
/// for the readers below to strip.
pub(super) fn doc_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if !(text.contains("<tr") || text.contains("<li") || text.contains("<td")) {
        return lines;
    }
    let mut open: Option<usize> = None;
    for index in 0..lines.len() {
        let lower = lines[index].to_ascii_lowercase();
        let opens = lower.contains("<tr") || lower.contains("<li");
        let closes = lower.contains("</tr") || lower.contains("</li");
        match open {
            Some(first) if first != index => {
                let moved = std::mem::replace(&mut lines[index], JOINED.to_owned());
                lines[first].push(' ');
                lines[first].push_str(&moved);
                if closes {
                    open = None;
                }
            }
            _ => {
                if opens && !closes {
                    open = Some(index);
                }
            }
        }
    }
    lines
        .into_iter()
        .map(|line| {
            if line == JOINED {
                line
            } else {
                html_row_as_text(&line)
            }
        })
        .collect()
}

/// What stands in place of an HTML line joined to the row or item it continues.
pub(super) const JOINED: &str = "\u{1}";

/// An HTML line as plain text: `<tr><td>List</td><td>Read</td></tr>` is the
/// table row `| List | Read |`, `<li>` a list item, headings a `#` heading.
fn html_row_as_text(line: &str) -> String {
    let lower = line.to_ascii_lowercase();
    if !lower.contains('<') {
        return line.to_owned();
    }
    let mut out = String::new();
    let prefix = if lower.contains("<li") {
        "- "
    } else if lower.contains("<h1")
        || lower.contains("<h2")
        || lower.contains("<h3")
        || lower.contains("<h4")
    {
        "## "
    } else {
        ""
    };
    let row = lower.contains("<td") || lower.contains("<th");
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = rest[open + 1..open + close].to_ascii_lowercase();
        if row && (tag.starts_with("td") || tag.starts_with("th")) {
            out.push_str(" | ");
        } else if tag.starts_with("code") || tag.starts_with("/code") {
            out.push('`');
        } else {
            out.push(' ');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let text = out.trim();
    if text.is_empty() {
        return String::new();
    }
    if row {
        format!("{text} |")
    } else {
        format!("{prefix}{text}")
    }
}
