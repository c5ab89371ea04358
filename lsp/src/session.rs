//! What the server knows between messages: the open documents, the settings, what the
//! client can do, and what the handlers asked the server to do next.

use crate::analysis::{Analysis, BuildContexts};
use crate::configuration::Configuration;
use crate::convert::{Encoding, Positions};
use crate::document;
use crate::document::Document;
use crate::settings::Settings;
use lsp_types as lsp;
use plimsoll_config::FileSettings;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
    /// Watches files for the server when asked (`workspace/didChangeWatchedFiles` with
    /// dynamic registration).
    pub watch_files: bool,
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
            watch_files: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
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
    /// The configuration files, with `settings` on top.
    pub configuration: Configuration,
    pub encoding: Encoding,
    pub client: ClientFlags,
    pub contexts: BuildContexts,
    /// Changes when findings may change without an edit (settings, a save): part of the
    /// pull diagnostics' result id.
    pub generation: u64,
    effects: Vec<Effect>,
}

impl Session {
    /// `root`: the workspace root, where the configuration of documents without a file is
    /// looked for.
    pub fn new(
        encoding: Encoding,
        client: ClientFlags,
        settings: Settings,
        root: PathBuf,
    ) -> Session {
        Session {
            documents: HashMap::new(),
            configuration: Configuration::new(root, settings.overrides.clone()),
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
        document.analysis_with(|d, cache| {
            Analysis::compute(
                &d.text,
                d.path().as_deref(),
                &d.config.settings,
                &self.settings.build_args,
                &self.contexts,
                cache,
            )
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

    /// Opens a document with the configuration that applies to it.
    pub fn open(&mut self, uri: lsp::Url, text: String, version: i32) {
        let path = document::path_of(&uri);
        let config = self.configuration_for(path.as_deref());
        self.documents
            .insert(uri.clone(), Document::new(uri, text, version, config));
    }

    fn configuration_for(&mut self, path: Option<&Path>) -> FileSettings {
        let (config, messages) = self.configuration.for_path(path);
        for (kind, message) in messages {
            self.schedule(Effect::ShowMessage(kind, message));
        }
        config
    }

    /// New settings: every analysis is stale.
    pub fn set_settings(&mut self, settings: Settings, warnings: Vec<String>) {
        self.configuration.set_overrides(settings.overrides.clone());
        self.settings = settings;
        for warning in warnings {
            self.schedule(Effect::ShowMessage(lsp::MessageType::WARNING, warning));
        }
        self.reconfigure(true);
    }

    /// Reads the configuration files again (`changed`: they are known to have changed, so
    /// problems with them are reported again) and re-lints the documents whose
    /// configuration is no longer the same.
    pub fn reload_configuration(&mut self, changed: bool) {
        self.configuration.reload(changed);
        self.reconfigure(false);
    }

    /// Resolves every open document's configuration again; with `all`, every document is
    /// re-linted (the client's settings changed), else those whose configuration changed.
    fn reconfigure(&mut self, all: bool) {
        let uris: Vec<lsp::Url> = self.documents.keys().cloned().collect();
        let mut affected = Vec::new();
        for uri in uris {
            let path = document::path_of(&uri);
            let config = self.configuration_for(path.as_deref());
            let Some(document) = self.documents.get_mut(&uri) else {
                continue;
            };
            if all || document.config != config {
                document.config = config;
                document.invalidate();
                affected.push(uri);
            }
        }
        if affected.is_empty() {
            return;
        }
        self.bump_generation();
        if self.client.pull_diagnostics {
            self.schedule(Effect::RefreshAll);
        } else {
            for uri in affected {
                self.schedule(Effect::Publish(uri));
            }
        }
    }
}
