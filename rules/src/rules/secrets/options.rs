//! Options of tools such as curl, wget and tar, whose short options group (`-fsSLo FILE`):
//! a letter that takes a value ends the group, and the rest of the word (or the next word)
//! is its value.

use plimsoll_analyzer::Word;

/// Short options of curl that take a value.
pub const CURL_VALUE_LETTERS: &str = "AbcCdDeEFHKmoPQrtTuUwxXyYz";

/// A value given to an option.
pub struct OptionValue<'a> {
    /// The option as written before the value: `--user=`, `--user `, `-u`, `-u `.
    pub flag: String,
    /// The word that holds the value: the option's own word, or the next one.
    pub word: &'a Word,
    pub value: &'a str,
}

/// The values given in `args` to the option spelled `short` or `long`, in order:
/// `--long=V`, `--long V`, `-xV`, `-x V`, also the last letter of a group of short options
/// (`-fsSLo V`). `value_letters` lists every short option of the tool that takes a value:
/// such a letter ends the group. Stops at `--`.
pub fn option_values<'a>(
    args: &'a [Word],
    short: &'a [char],
    long: &'a [&'a str],
    value_letters: &'a str,
) -> impl Iterator<Item = OptionValue<'a>> + 'a {
    let mut i = 0;
    std::iter::from_fn(move || {
        while let Some(word) = args.get(i) {
            let t = word.text.as_str();
            i += 1;
            if t == "--" {
                i = args.len();
                return None;
            }
            // The option as written, and its value when the same word holds it.
            let (flag, attached) = if let Some(option) = t.strip_prefix("--") {
                let (name, attached) = match option.split_once('=') {
                    Some((name, value)) => (name, Some(value)),
                    None => (option, None),
                };
                if !long.contains(&name) {
                    continue;
                }
                let separator = if attached.is_some() { '=' } else { ' ' };
                (format!("--{name}{separator}"), attached)
            } else {
                let Some(letters) = t.strip_prefix('-').filter(|l| !l.is_empty()) else {
                    continue;
                };
                let Some((at, letter)) = letters
                    .char_indices()
                    .find(|&(_, c)| value_letters.contains(c))
                else {
                    continue;
                };
                let rest = &letters[at + 1..];
                if !short.contains(&letter) {
                    // Another option takes the rest as its value (and maybe the next word).
                    if rest.is_empty() {
                        i += 1;
                    }
                    continue;
                }
                if rest.is_empty() {
                    (format!("-{letter} "), None)
                } else {
                    (format!("-{letter}"), Some(rest))
                }
            };
            let (word, value) = match attached {
                Some(value) => (word, value),
                None => {
                    let next = args.get(i)?;
                    i += 1;
                    (next, next.text.as_str())
                }
            };
            return Some(OptionValue { flag, word, value });
        }
        None
    })
}

/// The first value given to an option (see [`option_values`]).
pub fn option_value<'a>(
    args: &'a [Word],
    short: &'a [char],
    long: &'a [&'a str],
    value_letters: &'a str,
) -> Option<&'a str> {
    option_values(args, short, long, value_letters)
        .next()
        .map(|o| o.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_analyzer::Dockerfile;

    /// `(flag, value)` of every `-u`/`--user` value of a curl command line.
    fn users(line: &str) -> Vec<(String, String)> {
        let file = Dockerfile::parse(&format!("FROM a\nRUN curl {line}\n"));
        let command = file.instructions[1].commands().next().unwrap();
        option_values(
            command.program_args(),
            &['u'],
            &["user"],
            CURL_VALUE_LETTERS,
        )
        .map(|o| (o.flag, o.value.to_string()))
        .collect()
    }

    #[test]
    fn spellings_of_a_value() {
        let found = users("--user=a:1 --user b:2 -uc:3 -u d:4 -fsSLu e:5 x");
        let flags: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        let values: Vec<&str> = found.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(flags, ["--user=", "--user ", "-u", "-u ", "-u "]);
        assert_eq!(values, ["a:1", "b:2", "c:3", "d:4", "e:5"]);
    }

    #[test]
    fn values_of_other_options_are_skipped() {
        // `-o -u` writes to a file named `-u`; `-Hu` is a header `u`.
        assert!(users("-o -u x -Hu y").is_empty());
        assert_eq!(users("-H x -u a:1")[0].1, "a:1");
        assert!(users("-- -u a:1").is_empty());
        assert!(users("-u").is_empty());
    }

    #[test]
    fn first_value() {
        let file = Dockerfile::parse("FROM a\nRUN curl -fsSLo /tmp/a https://x -o /tmp/b\n");
        let command = file.instructions[1].commands().next().unwrap();
        let args = command.program_args();
        assert_eq!(
            option_value(args, &['o'], &["output"], CURL_VALUE_LETTERS),
            Some("/tmp/a")
        );
        assert_eq!(
            option_value(args, &[], &["output-dir"], CURL_VALUE_LETTERS),
            None
        );
    }
}
