//! SPDY/3.1 frames, as far as Kubernetes' streaming protocols use them (moby/spdystream's
//! subset): streams opened with `SYN_STREAM` and answered with `SYN_REPLY`, `DATA` with a FIN
//! flag, `RST_STREAM`, `PING`, `GOAWAY`; `SETTINGS`, `WINDOW_UPDATE` and unknown control
//! frames are read and ignored. Header blocks are zlib streams primed with the SPDY dictionary,
//! one stream per direction for the whole connection.
//!
//! The peer is untrusted: a frame's length is at most 2^24 - 1 by its encoding, and a header
//! block may not inflate to more than [`MAX_HEADER_BYTES`] or hold more than [`MAX_HEADERS`]
//! pairs.

use super::dictionary::dictionary;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Most bytes a header block may inflate to.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Most name/value pairs in a header block.
pub const MAX_HEADERS: usize = 256;
/// The FIN flag: the sender's half of the stream is done.
pub const FLAG_FIN: u8 = 0x01;

const VERSION: u16 = 3;
const SYN_STREAM: u16 = 1;
const SYN_REPLY: u16 = 2;
const RST_STREAM: u16 = 3;
const PING: u16 = 6;
const GOAWAY: u16 = 7;
const HEADERS: u16 = 8;

/// Header name/value pairs (names lowercase, as SPDY requires).
pub type Headers = Vec<(String, String)>;

/// A frame read from the peer.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A new stream.
    SynStream {
        /// Stream id (odd: opened by the client).
        stream_id: u32,
        /// Flags (FIN, unidirectional).
        flags: u8,
        /// Its headers.
        headers: Headers,
    },
    /// More headers for a stream.
    Headers {
        /// Stream id.
        stream_id: u32,
        /// The headers.
        headers: Headers,
    },
    /// Data on a stream.
    Data {
        /// Stream id.
        stream_id: u32,
        /// Flags (FIN).
        flags: u8,
        /// The bytes.
        data: Vec<u8>,
    },
    /// The peer aborted a stream.
    RstStream {
        /// Stream id.
        stream_id: u32,
    },
    /// A ping to echo.
    Ping {
        /// Its id.
        id: u32,
    },
    /// The peer ends the session.
    GoAway,
    /// A frame that needs no action here (SETTINGS, WINDOW_UPDATE, SYN_REPLY, unknown).
    Ignored,
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

fn u32_at(b: &[u8], at: usize) -> io::Result<u32> {
    b.get(at..at + 4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| invalid("SPDY frame shorter than its fields"))
}

/// Reads frames from the peer, inflating header blocks with the connection's zlib stream.
pub struct Reader<R> {
    io: R,
    inflate: Decompress,
}

impl<R: AsyncRead + Unpin> Reader<R> {
    /// Read frames from `io`.
    pub fn new(io: R) -> Self {
        Reader {
            io,
            inflate: Decompress::new(true),
        }
    }

    /// The next frame, or `None` at a clean end of the connection between frames.
    pub async fn next(&mut self) -> io::Result<Option<Frame>> {
        let mut head = [0u8; 8];
        match self.io.read_exact(&mut head).await {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let flags = head[4];
        let len = usize::from(head[5]) << 16 | usize::from(head[6]) << 8 | usize::from(head[7]);
        let mut body = vec![0u8; len];
        self.io.read_exact(&mut body).await?;
        if head[0] & 0x80 == 0 {
            let stream_id = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
            return Ok(Some(Frame::Data {
                stream_id,
                flags,
                data: body,
            }));
        }
        let version = u16::from_be_bytes([head[0] & 0x7f, head[1]]);
        if version != VERSION {
            return Err(invalid(format!("SPDY version {version}, expected 3")));
        }
        let stream_id = || u32_at(&body, 0).map(|id| id & 0x7fff_ffff);
        Ok(Some(match u16::from_be_bytes([head[2], head[3]]) {
            SYN_STREAM => {
                let block = body.get(10..).ok_or_else(|| invalid("short SYN_STREAM"))?;
                Frame::SynStream {
                    stream_id: stream_id()?,
                    flags,
                    headers: self.headers(block)?,
                }
            }
            HEADERS => {
                let block = body.get(4..).ok_or_else(|| invalid("short HEADERS"))?;
                Frame::Headers {
                    stream_id: stream_id()?,
                    headers: self.headers(block)?,
                }
            }
            SYN_REPLY => {
                // Keep the zlib stream in step even though a server gets no replies.
                let block = body.get(4..).ok_or_else(|| invalid("short SYN_REPLY"))?;
                self.headers(block)?;
                Frame::Ignored
            }
            RST_STREAM => Frame::RstStream {
                stream_id: stream_id()?,
            },
            PING => Frame::Ping {
                id: u32_at(&body, 0)?,
            },
            GOAWAY => Frame::GoAway,
            _ => Frame::Ignored,
        }))
    }

    fn headers(&mut self, block: &[u8]) -> io::Result<Headers> {
        let raw = self.inflate_block(block)?;
        let count = u32_at(&raw, 0)? as usize;
        if count > MAX_HEADERS {
            return Err(invalid(format!(
                "{count} SPDY headers, at most {MAX_HEADERS}"
            )));
        }
        let mut at = 4;
        let text = |at: &mut usize| -> io::Result<String> {
            let len = u32_at(&raw, *at)? as usize;
            let bytes = raw
                .get(*at + 4..*at + 4 + len)
                .ok_or_else(|| invalid("SPDY header longer than its block"))?;
            *at += 4 + len;
            String::from_utf8(bytes.to_vec()).map_err(|_| invalid("SPDY header is not UTF-8"))
        };
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let name = text(&mut at)?;
            let value = text(&mut at)?;
            out.push((name.to_ascii_lowercase(), value));
        }
        Ok(out)
    }

    /// Inflate one header block (it ends with a sync flush), priming the dictionary when the
    /// stream asks for it.
    fn inflate_block(&mut self, block: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(1024);
        let mut consumed = 0usize;
        loop {
            if out.capacity() - out.len() < 512 {
                out.reserve(4096);
            }
            let (in_before, out_before) = (self.inflate.total_in(), out.len());
            let input = block.get(consumed..).unwrap_or_default();
            let result = self
                .inflate
                .decompress_vec(input, &mut out, FlushDecompress::Sync);
            consumed += (self.inflate.total_in() - in_before) as usize;
            match result {
                Ok(_) => {}
                Err(e) if e.needs_dictionary().is_some() => {
                    self.inflate
                        .set_dictionary(&dictionary())
                        .map_err(|e| invalid(format!("SPDY header dictionary: {e}")))?;
                    continue;
                }
                Err(e) => return Err(invalid(format!("SPDY header block: {e}"))),
            }
            if out.len() > MAX_HEADER_BYTES {
                return Err(invalid("SPDY header block inflates past its limit"));
            }
            // Done once all input is in and nothing is pending (output room was left over, or
            // another call made no progress).
            let stuck = self.inflate.total_in() == in_before && out.len() == out_before;
            if consumed >= block.len() && (out.capacity() > out.len() || stuck) {
                return Ok(out);
            }
            if stuck {
                return Err(invalid("SPDY header block is truncated"));
            }
        }
    }
}

/// Writes frames to the peer, deflating header blocks with the connection's zlib stream.
pub struct Writer<W> {
    io: W,
    deflate: Compress,
}

impl<W: AsyncWrite + Unpin> Writer<W> {
    /// Write frames to `io`.
    pub fn new(io: W) -> io::Result<Self> {
        let mut deflate = Compress::new(Compression::default(), true);
        deflate
            .set_dictionary(&dictionary())
            .map_err(|e| invalid(format!("SPDY header dictionary: {e}")))?;
        Ok(Writer { io, deflate })
    }

    /// Answer the peer's `SYN_STREAM` (no headers needed by Kubernetes' protocols).
    pub async fn syn_reply(&mut self, stream_id: u32, fin: bool) -> io::Result<()> {
        let block = self.header_block(&[])?;
        let mut body = stream_id.to_be_bytes().to_vec();
        body.extend_from_slice(&block);
        self.control(SYN_REPLY, if fin { FLAG_FIN } else { 0 }, &body)
            .await
    }

    /// Data on a stream; `fin` ends the server's half of it.
    pub async fn data(&mut self, stream_id: u32, data: &[u8], fin: bool) -> io::Result<()> {
        let mut frame = (stream_id & 0x7fff_ffff).to_be_bytes().to_vec();
        frame.push(if fin { FLAG_FIN } else { 0 });
        frame.extend_from_slice(&length(data.len())?);
        frame.extend_from_slice(data);
        self.io.write_all(&frame).await?;
        self.io.flush().await
    }

    /// Echo a ping.
    pub async fn ping(&mut self, id: u32) -> io::Result<()> {
        self.control(PING, 0, &id.to_be_bytes()).await
    }

    /// Abort a stream (status 1: protocol error; 5: cancel).
    pub async fn rst_stream(&mut self, stream_id: u32, status: u32) -> io::Result<()> {
        let mut body = stream_id.to_be_bytes().to_vec();
        body.extend_from_slice(&status.to_be_bytes());
        self.control(RST_STREAM, 0, &body).await
    }

    /// Shut the connection's write side down.
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.io.shutdown().await
    }

    async fn control(&mut self, kind: u16, flags: u8, body: &[u8]) -> io::Result<()> {
        let mut frame = (0x8000 | VERSION).to_be_bytes().to_vec();
        frame.extend_from_slice(&kind.to_be_bytes());
        frame.push(flags);
        frame.extend_from_slice(&length(body.len())?);
        frame.extend_from_slice(body);
        self.io.write_all(&frame).await?;
        self.io.flush().await
    }

    fn header_block(&mut self, headers: &[(&str, &str)]) -> io::Result<Vec<u8>> {
        let mut raw = (headers.len() as u32).to_be_bytes().to_vec();
        for (name, value) in headers {
            for s in [name, value] {
                raw.extend_from_slice(&(s.len() as u32).to_be_bytes());
                raw.extend_from_slice(s.as_bytes());
            }
        }
        let mut out = Vec::with_capacity(raw.len() + 64);
        let before = self.deflate.total_in();
        loop {
            out.reserve(256);
            let done = (self.deflate.total_in() - before) as usize;
            let input = raw.get(done..).unwrap_or_default();
            self.deflate
                .compress_vec(input, &mut out, FlushCompress::Sync)
                .map_err(|e| invalid(format!("SPDY header block: {e}")))?;
            let all_in = (self.deflate.total_in() - before) as usize >= raw.len();
            if all_in && out.capacity() > out.len() {
                return Ok(out);
            }
        }
    }
}

/// A frame length as its 3 bytes.
fn length(len: usize) -> io::Result<[u8; 3]> {
    if len >= 1 << 24 {
        return Err(invalid("SPDY frame longer than 2^24 - 1 bytes"));
    }
    Ok([(len >> 16) as u8, (len >> 8) as u8, len as u8])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client's SYN_STREAM, written the way spdystream does (its own zlib stream, primed).
    fn syn_stream(deflate: &mut Compress, stream_id: u32, headers: &[(&str, &str)]) -> Vec<u8> {
        let mut raw = (headers.len() as u32).to_be_bytes().to_vec();
        for (n, v) in headers {
            for s in [n, v] {
                raw.extend_from_slice(&(s.len() as u32).to_be_bytes());
                raw.extend_from_slice(s.as_bytes());
            }
        }
        let mut block = Vec::with_capacity(4096);
        deflate
            .compress_vec(&raw, &mut block, FlushCompress::Sync)
            .unwrap();
        let mut body = stream_id.to_be_bytes().to_vec();
        body.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        body.extend_from_slice(&block);
        let mut frame = vec![0x80, 0x03, 0x00, 0x01, 0x00];
        frame.extend_from_slice(&length(body.len()).unwrap());
        frame.extend_from_slice(&body);
        frame
    }

    #[tokio::test]
    async fn reads_streams_headers_data_and_pings() {
        let mut deflate = Compress::new(Compression::default(), true);
        deflate.set_dictionary(&dictionary()).unwrap();
        let mut wire = syn_stream(
            &mut deflate,
            1,
            &[("streamtype", "error"), ("port", "80"), ("requestid", "0")],
        );
        // The second block reuses the first one's zlib state, as on a real connection.
        wire.extend(syn_stream(&mut deflate, 3, &[("streamtype", "data")]));
        wire.extend_from_slice(&[0, 0, 0, 3, FLAG_FIN, 0, 0, 2, b'h', b'i']);
        wire.extend_from_slice(&[0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 9]);
        let mut r = Reader::new(&wire[..]);
        let Some(Frame::SynStream {
            stream_id: 1,
            headers,
            ..
        }) = r.next().await.unwrap()
        else {
            panic!("first frame")
        };
        assert_eq!(headers[1], ("port".into(), "80".into()));
        let Some(Frame::SynStream {
            stream_id: 3,
            headers,
            ..
        }) = r.next().await.unwrap()
        else {
            panic!("second frame")
        };
        assert_eq!(headers, [("streamtype".to_owned(), "data".to_owned())]);
        assert_eq!(
            r.next().await.unwrap(),
            Some(Frame::Data {
                stream_id: 3,
                flags: FLAG_FIN,
                data: b"hi".to_vec()
            })
        );
        assert_eq!(r.next().await.unwrap(), Some(Frame::Ping { id: 9 }));
        assert_eq!(r.next().await.unwrap(), None);
    }

    #[tokio::test]
    async fn replies_inflate_with_the_dictionary() {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out).unwrap();
        w.syn_reply(1, false).await.unwrap();
        w.syn_reply(3, true).await.unwrap();
        // Our own reader (a client's view) reads them back.
        let mut r = Reader::new(&out[..]);
        assert_eq!(r.next().await.unwrap(), Some(Frame::Ignored));
        assert_eq!(r.next().await.unwrap(), Some(Frame::Ignored));
        assert_eq!(r.next().await.unwrap(), None);
    }

    #[tokio::test]
    async fn hostile_frames_are_errors() {
        // A header block that is not zlib.
        let wire = [
            0x80, 3, 0, 1, 0, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4,
        ];
        assert!(Reader::new(&wire[..]).next().await.is_err());
        // Another SPDY version.
        let wire = [0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1];
        assert!(Reader::new(&wire[..]).next().await.is_err());
        // A frame cut short.
        let wire = [0, 0, 0, 1, 0, 0, 0, 9, 1];
        assert!(Reader::new(&wire[..]).next().await.is_err());
        // A header count past the limit.
        let mut deflate = Compress::new(Compression::default(), true);
        deflate.set_dictionary(&dictionary()).unwrap();
        let mut raw = 100_000u32.to_be_bytes().to_vec();
        raw.extend_from_slice(&[0; 64]);
        let mut block = Vec::with_capacity(4096);
        deflate
            .compress_vec(&raw, &mut block, FlushCompress::Sync)
            .unwrap();
        let mut body = 1u32.to_be_bytes().to_vec();
        body.extend_from_slice(&[0; 6]);
        body.extend_from_slice(&block);
        let mut wire = vec![0x80, 3, 0, 1, 0];
        wire.extend_from_slice(&length(body.len()).unwrap());
        wire.extend_from_slice(&body);
        let err = Reader::new(&wire[..]).next().await.unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
    }
}
