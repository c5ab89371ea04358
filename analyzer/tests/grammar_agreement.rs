//! The tree-sitter-containerfile grammar as a differential oracle for the lexer.
//!
//! Where the grammar parses an instruction without any error, BuildKit would start an
//! instruction there too, so the lexer must. (The converse does not hold: the grammar has
//! gaps, such as continuation lines starting with `[`, where it reports errors on valid
//! files; the lexer is checked against BuildKit itself by `bench/acceptance.sh`.)
//!
//! Inputs: every Dockerfile the repository holds (rule fixtures, examples), generated files
//! made of tricky fragments, and `PLIMSOLL_CORPUS=DIR` for a directory of real ones.

use plimsoll_analyzer::Dockerfile;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use tree_sitter::Parser;

/// Line-starting byte offsets of instructions the grammar parsed without error, after
/// the parser directives.
fn grammar_starts(text: &str, body_start: usize) -> Vec<usize> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_containerfile::LANGUAGE.into())
        .expect("grammar matches tree-sitter");
    let tree = parser
        .parse(text, None)
        .expect("no timeout or cancellation set");
    let root = tree.root_node();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|n| n.kind().ends_with("_instruction") && !n.has_error())
        .map(|n| n.start_byte())
        .filter(|&start| start >= body_start && starts_line(text, start))
        .collect()
}

fn starts_line(text: &str, offset: usize) -> bool {
    let before = text[..offset].trim_end_matches([' ', '\t']);
    before.ends_with('\n') || before.trim_start_matches('\u{feff}').trim().is_empty()
}

/// The grammar's clean instruction starts the lexer does not share.
fn disagreements(text: &str) -> Vec<usize> {
    let file = Dockerfile::parse(text);
    // The grammar only knows `\` as the escape character.
    if file.directives.escape != '\\' {
        return Vec::new();
    }
    let lexer: Vec<usize> = file.instructions.iter().map(|i| i.span.start).collect();
    grammar_starts(text, file.directives.body_start)
        .into_iter()
        .filter(|start| lexer.binary_search(start).is_err())
        .collect()
}

fn assert_agrees(name: &str, text: &str) {
    let missing = disagreements(text);
    assert!(
        missing.is_empty(),
        "{name}: the grammar starts an instruction where the lexer does not: {:?}",
        missing
            .iter()
            .map(|&at| text[at..].lines().next().unwrap_or(""))
            .collect::<Vec<_>>()
    );
}

fn dockerfiles_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_lowercase();
        if path.is_dir() {
            dockerfiles_under(&path, out);
        } else if name.contains("dockerfile") || name.contains("containerfile") {
            out.push(path);
        }
    }
}

fn check_files(root: &Path) -> usize {
    let mut files = Vec::new();
    dockerfiles_under(root, &mut files);
    files.sort();
    let mut checked = 0;
    for path in &files {
        // Binary or non-UTF-8 fixtures exist on purpose (error handling); skip them.
        if let Ok(text) = std::fs::read_to_string(path) {
            assert_agrees(&path.display().to_string(), &text);
            checked += 1;
        }
    }
    checked
}

#[test]
fn lexer_agrees_with_the_grammar_on_the_repositorys_dockerfiles() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let checked =
        check_files(&repo.join("rules/tests/fixtures")) + check_files(&repo.join("examples"));
    assert!(
        checked > 100,
        "expected the rule fixtures, found {checked} files"
    );
}

#[test]
fn lexer_agrees_with_the_grammar_on_a_corpus() {
    let Some(dir) = std::env::var_os("PLIMSOLL_CORPUS") else {
        eprintln!("PLIMSOLL_CORPUS not set: skipped");
        return;
    };
    let checked = check_files(Path::new(&dir));
    eprintln!("{checked} files agree");
}

/// Fragments that exercise continuations, heredocs, comments, JSON forms and casing.
const FRAGMENTS: &[&str] = &[
    "FROM debian:12 AS build\n",
    "from alpine\n",
    "RUN apt-get update && \\\n    apt-get install -y curl\n",
    "RUN true && \\\n    [ -e x ] || exit 1; \\\n    echo ok\n",
    "RUN a \\\n\n  b\n",
    "RUN a \\\n  # inside\n  b\n",
    "RUN <<EOF\necho hi\nEOF\n",
    "RUN <<-EOT bash\n\tset -e\n\techo x\n\tEOT\n",
    "COPY <<EOF /etc/x\nline\nEOF\n",
    "# a comment\n",
    "\n",
    "CMD [\"run\", \"--flag\"]\n",
    "ENTRYPOINT ['not', 'json']\n",
    "ENV A=1 B=\"two words\"\n",
    "ENV LEGACY value here\n",
    "ARG VERSION=1.0\n",
    "LABEL a=b \\\n      c=d\n",
    "COPY --from=build --chown=1:1 /out /app\n",
    "WORKDIR /app\n",
    "EXPOSE 80/tcp 443\n",
    "HEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1\n",
    "ONBUILD RUN make\n",
    "SHELL [\"/bin/bash\", \"-c\"]\n",
    "USER app\n",
    "RUN echo \"a \\\\\" b\"\n",
    "RUN a \\   \n  b\n",
    "FOO bar\n",
    "ENV WIN C:\\dir\\\\\n",
    "RUN echo a\\\r\n  b\r\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lexer_agrees_with_the_grammar_on_generated_files(
        picks in prop::collection::vec(0..FRAGMENTS.len(), 1..12),
    ) {
        let text: String = picks.iter().map(|&i| FRAGMENTS[i]).collect();
        prop_assert!(disagreements(&text).is_empty(), "{:?}: {:?}", text, disagreements(&text));
    }
}
