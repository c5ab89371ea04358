//! Variants the fixtures cannot show: PL501 looks at single-stage files, so each fixture
//! holds one case; PL500 without a build context.

use crate::{Applicability, Diagnostic, Selection, check, fix};
use plimsoll_analyzer::Dockerfile;

fn run(code: &str, text: &str) -> Vec<Diagnostic> {
    let file = Dockerfile::parse(text);
    let selection = Selection {
        select: vec![code.to_string()],
        ..Selection::default()
    };
    check(&file, None, &selection)
}

/// The text after applying the one finding's fix, or `None` when it has none.
fn fixed(code: &str, text: &str) -> Option<String> {
    let found = run(code, text);
    assert_eq!(
        found.len(),
        1,
        "{code} should fire once on:\n{text}\n{found:#?}"
    );
    found[0].fix.as_ref()?;
    Some(fix::apply(text, &found, Applicability::Unsafe).0)
}

#[test]
fn node_build_runs_from_the_slim_variant_with_dist() {
    let text = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\
                CMD [\"node\", \"dist/server.js\"]\n";
    assert_eq!(
        fixed("PL501", text).as_deref(),
        Some(
            "FROM node:22 AS builder\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n\
             FROM node:22-slim\nWORKDIR /app\n\
             COPY --from=builder /app/package.json /app/package.json\n\
             COPY --from=builder /app/node_modules /app/node_modules\n\
             COPY --from=builder /app/dist /app/dist\n\
             CMD [\"node\", \"dist/server.js\"]\n"
        )
    );
}

#[test]
fn go_with_cgo_runs_on_distroless_and_keeps_the_stage_name() {
    let text = "FROM golang:1.23 AS app\nCOPY . /src\nRUN go build -o /usr/local/bin/app /src\n\
                ENTRYPOINT [\"/usr/local/bin/app\"]\n";
    assert_eq!(
        fixed("PL501", text).as_deref(),
        Some(
            "FROM golang:1.23 AS app\nCOPY . /src\nRUN go build -o /usr/local/bin/app /src\n\n\
             FROM gcr.io/distroless/base-debian12\n\
             COPY --from=app /usr/local/bin/app /usr/local/bin/app\n\
             ENTRYPOINT [\"/usr/local/bin/app\"]\n"
        )
    );
}

#[test]
fn toolchain_from_packages_is_reported_without_a_nameable_artifact() {
    // make builds, but what it builds is unknown: a finding without a fix.
    let text = "FROM debian:12\nRUN apt-get update && apt-get install -y build-essential\n\
                COPY . /src\nRUN make -C /src\nCMD [\"/src/app\"]\n";
    assert_eq!(fixed("PL501", text), None);
}

#[test]
fn no_split_when_the_program_is_started_through_a_shell_or_a_user_is_set() {
    for text in [
        "FROM golang:1.23\nRUN CGO_ENABLED=0 go build -o /app .\nCMD /app\n",
        "FROM golang:1.23\nUSER 1000\nRUN CGO_ENABLED=0 go build -o /tmp/app .\nCMD [\"/tmp/app\"]\n",
        "FROM golang:1.23\nENV PORT=80\nRUN CGO_ENABLED=0 go build -o /app .\nCMD [\"/app\"]\n",
        "FROM golang:1.23\nRUN CGO_ENABLED=0 go build -o /app .\nRUN chmod +x /app\nCMD [\"/app\"]\n",
    ] {
        assert_eq!(fixed("PL501", text), None, "{text}");
    }
}

#[test]
fn quiet_without_a_build() {
    assert!(
        run(
            "PL501",
            "FROM node:22\nCOPY . .\nCMD [\"node\", \"index.js\"]\n"
        )
        .is_empty()
    );
}

#[test]
fn broad_copy_fix_without_context_only_for_a_mandatory_manifest() {
    let go = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build .\n";
    assert_eq!(
        fixed("PL500", go).as_deref(),
        Some(
            "FROM golang:1.23\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\n\
             RUN go build .\n"
        )
    );
    // `npm ci` needs a lock file whose name is unknown without a build context.
    let npm = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
    assert_eq!(fixed("PL500", npm), None);
}

#[test]
fn quiet_when_the_build_dependencies_are_removed_in_the_same_run() {
    let text = "FROM alpine:3.20\nRUN apk add --virtual .build-deps gcc make \\\n    \
                && make -C /src install \\\n    && apk del .build-deps\nCMD [\"app\"]\n";
    assert!(run("PL501", text).is_empty());
}
