//! Plimsoll's language server: a thin layer over the analyzer and the rules, speaking LSP
//! over stdio (`plimsoll lsp`). Only this crate knows LSP.
//!
//! - `server`: handshake, capabilities and the main loop (one thread, lint when idle).
//! - `handlers/`: one handler a file.
//! - `convert`: every conversion to and from `lsp_types` (positions in UTF-8, UTF-16 or
//!   UTF-32, diagnostics, edits).
//! - `symbols`: stage and variable definitions and references, for navigation and rename.
//! - `analysis`, `document`, `session`, `settings`, `configuration`, `docs`: the state and
//!   what it is computed from (`configuration` finds `plimsoll.toml` as the CLI does).

mod analysis;
mod configuration;
mod convert;
mod docs;
mod document;
mod handlers;
mod server;
mod session;
mod settings;
mod symbols;
mod transport;

pub use server::{Exit, ServerError, run};
pub use settings::DEFAULT_RULE_DOCS_URL;

/// Serves one client on standard input and output until it says `exit` (or goes away).
pub fn run_stdio() -> Result<Exit, ServerError> {
    let (connection, io) = transport::stdio();
    let result = run(connection);
    // The writer thread flushes what is left once the connection is dropped (in `run`).
    io.join();
    result
}
