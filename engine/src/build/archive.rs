//! Which files ADD extracts: tar archives, plain or compressed with gzip, bzip2, xz or
//! zstd, told by their content as Docker does (a compressed file that is not a tar inside
//! is copied as it is).

use super::BuildError;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Compression {
    fn detect(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(b"BZh") {
            Compression::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Compression::Xz
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// The decompressed content of `path`.
pub fn open(path: &Path, compression: Compression) -> Result<Box<dyn Read>, BuildError> {
    let file = BufReader::new(File::open(path).map_err(BuildError::io(path))?);
    Ok(match compression {
        Compression::None => Box::new(file),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(file)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(file)),
        Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(file)),
        Compression::Zstd => {
            Box::new(ruzstd::decoding::StreamingDecoder::new(file).map_err(|e| {
                BuildError::Invalid(format!("{}: not a valid zstd file: {e}", path.display()))
            })?)
        }
    })
}

fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    n
}

/// `Some(compression)` when `path` is a tar archive ADD should extract.
pub fn sniff(path: &Path) -> Result<Option<Compression>, BuildError> {
    let mut head = [0u8; 8];
    let mut file = File::open(path).map_err(BuildError::io(path))?;
    let n = read_full(&mut file, &mut head);
    let compression = Compression::detect(&head[..n]);
    // A file that only starts like a compressed stream is not an archive.
    let Ok(mut reader) = open(path, compression) else {
        return Ok(None);
    };
    let mut block = [0u8; 512];
    let n = read_full(&mut reader, &mut block);
    let is_tar = n >= 262 && &block[257..262] == b"ustar";
    Ok(is_tar.then_some(compression))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tar_bytes() -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "dir/f", &b"hi"[..]).unwrap();
        b.into_inner().unwrap()
    }

    #[test]
    fn sniffs_every_compression() {
        let dir = tempfile::tempdir().unwrap();
        let tar = tar_bytes();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&tar).unwrap();
        let mut xz = xz2::write::XzEncoder::new(Vec::new(), 1);
        xz.write_all(&tar).unwrap();
        let zst = ruzstd::encoding::compress_to_vec(
            &tar[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        let cases = [
            ("a.tar", tar.clone(), Some(Compression::None)),
            ("a.tgz", gz.finish().unwrap(), Some(Compression::Gzip)),
            ("a.tbz", bz.finish().unwrap(), Some(Compression::Bzip2)),
            ("a.txz", xz.finish().unwrap(), Some(Compression::Xz)),
            ("a.tzst", zst, Some(Compression::Zstd)),
            ("plain.txt", b"just text".to_vec(), None),
            ("fake.bz2", b"BZh9 not really".to_vec(), None),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            assert_eq!(sniff(&path).unwrap(), expected, "{name}");
            if let Some(c) = expected {
                let mut a = tar::Archive::new(open(&path, c).unwrap());
                let names: Vec<String> = a
                    .entries()
                    .unwrap()
                    .map(|e| e.unwrap().path().unwrap().display().to_string())
                    .collect();
                assert_eq!(names, ["dir/f"], "{name}");
            }
        }
    }
}
