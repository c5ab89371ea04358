//! Ctrl-C: the binary installs a handler that only sets a flag; builds and runs check it
//! between steps and while waiting for a sandbox, stop, and clean up on the way out.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

fn flag() -> &'static Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// Makes SIGINT and SIGTERM set the flag instead of killing the process.
pub fn install() -> std::io::Result<()> {
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(flag()))?;
    }
    Ok(())
}

pub fn requested() -> bool {
    flag().load(Ordering::SeqCst)
}

/// Sets the flag (tests, and callers that stop a build on their own).
pub fn request() {
    flag().store(true, Ordering::SeqCst);
}

/// Clears the flag (a long-running caller that goes on after an interrupted build).
pub fn reset() {
    flag().store(false, Ordering::SeqCst);
}
