//! Small text tests rules run on every word, written to avoid allocating.

/// Whether `haystack` contains `needle` ignoring ASCII case (`needle` in lower case).
pub fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_ascii_case_only() {
        assert!(contains_ignore_ascii_case("echo GPGCheck=0", "gpgcheck"));
        assert!(contains_ignore_ascii_case("gpgcheck", "gpgcheck"));
        assert!(!contains_ignore_ascii_case("gpgchec", "gpgcheck"));
        assert!(!contains_ignore_ascii_case("", "x"));
        assert!(contains_ignore_ascii_case("", ""));
    }
}
