//! Variable expansion as the builder does it: `ENV` (from the base image and this stage,
//! kept in the image configuration) wins over `ARG`; ARG values come from the analyzer's
//! scopes with `--build-arg` applied. Words are expanded first, then unquoted.

use crate::image::ImageConfig;
use plimsoll_analyzer::dockerfile::PREDEFINED_ARGS;
use plimsoll_analyzer::words::unquote;
use plimsoll_analyzer::{Dockerfile, Form, Instruction, Keyword, VarKind, Word, vars};

pub struct Scope<'a> {
    pub df: &'a Dockerfile,
    /// The instruction being expanded (in `df`).
    pub at: usize,
    pub config: &'a ImageConfig,
}

impl Scope<'_> {
    pub fn lookup(&self, name: &str) -> Option<String> {
        if let Some(value) = self.config.env_value(name) {
            return Some(value);
        }
        match self.df.lookup(self.at, name) {
            Some(def) if def.kind != VarKind::Env => def.value,
            _ => None,
        }
    }

    /// `$VAR` expansion only (quotes kept).
    pub fn expand(&self, text: &str) -> String {
        vars::expand(text, self.df.escape(), &|name| self.lookup(name)).text
    }

    /// A raw (as written) word: expanded, then unquoted.
    pub fn raw_word(&self, raw: &str) -> String {
        unquote(&self.expand(raw), self.df.escape())
    }

    fn instruction(&self) -> &Instruction {
        &self.df.instructions[self.at]
    }

    /// The instruction's argument words, expanded. Exec-form words are taken as decoded
    /// from JSON and only expanded.
    pub fn words(&self, instruction: &Instruction) -> Vec<String> {
        match &instruction.form {
            Form::Exec(words) => words.iter().map(|w| self.expand_plain(w)).collect(),
            _ => instruction
                .words
                .iter()
                .map(|w| self.raw_word(&instruction.args.text_of(w.span)))
                .collect(),
        }
    }

    fn expand_plain(&self, word: &Word) -> String {
        self.expand(&word.text)
    }

    /// A flag's value, expanded and unquoted.
    pub fn flag(&self, instruction: &Instruction, name: &str) -> Option<String> {
        let flag = instruction.flag(name)?;
        match flag.value_span {
            Some(span) => Some(self.raw_word(span.text(&self.df.text))),
            None => flag.value.clone(),
        }
    }

    /// Every value of a repeatable flag (`--mount`), expanded and unquoted.
    pub fn flags(&self, instruction: &Instruction, name: &str) -> Vec<String> {
        instruction
            .flags
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .filter_map(|f| match f.value_span {
                Some(span) => Some(self.raw_word(span.text(&self.df.text))),
                None => f.value.clone(),
            })
            .collect()
    }

    /// `key=value` pairs of ENV and LABEL with values expanded.
    pub fn pairs(&self, instruction: &Instruction) -> Vec<(String, String)> {
        instruction
            .pairs
            .iter()
            .map(|p| {
                let value = p
                    .value
                    .as_ref()
                    .map(|v| self.raw_word(&instruction.args.text_of(v.span)))
                    .unwrap_or_default();
                (self.raw_word(&p.key), value)
            })
            .collect()
    }

    /// The environment of a RUN: the image's ENV, plus ARGs in scope it does not set.
    pub fn run_env(&self) -> Vec<String> {
        let mut env = self.config.env();
        let Some(stage) = self.instruction().stage.map(|s| &self.df.stages[s]) else {
            return env;
        };
        let mut names: Vec<String> = Vec::new();
        for instruction in &self.df.instructions[stage.instructions.start..self.at] {
            if instruction.keyword == Keyword::Arg {
                for pair in &instruction.pairs {
                    if !names.contains(&pair.key) {
                        names.push(pair.key.clone());
                    }
                }
            }
        }
        // Proxy settings given on the command line reach RUN without an ARG, as in Docker.
        for name in PREDEFINED_ARGS
            .iter()
            .filter(|n| n.to_ascii_lowercase().ends_with("proxy"))
        {
            if self.df.options.build_args.contains_key(*name) && !names.iter().any(|n| n == name) {
                names.push((*name).to_string());
            }
        }
        for name in names {
            if self.config.env_value(&name).is_some() {
                continue;
            }
            let value = self
                .df
                .lookup(self.at, &name)
                .and_then(|d| d.value)
                .or_else(|| self.df.options.build_args.get(&name).cloned());
            if let Some(value) = value {
                env.push(format!("{name}={value}"));
            }
        }
        env
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_analyzer::ParseOptions;

    fn df(text: &str, args: &[(&str, &str)]) -> Dockerfile {
        Dockerfile::parse_with(
            text,
            ParseOptions {
                build_args: args
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            },
        )
    }

    #[test]
    fn env_wins_over_arg_and_quotes_are_removed_after_expansion() {
        let d = df(
            "FROM scratch\nARG V=arg\nARG W\nCOPY \"$V dir\" '$V' ${W:-def} /d/\n",
            &[("W", "given")],
        );
        let mut config = ImageConfig::scratch();
        let scope = Scope {
            df: &d,
            at: 3,
            config: &config,
        };
        assert_eq!(
            scope.words(&d.instructions[3]),
            ["arg dir", "$V", "given", "/d/"]
        );
        config.set_env("V", "env");
        let scope = Scope {
            df: &d,
            at: 3,
            config: &config,
        };
        assert_eq!(scope.words(&d.instructions[3])[0], "env dir");
    }

    #[test]
    fn run_env_has_args_in_scope_but_not_over_env() {
        let d = df(
            "ARG G=global\nFROM scratch\nARG A=1 B\nARG G\nENV A=env\nRUN true\n",
            &[("HTTP_PROXY", "http://p"), ("B", "b")],
        );
        let mut config = ImageConfig::scratch();
        config.set_env("A", "env");
        let scope = Scope {
            df: &d,
            at: 5,
            config: &config,
        };
        let env = scope.run_env();
        assert!(env.contains(&"A=env".to_string()), "{env:?}");
        assert!(!env.contains(&"A=1".to_string()));
        assert!(env.contains(&"B=b".to_string()));
        assert!(env.contains(&"G=global".to_string()));
        assert!(env.contains(&"HTTP_PROXY=http://p".to_string()));
    }

    #[test]
    fn flags_and_pairs_expand() {
        let d = df(
            "FROM scratch\nARG U=app\nCOPY --chown=$U:$U a b\nLABEL \"k\"=\"$U x\" other=$U\n",
            &[],
        );
        let config = ImageConfig::scratch();
        let scope = Scope {
            df: &d,
            at: 2,
            config: &config,
        };
        assert_eq!(scope.flag(&d.instructions[2], "chown").unwrap(), "app:app");
        let scope = Scope {
            df: &d,
            at: 3,
            config: &config,
        };
        assert_eq!(
            scope.pairs(&d.instructions[3]),
            [
                ("k".to_string(), "app x".to_string()),
                ("other".into(), "app".into())
            ]
        );
    }
}
