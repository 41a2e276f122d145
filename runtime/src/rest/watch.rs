//! Watch decoding: the server sends a sequence of JSON objects (one per chunk, usually newline
//! separated). A framer finds object boundaries in one linear pass, so an event split over many
//! chunks, or many events in one chunk, cost the same; each frame is then decoded with
//! `serde_json::from_slice`.

use super::error::{excerpt, Error, Result};
use crate::meta::v1::WatchEvent;
use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use std::collections::VecDeque;

/// Splits a byte stream into top-level JSON objects.
#[derive(Debug, Default)]
pub struct JsonFramer {
    buf: BytesMut,
    /// Bytes of `buf` already scanned.
    scanned: usize,
    /// Where the object being scanned starts.
    start: Option<usize>,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

impl JsonFramer {
    /// An empty framer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append `chunk` and return every object it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<Bytes>> {
        self.buf.extend_from_slice(chunk);
        // (start, end) of complete objects; cut out after the scan without copying.
        let mut ranges = Vec::new();
        let mut consumed = 0;
        let mut i = self.scanned;
        while i < self.buf.len() {
            let b = self.buf[i];
            match self.start {
                None => {
                    if b == b'{' {
                        self.start = Some(i);
                        self.depth = 1;
                    } else if !b.is_ascii_whitespace() {
                        return Err(Error::Watch {
                            message: format!(
                                "expected a JSON object, found byte {:?}",
                                char::from(b)
                            ),
                            excerpt: excerpt(&self.buf[i..]),
                        });
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
                }
            }
            i += 1;
        }
        // Split the frames off the shared buffer (no copy) and drop what is framed, so the
        // buffer only ever holds the event in progress.
        let mut frames = Vec::with_capacity(ranges.len());
        let mut offset = 0;
        for (start, end) in ranges {
            self.buf.advance(start - offset);
            frames.push(self.buf.split_to(end - start).freeze());
            offset = end;
        }
        self.buf.advance(consumed - offset);
        self.scanned = self.buf.len();
        if let Some(start) = self.start.as_mut() {
            *start -= consumed;
        }
        Ok(frames)
    }

    /// Called at end of stream: an error if an object was cut off.
    pub fn finish(&self) -> Result<()> {
        if self.buf.iter().all(u8::is_ascii_whitespace) {
            Ok(())
        } else {
            Err(Error::Watch {
                message: format!(
                    "stream ended inside an event ({} bytes pending)",
                    self.buf.len()
                ),
                excerpt: excerpt(&self.buf),
            })
        }
    }
}

/// Decode one framed watch event; an `ERROR` event becomes `Err(Error::Api(status))`.
pub fn decode_event<T: DeserializeOwned>(frame: &[u8]) -> Result<WatchEvent<T>> {
    match serde_json::from_slice::<WatchEvent<T>>(frame) {
        Ok(WatchEvent::Error(status)) => Err(Error::Api(Box::new(status))),
        Ok(event) => Ok(event),
        Err(source) => Err(Error::Decode {
            target: std::any::type_name::<WatchEvent<T>>(),
            excerpt: excerpt(frame),
            source,
        }),
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
                Some(Ok(chunk)) => match st.framer.push(&chunk) {
                    Ok(frames) => st.ready.extend(frames.into_iter().map(Ok)),
                    Err(e) => {
                        st.done = true;
                        st.ready.push_back(Err(e));
                    }
                },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_concatenated_objects_with_tricky_strings() {
        let mut f = JsonFramer::new();
        let input = br#"{"a":"}{\"\\"}{"b":[1,{"c":2}]}
 {"d":1}"#;
        let frames = f.push(input).unwrap_or_default();
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
            let mut frames = f.push(&input[..cut]).unwrap_or_default();
            frames.extend(f.push(&input[cut..]).unwrap_or_default());
            assert_eq!(frames.len(), 2, "cut at {cut}");
            assert!(f.finish().is_ok());
        }
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        let mut f = JsonFramer::new();
        assert!(f.push(b"<html>").is_err());
        let mut f = JsonFramer::new();
        assert!(f.push(br#"{"type":"ADD"#).is_ok_and(|v| v.is_empty()));
        assert!(f.finish().is_err());
    }
}
