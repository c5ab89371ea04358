//! Layer tars built in memory with known sizes; the expected figures are worked out by
//! hand from dive's definitions (see `efficiency.rs`).

use super::*;
use crate::digest::Digest;
use crate::image::{Compression, Image, LayerDesc, history};
use flate2::Compression as Level;
use flate2::write::GzEncoder;
use std::io::Write;

enum E<'a> {
    Dir(&'a str),
    File(&'a str, usize),
    Text(&'a str, &'a str),
}

fn tar(entries: &[E]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o755);
        match entry {
            E::Dir(path) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                builder.append_data(&mut header, path, io::empty()).unwrap();
            }
            E::File(path, size) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(*size as u64);
                builder
                    .append_data(&mut header, path, &vec![b'x'; *size][..])
                    .unwrap();
            }
            E::Text(path, text) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(text.len() as u64);
                builder
                    .append_data(&mut header, path, text.as_bytes())
                    .unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

/// Layer 0 makes files, layer 1 overwrites one and adds one, layer 2 deletes a file and a
/// directory.
fn three_layers() -> Vec<Vec<u8>> {
    vec![
        tar(&[
            E::Dir("etc/"),
            E::File("etc/a", 100),
            E::File("etc/b", 50),
            E::Dir("var/"),
            E::Dir("var/cache/"),
            E::File("var/cache/x", 30),
            E::File("var/cache/y", 20),
            // Sorts between `var/cache` and `var/cache/`: must survive the deletion.
            E::File("var/cache-old", 7),
        ]),
        tar(&[E::Dir("etc/"), E::File("etc/a", 120), E::File("etc/c", 10)]),
        tar(&[
            E::Dir("./etc/"),
            E::File("./etc/.wh.b", 0),
            E::Dir("./var/"),
            E::File("./var/.wh.cache", 0),
        ]),
    ]
}

fn scans(tars: &[Vec<u8>]) -> Vec<LayerScan> {
    tars.iter().map(|t| scan_layer(&t[..]).unwrap()).collect()
}

#[test]
fn scan_decodes_whiteouts_and_sizes() {
    let tars = three_layers();
    let scan = scan_layer(&tars[2][..]).unwrap();
    assert_eq!(scan.entries["etc/b"].kind, EntryKind::Whiteout);
    assert_eq!(scan.entries["var/cache"].kind, EntryKind::Whiteout);
    assert_eq!(scan.entries["etc"].kind, EntryKind::Dir);
    assert_eq!(scan.entries.len(), 4);
    assert_eq!(scan.uncompressed_size, tars[2].len() as u64);
    let first = scan_layer(&tars[0][..]).unwrap();
    assert_eq!(first.size, 100 + 50 + 30 + 20 + 7);
}

#[test]
fn efficiency_and_waste_match_dive_by_hand() {
    let measures = efficiency(&scans(&three_layers()));
    // Leaves per layer and what each path counts:
    //   etc/a        100 (L0) + 120 (L1)         cumulative 220, min 100
    //   etc/b         50 (L0) +   0 (L2, a file whiteout counts 0 in dive)   50, min 0
    //   var/cache/x   30, var/cache/y 20, var/cache-old 7, etc/c 10 (once each)
    //   var/cache     50 (L2: the removed directory's x + y + itself 0)      50, min 50
    // etc/b contributes its minimum, 0.
    let minimum = 100 + 30 + 20 + 7 + 10 + 50;
    let cumulative = 220 + 50 + 30 + 20 + 7 + 10 + 50;
    assert_eq!(measures.efficiency, minimum as f64 / cumulative as f64);
    // Paths in ≥ 2 layers: etc/a (220) and etc/b (50).
    assert_eq!(measures.wasted_bytes, 220 + 50);
    // Every layer but the first: 120 + 10 + 0 bytes.
    assert_eq!(measures.user_bytes, 130);
    assert_eq!(measures.user_wasted_ratio, 270.0 / 130.0);
    let top: Vec<(&str, u64, &[usize])> = measures
        .wasted_paths
        .iter()
        .map(|p| (p.path.as_str(), p.wasted_bytes, &p.layers[..]))
        .collect();
    assert_eq!(
        top,
        [("/etc/a", 220, &[0, 1][..]), ("/etc/b", 50, &[0, 2][..])]
    );
    assert_eq!(
        measures.changes,
        [
            FileChanges {
                added: 5,
                modified: 0,
                removed: 0
            },
            FileChanges {
                added: 1,
                modified: 1,
                removed: 0
            },
            FileChanges {
                added: 0,
                modified: 0,
                removed: 2
            },
        ]
    );
}

#[test]
fn an_image_without_waste_is_fully_efficient() {
    let measures = efficiency(&scans(&[tar(&[E::File("a", 10)]), tar(&[E::File("b", 5)])]));
    assert_eq!(measures.efficiency, 1.0);
    assert_eq!(measures.wasted_bytes, 0);
    assert_eq!(measures.user_wasted_ratio, 0.0);
    let empty = efficiency(&[]);
    assert_eq!(empty.efficiency, 1.0);
    assert_eq!(empty.user_wasted_ratio, 0.0);
}

#[test]
fn analyze_streams_gzipped_layers_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut image = Image::scratch();
    let by = [
        "ADD rootfs.tar /",
        "RUN change",
        "RUN rm -rf /var/cache /etc/b",
    ];
    for (tar, by) in three_layers().iter().zip(by) {
        let mut gz = GzEncoder::new(Vec::new(), Level::default());
        gz.write_all(tar).unwrap();
        let blob = gz.finish().unwrap();
        let layer = LayerDesc {
            digest: store.put_blob(&blob).unwrap(),
            diff_id: Digest::of(tar),
            size: blob.len() as u64,
            compression: Compression::Gzip,
        };
        image.push_layer(layer, history(None, by, false));
        image.push_history(history(None, "ENV X=1", true));
    }
    let analysis = analyze(&store, &image).unwrap();
    assert_eq!(analysis.wasted_bytes, 270);
    assert_eq!(analysis.total_bytes, 207 + 130);
    let made_by: Vec<_> = analysis
        .layers
        .iter()
        .map(|l| l.created_by.as_deref().unwrap())
        .collect();
    assert_eq!(made_by, by);
    for (layer, tar) in analysis.layers.iter().zip(three_layers()) {
        assert_eq!(layer.uncompressed_size, tar.len() as u64);
        assert_eq!(layer.compressed_size, image.layers[layer.index].size);
    }
    assert!(analysis.secrets.is_empty());
}

const KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const GITHUB: &str = "const token = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';\n";

fn secret_layers() -> Vec<LayerScan> {
    scans(&[
        tar(&[
            E::Dir("root/.ssh/"),
            E::Text("root/.ssh/id_ed25519", KEY),
            E::Text("app/.env", "DB_PASSWORD=hunter2\n"),
            E::Text("app/.env.example", "DB_PASSWORD=\n"),
            E::Text(
                "etc/ssl/certs/ca.pem",
                "-----BEGIN CERTIFICATE-----\nMIIB\n",
            ),
            E::Text("app/notes", "AKIA12345 is too short; ghp_short\n"),
            E::Text(
                "root/.aws/credentials",
                "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
            ),
        ]),
        tar(&[
            E::Dir("root/"),
            E::File("root/.wh..ssh", 0),
            E::Text("app/config.js", GITHUB),
        ]),
    ])
}

#[test]
fn secrets_are_found_with_their_layer_and_whether_a_later_layer_hides_them() {
    let found = super::find_secrets(&secret_layers());
    let found: Vec<(usize, &str, &str, Option<usize>)> = found
        .iter()
        .map(|s| (s.layer, s.path.as_str(), s.kind.as_str(), s.hidden_by))
        .collect();
    assert_eq!(
        found,
        [
            (0, "/app/.env", "dotenv file", None),
            (0, "/root/.aws/credentials", "AWS credentials file", None),
            (0, "/root/.aws/credentials", "AWS access key ID", None),
            // Deleted by layer 1, still in layer 0's blob.
            (0, "/root/.ssh/id_ed25519", "private key", Some(1)),
            (1, "/app/config.js", "GitHub token", None),
        ]
    );
}

#[test]
fn secret_values_never_reach_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let layers = secret_layers();
    assert_eq!(layers.len(), 2);
    let mut image = Image::scratch();
    for tar in [
        tar(&[E::Text("root/.ssh/id_rsa", KEY)]),
        tar(&[E::Text("app/config.js", GITHUB)]),
    ] {
        let layer = LayerDesc {
            digest: store.put_blob(&tar).unwrap(),
            diff_id: Digest::of(&tar),
            size: tar.len() as u64,
            compression: Compression::None,
        };
        image.push_layer(layer, history(None, "COPY . /", false));
    }
    let analysis = analyze(&store, &image).unwrap();
    assert_eq!(analysis.secrets.len(), 2);
    let json = serde_json::to_string(&analysis).unwrap();
    assert!(!json.contains("b3BlbnNzaC1rZXktdjEAAAAA"));
    assert!(!json.contains("ghp_0123"));
}
