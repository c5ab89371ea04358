//! `ADD --checksum=ALGO:HEX`: the digest a downloaded file must have (sha256, sha384 or
//! sha512, as BuildKit accepts), or for a git source the commit it must resolve to.

use super::RemoteError;
use sha2::{Digest as _, Sha256, Sha384, Sha512};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checksum {
    /// `sha256`, `sha384` or `sha512`.
    pub algorithm: &'static str,
    /// Lower-case hex digits.
    pub hex: String,
}

impl std::fmt::Display for Checksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

/// A running hash in the algorithm of a [`Checksum`].
pub enum ChecksumHasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl ChecksumHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            ChecksumHasher::Sha256(h) => h.update(bytes),
            ChecksumHasher::Sha384(h) => h.update(bytes),
            ChecksumHasher::Sha512(h) => h.update(bytes),
        }
    }

    pub fn finish_hex(self) -> String {
        let bytes = match self {
            ChecksumHasher::Sha256(h) => h.finalize().to_vec(),
            ChecksumHasher::Sha384(h) => h.finalize().to_vec(),
            ChecksumHasher::Sha512(h) => h.finalize().to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl Checksum {
    /// Parses `sha256:<64 hex>`, `sha384:<96 hex>` or `sha512:<128 hex>`.
    pub fn parse(text: &str) -> Result<Checksum, RemoteError> {
        let bad = || RemoteError::BadChecksum(text.to_string());
        let (algorithm, hex) = text.split_once(':').ok_or_else(bad)?;
        let (algorithm, len) = match algorithm {
            "sha256" => ("sha256", 64),
            "sha384" => ("sha384", 96),
            "sha512" => ("sha512", 128),
            _ => return Err(bad()),
        };
        let hex = hex.to_ascii_lowercase();
        if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Checksum { algorithm, hex })
    }

    pub fn hasher(&self) -> ChecksumHasher {
        match self.algorithm {
            "sha384" => ChecksumHasher::Sha384(Sha384::new()),
            "sha512" => ChecksumHasher::Sha512(Sha512::new()),
            _ => ChecksumHasher::Sha256(Sha256::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_hashes() {
        let c = Checksum::parse(
            "sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
        )
        .unwrap();
        assert_eq!(c.algorithm, "sha256");
        let mut h = c.hasher();
        h.update(b"hel");
        h.update(b"lo");
        assert_eq!(h.finish_hex(), c.hex);
        let c = Checksum::parse(&format!("sha512:{}", "a".repeat(128))).unwrap();
        assert_eq!(c.hasher().finish_hex().len(), 128);
        for bad in [
            "2cf24d",
            "md5:abc",
            "sha256:xyz",
            "sha256:abcd",
            &format!("sha384:{}", "a".repeat(64)),
        ] {
            assert!(Checksum::parse(bad).is_err(), "{bad}");
        }
    }
}
