//! Users created by `useradd` and `adduser` in RUN commands.

use plimsoll_analyzer::Word;
use plimsoll_analyzer::shell::Command;

/// Short options that take a value, per tool (`useradd -u 1000`, busybox `adduser -G g`).
const USERADD_SHORT_VALUES: &str = "bcdefgGkKpsuRPZ";
const ADDUSER_SHORT_VALUES: &str = "hgsGuk";

/// Long options that take a value when written without `=`.
const LONG_VALUES: &[&str] = &[
    "base-dir",
    "comment",
    "home-dir",
    "home",
    "expiredate",
    "inactive",
    "gid",
    "groups",
    "skel",
    "key",
    "password",
    "shell",
    "uid",
    "root",
    "prefix",
    "selinux-user",
    "ingroup",
    "gecos",
    "firstuid",
    "lastuid",
    "firstgid",
    "lastgid",
    "conf",
];

/// A user a command creates: its name word and the uid it is given.
pub struct Created<'a> {
    pub name: &'a Word,
    pub uid: Option<String>,
}

pub fn created_user(command: &Command) -> Option<Created<'_>> {
    let short_values = match command.program()? {
        "useradd" => USERADD_SHORT_VALUES,
        "adduser" => ADDUSER_SHORT_VALUES,
        _ => return None,
    };
    let args = command.program_args();
    let mut operands = Vec::new();
    let mut uid = None;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let text = word.text.as_str();
        i += 1;
        if let Some(long) = text.strip_prefix("--") {
            match long.split_once('=') {
                Some(("uid", value)) => uid = Some(value.to_string()),
                Some(_) => {}
                None if LONG_VALUES.contains(&long) => {
                    if long == "uid" {
                        uid = args.get(i).map(|w| w.text.clone());
                    }
                    i += 1;
                }
                None => {}
            }
        } else if let Some(shorts) = text.strip_prefix('-').filter(|s| !s.is_empty()) {
            // The first letter that takes a value takes the rest of the word, or the next.
            if let Some(at) = shorts.find(|c| short_values.contains(c)) {
                let attached = &shorts[at + 1..];
                let value = if attached.is_empty() {
                    i += 1;
                    args.get(i - 1).map(|w| w.text.clone())
                } else {
                    Some(attached.to_string())
                };
                if shorts[at..].starts_with('u') {
                    uid = value;
                }
            }
        } else {
            operands.push(word);
        }
    }
    // `adduser user group` adds an existing user to a group.
    match operands.as_slice() {
        [name] => Some(Created { name, uid }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_analyzer::Dockerfile;

    fn created(script: &str) -> Vec<(String, Option<String>)> {
        let file = Dockerfile::parse(&format!("FROM a\nRUN {script}\n"));
        file.instructions[1]
            .commands()
            .filter_map(created_user)
            .map(|c| (c.name.text.clone(), c.uid))
            .collect()
    }

    #[test]
    fn reads_names_and_uids() {
        assert_eq!(
            created("useradd -m -u 1000 -s /bin/bash app"),
            vec![("app".into(), Some("1000".into()))]
        );
        assert_eq!(
            created("useradd --uid=42 --create-home --shell /bin/sh svc"),
            vec![("svc".into(), Some("42".into()))]
        );
        assert_eq!(
            created("adduser -D -u1001 -G wheel web"),
            vec![("web".into(), Some("1001".into()))]
        );
        assert_eq!(
            created("adduser --disabled-password --gecos '' worker"),
            vec![("worker".into(), None)]
        );
        // Adding a user to a group creates nobody.
        assert!(created("adduser app staff").is_empty());
        assert!(created("usermod -aG docker app").is_empty());
    }
}
