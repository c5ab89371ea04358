//! Standard input and output as a connection. Unlike `lsp_server::Connection::stdio`, the
//! reader queues every message it has read without waiting for the main loop, so the loop
//! sees a whole burst of edits at once and lints only the last one.

use lsp_server::{Connection, Message};
use std::io::{BufReader, Write};
use std::thread::JoinHandle;

pub struct IoThreads {
    writer: JoinHandle<()>,
}

impl IoThreads {
    /// Waits until everything sent has been written. The reader is not waited for: it may
    /// be blocked on a standard input the client never closes.
    pub fn join(self) {
        let _ = self.writer.join();
    }
}

pub fn stdio() -> (Connection, IoThreads) {
    let (reader_sender, receiver) = crossbeam_channel::unbounded::<Message>();
    let (sender, writer_receiver) = crossbeam_channel::unbounded::<Message>();
    std::thread::Builder::new()
        .name("plimsoll-lsp-reader".into())
        .spawn(move || {
            let mut stdin = BufReader::new(std::io::stdin().lock());
            while let Ok(Some(message)) = Message::read(&mut stdin) {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if reader_sender.send(message).is_err() || exit {
                    break;
                }
            }
        })
        .expect("spawning the reader thread");
    let writer = std::thread::Builder::new()
        .name("plimsoll-lsp-writer".into())
        .spawn(move || {
            let mut stdout = std::io::stdout().lock();
            for message in writer_receiver {
                if message.write(&mut stdout).is_err() {
                    break;
                }
            }
            let _ = stdout.flush();
        })
        .expect("spawning the writer thread");
    (Connection { sender, receiver }, IoThreads { writer })
}
