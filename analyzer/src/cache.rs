//! Reuse between parses of one document that changes a little at a time (an editor's
//! buffer): RUN bodies whose text did not change keep their shell scripts (moved to where
//! they are now) instead of being parsed with tree-sitter-bash and walked again.
//! What a parse produces is the same with or without a cache; only the time differs.
//!
//! The cache keeps what the last parse used and nothing else, so its size follows the
//! document's, however many edits it sees.

use crate::lexer::LogicalLine;
use crate::shell::Script;
use std::cell::RefCell;
use std::collections::HashMap;
use tree_sitter::Tree;

/// What one document's last parse leaves for the next (see [`crate::Dockerfile::parse_cached`]).
#[derive(Default)]
pub struct ParseCache {
    /// Shell lines of the last parse, by their text.
    shells: HashMap<String, ShellEntry>,
    /// Shell lines seen by the parse under way (they become `shells` when it ends).
    used: HashMap<String, ShellEntry>,
}

/// A shell line as parsed: where its bytes were, its tree, and its script.
struct ShellEntry {
    line: LogicalLine,
    tree: Tree,
    script: Script,
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseCache")
            .field("shells", &self.shells.len())
            .finish()
    }
}

thread_local! {
    /// The cache of the parse running on this thread, if it was given one.
    static ACTIVE: RefCell<Option<ParseCache>> = const { RefCell::new(None) };
}

impl ParseCache {
    /// Runs `parse` with this cache available to the tree-sitter passes; the cache is put
    /// back even if `parse` panics.
    pub(crate) fn install<R>(&mut self, parse: impl FnOnce() -> R) -> R {
        struct Restore<'a>(&'a mut ParseCache);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                if let Some(mut cache) = ACTIVE.with(|a| a.borrow_mut().take()) {
                    // Trees the parse did not use belong to text that is gone.
                    cache.shells = std::mem::take(&mut cache.used);
                    *self.0 = cache;
                }
            }
        }
        let mut cache = std::mem::take(self);
        cache.used.clear();
        ACTIVE.with(|a| *a.borrow_mut() = Some(cache));
        let _restore = Restore(self);
        parse()
    }
}

/// The script of a shell line. With a cache, a line whose text the last parse also had is
/// not parsed again: its script is moved to where the line is now, or, when the line was
/// joined differently, its tree is walked again.
pub(crate) fn shell_script(
    line: &LogicalLine,
    parse: impl Fn(&str) -> Option<Tree>,
    walk: impl Fn(Option<&Tree>) -> Script,
) -> Script {
    enum Found {
        NoCache,
        Miss,
        Script(Script),
        Tree(Tree),
    }
    let found = ACTIVE.with(|a| {
        let mut active = a.borrow_mut();
        let Some(cache) = active.as_mut() else {
            return Found::NoCache;
        };
        let entry = match cache.shells.remove_entry(&line.text) {
            // Kept as the last parse left it: moves are measured from there.
            Some((key, entry)) => cache.used.entry(key).or_insert(entry),
            None => match cache.used.get_mut(&line.text) {
                Some(entry) => entry,
                None => return Found::Miss,
            },
        };
        match line.moved_from(&entry.line) {
            Some(delta) => Found::Script(entry.script.moved(delta)),
            None => Found::Tree(entry.tree.clone()),
        }
    });
    match found {
        Found::NoCache => walk(parse(&line.text).as_ref()),
        Found::Script(script) => script,
        Found::Tree(tree) => walk(Some(&tree)),
        Found::Miss => {
            let tree = parse(&line.text);
            let script = walk(tree.as_ref());
            if let Some(tree) = tree {
                ACTIVE.with(|a| {
                    if let Some(cache) = a.borrow_mut().as_mut() {
                        let entry = ShellEntry {
                            line: line.clone(),
                            tree,
                            script: script.clone(),
                        };
                        cache.used.insert(line.text.clone(), entry);
                    }
                });
            }
            script
        }
    }
}
