//! `textDocument/diagnostic`: pull diagnostics, with a result id so an unchanged document
//! costs nothing to report again.

use super::{Result, document};
use crate::convert;
use crate::session::Session;
use lsp_types as lsp;

pub fn run(
    session: &Session,
    params: lsp::DocumentDiagnosticParams,
) -> Result<lsp::DocumentDiagnosticReportResult> {
    let document = document(session, &params.text_document.uri)?;
    let result_id = format!("{}-{}", document.version, session.generation);
    let report = if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
        lsp::DocumentDiagnosticReport::Unchanged(lsp::RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                result_id,
            },
        })
    } else {
        let analysis = session.analysis(document);
        if let Some(error) = &analysis.internal_error {
            crate::server::log(&format!(
                "internal error while linting {}: {error}",
                document.uri
            ));
        }
        let positions = session.positions(document);
        lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                result_id: Some(result_id),
                items: convert::diagnostics(
                    &analysis.diagnostics,
                    &positions,
                    &session.settings,
                    document.fail_threshold(),
                ),
            },
        })
    };
    Ok(lsp::DocumentDiagnosticReportResult::Report(report))
}
