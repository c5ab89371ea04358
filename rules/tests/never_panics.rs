//! Property test: random and mutated Dockerfiles never panic the analyzer or any rule, and
//! every diagnostic span lies on character boundaries inside the text.

use plimsoll_analyzer::Dockerfile;
use plimsoll_rules::{BuildContext, Selection, check};
use proptest::prelude::*;
use std::path::Path;

/// Pieces that exercise the lexer, the word splitter, heredocs and the shell parser.
const TOKENS: &[&str] = &[
    "FROM",
    "from",
    "RUN",
    "COPY",
    "ADD",
    "ENV",
    "ARG",
    "LABEL",
    "CMD",
    "ENTRYPOINT",
    "USER",
    "WORKDIR",
    "EXPOSE",
    "VOLUME",
    "SHELL",
    "HEALTHCHECK",
    "ONBUILD",
    "STOPSIGNAL",
    "MAINTAINER",
    "AS",
    "debian:12",
    "scratch",
    "${BASE:-x}",
    "$TAG",
    "--from=build",
    "--mount=type=cache,target=/x",
    "--platform=$BUILDPLATFORM",
    "apt-get",
    "install",
    "-y",
    "update",
    "&&",
    "||",
    ";",
    "|",
    "\\",
    "`",
    "\n",
    "\r\n",
    " ",
    "\t",
    "#",
    "# escape=`",
    "# syntax=x",
    "<<EOF",
    "<<-'EOF'",
    "EOF",
    "[",
    "]",
    "\"",
    "'",
    ",",
    "=",
    "pip",
    "npm",
    "apk",
    "add",
    "curl",
    "https://u:p@h/x",
    "rm",
    "-rf",
    "/var/lib/apt/lists/*",
    ".",
    "./",
    "é",
    "😀",
    "$(",
    ")",
    "{",
    "}",
    "0",
    "root",
    "NONE",
    "CMD [\"a\"]",
    "\\\n",
    "<<<",
    "$((1<<2))",
    "\u{feff}",
];

fn assert_sane(text: &str) {
    let file = Dockerfile::parse(text);
    let selection = Selection {
        select: vec!["ALL".into()],
        extend_select: plimsoll_rules::registry::all()
            .map(|r| r.meta().code.to_string())
            .collect(),
        ignore: Vec::new(),
    };
    let context = BuildContext::new(
        vec![
            ".env".into(),
            "package.json".into(),
            "src/main.rs".into(),
            ".git/HEAD".into(),
        ],
        plimsoll_analyzer::dockerignore::DockerIgnore::parse("*.md\n"),
    );
    for ctx in [None, Some(&context)] {
        for d in check(&file, ctx, &selection) {
            assert!(
                d.span.start <= d.span.end && d.span.end <= text.len(),
                "{d:?}"
            );
            assert!(
                text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end),
                "{d:?}"
            );
            if let Some(fix) = &d.fix {
                for e in &fix.edits {
                    assert!(
                        e.span.end <= text.len()
                            && text.is_char_boundary(e.span.start)
                            && text.is_char_boundary(e.span.end),
                        "{e:?}"
                    );
                }
            }
        }
    }
}

fn fixture_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "Dockerfile"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    texts.sort();
    texts
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn token_soup(tokens in proptest::collection::vec(proptest::sample::select(TOKENS), 0..80)) {
        assert_sane(&tokens.concat());
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,300}") {
        assert_sane(&text);
    }

    #[test]
    fn mutated_fixtures(seed in any::<prop::sample::Index>(), cuts in proptest::collection::vec((any::<prop::sample::Index>(), proptest::sample::select(TOKENS)), 1..6)) {
        let texts = fixture_texts();
        let mut text = texts[seed.index(texts.len())].clone();
        for (at, token) in cuts {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            // Alternate between inserting a token and deleting a stretch.
            if token.len() % 2 == 0 {
                text.insert_str(i, token);
            } else {
                let mut end = (i + token.len() * 3).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.replace_range(i..end, "");
            }
        }
        assert_sane(&text);
    }
}

#[test]
fn every_prefix_of_every_fixture() {
    for text in fixture_texts() {
        for (n, (i, c)) in text.char_indices().enumerate() {
            // The analyzer sees every cut; the rules (the slow part) every line end and
            // every seventh character, which still lands inside every construct.
            let prefix = &text[..i];
            if c == '\n' || n % 7 == 0 {
                assert_sane(prefix);
            } else {
                let file = Dockerfile::parse(prefix);
                assert!(file.errors.iter().all(|e| e.span.end <= prefix.len()));
            }
        }
    }
}
