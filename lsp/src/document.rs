//! An open document: its text as the editor has it, and the analysis of that text, computed
//! once per version and only when someone asks for it.

use crate::analysis::Analysis;
use crate::convert::{Encoding, Positions};
use lsp_types as lsp;
use plimsoll_analyzer::{LineIndex, ParseCache};
use plimsoll_config::FileSettings;
use plimsoll_rules::Severity;
use std::cell::{OnceCell, RefCell};
use std::path::PathBuf;

pub struct Document {
    pub uri: lsp::Url,
    pub text: String,
    pub version: i32,
    pub lines: LineIndex,
    /// The configuration that applies to it (see `configuration`).
    pub config: FileSettings,
    analysis: OnceCell<Analysis>,
    /// What the last parse left for the next one (syntax trees to re-parse incrementally).
    parse_cache: RefCell<ParseCache>,
    /// The analysis of an earlier version, freed after the next publish: freeing a whole
    /// model is work an edit's diagnostics need not wait for.
    stale: Option<Analysis>,
}

impl Document {
    pub fn new(uri: lsp::Url, text: String, version: i32, config: FileSettings) -> Document {
        Document {
            uri,
            lines: LineIndex::new(&text),
            text,
            version,
            config,
            analysis: OnceCell::new(),
            parse_cache: RefCell::new(ParseCache::default()),
            stale: None,
        }
    }

    /// Findings below this severity (those that would not fail `plimsoll check`) are shown
    /// as hints; `None`: all of them.
    pub fn fail_threshold(&self) -> Option<Severity> {
        self.config.fail_level.threshold()
    }

    pub fn positions(&self, encoding: Encoding) -> Positions<'_> {
        Positions::new(&self.text, &self.lines, encoding)
    }

    /// The file on disk, for `file:` URIs (the build context is read next to it).
    pub fn path(&self) -> Option<PathBuf> {
        path_of(&self.uri)
    }

    /// Applies `didChange` content changes in order: a change without a range replaces the
    /// whole text; ranges are read against the text as the previous change left it.
    pub fn apply_changes(
        &mut self,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
        version: i32,
        encoding: Encoding,
    ) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let span = self.positions(encoding).span(range);
                    self.text.replace_range(span.start..span.end, &change.text);
                }
            }
            self.lines = LineIndex::new(&self.text);
        }
        self.version = version;
        self.invalidate();
    }

    /// Forgets the analysis (the text or the settings changed).
    pub fn invalidate(&mut self) {
        if let Some(old) = self.analysis.take() {
            self.stale = Some(old);
        }
    }

    /// Frees the analysis of an earlier version, if one is left.
    pub fn drop_stale(&mut self) {
        self.stale = None;
    }

    pub fn analysis_with(
        &self,
        compute: impl FnOnce(&Document, &mut ParseCache) -> Analysis,
    ) -> &Analysis {
        self.analysis
            .get_or_init(|| compute(self, &mut self.parse_cache.borrow_mut()))
    }
}

/// The file a `file:` URI names.
pub fn path_of(uri: &lsp::Url) -> Option<PathBuf> {
    if uri.scheme() == "file" {
        uri.to_file_path().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> lsp::TextDocumentContentChangeEvent {
        lsp::TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| {
                lsp::Range::new(lsp::Position::new(l1, c1), lsp::Position::new(l2, c2))
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn applies_incremental_changes_in_order() {
        let uri = lsp::Url::parse("file:///tmp/Dockerfile").unwrap();
        let mut doc = Document::new(uri, "FROM a\nRUN é x\n".into(), 1, FileSettings::default());
        doc.apply_changes(
            vec![
                // UTF-16: `é` is one unit, so column 6 is after `x`.
                change(Some(((1, 6), (1, 7))), "y"),
                change(Some(((0, 5), (0, 6))), "debian:12"),
                change(Some(((2, 0), (2, 0))), "USER app\n"),
            ],
            2,
            Encoding::Utf16,
        );
        assert_eq!(doc.text, "FROM debian:12\nRUN é y\nUSER app\n");
        assert_eq!(doc.version, 2);
        assert_eq!(doc.lines.line_count(), 4);
        doc.apply_changes(vec![change(None, "FROM b\n")], 3, Encoding::Utf16);
        assert_eq!(doc.text, "FROM b\n");
    }
}
