//! The server's main loop over an in-memory connection: the protocol as an editor drives it.

mod common;

use common::*;
use lsp_types as lsp;
use serde_json::json;

const BAD: &str = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n";

fn push_client() -> Client {
    Client::start(json!({}), json!(null))
}

fn codes(diagnostics: &[lsp::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| match &d.code {
            Some(lsp::NumberOrString::String(s)) => s.clone(),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn negotiates_the_position_encoding() {
    let client = Client::start(
        json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}}),
        json!(null),
    );
    assert_eq!(
        client.initialize_result.capabilities.position_encoding,
        Some(lsp::PositionEncodingKind::UTF8)
    );
    let caps = &client.initialize_result.capabilities;
    assert!(caps.hover_provider.is_some() && caps.rename_provider.is_some());
    assert_eq!(client.shutdown(), plimsoll_lsp::Exit::Clean);
    let client = push_client();
    assert_eq!(
        client.initialize_result.capabilities.position_encoding,
        Some(lsp::PositionEncodingKind::UTF16)
    );
    assert_eq!(
        client.exit_without_shutdown(),
        plimsoll_lsp::Exit::WithoutShutdown
    );
}

#[test]
fn publishes_exact_diagnostics_on_open() {
    let mut client = push_client();
    let uri = uri("Dockerfile");
    client.open(&uri, BAD);
    let diagnostics = client.diagnostics(&uri, 1);
    let curl = diagnostics
        .iter()
        .find(|d| d.code == Some(lsp::NumberOrString::String("PL103".into())))
        .expect("PL103 for the unpinned curl");
    let column = BAD.lines().nth(1).unwrap().find("curl").unwrap() as u32;
    assert_eq!(
        curl.range,
        lsp::Range::new(position(1, column), position(1, column + 4))
    );
    assert_eq!(curl.severity, Some(lsp::DiagnosticSeverity::WARNING));
    assert_eq!(curl.source.as_deref(), Some("plimsoll"));
    assert_eq!(
        curl.code_description.as_ref().unwrap().href.as_str(),
        "https://github.com/plimsoll/plimsoll/blob/main/docs/rules/PL103.md"
    );
    client.shutdown();
}

#[test]
fn ranges_follow_the_negotiated_encoding_on_non_ascii_text() {
    // 😀 is 2 UTF-16 units and 4 bytes; é is 1 unit and 2 bytes.
    let text = "FROM debian:12\nLABEL note=\"é😀\"\nRUN apt-get install -y é😀curl\n";
    let byte_column = "RUN apt-get install -y ".len() as u32;
    for (encodings, character, end) in [
        (json!(["utf-16"]), byte_column, byte_column + 7),
        (json!(["utf-8", "utf-16"]), byte_column, byte_column + 10),
    ] {
        let mut client = Client::start(
            json!({"general": {"positionEncodings": encodings}}),
            json!(null),
        );
        let uri = uri("Dockerfile");
        client.open(&uri, text);
        let diagnostics = client.diagnostics(&uri, 1);
        let package = diagnostics
            .iter()
            .find(|d| d.code == Some(lsp::NumberOrString::String("PL103".into())))
            .expect("PL103");
        assert_eq!(
            package.range,
            lsp::Range::new(position(2, character), position(2, end)),
            "{encodings}"
        );
        // Typing after the package name, in the same encoding.
        client.change(&uri, 2, vec![edit(((2, end), (2, end)), "=8.0")]);
        let diagnostics = client.diagnostics(&uri, 2);
        assert!(
            !codes(&diagnostics).contains(&"PL103".to_string()),
            "{diagnostics:?}"
        );
        client.shutdown();
    }
}

#[test]
fn incremental_edits_republish_for_the_new_version() {
    let mut client = push_client();
    let uri = uri("Dockerfile");
    client.open(&uri, BAD);
    assert!(codes(&client.diagnostics(&uri, 1)).contains(&"PL103".to_string()));
    let line = BAD.lines().nth(1).unwrap();
    let end = line.len() as u32;
    client.change(&uri, 2, vec![edit(((1, end), (1, end)), "=7.88.1-10")]);
    let codes2 = codes(&client.diagnostics(&uri, 2));
    assert!(!codes2.contains(&"PL103".to_string()), "{codes2:?}");
    // A full-text change, then a syntax error.
    client.change(
        &uri,
        3,
        vec![lsp::TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "FROM debian:12\nRUNN x\n".into(),
        }],
    );
    let diagnostics = client.diagnostics(&uri, 3);
    let syntax = &diagnostics[0];
    assert_eq!(
        syntax.code,
        Some(lsp::NumberOrString::String("PL000".into()))
    );
    assert_eq!(syntax.severity, Some(lsp::DiagnosticSeverity::ERROR));
    assert_eq!(
        syntax.range,
        lsp::Range::new(position(1, 0), position(1, 4))
    );
    client.shutdown();
}

#[test]
fn a_burst_of_edits_never_publishes_stale_results() {
    let mut client = push_client();
    let uri = uri("Dockerfile");
    client.open(&uri, "FROM debian:12\nRUN apt-get install -y \n");
    client.diagnostics(&uri, 1);
    // Type a package name one letter at a time, without waiting.
    let word = "curl";
    for (i, letter) in word.chars().enumerate() {
        let column = "RUN apt-get install -y ".len() as u32 + i as u32;
        client.change(
            &uri,
            2 + i as i32,
            vec![edit(((1, column), (1, column)), &letter.to_string())],
        );
    }
    let last = 1 + word.len() as i32;
    let final_diagnostics = client.diagnostics(&uri, last);
    let published = client.drain::<lsp::notification::PublishDiagnostics>();
    assert!(published.is_empty(), "nothing after the last version");
    let curl = final_diagnostics
        .iter()
        .find(|d| d.code == Some(lsp::NumberOrString::String("PL103".into())))
        .expect("the finished word is linted");
    assert!(curl.message.contains("curl"), "{}", curl.message);
    client.shutdown();
}

#[test]
fn versions_published_only_increase() {
    let mut client = push_client();
    let uri = uri("Dockerfile");
    client.open(&uri, "FROM a\n");
    for version in 2..=30 {
        client.change(&uri, version, vec![edit(((1, 0), (1, 0)), "#\n")]);
    }
    let mut seen = Vec::new();
    client.wait_for::<lsp::notification::PublishDiagnostics>(|p| {
        seen.push(p.version.unwrap());
        p.version == Some(30)
    });
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    client.shutdown();
}

#[test]
fn pull_diagnostics_when_the_client_asks_for_them() {
    let mut client = Client::start(json!({"textDocument": {"diagnostic": {}}}), json!(null));
    let uri = uri("Dockerfile");
    client.open(&uri, BAD);
    let report = client
        .request::<lsp::request::DocumentDiagnosticRequest>(lsp::DocumentDiagnosticParams {
            text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
            identifier: None,
            previous_result_id: None,
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Full(full)) =
        report
    else {
        panic!("a full report: {report:?}")
    };
    let items = &full.full_document_diagnostic_report.items;
    assert!(codes(items).contains(&"PL103".to_string()));
    let result_id = full.full_document_diagnostic_report.result_id.clone();
    let again = client
        .request::<lsp::request::DocumentDiagnosticRequest>(lsp::DocumentDiagnosticParams {
            text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
            identifier: None,
            previous_result_id: result_id,
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    assert!(matches!(
        again,
        lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Unchanged(_))
    ));
    // The client pulls: nothing is pushed.
    assert!(
        client
            .drain::<lsp::notification::PublishDiagnostics>()
            .is_empty()
    );
    client.shutdown();
}

#[test]
fn settings_from_initialization_options_and_changes() {
    // Pinning rules only, so that rules of other families can not change what is asserted.
    let mut client = Client::start(
        json!({}),
        json!({"select": ["PL1"], "ignore": ["DL3008"], "failLevel": "error"}),
    );
    let uri = uri("Dockerfile");
    client.open(&uri, "FROM debian\nRUN apt-get install -y curl\n");
    let diagnostics = client.diagnostics(&uri, 1);
    assert_eq!(
        codes(&diagnostics),
        vec!["PL100"],
        "PL103 ignored by its alias"
    );
    // Below the fail level: shown as hints.
    assert!(
        diagnostics
            .iter()
            .all(|d| d.severity == Some(lsp::DiagnosticSeverity::HINT)),
        "{diagnostics:?}"
    );
    client.notify::<lsp::notification::DidChangeConfiguration>(
        lsp::DidChangeConfigurationParams {
            settings: json!({"plimsoll": {"select": ["PL103"], "ruleDocsUrl": "https://example.test/{name}"}}),
        },
    );
    let republished = client.diagnostics(&uri, 1);
    assert_eq!(codes(&republished), vec!["PL103"]);
    assert_eq!(
        republished[0]
            .code_description
            .as_ref()
            .unwrap()
            .href
            .as_str(),
        "https://example.test/apt-get-unpinned"
    );
    // An unknown selector is reported to the user, and the rest still applies.
    client.notify::<lsp::notification::DidChangeConfiguration>(lsp::DidChangeConfigurationParams {
        settings: json!({"plimsoll": {"select": ["PL999", "PL000"]}}),
    });
    let message = client.wait_for::<lsp::notification::ShowMessage>(|_| true);
    assert!(message.message.contains("PL999"), "{}", message.message);
    assert!(client.diagnostics(&uri, 1).is_empty());
    client.shutdown();
}

/// The configuration file is found as `plimsoll check` finds it, read again when a watched
/// file changes or a document is saved, and the client's settings go on top of it.
#[test]
fn configuration_files_apply_and_reload() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("plimsoll.toml");
    std::fs::write(&config, "ignore = [\"PL103\"]\nfail-level = \"error\"\n").unwrap();
    std::fs::create_dir(dir.path().join("svc")).unwrap();
    let file = dir.path().join("svc/Dockerfile");
    std::fs::write(&file, BAD).unwrap();
    let uri = lsp::Url::from_file_path(&file).unwrap();
    let config_uri = lsp::Url::from_file_path(&config).unwrap();
    let mut client = Client::start_in(
        dir.path(),
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        json!(null),
    );
    let config_changed = |client: &Client| {
        client.notify::<lsp::notification::DidChangeWatchedFiles>(
            lsp::DidChangeWatchedFilesParams {
                changes: vec![lsp::FileEvent::new(
                    config_uri.clone(),
                    lsp::FileChangeType::CHANGED,
                )],
            },
        )
    };
    let severity_of = |diagnostics: &[lsp::Diagnostic], code: &str| {
        diagnostics
            .iter()
            .find(|d| d.code == Some(lsp::NumberOrString::String(code.into())))
            .and_then(|d| d.severity)
    };

    client.open(&uri, BAD);
    let first = client.diagnostics(&uri, 1);
    let all = codes(&first);
    assert!(
        !all.contains(&"PL103".to_string()),
        "ignored by the file: {all:?}"
    );
    assert!(all.contains(&"PL204".to_string()), "{all:?}");
    assert!(
        first
            .iter()
            .all(|d| d.severity == Some(lsp::DiagnosticSeverity::HINT)),
        "below the file's fail level: {first:?}"
    );
    assert!(
        client
            .server_requests
            .contains(&"client/registerCapability".to_string()),
        "{:?}",
        client.server_requests
    );

    // The file changes: republished without an edit.
    std::fs::write(&config, "fail-level = \"warning\"\n").unwrap();
    config_changed(&client);
    let second = client.diagnostics(&uri, 1);
    assert_eq!(
        severity_of(&second, "PL103"),
        Some(lsp::DiagnosticSeverity::WARNING)
    );
    assert_eq!(
        severity_of(&second, "PL204"),
        Some(lsp::DiagnosticSeverity::HINT)
    );

    // The client's settings go on top: its ignore adds to the file's selection, its fail
    // level wins.
    client.notify::<lsp::notification::DidChangeConfiguration>(lsp::DidChangeConfigurationParams {
        settings: json!({"plimsoll": {"ignore": ["PL204"], "failLevel": "info"}}),
    });
    let third = client.diagnostics(&uri, 1);
    assert!(!codes(&third).contains(&"PL204".to_string()));
    assert_eq!(
        severity_of(&third, "PL202"),
        Some(lsp::DiagnosticSeverity::INFORMATION)
    );

    // A broken file is reported, and the client's settings still apply meanwhile.
    std::fs::write(&config, "select = [\"NOPE1\"]\n").unwrap();
    config_changed(&client);
    let message = client.wait_for::<lsp::notification::ShowMessage>(|_| true);
    assert_eq!(message.typ, lsp::MessageType::ERROR);
    assert!(
        message.message.contains("plimsoll.toml:1:") && message.message.contains("NOPE1"),
        "{}",
        message.message
    );

    // Without a watcher event, a save reads the files again.
    std::fs::write(&config, "ignore = [\"PL202\"]\n").unwrap();
    client.notify::<lsp::notification::DidSaveTextDocument>(lsp::DidSaveTextDocumentParams {
        text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
        text: None,
    });
    let after_save = client.wait_for::<lsp::notification::PublishDiagnostics>(|p| {
        p.uri == uri && !codes(&p.diagnostics).contains(&"PL202".to_string())
    });
    let left = codes(&after_save.diagnostics);
    assert!(left.contains(&"PL103".to_string()), "{left:?}");
    assert!(
        !left.contains(&"PL204".to_string()),
        "still the client's: {left:?}"
    );
    client.shutdown();
}

#[test]
fn saving_relints_and_republishes() {
    let mut client = push_client();
    let uri = uri("Dockerfile");
    client.open(&uri, BAD);
    let before = client.diagnostics(&uri, 1);
    client.notify::<lsp::notification::DidSaveTextDocument>(lsp::DidSaveTextDocumentParams {
        text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
        text: None,
    });
    assert_eq!(client.diagnostics(&uri, 1), before);
    client.shutdown();
}

#[test]
fn a_pulling_client_is_asked_to_pull_again_when_settings_change() {
    let mut client = Client::start(
        json!({
            "textDocument": {"diagnostic": {}},
            "workspace": {"diagnostic": {"refreshSupport": true}}
        }),
        json!(null),
    );
    let uri = uri("Dockerfile");
    client.open(&uri, BAD);
    client.notify::<lsp::notification::DidChangeConfiguration>(lsp::DidChangeConfigurationParams {
        settings: json!({"plimsoll": {"ignore": ["PL103"]}}),
    });
    // The refresh request is answered by the harness while it waits for this response.
    let report = client
        .request::<lsp::request::DocumentDiagnosticRequest>(lsp::DocumentDiagnosticParams {
            text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
            identifier: None,
            previous_result_id: None,
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    assert!(
        client
            .server_requests
            .contains(&"workspace/diagnostic/refresh".to_string()),
        "{:?}",
        client.server_requests
    );
    let lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Full(full)) =
        report
    else {
        panic!("{report:?}")
    };
    assert!(!codes(&full.full_document_diagnostic_report.items).contains(&"PL103".to_string()));
    client.shutdown();
}

#[test]
fn settings_pulled_with_workspace_configuration() {
    let mut client = Client::start_with(
        json!({"workspace": {"configuration": true}}),
        json!(null),
        json!({"select": ["PL000"]}),
    );
    let uri = uri("Dockerfile");
    client.open(&uri, "FROM debian\nRUNN x\nRUN apt-get install -y curl\n");
    // The first publish may come before the configuration answer; wait for the one after.
    let diagnostics = client
        .wait_for::<lsp::notification::PublishDiagnostics>(|p| {
            p.diagnostics
                .iter()
                .all(|d| d.code == Some(lsp::NumberOrString::String("PL000".into())))
        })
        .diagnostics;
    assert_eq!(codes(&diagnostics), vec!["PL000"]);
    assert!(
        client
            .server_requests
            .contains(&"workspace/configuration".to_string())
    );
    client.shutdown();
}

#[test]
fn ignore_action_inserts_a_pragma_that_silences_the_rule() {
    let mut client = Client::start(
        json!({"workspace": {"workspaceEdit": {"documentChanges": true}}}),
        json!(null),
    );
    let uri = uri("Dockerfile");
    client.open(&uri, BAD);
    let diagnostics = client.diagnostics(&uri, 1);
    let curl = diagnostics
        .iter()
        .find(|d| d.code == Some(lsp::NumberOrString::String("PL103".into())))
        .unwrap()
        .clone();
    let actions = client
        .request::<lsp::request::CodeActionRequest>(lsp::CodeActionParams {
            text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
            range: curl.range,
            context: lsp::CodeActionContext {
                diagnostics: vec![curl.clone()],
                only: None,
                trigger_kind: None,
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    let ignore = actions
        .iter()
        .find_map(|a| match a {
            lsp::CodeActionOrCommand::CodeAction(a)
                if a.title == "Plimsoll (PL103): ignore for this instruction" =>
            {
                Some(a.clone())
            }
            _ => None,
        })
        .expect("an ignore action");
    assert_eq!(ignore.kind, Some(lsp::CodeActionKind::QUICKFIX));
    let edit = ignore.edit.unwrap();
    let Some(lsp::DocumentChanges::Edits(documents)) = &edit.document_changes else {
        panic!("versioned document changes: {edit:?}")
    };
    assert_eq!(documents[0].text_document.version, Some(1));
    let fixed = apply_workspace_edit(BAD, &uri, &edit, true);
    assert_eq!(
        fixed,
        "FROM debian:12\n# plimsoll: ignore=PL103\nRUN apt-get update && apt-get install -y curl\n"
    );
    client.change(
        &uri,
        2,
        vec![lsp::TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: fixed,
        }],
    );
    let after = client.diagnostics(&uri, 2);
    assert!(!codes(&after).contains(&"PL103".to_string()), "{after:?}");
    assert_eq!(after.len(), diagnostics.len() - 1);
    client.shutdown();
}

/// PL501's multi-stage split is a proposal: offered as a `refactor.rewrite` (also when only
/// refactorings are asked for), not as a quick fix, and applying it gives a multi-stage
/// build that PL501 no longer reports.
#[test]
fn the_multi_stage_proposal_is_a_refactoring() {
    let text = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /usr/local/bin/app ./cmd/app\nENTRYPOINT [\"/usr/local/bin/app\"]\n";
    let mut client = push_client();
    let uri = uri("Dockerfile");
    client.open(&uri, text);
    let diagnostics = client.diagnostics(&uri, 1);
    let pl501 = diagnostics
        .iter()
        .find(|d| d.code == Some(lsp::NumberOrString::String("PL501".into())))
        .expect("PL501 reported")
        .clone();
    let mut ask = |range: lsp::Range, only: Option<Vec<lsp::CodeActionKind>>| {
        client
            .request::<lsp::request::CodeActionRequest>(lsp::CodeActionParams {
                text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
                range,
                context: lsp::CodeActionContext {
                    diagnostics: vec![],
                    only,
                    trigger_kind: None,
                },
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            })
            .unwrap()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|a| match a {
                lsp::CodeActionOrCommand::CodeAction(a) => Some(a),
                lsp::CodeActionOrCommand::Command(_) => None,
            })
            .collect::<Vec<_>>()
    };
    let all = ask(pl501.range, None);
    let about_pl501: Vec<_> = all
        .iter()
        .filter(|a| a.title.starts_with("Plimsoll (PL501)"))
        .map(|a| (a.kind.clone().unwrap(), a.title.clone()))
        .collect();
    assert_eq!(about_pl501.len(), 2, "{about_pl501:?}");
    assert_eq!(about_pl501[0].0, lsp::CodeActionKind::QUICKFIX);
    assert!(about_pl501[0].1.ends_with("ignore for this instruction"));
    assert_eq!(about_pl501[1].0, lsp::CodeActionKind::REFACTOR_REWRITE);
    assert!(
        about_pl501[1].1.contains("Proposal"),
        "{}",
        about_pl501[1].1
    );
    // The editor's "Refactor…" menu on the build line (inside what the proposal rewrites).
    let build_line = lsp::Range::new(lsp::Position::new(3, 5), lsp::Position::new(3, 5));
    let refactors = ask(build_line, Some(vec![lsp::CodeActionKind::REFACTOR]));
    assert_eq!(refactors.len(), 1, "{refactors:?}");
    assert!(
        ask(build_line, Some(vec![lsp::CodeActionKind::QUICKFIX]))
            .iter()
            .all(|a| !a.title.contains("Proposal")),
        "not a quick fix"
    );
    let split = apply_workspace_edit(text, &uri, refactors[0].edit.as_ref().unwrap(), false);
    assert!(split.matches("FROM ").count() == 2, "{split}");
    assert!(split.contains("COPY --from="), "{split}");
    client.change(
        &uri,
        2,
        vec![lsp::TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: split.clone(),
        }],
    );
    let after = client.diagnostics(&uri, 2);
    assert!(
        !codes(&after).contains(&"PL501".to_string()),
        "{split}\n{after:?}"
    );
    client.shutdown();
}

#[test]
fn hover_definition_references_and_rename() {
    let text = "ARG VERSION=1.2\nFROM golang:${VERSION} AS build\nRUN make\nFROM scratch\nCOPY --from=build /out /out\n";
    let mut client = push_client();
    let uri = uri("Dockerfile");
    client.open(&uri, text);
    let hover = client
        .request::<lsp::request::HoverRequest>(lsp::HoverParams {
            text_document_position_params: at(&uri, 1, 15),
            work_done_progress_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    let lsp::HoverContents::Markup(markup) = hover.contents else {
        panic!("markup")
    };
    assert!(markup.value.contains("`1.2`"), "{}", markup.value);
    assert_eq!(
        hover.range,
        Some(lsp::Range::new(position(1, 14), position(1, 21)))
    );

    let definition = client
        .request::<lsp::request::GotoDefinition>(lsp::GotoDefinitionParams {
            text_document_position_params: at(&uri, 4, 13),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let Some(lsp::GotoDefinitionResponse::Scalar(location)) = definition else {
        panic!("{definition:?}")
    };
    assert_eq!(
        location.range,
        lsp::Range::new(position(1, 26), position(1, 31))
    );

    let references = client
        .request::<lsp::request::References>(lsp::ReferenceParams {
            text_document_position: at(&uri, 1, 28),
            context: lsp::ReferenceContext {
                include_declaration: false,
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    assert_eq!(references.len(), 1);
    assert_eq!(references[0].range.start, position(4, 12));

    let prepared = client
        .request::<lsp::request::PrepareRenameRequest>(at(&uri, 0, 5))
        .unwrap();
    assert!(matches!(
        prepared,
        Some(lsp::PrepareRenameResponse::RangeWithPlaceholder { ref placeholder, .. }) if placeholder == "VERSION"
    ));
    let rename = client
        .request::<lsp::request::Rename>(lsp::RenameParams {
            text_document_position: at(&uri, 4, 14),
            new_name: "compile".into(),
            work_done_progress_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    assert_eq!(
        apply_workspace_edit(text, &uri, &rename, true),
        text.replace("build", "compile")
    );
    let invalid = client.request::<lsp::request::Rename>(lsp::RenameParams {
        text_document_position: at(&uri, 4, 14),
        new_name: "2 fast".into(),
        work_done_progress_params: Default::default(),
    });
    assert!(
        invalid
            .unwrap_err()
            .message
            .contains("not a valid stage name")
    );
    client.shutdown();
}

#[test]
fn outline_folding_and_completion() {
    let text = "FROM golang AS build\nRUN go build \\\n  ./...\nFROM scratch\nCOPY --from= /a /a\n";
    let mut client = Client::start(
        json!({"textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": true}}}),
        json!(null),
    );
    let uri = uri("Dockerfile");
    client.open(&uri, text);
    let symbols = client
        .request::<lsp::request::DocumentSymbolRequest>(lsp::DocumentSymbolParams {
            text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let Some(lsp::DocumentSymbolResponse::Nested(symbols)) = symbols else {
        panic!("{symbols:?}")
    };
    let names: Vec<_> = symbols.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["build", "stage 1"]);

    let folds = client
        .request::<lsp::request::FoldingRangeRequest>(lsp::FoldingRangeParams {
            text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    assert!(folds.iter().any(|f| (f.start_line, f.end_line) == (1, 2)));

    let completion = client
        .request::<lsp::request::Completion>(lsp::CompletionParams {
            text_document_position: at(&uri, 4, 12),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: None,
        })
        .unwrap();
    let Some(lsp::CompletionResponse::Array(items)) = completion else {
        panic!("{completion:?}")
    };
    let labels: Vec<_> = items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, vec!["build"]);
    client.shutdown();
}

#[test]
fn formatting_upper_cases_keywords() {
    let text = "from debian:12 AS b  \nrun echo hi\n#  \n";
    let mut client = push_client();
    let uri = uri("Dockerfile");
    client.open(&uri, text);
    let edits = client
        .request::<lsp::request::Formatting>(lsp::DocumentFormattingParams {
            text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
            options: Default::default(),
            work_done_progress_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    let edit = lsp::WorkspaceEdit {
        changes: Some([(uri.clone(), edits)].into_iter().collect()),
        ..Default::default()
    };
    assert_eq!(
        apply_workspace_edit(text, &uri, &edit, true),
        "FROM debian:12 AS b  \nRUN echo hi\n#\n"
    );
    client.shutdown();
}

#[test]
fn errors_are_answered_not_fatal() {
    let mut client = push_client();
    let unknown = client.request::<lsp::request::HoverRequest>(lsp::HoverParams {
        text_document_position_params: at(&uri("not-open"), 0, 0),
        work_done_progress_params: Default::default(),
    });
    assert_eq!(
        unknown.unwrap_err().code,
        lsp_server::ErrorCode::InvalidParams as i32
    );
    let missing = client.request_raw("textDocument/semanticTokens/full", json!({}));
    assert_eq!(
        missing.unwrap_err().code,
        lsp_server::ErrorCode::MethodNotFound as i32
    );
    let bad = client.request_raw("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(
        bad.unwrap_err().code,
        lsp_server::ErrorCode::InvalidParams as i32
    );
    // Positions far outside the text are clamped, not a crash.
    let u = uri("Dockerfile");
    client.open(&u, BAD);
    client.diagnostics(&u, 1);
    for (line, character) in [(0, 9999), (9999, 0), (u32::MAX, u32::MAX)] {
        client
            .request::<lsp::request::HoverRequest>(lsp::HoverParams {
                text_document_position_params: at(&u, line, character),
                work_done_progress_params: Default::default(),
            })
            .unwrap();
    }
    client.change(&u, 2, vec![edit(((9999, 0), (9999, 5)), "RUN x\n")]);
    client.diagnostics(&u, 2);
    client.shutdown();
}

#[test]
fn requests_after_shutdown_are_refused() {
    let mut client = push_client();
    client.request_raw("shutdown", json!(null)).unwrap();
    let refused = client.request_raw("textDocument/hover", json!({}));
    assert_eq!(
        refused.unwrap_err().code,
        lsp_server::ErrorCode::InvalidRequest as i32
    );
    assert_eq!(client.exit_without_shutdown(), plimsoll_lsp::Exit::Clean);
}
