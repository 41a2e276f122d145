//! `Time` and `MicroTime`: timestamps with the exact text forms the API server uses.
//!
//! Go's `metav1.Time` marshals RFC 3339 truncated to whole seconds and `metav1.MicroTime` with
//! exactly six fractional digits; matching them byte for byte keeps server-side apply and
//! resourceVersion-free comparisons stable.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point in time, encoded as RFC 3339 in UTC at second precision (`2024-01-02T03:04:05Z`).
///
/// Decoding accepts any RFC 3339 timestamp (any offset, any fraction). The default is Go's zero
/// time ([`Time::ZERO`], 0001-01-01T00:00:00Z), which is written as `null` and read from it, as
/// Go's `metav1.Time` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub jiff::Timestamp);

/// A point in time with microsecond precision, encoded with exactly six fractional digits
/// (`2024-01-02T03:04:05.123456Z`). Used by events and leases. The default is Go's zero time
/// ([`MicroTime::ZERO`]), written as `null`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MicroTime(pub jiff::Timestamp);

/// Go's zero `time.Time`: 0001-01-01T00:00:00Z.
const GO_ZERO: jiff::Timestamp = jiff::Timestamp::constant(-62_135_596_800, 0);

impl Default for Time {
    fn default() -> Self {
        Time::ZERO
    }
}

impl Default for MicroTime {
    fn default() -> Self {
        MicroTime::ZERO
    }
}

impl Time {
    /// Go's zero time, which the API server writes as `null` (an unset required timestamp, a
    /// `null` in a map of times).
    pub const ZERO: Time = Time(GO_ZERO);

    /// Whether this is [`Time::ZERO`].
    pub fn is_zero(&self) -> bool {
        self.0 == GO_ZERO
    }

    /// The current time.
    pub fn now() -> Self {
        Time(jiff::Timestamp::now())
    }
}

impl MicroTime {
    /// Go's zero time, written as `null`.
    pub const ZERO: MicroTime = MicroTime(GO_ZERO);

    /// Whether this is [`MicroTime::ZERO`].
    pub fn is_zero(&self) -> bool {
        self.0 == GO_ZERO
    }

    /// The current time.
    pub fn now() -> Self {
        MicroTime(jiff::Timestamp::now())
    }
}

impl From<jiff::Timestamp> for Time {
    fn from(t: jiff::Timestamp) -> Self {
        Time(t)
    }
}

impl From<jiff::Timestamp> for MicroTime {
    fn from(t: jiff::Timestamp) -> Self {
        MicroTime(t)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Precision 0 drops the fraction of the civil time (a floor, like Go's Format).
        write!(f, "{:.0}", self.0)
    }
}

impl fmt::Display for MicroTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}", self.0)
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_zero() {
            return s.serialize_none();
        }
        s.collect_str(self)
    }
}

impl Serialize for MicroTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_zero() {
            return s.serialize_none();
        }
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TimestampVisitor("Time")).map(Time)
    }
}

impl<'de> Deserialize<'de> for MicroTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TimestampVisitor("MicroTime"))
            .map(MicroTime)
    }
}

/// Parses an RFC 3339 string; the `&'static str` names the type for error messages. `null`
/// decodes to Go's zero time, as Go does.
struct TimestampVisitor(&'static str);

impl Visitor<'_> for TimestampVisitor {
    type Value = jiff::Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an RFC 3339 timestamp string for {}", self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<jiff::Timestamp, E> {
        v.parse::<jiff::Timestamp>().map_err(|e| {
            E::custom(format_args!(
                "{}: {v:?} is not an RFC 3339 timestamp: {e}",
                self.0
            ))
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<jiff::Timestamp, E> {
        Ok(GO_ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn time_encodes_whole_seconds_in_utc() {
        let t = Time(ts("2024-01-02T03:04:05.987654321Z"));
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2024-01-02T03:04:05Z""#
        );
        let t: Time = serde_json::from_str(r#""2024-01-02T05:04:05+02:00""#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2024-01-02T03:04:05Z""#
        );
    }

    #[test]
    fn time_before_epoch_with_fraction_floors() {
        let t = Time(ts("1969-12-31T23:59:59.5Z"));
        assert_eq!(t.to_string(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn micro_time_has_exactly_six_digits() {
        let t: MicroTime = serde_json::from_str(r#""2024-01-02T03:04:05.123456789Z""#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2024-01-02T03:04:05.123456Z""#
        );
        let t = MicroTime(ts("2024-01-02T03:04:05Z"));
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2024-01-02T03:04:05.000000Z""#
        );
    }

    #[test]
    fn default_is_go_zero_time_written_as_null() {
        assert_eq!(Time::default().to_string(), "0001-01-01T00:00:00Z");
        assert_eq!(serde_json::to_string(&Time::default()).unwrap(), "null");
        assert_eq!(serde_json::to_string(&MicroTime::ZERO).unwrap(), "null");
        // The epoch is a real instant, not Go's zero.
        let epoch = Time(jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(
            serde_json::to_string(&epoch).unwrap(),
            r#""1970-01-01T00:00:00Z""#
        );
    }

    #[test]
    fn bad_input_names_the_value_and_type() {
        let err = serde_json::from_str::<Time>(r#""yesterday""#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"yesterday\"") && err.contains("Time"),
            "{err}"
        );
        let err = serde_json::from_str::<MicroTime>(r#""2024-01-02T03:04:05""#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("2024-01-02T03:04:05") && err.contains("MicroTime"),
            "{err}"
        );
        assert!(serde_json::from_str::<Time>("12").is_err());
    }

    #[test]
    fn decodes_rfc3339_variants() {
        for (input, want) in [
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
            ("2024-01-02t03:04:05z", "2024-01-02T03:04:05Z"),
            ("2024-01-02T08:34:05.5+05:30", "2024-01-02T03:04:05Z"),
            ("2024-01-01T22:04:05-05:00", "2024-01-02T03:04:05Z"),
            ("2024-01-02T03:04:05.000000001Z", "2024-01-02T03:04:05Z"),
        ] {
            let t: Time = serde_json::from_str(&format!("{input:?}"))
                .unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(t.to_string(), want, "{input}");
        }
    }

    #[test]
    fn null_is_go_zero_time() {
        let v: Vec<Time> = serde_json::from_str(r#"[null,"2024-01-02T03:04:05Z"]"#).unwrap();
        assert_eq!(v[0], Time::default());
        assert_eq!(
            serde_json::from_str::<MicroTime>("null").unwrap(),
            MicroTime::default()
        );
    }
}
