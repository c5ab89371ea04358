//! `workspace/didChangeConfiguration`: take the settings sent, or ask for them when the
//! notification only says that they changed.

use crate::session::{Effect, Session};
use crate::settings::Settings;
use lsp_types as lsp;

pub fn run(session: &mut Session, params: lsp::DidChangeConfigurationParams) {
    match Settings::from_value(&params.settings) {
        Some((settings, warnings)) => session.set_settings(settings, warnings),
        None if session.client.configuration => session.schedule(Effect::FetchConfiguration),
        None => {}
    }
}
