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
fn make_in_a_directory_runs_from_the_files_own_base() {
    // No slimmer runtime is known for a C build: the same base (same libc), with the
    // program `make -C DIR` left in its directory.
    let text = "FROM debian:12\nRUN apt-get update && apt-get install -y build-essential\n\
                COPY . /src\nRUN make -C /src\nCMD [\"/src/app\"]\n";
    assert_eq!(
        fixed("PL501", text).as_deref(),
        Some(
            "FROM debian:12 AS builder\nRUN apt-get update && apt-get install -y build-essential\n\
             COPY . /src\nRUN make -C /src\n\n\
             FROM debian:12\nCOPY --from=builder /src/app /src/app\nCMD [\"/src/app\"]\n"
        )
    );
}

#[test]
fn cd_build_installed_by_make_and_started_by_name() {
    // `cd` is followed, `make install` puts the program in /usr/local/bin, the shell-form
    // CMD names it through PATH; vim and the CA certificates are not build tools, so the
    // runtime stage installs them again (after the same upgrade), and the ENV and
    // MAINTAINER come along so the image's configuration stays the same.
    let text = "FROM debian:12-slim\nMAINTAINER a@example.com\nRUN apt-get update\n\
                RUN apt-get upgrade -y\nRUN apt install -y build-essential git libssl-dev vim \\\n    \
                ca-certificates\nENV MODE=fast\nADD . /src\nRUN cd /src && make\n\
                RUN cd /src && make install\n\nUSER 1000\nCMD fnvsum --self-test\n";
    assert_eq!(
        fixed("PL501", text).as_deref(),
        Some(
            "FROM debian:12-slim AS builder\nMAINTAINER a@example.com\nRUN apt-get update\n\
             RUN apt-get upgrade -y\nRUN apt install -y build-essential git libssl-dev vim \\\n    \
             ca-certificates\nENV MODE=fast\nADD . /src\nRUN cd /src && make\n\
             RUN cd /src && make install\n\n\
             FROM debian:12-slim\nMAINTAINER a@example.com\nENV MODE=fast\n\
             RUN apt-get update && apt-get upgrade -y && apt-get install -y vim ca-certificates \
             && apt-get clean && rm -rf /var/lib/apt/lists/*\n\
             COPY --from=builder /usr/local/bin/fnvsum /usr/local/bin/fnvsum\n\
             \nUSER 1000\nCMD fnvsum --self-test\n"
        )
    );
}

#[test]
fn go_build_output_named_through_path_keeps_the_env_and_workdir() {
    // Without CGO_ENABLED=0 the binary needs the base's libc: the same base, not scratch.
    let text = "FROM debian:12-slim\nRUN apt-get update\n\
                RUN apt-get install -y golang-go git ca-certificates\nENV GOPATH /go\n\
                WORKDIR /go/src/svc\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\n\
                RUN go vet ./...\nEXPOSE 8080\nCMD [\"svc\"]\n";
    assert_eq!(
        fixed("PL501", text).as_deref(),
        Some(
            "FROM debian:12-slim AS builder\nRUN apt-get update\n\
             RUN apt-get install -y golang-go git ca-certificates\nENV GOPATH /go\n\
             WORKDIR /go/src/svc\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\n\
             RUN go vet ./...\n\n\
             FROM debian:12-slim\nENV GOPATH /go\n\
             RUN apt-get update && apt-get install -y ca-certificates && apt-get clean && rm -rf /var/lib/apt/lists/*\n\
             WORKDIR /go/src/svc\nCOPY --from=builder /usr/local/bin/svc /usr/local/bin/svc\n\
             EXPOSE 8080\nCMD [\"svc\"]\n"
        )
    );
}

#[test]
fn cp_into_a_path_directory_names_the_program() {
    let text = "FROM alpine:3.20\nRUN apk add gcc musl-dev make python3\nCOPY . /src\n\
                RUN cd /src && make && cp build/tool /usr/local/bin/\nCMD [\"tool\"]\n";
    let out = fixed("PL501", text).unwrap();
    assert!(
        out.ends_with(
            "\n\nFROM alpine:3.20\nRUN apk add --no-cache python3\n\
             COPY --from=builder /usr/local/bin/tool /usr/local/bin/tool\nCMD [\"tool\"]\n"
        ),
        "{out}"
    );
}

#[test]
fn the_built_images_path_names_a_program_a_makefile_installs_elsewhere() {
    let text = "FROM debian:12\nRUN apt-get update && apt-get install -y make gcc\n\
                COPY . /src\nRUN cd /src && make && make install\nCMD [\"tool\"]\n";
    let file = Dockerfile::parse(text);
    let mut options = crate::RuleOptions::default();
    options
        .resolved_programs
        .insert("tool".into(), "/opt/tool/bin/tool".into());
    let mut settings = crate::Settings {
        options,
        selections: vec![Selection {
            select: vec!["PL501".to_string()],
            ..Selection::default()
        }],
        ..crate::Settings::default()
    };
    let found = crate::check_with(&file, None, &settings);
    let out = fix::apply(text, &found, Applicability::Unsafe).0;
    assert!(
        out.contains("COPY --from=builder /opt/tool/bin/tool /opt/tool/bin/tool\n"),
        "{out}"
    );
    // A program the distribution installed is not an artifact.
    settings
        .options
        .resolved_programs
        .insert("tool".into(), "/usr/bin/tool".into());
    let found = crate::check_with(&file, None, &settings);
    assert_eq!(found.len(), 1);
    assert!(found[0].fix.is_none());
}

#[test]
fn native_dependency_install_of_an_interpreted_app_keeps_its_runtime() {
    // `npm ci` with a C toolchain compiles native modules: the toolchain and git stay in
    // the builder, node and npm (which `npm start` needs) are installed again, and the
    // application directory with its node_modules is copied.
    let text = "FROM debian:12-slim\nRUN apt-get update && apt-get install -y nodejs npm build-essential git\n\
                ENV NODE_ENV production\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm ci\n\
                EXPOSE 3000\nCMD npm start\n";
    assert_eq!(
        fixed("PL501", text).as_deref(),
        Some(
            "FROM debian:12-slim AS builder\n\
             RUN apt-get update && apt-get install -y nodejs npm build-essential git\n\
             ENV NODE_ENV production\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm ci\n\n\
             FROM debian:12-slim\nENV NODE_ENV production\n\
             RUN apt-get update && apt-get install -y nodejs npm && apt-get clean \
             && rm -rf /var/lib/apt/lists/*\n\
             WORKDIR /usr/src/app\nCOPY --from=builder /usr/src/app /usr/src/app\n\
             EXPOSE 3000\nCMD npm start\n"
        )
    );
}

#[test]
fn quiet_for_a_dependency_install_without_a_c_toolchain() {
    for text in [
        "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n",
        "FROM debian:12\nRUN apt-get install -y nodejs npm\nWORKDIR /app\nCOPY . .\n\
         RUN npm ci\nCMD [\"npm\", \"start\"]\n",
    ] {
        assert!(run("PL501", text).is_empty(), "{text}");
    }
}

#[test]
fn no_split_when_the_program_is_not_what_the_build_made() {
    for text in [
        // An interpreter from a package, a name nothing installs, `sh -c`.
        "FROM debian:12\nRUN apt-get update && apt-get install -y gcc python3\nCOPY . /app\n\
         RUN cd /app && make\nCMD [\"python3\", \"/app/main.py\"]\n",
        "FROM debian:12\nRUN apt-get install -y gcc\nCOPY . /src\nRUN cd /src && make\n\
         CMD [\"tool\"]\n",
        "FROM debian:12\nRUN apt-get install -y gcc\nCOPY . /src\nRUN cd /src && make install\n\
         CMD [\"sh\", \"-c\", \"tool\"]\n",
        // A directory the shell cannot know.
        "FROM debian:12\nRUN apt-get install -y gcc\nCOPY . /src\nRUN cd \"$DIR\" && make\n\
         CMD [\"./tool\"]\n",
        // A toolchain image as the only base it could run on.
        "FROM rust:1.80\nCOPY . /src\nRUN cd /src && cargo build --release\n\
         CMD [\"/src/target/release/app\"]\n",
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

/// Checks `text` with PL502 and the built image's facts about `/out/tool`.
fn pl502_with_libraries(text: &str, libraries: Option<Vec<crate::LinkedFile>>) -> Vec<Diagnostic> {
    let file = Dockerfile::parse(text);
    let mut settings = crate::Settings::with_selection(Selection {
        select: vec!["PL502".to_string()],
        ..Selection::default()
    });
    if let Some(libraries) = libraries {
        settings
            .options
            .shared_libraries
            .insert("/out/tool".into(), libraries);
    }
    crate::check_with(&file, None, &settings)
}

const C_RUNTIME: &str = "FROM debian:12 AS builder\nRUN apt-get update && apt-get install -y gcc make\n\
                         COPY . /src\nRUN make -C /src && cp /src/tool /out/tool\n\n\
                         FROM debian:12\nCOPY --from=builder /out/tool /usr/bin/tool\n\
                         CMD [\"tool\", \"--serve\"]\n";

#[test]
fn a_c_program_moves_to_scratch_only_with_the_built_images_facts() {
    // From the text alone nothing says what a C program loads.
    assert!(pl502_with_libraries(C_RUNTIME, None).is_empty());
    let linked = |source: &str, dest: &str| crate::LinkedFile {
        source: source.into(),
        dest: dest.into(),
    };
    let found = pl502_with_libraries(
        C_RUNTIME,
        Some(vec![
            linked(
                "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "/lib64/ld-linux-x86-64.so.2",
            ),
            linked(
                "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13",
                "/usr/lib/x86_64-linux-gnu/libz.so.1",
            ),
            linked(
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
            ),
        ]),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    let out = fix::apply(C_RUNTIME, &found, Applicability::Unsafe).0;
    assert!(
        out.ends_with(
            "FROM scratch\nCOPY --from=builder /out/tool /usr/bin/tool\n\
             COPY --from=builder /usr/lib/x86_64-linux-gnu/libz.so.1.2.13 /usr/lib/x86_64-linux-gnu/libz.so.1\n\
             COPY --from=builder /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 /lib64/\n\
             COPY --from=builder /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/\n\
             CMD [\"tool\", \"--serve\"]\n"
        ),
        "{out}"
    );
    // A static program needs nothing more.
    let found = pl502_with_libraries(C_RUNTIME, Some(Vec::new()));
    let out = fix::apply(C_RUNTIME, &found, Applicability::Unsafe).0;
    assert!(
        out.ends_with(
            "FROM scratch\nCOPY --from=builder /out/tool /usr/bin/tool\nCMD [\"tool\", \"--serve\"]\n"
        ),
        "{out}"
    );
}

#[test]
fn a_go_program_built_with_cgo_on_purpose_is_left_to_the_facts() {
    let text = "FROM golang:1.23 AS builder\nWORKDIR /src\nCOPY . .\n\
                RUN CGO_ENABLED=1 go build -o /out/tool .\n\n\
                FROM debian:12\nCOPY --from=builder /out/tool /usr/local/bin/tool\n\
                ENTRYPOINT [\"/usr/local/bin/tool\"]\n";
    assert!(pl502_with_libraries(text, None).is_empty());
    assert_eq!(pl502_with_libraries(text, Some(Vec::new())).len(), 1);
    // Already static through ENV: scratch without a rebuild.
    let text = text.replace(
        "RUN CGO_ENABLED=1 go build",
        "ENV CGO_ENABLED=0\nRUN go build",
    );
    let found = pl502_with_libraries(&text, None);
    assert_eq!(found.len(), 1);
    let out = fix::apply(&text, &found, Applicability::Unsafe).0;
    assert_eq!(out.matches("CGO_ENABLED").count(), 1, "{out}");
    assert!(out.contains("\nFROM scratch\n"), "{out}");
}

#[test]
fn quiet_where_the_runtime_stage_needs_its_distribution() {
    let go = "FROM golang:1.23 AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/tool .\n\n";
    for runtime in [
        // Already minimal, or a stage as base.
        "FROM scratch\nCOPY --from=builder /out/tool /tool\nENTRYPOINT [\"/tool\"]\n",
        "FROM builder\nENTRYPOINT [\"/out/tool\"]\n",
        "FROM gcr.io/distroless/static\nCOPY --from=builder /out/tool /tool\nENTRYPOINT [\"/tool\"]\n",
        // A shell-form command needs /bin/sh; so does a shell-form health check.
        "FROM debian:12\nCOPY --from=builder /out/tool /tool\nENTRYPOINT /tool\n",
        "FROM debian:12\nCOPY --from=builder /out/tool /tool\nHEALTHCHECK CMD /tool ping\nENTRYPOINT [\"/tool\"]\n",
        // A health check that runs a distribution's tool.
        "FROM debian:12\nCOPY --from=builder /out/tool /tool\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\nENTRYPOINT [\"/tool\"]\n",
        // A RUN that is more than package installs, a user by name, a named --chown.
        "FROM debian:12\nRUN useradd app\nCOPY --from=builder /out/tool /tool\nENTRYPOINT [\"/tool\"]\n",
        "FROM debian:12\nCOPY --from=builder /out/tool /tool\nUSER app\nENTRYPOINT [\"/tool\"]\n",
        "FROM debian:12\nCOPY --from=builder --chown=app /out/tool /tool\nENTRYPOINT [\"/tool\"]\n",
        // The program does not come from the build, or the stage starts something else.
        "FROM debian:12\nCOPY tool /tool\nENTRYPOINT [\"/tool\"]\n",
        "FROM debian:12\nCOPY --from=builder /out/tool /tool\nENTRYPOINT [\"/usr/bin/python3\"]\n",
        "FROM debian:12\nCOPY --from=builder /out/tool /tool\n",
        "FROM debian:12\nCOPY --from=builder /out/$NAME /tool\nENTRYPOINT [\"/tool\"]\n",
    ] {
        let text = format!("{go}{runtime}");
        assert!(run("PL502", &text).is_empty(), "{text}");
    }
    // A single stage is PL501's.
    assert!(
        run(
            "PL502",
            "FROM debian:12\nCOPY tool /tool\nENTRYPOINT [\"/tool\"]\n"
        )
        .is_empty()
    );
}

#[test]
fn a_health_check_of_the_program_itself_runs_on_scratch_too() {
    let text = "FROM golang:1.23 AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/tool .\n\n\
                FROM debian:12\nCOPY --from=builder /out/tool /tool\n\
                HEALTHCHECK CMD [\"/tool\", \"ping\"]\nENTRYPOINT [\"/tool\"]\n";
    let out = fixed("PL502", text).unwrap();
    assert!(out.contains("\nFROM scratch\n"), "{out}");
}

#[test]
fn data_files_come_only_from_a_stage_that_has_them() {
    let text = "FROM golang:1.23 AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/tool .\n\n\
                FROM debian:12\nRUN apt-get update && apt-get install -y tzdata\n\
                COPY --from=builder /out/tool /tool\nENTRYPOINT [\"/tool\"]\n";
    let found = run("PL502", text);
    assert_eq!(found.len(), 1);
    assert!(found[0].fix.is_none(), "{found:#?}");
    let text = text.replace(
        "WORKDIR /src\n",
        "RUN apt-get update && apt-get install -y tzdata\nWORKDIR /src\n",
    );
    let out = fixed("PL502", &text).unwrap();
    assert!(
        out.contains("COPY --from=builder /usr/share/zoneinfo /usr/share/zoneinfo\n"),
        "{out}"
    );
}
