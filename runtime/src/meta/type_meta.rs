//! `TypeMetaPresence`: whether an embedded object spelled out its `apiVersion` and `kind`.

/// Whether an object of a fixed kind carried `apiVersion`/`kind` when it was decoded.
///
/// Kinds with one group/version/kind write those two keys from constants. Where such a kind is
/// also embedded in another object (a `StatefulSet`'s `volumeClaimTemplates` hold
/// `PersistentVolumeClaim`s), Go leaves them out unless they were given, so the generated type
/// records which it was and writes them back the same way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeMetaPresence {
    /// `apiVersion` and `kind` are written (the default, and what top-level objects need).
    #[default]
    Written,
    /// Neither was in the decoded object; neither is written.
    Omitted,
}

impl TypeMetaPresence {
    /// Whether `apiVersion` and `kind` are written on encode.
    #[inline]
    pub fn is_written(self) -> bool {
        self == TypeMetaPresence::Written
    }
}
