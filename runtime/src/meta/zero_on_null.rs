//! Go's `encoding/json` leaves a field at its zero value when the JSON says `null`, and API
//! servers do send `null` for nil slices and maps even in required fields. serde's derive would
//! reject that, so required fields route through this helper.

use serde::{Deserialize, Deserializer};

/// `deserialize_with` target for required fields: `null` becomes `T::default()`.
/// Pair it with `#[serde(default)]` so an absent field behaves the same way.
pub(crate) fn zero_on_null<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
