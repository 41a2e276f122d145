//! CRD input (YAML or JSON, several documents): the generator returns files or an error naming
//! the input, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kubeclient_codegen::Builder::new()
        .crd_bytes("fuzz.yaml", data.to_vec())
        .generate();
});
