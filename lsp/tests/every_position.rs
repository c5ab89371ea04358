//! Every position-based request at every position of awkward documents: no request may hit
//! an internal error (a caught panic), and every range returned must lie inside the text
//! on character boundaries.

mod common;

use common::*;
use lsp_types as lsp;
use serde_json::{Value, json};

const DOCUMENTS: &[&str] = &[
    "",
    "\n\n",
    "FROM",
    "FROM debian:12 AS build\nRUN apt-get install -y é😀 \\\n  curl\nCOPY --from=build /a /b\n",
    "ARG A=1\r\nFROM x:$A AS s\r\nENV B=${A:-2} C=$B\r\nRUN echo $B $C\r\n",
    "# escape=`\nFROM a\nRUN echo `\n  hi\n",
    "FROM a\nRUN <<EOF\necho $HOME é\nEOF\nCOPY <<'X' /x\n$Y\nX\n",
    "FROM a AS b\nONBUILD RUN apt-get install curl\nHEALTHCHECK --interval=5s CMD [\"true\"]\nFROM b\nRUN --mount=type=cache,from=b,target=/c x\n",
    "  from   a\n\trun\tx \\\n\n# c\n  y\nUNKNOWN z\nCOPY\nENV\nARG\n",
    "FROM ${\nRUN $\nCOPY --from= --\nENV =\nLABEL \"é\"=😀\n",
];

fn requests(uri: &lsp::Url, position: lsp::Position) -> Vec<(&'static str, Value)> {
    let at = json!({"textDocument": {"uri": uri}, "position": position});
    let range = json!({"start": position, "end": position});
    vec![
        ("textDocument/hover", at.clone()),
        ("textDocument/definition", at.clone()),
        ("textDocument/documentHighlight", at.clone()),
        ("textDocument/prepareRename", at.clone()),
        ("textDocument/completion", at.clone()),
        (
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": position, "context": {"includeDeclaration": true}}),
        ),
        (
            "textDocument/rename",
            json!({"textDocument": {"uri": uri}, "position": position, "newName": "renamed"}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
        ),
    ]
}

/// Every `range` object in a JSON value.
fn ranges(value: &Value, out: &mut Vec<lsp::Range>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if matches!(key.as_str(), "range" | "selectionRange")
                    && let Ok(r) = serde_json::from_value::<lsp::Range>(v.clone())
                {
                    out.push(r);
                }
                ranges(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| ranges(v, out)),
        _ => {}
    }
}

fn check_range(text: &str, range: lsp::Range, utf16: bool, context: &str) {
    let lines: Vec<&str> = text.split('\n').collect();
    for p in [range.start, range.end] {
        let line = lines
            .get(p.line as usize)
            .unwrap_or_else(|| panic!("{context}: line {} past the end", p.line));
        let units: u32 = line
            .trim_end_matches('\r')
            .chars()
            .map(|c| if utf16 { c.len_utf16() } else { c.len_utf8() } as u32)
            .sum();
        assert!(p.character <= units, "{context}: {p:?} past the line end");
        // On a character boundary.
        let mut seen = 0;
        for c in line.chars() {
            if seen >= p.character {
                break;
            }
            seen += if utf16 { c.len_utf16() } else { c.len_utf8() } as u32;
        }
        assert!(
            seen == p.character || p.character == units,
            "{context}: {p:?} inside a character"
        );
    }
    assert!(range.start <= range.end, "{context}: reversed {range:?}");
}

#[test]
fn no_request_fails_at_any_position() {
    for (encoding, utf16) in [("utf-16", true), ("utf-8", false)] {
        let mut client = Client::start(
            json!({
                "general": {"positionEncodings": [encoding]},
                "textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": true}}
            }),
            json!(null),
        );
        for (index, text) in DOCUMENTS.iter().enumerate() {
            let uri = uri(&format!("doc{index}/Dockerfile"));
            client.open(&uri, text);
            let published = client.diagnostics(&uri, 1);
            let mut found = Vec::new();
            ranges(&serde_json::to_value(&published).unwrap(), &mut found);
            for method in [
                "textDocument/documentSymbol",
                "textDocument/foldingRange",
                "textDocument/formatting",
            ] {
                let result = client
                    .request_raw(method, json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}))
                    .unwrap_or_else(|e| panic!("{method} on doc {index}: {e:?}"));
                ranges(&result, &mut found);
            }
            for (line_number, line) in text.split('\n').enumerate() {
                let mut character = 0u32;
                let mut columns = vec![0];
                for c in line.chars() {
                    character += if utf16 { c.len_utf16() } else { c.len_utf8() } as u32;
                    columns.push(character);
                }
                columns.push(character + 3); // past the end of the line
                for column in columns {
                    let position = lsp::Position::new(line_number as u32, column);
                    for (method, params) in requests(&uri, position) {
                        match client.request_raw(method, params) {
                            Ok(result) => ranges(&result, &mut found),
                            Err(e) => assert_ne!(
                                e.code,
                                lsp_server::ErrorCode::InternalError as i32,
                                "{method} at {position:?} of doc {index} ({encoding}): {}",
                                e.message
                            ),
                        }
                    }
                }
            }
            for range in found {
                check_range(text, range, utf16, &format!("doc {index} ({encoding})"));
            }
        }
        client.shutdown();
    }
}
