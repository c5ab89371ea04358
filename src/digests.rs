//! `check --pin-digests` and `--check-digests`: what the tags of FROM images point at,
//! asked of their registries before anything is linted and handed to the rules as data
//! (`RuleOptions::image_digests`), since rules do no I/O.

use plimsoll_analyzer::{Dockerfile, ParseOptions};
use plimsoll_engine::image::ImageName;
use plimsoll_engine::registry::{self, RegistryOptions};
use plimsoll_rules::rules::pinning::{Lookups, digest_lookups};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// What the registries answered: reference → digest, and one warning a reference that
/// could not be looked up.
#[derive(Debug, Default)]
pub struct Answers {
    pub digests: BTreeMap<String, String>,
    pub warnings: Vec<String>,
}

/// Looks up the references `which` names in every text (Dockerfiles as they will be
/// linted, parsed with the same build args), each reference once, a few at a time.
pub fn look_up<'a>(
    texts: impl Iterator<Item = &'a str>,
    parse_options: &ParseOptions,
    which: Lookups,
    options: &RegistryOptions,
) -> Answers {
    let mut references: Vec<String> = texts
        .flat_map(|text| {
            digest_lookups(&Dockerfile::parse_with(text, parse_options.clone()), which)
        })
        .collect();
    references.sort();
    references.dedup();
    let answers: Vec<(String, Result<String, String>)> = references
        .into_par_iter()
        .map(|reference| {
            let answer = ImageName::parse(&reference)
                .map_err(|e| e.to_string())
                .and_then(|name| {
                    registry::resolve_digest(options, &name)
                        .map(|d| d.to_string())
                        .map_err(|e| e.to_string())
                });
            (reference, answer)
        })
        .collect();
    let mut out = Answers::default();
    for (reference, answer) in answers {
        match answer {
            Ok(digest) => {
                out.digests.insert(reference, digest);
            }
            Err(reason) => out.warnings.push(format!(
                "cannot look up the digest of {reference}: {}",
                one_line(&reason)
            )),
        }
    }
    out
}

/// Registry errors can quote a response body: keep the warning on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
