//! `Dockerfile::parse_cached` must give exactly what `Dockerfile::parse_with` gives, however
//! the text got there: edits all over the rules' fixtures (heredocs, escapes, continuations,
//! broken instructions), and random token soup.

use plimsoll_analyzer::{Dockerfile, ParseCache, ParseOptions};
use proptest::prelude::*;

/// Everything the parse produces, in a comparable form.
fn model(file: &Dockerfile) -> String {
    format!(
        "{:#?}\n{:#?}\n{:#?}\n{:#?}\n{:#?}",
        file.instructions, file.stages, file.comments, file.errors, file.directives
    )
}

fn check(cache: &mut ParseCache, text: &str, what: &str) {
    let cached = Dockerfile::parse_cached(text, ParseOptions::default(), cache);
    let fresh = Dockerfile::parse_with(text, ParseOptions::default());
    assert!(
        model(&cached) == model(&fresh),
        "{what}: the cached parse differs for\n{text}"
    );
}

/// A character boundary at or before `at`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

const SNIPPETS: &[&str] = &[
    "x",
    " ",
    "\n",
    "\\\n",
    "\"",
    "'",
    "#",
    "$",
    "RUN apt-get install -y curl && make\n",
    "FROM debian:12 AS b\n",
    "<<EOF\necho hi\nEOF\n",
    "ARG V=1\n",
    "&& \\\n  ",
    "COPY --from=b /a /b\n",
];

#[test]
fn edits_all_over_the_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/tests/fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("the rules' fixtures")
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() > 50);
    // A small linear congruential generator: the same edits on every run.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % bound.max(1)
    };
    for path in paths {
        let Ok(original) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.display().to_string();
        let mut cache = ParseCache::default();
        let mut text = original.clone();
        check(&mut cache, &text, &name);
        for _ in 0..8 {
            // Type a snippet somewhere, then take part of it (or of the file) away.
            let at = boundary(&text, next(text.len() + 1));
            text.insert_str(at, SNIPPETS[next(SNIPPETS.len())]);
            check(&mut cache, &text, &name);
            let from = boundary(&text, next(text.len() + 1));
            let to = boundary(&text, from + next(12));
            text.replace_range(from..to.max(from), "");
            check(&mut cache, &text, &name);
        }
        // Back to the original in one step, and a parse of the same text again.
        check(&mut cache, &original, &name);
        check(&mut cache, &original, &name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_edit_sequences(
        start in proptest::collection::vec(proptest::sample::select(SNIPPETS), 0..20),
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), 0usize..8, proptest::sample::select(SNIPPETS)),
            1..12,
        ),
    ) {
        let mut text: String = start.concat();
        let mut cache = ParseCache::default();
        check(&mut cache, &text, "start");
        for (at, delete, insert) in edits {
            let from = boundary(&text, at.index(text.len() + 1));
            let to = boundary(&text, from + delete);
            text.replace_range(from..to.max(from), insert);
            check(&mut cache, &text, "after an edit");
        }
    }
}
