//! `textDocument/didOpen`: start tracking the document and lint it.

use crate::session::{Effect, Session};
use lsp_types as lsp;

pub fn run(session: &mut Session, params: lsp::DidOpenTextDocumentParams) {
    let item = params.text_document;
    // The build context may have changed while no document of its directory was open.
    if let Some(dir) = crate::document::path_of(&item.uri)
        .as_deref()
        .and_then(|p| p.parent())
    {
        session.contexts.forget(dir);
    }
    session.open(item.uri.clone(), item.text, item.version);
    session.schedule(Effect::Publish(item.uri));
}
