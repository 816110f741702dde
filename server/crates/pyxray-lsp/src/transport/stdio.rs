//! stdin and stdout on threads of their own. tokio's `Stdin` and `Stdout` hand every read and
//! write to its blocking pool, so each message in or out waits for a pool thread to wake; here a
//! reader thread sits in `read` on stdin and feeds an in-memory pipe the message loop reads, and
//! a writer thread takes framed messages straight from the outgoing channel.

use std::io::{Read, Write};
use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio::sync::{mpsc, oneshot};

/// Bytes the pipe from the reader thread holds before the thread waits for the loop to read.
const PIPE_CAPACITY: usize = 1 << 16;

/// Starts both threads: returns the input to read messages from, and a signal that fires once
/// everything sent on the channel behind `out_rx` has been written (the channel is closed). `None`
/// if a thread cannot be started (nothing was started then).
pub(super) fn spawn(out_rx: mpsc::UnboundedReceiver<String>) -> Option<(DuplexStream, oneshot::Receiver<()>)> {
    let handle = tokio::runtime::Handle::try_current().ok()?;
    let (input, mut pipe) = tokio::io::duplex(PIPE_CAPACITY);
    let (written_tx, written_rx) = oneshot::channel();
    // If the reader cannot start after the writer did, the writer ends when the caller drops
    // the channel's sender.
    std::thread::Builder::new()
        .name("pyxray-stdout".into())
        .spawn(move || {
            write_all(std::io::stdout().lock(), out_rx);
            let _ = written_tx.send(());
        })
        .ok()?;
    std::thread::Builder::new()
        .name("pyxray-stdin".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = vec![0u8; PIPE_CAPACITY];
            loop {
                let n = match stdin.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        tracing::error!("reading stdin failed: {e}");
                        break;
                    }
                };
                if handle.block_on(pipe.write_all(&buf[..n])).is_err() {
                    break;
                }
            }
            // Dropping the pipe ends the input: the loop sees the end of the stream.
        })
        .ok()?;
    Some((input, written_rx))
}

/// Writes each message with its header until the channel closes, flushing whenever no other
/// message is waiting. After a failed write the rest is dropped.
fn write_all(mut out: impl Write, mut rx: mpsc::UnboundedReceiver<String>) {
    let mut broken = false;
    while let Some(json) = rx.blocking_recv() {
        if broken {
            continue;
        }
        let result = out.write_all(super::frame(&json).as_bytes()).and_then(|()| match rx.is_empty() {
            true => out.flush(),
            false => Ok(()),
        });
        if let Err(e) = result {
            tracing::error!("writing to the client failed: {e}; dropping further output");
            broken = true;
        }
    }
    let _ = out.flush();
}
