//! `--chmod` of COPY and ADD: an octal mode (`755`) or chmod(1)'s symbolic notation
//! (`u=rwX,go=rX`, `+x`, `g=u`), which Dockerfile syntax 1.14 accepts. A symbolic mode is
//! applied to each copied entry's own mode, so `X` gives execute permission to directories
//! and to files that already had some; an empty "who" means everyone (no umask applies).

use super::BuildError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chmod {
    Octal(u32),
    Symbolic(Vec<Clause>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The permission bits of the classes named (`u` → 0o700…; empty who → all).
    who: u32,
    /// Whether the clause names `u`, `g` or `o` (setuid/setgid apply only with u/g).
    classes: [bool; 3],
    ops: Vec<(u8, Perms)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Perms {
    /// Any of r, w, x, X, s, t.
    Bits(String),
    /// Copy another class's bits: `g=u`.
    Copy(u8),
}

fn invalid(text: &str) -> BuildError {
    BuildError::Invalid(format!(
        "--chmod={text}: expected an octal mode such as 755 or a symbolic one such as u=rwX,go=rX"
    ))
}

impl Chmod {
    pub fn parse(text: &str) -> Result<Chmod, BuildError> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return u32::from_str_radix(text, 8)
                .ok()
                .filter(|m| *m <= 0o7777)
                .map(Chmod::Octal)
                .ok_or_else(|| invalid(text));
        }
        let mut clauses = Vec::new();
        for clause in text.split(',') {
            let bytes = clause.as_bytes();
            let mut i = 0;
            let mut classes = [false; 3];
            while i < bytes.len() && b"ugoa".contains(&bytes[i]) {
                match bytes[i] {
                    b'u' => classes[0] = true,
                    b'g' => classes[1] = true,
                    b'o' => classes[2] = true,
                    _ => classes = [true; 3],
                }
                i += 1;
            }
            let named = classes.iter().any(|c| *c);
            let who = if named {
                (if classes[0] { 0o700 } else { 0 })
                    | (if classes[1] { 0o070 } else { 0 })
                    | (if classes[2] { 0o007 } else { 0 })
            } else {
                0o777
            };
            let mut ops = Vec::new();
            while i < bytes.len() {
                let op = bytes[i];
                if !b"+-=".contains(&op) {
                    return Err(invalid(text));
                }
                i += 1;
                let start = i;
                while i < bytes.len() && !b"+-=".contains(&bytes[i]) {
                    i += 1;
                }
                let perms = &clause[start..i];
                let perms = match perms {
                    "u" | "g" | "o" => Perms::Copy(perms.as_bytes()[0]),
                    p if p.bytes().all(|b| b"rwxXst".contains(&b)) => Perms::Bits(p.to_string()),
                    _ => return Err(invalid(text)),
                };
                ops.push((op, perms));
            }
            if ops.is_empty() {
                return Err(invalid(text));
            }
            clauses.push(Clause {
                who,
                classes: if named { classes } else { [true; 3] },
                ops,
            });
        }
        Ok(Chmod::Symbolic(clauses))
    }

    /// The mode an entry whose mode was `mode` gets.
    pub fn apply(&self, mode: u32, is_dir: bool) -> u32 {
        let clauses = match self {
            Chmod::Octal(m) => return *m,
            Chmod::Symbolic(c) => c,
        };
        let original = mode & 0o7777;
        let mut mode = original;
        for clause in clauses {
            for (op, perms) in &clause.ops {
                let bits = match perms {
                    Perms::Copy(class) => {
                        let shift = match class {
                            b'u' => 6,
                            b'g' => 3,
                            _ => 0,
                        };
                        let three = (mode >> shift) & 0o7;
                        (three << 6 | three << 3 | three) & clause.who
                    }
                    Perms::Bits(p) => {
                        let mut rwx = 0;
                        let mut special = 0;
                        for b in p.bytes() {
                            match b {
                                b'r' => rwx |= 0o444,
                                b'w' => rwx |= 0o222,
                                b'x' => rwx |= 0o111,
                                b'X' if is_dir || original & 0o111 != 0 => rwx |= 0o111,
                                b's' => {
                                    if clause.classes[0] {
                                        special |= 0o4000;
                                    }
                                    if clause.classes[1] {
                                        special |= 0o2000;
                                    }
                                }
                                b't' => special |= 0o1000,
                                _ => {}
                            }
                        }
                        (rwx & clause.who) | special
                    }
                };
                match op {
                    b'+' => mode |= bits,
                    b'-' => mode &= !bits,
                    _ => {
                        let mut clear = clause.who;
                        if clause.classes[0] {
                            clear |= 0o4000;
                        }
                        if clause.classes[1] {
                            clear |= 0o2000;
                        }
                        if clause.classes == [true; 3] {
                            clear |= 0o1000;
                        }
                        mode = (mode & !clear) | bits;
                    }
                }
            }
        }
        mode
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, mode: u32, is_dir: bool) -> u32 {
        Chmod::parse(text).unwrap().apply(mode, is_dir)
    }

    #[test]
    fn octal_and_symbolic_modes() {
        assert_eq!(apply("755", 0o600, false), 0o755);
        assert_eq!(apply("0640", 0o777, true), 0o640);
        assert_eq!(apply("+x", 0o644, false), 0o755);
        assert_eq!(apply("u=rwx,g=rx,o=", 0o666, false), 0o750);
        // X: directories and files that were executable.
        assert_eq!(apply("u=rwX,go=rX", 0o600, false), 0o644);
        assert_eq!(apply("u=rwX,go=rX", 0o700, false), 0o755);
        assert_eq!(apply("u=rwX,go=rX", 0o700, true), 0o755);
        assert_eq!(apply("u=rwX,go=rX", 0o600, true), 0o755);
        assert_eq!(apply("g=u", 0o640, false), 0o660);
        assert_eq!(apply("go-w", 0o666, false), 0o644);
        assert_eq!(apply("a-x,u+s", 0o755, false), 0o4644);
        assert_eq!(apply("u+r-w", 0o200, false), 0o400);
        assert_eq!(apply("o=t", 0o755, true), 0o1750);
        for bad in ["", "9", "77777", "z+x", "u", "u+q", "u+x,", "+ug"] {
            assert!(Chmod::parse(bad).is_err(), "{bad}");
        }
    }
}
