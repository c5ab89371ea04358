//! One handler a file. Request handlers read the session and return the result; notification
//! handlers change the session and schedule effects (publishing, messages).

pub mod code_action;
pub mod completion;
pub mod definition;
pub mod diagnostic;
pub mod did_change;
pub mod did_change_configuration;
pub mod did_change_watched_files;
pub mod did_close;
pub mod did_open;
pub mod did_save;
pub mod document_highlight;
pub mod document_symbol;
pub mod folding_range;
pub mod formatting;
pub mod hover;
pub mod references;
pub mod rename;

use lsp_server::ErrorCode;

/// A request that can not be answered, with the JSON-RPC error to send.
#[derive(Debug)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    pub fn invalid_params(message: impl Into<String>) -> Error {
        Error {
            code: ErrorCode::InvalidParams,
            message: message.into(),
        }
    }

    pub fn request_failed(message: impl Into<String>) -> Error {
        Error {
            code: ErrorCode::RequestFailed,
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The open document a request is about.
pub(crate) fn document<'a>(
    session: &'a crate::session::Session,
    uri: &lsp_types::Url,
) -> Result<&'a crate::document::Document> {
    session
        .document(uri)
        .ok_or_else(|| Error::invalid_params(format!("document not open: {uri}")))
}
