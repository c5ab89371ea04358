//! `workspace/didChangeWatchedFiles`: a configuration file was created, changed or deleted
//! (the server asks the client to watch them when it can): read the configuration again
//! and re-lint the documents it changes for.

use crate::configuration::is_configuration_file;
use crate::session::Session;
use lsp_types as lsp;

pub fn run(session: &mut Session, params: lsp::DidChangeWatchedFilesParams) {
    let relevant = params.changes.iter().any(|change| {
        crate::document::path_of(&change.uri).is_some_and(|p| is_configuration_file(&p))
    });
    if relevant {
        session.reload_configuration(true);
    }
}
