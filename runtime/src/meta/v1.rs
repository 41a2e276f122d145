//! meta/v1 (being written).
/// placeholder
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ObjectMeta {}
