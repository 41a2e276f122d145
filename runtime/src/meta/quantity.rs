//! `Quantity`: resource amounts such as `100m` CPU or `1Gi` memory.

use crate::Str;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A resource amount in Kubernetes' quantity notation (`100m`, `1.5`, `1Gi`, `2e3`), kept as the
/// text the server sent.
///
/// Canonicalising and comparing quantities needs Kubernetes' decimal rules; until that exists
/// the text is carried through unchanged, which is what the server expects back. Held as a
/// [`Str`], so the usual short amounts take no allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(pub Str);

impl Quantity {
    /// The quantity's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Quantity {
    fn from(s: &str) -> Self {
        Quantity(s.into())
    }
}

impl From<String> for Quantity {
    fn from(s: String) -> Self {
        Quantity(s.into())
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_transparent_string() {
        let q = Quantity::from("100m");
        assert_eq!(q.as_str(), "100m");
        assert_eq!(serde_json::to_string(&q).unwrap(), r#""100m""#);
        assert_eq!(
            serde_json::from_str::<Quantity>(r#""1Gi""#).unwrap(),
            Quantity::from("1Gi")
        );
    }
}
