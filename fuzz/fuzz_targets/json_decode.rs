//! JSON decoding of generated types: any input decodes or fails cleanly, what decodes
//! re-encodes to JSON that decodes to the same value, and the client's fast JSON reader never
//! accepts what serde_json rejects nor reads a different value.
#![no_main]

use kubeclient::api::apps::v1::Deployment;
use kubeclient::api::core::v1::{Pod, Secret};
use libfuzzer_sys::fuzz_target;

fn round_trip<T>(data: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let slow = serde_json::from_slice::<T>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(fast) = kubeclient::runtime::codec::from_json_str_fast_only::<T>(text) {
            match &slow {
                Ok(value) => assert_eq!(&fast, value, "the fast reader reads another value"),
                Err(e) => panic!("the fast reader accepts what serde_json rejects ({e})"),
            }
        }
    }
    let Ok(value) = slow else {
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
