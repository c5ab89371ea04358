//! ADD of a file over HTTP(S): streamed to disk while hashed, checked against
//! `--checksum` before anything uses it, its time taken from `Last-Modified` as BuildKit
//! does, and its name from the URL's path.

use super::{Checksum, RemoteError};
use crate::digest::{Digest, HashingWriter};
use crate::registry::client::agent;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// A downloaded file.
#[derive(Clone, Debug)]
pub struct Download {
    pub path: PathBuf,
    /// The content's sha256 (part of the cache key).
    pub digest: Digest,
    /// Seconds since the epoch, from `Last-Modified`.
    pub mtime: Option<i64>,
}

/// The name a URL's file gets in a destination directory: the last component of its path,
/// or `__unnamed__` when the path has none (as BuildKit names it).
pub fn file_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    match path.trim_end_matches('/').rsplit('/').next() {
        Some(name) if !name.is_empty() && name != "." && name != ".." => {
            percent_decode(name).unwrap_or_else(|| name.to_string())
        }
        _ => "__unnamed__".to_string(),
    }
}

/// `%xx` escapes decoded; `None` when that does not give a plain file name.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let name = String::from_utf8(out).ok()?;
    (!name.contains(['/', '\0']) && name != "." && name != "..").then_some(name)
}

/// Downloads `url` into a new file in `dir`. With a checksum, a mismatch is an error and
/// the file is removed.
pub fn download(
    url: &str,
    dir: &Path,
    checksum: Option<&Checksum>,
) -> Result<Download, RemoteError> {
    let http = |reason: String| RemoteError::Http {
        url: url.to_string(),
        reason,
    };
    let response = agent().get(url).call().map_err(|e| http(e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(http(format!("the server answered {status}")));
    }
    let mtime = response
        .headers()
        .get("last-modified")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok());
    let file = tempfile::Builder::new()
        .prefix("download-")
        .tempfile_in(dir)
        .map_err(RemoteError::io(dir))?;
    let mut writer = HashingWriter::new(std::io::BufWriter::new(file));
    let mut verify = checksum.map(Checksum::hasher);
    let mut reader = response.into_body().into_reader();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = match std::io::Read::read(&mut reader, &mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(http(e.to_string())),
        };
        writer.write_all(&buf[..n]).map_err(RemoteError::io(dir))?;
        if let Some(v) = &mut verify {
            v.update(&buf[..n]);
        }
    }
    let (buffered, digest, _) = writer.finish();
    let file = buffered
        .into_inner()
        .map_err(|e| RemoteError::io(dir)(e.into_error()))?;
    if let (Some(expected), Some(v)) = (checksum, verify) {
        let actual = v.finish_hex();
        if actual != expected.hex {
            return Err(RemoteError::Mismatch {
                url: url.to_string(),
                expected: expected.to_string(),
                actual: format!("{}:{actual}", expected.algorithm),
            });
        }
    }
    let (_, path) = file.keep().map_err(|e| RemoteError::io(dir)(e.error))?;
    Ok(Download {
        path,
        digest,
        mtime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_files_after_the_url_path() {
        assert_eq!(file_name("https://h/a/b/app.tar.gz"), "app.tar.gz");
        assert_eq!(file_name("https://h/a/b/app.tgz?token=1#x"), "app.tgz");
        assert_eq!(file_name("https://h/dir/"), "dir");
        assert_eq!(file_name("https://h/my%20file"), "my file");
        assert_eq!(file_name("https://h/a%2Fb"), "a%2Fb");
        assert_eq!(file_name("https://h"), "__unnamed__");
        assert_eq!(file_name("https://h/"), "__unnamed__");
        assert_eq!(file_name("http://h/.."), "__unnamed__");
    }
}
