//! `textDocument/didClose`: forget the document and clear its diagnostics.

use crate::session::{Effect, Session};
use lsp_types as lsp;

pub fn run(session: &mut Session, params: lsp::DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    session.documents.remove(&uri);
    session.schedule(Effect::Clear(uri));
}
