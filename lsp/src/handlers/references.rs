//! `textDocument/references`: every use of the stage or variable under the cursor.

use super::{Result, document};
use crate::session::Session;
use crate::symbols;
use lsp_types as lsp;

pub fn run(session: &Session, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
    let at = &params.text_document_position;
    let document = document(session, &at.text_document.uri)?;
    let file = &session.analysis(document).file;
    let positions = session.positions(document);
    let occurrences = symbols::occurrences(file);
    let Some(target) =
        symbols::at(&occurrences, positions.offset(at.position)).map(|o| o.target.clone())
    else {
        return Ok(None);
    };
    let include_declaration = params.context.include_declaration;
    Ok(Some(
        occurrences
            .iter()
            .filter(|o| o.target == target && (include_declaration || !o.definition))
            .map(|o| lsp::Location::new(document.uri.clone(), positions.range(o.span)))
            .collect(),
    ))
}
