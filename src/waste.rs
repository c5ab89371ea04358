//! What the rules would have prevented: bytes in an image's layers mapped back to the rule
//! whose advice keeps them out (package-manager caches and indexes left in the layer that
//! made them, files a later layer deletes but every pull still downloads), and to the
//! instruction that made the layer — its history `created_by`, and its line when the
//! Dockerfile is known. This is where the engine's scans meet the rules, so it lives in
//! the binary.

use plimsoll_analyzer::{Dockerfile, Keyword};
use plimsoll_engine::analyze::{EntryKind, LayerReport, LayerScan};
use std::collections::BTreeMap;

type PathTest = fn(&str) -> bool;

/// Paths a rule's advice keeps out of layers: (code, test on the path without a leading
/// `/`).
const CACHES: &[(&str, PathTest)] = &[
    // apt-get update's package indexes (the `lock` file and `partial/` stay small).
    ("PL202", |p| {
        p.strip_prefix("var/lib/apt/lists/")
            .is_some_and(|rest| rest != "lock" && !rest.starts_with("partial"))
    }),
    ("PL205", |p| p.starts_with("var/cache/apk/")),
    ("PL206", |p| p.starts_with("var/cache/yum/")),
    ("PL207", |p| {
        p.starts_with("var/cache/dnf/") || p.starts_with("var/cache/libdnf5/")
    }),
    ("PL208", |p| p.starts_with("var/cache/zypp/")),
    ("PL209", |p| {
        p.starts_with("root/.cache/pip/") || (p.starts_with("home/") && p.contains("/.cache/pip/"))
    }),
    ("PL807", |p| {
        p.starts_with("usr/local/share/.cache/yarn/") || p.contains("/.cache/yarn/")
    }),
    // useradd without -l: lastlog and faillog grow with the UID.
    ("PL805", |p| {
        p == "var/log/lastlog" || p == "var/log/faillog"
    }),
];

/// Bytes a layer ships that a rule would have kept out.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RuleHint {
    pub code: &'static str,
    pub name: &'static str,
    /// The layer that holds the bytes (for PL306: the layer that deletes them).
    pub layer: usize,
    /// The instruction that made the layer (history `created_by`).
    pub created_by: Option<String>,
    /// Its line in the Dockerfile, when known.
    pub line: Option<usize>,
    pub files: u64,
    pub bytes: u64,
    /// One of the paths, as an example.
    pub example: String,
}

/// Every hint, largest first.
pub fn hints(
    scans: &[LayerScan],
    layers: &[LayerReport],
    dockerfile: Option<&Dockerfile>,
) -> Vec<RuleHint> {
    // (code, layer) → (files, bytes, example)
    let mut found: BTreeMap<(&'static str, usize), (u64, u64, String)> = BTreeMap::new();
    let mut add = |code: &'static str, layer: usize, bytes: u64, path: &str| {
        let entry = found
            .entry((code, layer))
            .or_insert_with(|| (0, 0, format!("/{path}")));
        entry.0 += 1;
        entry.1 += bytes;
    };
    for (index, scan) in scans.iter().enumerate() {
        for (path, entry) in &scan.entries {
            match entry.kind {
                EntryKind::File => {
                    if let Some((code, _)) = CACHES.iter().find(|(_, test)| test(path)) {
                        add(code, index, entry.size, path);
                    }
                }
                // A deletion: what earlier layers hold at or below the path is still in
                // the image.
                EntryKind::Whiteout => {
                    let below = format!("{path}/");
                    for earlier in &scans[..index] {
                        for (p, e) in earlier
                            .entries
                            .range(path.clone()..)
                            .take_while(|(p, _)| *p == path || p.starts_with(&below))
                        {
                            if e.kind == EntryKind::File && e.size > 0 {
                                add("PL306", index, e.size, p);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut hints: Vec<RuleHint> = found
        .into_iter()
        .filter(|(_, (_, bytes, _))| *bytes > 0)
        .map(|((code, layer), (files, bytes, example))| {
            let created_by = layers.get(layer).and_then(|l| l.created_by.clone());
            RuleHint {
                code,
                name: plimsoll_rules::registry::meta(code).map_or("", |m| m.name),
                layer,
                line: dockerfile.and_then(|d| line_of(d, created_by.as_deref()?)),
                created_by,
                files,
                bytes,
                example,
            }
        })
        .collect();
    hints.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.layer.cmp(&b.layer)));
    hints
}

/// Whitespace collapsed and line continuations removed, for comparing instructions.
fn squash(text: &str) -> String {
    text.replace("\\\r\n", " ")
        .replace("\\\n", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The line of the last instruction of `dockerfile` that `created_by` describes: same
/// keyword, and its arguments found in the history text (RUN's are wrapped in the shell,
/// `RUN /bin/sh -c …`).
fn line_of(dockerfile: &Dockerfile, created_by: &str) -> Option<usize> {
    let history = squash(created_by);
    let keyword = history.split(' ').next()?.to_ascii_uppercase();
    dockerfile
        .instructions
        .iter()
        .filter(|i| i.keyword != Keyword::Unknown && i.keyword.as_str() == keyword)
        .rfind(|i| {
            let args = squash(&i.args.text);
            !args.is_empty() && history.contains(&args)
        })
        .map(|i| {
            dockerfile
                .lines
                .line_col(i.span.start, &dockerfile.text)
                .line
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_engine::analyze::Entry;

    fn scan(entries: &[(&str, EntryKind, u64)]) -> LayerScan {
        LayerScan {
            entries: entries
                .iter()
                .map(|(p, kind, size)| {
                    (
                        p.to_string(),
                        Entry {
                            kind: *kind,
                            size: *size,
                        },
                    )
                })
                .collect(),
            ..LayerScan::default()
        }
    }

    fn report(index: usize, created_by: &str) -> LayerReport {
        LayerReport {
            index,
            digest: String::new(),
            diff_id: String::new(),
            created_by: Some(created_by.into()),
            compressed_size: 0,
            uncompressed_size: 0,
            size: 0,
            files: Default::default(),
        }
    }

    #[test]
    fn maps_caches_and_deletions_to_rules_and_lines() {
        use EntryKind::{File, Whiteout};
        let scans = [
            scan(&[("etc/passwd", File, 10)]),
            scan(&[
                (
                    "var/lib/apt/lists/deb.debian.org_dists_InRelease",
                    File,
                    1000,
                ),
                ("var/lib/apt/lists/deb.debian.org_Packages.lz4", File, 5000),
                ("var/lib/apt/lists/lock", File, 0),
                ("root/.cache/pip/http/x", File, 300),
                ("opt/big.tar", File, 700),
            ]),
            scan(&[
                ("opt/big.tar", Whiteout, 0),
                ("var/lib/apt/lists", Whiteout, 0),
            ]),
        ];
        let layers = [
            report(0, "ADD rootfs.tar /"),
            report(
                1,
                "RUN /bin/sh -c apt-get update && apt-get install -y curl && pip install x",
            ),
            report(2, "RUN /bin/sh -c rm /opt/big.tar /var/lib/apt/lists"),
        ];
        let text = "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y curl && pip install x\nRUN rm /opt/big.tar /var/lib/apt/lists\n";
        let dockerfile = Dockerfile::parse(text);
        let hints = hints(&scans, &layers, Some(&dockerfile));
        let summary: Vec<_> = hints
            .iter()
            .map(|h| (h.code, h.name, h.layer, h.line, h.files, h.bytes))
            .collect();
        assert_eq!(
            summary,
            [
                ("PL306", "file-removed-in-later-layer", 2, Some(4), 3, 6700),
                ("PL202", "apt-lists-not-removed", 1, Some(2), 2, 6000),
                ("PL209", "pip-missing-no-cache-dir", 1, Some(2), 1, 300),
            ]
        );
        assert_eq!(hints[2].example, "/root/.cache/pip/http/x");
        // Without the Dockerfile: the history alone.
        assert!(
            super::hints(&scans, &layers, None)
                .iter()
                .all(|h| h.line.is_none())
        );
    }
}
