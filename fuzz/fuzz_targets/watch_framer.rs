//! The watch framer on an arbitrary stream cut into arbitrary chunks: framing is the same for
//! every split, every frame decodes or fails cleanly, and nothing panics.
#![no_main]

use kubeclient_runtime::dynamic::DynamicObject;
use kubeclient_runtime::rest::watch::{decode_event, JsonFramer};
use libfuzzer_sys::fuzz_target;

fn frame(chunks: &[&[u8]]) -> (Vec<bytes::Bytes>, bool) {
    let mut framer = JsonFramer::with_max_event(4096);
    let mut frames = Vec::new();
    let mut failed = false;
    for c in chunks {
        let framed = framer.push(c);
        frames.extend(framed.frames);
        if framed.error.is_some() {
            failed = true;
            break;
        }
    }
    (frames, failed)
}

fuzz_target!(|data: &[u8]| {
    // First byte picks where to cut the rest into two chunks.
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let cut = usize::from(cut).min(stream.len());
    let (whole, whole_failed) = frame(&[stream]);
    let (split, split_failed) = frame(&[&stream[..cut], &stream[cut..]]);
    if !whole_failed && !split_failed {
        assert_eq!(whole, split, "framing depends on chunk boundaries");
    }
    for f in &whole {
        assert!(f.len() <= 4096);
        let _ = decode_event::<DynamicObject>(f);
    }
});
