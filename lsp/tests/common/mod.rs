//! A small LSP client over an in-memory connection, driving the real server loop.

#![allow(dead_code)]

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types as lsp;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<plimsoll_lsp::Exit, plimsoll_lsp::ServerError>>>,
    next_id: i32,
    /// Notifications received while waiting for something else.
    pending: VecDeque<Notification>,
    /// What the client answers to `workspace/configuration`.
    pub configuration: Value,
    /// Requests the server sent to the client (method names).
    pub server_requests: Vec<String>,
    pub initialize_result: lsp::InitializeResult,
}

impl Client {
    /// Starts a server and initializes it with these capabilities and options.
    pub fn start(capabilities: Value, initialization_options: Value) -> Client {
        Self::start_with(capabilities, initialization_options, Value::Null)
    }

    pub fn start_with(
        capabilities: Value,
        initialization_options: Value,
        configuration: Value,
    ) -> Client {
        Self::start_full(
            capabilities,
            initialization_options,
            configuration,
            Value::Null,
        )
    }

    /// Starts a server for the workspace folder `root`.
    pub fn start_in(
        root: &std::path::Path,
        capabilities: Value,
        initialization_options: Value,
    ) -> Client {
        let root = lsp::Url::from_directory_path(root).unwrap();
        Self::start_full(
            capabilities,
            initialization_options,
            Value::Null,
            json!(root),
        )
    }

    fn start_full(
        capabilities: Value,
        initialization_options: Value,
        configuration: Value,
        root_uri: Value,
    ) -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || plimsoll_lsp::run(server_side));
        let mut client = Client {
            connection: client_side,
            server: Some(server),
            next_id: 1,
            pending: VecDeque::new(),
            configuration,
            server_requests: Vec::new(),
            initialize_result: lsp::InitializeResult::default(),
        };
        let result = client
            .request_raw(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": root_uri,
                    "capabilities": capabilities,
                    "initializationOptions": initialization_options,
                }),
            )
            .expect("initialize succeeds");
        client.initialize_result = serde_json::from_value(result).unwrap();
        client.notify_raw("initialized", json!({}));
        client
    }

    pub fn notify_raw(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    pub fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        self.notify_raw(N::METHOD, serde_json::to_value(params).unwrap());
    }

    pub fn request_raw(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.connection
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        loop {
            match self.receive() {
                Message::Response(Response {
                    id: got,
                    result,
                    error,
                }) if got == id => {
                    return match error {
                        Some(e) => Err(e),
                        None => Ok(result.unwrap_or(Value::Null)),
                    };
                }
                Message::Notification(n) => self.pending.push_back(n),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    pub fn request<R: lsp::request::Request>(
        &mut self,
        params: R::Params,
    ) -> Result<R::Result, ResponseError> {
        self.request_raw(R::METHOD, serde_json::to_value(params).unwrap())
            .map(|v| serde_json::from_value(v).expect("a well-formed result"))
    }

    /// The next message that is not a request from the server (those are answered here).
    fn receive(&mut self) -> Message {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .connection
                .receiver
                .recv_timeout(left)
                .expect("the server answers in time");
            match message {
                Message::Request(request) => {
                    self.server_requests.push(request.method.clone());
                    let result = match request.method.as_str() {
                        "workspace/configuration" => json!([self.configuration.clone()]),
                        _ => Value::Null,
                    };
                    self.connection
                        .sender
                        .send(Response::new_ok(request.id, result).into())
                        .unwrap();
                }
                other => return other,
            }
        }
    }

    /// Waits for a notification of type N whose parameters satisfy `accept`; earlier ones
    /// that do not are dropped.
    pub fn wait_for<N: lsp::notification::Notification>(
        &mut self,
        mut accept: impl FnMut(&N::Params) -> bool,
    ) -> N::Params {
        loop {
            let notification = match self.pending.pop_front() {
                Some(n) => n,
                None => match self.receive() {
                    Message::Notification(n) => n,
                    other => panic!("unexpected message {other:?}"),
                },
            };
            if notification.method == N::METHOD {
                let params: N::Params = serde_json::from_value(notification.params).unwrap();
                if accept(&params) {
                    return params;
                }
            }
        }
    }

    /// The diagnostics published for `version` of `uri`.
    pub fn diagnostics(&mut self, uri: &lsp::Url, version: i32) -> Vec<lsp::Diagnostic> {
        self.wait_for::<lsp::notification::PublishDiagnostics>(|p| {
            &p.uri == uri && p.version == Some(version)
        })
        .diagnostics
    }

    /// Every notification of type N received so far (without waiting).
    pub fn drain<N: lsp::notification::Notification>(&mut self) -> Vec<N::Params> {
        while let Ok(message) = self.connection.receiver.try_recv() {
            match message {
                Message::Notification(n) => self.pending.push_back(n),
                Message::Request(r) => panic!("unexpected request {r:?}"),
                Message::Response(r) => panic!("unexpected response {r:?}"),
            }
        }
        let (mine, others): (Vec<_>, Vec<_>) =
            self.pending.drain(..).partition(|n| n.method == N::METHOD);
        self.pending.extend(others);
        mine.into_iter()
            .map(|n| serde_json::from_value(n.params).unwrap())
            .collect()
    }

    pub fn open(&self, uri: &lsp::Url, text: &str) {
        self.notify::<lsp::notification::DidOpenTextDocument>(lsp::DidOpenTextDocumentParams {
            text_document: lsp::TextDocumentItem::new(
                uri.clone(),
                "dockerfile".into(),
                1,
                text.into(),
            ),
        });
    }

    pub fn change(
        &self,
        uri: &lsp::Url,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    ) {
        self.notify::<lsp::notification::DidChangeTextDocument>(lsp::DidChangeTextDocumentParams {
            text_document: lsp::VersionedTextDocumentIdentifier::new(uri.clone(), version),
            content_changes: changes,
        });
    }

    /// Shuts the server down as an editor does and returns how it ended.
    pub fn shutdown(mut self) -> plimsoll_lsp::Exit {
        self.request_raw("shutdown", Value::Null).unwrap();
        self.notify_raw("exit", Value::Null);
        self.server.take().unwrap().join().unwrap().unwrap()
    }

    pub fn exit_without_shutdown(mut self) -> plimsoll_lsp::Exit {
        self.notify_raw("exit", Value::Null);
        self.server.take().unwrap().join().unwrap().unwrap()
    }
}

pub fn uri(name: &str) -> lsp::Url {
    lsp::Url::parse(&format!("untitled:{name}")).unwrap()
}

pub fn edit(range: ((u32, u32), (u32, u32)), text: &str) -> lsp::TextDocumentContentChangeEvent {
    let ((l1, c1), (l2, c2)) = range;
    lsp::TextDocumentContentChangeEvent {
        range: Some(lsp::Range::new(
            lsp::Position::new(l1, c1),
            lsp::Position::new(l2, c2),
        )),
        range_length: None,
        text: text.into(),
    }
}

pub fn position(line: u32, character: u32) -> lsp::Position {
    lsp::Position::new(line, character)
}

pub fn at(uri: &lsp::Url, line: u32, character: u32) -> lsp::TextDocumentPositionParams {
    lsp::TextDocumentPositionParams::new(
        lsp::TextDocumentIdentifier::new(uri.clone()),
        position(line, character),
    )
}

/// Applies the text edits for `uri` of a workspace edit to `text` (either form).
pub fn apply_workspace_edit(
    text: &str,
    uri: &lsp::Url,
    edit: &lsp::WorkspaceEdit,
    utf16: bool,
) -> String {
    let mut edits: Vec<lsp::TextEdit> = Vec::new();
    if let Some(changes) = &edit.changes {
        edits.extend(changes.get(uri).cloned().unwrap_or_default());
    }
    if let Some(lsp::DocumentChanges::Edits(documents)) = &edit.document_changes {
        for document in documents.iter().filter(|d| &d.text_document.uri == uri) {
            for e in &document.edits {
                if let lsp::OneOf::Left(e) = e {
                    edits.push(e.clone());
                }
            }
        }
    }
    // Apply from the end so earlier positions stay valid.
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
    let mut text = text.to_string();
    for e in edits {
        let start = offset(&text, e.range.start, utf16);
        let end = offset(&text, e.range.end, utf16);
        text.replace_range(start..end, &e.new_text);
    }
    text
}

/// A client-side position → offset conversion, written independently of the server's.
pub fn offset(text: &str, position: lsp::Position, utf16: bool) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        line_start += text[line_start..]
            .find('\n')
            .map_or(text.len() - line_start, |i| i + 1);
    }
    let line = &text[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= position.character as usize {
            return line_start + i;
        }
        units += if utf16 { c.len_utf16() } else { c.len_utf8() };
    }
    line_start + line.len()
}
