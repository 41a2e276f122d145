//! Time to generate the whole clientset for a Kubernetes version (parse, fixups, IR, emit and
//! format), in memory. `cargo bench -p kubeclient-codegen --bench generate [-- v1.35]`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::{locate, Builder, Layout};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let version = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| locate::DEFAULT_VERSION.into());
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec = match locate::SearchPath::new(&workspace).spec(&version) {
        Ok(found) => found.swagger(),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let bytes = std::fs::read(&spec).expect("read spec");
    let run = || {
        let start = Instant::now();
        let g = Builder::new()
            .spec_bytes(spec.display().to_string(), bytes.clone())
            .layout(Layout::IncludeFromOutDir)
            .cfg_features(true)
            .spec_version(version.clone())
            .generate()
            .expect("generate");
        (
            start.elapsed(),
            g.files.values().map(String::len).sum::<usize>(),
            g.ir.types.len(),
        )
    };
    run(); // warm-up
    let mut times: Vec<Duration> = Vec::new();
    let mut size = (0, 0);
    for _ in 0..10 {
        let (t, bytes, types) = run();
        times.push(t);
        size = (bytes, types);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "generate {version}: {} types, {} KiB of Rust; min {:.0} ms, median {:.0} ms, max {:.0} ms over {} runs ({} threads)",
        size.1,
        size.0 / 1024,
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        times.len(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
}
