//! `textDocument/definition`: from a stage reference to its `FROM … AS name`, from `$VAR`
//! to the ARG or ENV that sets it.

use super::{Result, document};
use crate::session::Session;
use crate::symbols;
use lsp_types as lsp;

pub fn run(
    session: &Session,
    params: lsp::GotoDefinitionParams,
) -> Result<Option<lsp::GotoDefinitionResponse>> {
    let at = &params.text_document_position_params;
    let document = document(session, &at.text_document.uri)?;
    let file = &session.analysis(document).file;
    let positions = session.positions(document);
    let occurrences = symbols::occurrences(file);
    let Some(occurrence) = symbols::at(&occurrences, positions.offset(at.position)) else {
        return Ok(None);
    };
    Ok(
        symbols::definition(file, &occurrences, &occurrence.target).map(|span| {
            lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(
                document.uri.clone(),
                positions.range(span),
            ))
        }),
    )
}
