//! Linting one document: the same analyzer and rules as `plimsoll check`, on the editor's
//! text, with the build context read from the document's directory as the CLI reads it.

use plimsoll_analyzer::{Dockerfile, Keyword, ParseCache, ParseOptions};
use plimsoll_rules::{Applicability, BuildContext, Diagnostic, Settings};
use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The model and findings of one version of a document.
pub struct Analysis {
    pub file: Dockerfile,
    pub diagnostics: Vec<Diagnostic>,
    /// Set when the analyzer or a rule panicked; the findings are then empty.
    pub internal_error: Option<String>,
}

impl Analysis {
    /// `cache`: what the document's previous parse left (the result is the same without).
    pub fn compute(
        text: &str,
        path: Option<&Path>,
        settings: &Settings,
        build_args: &HashMap<String, String>,
        contexts: &BuildContexts,
        cache: &mut ParseCache,
    ) -> Analysis {
        let options = ParseOptions {
            build_args: build_args.clone(),
        };
        // An analyzer or rule bug must cost this document's findings, not the session.
        let result = catch_unwind(AssertUnwindSafe(|| {
            let file = Dockerfile::parse_cached(text, options.clone(), cache);
            let context = path
                .filter(|_| reads_context(&file))
                .and_then(Path::parent)
                .map(|dir| contexts.get(dir));
            let diagnostics = plimsoll_rules::check_with(&file, context.as_deref(), settings);
            (file, diagnostics)
        }));
        match result {
            Ok((file, diagnostics)) => Analysis {
                file,
                diagnostics,
                internal_error: None,
            },
            Err(panic) => {
                let message = panic_message(panic.as_ref());
                *cache = ParseCache::default();
                // The model alone may still serve hover and navigation.
                let file = catch_unwind(AssertUnwindSafe(|| Dockerfile::parse_with(text, options)))
                    .unwrap_or_else(|_| Dockerfile::parse(""));
                Analysis {
                    file,
                    diagnostics: Vec::new(),
                    internal_error: Some(message),
                }
            }
        }
    }
}

/// Applies every safe fix, re-linting between passes until nothing changes (at most a few
/// passes), and returns the fixed text.
pub fn fix_all_safe(
    text: &str,
    settings: &Settings,
    build_args: &HashMap<String, String>,
    first: &[Diagnostic],
) -> String {
    const MAX_PASSES: usize = 8;
    let options = ParseOptions {
        build_args: build_args.clone(),
    };
    let (mut current, applied) = plimsoll_rules::fix::apply(text, first, Applicability::Safe);
    if applied == 0 {
        return current;
    }
    for _ in 1..MAX_PASSES {
        let file = Dockerfile::parse_with(&current, options.clone());
        let diagnostics = plimsoll_rules::check_with(&file, None, settings);
        let (next, applied) =
            plimsoll_rules::fix::apply(&current, &diagnostics, Applicability::Safe);
        if applied == 0 {
            break;
        }
        current = next;
    }
    current
}

pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Whether the file copies anything from the build context (only then is it listed), as
/// the CLI decides.
fn reads_context(file: &Dockerfile) -> bool {
    file.instructions.iter().any(|i| {
        matches!(i.keyword, Keyword::Copy | Keyword::Add)
            && i.flag("from").is_none()
            && i.words.len() > i.heredocs.len() + 1
    })
}

/// Build context listings, one per directory, kept until a document there is opened or
/// saved again (files appear and vanish between saves, not between keystrokes).
#[derive(Default)]
pub struct BuildContexts {
    listings: RefCell<HashMap<PathBuf, Rc<BuildContext>>>,
}

impl BuildContexts {
    pub fn get(&self, dir: &Path) -> Rc<BuildContext> {
        if let Some(found) = self.listings.borrow().get(dir) {
            return found.clone();
        }
        let listing = Rc::new(BuildContext::read(dir));
        self.listings
            .borrow_mut()
            .insert(dir.to_path_buf(), listing.clone());
        listing
    }

    pub fn forget(&self, dir: &Path) {
        self.listings.borrow_mut().remove(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_rules::Selection;

    fn no_rules() -> Selection {
        Selection {
            select: Vec::new(),
            extend_select: Vec::new(),
            ignore: vec!["ALL".into()],
        }
    }

    #[test]
    fn lints_with_the_settings_selection() {
        let text = "FROM debian\nRUNN x\n";
        let settings = Settings::default();
        let contexts = BuildContexts::default();
        let args = HashMap::new();
        let mut cache = ParseCache::default();
        let all = Analysis::compute(text, None, &settings, &args, &contexts, &mut cache);
        assert!(all.diagnostics.iter().any(|d| d.code == "PL000"));
        let quiet = Settings::with_selection(no_rules());
        let none = Analysis::compute(text, None, &quiet, &args, &contexts, &mut cache);
        assert!(none.diagnostics.is_empty());
        assert_eq!(none.file.instructions.len(), 2);
    }

    #[test]
    fn lists_the_context_once_per_directory() {
        let dir = std::env::temp_dir().join(format!("plimsoll-lsp-ctx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), "a").unwrap();
        let contexts = BuildContexts::default();
        assert_eq!(contexts.get(&dir).files, vec!["a.txt".to_string()]);
        std::fs::write(dir.join("b.txt"), "b").unwrap();
        assert_eq!(contexts.get(&dir).files.len(), 1, "cached until forgotten");
        contexts.forget(&dir);
        assert_eq!(contexts.get(&dir).files.len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
