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
/// Decoding accepts any RFC 3339 timestamp (any offset, any fraction). The default is the Unix
/// epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub jiff::Timestamp);

/// A point in time with microsecond precision, encoded with exactly six fractional digits
/// (`2024-01-02T03:04:05.123456Z`). Used by events and leases. The default is the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MicroTime(pub jiff::Timestamp);

impl Time {
    /// The current time.
    pub fn now() -> Self {
        Time(jiff::Timestamp::now())
    }
}

impl MicroTime {
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
        s.collect_str(self)
    }
}

impl Serialize for MicroTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
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
/// decodes to the default (epoch), as Go leaves the zero time for `null`.
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
        Ok(jiff::Timestamp::default())
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
    fn default_is_unix_epoch() {
        assert_eq!(Time::default().to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(
            MicroTime::default().to_string(),
            "1970-01-01T00:00:00.000000Z"
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
    fn null_is_the_epoch_like_go_zero_time() {
        let v: Vec<Time> = serde_json::from_str(r#"[null,"2024-01-02T03:04:05Z"]"#).unwrap();
        assert_eq!(v[0], Time::default());
        assert_eq!(
            serde_json::from_str::<MicroTime>("null").unwrap(),
            MicroTime::default()
        );
    }
}
