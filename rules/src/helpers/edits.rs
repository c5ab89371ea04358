//! Edits several rule families make.

use crate::Edit;
use plimsoll_analyzer::{Instruction, Word};

/// Inserts `option` right after `word`: ` -y` in shell form, `, "-y"` in exec form.
pub fn insert_option(instruction: &Instruction, word: &Word, option: &str) -> Edit {
    let text = if instruction.is_exec_form() {
        format!(", \"{option}\"")
    } else {
        format!(" {option}")
    };
    Edit::insert(word.span.end, text)
}
