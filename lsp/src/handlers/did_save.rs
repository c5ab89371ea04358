//! `textDocument/didSave`: files in the build context may have changed; list it again and
//! re-lint the documents that live next to it.

use crate::session::{Effect, Session};
use lsp_types as lsp;

pub fn run(session: &mut Session, params: lsp::DidSaveTextDocumentParams) {
    let uri = params.text_document.uri;
    let Some(dir) = session
        .document(&uri)
        .and_then(|d| d.path())
        .and_then(|p| p.parent().map(|d| d.to_path_buf()))
    else {
        session.schedule(Effect::Publish(uri));
        return;
    };
    session.contexts.forget(&dir);
    let mut affected = Vec::new();
    for (other, document) in session.documents.iter_mut() {
        if document.path().as_deref().and_then(|p| p.parent()) == Some(dir.as_path()) {
            document.invalidate();
            affected.push(other.clone());
        }
    }
    for uri in affected {
        session.schedule(Effect::Publish(uri));
    }
    if session.client.pull_diagnostics {
        session.bump_generation();
        session.schedule(Effect::RefreshAll);
    }
}
