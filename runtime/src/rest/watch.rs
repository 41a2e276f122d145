//! Watch decoding: the server sends a sequence of JSON objects (one per chunk, usually newline
//! separated). A framer finds object boundaries in one linear pass, so an event split over many
//! chunks, or many events in one chunk, cost the same; each frame is then decoded with
//! [`crate::codec::from_json_bytes`].

use super::error::{decode_error, Error, Result};
use crate::meta::v1::WatchEvent;
use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use std::collections::VecDeque;

/// Largest watch event accepted: client-go's streaming decoder gives up on an object longer
/// than 16 MiB (apimachinery `streaming.NewDecoder`, `ErrObjectTooLarge`), as we do.
pub const MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

/// What one chunk completed.
#[derive(Debug, Default)]
pub struct Framed {
    /// Complete objects, in stream order.
    pub frames: Vec<Bytes>,
    /// The framing error that follows them, if any: the stream cannot be read further.
    pub error: Option<Error>,
}

/// Splits a byte stream into top-level JSON objects.
#[derive(Debug)]
pub struct JsonFramer {
    buf: BytesMut,
    /// Bytes of `buf` already scanned.
    scanned: usize,
    /// Where the object being scanned starts.
    start: Option<usize>,
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Stream offset of `buf[0]`, for error positions.
    offset: u64,
    /// Longest object accepted.
    max_event: usize,
    /// Set after a framing error: nothing more is read.
    failed: bool,
}

impl Default for JsonFramer {
    fn default() -> Self {
        Self::with_max_event(MAX_EVENT_BYTES)
    }
}

impl JsonFramer {
    /// An empty framer accepting objects up to [`MAX_EVENT_BYTES`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty framer accepting objects up to `max_event` bytes.
    pub fn with_max_event(max_event: usize) -> Self {
        JsonFramer {
            buf: BytesMut::new(),
            scanned: 0,
            start: None,
            depth: 0,
            in_string: false,
            escaped: false,
            offset: 0,
            max_event,
            failed: false,
        }
    }

    /// Append `chunk` and return every object it completes, then the framing error that
    /// follows them, if any (complete events before garbage are still delivered).
    pub fn push(&mut self, chunk: &[u8]) -> Framed {
        if self.failed {
            return Framed::default();
        }
        self.buf.extend_from_slice(chunk);
        // (start, end) of complete objects; cut out after the scan without copying.
        let mut ranges = Vec::new();
        let mut consumed = 0;
        let mut error = None;
        let mut i = self.scanned;
        while i < self.buf.len() {
            let b = self.buf[i];
            match self.start {
                None => {
                    if b == b'{' {
                        self.start = Some(i);
                        self.depth = 1;
                    } else if !b.is_ascii_whitespace() {
                        // Name the byte's class only: the stream may carry a Secret.
                        error = Some(Error::Watch {
                            message: format!(
                                "expected a JSON object at byte {} of the stream, found {}",
                                self.offset + i as u64,
                                byte_class(b)
                            ),
                        });
                        break;
                    } else {
                        consumed = i + 1;
                    }
                }
                Some(start) => {
                    if self.in_string {
                        if self.escaped {
                            self.escaped = false;
                        } else if b == b'\\' {
                            self.escaped = true;
                        } else if b == b'"' {
                            self.in_string = false;
                        }
                    } else {
                        match b {
                            b'"' => self.in_string = true,
                            b'{' | b'[' => self.depth += 1,
                            b'}' | b']' => {
                                self.depth = self.depth.saturating_sub(1);
                                if self.depth == 0 {
                                    ranges.push((start, i + 1));
                                    self.start = None;
                                    consumed = i + 1;
                                }
                            }
                            _ => {}
                        }
                    }
                    if self.start.is_some() && i + 1 - start > self.max_event {
                        error = Some(Error::Watch {
                            message: format!(
                                "event starting at byte {} of the stream exceeds the maximum \
                                 watch event size of {} bytes",
                                self.offset + start as u64,
                                self.max_event
                            ),
                        });
                        break;
                    }
                }
            }
            i += 1;
        }
        // Split the frames off the shared buffer (no copy) and drop what is framed, so the
        // buffer only ever holds the event in progress.
        let mut frames = Vec::with_capacity(ranges.len());
        let mut cut = 0;
        for (start, end) in ranges {
            self.buf.advance(start - cut);
            frames.push(self.buf.split_to(end - start).freeze());
            cut = end;
        }
        if error.is_some() {
            self.failed = true;
            self.buf = BytesMut::new();
            self.start = None;
            return Framed { frames, error };
        }
        self.buf.advance(consumed - cut);
        self.offset += consumed as u64;
        self.scanned = self.buf.len();
        if let Some(start) = self.start.as_mut() {
            *start -= consumed;
        }
        Framed { frames, error }
    }

    /// Called at end of stream: an error if an object was cut off.
    pub fn finish(&self) -> Result<()> {
        if self.failed || self.buf.iter().all(u8::is_ascii_whitespace) {
            Ok(())
        } else {
            Err(Error::Watch {
                message: format!(
                    "stream ended inside an event ({} bytes pending from byte {})",
                    self.buf.len(),
                    self.offset
                ),
            })
        }
    }
}

/// A byte described without showing it (letters and digits may belong to a secret).
fn byte_class(b: u8) -> String {
    match b {
        b'<' | b'[' | b']' | b'}' | b'"' | b',' | b':' => format!("{:?}", char::from(b)),
        b if b.is_ascii_alphanumeric() => "a letter or digit".into(),
        b if b.is_ascii() => "an ASCII symbol or control byte".into(),
        _ => "a non-ASCII byte".into(),
    }
}

/// Decode one framed watch event; an `ERROR` event becomes `Err(Error::Api(status))`.
pub fn decode_event<T: DeserializeOwned>(frame: &[u8]) -> Result<WatchEvent<T>> {
    match crate::codec::from_json_bytes::<WatchEvent<T>>(frame) {
        Ok(WatchEvent::Error(status)) => Err(Error::Api(Box::new(status))),
        Ok(event) => Ok(event),
        Err(e) => Err(decode_error(
            std::any::type_name::<WatchEvent<T>>(),
            frame,
            &e,
        )),
    }
}

/// Turn a body byte stream into watch events. The stream ends after the first framing or
/// transport error, and cleanly when the server closes the response.
pub fn decode_stream<T, S>(body: S) -> impl Stream<Item = Result<WatchEvent<T>>> + Send + 'static
where
    T: DeserializeOwned + Send + 'static,
    S: Stream<Item = Result<Bytes>> + Send + 'static,
{
    struct State<S> {
        body: std::pin::Pin<Box<S>>,
        framer: JsonFramer,
        ready: VecDeque<Result<Bytes>>,
        done: bool,
    }
    let state = State {
        body: Box::pin(body),
        framer: JsonFramer::new(),
        ready: VecDeque::new(),
        done: false,
    };
    futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.ready.pop_front() {
                let event = item.and_then(|frame| decode_event::<T>(&frame));
                return Some((event, st));
            }
            if st.done {
                return None;
            }
            match st.body.next().await {
                Some(Ok(chunk)) => {
                    let framed = st.framer.push(&chunk);
                    st.ready.extend(framed.frames.into_iter().map(Ok));
                    if let Some(e) = framed.error {
                        st.done = true;
                        st.ready.push_back(Err(e));
                    }
                }
                Some(Err(e)) => {
                    st.done = true;
                    st.ready.push_back(Err(e));
                }
                None => {
                    st.done = true;
                    if let Err(e) = st.framer.finish() {
                        st.ready.push_back(Err(e));
                    }
                }
            }
        }
    })
}

/// One protobuf watch frame (a `WatchEvent` message whose object is enveloped) as an event;
/// an `ERROR` event's `Status` becomes an error, as with JSON.
pub fn decode_protobuf_event<T>(
    frame: &[u8],
    proto: fn(&[u8]) -> std::result::Result<T, crate::proto::DecodeError>,
) -> Result<WatchEvent<T>> {
    let failed = |e: crate::proto::DecodeError| Error::Protobuf {
        target: std::any::type_name::<WatchEvent<T>>(),
        source: e,
    };
    let (kind, raw) = crate::proto::envelope::decode_watch_event(frame).map_err(failed)?;
    let object = |raw: &[u8]| proto(raw).map_err(failed);
    Ok(match kind.as_str() {
        "ADDED" => WatchEvent::Added(object(&raw)?),
        "MODIFIED" => WatchEvent::Modified(object(&raw)?),
        "DELETED" => WatchEvent::Deleted(object(&raw)?),
        "BOOKMARK" => WatchEvent::Bookmark(object(&raw)?),
        "ERROR" => {
            let status = crate::proto::decode_status(&raw).map_err(failed)?;
            return Err(Error::Api(Box::new(status)));
        }
        other => {
            return Err(Error::Watch {
                message: format!("unknown watch event type {other:?}"),
            })
        }
    })
}

/// Events of a protobuf watch: 4-byte big-endian lengths, each followed by a `WatchEvent`
/// message; a frame over [`MAX_EVENT_BYTES`] ends the stream with an error.
pub fn decode_protobuf_stream<T, S>(
    body: S,
    proto: fn(&[u8]) -> std::result::Result<T, crate::proto::DecodeError>,
) -> impl Stream<Item = Result<WatchEvent<T>>> + Send + 'static
where
    T: Send + 'static,
    S: Stream<Item = Result<Bytes>> + Send + 'static,
{
    struct State<S> {
        body: std::pin::Pin<Box<S>>,
        buf: BytesMut,
        done: bool,
    }
    let state = State {
        body: Box::pin(body),
        buf: BytesMut::new(),
        done: false,
    };
    futures_util::stream::unfold(state, move |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            match crate::proto::envelope::take_frame(&mut st.buf) {
                Ok(Some(frame)) => return Some((decode_protobuf_event(&frame, proto), st)),
                Ok(None) => {}
                Err(e) => {
                    st.done = true;
                    return Some((
                        Err(Error::Watch {
                            message: e.message().to_owned(),
                        }),
                        st,
                    ));
                }
            }
            match st.body.next().await {
                Some(Ok(chunk)) => st.buf.extend_from_slice(&chunk),
                Some(Err(e)) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
                None => {
                    st.done = true;
                    if !st.buf.is_empty() {
                        let message = format!(
                            "stream ended inside a protobuf frame ({} bytes pending)",
                            st.buf.len()
                        );
                        return Some((Err(Error::Watch { message }), st));
                    }
                    return None;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_concatenated_objects_with_tricky_strings() {
        let mut f = JsonFramer::new();
        let input = br#"{"a":"}{\"\\"}{"b":[1,{"c":2}]}
 {"d":1}"#;
        let frames = f.push(input).frames;
        assert_eq!(frames.len(), 3);
        assert_eq!(&frames[0][..], br#"{"a":"}{\"\\"}"#);
        assert!(f.finish().is_ok());
    }

    #[test]
    fn every_split_point_gives_the_same_frames() {
        let input = br#"{"type":"ADDED","object":{"x":"a\"}b"}}
{"type":"DELETED","object":{"y":[{}]}}
"#;
        for cut in 0..=input.len() {
            let mut f = JsonFramer::new();
            let mut frames = f.push(&input[..cut]).frames;
            frames.extend(f.push(&input[cut..]).frames);
            assert_eq!(frames.len(), 2, "cut at {cut}");
            assert!(f.finish().is_ok());
        }
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        let mut f = JsonFramer::new();
        assert!(f.push(b"<html>").error.is_some());
        let mut f = JsonFramer::new();
        let framed = f.push(br#"{"type":"ADD"#);
        assert!(framed.frames.is_empty() && framed.error.is_none());
        assert!(f.finish().is_err());
    }

    #[test]
    fn events_before_garbage_in_one_chunk_are_kept() {
        let mut f = JsonFramer::new();
        let framed = f.push(b"{\"a\":1}\n{\"b\":2}\nsecretgarbage{\"c\":3}");
        assert_eq!(framed.frames.len(), 2);
        let err = framed.error.map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("byte 16") && !err.contains("secret"), "{err}");
        // Nothing after the error is framed.
        assert!(f.push(b"{\"d\":4}").frames.is_empty());
    }

    #[test]
    fn oversized_event_is_an_error_without_buffering_it() {
        let mut f = JsonFramer::with_max_event(64);
        let framed = f.push(b"{\"ok\":1}");
        assert_eq!(framed.frames.len(), 1);
        let mut err = None;
        for _ in 0..10 {
            let framed = f.push(&[b'{', b'"', b'x', b'"', b':', b'"'][..]);
            err = err.or(framed.error);
            let framed = f.push(&[b'a'; 32]);
            err = err.or(framed.error);
        }
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg.contains("maximum watch event size of 64 bytes"),
            "{msg}"
        );
        assert!(f.buf.capacity() < 1024);
    }
}
