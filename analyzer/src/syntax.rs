//! The tree-sitter pass: where the Containerfile grammar parses an instruction cleanly, its
//! start is a trusted cut point; the text between cut points is read by the lexer, which
//! also recovers everything the grammar got wrong.

use std::cell::RefCell;
use tree_sitter::Parser;

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new({
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_containerfile::LANGUAGE.into())
            .expect("the bundled Containerfile grammar matches the tree-sitter version");
        parser
    });
}

/// Byte offsets at which the grammar found an error-free instruction starting a line.
/// Offsets before `from` are skipped (the directives are read separately).
pub(crate) fn instruction_starts(text: &str, from: usize) -> Vec<usize> {
    let Some(tree) = PARSER.with(|p| p.borrow_mut().parse(text, None)) else {
        return Vec::new();
    };
    let root = tree.root_node();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|n| n.kind().ends_with("_instruction") && !n.has_error())
        .map(|n| n.start_byte())
        .filter(|&start| start >= from && starts_line(text, start))
        .collect()
}

fn starts_line(text: &str, offset: usize) -> bool {
    text[..offset].trim_end_matches([' ', '\t']).ends_with('\n')
        || text[..offset]
            .trim_start_matches('\u{feff}')
            .trim()
            .is_empty()
}
