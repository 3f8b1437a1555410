//! Evaluates a string expression into literal text and holes: literals,
//! interpolation, concatenation, format strings (`%s`, `{}`, `{0}`),
//! constants and fields, conditional branches (each an alternative), URL
//! builders (`urljoin`, `new URL`, `path.Join`, `.concat`), configuration
//! getters with a default, and helper functions of the same file by what
//! they return. Every string literal read is recorded, so a literal a call
//! took is not reported again as a path standing alone.

use tree_sitter::Node;

use super::engine::Engine;
use super::pieces::{combine, join, unknown, Piece, Pieces, MAX_ALTERNATIVES};
use super::position::At;
use super::{text, Arg, Concat, Part};
use crate::resolve::parameter_name;

/// How deep names are followed through other names.
const MAX_DEPTH: usize = 10;

/// How a call with a known name computes a string.
pub(super) enum StringCall {
    /// Its value is its first argument's (`URI(s)`, `url.parse(s)`).
    Same,
    /// Its value is its receiver's, trimmed or converted (`s.strip("/")`, `u.toString()`).
    Receiver,
    /// The receiver (or first argument) joined with every other argument.
    Join,
    /// `new URL(path, base)`: the second argument joined with the first.
    UrlWithBase,
    /// A configuration getter with a default: the default, or a value from elsewhere.
    Default,
}

/// How a call computes a string, by its name (and what it is called on).
pub(super) fn string_call(call: &super::Call<'_>, src: &str) -> Option<StringCall> {
    let args = call.args.iter().filter(|a| a.name.is_none()).count();
    let on = call.receiver.map(|r| text(r, src)).unwrap_or_default();
    Some(match call.name.as_str() {
        "URL" if call.is_new && args >= 2 => StringCall::UrlWithBase,
        "create" | "parse" if !matches!(on, "URI" | "Uri" | "URL" | "url" | "urllib.parse") => {
            return None
        }
        "toString" | "ToString" | "to_s" | "trim" | "strip" | "rstrip" | "lstrip" | "trimEnd"
        | "TrimEnd" | "TrimStart" | "freeze" | "dup" | "toURI" | "toExternalForm" | "toUri"
            if call.receiver.is_some() =>
        {
            StringCall::Receiver
        }
        "URI" | "URL" | "Uri" | "create" | "parse" | "urlparse" | "String" | "str"
        | "encodeURI" | "rtrim" | "untrailingslashit" | "valueOf" | "trim" | "strval" => {
            StringCall::Same
        }
        "urljoin" | "join" | "Join" | "JoinPath" | "joinpath" | "Combine" | "concat" | "Concat"
        | "resolve" | "ResolveReference" | "AppendPathSegment" | "AppendPathSegments"
        | "path_join" | "joinPaths" => StringCall::Join,
        "get"
        | "getenv"
        | "Getenv"
        | "env"
        | "fetch"
        | "getProperty"
        | "GetValue"
        | "getOrDefault"
        | "GetEnvironmentVariable"
        | "config"
        | "setting"
        | "get_env"
        | "getString"
            if args >= 2 =>
        {
            StringCall::Default
        }
        _ => return None,
    })
}

/// A placeholder in a format string: `%s`, `%1$s`, `{}`, `{0}`, `{0:D}`, `{name}`.
enum Placeholder {
    Next,
    Index(usize),
    Named(String),
}

/// Splits a format string's literal text at its placeholders.
fn placeholders(text: &str) -> Vec<Result<String, Placeholder>> {
    let mut out: Vec<Result<String, Placeholder>> = Vec::new();
    let mut literal = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if let Some(after) = rest.strip_prefix("%%") {
            literal.push('%');
            i = text.len() - after.len();
            continue;
        }
        if let Some((placeholder, len)) =
            printf_placeholder(rest).or_else(|| brace_placeholder(rest))
        {
            out.push(Ok(std::mem::take(&mut literal)));
            out.push(Err(placeholder));
            i += len;
            continue;
        }
        let c = rest.chars().next().expect("not at the end");
        literal.push(c);
        i += c.len_utf8();
    }
    out.push(Ok(literal));
    out
}

fn printf_placeholder(text: &str) -> Option<(Placeholder, usize)> {
    let body = text.strip_prefix('%')?;
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    let (index, after) = match body[digits..].strip_prefix('$') {
        Some(after) if digits > 0 => (body[..digits].parse::<usize>().ok(), after),
        _ => (None, body),
    };
    let flags = after
        .bytes()
        .take_while(|b| matches!(b, b'-' | b'+' | b'0' | b' ' | b'#' | b'.') || b.is_ascii_digit())
        .count();
    let conversion = *after.as_bytes().get(flags)?;
    if !b"sdvqxiufg@".contains(&conversion) {
        return None;
    }
    let len = text.len() - after.len() + flags + 1;
    let placeholder = match index {
        Some(n) if n > 0 => Placeholder::Index(n - 1),
        _ => Placeholder::Next,
    };
    Some((placeholder, len))
}

fn brace_placeholder(text: &str) -> Option<(Placeholder, usize)> {
    let body = text.strip_prefix('{')?;
    let end = body.find('}')?;
    let inside = body[..end].split(':').next().unwrap_or_default();
    let placeholder = if inside.is_empty() {
        Placeholder::Next
    } else if let Ok(index) = inside.parse::<usize>() {
        Placeholder::Index(index)
    } else if inside
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Placeholder::Named(inside.to_owned())
    } else {
        return None;
    };
    Some((placeholder, end + 2))
}

impl<'t> Engine<'_, 't> {
    /// Evaluates a string expression into its alternatives (usually one).
    pub(super) fn eval(&self, node: Node<'t>, at: At, depth: usize) -> Vec<Pieces> {
        if depth > MAX_DEPTH {
            return unknown();
        }
        let syntax = self.syntax;
        let src = self.src;
        if let Some(parts) = syntax.string_parts(node, src) {
            self.touched.borrow_mut().push(node.id());
            let mut alternatives: Vec<Pieces> = vec![Vec::new()];
            for part in parts {
                let next = match part {
                    Part::Lit(literal) => vec![vec![Piece::Lit(literal)]],
                    Part::Expr(expr) => self.eval_hole(expr, at, depth + 1),
                    Part::Name(name) => self.eval_name(&name, at, depth + 1, false),
                };
                alternatives = combine(alternatives, &next);
            }
            return alternatives;
        }
        if let Some(branches) = syntax.branches(node, src) {
            let mut alternatives = Vec::new();
            for branch in branches {
                for alternative in self.eval(branch, at, depth + 1) {
                    if alternatives.len() < MAX_ALTERNATIVES && !alternatives.contains(&alternative)
                    {
                        alternatives.push(alternative);
                    }
                }
            }
            return alternatives;
        }
        if let Some(concat) = syntax.concat(node, src) {
            return match concat {
                Concat::Join(left, right) => {
                    let left = self.eval(left, at, depth + 1);
                    combine(left, &self.eval_hole(right, at, depth + 1))
                }
                Concat::Format(template, args) => self.eval_format(template, &args, at, depth),
                Concat::Same(inner) => self.eval(inner, at, depth + 1),
            };
        }
        if let Some(call) = syntax.call(node, src) {
            return self.eval_call(&call, at, depth);
        }
        if let Some(chain) = syntax.chain(node, src) {
            let name = chain.last().cloned().unwrap_or_default();
            let member = chain.len() > 1 || name.starts_with('@');
            return self.eval_name(&name, at, depth + 1, member);
        }
        unknown()
    }

    /// An interpolated or concatenated expression: its value, or a named hole.
    pub(super) fn eval_hole(&self, node: Node<'t>, at: At, depth: usize) -> Vec<Pieces> {
        let alternatives = self.eval(node, at, depth);
        if alternatives == unknown() {
            return vec![vec![Piece::Hole(parameter_name(text(node, self.src)))]];
        }
        alternatives
    }

    /// What a name holds where it is read, or a hole named after it.
    fn eval_name(&self, name: &str, at: At, depth: usize, member: bool) -> Vec<Pieces> {
        let name = name.trim_end_matches("()");
        let Some(binding) = self.lookup_as(name, at, member) else {
            return vec![vec![Piece::Hole(name.to_owned())]];
        };
        // A value read by many calls is evaluated once.
        let key = binding.value.id();
        if let Some((alternatives, touched)) = self.memo.borrow().get(&key) {
            self.touched.borrow_mut().extend(touched.iter().copied());
            return named_or_hole(alternatives.clone(), name);
        }
        let mark = self.touched.borrow().len();
        let bound = At {
            scope: binding.scope,
            pos: binding.pos,
        };
        let alternatives = self.eval(binding.value, bound, depth + 1);
        let touched = self.touched.borrow()[mark..].to_vec();
        self.memo
            .borrow_mut()
            .insert(key, (alternatives.clone(), touched));
        named_or_hole(alternatives, name)
    }

    fn eval_format(
        &self,
        template: Node<'t>,
        args: &[Node<'t>],
        at: At,
        depth: usize,
    ) -> Vec<Pieces> {
        let mut out = Vec::new();
        for alternative in self.eval(template, at, depth + 1) {
            let mut next_arg = 0;
            let mut pieces: Vec<Pieces> = vec![Vec::new()];
            for piece in alternative {
                let Piece::Lit(literal) = piece else {
                    pieces = combine(pieces, &[vec![piece]]);
                    continue;
                };
                for chunk in placeholders(&literal) {
                    let value = match chunk {
                        Ok(literal) => vec![vec![Piece::Lit(literal)]],
                        Err(placeholder) => {
                            let index = match &placeholder {
                                Placeholder::Next => {
                                    next_arg += 1;
                                    Some(next_arg - 1)
                                }
                                Placeholder::Index(i) => Some(*i),
                                Placeholder::Named(_) => None,
                            };
                            match (index.and_then(|i| args.get(i)), placeholder) {
                                (Some(arg), _) => self.eval_hole(*arg, at, depth + 1),
                                (None, Placeholder::Named(name)) => {
                                    vec![vec![Piece::Hole(name)]]
                                }
                                (None, _) => vec![vec![Piece::Hole("value".to_owned())]],
                            }
                        }
                    };
                    pieces = combine(pieces, &value);
                }
            }
            for p in pieces {
                if out.len() < MAX_ALTERNATIVES {
                    out.push(p);
                }
            }
        }
        out
    }

    /// A call's value: URL builders and configuration getters by name, and
    /// helper functions of this file by what they return.
    fn eval_call(&self, call: &super::Call<'t>, at: At, depth: usize) -> Vec<Pieces> {
        let positional: Vec<&Arg<'t>> = call.args.iter().filter(|a| a.name.is_none()).collect();
        let stringy = |node: Node<'t>| {
            self.syntax.string_parts(node, self.src).is_some()
                || self.syntax.concat(node, self.src).is_some()
                || self.syntax.call(node, self.src).is_some()
                || self.syntax.chain(node, self.src).is_some()
        };
        match string_call(call, self.src) {
            Some(StringCall::Same) => {
                if let Some(first) = positional.first() {
                    return self.eval(first.value, at, depth + 1);
                }
            }
            Some(StringCall::Receiver) => {
                if let Some(receiver) = call.receiver.filter(|r| stringy(*r)) {
                    return self.eval(receiver, at, depth + 1);
                }
            }
            Some(StringCall::UrlWithBase) => {
                let path = self.eval(positional[0].value, at, depth + 1);
                let base = self.eval(positional[1].value, at, depth + 1);
                return cross(base, &path);
            }
            Some(StringCall::Join) => {
                let mut parts: Vec<Node<'t>> = Vec::new();
                if let Some(receiver) = call
                    .receiver
                    .filter(|r| stringy(*r) && !is_type_name(*r, self.src))
                {
                    parts.push(receiver);
                }
                parts.extend(positional.iter().map(|a| a.value));
                if parts.len() >= 2 {
                    let mut value = self.eval(parts[0], at, depth + 1);
                    for part in &parts[1..] {
                        value = cross(value, &self.eval_hole(*part, at, depth + 1));
                    }
                    return value;
                }
            }
            Some(StringCall::Default) => {
                let default = self.eval(positional[positional.len() - 1].value, at, depth + 1);
                if default
                    .iter()
                    .any(|p| p.iter().all(|piece| matches!(piece, Piece::Lit(_))))
                {
                    let mut alternatives = vec![vec![Piece::Hole(call.name.clone())]];
                    alternatives.extend(default);
                    alternatives.truncate(MAX_ALTERNATIVES);
                    return alternatives;
                }
            }
            None => {}
        }
        if let Some(returns) = self.returns.get(&call.name) {
            let mut alternatives = Vec::new();
            for (scope, value) in returns {
                let inner = At {
                    scope: *scope,
                    pos: value.start_byte(),
                };
                for alternative in self.eval(*value, inner, depth + 1) {
                    if alternatives.len() < MAX_ALTERNATIVES && !alternatives.contains(&alternative)
                    {
                        alternatives.push(alternative);
                    }
                }
            }
            if !alternatives.is_empty() {
                return alternatives;
            }
        }
        unknown()
    }
}

/// A value that cannot be read becomes a hole named after its name.
fn named_or_hole(alternatives: Vec<Pieces>, name: &str) -> Vec<Pieces> {
    if alternatives == unknown() {
        vec![vec![Piece::Hole(name.to_owned())]]
    } else {
        alternatives
    }
}

/// Every base alternative joined with every path alternative.
fn cross(base: Vec<Pieces>, path: &[Pieces]) -> Vec<Pieces> {
    let mut out = Vec::new();
    for b in &base {
        for p in path {
            if out.len() < MAX_ALTERNATIVES {
                out.push(join(b.clone(), p.clone()));
            }
        }
    }
    out
}

/// `URI`, `Path`, `url`: a type or module the call is made on, not a value.
fn is_type_name(node: Node<'_>, src: &str) -> bool {
    let name = text(node, src);
    matches!(
        name,
        "URI"
            | "Uri"
            | "URL"
            | "Url"
            | "Path"
            | "path"
            | "posixpath"
            | "url"
            | "os.path"
            | "File"
            | "string"
            | "String"
            | "urllib.parse"
            | "parse"
            | "filepath"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::extract::pieces::render;

    fn shape(text: &str) -> Vec<String> {
        placeholders(text)
            .into_iter()
            .map(|c| match c {
                Ok(l) => format!("L{l}"),
                Err(Placeholder::Next) => "N".to_owned(),
                Err(Placeholder::Index(i)) => format!("I{i}"),
                Err(Placeholder::Named(n)) => format!("K{n}"),
            })
            .collect()
    }

    #[test]
    fn format_placeholders_of_every_family() {
        assert_eq!(
            shape("%s/api/lists/%s/"),
            ["L", "N", "L/api/lists/", "N", "L/"]
        );
        assert_eq!(shape("%1$s/x/%2$d"), ["L", "I0", "L/x/", "I1", "L"]);
        assert_eq!(
            shape("{}/lists/{0}/{id}"),
            ["L", "N", "L/lists/", "I0", "L/", "Kid", "L"]
        );
        assert_eq!(shape("{0:D}/a"), ["L", "I0", "L/a"]);
        assert_eq!(shape("100%% of %v"), ["L100% of ", "N", "L"]);
        assert_eq!(shape("a{b c}%"), ["La{b c}%"]);
    }

    #[test]
    fn joins_take_one_slash() {
        let lit = |s: &str| vec![Piece::Lit(s.to_owned())];
        assert_eq!(
            render(&join(lit("https://h/api/"), lit("/lists"))),
            "https://h/api/lists"
        );
        assert_eq!(
            render(&join(lit("https://h/api"), lit("lists"))),
            "https://h/api/lists"
        );
        assert_eq!(
            render(&join(lit("https://h/api/"), lit("lists"))),
            "https://h/api/lists"
        );
    }
}
