//! The server: the initialize handshake, the capabilities, and the main loop.
//!
//! Messages are handled one at a time, in order, on one thread. After each message the
//! server takes every message already waiting; only when the queue is empty does it lint
//! and publish the documents that changed. A burst of edits is therefore linted once, at its
//! last version (stale results are never computed, let alone published), and a quiet edit
//! is linted at once: there is no debounce timer to wait for.

use crate::analysis::panic_message;
use crate::convert::{self, Encoding};
use crate::handlers::{self, Error};
use crate::session::{ClientFlags, Effect, Session};
use crate::settings::Settings;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Why the server stopped other than by `shutdown` + `exit`.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("the client closed the connection without `shutdown` and `exit`")]
    Disconnected,
    #[error("protocol error: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("invalid initialize parameters: {0}")]
    InitializeParams(serde_json::Error),
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `shutdown` then `exit`, as the protocol asks.
    Clean,
    /// `exit` without `shutdown` (the protocol's exit code 1).
    WithoutShutdown,
}

pub const FIX_ALL_KIND: &str = "source.fixAll.plimsoll";

/// Most messages handled between two rounds of publishing.
const MAX_BATCH: usize = 256;

pub fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(false),
                    },
                )),
                ..Default::default()
            },
        )),
        diagnostic_provider: Some(lsp::DiagnosticServerCapabilities::Options(
            lsp::DiagnosticOptions {
                identifier: Some("plimsoll".into()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                work_done_progress_options: Default::default(),
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::REFACTOR_REWRITE,
                    lsp::CodeActionKind::SOURCE_FIX_ALL,
                    lsp::CodeActionKind::new(FIX_ALL_KIND),
                ]),
                work_done_progress_options: Default::default(),
                resolve_provider: Some(false),
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_highlight_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(["-", "$", "{", "="].map(String::from).to_vec()),
            ..Default::default()
        }),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    }
}

/// Runs a whole session on a connection: handshake, then messages until `exit`.
pub fn run(connection: Connection) -> Result<Exit, ServerError> {
    let (id, params) = connection.initialize_start()?;
    let params: lsp::InitializeParams = match serde_json::from_value(params) {
        Ok(p) => p,
        Err(e) => {
            let _ = connection
                .sender
                .send(Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()).into());
            return Err(ServerError::InitializeParams(e));
        }
    };
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let client = ClientFlags::from_capabilities(&params.capabilities);
    let (settings, warnings) = params
        .initialization_options
        .as_ref()
        .and_then(Settings::from_value)
        .unwrap_or_default();
    let result = lsp::InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(lsp::ServerInfo {
            name: "plimsoll".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    let result = serde_json::to_value(result).map_err(ServerError::InitializeParams)?;
    connection.initialize_finish(id, result)?;
    log(&format!(
        "initialized: positions in {encoding:?}, diagnostics {}",
        if client.pull_diagnostics {
            "pulled by the client"
        } else {
            "pushed"
        }
    ));

    let root = workspace_root(&params);
    log(&format!(
        "configuration files are looked for as `plimsoll check` run in {} would",
        root.display()
    ));
    let mut session = Session::new(encoding, client, settings, root);
    for warning in warnings {
        session.schedule(Effect::ShowMessage(lsp::MessageType::WARNING, warning));
    }
    if client.configuration {
        session.schedule(Effect::FetchConfiguration);
    }
    let mut server = Server {
        connection,
        session,
        dirty: BTreeSet::new(),
        outgoing: HashMap::new(),
        next_id: 1,
        shutdown: false,
    };
    // The handshake is over (`initialized` received): the client may be asked things now.
    if server.session.client.watch_files {
        server.watch_configuration_files();
    }
    server.apply_effects();
    server.main_loop()
}

enum Outgoing {
    Configuration,
    Refresh,
    Register,
}

struct Server {
    connection: Connection,
    session: Session,
    /// Documents whose diagnostics are to be pushed once the queue is empty.
    dirty: BTreeSet<lsp::Url>,
    outgoing: HashMap<RequestId, Outgoing>,
    next_id: i32,
    shutdown: bool,
}

enum Flow {
    Continue,
    Exit,
}

impl Server {
    fn main_loop(&mut self) -> Result<Exit, ServerError> {
        loop {
            let message = self
                .connection
                .receiver
                .recv()
                .map_err(|_| ServerError::Disconnected)?;
            if let Flow::Exit = self.handle(message) {
                return Ok(self.exit());
            }
            // Take what is already waiting, but not forever: a client that never stops
            // sending must still see diagnostics now and then.
            for _ in 0..MAX_BATCH {
                let Ok(message) = self.connection.receiver.try_recv() else {
                    break;
                };
                if let Flow::Exit = self.handle(message) {
                    return Ok(self.exit());
                }
            }
            self.publish_dirty();
            for document in self.session.documents.values_mut() {
                document.drop_stale();
            }
        }
    }

    fn exit(&self) -> Exit {
        if self.shutdown {
            Exit::Clean
        } else {
            Exit::WithoutShutdown
        }
    }

    fn handle(&mut self, message: Message) -> Flow {
        let flow = match message {
            Message::Request(request) => {
                let response = self.on_request(request);
                self.send(response.into());
                Flow::Continue
            }
            Message::Notification(notification) => self.on_notification(notification),
            Message::Response(response) => {
                self.on_response(response);
                Flow::Continue
            }
        };
        self.apply_effects();
        flow
    }

    fn on_request(&mut self, request: Request) -> Response {
        use lsp_types::request::*;
        if self.shutdown {
            return Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            );
        }
        let session = &self.session;
        match request.method.as_str() {
            Shutdown::METHOD => {
                self.shutdown = true;
                Response::new_ok(request.id, ())
            }
            DocumentDiagnosticRequest::METHOD => {
                answer::<DocumentDiagnosticRequest>(session, request, handlers::diagnostic::run)
            }
            CodeActionRequest::METHOD => {
                answer::<CodeActionRequest>(session, request, handlers::code_action::run)
            }
            HoverRequest::METHOD => answer::<HoverRequest>(session, request, handlers::hover::run),
            DocumentSymbolRequest::METHOD => {
                answer::<DocumentSymbolRequest>(session, request, handlers::document_symbol::run)
            }
            GotoDefinition::METHOD => {
                answer::<GotoDefinition>(session, request, handlers::definition::run)
            }
            References::METHOD => answer::<References>(session, request, handlers::references::run),
            DocumentHighlightRequest::METHOD => answer::<DocumentHighlightRequest>(
                session,
                request,
                handlers::document_highlight::run,
            ),
            PrepareRenameRequest::METHOD => {
                answer::<PrepareRenameRequest>(session, request, handlers::rename::prepare)
            }
            Rename::METHOD => answer::<Rename>(session, request, handlers::rename::run),
            Completion::METHOD => answer::<Completion>(session, request, handlers::completion::run),
            FoldingRangeRequest::METHOD => {
                answer::<FoldingRangeRequest>(session, request, handlers::folding_range::run)
            }
            Formatting::METHOD => answer::<Formatting>(session, request, handlers::formatting::run),
            method => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("plimsoll does not handle `{method}`"),
            ),
        }
    }

    fn on_notification(&mut self, notification: Notification) -> Flow {
        use lsp_types::notification::*;
        let session = &mut self.session;
        match notification.method.as_str() {
            Exit::METHOD => return Flow::Exit,
            DidOpenTextDocument::METHOD => {
                notify::<DidOpenTextDocument>(session, notification, handlers::did_open::run)
            }
            DidChangeTextDocument::METHOD => {
                notify::<DidChangeTextDocument>(session, notification, handlers::did_change::run)
            }
            DidSaveTextDocument::METHOD => {
                notify::<DidSaveTextDocument>(session, notification, handlers::did_save::run)
            }
            DidCloseTextDocument::METHOD => {
                notify::<DidCloseTextDocument>(session, notification, handlers::did_close::run)
            }
            DidChangeConfiguration::METHOD => notify::<DidChangeConfiguration>(
                session,
                notification,
                handlers::did_change_configuration::run,
            ),
            DidChangeWatchedFiles::METHOD => notify::<DidChangeWatchedFiles>(
                session,
                notification,
                handlers::did_change_watched_files::run,
            ),
            // Requests are answered in order as they come, so a cancellation always arrives
            // too late to matter; trace settings change nothing here. (`initialized` is taken
            // by the handshake; one more is ignored.)
            Cancel::METHOD | SetTrace::METHOD | Initialized::METHOD => {}
            method => log(&format!("ignored notification `{method}`")),
        }
        Flow::Continue
    }

    fn on_response(&mut self, response: Response) {
        let Some(kind) = self.outgoing.remove(&response.id) else {
            return;
        };
        if let Some(error) = response.error {
            log(&format!(
                "the client answered with an error: {}",
                error.message
            ));
            return;
        }
        match kind {
            Outgoing::Configuration => {
                let settings = response
                    .result
                    .as_ref()
                    .and_then(|r| r.as_array())
                    .and_then(|items| items.first())
                    .and_then(Settings::from_value);
                if let Some((settings, warnings)) = settings {
                    self.session.set_settings(settings, warnings);
                }
            }
            Outgoing::Refresh | Outgoing::Register => {}
        }
    }

    /// Asks the client to report changes to configuration files
    /// (`workspace/didChangeWatchedFiles`).
    fn watch_configuration_files(&mut self) {
        let watchers = crate::configuration::watch_patterns()
            .into_iter()
            .map(|pattern| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(pattern),
                kind: None,
            })
            .collect();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        self.request::<lsp::request::RegisterCapability>(
            lsp::RegistrationParams {
                registrations: vec![lsp::Registration {
                    id: "plimsoll-configuration-files".into(),
                    method: <lsp::notification::DidChangeWatchedFiles as lsp::notification::Notification>::METHOD.into(),
                    register_options: serde_json::to_value(options).ok(),
                }],
            },
            Outgoing::Register,
        );
    }

    fn apply_effects(&mut self) {
        for effect in self.session.take_effects() {
            match effect {
                Effect::Publish(uri) => {
                    if !self.session.client.pull_diagnostics {
                        self.dirty.insert(uri);
                    }
                }
                Effect::Clear(uri) => {
                    self.dirty.remove(&uri);
                    if !self.session.client.pull_diagnostics {
                        self.notify::<lsp::notification::PublishDiagnostics>(
                            lsp::PublishDiagnosticsParams {
                                uri,
                                diagnostics: Vec::new(),
                                version: None,
                            },
                        );
                    }
                }
                Effect::ShowMessage(typ, message) => {
                    log(&message);
                    self.notify::<lsp::notification::ShowMessage>(lsp::ShowMessageParams {
                        typ,
                        message,
                    });
                }
                Effect::FetchConfiguration => {
                    self.request::<lsp::request::WorkspaceConfiguration>(
                        lsp::ConfigurationParams {
                            items: vec![lsp::ConfigurationItem {
                                scope_uri: None,
                                section: Some("plimsoll".into()),
                            }],
                        },
                        Outgoing::Configuration,
                    );
                }
                Effect::RefreshAll => {
                    if !self.session.client.pull_diagnostics {
                        self.dirty.extend(self.session.documents.keys().cloned());
                    } else if self.session.client.diagnostic_refresh {
                        self.request::<lsp::request::WorkspaceDiagnosticRefresh>(
                            (),
                            Outgoing::Refresh,
                        );
                    }
                }
            }
        }
    }

    /// Lints the documents edited since the last publish, at their current version.
    fn publish_dirty(&mut self) {
        for uri in std::mem::take(&mut self.dirty) {
            let Some(document) = self.session.document(&uri) else {
                continue;
            };
            let analysis = self.session.analysis(document);
            if let Some(error) = &analysis.internal_error {
                log(&format!(
                    "internal error while linting {uri} (version {}): {error}",
                    document.version
                ));
            }
            let positions = self.session.positions(document);
            let diagnostics = convert::diagnostics(
                &analysis.diagnostics,
                &positions,
                &self.session.settings,
                document.fail_threshold(),
            );
            let params = lsp::PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics,
                version: Some(document.version),
            };
            self.notify::<lsp::notification::PublishDiagnostics>(params);
        }
    }

    fn send(&self, message: Message) {
        // A closed connection ends the main loop at the next receive.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params).into());
    }

    fn request<R: lsp::request::Request>(&mut self, params: R::Params, kind: Outgoing) {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.outgoing.insert(id.clone(), kind);
        self.send(Request::new(id, R::METHOD.to_string(), params).into());
    }
}

/// Where the CLI's working directory would be: the first workspace folder, else the root
/// URI, else the server's working directory.
fn workspace_root(params: &lsp::InitializeParams) -> std::path::PathBuf {
    #[allow(deprecated)] // `root_uri` and `root_path`: what older clients send.
    let from_root = params
        .root_uri
        .as_ref()
        .and_then(|uri| uri.to_file_path().ok())
        .or_else(|| params.root_path.as_ref().map(std::path::PathBuf::from));
    params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .and_then(|folder| folder.uri.to_file_path().ok())
        .or(from_root)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| std::path::PathBuf::from("/"))
}

/// Runs a request handler; a panic inside it becomes an error response, not a crash.
fn answer<R: lsp::request::Request>(
    session: &Session,
    request: Request,
    handler: fn(&Session, R::Params) -> handlers::Result<R::Result>,
) -> Response {
    let id = request.id.clone();
    let params: R::Params = match serde_json::from_value(request.params) {
        Ok(params) => params,
        Err(e) => {
            return Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("invalid parameters for `{}`: {e}", R::METHOD),
            );
        }
    };
    match catch_unwind(AssertUnwindSafe(|| handler(session, params))) {
        Ok(Ok(result)) => Response::new_ok(id, result),
        Ok(Err(Error { code, message })) => Response::new_err(id, code as i32, message),
        Err(panic) => internal_error(id, R::METHOD, panic.as_ref()),
    }
}

pub(crate) fn internal_error(
    id: RequestId,
    method: &str,
    panic: &(dyn std::any::Any + Send),
) -> Response {
    let message = format!(
        "internal error in plimsoll while handling `{method}`: {}",
        panic_message(panic)
    );
    log(&message);
    Response::new_err(id, ErrorCode::InternalError as i32, message)
}

/// Runs a notification handler; a panic is logged and the session goes on.
fn notify<N: lsp::notification::Notification>(
    session: &mut Session,
    notification: Notification,
    handler: fn(&mut Session, N::Params),
) {
    let params: N::Params = match serde_json::from_value(notification.params) {
        Ok(params) => params,
        Err(e) => {
            log(&format!("invalid parameters for `{}`: {e}", N::METHOD));
            return;
        }
    };
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| handler(session, params))) {
        log(&format!(
            "internal error in plimsoll while handling `{}`: {}",
            N::METHOD,
            panic_message(panic.as_ref())
        ));
    }
}

/// The server's log: standard error, which editors show in their output panel.
pub(crate) fn log(message: &str) {
    eprintln!("[plimsoll lsp] {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_handler_is_answered_with_an_error() {
        let session = Session::new(
            Encoding::Utf16,
            ClientFlags::default(),
            Settings::default(),
            "/".into(),
        );
        let request = Request::new(
            RequestId::from(7),
            "textDocument/hover".into(),
            serde_json::json!({
                "textDocument": {"uri": "file:///x/Dockerfile"},
                "position": {"line": 0, "character": 0}
            }),
        );
        fn boom(_: &Session, _: lsp::HoverParams) -> handlers::Result<Option<lsp::Hover>> {
            panic!("boom")
        }
        let response = answer::<lsp::request::HoverRequest>(&session, request, boom);
        assert_eq!(response.id, RequestId::from(7));
        let error = response.error.expect("an error response");
        assert_eq!(error.code, ErrorCode::InternalError as i32);
        assert!(error.message.contains("boom"), "{}", error.message);
    }

    #[test]
    fn bad_parameters_are_invalid_params() {
        let session = Session::new(
            Encoding::Utf16,
            ClientFlags::default(),
            Settings::default(),
            "/".into(),
        );
        let request = Request::new(
            RequestId::from(1),
            "textDocument/hover".into(),
            serde_json::json!({"nope": 1}),
        );
        let response =
            answer::<lsp::request::HoverRequest>(&session, request, handlers::hover::run);
        assert_eq!(
            response.error.map(|e| e.code),
            Some(ErrorCode::InvalidParams as i32)
        );
    }
}
