//! Whether a string is an image reference Docker accepts (`docker/distribution`'s
//! normalized-name grammar): `[host[:port]/]path[:tag][@digest]`, path components in lower
//! case.

/// Why `text` is not a valid image reference, or `None` when it is one.
pub fn invalid_reason(text: &str) -> Option<&'static str> {
    if text.is_empty() {
        return Some("it is empty");
    }
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some("a 64-character hex string is an image ID, not a name");
    }
    let (name_tag, digest) = match text.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (text, None),
    };
    if let Some(digest) = digest
        && !valid_digest(digest)
    {
        return Some("the digest after `@` is malformed");
    }
    // The tag follows the last `:` after the last `/`.
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_tag[..last_slash + i],
            Some(&name_tag[last_slash + i + 1..]),
        ),
        None => (name_tag, None),
    };
    if let Some(tag) = tag
        && !valid_tag(tag)
    {
        return Some(if tag.is_empty() {
            "the tag after `:` is empty"
        } else {
            "the tag has characters a tag can not have"
        });
    }
    if name.is_empty() {
        return Some("the image name is empty");
    }
    if name.len() > 255 {
        return Some("the name is longer than 255 characters");
    }
    let (domain, path) = split_domain(name);
    if let Some(domain) = domain
        && !valid_domain(domain)
    {
        return Some("the registry host is malformed");
    }
    if path.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some("the repository name has upper-case letters");
    }
    if !path.split('/').all(valid_path_component) {
        return Some("the repository name is malformed");
    }
    None
}

/// The registry part, when the first component names one (as Docker decides it).
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes[1..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let ok = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn valid_domain(domain: &str) -> bool {
    let (host, port) = match domain.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || domain.starts_with('[') => (h, Some(p)),
        _ => (domain, None),
    };
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    if let Some(ipv6) = host.strip_prefix('[') {
        return ipv6.strip_suffix(']').is_some_and(|h| {
            !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
        });
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        })
}

/// `algorithm:hex` with at least 32 hex digits.
fn valid_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.as_bytes()[0].is_ascii_alphabetic()
        && algorithm
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'.'));
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_references() {
        for good in [
            "busybox",
            "busybox:1.36",
            "scratch",
            "library/debian:12-slim",
            "ghcr.io/owner/app:v1.2.3",
            "localhost:5000/team/app",
            "registry.example.com:443/a/b_c__d/e-f--g:latest",
            "node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "Registry.Example.com/app",
            "builder",
        ] {
            assert_eq!(invalid_reason(good), None, "{good}");
        }
    }

    #[test]
    fn rejects_broken_references() {
        for bad in [
            "",
            "busybox:",
            ":latest",
            "Busybox",
            "app:-x",
            "a/-b",
            "a//b",
            "node@sha256:abc",
            "ghcr.io/owner/App",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(invalid_reason(bad).is_some(), "{bad}");
        }
    }
}
