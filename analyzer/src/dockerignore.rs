//! Docker's `.dockerignore` semantics, reproduced closely enough to lint with.
//!
//! Docker does not follow `.gitignore` rules. The CLI reads the file with moby's
//! `ignorefile.ReadAll`, and the build context is filtered with moby's `patternmatcher`, which
//! translates every glob into a Go regular expression (with literal, prefix and suffix fast
//! paths). A linter that says "this `COPY` source is excluded by `.dockerignore`" is only worth
//! trusting if it agrees with that pipeline, quirks included. So this module copies its stages
//! one by one instead of reusing a gitignore or generic glob library:
//!
//! 1. each line is normalised like `ReadAll` does it, then like `patternmatcher.New` does it.
//!    Both run `filepath.Clean`, and the second pass can change the result;
//! 2. the pattern is checked against Go's `filepath.Match` grammar, which is how Docker rejects
//!    bad patterns;
//! 3. it is classified (exact, prefix, suffix, regexp) and translated exactly as
//!    `Pattern.compile` does it;
//! 4. a translated regular expression is compiled into a small NFA and simulated with bit sets.
//!    The simulation never backtracks, because the patterns come from the repository being
//!    linted and a line like `*a*a*a*a*a*b` would make a backtracking matcher exponential. For
//!    patterns that compile to fewer than 128 instructions it also never allocates.
//!
//! The deviations we chose on purpose are listed on [`DockerIgnore`].

use std::iter::Peekable;
use std::str::Chars;

/// A usable `.dockerignore` pattern, kept so linters can report on it (unused, shadowed, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The pattern as Docker matches it: trimmed, cleaned, relative to the context, with no `!`.
    /// Reporting this form rather than the raw line shows users what Docker actually does
    /// with their line (for example `/a/./b/` becomes `a/b`).
    pub text: String,
    /// `true` for `!` exceptions, which re-include what earlier patterns excluded.
    pub exclusion: bool,
    /// The 1-based line of the pattern in the `.dockerignore` file.
    pub line: usize,
}

/// A line Docker would refuse.
///
/// Docker rejects the whole file (or fails the build the first time it evaluates the pattern).
/// We keep the rest of the patterns instead, so one typo does not hide every other finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The 1-based line of the offending pattern.
    pub line: usize,
    /// Why the pattern is invalid. The text names the pattern.
    pub message: String,
}

/// A parsed `.dockerignore`: patterns compiled once and matched with Docker's semantics.
///
/// These deviations from Docker are deliberate:
///
/// - Invalid patterns are reported in [`DockerIgnore::errors`] and skipped. Docker would
///   refuse the file or fail the build.
/// - Escapes that Docker's regexp translation gives a meaning we do not model (`\b`, `\B`,
///   `\z`, `\p`, `\P`, `\Q`) are reported as errors too. Escaped punctuation, `\d \s \w` (and
///   their negations), `\a \f \n \r \t \v`, octal and `\xHH` escapes and `\A` all behave as
///   they do in Docker.
/// - Paths use Unix separators, as on a Linux or macOS client. A Windows CLI treats `\` as a
///   separator rather than an escape.
/// - [`DockerIgnore::is_excluded`] follows `patternmatcher.MatchesOrParentMatches`. BuildKit
///   walks the context with `MatchesUsingParentResults` and prunes excluded directories. The two
///   agree except in rare orderings where an exception names a directory that is not itself
///   excluded, for example `**/*.md` then `!docs`: here `docs/a.md` counts as re-included,
///   but BuildKit leaves it out.
/// - The context root (`""` or `"."`) is never excluded. The path argument is trimmed of leading
///   `./` and `/` and of trailing `/`, so a directory `dir` is never matched by `dir/**` itself.
/// - There is no special case for the Dockerfile and `.dockerignore`. Docker always sends
///   them whatever the patterns say, so callers that care must check them separately.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
    /// Parallel to `patterns`. Kept separate so [`Pattern`] stays a plain public data type.
    matchers: Vec<Matcher>,
    /// Lines that Docker would reject, in file order.
    pub errors: Vec<PatternError>,
}

impl DockerIgnore {
    /// Parses `.dockerignore` text. This never fails. Bad lines end up in
    /// [`DockerIgnore::errors`].
    #[must_use]
    pub fn parse(text: &str) -> DockerIgnore {
        let mut ignore = DockerIgnore::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            // Docker strips a byte-order mark from the first line only.
            let raw = if index == 0 {
                raw.strip_prefix('\u{feff}').unwrap_or(raw)
            } else {
                raw
            };
            // Docker checks for comments before trimming, so ` # x` is a pattern, not a comment.
            if raw.starts_with('#') {
                continue;
            }
            let Some(entry) = read_all_entry(raw) else {
                continue;
            };
            match compile_entry(&entry) {
                Ok(Some((text, exclusion, matcher))) => {
                    ignore.patterns.push(Pattern {
                        text,
                        exclusion,
                        line,
                    });
                    ignore.matchers.push(matcher);
                }
                Ok(None) => {}
                Err(message) => ignore.errors.push(PatternError { line, message }),
            }
        }
        ignore
    }

    /// The valid patterns, in file order.
    #[must_use]
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Whether Docker leaves `path` (context-relative, `/`-separated, e.g. `src/main.rs`) out of
    /// the build context.
    ///
    /// A pattern applies when it matches the path or any of its parent directories. The last
    /// pattern that applies wins, so `!` exceptions re-include what earlier patterns excluded.
    #[must_use]
    pub fn is_excluded(&self, path: &str) -> bool {
        let Some(path) = context_path(path) else {
            return false;
        };
        let mut excluded = false;
        for (pattern, matcher) in self.patterns.iter().zip(&self.matchers) {
            // This mirrors Docker's loop. A pattern that could not change the outcome
            // (an exclusion while already excluded, an exception while included) is skipped
            // without matching, which makes the common "nothing matches" case cheap.
            if pattern.exclusion != excluded {
                continue;
            }
            if matcher.matches_self_or_parent(path) {
                excluded = !pattern.exclusion;
            }
        }
        excluded
    }

    /// The pattern that decides whether `path` is excluded: the last one that matches the path
    /// or one of its parents. This is `None` when no pattern applies, and so the path is
    /// included.
    ///
    /// Diagnostics need this to name the line responsible ("excluded by `.dockerignore:3`").
    /// It always agrees with [`DockerIgnore::is_excluded`]: the result is an exclusion
    /// pattern exactly when the path is excluded.
    #[must_use]
    pub fn matching_pattern(&self, path: &str) -> Option<&Pattern> {
        let path = context_path(path)?;
        self.patterns
            .iter()
            .zip(&self.matchers)
            .rev()
            .find(|(_, matcher)| matcher.matches_self_or_parent(path))
            .map(|(pattern, _)| pattern)
    }
}

/// Normalises a line as `ignorefile.ReadAll` does. Returns `None` for lines it drops.
fn read_all_entry(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let (invert, rest) = match trimmed.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, trimmed),
    };
    let mut pattern = if rest.is_empty() {
        String::new()
    } else {
        clean(rest)
    };
    // Patterns are relative to the context root, but a lone `/` is left alone (and matches
    // nothing).
    if pattern.len() > 1 && pattern.starts_with('/') {
        pattern.remove(0);
    }
    Some(if invert {
        format!("!{pattern}")
    } else {
        pattern
    })
}

/// Turns a `ReadAll` entry into a pattern as `patternmatcher.New` does. That pass trims and
/// cleans again, this time with the `!` still attached. This is why `a /` means `a` and `!/`
/// means a bare `!`.
///
/// Returns the pattern text, whether it is an exception, and its matcher. Returns `Ok(None)` for
/// entries that `New` silently drops.
fn compile_entry(entry: &str) -> Result<Option<(String, bool, Matcher)>, String> {
    let trimmed = entry.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let cleaned = clean(trimmed);
    let (text, exclusion) = if let Some(rest) = cleaned.strip_prefix('!') {
        if rest.is_empty() {
            return Err(
                "illegal exclusion pattern `!`: an exception needs a pattern after the `!`"
                    .to_owned(),
            );
        }
        (rest.to_owned(), true)
    } else {
        (cleaned, false)
    };
    check_glob_syntax(&text).map_err(|reason| format!("invalid pattern `{text}`: {reason}"))?;
    let matcher =
        Matcher::compile(&text).map_err(|reason| format!("invalid pattern `{text}`: {reason}"))?;
    Ok(Some((text, exclusion, matcher)))
}

/// Go's `path.Clean`: lexical `.`/`..` resolution and separator squeezing. Leading `..` is kept
/// on relative paths and dropped on rooted ones. `path` must not be empty.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            _ => parts.push(part),
        }
    }
    let body = parts.join("/");
    if rooted {
        format!("/{body}")
    } else if body.is_empty() {
        ".".to_owned()
    } else {
        body
    }
}

/// Context paths trimmed of leading `./` and `/` and trailing `/`, or `None` for the root.
///
/// Docker never asks about the root, and its helper refuses to exclude it ("kind of silly").
fn context_path(path: &str) -> Option<&str> {
    let mut path = path;
    loop {
        if let Some(rest) = path.strip_prefix("./") {
            path = rest;
        } else if let Some(rest) = path.strip_prefix('/') {
            path = rest;
        } else {
            break;
        }
    }
    let path = path.trim_end_matches('/');
    (!path.is_empty() && path != ".").then_some(path)
}

/// Whether `hit` accepts the path itself or one of its parent directories, which is what
/// `MatchesOrParentMatches` tries.
///
/// Empty components (from `a//b`) are skipped like `filepath.Dir` would.
fn self_or_parent(path: &str, hit: impl Fn(&str) -> bool) -> bool {
    let bytes = path.as_bytes();
    (1..bytes.len()).any(|at| bytes[at] == b'/' && bytes[at - 1] != b'/' && hit(&path[..at]))
        || hit(path)
}

// ---------------------------------------------------------------------------------------------
// Validation: Go's `filepath.Match` grammar.
// ---------------------------------------------------------------------------------------------

/// Rejects what `filepath.Match(pattern, ".")` rejects. `patternmatcher.New` uses exactly that
/// call as its syntax check. This grammar is stricter than the regexp grammar used later for
/// matching (for example `[a-]` and `[]a]` are errors). Current Go checks the whole pattern,
/// and so do we. Go 1.19 and older stopped at the first chunk that could not match `.`, so
/// `a[` slipped through.
fn check_glob_syntax(pattern: &str) -> Result<(), String> {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.next().is_none() => {
                return Err("a trailing `\\` escapes nothing".to_owned());
            }
            '[' => check_class_syntax(&mut chars)?,
            _ => {}
        }
    }
    Ok(())
}

/// Checks a character class after its `[`: an optional `^`, then one or more characters or
/// ranges, then `]`.
fn check_class_syntax(chars: &mut Peekable<Chars<'_>>) -> Result<(), String> {
    chars.next_if_eq(&'^');
    let mut items = 0;
    loop {
        if items > 0 && chars.next_if_eq(&']').is_some() {
            return Ok(());
        }
        check_class_endpoint(chars)?;
        if chars.next_if_eq(&'-').is_some() {
            check_class_endpoint(chars)?;
        }
        items += 1;
    }
}

/// Mirrors Go's `getEsc`. Besides reading one (possibly escaped) character, it also requires
/// that something follows, because a class that runs to the end of the pattern is unterminated.
fn check_class_endpoint(chars: &mut Peekable<Chars<'_>>) -> Result<(), String> {
    match chars.next() {
        None => return Err("unterminated character class".to_owned()),
        Some('-') => {
            return Err("a `-` in a character class must be escaped or form a range".to_owned());
        }
        Some(']') => {
            return Err(
                "a `]` that does not close a non-empty character class must be escaped".to_owned(),
            );
        }
        Some('\\') if chars.next().is_none() => {
            return Err("unterminated character class".to_owned());
        }
        Some(_) => {}
    }
    if chars.peek().is_none() {
        return Err("unterminated character class".to_owned());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Classification and translation: `Pattern.compile`.
// ---------------------------------------------------------------------------------------------

/// How `patternmatcher` decides to match a pattern. Replicating the choice matters because the
/// fast paths are not equivalent to the regexp. For example `**foo` is a suffix match and so
/// matches `xfoo`, which its regexp `^(.*/)?foo$` would not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Regex,
}

/// Translates a cleaned, validated pattern into moby's regexp text and classification.
///
/// We go through the regexp text (rather than compiling the glob directly) so that the odd
/// interactions between glob syntax and regexp syntax come out as they do in Docker. Examples:
/// a `*` inside `[...]` expands into `[^/]*` inside the class, and an unescaped `^` outside a
/// class becomes an anchor.
fn translate(pattern: &str) -> (Kind, String) {
    let mut regex = String::with_capacity(pattern.len() + 8);
    regex.push('^');
    let mut kind = Kind::Exact;
    let mut chars = pattern.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.next_if_eq(&'*').is_some() => {
                // `**/` counts as `**`.
                chars.next_if_eq(&'/');
                if chars.peek().is_none() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        regex.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    regex.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                // A leading `**` forces a suffix match even when the regexp was already
                // needed. Later wildcards turn the pattern back into a regexp.
                if first {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                regex.push_str("[^/]*");
                kind = Kind::Regex;
            }
            '?' => {
                regex.push_str("[^/]");
                kind = Kind::Regex;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                regex.push('\\');
                regex.push(c);
            }
            '\\' => match chars.next() {
                Some(escaped) => {
                    regex.push('\\');
                    regex.push(escaped);
                    kind = Kind::Regex;
                }
                None => regex.push('\\'),
            },
            '[' | ']' => {
                regex.push(c);
                kind = Kind::Regex;
            }
            _ => regex.push(c),
        }
        first = false;
    }
    regex.push('$');
    (kind, regex)
}

// ---------------------------------------------------------------------------------------------
// Matchers.
// ---------------------------------------------------------------------------------------------

/// A compiled pattern.
#[derive(Debug, Clone)]
enum Matcher {
    /// The path must equal the text.
    Exact(Box<str>),
    /// The path must start with the text (a pattern like `dir/**`, minus the `**`).
    Prefix(Box<str>),
    /// The path must end with the text (a pattern like `**/name`, minus the `**`). A leading `/`
    /// may also be dropped to match the whole path.
    Suffix(Box<str>),
    /// Anything else: the translated regexp.
    Program(Program),
}

impl Matcher {
    fn compile(pattern: &str) -> Result<Matcher, String> {
        let (kind, regex) = translate(pattern);
        Ok(match kind {
            Kind::Exact => Matcher::Exact(pattern.into()),
            Kind::Prefix => Matcher::Prefix(pattern[..pattern.len() - 2].into()),
            Kind::Suffix => Matcher::Suffix(pattern[2..].into()),
            Kind::Regex => Matcher::Program(Program::compile(&regex)?),
        })
    }

    /// Whether the pattern matches `path` or one of its parent directories.
    fn matches_self_or_parent(&self, path: &str) -> bool {
        match self {
            Matcher::Exact(text) => path
                .strip_prefix(&**text)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
            // Every parent is a prefix of the path, so testing the path itself is enough.
            Matcher::Prefix(prefix) => path.starts_with(&**prefix),
            Matcher::Suffix(suffix) => {
                let bare = suffix.strip_prefix('/');
                self_or_parent(path, |candidate| {
                    candidate.ends_with(&**suffix) || bare == Some(candidate)
                })
            }
            Matcher::Program(program) => program.matches_self_or_parent(path),
        }
    }
}

/// A set of characters that one NFA step can consume.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CharSet {
    Char(char),
    /// `[^/]`, which is what `*` and `?` translate to. It gets its own variant because it is
    /// by far the most common set.
    NotSlash,
    /// `.`, which in Go regexps (no `s` flag) matches anything but a newline.
    NotNewline,
    Class {
        negated: bool,
        ranges: Box<[(char, char)]>,
    },
}

impl CharSet {
    fn class(negated: bool, ranges: Vec<(char, char)>) -> CharSet {
        match (negated, ranges.as_slice()) {
            (false, &[(lo, hi)]) if lo == hi => CharSet::Char(lo),
            (true, &[('/', '/')]) => CharSet::NotSlash,
            _ => CharSet::Class {
                negated,
                ranges: ranges.into_boxed_slice(),
            },
        }
    }

    fn matches(&self, c: char) -> bool {
        match self {
            CharSet::Char(expected) => *expected == c,
            CharSet::NotSlash => c != '/',
            CharSet::NotNewline => c != '\n',
            CharSet::Class { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
            }
        }
    }
}

/// One NFA instruction. Instruction `i` moves to `i + 1`. Index `insts.len()` means the match
/// is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Inst {
    /// Consume exactly one character from the set.
    One(CharSet),
    /// Consume any number of characters from the set (`x*`).
    Many(CharSet),
    /// `(.*/)?`, which is what a non-trailing `**` translates to: either nothing, or anything
    /// without a newline that ends in `/`.
    AnyDirs,
    /// `^` (or `\A`). Patterns start with one. Docker also leaves a user's `^` unescaped, and
    /// anywhere but the start it makes the pattern unmatchable.
    AssertStart,
}

/// The NFA for a translated regexp.
#[derive(Debug, Clone)]
struct Program {
    insts: Box<[Inst]>,
    /// The longest run of literal characters in the pattern. Every match of the path or a
    /// parent contains it, and parents are prefixes of the path, so a path without it can be
    /// rejected by one substring search instead of a full NFA run. Most paths are rejected
    /// this way by patterns like `**/*.log`.
    required: Box<str>,
}

/// The parse of one escape sequence.
enum Escape {
    Char(char),
    Set(CharSet),
    BeginText,
}

/// A parser for the regexp subset that `translate` can produce, read with Go's `regexp/syntax`
/// (Perl flags) semantics.
struct RegexParser<'a> {
    rest: &'a str,
}

impl Program {
    fn compile(regex: &str) -> Result<Program, String> {
        let mut parser = RegexParser { rest: regex };
        let mut insts = Vec::new();
        while let Some(c) = parser.bump() {
            let set = match c {
                '^' => {
                    insts.push(Inst::AssertStart);
                    continue;
                }
                '$' if parser.rest.is_empty() => break,
                '(' if parser.eat_str(".*/)?") => {
                    insts.push(Inst::AnyDirs);
                    continue;
                }
                '.' => CharSet::NotNewline,
                '[' => parser.class()?,
                '\\' => match parser.escape(false)? {
                    Escape::Char(c) => CharSet::Char(c),
                    Escape::Set(set) => set,
                    Escape::BeginText => {
                        insts.push(Inst::AssertStart);
                        continue;
                    }
                },
                // `translate` escapes or consumes all of these, so they cannot appear here.
                // We still refuse them rather than guess.
                '*' | '?' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                    return Err(format!(
                        "unexpected `{c}` in its regular expression `{regex}`"
                    ));
                }
                c => CharSet::Char(c),
            };
            insts.push(if parser.eat('*') {
                Inst::Many(set)
            } else {
                Inst::One(set)
            });
            if matches!(parser.peek(), Some('*' | '?' | '+')) {
                return Err(format!(
                    "invalid nested repetition in its regular expression `{regex}`"
                ));
            }
        }
        let required = longest_literal(&insts);
        Ok(Program {
            insts: insts.into_boxed_slice(),
            required: required.into(),
        })
    }

    fn matches_self_or_parent(&self, path: &str) -> bool {
        if !path.contains(&*self.required) {
            return false;
        }
        // A u128 holds every state (instructions plus the accepting one) of almost every
        // real pattern. Longer patterns pay for two small vectors.
        if self.insts.len() < 128 {
            self.run::<u128>(path)
        } else {
            self.run::<WideSet>(path)
        }
    }

    /// Runs the NFA once over `path`. Each parent directory is a prefix of the path, so instead
    /// of matching each parent separately like Docker does, we test for acceptance just before
    /// every `/` that ends a parent.
    fn run<S: StateSet>(&self, path: &str) -> bool {
        let accept = self.insts.len();
        let mut current = S::with_states(accept + 1);
        let mut next = S::with_states(accept + 1);
        self.enter(&mut current, 0, true);
        let mut previous = None;
        for c in path.chars() {
            if c == '/' && previous.is_some_and(|p| p != '/') && current.contains(accept) {
                return true;
            }
            previous = Some(c);
            next.clear();
            current.for_each(|state| self.step(state, c, &mut next));
            if next.is_empty() {
                return false;
            }
            std::mem::swap(&mut current, &mut next);
        }
        current.contains(accept)
    }

    /// Adds `state` and everything reachable from it without consuming input.
    fn enter<S: StateSet>(&self, set: &mut S, mut state: usize, at_start: bool) {
        loop {
            match self.insts.get(state) {
                None | Some(Inst::One(_)) => {
                    set.insert(state);
                    return;
                }
                Some(Inst::AssertStart) => {
                    if !at_start {
                        return;
                    }
                    state += 1;
                }
                Some(Inst::Many(_)) => {
                    // A `Many` bit is only ever set here, so if it is already set, so is
                    // everything after it.
                    if !set.insert(state) {
                        return;
                    }
                    state += 1;
                }
                Some(Inst::AnyDirs) => {
                    // `step` can set this bit without its epsilon successors, so keep
                    // going even when it is already set.
                    set.insert(state);
                    state += 1;
                }
            }
        }
    }

    /// Advances one active state over character `c`.
    fn step<S: StateSet>(&self, state: usize, c: char, next: &mut S) {
        match self.insts.get(state) {
            Some(Inst::One(set)) if set.matches(c) => self.enter(next, state + 1, false),
            Some(Inst::Many(set)) if set.matches(c) => self.enter(next, state, false),
            Some(Inst::AnyDirs) => {
                // Inside the `.*` of `(.*/)?`. Only a `/` may end the group.
                if c != '\n' {
                    next.insert(state);
                }
                if c == '/' {
                    self.enter(next, state + 1, false);
                }
            }
            _ => {}
        }
    }
}

/// The longest run of consecutive single-literal instructions. These consume consecutive
/// characters, so the run appears verbatim in every match.
fn longest_literal(insts: &[Inst]) -> String {
    let mut longest = String::new();
    let mut run = String::new();
    for inst in insts {
        if let Inst::One(CharSet::Char(c)) = inst {
            run.push(*c);
            if run.len() > longest.len() {
                longest.clone_from(&run);
            }
        } else {
            run.clear();
        }
    }
    longest
}

impl RegexParser<'_> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.rest = &self.rest[c.len_utf8()..];
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        self.eat_str(c.encode_utf8(&mut [0; 4]))
    }

    fn eat_str(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// Parses a character class after its `[`, following Go's `parseClass`: `]` is literal
    /// when it comes first, POSIX `[:name:]` groups are recognised, and `-` is literal when
    /// it cannot form a range.
    fn class(&mut self) -> Result<CharSet, String> {
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            if self.rest.is_empty() {
                return Err("missing `]` in a character class".to_owned());
            }
            if !first && self.eat(']') {
                break;
            }
            first = false;
            // Go searches the rest of the whole expression for the `:]`, not just the class.
            if self.rest.len() > 2
                && self.rest.starts_with("[:")
                && let Some(end) = self.rest[2..].find(":]")
            {
                let name = &self.rest[..end + 4];
                push_posix_class(name, &mut ranges)?;
                self.rest = &self.rest[name.len()..];
                continue;
            }
            if let Some(rest) = self.rest.strip_prefix('\\')
                && let Some((table, negated)) = rest.chars().next().and_then(perl_class)
            {
                push_ascii_ranges(table, negated, &mut ranges);
                self.rest = &rest[1..];
                continue;
            }
            let lo = self.class_char()?;
            let mut hi = lo;
            if self.rest.len() >= 2
                && self.rest.starts_with('-')
                && !self.rest[1..].starts_with(']')
            {
                self.bump();
                hi = self.class_char()?;
                if hi < lo {
                    return Err(format!("the character class range `{lo}-{hi}` is reversed"));
                }
            }
            ranges.push((lo, hi));
        }
        Ok(CharSet::class(negated, ranges))
    }

    fn class_char(&mut self) -> Result<char, String> {
        match self.bump() {
            None => Err("missing `]` in a character class".to_owned()),
            Some('\\') => match self.escape(true)? {
                Escape::Char(c) => Ok(c),
                Escape::Set(_) | Escape::BeginText => {
                    Err("a class escape like `\\d` cannot end a range".to_owned())
                }
            },
            Some(c) => Ok(c),
        }
    }

    /// Parses the escape after a `\`, following Go's `parseEscape` and its Perl extensions.
    fn escape(&mut self, in_class: bool) -> Result<Escape, String> {
        let Some(c) = self.bump() else {
            return Err("a trailing `\\` escapes nothing".to_owned());
        };
        let literal = match c {
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => c,
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => {
                let mut ranges = Vec::new();
                if let Some((table, negated)) = perl_class(c) {
                    push_ascii_ranges(table, negated, &mut ranges);
                }
                return Ok(Escape::Set(CharSet::class(false, ranges)));
            }
            'A' if !in_class => return Ok(Escape::BeginText),
            'a' => '\x07',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            '0'..='7' => self.octal(c)?,
            'x' => self.hex()?,
            'p' | 'P' => return Err(unmodelled_escape(c)),
            'b' | 'B' | 'z' | 'Q' if !in_class => return Err(unmodelled_escape(c)),
            _ => {
                return Err(format!(
                    "`\\{c}` is not a valid escape in Docker's regular-expression translation \
                     (escape only punctuation)"
                ));
            }
        };
        Ok(Escape::Char(literal))
    }

    /// `\0`, `\12`, `\123`. A lone non-zero digit would be a backreference, which Go rejects.
    fn octal(&mut self, first: char) -> Result<char, String> {
        let next_digit = |parser: &Self| parser.peek().and_then(|d| d.to_digit(8));
        if first != '0' && next_digit(self).is_none() {
            return Err(format!(
                "`\\{first}` is a backreference, which Go regular expressions do not support"
            ));
        }
        let mut value = first.to_digit(8).unwrap_or(0);
        for _ in 0..2 {
            let Some(digit) = next_digit(self) else {
                break;
            };
            value = value * 8 + digit;
            self.bump();
        }
        char::from_u32(value).ok_or_else(|| format!("`\\{first}…` is not a valid character"))
    }

    /// `\xHH`. The braced form cannot reach us, because `translate` escapes `{`.
    fn hex(&mut self) -> Result<char, String> {
        let high = self.bump().and_then(|c| c.to_digit(16));
        let low = self.bump().and_then(|c| c.to_digit(16));
        match (high, low) {
            (Some(high), Some(low)) => char::from_u32(high * 16 + low)
                .ok_or_else(|| "`\\x` escape out of range".to_owned()),
            _ => Err("`\\x` must be followed by two hexadecimal digits".to_owned()),
        }
    }
}

fn unmodelled_escape(c: char) -> String {
    format!(
        "`\\{c}` has a Go regular-expression meaning in Docker that Plimsoll does not model \
         (escape only punctuation)"
    )
}

/// `\d`, `\s`, `\w` and their upper-case negations, as ASCII tables (Go's Perl classes are
/// ASCII-only).
fn perl_class(c: char) -> Option<(&'static [(u8, u8)], bool)> {
    const DIGIT: &[(u8, u8)] = &[(b'0', b'9')];
    const SPACE: &[(u8, u8)] = &[(b'\t', b'\n'), (0x0c, b'\r'), (b' ', b' ')];
    const WORD: &[(u8, u8)] = &[(b'0', b'9'), (b'A', b'Z'), (b'_', b'_'), (b'a', b'z')];
    match c {
        'd' => Some((DIGIT, false)),
        'D' => Some((DIGIT, true)),
        's' => Some((SPACE, false)),
        'S' => Some((SPACE, true)),
        'w' => Some((WORD, false)),
        'W' => Some((WORD, true)),
        _ => None,
    }
}

/// Adds a POSIX group such as `[:alpha:]` or `[:^space:]`. Go's regexp accepts these inside
/// classes, so `[[:digit:]]` works in Docker even though `filepath.Match` reads it differently.
fn push_posix_class(name: &str, ranges: &mut Vec<(char, char)>) -> Result<(), String> {
    let inner = &name[2..name.len() - 2];
    let (negated, group) = match inner.strip_prefix('^') {
        Some(group) => (true, group),
        None => (false, inner),
    };
    let table: &[(u8, u8)] = match group {
        "alnum" => &[(b'0', b'9'), (b'A', b'Z'), (b'a', b'z')],
        "alpha" => &[(b'A', b'Z'), (b'a', b'z')],
        "ascii" => &[(0x00, 0x7f)],
        "blank" => &[(b'\t', b'\t'), (b' ', b' ')],
        "cntrl" => &[(0x00, 0x1f), (0x7f, 0x7f)],
        "digit" => &[(b'0', b'9')],
        "graph" => &[(b'!', b'~')],
        "lower" => &[(b'a', b'z')],
        "print" => &[(b' ', b'~')],
        "punct" => &[(b'!', b'/'), (b':', b'@'), (b'[', b'`'), (b'{', b'~')],
        "space" => &[(b'\t', b'\r'), (b' ', b' ')],
        "upper" => &[(b'A', b'Z')],
        "word" => &[(b'0', b'9'), (b'A', b'Z'), (b'_', b'_'), (b'a', b'z')],
        "xdigit" => &[(b'0', b'9'), (b'A', b'F'), (b'a', b'f')],
        _ => return Err(format!("unknown character class `{name}`")),
    };
    push_ascii_ranges(table, negated, ranges);
    Ok(())
}

/// Appends an ASCII table (sorted, disjoint) or its complement over all of Unicode.
fn push_ascii_ranges(table: &[(u8, u8)], negated: bool, ranges: &mut Vec<(char, char)>) {
    if !negated {
        ranges.extend(
            table
                .iter()
                .map(|&(lo, hi)| (char::from(lo), char::from(hi))),
        );
        return;
    }
    let mut next = 0u8;
    for &(lo, hi) in table {
        if lo > next {
            ranges.push((char::from(next), char::from(lo - 1)));
        }
        next = hi + 1;
    }
    ranges.push((char::from(next), char::MAX));
}

// ---------------------------------------------------------------------------------------------
// State sets for the NFA simulation.
// ---------------------------------------------------------------------------------------------

/// A set of NFA states. It is generic so the common case can live in one `u128` register.
trait StateSet {
    fn with_states(states: usize) -> Self;
    fn clear(&mut self);
    /// Returns whether the state was newly added.
    fn insert(&mut self, state: usize) -> bool;
    fn contains(&self, state: usize) -> bool;
    fn is_empty(&self) -> bool;
    fn for_each(&self, f: impl FnMut(usize));
}

impl StateSet for u128 {
    fn with_states(_states: usize) -> Self {
        0
    }

    fn clear(&mut self) {
        *self = 0;
    }

    fn insert(&mut self, state: usize) -> bool {
        let bit = 1u128 << state;
        let fresh = *self & bit == 0;
        *self |= bit;
        fresh
    }

    fn contains(&self, state: usize) -> bool {
        (*self >> state) & 1 != 0
    }

    fn is_empty(&self) -> bool {
        *self == 0
    }

    fn for_each(&self, mut f: impl FnMut(usize)) {
        let mut bits = *self;
        while bits != 0 {
            f(bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
}

/// A state set for programs too long for a `u128`.
struct WideSet(Vec<u64>);

impl StateSet for WideSet {
    fn with_states(states: usize) -> Self {
        WideSet(vec![0; states.div_ceil(64)])
    }

    fn clear(&mut self) {
        self.0.fill(0);
    }

    fn insert(&mut self, state: usize) -> bool {
        let word = &mut self.0[state / 64];
        let bit = 1u64 << (state % 64);
        let fresh = *word & bit == 0;
        *word |= bit;
        fresh
    }

    fn contains(&self, state: usize) -> bool {
        (self.0[state / 64] >> (state % 64)) & 1 != 0
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|&word| word == 0)
    }

    fn for_each(&self, mut f: impl FnMut(usize)) {
        for (index, &word) in self.0.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                f(index * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses text that must be free of errors.
    fn ignore(text: &str) -> DockerIgnore {
        let ignore = DockerIgnore::parse(text);
        assert!(ignore.errors.is_empty(), "{text:?}: {:?}", ignore.errors);
        ignore
    }

    fn excluded(text: &str, path: &str) -> bool {
        ignore(text).is_excluded(path)
    }

    fn texts(ignore: &DockerIgnore) -> Vec<(&str, bool, usize)> {
        ignore
            .patterns()
            .iter()
            .map(|p| (p.text.as_str(), p.exclusion, p.line))
            .collect()
    }

    fn error_lines(text: &str) -> Vec<usize> {
        DockerIgnore::parse(text)
            .errors
            .iter()
            .map(|e| e.line)
            .collect()
    }

    #[test]
    fn comments_blank_lines_and_whitespace() {
        let parsed = ignore("# comment\n\n   \n  target  \n\t# indented is a pattern\nfoo bar\n");
        assert_eq!(
            texts(&parsed),
            vec![
                ("target", false, 4),
                ("# indented is a pattern", false, 5),
                ("foo bar", false, 6),
            ]
        );
        assert!(parsed.is_excluded("target/debug/x"));
        assert!(parsed.is_excluded("foo bar"));
        assert!(!parsed.is_excluded("comment"));
    }

    #[test]
    fn byte_order_mark_and_crlf() {
        let parsed = ignore("\u{feff}# comment\r\nnode_modules\r\n!node_modules/keep\r\n");
        assert_eq!(
            texts(&parsed),
            vec![("node_modules", false, 2), ("node_modules/keep", true, 3)]
        );
        // A BOM on a later line is not stripped.
        assert_eq!(texts(&ignore("a\n\u{feff}b"))[1].0, "\u{feff}b");
    }

    #[test]
    fn exceptions_and_ordering() {
        let text = "*.md\n!README.md\n";
        assert!(excluded(text, "CHANGELOG.md"));
        assert!(!excluded(text, "README.md"));
        assert!(!excluded(text, "main.rs"));
        // The last matching pattern wins, so the order matters.
        let reversed = "!README.md\n*.md\n";
        assert!(excluded(reversed, "README.md"));
        // An exception can be overridden again.
        let again = "*.md\n!README.md\nREADME.md\n";
        assert!(excluded(again, "README.md"));
    }

    #[test]
    fn parent_directories_match() {
        let text = "node_modules\n";
        assert!(excluded(text, "node_modules"));
        assert!(excluded(text, "node_modules/a/b.js"));
        assert!(!excluded(text, "node_modules2/a.js"));
        assert!(!excluded(text, "node_modulesx"));
        // Unlike .gitignore, a slash-less pattern is anchored at the context root.
        assert!(!excluded(text, "web/node_modules/a.js"));
        assert!(excluded("a*\n", "ab/c"));
        assert!(excluded("*/build\n", "pkg/build/out.o"));
    }

    #[test]
    fn patterns_without_slash_do_not_float() {
        let text = "*.md\n";
        assert!(excluded(text, "README.md"));
        assert!(!excluded(text, "docs/x.md"));
        assert!(excluded("*/*.md\n", "docs/x.md"));
        assert!(!excluded("*/*.md\n", "docs/deep/x.md"));
        assert!(excluded("**/*.md\n", "docs/deep/x.md"));
    }

    #[test]
    fn double_star_forms() {
        assert!(excluded("**\n", "anything/at/all"));
        assert!(excluded("**/\n", "file"));
        assert!(excluded("**/**\n", "dir/file"));
        assert!(excluded("**/*.go\n", "main.go"));
        assert!(excluded("**/*.go\n", "cmd/tool/main.go"));
        assert!(!excluded("**/*.go\n", "main.go.txt"));
        assert!(excluded("a/**/b\n", "a/b"));
        assert!(excluded("a/**/b\n", "a/x/b"));
        assert!(excluded("a/**/b\n", "a/x/y/b/c"));
        assert!(!excluded("a/**/b\n", "a/xb"));
        assert!(excluded("dir/**\n", "dir/file"));
        assert!(excluded("dir/**\n", "dir/sub/file"));
        // `dir/**` needs something below `dir`, so the directory itself stays.
        assert!(!excluded("dir/**\n", "dir"));
        assert!(excluded("**/dir\n", "dir"));
        assert!(excluded("**/dir\n", "a/b/dir/file"));
        assert!(!excluded("**/dir\n", "a/xdir"));
        assert!(excluded("**/dir2/*\n", "dir/dir2/file"));
        assert!(excluded("**/dir2/**\n", "dir/dir2/dir3/file"));
        assert!(excluded("a**/*.txt\n", "a/file.txt"));
        assert!(excluded("a**/*.txt\n", "ab/dir/file.txt"));
        assert!(excluded("a/*.txt**\n", "a/file.txt"));
    }

    #[test]
    fn double_star_quirks_follow_docker() {
        // A leading `**` before literal text becomes a plain suffix test in Docker.
        assert!(excluded("**file\n", "file"));
        assert!(excluded("**file\n", "dir/file"));
        assert!(excluded("**file\n", "dir/myfile"));
        // A `**` in the middle must end at a separator, so `a**b` does not match `axb`.
        assert!(excluded("a**b\n", "ab"));
        assert!(excluded("a**b\n", "ax/b"));
        assert!(!excluded("a**b\n", "axb"));
        // A trailing `**` matches across separators.
        assert!(excluded("ab**\n", "abc/d"));
        // `.` in the translated regexp does not match a newline, but a suffix test does.
        assert!(!excluded("a/**/b\n", "a/x\ny/b"));
        assert!(excluded("**\n", "x\ny"));
    }

    #[test]
    fn question_mark() {
        let text = "a?c\n";
        assert!(excluded(text, "abc"));
        assert!(excluded(text, "a.c"));
        assert!(!excluded(text, "ac"));
        assert!(!excluded(text, "abbc"));
        assert!(!excluded(text, "a/c"));
        // `?` consumes a whole character, not a byte.
        assert!(excluded("a?b\n", "a☺b"));
        assert!(!excluded("a???b\n", "a☺b"));
    }

    #[test]
    fn character_classes() {
        assert!(excluded("[abc].txt\n", "b.txt"));
        assert!(!excluded("[abc].txt\n", "d.txt"));
        assert!(excluded("a[b-d]e\n", "ace"));
        assert!(!excluded("a[b-d]e\n", "ae"));
        assert!(!excluded("a[b-d]e\n", "aae"));
        assert!(excluded("a[^b-d]e\n", "aze"));
        assert!(!excluded("a[^b-d]e\n", "ace"));
        // Go has no `!` negation: `[!a]` is the set {!, a}.
        assert!(excluded("x[!a]\n", "xa"));
        assert!(excluded("x[!a]\n", "x!"));
        assert!(!excluded("x[!a]\n", "xb"));
        // Escapes inside classes.
        assert!(excluded("[\\]a]\n", "]"));
        assert!(excluded("[\\-]\n", "-"));
        assert!(excluded("[x\\-]\n", "-"));
        assert!(!excluded("[\\-x]\n", "a"));
        // Non-ASCII ranges.
        assert!(excluded("[a-ζ]*\n", "α"));
        assert!(!excluded("*[a-ζ]\n", "A"));
        // Unlike `?`, a class can match a separator, as it does in Docker's regexp.
        assert!(excluded("a[^x]b\n", "a/b"));
        // POSIX groups and Perl classes come from Go's regexp syntax.
        assert!(excluded("[[:digit:]]x\n", "7x"));
        assert!(!excluded("[[:digit:]]x\n", "ax"));
        assert!(excluded("[[:^digit:]]x\n", "ax"));
        assert!(excluded("[\\d_]x\n", "_x"));
    }

    #[test]
    fn class_quirks_follow_docker() {
        // Docker expands `*` inside a class into `[^/]*`, turning `[*]` into
        // `[[^/]*]`: a repeated class {[, ^, /} followed by a literal `]`.
        assert!(!excluded("[*]\n", "*"));
        assert!(excluded("[*]\n", "]"));
        assert!(excluded("[*]\n", "[^]"));
        // An escaped star inside a class is a literal.
        assert!(excluded("x[\\*]\n", "x*"));
    }

    #[test]
    fn leading_slash_dot_and_trailing_slash() {
        let parsed = ignore("/target\n./build/\nout//bin/\n/a/./b/../c\n!/keep\n");
        assert_eq!(
            texts(&parsed),
            vec![
                ("target", false, 1),
                ("build", false, 2),
                ("out/bin", false, 3),
                ("a/c", false, 4),
                ("keep", true, 5),
            ]
        );
        assert!(parsed.is_excluded("target/x"));
        assert!(parsed.is_excluded("build"));
        assert!(parsed.is_excluded("build/x"));
        assert!(parsed.is_excluded("out/bin/tool"));
        assert!(parsed.is_excluded("a/c"));
        // A trailing slash does not limit the pattern to directories.
        assert!(excluded("logs/\n", "logs"));
    }

    #[test]
    fn dot_dot_and_root_patterns_match_nothing() {
        let parsed = ignore("../secret\n/\n.\n/../etc\n");
        assert_eq!(
            texts(&parsed),
            vec![
                ("../secret", false, 1),
                ("/", false, 2),
                (".", false, 3),
                ("etc", false, 4),
            ]
        );
        assert!(!parsed.is_excluded("secret"));
        assert!(!parsed.is_excluded("x"));
        assert!(parsed.is_excluded("etc/passwd"));
    }

    #[test]
    fn docker_cleans_twice() {
        // `ReadAll` cleans `a /` to `a ` and `New` then trims it.
        assert_eq!(texts(&ignore("a /\n")), vec![("a", false, 1)]);
        // Lines that clean down to nothing are dropped silently.
        let parsed = DockerIgnore::parse(" / /\n");
        assert!(parsed.patterns().is_empty() && parsed.errors.is_empty());
    }

    #[test]
    fn slash_bang_becomes_an_exception() {
        // `ReadAll` drops the leading `/` and `New` then reads the `!`, so `/!keep` is an
        // exception for `keep` (Docker really does this).
        let parsed = ignore("*\n/!keep\n");
        assert_eq!(texts(&parsed), vec![("*", false, 1), ("keep", true, 2)]);
        assert!(!parsed.is_excluded("keep"));
        assert!(parsed.is_excluded("other"));
        // `!!x` is an exception for a file literally named `!x`.
        assert_eq!(texts(&ignore("!!x\n")), vec![("!x", true, 1)]);
    }

    #[test]
    fn escapes() {
        let text = "\\*.txt\n";
        assert!(excluded(text, "*.txt"));
        assert!(!excluded(text, "a.txt"));
        assert!(excluded("a\\?\n", "a?"));
        assert!(!excluded("a\\?\n", "ab"));
        assert!(excluded("\\#notes\n", "#notes"));
        assert!(excluded("a\\\\\n", "a\\"));
        assert!(excluded("a\\*b\n", "a*b"));
        assert!(excluded("\\!important\n", "!important"));
        // Docker passes escapes through to a regexp, so letter escapes are regexp classes.
        assert!(excluded("v\\d\n", "v1"));
        assert!(!excluded("v\\d\n", "vd"));
        assert!(excluded("x\\x41\n", "xA"));
    }

    #[test]
    fn regexp_metacharacters_are_literal() {
        assert!(excluded("a(b)c/def\n", "a(b)c/def"));
        assert!(!excluded("a(b)c/def\n", "abc/def"));
        assert!(excluded("a.|)$(}+{bc\n", "a.|)$(}+{bc"));
        assert!(excluded("abc.def\n", "abc.def"));
        assert!(!excluded("abc.def\n", "abcZdef"));
        assert!(excluded("*.a+b\n", "x.a+b"));
        assert!(!excluded("*.a+b\n", "x.aab"));
        assert!(excluded(
            "dist/*.whl\n",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"
        ));
    }

    #[test]
    fn caret_follows_docker() {
        // Without wildcards the pattern is compared literally.
        assert!(excluded("^foo\n", "^foo"));
        // With wildcards Docker leaves `^` unescaped in its regexp, making it an anchor.
        assert!(excluded("^*.txt\n", "a.txt"));
        assert!(!excluded("a*^b\n", "ax^b"));
        assert!(!excluded("a*^b\n", "ab"));
    }

    #[test]
    fn lone_exclamation_is_an_error() {
        let parsed = DockerIgnore::parse("a\n!\nb\n! \n!/\n");
        assert_eq!(texts(&parsed), vec![("a", false, 1), ("b", false, 3)]);
        assert_eq!(
            parsed.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![2, 4, 5]
        );
        assert!(
            parsed.errors[0]
                .message
                .contains("illegal exclusion pattern")
        );
        // The other patterns still work.
        assert!(parsed.is_excluded("b"));
    }

    #[test]
    fn reinclude_under_excluded_directory() {
        let text = "dir\n!dir/keep\n";
        assert!(excluded(text, "dir"));
        assert!(excluded(text, "dir/other"));
        assert!(!excluded(text, "dir/keep"));
        assert!(!excluded(text, "dir/keep/nested/file"));
        assert!(excluded(text, "dir/keeper"));

        let allow_list = "*\n!src\n!Cargo.toml\n";
        assert!(!excluded(allow_list, "src/main.rs"));
        assert!(!excluded(allow_list, "Cargo.toml"));
        assert!(excluded(allow_list, "target/debug/app"));
        assert!(excluded(allow_list, "README.md"));

        let everything = "**\n!util/docker/web\n";
        assert!(!excluded(everything, "util/docker/web/foo"));
        assert!(excluded(everything, "util/docker/other"));
        assert!(excluded(
            "**\n!util/docker/web\nutil/docker/web/foo\n",
            "util/docker/web/foo"
        ));
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "[",
            "[^",
            "[^bc",
            "a[",
            "[]a]",
            "[-]",
            "[x-]",
            "[-x]",
            "[a-b-c]",
            "\\",
            "foo\\ ",
            "[z-a]",
            "[Local-Only]/",
            "[[:nope:]]",
            "[[:alpha:]",
            "x\\q",
            "x\\é",
            "x\\1",
            "x\\x4",
            "x\\b",
            "x\\p",
            "[a-\\d]",
        ] {
            let parsed = DockerIgnore::parse(&format!("ok\n{bad}\n"));
            assert_eq!(parsed.errors.len(), 1, "{bad:?} should be rejected");
            assert_eq!(parsed.errors[0].line, 2);
            assert_eq!(texts(&parsed), vec![("ok", false, 1)]);
        }
        assert!(
            DockerIgnore::parse("[z-a]\n").errors[0]
                .message
                .contains("`[z-a]`")
        );
    }

    #[test]
    fn bad_exception_does_not_poison_other_lines() {
        assert_eq!(error_lines("*\n![\n!src\n"), vec![2]);
        let parsed = DockerIgnore::parse("*\n![\n!src\n");
        assert!(!parsed.is_excluded("src/lib.rs"));
        assert!(parsed.is_excluded("docs/x"));
    }

    #[test]
    fn path_argument_is_normalised() {
        let parsed = ignore("src/gen\n**\n!keep\n");
        assert!(parsed.is_excluded("./src/gen/x.rs"));
        assert!(parsed.is_excluded("/src/gen/x.rs"));
        assert!(parsed.is_excluded("src/gen/"));
        assert!(!parsed.is_excluded("keep/"));
        // The context root itself is never excluded.
        assert!(!parsed.is_excluded(""));
        assert!(!parsed.is_excluded("."));
        assert!(!parsed.is_excluded("./"));
        assert!(parsed.matching_pattern(".").is_none());
    }

    #[test]
    fn matching_pattern_names_the_deciding_line() {
        let parsed = ignore("# header\n*.log\ntmp\n!tmp/keep.log\n");
        assert_eq!(parsed.matching_pattern("a.log").map(|p| p.line), Some(2));
        assert_eq!(parsed.matching_pattern("tmp/x").map(|p| p.line), Some(3));
        let keep = parsed.matching_pattern("tmp/keep.log").unwrap();
        assert_eq!((keep.line, keep.exclusion), (4, true));
        assert_eq!(parsed.matching_pattern("src/main.rs"), None);
    }

    #[test]
    fn empty_file_excludes_nothing() {
        let parsed = ignore("");
        assert!(parsed.patterns().is_empty());
        assert!(!parsed.is_excluded("anything"));
    }

    #[test]
    fn classification_matches_moby() {
        let kind = |p: &str| translate(p).0;
        assert_eq!(kind("abc.def"), Kind::Exact);
        assert_eq!(kind("a(b)c/def"), Kind::Exact);
        assert_eq!(kind("dir/**"), Kind::Prefix);
        assert_eq!(kind("**"), Kind::Suffix);
        assert_eq!(kind("**/dir"), Kind::Suffix);
        assert_eq!(kind("**file"), Kind::Suffix);
        assert_eq!(kind("**/**"), Kind::Regex);
        assert_eq!(kind("**/dir2/*"), Kind::Regex);
        assert_eq!(kind("a*"), Kind::Regex);
        assert_eq!(translate("**/**/*.txt").1, r"^(.*/)?(.*/)?[^/]*\.txt$");
        assert_eq!(translate("**/dir2/**").1, "^(.*/)?dir2/.*$");
        assert_eq!(translate("abc?def").1, "^abc[^/]def$");
    }

    #[test]
    fn no_exponential_blowup() {
        let pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*b\n";
        assert!(!excluded(pattern, &"a".repeat(400)));
        assert!(excluded(pattern, &format!("{}b", "a".repeat(400))));
    }

    #[test]
    fn long_patterns_use_wide_state_sets() {
        let stem = "x".repeat(200);
        let text = format!("{stem}*\n");
        assert!(excluded(&text, &format!("{stem}yz")));
        assert!(excluded(&text, &format!("{stem}/child")));
        assert!(!excluded(&text, &"x".repeat(199)));
    }

    /// A backtracking interpreter of the same instructions, used as an oracle for the NFA.
    fn reference(insts: &[Inst], text: &[char], pos: usize) -> bool {
        match insts.split_first() {
            None => pos == text.len(),
            Some((Inst::AssertStart, rest)) => pos == 0 && reference(rest, text, pos),
            Some((Inst::One(set), rest)) => {
                pos < text.len() && set.matches(text[pos]) && reference(rest, text, pos + 1)
            }
            Some((Inst::Many(set), rest)) => {
                let mut at = pos;
                loop {
                    if reference(rest, text, at) {
                        return true;
                    }
                    if at < text.len() && set.matches(text[at]) {
                        at += 1;
                    } else {
                        return false;
                    }
                }
            }
            Some((Inst::AnyDirs, rest)) => {
                reference(rest, text, pos)
                    || (pos..text.len())
                        .take_while(|&at| text[at] != '\n')
                        .any(|at| text[at] == '/' && reference(rest, text, at + 1))
            }
        }
    }

    /// Docker's `MatchesOrParentMatches` for one matcher, with Go's `Dir` and `Split` logic.
    fn reference_self_or_parent(matcher: &Matcher, path: &str) -> bool {
        let exact = |candidate: &str| match matcher {
            Matcher::Exact(text) => candidate == &**text,
            Matcher::Prefix(prefix) => candidate.starts_with(&**prefix),
            Matcher::Suffix(suffix) => {
                candidate.ends_with(&**suffix) || suffix.strip_prefix('/') == Some(candidate)
            }
            Matcher::Program(program) => {
                reference(&program.insts, &candidate.chars().collect::<Vec<_>>(), 0)
            }
        };
        if exact(path) {
            return true;
        }
        let parts: Vec<&str> = path.split('/').collect();
        (1..parts.len()).any(|n| exact(&parts[..n].join("/")))
    }

    /// A xorshift generator, so the randomised tests are deterministic without dependencies.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn string(&mut self, alphabet: &[&str], max_len: u64) -> String {
            let len = self.next() % (max_len + 1);
            (0..len)
                .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
                .collect()
        }
    }

    #[test]
    fn nfa_agrees_with_backtracking_oracle() {
        let pattern_alphabet = [
            "a", "b", "/", "*", "**", "?", "[ab]", "[^a]", "^", "\\", ".", "ab",
        ];
        let path_alphabet = ["a", "b", "/", "ab", "\n", "^", "."];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut compiled = 0;
        for _ in 0..3000 {
            let pattern = rng.string(&pattern_alphabet, 6);
            let parsed = DockerIgnore::parse(&pattern);
            let Some(matcher) = parsed.matchers.first() else {
                continue;
            };
            compiled += 1;
            for _ in 0..20 {
                let path = rng.string(&path_alphabet, 8);
                let Some(path) = context_path(&path) else {
                    continue;
                };
                if path.contains("//") {
                    continue;
                }
                let expected = reference_self_or_parent(matcher, path);
                assert_eq!(
                    matcher.matches_self_or_parent(path),
                    expected,
                    "pattern {pattern:?} path {path:?}"
                );
                if let Matcher::Program(program) = matcher {
                    assert_eq!(program.run::<WideSet>(path), expected);
                }
            }
        }
        assert!(compiled > 1000, "only {compiled} patterns compiled");
    }

    #[test]
    fn is_excluded_agrees_with_matching_pattern() {
        let line_alphabet = ["a", "b", "/", "*", "**", "?", "!", "[ab]", "\n"];
        let path_alphabet = ["a", "b", "/", "ab"];
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..500 {
            let parsed = DockerIgnore::parse(&rng.string(&line_alphabet, 16));
            for _ in 0..20 {
                let path = rng.string(&path_alphabet, 8);
                assert_eq!(
                    parsed.is_excluded(&path),
                    parsed.matching_pattern(&path).is_some_and(|p| !p.exclusion),
                    "{:?} {path:?}",
                    parsed.patterns()
                );
            }
        }
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let alphabet = [
            "a", "/", "*", "?", "[", "]", "^", "-", "\\", "!", "#", " ", ".", "..", "é", "☺", "[:",
            ":]", "(", ")", "{", "$", "x", "0", "\n", "\r", "\u{feff}",
        ];
        let mut rng = Rng(0xdead_beef_cafe_f00d);
        for _ in 0..5000 {
            let parsed = DockerIgnore::parse(&rng.string(&alphabet, 12));
            let path = rng.string(&alphabet, 6);
            let _ = parsed.is_excluded(&path);
            let _ = parsed.matching_pattern(&path);
        }
    }
}
