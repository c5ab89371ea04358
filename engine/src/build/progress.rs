//! What a build reports as it goes. The engine emits [`Event`]s; the binary draws them (a
//! live display on a terminal, plain lines otherwise).

use crate::sandbox::Stream;
use std::time::Duration;

#[derive(Debug)]
pub enum Event<'a> {
    /// The build starts: this many steps in the stages that will be built.
    Start {
        steps: usize,
    },
    /// Step `number` of `total` starts.
    Step {
        number: usize,
        total: usize,
        stage: &'a str,
        text: &'a str,
    },
    /// Output of the running step (a whole line, or a partial one at the end).
    Output {
        number: usize,
        stream: Stream,
        line: &'a [u8],
    },
    /// Step `number` finished.
    StepDone {
        number: usize,
        elapsed: Duration,
        cached: bool,
    },
    Warning(&'a str),
    /// The image was written.
    Done {
        manifest: &'a str,
        config: &'a str,
        elapsed: Duration,
    },
}

pub trait Progress {
    fn event(&mut self, event: Event<'_>);
}

/// Discards everything.
pub struct Silent;

impl Progress for Silent {
    fn event(&mut self, _event: Event<'_>) {}
}
