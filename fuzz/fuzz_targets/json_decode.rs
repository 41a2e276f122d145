//! JSON decoding of generated types: any input decodes or fails cleanly, and what decodes
//! re-encodes to JSON that decodes to the same value.
#![no_main]

use kubeclient::api::apps::v1::Deployment;
use kubeclient::api::core::v1::{Pod, Secret};
use libfuzzer_sys::fuzz_target;

fn round_trip<T>(data: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let Ok(value) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let _ = format!("{value:?}");
    let Ok(text) = serde_json::to_vec(&value) else {
        return;
    };
    let again: T = match serde_json::from_slice(&text) {
        Ok(v) => v,
        Err(e) => panic!("re-encoded value does not decode: {e}"),
    };
    assert_eq!(value, again);
}

fuzz_target!(|data: &[u8]| {
    round_trip::<Pod>(data);
    round_trip::<Deployment>(data);
    round_trip::<Secret>(data);
});
