//! `textDocument/documentHighlight`: the stage or variable under the cursor, everywhere in
//! the file; definitions as writes, uses as reads.

use super::{Result, document};
use crate::session::Session;
use crate::symbols;
use lsp_types as lsp;

pub fn run(
    session: &Session,
    params: lsp::DocumentHighlightParams,
) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
    let at = &params.text_document_position_params;
    let document = document(session, &at.text_document.uri)?;
    let file = &session.analysis(document).file;
    let positions = session.positions(document);
    let occurrences = symbols::occurrences(file);
    let Some(target) =
        symbols::at(&occurrences, positions.offset(at.position)).map(|o| o.target.clone())
    else {
        return Ok(None);
    };
    Ok(Some(
        occurrences
            .iter()
            .filter(|o| o.target == target)
            .map(|o| lsp::DocumentHighlight {
                range: positions.range(o.span),
                kind: Some(if o.definition {
                    lsp::DocumentHighlightKind::WRITE
                } else {
                    lsp::DocumentHighlightKind::READ
                }),
            })
            .collect(),
    ))
}
