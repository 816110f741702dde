//! Reading `Content-Length`-framed messages from a byte stream without ever giving up on it.
//! tower-lsp's own codec ends the whole stream at the first malformed header or body (its
//! `FramedRead` stops after an error), so one stray byte from a client would kill the server.
//! This reader reports garbage and skips to the next `Content-Length` header instead.

use std::io;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Headers longer than this are not headers.
const MAX_HEADER: usize = 8 * 1024;
/// Bodies larger than this are refused (the header is treated as garbage).
pub(crate) const MAX_BODY: usize = 512 * 1024 * 1024;
const MARKER: &[u8] = b"content-length";

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame {
    /// A message body, exactly `Content-Length` bytes (not yet known to be JSON).
    Message(Vec<u8>),
    /// Bytes that were not a message and were skipped.
    Garbage { skipped: usize, reason: String },
}

pub(crate) struct FrameReader<R> {
    reader: R,
    buf: Vec<u8>,
    eof: bool,
}

enum Header {
    Complete { header_len: usize, body_len: usize },
    Incomplete,
    Invalid { skip: usize, reason: String },
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(reader: R) -> Self {
        FrameReader { reader, buf: Vec::with_capacity(64 * 1024), eof: false }
    }

    /// The next frame, or `None` at the end of the stream.
    pub async fn next(&mut self) -> io::Result<Option<Frame>> {
        loop {
            // Blank lines between messages are tolerated silently.
            let blank = self.buf.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            self.buf.drain(..blank);
            match parse_header(&self.buf) {
                Header::Complete { header_len, body_len } => {
                    let total = header_len + body_len;
                    if self.buf.len() < total {
                        self.buf.reserve(total - self.buf.len());
                    }
                    while self.buf.len() < total {
                        if !self.fill().await? {
                            let skipped = self.buf.len();
                            self.buf.clear();
                            let reason = format!("stream ended inside a message body ({skipped} of {total} bytes)");
                            return Ok(Some(Frame::Garbage { skipped, reason }));
                        }
                    }
                    let body = self.buf[header_len..total].to_vec();
                    self.buf.drain(..total);
                    return Ok(Some(Frame::Message(body)));
                }
                Header::Invalid { skip, reason } => {
                    self.buf.drain(..skip);
                    return Ok(Some(Frame::Garbage { skipped: skip, reason }));
                }
                Header::Incomplete => {
                    if !self.fill().await? {
                        if self.buf.is_empty() {
                            return Ok(None);
                        }
                        let skipped = self.buf.len();
                        self.buf.clear();
                        return Ok(Some(Frame::Garbage { skipped, reason: "stream ended inside a header".into() }));
                    }
                }
            }
        }
    }

    /// Reads more bytes; false at the end of the stream.
    async fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.buf.capacity() - self.buf.len() < 16 * 1024 {
            self.buf.reserve(64 * 1024);
        }
        let n = self.reader.read_buf(&mut self.buf).await?;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }
}

fn parse_header(buf: &[u8]) -> Header {
    let Some(end) = find(buf, b"\r\n\r\n") else {
        if buf.len() >= MAX_HEADER {
            return invalid(buf, "no end of header within 8 KiB".into());
        }
        return Header::Incomplete;
    };
    if end > MAX_HEADER {
        return invalid(buf, "header longer than 8 KiB".into());
    }
    let mut body_len = None;
    for line in buf[..end].split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            return invalid(buf, format!("not a header line: {:?}", String::from_utf8_lossy(line)));
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-') {
            return invalid(buf, format!("not a header line: {:?}", String::from_utf8_lossy(line)));
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            let value = String::from_utf8_lossy(value);
            match value.trim().parse::<usize>() {
                Ok(n) if n <= MAX_BODY => body_len = Some(n),
                Ok(n) => return invalid(buf, format!("Content-Length {n} is larger than {MAX_BODY}")),
                Err(_) => return invalid(buf, format!("invalid Content-Length {:?}", value.trim())),
            }
        }
    }
    match body_len {
        Some(body_len) => Header::Complete { header_len: end + 4, body_len },
        None => invalid(buf, "header without Content-Length".into()),
    }
}

/// Garbage at the start of `buf`: skip to the next `Content-Length` after the first byte, or, if
/// there is none, to the end, keeping a tail that could be the start of one.
fn invalid(buf: &[u8], reason: String) -> Header {
    let skip = match find_marker(&buf[1..]) {
        Some(at) => at + 1,
        None => buf.len().saturating_sub(MARKER.len() - 1).max(1),
    };
    Header::Invalid { skip, reason }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_marker(haystack: &[u8]) -> Option<usize> {
    haystack.windows(MARKER.len()).position(|w| w.eq_ignore_ascii_case(MARKER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let mut reader = FrameReader::new(input);
            let mut out = Vec::new();
            while let Some(frame) = reader.next().await.unwrap() {
                out.push(frame);
            }
            out
        })
    }

    fn msg(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{}", body.len(), body)
    }

    fn bodies(frames: &[Frame]) -> Vec<&[u8]> {
        frames
            .iter()
            .filter_map(|f| match f {
                Frame::Message(b) => Some(b.as_slice()),
                Frame::Garbage { .. } => None,
            })
            .collect()
    }

    #[test]
    fn well_formed_messages() {
        let input = format!(
            "{}\r\n{}Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n{}",
            msg("{}"),
            msg("[1]"),
            msg("é")
        );
        let f = frames(input.as_bytes());
        assert_eq!(bodies(&f), [b"{}".as_slice(), b"[1]", "é".as_bytes()]);
        assert_eq!(f.len(), 3);
    }

    #[test]
    fn garbage_is_skipped_up_to_the_next_header() {
        let input = format!("hello there\r\n\r\n{}Content-Length: x\r\n\r\n{}garbage", msg("{\"a\":1}"), msg("{}"));
        let f = frames(input.as_bytes());
        assert_eq!(bodies(&f), [b"{\"a\":1}".as_slice(), b"{}"]);
        assert!(f.iter().filter(|x| matches!(x, Frame::Garbage { .. })).count() >= 2, "{f:?}");
    }

    #[test]
    fn garbage_without_terminator_before_a_message() {
        let input = format!("\x00\x01 junk junk {}", msg("{}"));
        assert_eq!(bodies(&frames(input.as_bytes())), [b"{}".as_slice()]);
        let input = format!("Content-Length: 99999999999999999999\r\n\r\n{}", msg("{}"));
        assert_eq!(bodies(&frames(input.as_bytes())), [b"{}".as_slice()]);
        let input = format!("Foo: bar\r\n\r\n{}", msg("{}"));
        assert_eq!(bodies(&frames(input.as_bytes())), [b"{}".as_slice()]);
    }

    #[test]
    fn truncated_stream_ends_cleanly() {
        let f = frames(b"Content-Length: 10\r\n\r\n{}");
        assert!(matches!(f.as_slice(), [Frame::Garbage { .. }]));
        assert!(frames(b"").is_empty());
    }
}
