//! `plimsoll lsp`: the language server on standard input and output.

use crate::Exit;
use crate::args::LspArgs;
use anyhow::Result;

pub fn run(_args: LspArgs) -> Result<Exit> {
    // The protocol's exit codes: 0 after `shutdown` and `exit`, 1 otherwise.
    match plimsoll_lsp::run_stdio() {
        Ok(plimsoll_lsp::Exit::Clean) => Ok(Exit::Clean),
        Ok(plimsoll_lsp::Exit::WithoutShutdown) => Ok(Exit::Findings),
        Err(plimsoll_lsp::ServerError::Disconnected) => Ok(Exit::Findings),
        Err(e) => Err(e.into()),
    }
}
