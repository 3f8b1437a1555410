//! An evaluated string expression as pieces: literal text, holes (values
//! known only at run time) and what cannot be read; their alternatives,
//! joined and rendered. What evaluation produces and every later pass reads.

/// A piece of an evaluated string expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Lit(String),
    /// A value known only at run time, named after the expression (a path parameter).
    Hole(String),
    /// Something that cannot be read at all.
    Unknown,
}

pub(super) type Pieces = Vec<Piece>;

/// At most this many alternatives per expression (`a ? b : c` doubles them).
pub(super) const MAX_ALTERNATIVES: usize = 4;

pub(super) fn unknown() -> Vec<Pieces> {
    vec![vec![Piece::Unknown]]
}

/// Every combination of a left and a right alternative, joined, up to the cap.
pub(super) fn combine(left: Vec<Pieces>, right: &[Pieces]) -> Vec<Pieces> {
    let mut out = Vec::new();
    for l in &left {
        for r in right {
            if out.len() == MAX_ALTERNATIVES {
                return out;
            }
            let mut joined = l.clone();
            for piece in r {
                push_piece(&mut joined, piece.clone());
            }
            out.push(joined);
        }
    }
    out
}

/// Appends a piece, merging adjacent literals and dropping empty ones.
pub(super) fn push_piece(pieces: &mut Pieces, piece: Piece) {
    match (pieces.last_mut(), piece) {
        (_, Piece::Lit(text)) if text.is_empty() => {}
        (Some(Piece::Lit(last)), Piece::Lit(text)) => last.push_str(&text),
        (_, piece) => pieces.push(piece),
    }
}

/// The text of pieces: holes as `{name}`, unknowns as U+0001.
pub(super) fn render(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Lit(text) => out.push_str(text),
            Piece::Hole(name) => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
            Piece::Unknown => out.push('\u{1}'),
        }
    }
    out
}

/// Joins a base and a relative path with one `/`.
pub(super) fn join(mut base: Pieces, path: Pieces) -> Pieces {
    let base_ends = matches!(base.last(), Some(Piece::Lit(t)) if t.ends_with('/'));
    let path_starts = matches!(path.first(), Some(Piece::Lit(t)) if t.starts_with('/'));
    if !base_ends && !path_starts {
        base.push(Piece::Lit("/".to_owned()));
    }
    if base_ends && path_starts {
        if let Some(Piece::Lit(t)) = base.last_mut() {
            t.pop();
        }
    }
    for piece in path {
        push_piece(&mut base, piece);
    }
    base
}
