//! Variants the fixtures cannot show: each file has one final stage, so one finding.

use crate::{Diagnostic, Selection, check};
use plimsoll_analyzer::{Dockerfile, ParseOptions};

fn run_with(code: &str, text: &str, options: ParseOptions) -> Vec<Diagnostic> {
    let file = Dockerfile::parse_with(text, options);
    let selection = Selection {
        select: vec![code.to_string()],
        ..Selection::default()
    };
    check(&file, None, &selection)
}

fn run(code: &str, text: &str) -> Vec<Diagnostic> {
    run_with(code, text, ParseOptions::default())
}

fn fires(code: &str, text: &str) -> Diagnostic {
    let found = run(code, text);
    assert_eq!(
        found.len(),
        1,
        "{code} should fire once on:\n{text}\n{found:#?}"
    );
    found.into_iter().next().unwrap()
}

fn quiet(code: &str, text: &str) {
    let found = run(code, text);
    assert!(
        found.is_empty(),
        "{code} should stay quiet on:\n{text}\n{found:#?}"
    );
}

#[test]
fn pl600_fires() {
    let d = fires(
        "PL600",
        "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n",
    );
    assert!(
        d.message.contains("`python:3.12-slim`'s default user"),
        "{}",
        d.message
    );
    assert!(d.help.unwrap().contains("useradd"));

    let d = fires(
        "PL600",
        "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
    );
    assert!(d.message.contains("scratch"), "{}", d.message);
    assert!(d.help.unwrap().contains("USER 65532:65532"));

    let d = fires(
        "PL600",
        "FROM gcr.io/distroless/static-debian12\nCOPY app /\nCMD [\"/app\"]\n",
    );
    assert!(d.help.unwrap().contains(":nonroot"));

    let d = fires(
        "PL600",
        "FROM node:22-alpine\nCOPY . /app\nCMD [\"node\", \"/app/index.js\"]\n",
    );
    assert!(d.help.unwrap().contains("USER node"));

    let d = fires(
        "PL600",
        "FROM alpine:3.20\nRUN apk add --no-cache curl\nCMD [\"curl\", \"-s\", \"x\"]\n",
    );
    assert!(d.help.unwrap().contains("adduser"));

    // The digest is left out of the message.
    let d = fires("PL600", "FROM debian:12@sha256:0123abcd\nCMD [\"true\"]\n");
    assert!(d.message.contains("`debian:12`"), "{}", d.message);

    // A CMD from the stage it is built on says what the final image runs.
    fires(
        "PL600",
        "FROM debian:12 AS base\nCMD [\"/srv/run\"]\nFROM base\nCOPY x /srv/\n",
    );
    // The official entrypoint that drops privileges is replaced.
    fires("PL600", "FROM postgres:16\nENTRYPOINT [\"postgres\"]\n");
    // Only the tag is unknown: the repository runs as root whatever the tag.
    fires(
        "PL600",
        "ARG PY\nFROM python:${PY}\nCMD [\"python\", \"app.py\"]\n",
    );
    // `CMD ["python", "app.py"]` runs an app, not a REPL.
    fires("PL600", "FROM python:3.12\nCMD [\"python\", \"app.py\"]\n");
}

#[test]
fn pl600_fix_goes_before_the_closing_block_or_at_the_end() {
    let text = "FROM debian:12\nRUN make\nEXPOSE 80\nCMD [\"srv\"]\nLABEL a=b\n";
    let d = fires("PL600", text);
    let (fixed, _) = crate::fix::apply(text, &[d], crate::Applicability::Unsafe);
    assert_eq!(
        fixed,
        "FROM debian:12\nRUN make\nEXPOSE 80\nUSER 65532:65532\nCMD [\"srv\"]\nLABEL a=b\n"
    );
    let text = "FROM debian:12 AS base\nCMD [\"srv\"]\nFROM base\nRUN make";
    let d = fires("PL600", text);
    let (fixed, _) = crate::fix::apply(text, &[d], crate::Applicability::Unsafe);
    assert_eq!(
        fixed,
        "FROM debian:12 AS base\nCMD [\"srv\"]\nFROM base\nRUN make\nUSER 65532:65532"
    );
}

#[test]
fn pl600_quiet() {
    for text in [
        // A USER in the final stage, or inherited from the stage it is built on.
        "FROM debian:12\nUSER app\nCMD [\"srv\"]\n",
        "FROM debian:12 AS base\nUSER 1000\nFROM base\nCMD [\"srv\"]\n",
        // USER root is PL601's business.
        "FROM debian:12\nUSER root\nCMD [\"srv\"]\n",
        // Only the final stage counts.
        "FROM golang:1.23 AS build\nRUN go build\nFROM gcr.io/distroless/static:nonroot\nCMD [\"/app\"]\n",
        // Known non-root images.
        "FROM gcr.io/distroless/base-debian12:debug-nonroot\nCMD [\"/app\"]\n",
        "FROM cgr.dev/chainguard/python:latest-dev\nCMD [\"python\", \"app.py\"]\n",
        "FROM bitnami/nginx:1.27\nCOPY site /app\nCMD [\"nginx\"]\n",
        "FROM docker:27-dind-rootless\nCMD [\"dockerd\"]\n",
        "FROM nginxinc/nginx-unprivileged:1.27\nCMD [\"nginx\"]\n",
        "FROM mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled\nENTRYPOINT [\"dotnet\", \"app.dll\"]\n",
        // Starts as root on purpose and drops privileges itself.
        "FROM postgres:16\nCOPY init.sql /docker-entrypoint-initdb.d/\nCMD [\"postgres\", \"-c\", \"fsync=off\"]\n",
        "FROM debian:12\nRUN apt-get update && apt-get install -y gosu\nENTRYPOINT [\"/entrypoint.sh\"]\n",
        "FROM alpine:3.20\nRUN apk add --no-cache su-exec\nENTRYPOINT [\"/entrypoint.sh\"]\n",
        "FROM debian:12\nCOPY --from=tianon/gosu:1.17 /gosu /usr/local/bin/\nENTRYPOINT [\"/entrypoint.sh\"]\n",
        "FROM debian:12\nCMD [\"setpriv\", \"--reuid=1000\", \"--regid=1000\", \"--init-groups\", \"srv\"]\n",
        "FROM lscr.io/linuxserver/nginx:latest\nCOPY site /config/www\nCMD [\"nginx\"]\n",
        // Says nothing about what it runs: a base for other Dockerfiles.
        "FROM debian:12\nRUN apt-get update\n",
        "FROM scratch\nCOPY --from=build /out /\n",
        "FROM buildpack-deps:bookworm\nRUN make install\nCMD [\"python3\"]\n",
        "FROM alpine:3.20\nENTRYPOINT [\"docker-php-entrypoint\"]\nCMD [\"php\", \"-a\"]\n",
        "FROM debian:12\nCMD [\"bash\"]\n",
        // Unknown base image.
        "ARG BASE\nFROM ${BASE}\nCMD [\"srv\"]\n",
        "ARG TAG\nFROM gcr.io/distroless/static:${TAG}\nCMD [\"/app\"]\n",
        // Windows and development containers.
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD [\"cmd\"]\n",
        "FROM mcr.microsoft.com/devcontainers/base:bookworm\nCMD [\"sleep\", \"infinity\"]\n",
    ] {
        quiet("PL600", text);
    }
}

#[test]
fn pl601_fires() {
    for (text, shown) in [
        ("FROM debian:12\nUSER root\nCMD [\"srv\"]\n", "`root`"),
        ("FROM debian:12\nUSER 0\n", "`0`"),
        ("FROM debian:12\nUSER 0:0\n", "`0:0`"),
        ("FROM debian:12\nUSER root:1000\n", "`root:1000`"),
        ("FROM debian:12\nuser \"root\"\n", "`\"root\"`"),
        ("FROM debian:12\nUSER app\nRUN x\nUSER root\n", "`root`"),
        (
            "FROM debian:12\nARG RUN_AS=root\nUSER $RUN_AS\n",
            "`$RUN_AS`, which expands to `root`",
        ),
        (
            "FROM debian:12\nENV RUN_AS=0\nUSER ${RUN_AS}:${RUN_AS}\n",
            "`${RUN_AS}:${RUN_AS}`, which expands to `0`",
        ),
        (
            "FROM debian:12\nARG U=${NOPE:-root}\nUSER ${U}\n",
            "which expands to `root`",
        ),
        // The group may be unknown: the user is still root.
        ("FROM debian:12\nUSER root:${GROUP}\n", "`root:${GROUP}`"),
    ] {
        let d = fires("PL601", text);
        assert!(d.message.contains(shown), "{text}: {}", d.message);
    }
    let text = "FROM debian:12 AS base\nUSER root\nFROM base\nCMD [\"srv\"]\n";
    let d = fires("PL601", text);
    assert!(
        d.message.contains("inherits USER `root` from stage `base`"),
        "{}",
        d.message
    );
    assert_eq!(d.span.text(text), "root");
}

#[test]
fn pl601_quiet() {
    for text in [
        "FROM debian:12\nUSER root\nRUN x\nUSER app\n",
        // Only the final image counts (hadolint reports the builder too).
        "FROM debian:12 AS build\nUSER root\nFROM debian:12\nUSER app\n",
        "FROM debian:12 AS build\nUSER root\nFROM debian:12\n",
        // Unknown values and look-alikes.
        "FROM debian:12\nUSER $WHO\n",
        "FROM debian:12\nUSER rootless\n",
        "FROM debian:12\nUSER 1000:0\n",
        // Drops privileges itself.
        "FROM debian:12\nRUN apt-get install -y gosu\nUSER root\nENTRYPOINT [\"/entrypoint.sh\"]\n",
        // Development containers.
        "FROM mcr.microsoft.com/devcontainers/base:bookworm\nUSER root\n",
    ] {
        quiet("PL601", text);
    }
    // A build argument overrides the default.
    let mut options = ParseOptions::default();
    options.build_args.insert("RUN_AS".into(), "app".into());
    let found = run_with(
        "PL601",
        "FROM debian:12\nARG RUN_AS=root\nUSER $RUN_AS\n",
        options,
    );
    assert!(found.is_empty(), "{found:#?}");
}
