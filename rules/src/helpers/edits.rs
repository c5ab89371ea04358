//! Edits several rule families make.

use crate::Edit;
use plimsoll_analyzer::{Instruction, Word};

/// The line break that inserted lines use: the file's own (`\r\n` when it has any).
pub fn line_break(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// `keyword` (upper case) written as `like` writes its keyword: in lower case when that
/// starts with a lower-case letter, so an inserted instruction matches the file.
pub fn keyword_as(like: &Instruction, source: &str, keyword: &str) -> String {
    if like
        .keyword_text(source)
        .starts_with(|c: char| c.is_lowercase())
    {
        keyword.to_lowercase()
    } else {
        keyword.to_string()
    }
}

/// Inserts `option` right after `word`: ` -y` in shell form, `, "-y"` in exec form.
pub fn insert_option(instruction: &Instruction, word: &Word, option: &str) -> Edit {
    let text = if instruction.is_exec_form() {
        format!(", \"{option}\"")
    } else {
        format!(" {option}")
    };
    Edit::insert(word.span.end, text)
}
