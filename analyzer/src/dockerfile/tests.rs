use super::*;

#[test]
fn stages_and_bases() {
    let text = "ARG BASE=debian\nARG TAG\nFROM ${BASE}:${TAG:-12} AS build\nRUN make\nFROM build AS test\nFROM scratch\nCOPY --from=build /a /a\n";
    let file = Dockerfile::parse(text);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.stages.len(), 3);
    match &file.stages[0].base {
        Base::Image(r) => {
            assert_eq!(r.repository, "debian");
            assert_eq!(r.tag.as_deref(), Some("12"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(file.stages[1].base, Base::Stage(0));
    assert_eq!(file.stages[2].base, Base::Scratch);
    assert_eq!(file.stages[0].name.as_ref().unwrap().text, "build");
    assert_eq!(file.instructions[3].stage, Some(0));
}

#[test]
fn build_args_override_defaults() {
    let mut options = ParseOptions::default();
    options.build_args.insert("TAG".into(), "13".into());
    let file = Dockerfile::parse_with("ARG TAG=12\nFROM debian:$TAG\n", options);
    match &file.stages[0].base {
        Base::Image(r) => assert_eq!(r.tag.as_deref(), Some("13")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn scopes() {
    let text = "ARG V=1\nFROM a AS one\nENV E=x\nARG V\nRUN echo $V $E\nFROM one\nRUN echo $E $V\n";
    let file = Dockerfile::parse(text);
    let run1 = 4;
    assert_eq!(file.lookup(run1, "V").unwrap().value.as_deref(), Some("1"));
    assert_eq!(file.lookup(run1, "E").unwrap().kind, VarKind::Env);
    let run2 = 6;
    assert_eq!(file.lookup(run2, "E").unwrap().value.as_deref(), Some("x"));
    assert!(file.lookup(run2, "V").is_none());
    assert_eq!(file.expand(run1, "$E-${V}").text, "x-1");
}

#[test]
fn recovers_from_bad_instructions() {
    let text = "FROM a\nFOO bar\nRUN echo hi\nCOPY onlyone\nCMD [\"x\"]\n";
    let file = Dockerfile::parse(text);
    assert_eq!(file.instructions.len(), 5);
    assert_eq!(file.errors.len(), 2, "{:?}", file.errors);
    assert_eq!(file.errors[0].span.text(text), "FOO");
    assert!(file.instructions[4].is_exec_form());
}

#[test]
fn known_grammar_gaps_parse_cleanly() {
    let cases = [
        "FROM a\nRUN true && \\\n    [ -e x ] || exit 1; \\\n    echo ok\n",
        "FROM a\nRUN <<EOF\necho hi\nEOF\nCMD x\n",
        "FROM a\nCOPY <<EOF /x\nhi\nEOF\n# comment\nRUN y\n",
        "FROM a\r\nRUN a \\\r\n  b\r\n",
        "# escape=`\nFROM a\nRUN a `\n  b\n",
        "FROM a\nRUN a \\\n\n  b\n",
        "from a\nrun b\n",
        "FROM a\nRUN a \\   \n  b\n",
    ];
    for case in cases {
        let file = Dockerfile::parse(case);
        assert!(file.errors.is_empty(), "{case:?}: {:?}", file.errors);
        assert!(file.instructions.len() >= 2, "{case:?}");
    }
}

#[test]
fn a_reused_stage_name_means_the_latest_stage_so_named() {
    let file = Dockerfile::parse("FROM a AS base\nFROM b AS base\nFROM base\n");
    assert_eq!(file.stages[2].base, Base::Stage(1));
}

#[test]
fn shell_commands_have_exact_spans() {
    let text = "FROM a\nRUN apt-get update && \\\n    apt-get install -y \\\n        curl\n";
    let file = Dockerfile::parse(text);
    let run = &file.instructions[1];
    let commands: Vec<_> = run.commands().collect();
    assert_eq!(commands.len(), 2);
    let curl = commands[1].argv.last().unwrap();
    assert_eq!(curl.text, "curl");
    assert_eq!(curl.span.text(text), "curl");
    assert_eq!(
        file.line_col(curl.span.start),
        LineCol { line: 4, column: 9 }
    );
}

#[test]
fn heredoc_scripts_are_parsed() {
    let text = "FROM a\nRUN <<EOF\napt-get update\napt-get install -y x\nEOF\n";
    let file = Dockerfile::parse(text);
    let names: Vec<_> = file.instructions[1]
        .commands()
        .filter_map(|c| c.program())
        .collect();
    assert_eq!(names, vec!["apt-get", "apt-get"]);
}

#[test]
fn onbuild_run_is_parsed() {
    let text = "FROM a\nONBUILD RUN apt-get install -y \\\n    curl\n";
    let file = Dockerfile::parse(text);
    let inner = file.instructions[1].onbuild.as_deref().unwrap();
    let command = inner.commands().next().unwrap();
    assert_eq!(command.program(), Some("apt-get"));
    let curl = command.argv.last().unwrap();
    assert_eq!(curl.span.text(text), "curl");
}

#[test]
fn non_posix_shell_is_not_parsed() {
    let text = "FROM a\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-Item x\n";
    let file = Dockerfile::parse(text);
    assert!(file.instructions[2].script.is_none());
}

#[test]
fn comments_above() {
    let text = "FROM a\n# hadolint ignore=DL3008\n# other\nRUN x\n";
    let file = Dockerfile::parse(text);
    let above: Vec<_> = file
        .comments_above(&file.instructions[1])
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(above, vec!["hadolint ignore=DL3008", "other"]);
}
