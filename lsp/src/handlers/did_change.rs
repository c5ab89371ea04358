//! `textDocument/didChange`: apply full or incremental changes; lint when the queue is idle.

use crate::server::log;
use crate::session::{Effect, Session};
use lsp_types as lsp;

pub fn run(session: &mut Session, params: lsp::DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let encoding = session.encoding;
    let Some(document) = session.documents.get_mut(&uri) else {
        log(&format!("change to a document that is not open: {uri}"));
        return;
    };
    document.apply_changes(
        params.content_changes,
        params.text_document.version,
        encoding,
    );
    session.schedule(Effect::Publish(uri));
}
