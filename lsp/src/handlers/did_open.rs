//! `textDocument/didOpen`: start tracking the document and lint it.

use crate::document::Document;
use crate::session::{Effect, Session};
use lsp_types as lsp;

pub fn run(session: &mut Session, params: lsp::DidOpenTextDocumentParams) {
    let item = params.text_document;
    let document = Document::new(item.uri.clone(), item.text, item.version);
    // The build context may have changed while no document of its directory was open.
    if let Some(dir) = document.path().as_deref().and_then(|p| p.parent()) {
        session.contexts.forget(dir);
    }
    session.documents.insert(item.uri.clone(), document);
    session.schedule(Effect::Publish(item.uri));
}
