//! `RawExtension`: an embedded object of any kind.

use serde::{Deserialize, Serialize};

/// An embedded object whose kind is not known statically (e.g. `ControllerRevision.data`, the
/// object of a generic watch event). Held as a JSON value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawExtension(pub serde_json::Value);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_transparent() {
        let r: RawExtension = serde_json::from_str(r#"{"kind":"Pod","spec":{}}"#).unwrap();
        assert_eq!(r.0["kind"], "Pod");
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"kind":"Pod","spec":{}}"#
        );
    }
}
