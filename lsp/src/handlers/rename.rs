//! `textDocument/prepareRename` and `textDocument/rename` for stage names and ARG/ENV
//! variables: every definition and use of the same stage or variable, nothing else.

use super::{Error, Result, document};
use crate::convert;
use crate::session::Session;
use crate::symbols::{self, Occurrence, Target, VarId};
use lsp_types as lsp;
use plimsoll_analyzer::Dockerfile;

pub fn prepare(
    session: &Session,
    params: lsp::TextDocumentPositionParams,
) -> Result<Option<lsp::PrepareRenameResponse>> {
    let document = document(session, &params.text_document.uri)?;
    let file = &session.analysis(document).file;
    let positions = session.positions(document);
    let occurrences = symbols::occurrences(file);
    let Some(occurrence) = symbols::at(&occurrences, positions.offset(params.position)) else {
        return Ok(None);
    };
    check_renamable(file, &occurrences, occurrence)?;
    Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
        range: positions.range(occurrence.span),
        placeholder: occurrence.span.text(&file.text).to_string(),
    }))
}

pub fn run(session: &Session, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
    let at = &params.text_document_position;
    let document = document(session, &at.text_document.uri)?;
    let file = &session.analysis(document).file;
    let positions = session.positions(document);
    let occurrences = symbols::occurrences(file);
    let Some(occurrence) = symbols::at(&occurrences, positions.offset(at.position)) else {
        return Ok(None);
    };
    check_renamable(file, &occurrences, occurrence)?;
    let new_name = params.new_name.trim();
    check_new_name(file, &occurrences, &occurrence.target, new_name)?;
    let edits = occurrences
        .iter()
        .filter(|o| o.target == occurrence.target && o.renamable)
        .map(|o| lsp::TextEdit::new(positions.range(o.span), new_name.to_string()))
        .collect();
    Ok(Some(convert::workspace_edit(
        &document.uri,
        document.version,
        edits,
        session.client.document_changes,
    )))
}

fn check_renamable(file: &Dockerfile, all: &[Occurrence], occurrence: &Occurrence) -> Result<()> {
    match &occurrence.target {
        Target::Variable {
            id: VarId::Predefined,
            name,
        } => {
            return Err(Error::request_failed(format!(
                "`{name}` is a build argument BuildKit predefines; it can not be renamed"
            )));
        }
        Target::Variable {
            id: VarId::Undefined,
            name,
        } => {
            return Err(Error::request_failed(format!(
                "`{name}` is not defined by an ARG or ENV in this file"
            )));
        }
        Target::Stage(index) if file.stages.get(*index).is_none_or(|s| s.name.is_none()) => {
            return Err(Error::request_failed(
                "this stage has no name; add `AS name` to its FROM first",
            ));
        }
        _ => {}
    }
    if !occurrence.renamable {
        return Err(Error::request_failed(
            "rename at the name itself, not at a numeric or computed reference",
        ));
    }
    // A use spelled through a variable (`COPY --from=$STAGE`) would silently break.
    if let Some(computed) = all.iter().find(|o| {
        o.target == occurrence.target
            && !o.renamable
            && !o.span.text(&file.text).chars().all(|c| c.is_ascii_digit())
    }) {
        return Err(Error::request_failed(format!(
            "line {} refers to it through `{}`; rename by hand",
            file.line_col(computed.span.start).line,
            computed.span.text(&file.text)
        )));
    }
    Ok(())
}

fn check_new_name(
    file: &Dockerfile,
    all: &[Occurrence],
    target: &Target,
    new_name: &str,
) -> Result<()> {
    match target {
        Target::Stage(index) => {
            if !symbols::valid_stage_name(new_name) {
                return Err(Error::invalid_params(format!(
                    "`{new_name}` is not a valid stage name (a letter, then letters, digits, \
                     `-`, `_` or `.`)"
                )));
            }
            let key = new_name.to_ascii_lowercase();
            if file
                .stages
                .iter()
                .any(|s| s.index != *index && s.key().as_deref() == Some(key.as_str()))
            {
                return Err(Error::request_failed(format!(
                    "a stage named `{new_name}` already exists"
                )));
            }
        }
        Target::Variable { name, .. } => {
            if !symbols::valid_variable_name(new_name) {
                return Err(Error::invalid_params(format!(
                    "`{new_name}` is not a valid variable name"
                )));
            }
            let taken = all.iter().any(|o| {
                matches!(&o.target, Target::Variable { name: other, .. }
                    if other == new_name && other != name)
            });
            if taken {
                return Err(Error::request_failed(format!(
                    "`{new_name}` is already used in this file; renaming would merge two variables"
                )));
            }
        }
    }
    Ok(())
}
