//! Where the passes stand: a name's function scope and byte position, and
//! a node with the scope it is in.

use tree_sitter::Node;

/// Where a name is read: its function scope and byte position.
#[derive(Debug, Clone, Copy)]
pub(super) struct At {
    pub scope: usize,
    pub pos: usize,
}

/// A node with the function scope it is in.
#[derive(Clone, Copy)]
pub(super) struct Visit<'t> {
    pub node: Node<'t>,
    pub scope: usize,
}

impl Visit<'_> {
    pub(super) fn at(&self) -> At {
        At {
            scope: self.scope,
            pos: self.node.start_byte(),
        }
    }
}
