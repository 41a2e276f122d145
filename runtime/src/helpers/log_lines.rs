//! Lines out of a byte stream such as [`crate::client::ResourceClient::log_stream`]'s: chunks
//! are cut anywhere, lines are what a reader wants. A line longer than the limit is handed out
//! in pieces of at most that many bytes (cut at a character boundary), so a log without
//! newlines cannot grow memory without bound.

use crate::rest::{ByteStream, Result};
use bytes::{Buf, BytesMut};
use futures_util::{Stream, StreamExt};
use std::collections::VecDeque;

/// The default longest line: 64 KiB, as Go's `bufio.Scanner`.
pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

/// The lines of `stream`, without their `\n` (and `\r\n`); invalid UTF-8 is replaced. The last
/// line is handed out even without a final newline. A stream error is passed on and ends the
/// lines.
///
/// ```no_run
/// # async fn demo<K: kubeclient_runtime::resource::subresources::Log>(pods: kubeclient_runtime::client::ResourceClient<K>) -> kubeclient_runtime::rest::Result<()> {
/// use futures_util::StreamExt;
/// use kubeclient_runtime::helpers::log_lines::{lines, DEFAULT_MAX_LINE};
/// let opts = kubeclient_runtime::client::LogOptions { follow: true, ..Default::default() };
/// let mut lines = std::pin::pin!(lines(pods.log_stream("web", &opts).await?, DEFAULT_MAX_LINE));
/// while let Some(line) = lines.next().await {
///     println!("{}", line?);
/// }
/// # Ok(()) }
/// ```
pub fn lines(stream: ByteStream, max_line: usize) -> impl Stream<Item = Result<String>> + Send {
    let state = Lines {
        stream: Some(stream),
        buf: BytesMut::new(),
        ready: VecDeque::new(),
        max: max_line.max(4),
    };
    futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(line) = s.ready.pop_front() {
                return Some((Ok(line), s));
            }
            let stream = s.stream.as_mut()?;
            match stream.next().await {
                Some(Ok(chunk)) => s.push(&chunk),
                Some(Err(e)) => {
                    s.stream = None;
                    return Some((Err(e), s));
                }
                None => {
                    s.stream = None;
                    if !s.buf.is_empty() {
                        let rest = s.buf.split();
                        s.ready.push_back(text(&rest));
                    }
                }
            }
        }
    })
}

struct Lines {
    stream: Option<ByteStream>,
    buf: BytesMut,
    ready: VecDeque<String>,
    max: usize,
}

fn text(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

impl Lines {
    fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
        loop {
            if let Some(nl) = self.buf.iter().take(self.max + 1).position(|b| *b == b'\n') {
                let line = self.buf.split_to(nl);
                self.buf.advance(1);
                self.ready.push_back(text(&line));
            } else if self.buf.len() > self.max {
                // Too long: cut before a UTF-8 continuation byte so no character is split.
                let mut cut = self.max;
                while cut > 0 && self.buf[cut] & 0xC0 == 0x80 {
                    cut -= 1;
                }
                let cut = if cut == 0 { self.max } else { cut };
                let piece = self.buf.split_to(cut);
                self.ready
                    .push_back(String::from_utf8_lossy(&piece).into_owned());
            } else {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn stream(chunks: &[&'static [u8]]) -> ByteStream {
        let items: Vec<Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        Box::pin(futures_util::stream::iter(items))
    }

    #[tokio::test]
    async fn chunks_become_lines_and_long_lines_are_cut() {
        let got: Vec<String> = lines(stream(&[b"one\ntw", b"o\r\n", b"\nthree"]), 16)
            .map(|l| l.unwrap())
            .collect()
            .await;
        assert_eq!(got, ["one", "two", "", "three"]);

        // 10 bytes max: "ééééé" is 10 bytes, "éééééé" 12, cut at a character boundary.
        let got: Vec<String> = lines(stream(&["éééééé\nx".as_bytes()]), 10)
            .map(|l| l.unwrap())
            .collect()
            .await;
        assert_eq!(got, ["ééééé", "é", "x"]);
    }
}
