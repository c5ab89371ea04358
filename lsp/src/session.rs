//! What the server knows between messages: the open documents, the settings, what the
//! client can do, and what the handlers asked the server to do next.

use crate::analysis::{Analysis, BuildContexts};
use crate::convert::{Encoding, Positions};
use crate::document::Document;
use crate::settings::Settings;
use lsp_types as lsp;
use std::collections::HashMap;

/// What the client said it supports, reduced to what the server acts on.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientFlags {
    /// Pulls diagnostics (`textDocument/diagnostic`); the server then does not push them.
    pub pull_diagnostics: bool,
    /// Accepts `workspace/diagnostic/refresh`.
    pub diagnostic_refresh: bool,
    /// Answers `workspace/configuration`.
    pub configuration: bool,
    /// Takes versioned `documentChanges` in workspace edits.
    pub document_changes: bool,
    /// Renders Markdown in hovers.
    pub markdown_hover: bool,
    /// Takes hierarchical document symbols.
    pub hierarchical_symbols: bool,
}

impl ClientFlags {
    pub fn from_capabilities(caps: &lsp::ClientCapabilities) -> ClientFlags {
        let text = caps.text_document.as_ref();
        let workspace = caps.workspace.as_ref();
        ClientFlags {
            pull_diagnostics: text.and_then(|t| t.diagnostic.as_ref()).is_some(),
            diagnostic_refresh: workspace
                .and_then(|w| w.diagnostic.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            markdown_hover: text
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_none_or(|formats| formats.contains(&lsp::MarkupKind::Markdown)),
            hierarchical_symbols: text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
        }
    }
}

/// Something a handler wants done after it returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Lint and push diagnostics for this document once the message queue is empty.
    Publish(lsp::Url),
    /// Push an empty list (the document was closed).
    Clear(lsp::Url),
    ShowMessage(lsp::MessageType, String),
    /// Ask the client for the `plimsoll` settings section.
    FetchConfiguration,
    /// Every document's findings may have changed (settings): re-publish or ask the client
    /// to pull again.
    RefreshAll,
}

pub struct Session {
    pub documents: HashMap<lsp::Url, Document>,
    pub settings: Settings,
    pub encoding: Encoding,
    pub client: ClientFlags,
    pub contexts: BuildContexts,
    /// Changes when findings may change without an edit (settings, a save): part of the
    /// pull diagnostics' result id.
    pub generation: u64,
    effects: Vec<Effect>,
}

impl Session {
    pub fn new(encoding: Encoding, client: ClientFlags, settings: Settings) -> Session {
        Session {
            documents: HashMap::new(),
            settings,
            encoding,
            client,
            contexts: BuildContexts::default(),
            generation: 0,
            effects: Vec::new(),
        }
    }

    pub fn document(&self, uri: &lsp::Url) -> Option<&Document> {
        self.documents.get(uri)
    }

    /// The document's analysis, computed now if this version has none yet.
    pub fn analysis<'a>(&'a self, document: &'a Document) -> &'a Analysis {
        document.analysis_with(|d| {
            Analysis::compute(&d.text, d.path().as_deref(), &self.settings, &self.contexts)
        })
    }

    pub fn positions<'a>(&self, document: &'a Document) -> Positions<'a> {
        document.positions(self.encoding)
    }

    pub fn schedule(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    pub fn bump_generation(&mut self) {
        self.generation += 1;
    }

    /// New settings: every analysis is stale.
    pub fn set_settings(&mut self, settings: Settings, warnings: Vec<String>) {
        self.settings = settings;
        self.bump_generation();
        for document in self.documents.values_mut() {
            document.invalidate();
        }
        for warning in warnings {
            self.schedule(Effect::ShowMessage(lsp::MessageType::WARNING, warning));
        }
        self.schedule(Effect::RefreshAll);
    }
}
