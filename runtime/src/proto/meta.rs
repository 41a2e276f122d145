//! Protobuf for the handwritten apimachinery types, with the field numbers of
//! `k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto` (and `runtime`, `api/resource`,
//! `util/intstr`). The generator checks these numbers against the proto files it reads (see
//! `HANDWRITTEN_FIELDS`), so a renumbering upstream is reported, not silently mis-encoded.

use super::value::{by_value, field, field_go_value, Message, Value};
use super::wire::{DecodeError, Reader, WireType, Writer};
use crate::meta::v1::{
    Condition, DeleteOptions, FieldSelectorRequirement, FieldsV1, GroupResource, LabelSelector,
    LabelSelectorRequirement, List, ListMeta, ManagedFieldsEntry, MicroTime, ObjectMeta,
    OwnerReference, Preconditions, RawWatchEvent, Status, StatusCause, StatusDetails, Time,
};
use crate::meta::{IntOrString, Quantity, RawExtension};

/// A handwritten struct as a message: fields in ascending number order. A field marked `value`
/// is one Go holds by value in an `Option` here: written even when absent (as Go writes its
/// zero value) and read back as `None` when zero (as Go's JSON leaves it out).
macro_rules! message {
    ($ty:ty { $($num:literal => $f:ident : $name:literal $($value:ident)?),* $(,)? }) => {
        message!($ty { $($num => $f: $name $($value)?),* } fn set_type_meta(&mut self, _: &str, _: &str) {});
    };
    ($ty:ty { $($num:literal => $f:ident : $name:literal $($value:ident)?),* $(,)? } $set:item) => {
        impl Message for $ty {
            $set
            fn encode_fields(&self, w: &mut Writer) {
                $( encode_field!(self.$f, $num, w $(, $value)?); )*
            }
            fn merge_field(
                &mut self,
                number: u32,
                wire: WireType,
                r: &mut Reader<'_>,
            ) -> Result<(), DecodeError> {
                match number {
                    $( $num => merge_field!(self.$f, wire, r, $name $(, $value)?), )*
                    _ => r.skip(wire),
                }
            }
        }
    };
}

macro_rules! encode_field {
    ($v:expr, $num:literal, $w:ident) => {
        $v.encode_value($num, $w)
    };
    ($v:expr, $num:literal, $w:ident, value) => {
        by_value(&$v, $num, $w)
    };
}

macro_rules! merge_field {
    ($v:expr, $wire:ident, $r:ident, $name:literal) => {
        field(&mut $v, $wire, $r, $name)
    };
    ($v:expr, $wire:ident, $r:ident, $name:literal, value) => {
        field_go_value(&mut $v, $wire, $r, $name)
    };
}

/// (proto message, [(JSON name, field number)]) of every struct below, for the generator's
/// check against `generated.proto`.
pub const HANDWRITTEN_FIELDS: &[(&str, &[(&str, u32)])] = &[
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        &[
            ("name", 1),
            ("generateName", 2),
            ("namespace", 3),
            ("selfLink", 4),
            ("uid", 5),
            ("resourceVersion", 6),
            ("generation", 7),
            ("creationTimestamp", 8),
            ("deletionTimestamp", 9),
            ("deletionGracePeriodSeconds", 10),
            ("labels", 11),
            ("annotations", 12),
            ("ownerReferences", 13),
            ("finalizers", 14),
            ("managedFields", 17),
        ],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
        &[
            ("manager", 1),
            ("operation", 2),
            ("apiVersion", 3),
            ("time", 4),
            ("fieldsType", 6),
            ("fieldsV1", 7),
            ("subresource", 8),
        ],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference",
        &[
            ("kind", 1),
            ("name", 3),
            ("uid", 4),
            ("apiVersion", 5),
            ("controller", 6),
            ("blockOwnerDeletion", 7),
        ],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta",
        &[
            ("selfLink", 1),
            ("resourceVersion", 2),
            ("continue", 3),
            ("remainingItemCount", 4),
        ],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector",
        &[("matchLabels", 1), ("matchExpressions", 2)],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        &[("key", 1), ("operator", 2), ("values", 3)],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement",
        &[("key", 1), ("operator", 2), ("values", 3)],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.Condition",
        &[
            ("type", 1),
            ("status", 2),
            ("observedGeneration", 3),
            ("lastTransitionTime", 4),
            ("reason", 5),
            ("message", 6),
        ],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.Status",
        &[
            ("metadata", 1),
            ("status", 2),
            ("message", 3),
            ("reason", 4),
            ("details", 5),
            ("code", 6),
        ],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.StatusDetails",
        &[
            ("name", 1),
            ("group", 2),
            ("kind", 3),
            ("causes", 4),
            ("retryAfterSeconds", 5),
            ("uid", 6),
        ],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.StatusCause",
        &[("reason", 1), ("message", 2), ("field", 3)],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
        &[
            ("gracePeriodSeconds", 1),
            ("preconditions", 2),
            ("orphanDependents", 3),
            ("propagationPolicy", 4),
            ("dryRun", 5),
            ("ignoreStoreReadErrorWithClusterBreakingPotential", 6),
        ],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.Preconditions",
        &[("uid", 1), ("resourceVersion", 2)],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.GroupResource",
        &[("group", 1), ("resource", 2)],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent",
        &[("type", 1), ("object", 2)],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.Time",
        &[("seconds", 1), ("nanos", 2)],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime",
        &[("seconds", 1), ("nanos", 2)],
    ),
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1",
        &[("Raw", 1)],
    ),
    (
        "k8s.io.apimachinery.pkg.runtime.RawExtension",
        &[("raw", 1)],
    ),
    (
        "k8s.io.apimachinery.pkg.api.resource.Quantity",
        &[("string", 1)],
    ),
    (
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString",
        &[("type", 1), ("intVal", 2), ("strVal", 3)],
    ),
];

message!(ObjectMeta {
    1 => name: "name" value,
    2 => generate_name: "generateName" value,
    3 => namespace: "namespace" value,
    4 => self_link: "selfLink" value,
    5 => uid: "uid" value,
    6 => resource_version: "resourceVersion" value,
    7 => generation: "generation" value,
    8 => creation_timestamp: "creationTimestamp" value,
    9 => deletion_timestamp: "deletionTimestamp",
    10 => deletion_grace_period_seconds: "deletionGracePeriodSeconds",
    11 => labels: "labels",
    12 => annotations: "annotations",
    13 => owner_references: "ownerReferences",
    14 => finalizers: "finalizers",
    17 => managed_fields: "managedFields",
});

message!(ManagedFieldsEntry {
    1 => manager: "manager" value,
    2 => operation: "operation" value,
    3 => api_version: "apiVersion" value,
    4 => time: "time",
    6 => fields_type: "fieldsType" value,
    7 => fields_v1: "fieldsV1",
    8 => subresource: "subresource" value,
});

message!(OwnerReference {
    1 => kind: "kind",
    3 => name: "name",
    4 => uid: "uid",
    5 => api_version: "apiVersion",
    6 => controller: "controller",
    7 => block_owner_deletion: "blockOwnerDeletion",
});

message!(ListMeta {
    1 => self_link: "selfLink" value,
    2 => resource_version: "resourceVersion" value,
    3 => continue_: "continue" value,
    4 => remaining_item_count: "remainingItemCount",
});

message!(LabelSelector {
    1 => match_labels: "matchLabels",
    2 => match_expressions: "matchExpressions",
});

message!(LabelSelectorRequirement {
    1 => key: "key",
    2 => operator: "operator",
    3 => values: "values",
});

message!(FieldSelectorRequirement {
    1 => key: "key",
    2 => operator: "operator",
    3 => values: "values",
});

message!(Condition {
    1 => type_: "type",
    2 => status: "status",
    3 => observed_generation: "observedGeneration" value,
    4 => last_transition_time: "lastTransitionTime",
    5 => reason: "reason",
    6 => message: "message",
});

message!(Status {
    1 => metadata: "metadata" value,
    2 => status: "status" value,
    3 => message: "message" value,
    4 => reason: "reason" value,
    5 => details: "details",
    6 => code: "code" value,
} fn set_type_meta(&mut self, api_version: &str, kind: &str) {
    set_type_meta(&mut self.api_version, &mut self.kind, api_version, kind);
});

message!(StatusDetails {
    1 => name: "name" value,
    2 => group: "group" value,
    3 => kind: "kind" value,
    4 => causes: "causes",
    5 => retry_after_seconds: "retryAfterSeconds" value,
    6 => uid: "uid" value,
});

message!(StatusCause {
    1 => reason: "reason" value,
    2 => message: "message" value,
    3 => field: "field" value,
});

message!(DeleteOptions {
    1 => grace_period_seconds: "gracePeriodSeconds",
    2 => preconditions: "preconditions",
    3 => orphan_dependents: "orphanDependents",
    4 => propagation_policy: "propagationPolicy",
    5 => dry_run: "dryRun",
    6 => ignore_store_read_error_with_cluster_breaking_potential:
        "ignoreStoreReadErrorWithClusterBreakingPotential",
} fn set_type_meta(&mut self, api_version: &str, kind: &str) {
    set_type_meta(&mut self.api_version, &mut self.kind, api_version, kind);
});

/// The envelope's type, kept in a type's own `apiVersion`/`kind` fields when it names one.
fn set_type_meta(
    own_version: &mut Option<String>,
    own_kind: &mut Option<String>,
    api_version: &str,
    kind: &str,
) {
    if !api_version.is_empty() {
        *own_version = Some(api_version.to_owned());
    }
    if !kind.is_empty() {
        *own_kind = Some(kind.to_owned());
    }
}

message!(Preconditions {
    1 => uid: "uid",
    2 => resource_version: "resourceVersion",
});

message!(GroupResource {
    1 => group: "group",
    2 => resource: "resource",
});

message!(RawWatchEvent {
    1 => type_: "type",
    2 => object: "object",
});

/// `List<K>`: every `FooList` of Kubernetes is `{ ListMeta metadata = 1; repeated Foo items = 2; }`
/// (the generator checks each one).
impl<K: Value + Default> Message for List<K> {
    fn encode_fields(&self, w: &mut Writer) {
        self.metadata.encode_value(1, w);
        self.items.encode_value(2, w);
    }
    fn merge_field(
        &mut self,
        number: u32,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError> {
        match number {
            1 => field(&mut self.metadata, wire, r, "metadata"),
            2 => field(&mut self.items, wire, r, "items"),
            _ => r.skip(wire),
        }
    }
}

/// Read `{ int64 seconds = 1; int32 nanos = 2; }`; an empty message is Go's zero time.
fn merge_timestamp(
    wire: WireType,
    r: &mut Reader<'_>,
    micros: bool,
) -> Result<jiff::Timestamp, DecodeError> {
    r.expect(wire, WireType::LengthDelimited)?;
    let mut inner = r.nested()?;
    if inner.is_empty() {
        return Ok(Time::ZERO.0);
    }
    let (mut seconds, mut nanos) = (0i64, 0i32);
    while !inner.is_empty() {
        match inner.key()? {
            (1, wire) => seconds.merge_value(wire, &mut inner)?,
            (2, wire) => nanos.merge_value(wire, &mut inner)?,
            (_, wire) => inner.skip(wire)?,
        }
    }
    // Time keeps whole seconds (as Go's Time.Unmarshal), MicroTime whole microseconds.
    let nanos = if micros { nanos - nanos % 1000 } else { 0 };
    jiff::Timestamp::from_nanosecond(i128::from(seconds) * 1_000_000_000 + i128::from(nanos))
        .map_err(|e| DecodeError::new(format!("time out of range: {e}")))
}

/// Go's `t.Unix()` and `t.Nanosecond()`: seconds floored, nanoseconds in [0, 1e9).
fn go_unix(t: jiff::Timestamp) -> (i64, i32) {
    let (s, n) = (t.as_second(), t.subsec_nanosecond());
    if n < 0 {
        (s - 1, n + 1_000_000_000)
    } else {
        (s, n)
    }
}

/// Write `{ int64 seconds = 1; int32 nanos = 2; }` (both always, as Go does); Go's zero time
/// is an empty message.
fn encode_timestamp(t: jiff::Timestamp, zero: bool, micros: bool, number: u32, w: &mut Writer) {
    w.nested(number, |w| {
        if zero {
            return;
        }
        let (seconds, nanos) = go_unix(t);
        // Time drops the fraction (Go's Time.ProtoTime), MicroTime keeps microseconds.
        let nanos = if micros { nanos - nanos % 1000 } else { 0 };
        seconds.encode_value(1, w);
        nanos.encode_value(2, w);
    });
}

impl Value for Time {
    fn encode_value(&self, number: u32, w: &mut Writer) {
        encode_timestamp(self.0, self.is_zero(), false, number, w);
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        self.0 = merge_timestamp(wire, r, false)?;
        Ok(())
    }
}

impl Value for MicroTime {
    fn encode_value(&self, number: u32, w: &mut Writer) {
        encode_timestamp(self.0, self.is_zero(), true, number, w);
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        self.0 = merge_timestamp(wire, r, true)?;
        Ok(())
    }
}

impl Value for Quantity {
    fn encode_value(&self, number: u32, w: &mut Writer) {
        w.nested(number, |w| self.0.encode_value(1, w));
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::LengthDelimited)?;
        let mut inner = r.nested()?;
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => self.0.merge_value(wire, &mut inner)?,
                (_, wire) => inner.skip(wire)?,
            }
        }
        Ok(())
    }
}

impl Value for IntOrString {
    fn encode_value(&self, number: u32, w: &mut Writer) {
        // Go writes all three fields: type (0 int, 1 string), intVal, strVal.
        w.nested(number, |w| match self {
            IntOrString::Int(i) => {
                0i64.encode_value(1, w);
                i.encode_value(2, w);
                w.bytes_field(3, b"");
            }
            IntOrString::String(s) => {
                1i64.encode_value(1, w);
                0i32.encode_value(2, w);
                s.encode_value(3, w);
            }
        });
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::LengthDelimited)?;
        let mut inner = r.nested()?;
        let (mut kind, mut int, mut string) = (0i64, 0i32, String::new());
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => kind.merge_value(wire, &mut inner)?,
                (2, wire) => int.merge_value(wire, &mut inner)?,
                (3, wire) => string.merge_value(wire, &mut inner)?,
                (_, wire) => inner.skip(wire)?,
            }
        }
        *self = match kind {
            0 => IntOrString::Int(int),
            1 => IntOrString::String(string),
            other => {
                return Err(DecodeError::new(format!(
                    "IntOrString type {other} is neither 0 (int) nor 1 (string)"
                )))
            }
        };
        Ok(())
    }
}

impl Value for RawExtension {
    fn encode_value(&self, number: u32, w: &mut Writer) {
        super::codec::encode_raw_json(&self.0, number, w);
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        super::codec::merge_raw_json(&mut self.0, wire, r)
    }
}

impl Value for FieldsV1 {
    fn encode_value(&self, number: u32, w: &mut Writer) {
        w.nested(number, |w| w.bytes_field(1, self.as_str().as_bytes()));
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::LengthDelimited)?;
        let mut inner = r.nested()?;
        while !inner.is_empty() {
            match inner.key()? {
                (1, WireType::LengthDelimited) => {
                    // As Go, the text is checked to be JSON only when written as JSON.
                    let text = super::value::utf8(inner.bytes()?, "FieldsV1")?;
                    *self = FieldsV1::from_unchecked_text(text);
                }
                (_, wire) => inner.skip(wire)?,
            }
        }
        Ok(())
    }
}
