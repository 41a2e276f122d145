//! `WatchEvent<K>`: one line of a watch stream.

use super::Status;
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;
use std::marker::PhantomData;

/// One event of a watch: `{"type":"ADDED","object":{...}}`.
///
/// `ERROR` events carry a [`Status`] instead of an object (a 410 Gone there means the watch's
/// resource version is too old: relist). `BOOKMARK` events carry an object of the kind with only
/// `metadata.resourceVersion` (and annotations) set.
// Real kinds are as large as `Status` or larger, so the variants are balanced in practice;
// boxing would cost an allocation per event on the hot path of every watch.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum WatchEvent<K> {
    /// The object was created (or exists at the start of a watch-list).
    Added(K),
    /// The object was changed.
    Modified(K),
    /// The object was deleted; this is its last state.
    Deleted(K),
    /// A progress marker carrying the current resource version.
    Bookmark(K),
    /// The server reported an error for the watch.
    Error(Status),
}

/// The event types on the wire.
#[derive(Clone, Copy)]
enum EventType {
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}

impl EventType {
    fn parse<E: de::Error>(s: &str) -> Result<Self, E> {
        Ok(match s {
            "ADDED" => EventType::Added,
            "MODIFIED" => EventType::Modified,
            "DELETED" => EventType::Deleted,
            "BOOKMARK" => EventType::Bookmark,
            "ERROR" => EventType::Error,
            other => {
                return Err(E::custom(format_args!(
                    "unknown watch event type {other:?} (expected ADDED, MODIFIED, DELETED, BOOKMARK or ERROR)"
                )))
            }
        })
    }

    fn name(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
            EventType::Bookmark => "BOOKMARK",
            EventType::Error => "ERROR",
        }
    }
}

impl<K> WatchEvent<K> {
    /// The wire name of the event type (`ADDED`, `MODIFIED`, ...).
    pub fn type_name(&self) -> &'static str {
        self.event_type().name()
    }

    fn event_type(&self) -> EventType {
        match self {
            WatchEvent::Added(_) => EventType::Added,
            WatchEvent::Modified(_) => EventType::Modified,
            WatchEvent::Deleted(_) => EventType::Deleted,
            WatchEvent::Bookmark(_) => EventType::Bookmark,
            WatchEvent::Error(_) => EventType::Error,
        }
    }
}

impl<K: Serialize> Serialize for WatchEvent<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("type", self.type_name())?;
        match self {
            WatchEvent::Added(o)
            | WatchEvent::Modified(o)
            | WatchEvent::Deleted(o)
            | WatchEvent::Bookmark(o) => map.serialize_entry("object", o)?,
            WatchEvent::Error(status) => map.serialize_entry("object", status)?,
        }
        map.end()
    }
}

impl<'de, K: DeserializeOwned> Deserialize<'de> for WatchEvent<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EventVisitor(PhantomData))
    }
}

struct EventVisitor<K>(PhantomData<K>);

/// What has been decoded so far. Lives on the stack for one decode only.
#[allow(clippy::large_enum_variant)]
enum Seen<K> {
    Nothing,
    /// `type` came first: the object is decoded straight into its final type.
    Type(EventType),
    /// `object` came first: its text is held until `type` says what it is.
    RawObject(Box<RawValue>),
    Done(WatchEvent<K>),
}

impl<'de, K: DeserializeOwned> Visitor<'de> for EventVisitor<K> {
    type Value = WatchEvent<K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a watch event object with \"type\" and \"object\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WatchEvent<K>, A::Error> {
        let mut seen = Seen::Nothing;
        while let Some(key) = map.next_key::<crate::codec::Key<'de>>()? {
            seen = match (key.as_str(), seen) {
                ("type", Seen::Nothing) => Seen::Type(EventType::parse(
                    map.next_value::<crate::codec::Key<'de>>()?.as_str(),
                )?),
                ("type", Seen::RawObject(raw)) => {
                    let ty =
                        EventType::parse(map.next_value::<crate::codec::Key<'de>>()?.as_str())?;
                    Seen::Done(decode_raw(ty, &raw)?)
                }
                ("object", Seen::Nothing) => Seen::RawObject(map.next_value()?),
                ("object", Seen::Type(ty)) => Seen::Done(decode_object(ty, &mut map)?),
                ("type" | "object", _) => {
                    return Err(de::Error::custom(format_args!(
                        "duplicate watch event field {:?}",
                        key.as_str()
                    )))
                }
                (_, seen) => {
                    map.next_value::<IgnoredAny>()?;
                    seen
                }
            };
        }
        match seen {
            Seen::Done(event) => Ok(event),
            Seen::Nothing | Seen::RawObject(_) => Err(de::Error::missing_field("type")),
            Seen::Type(_) => Err(de::Error::missing_field("object")),
        }
    }
}

fn decode_object<'de, K: DeserializeOwned, A: MapAccess<'de>>(
    ty: EventType,
    map: &mut A,
) -> Result<WatchEvent<K>, A::Error> {
    let event = match ty {
        EventType::Added => WatchEvent::Added(map.next_value()?),
        EventType::Modified => WatchEvent::Modified(map.next_value()?),
        EventType::Deleted => WatchEvent::Deleted(map.next_value()?),
        EventType::Bookmark => WatchEvent::Bookmark(map.next_value()?),
        EventType::Error => WatchEvent::Error(map.next_value()?),
    };
    Ok(event)
}

fn decode_raw<K: DeserializeOwned, E: de::Error>(
    ty: EventType,
    raw: &RawValue,
) -> Result<WatchEvent<K>, E> {
    let text = raw.get();
    let wrap =
        |e: serde_json::Error| E::custom(format_args!("{} watch event object: {e}", ty.name()));
    let event = match ty {
        EventType::Added => WatchEvent::Added(serde_json::from_str(text).map_err(wrap)?),
        EventType::Modified => WatchEvent::Modified(serde_json::from_str(text).map_err(wrap)?),
        EventType::Deleted => WatchEvent::Deleted(serde_json::from_str(text).map_err(wrap)?),
        EventType::Bookmark => WatchEvent::Bookmark(serde_json::from_str(text).map_err(wrap)?),
        EventType::Error => WatchEvent::Error(serde_json::from_str(text).map_err(wrap)?),
    };
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::v1::list::tests::Widget;
    use crate::meta::RawExtension;
    use serde_json::json;

    #[test]
    fn type_first_decodes_object() {
        let e: WatchEvent<Widget> = serde_json::from_str(
            r#"{"type":"MODIFIED","object":{"metadata":{"name":"a"},"size":3}}"#,
        )
        .unwrap();
        match e {
            WatchEvent::Modified(w) => {
                assert_eq!(w.size, 3);
                assert_eq!(w.metadata.name.as_deref(), Some("a"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn object_first_is_decoded_once_type_is_known() {
        let e: WatchEvent<Widget> = serde_json::from_str(
            r#"{"object":{"metadata":{"name":"a"},"size":3},"extra":1,"type":"DELETED"}"#,
        )
        .unwrap();
        assert!(matches!(e, WatchEvent::Deleted(ref w) if w.size == 3));
        let e: WatchEvent<Widget> = serde_json::from_reader(
            r#"{"object":{"code":410,"reason":"Expired","status":"Failure"},"type":"ERROR"}"#
                .as_bytes(),
        )
        .unwrap();
        assert!(matches!(e, WatchEvent::Error(ref s) if s.code == Some(410)));
    }

    #[test]
    fn error_event_carries_status() {
        let e: WatchEvent<Widget> = serde_json::from_str(
            r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure",
               "message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#,
        )
        .unwrap();
        match e {
            WatchEvent::Error(s) => {
                assert_eq!(s.code, Some(410));
                assert_eq!(s.reason.as_deref(), Some("Expired"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bookmark_and_serialization_round_trip() {
        let json =
            json!({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12"},"size":0}});
        let e: WatchEvent<Widget> = serde_json::from_str(&json.to_string()).unwrap();
        assert_eq!(e.type_name(), "BOOKMARK");
        assert_eq!(serde_json::to_value(&e).unwrap(), json);
        let raw: WatchEvent<RawExtension> = serde_json::from_str(&json.to_string()).unwrap();
        assert_eq!(serde_json::to_value(&raw).unwrap(), json);
    }

    #[test]
    fn unknown_type_is_named_in_the_error() {
        for text in [
            r#"{"type":"RENAMED","object":{}}"#,
            r#"{"object":{},"type":"RENAMED"}"#,
        ] {
            let err = serde_json::from_str::<WatchEvent<Widget>>(text)
                .unwrap_err()
                .to_string();
            assert!(err.contains("RENAMED"), "{err}");
        }
    }

    #[test]
    fn missing_parts_are_errors() {
        let err = serde_json::from_str::<WatchEvent<Widget>>(r#"{"type":"ADDED"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("object"), "{err}");
        let err = serde_json::from_str::<WatchEvent<Widget>>(r#"{"object":{}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("type"), "{err}");
        let err =
            serde_json::from_str::<WatchEvent<Widget>>(r#"{"type":"ADDED","object":{"size":"x"}}"#)
                .unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }
}
