//! Paths inside an image, as rules reason about them (lexically: no file system here).

/// `/a/./b/../c/` → `/a/c` (`..` stops at the root, as the kernel does).
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_normalization() {
        assert_eq!(normalize("/a/./b/../c/"), "/a/c");
        assert_eq!(normalize("a//b"), "/a/b");
        assert_eq!(normalize("/../x"), "/x");
        assert_eq!(normalize(""), "/");
    }
}
