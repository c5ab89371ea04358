//! `textDocument/didSave`: files in the build context may have changed; list it again and
//! re-lint the documents that live next to it. Configuration files may have changed too
//! (for clients that do not watch files): they are read again, and the documents whose
//! configuration changed are re-linted.

use crate::session::{Effect, Session};
use lsp_types as lsp;

pub fn run(session: &mut Session, params: lsp::DidSaveTextDocumentParams) {
    let uri = params.text_document.uri;
    let saved_configuration = crate::document::path_of(&uri)
        .is_some_and(|p| crate::configuration::is_configuration_file(&p));
    session.reload_configuration(saved_configuration);
    if saved_configuration && session.document(&uri).is_none() {
        return;
    }
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
