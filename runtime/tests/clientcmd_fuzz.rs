//! Property test: arbitrary bytes, byte-level mutations and structural mutations of real
//! kubeconfigs go through the loader, the view renderer and the client-config builder. None
//! may panic; every failure must be an `Error` value. Deterministic seeds so a failure
//! reproduces; `CLIENTCMD_FUZZ_ITERS` scales the run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_runtime::clientcmd::{
    self,
    view::{view, ViewOptions},
    ClientConfig, Overrides,
};
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};

const FULL: &str = include_str!("fixtures/clientcmd/full.yaml");

/// xorshift64*: small, deterministic, good enough to drive mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn iterations(default: usize) -> usize {
    std::env::var("CLIENTCMD_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Everything downstream of a successful load, each step allowed to fail but not to panic.
fn exercise(bytes: &[u8]) {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let Ok(config) = clientcmd::load(bytes) else {
            return;
        };
        for opts in [
            ViewOptions::default(),
            ViewOptions {
                raw: true,
                ..Default::default()
            },
            ViewOptions {
                minify: true,
                ..Default::default()
            },
            ViewOptions {
                flatten: true,
                minify: true,
                ..Default::default()
            },
        ] {
            let _ = view(&config, &opts);
        }
        let _ = clientcmd::to_yaml(&config).map(|y| clientcmd::load(y.as_bytes()));
        let names: Vec<String> = config.contexts.iter().map(|c| c.name.clone()).collect();
        for ctx in names.into_iter().map(Some).chain([None]) {
            let cc = ClientConfig::new(
                config.clone(),
                Overrides {
                    context: ctx,
                    ..Default::default()
                },
                vec![],
            );
            let _ = cc.namespace();
            let _ = cc.rest_config();
        }
    }));
    if outcome.is_err() {
        panic!("panicked on input:\n{}", String::from_utf8_lossy(bytes));
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let alphabet: &[u8] = b"{}[]:,-\"' \n\t#&*!|>%@`abcxyz0123456789.\\";
    for _ in 0..iterations(4000) {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if rng.below(4) == 0 {
                    rng.next() as u8
                } else {
                    *rng.pick(alphabet)
                }
            })
            .collect();
        exercise(&bytes);
    }
}

#[test]
fn byte_mutations_of_real_kubeconfigs_never_panic() {
    let json =
        serde_json::to_vec_pretty(&serde_yaml_ng::from_str::<Value>(FULL).expect("fixture parses"))
            .expect("json");
    let seeds = [FULL.as_bytes().to_vec(), json];
    let inserts: &[&[u8]] = &[
        b"\n- ",
        b": ",
        b"{",
        b"}",
        b"[",
        b"]",
        b"null",
        b"~",
        b"&a ",
        b"*a",
        b"!!binary ",
        b"'",
        b"\"",
        b"\t",
        b"---\n",
        b"...\n",
        b": [1, {a: b}]",
        b"\n  ",
        b"\xff\xfe",
    ];
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..iterations(3000) {
        let mut bytes = rng.pick(&seeds).clone();
        for _ in 0..=rng.below(6) {
            let at = rng.below(bytes.len() + 1);
            match rng.below(5) {
                0 => {
                    if at < bytes.len() {
                        bytes[at] = rng.next() as u8;
                    }
                }
                1 => {
                    let end = (at + rng.below(40)).min(bytes.len());
                    bytes.drain(at..end);
                }
                2 => {
                    let ins = rng.pick(inserts);
                    bytes.splice(at..at, ins.iter().copied());
                }
                3 => bytes.truncate(at),
                _ => {
                    // Duplicate a slice (repeated keys, repeated list items).
                    let end = (at + rng.below(80)).min(bytes.len());
                    let dup = bytes[at..end].to_vec();
                    bytes.splice(at..at, dup);
                }
            }
        }
        exercise(&bytes);
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    let words = [
        "",
        "x",
        "prod",
        "admin",
        "main",
        "a b",
        "aGk=",
        "!!",
        "https://h",
        "client.authentication.k8s.io/v1",
        "Never",
    ];
    match rng.below(if depth > 2 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => Value::from(rng.next() as i64),
        3 => Value::from(*rng.pick(&words)),
        4 => Value::from(-0.5),
        5 => Value::Array(
            (0..rng.below(3))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "name",
                "cluster",
                "user",
                "context",
                "server",
                "token",
                "exec",
                "command",
                "config",
                "extension",
                "as-groups",
                "env",
                "value",
            ];
            Value::Object(
                (0..rng.below(4))
                    .map(|_| (rng.pick(&keys).to_string(), random_value(rng, depth + 1)))
                    .collect(),
            )
        }
    }
}

/// Replace one random node of `v` with a random value.
fn mutate(v: &mut Value, rng: &mut Rng) {
    match v {
        Value::Object(m) if !m.is_empty() && rng.below(4) != 0 => {
            let key = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            if let Some(child) = m.get_mut(&key) {
                mutate(child, rng);
            }
        }
        Value::Array(a) if !a.is_empty() && rng.below(4) != 0 => {
            let i = rng.below(a.len());
            mutate(&mut a[i], rng);
        }
        other => *other = random_value(rng, 0),
    }
}

#[test]
fn structural_mutations_never_panic() {
    let base: Value = serde_yaml_ng::from_str(FULL).expect("fixture parses");
    let mut rng = Rng(0xA076_1D64_78BD_642F);
    for i in 0..iterations(2000) {
        let mut v = base.clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut v, &mut rng);
        }
        let bytes = if i % 2 == 0 {
            serde_json::to_vec(&v).expect("json")
        } else {
            serde_yaml_ng::to_string(&v).expect("yaml").into_bytes()
        };
        exercise(&bytes);
    }
}

#[test]
fn failures_are_errors_that_render() {
    // A few inputs known to fail: each must be an Err whose message is non-empty.
    for bad in [
        &b"clusters: [{name: a}, {name: a}]"[..],
        b"users: [{name: u, user: {client-key-data: '***'}}]",
        b"{\"clusters\": 5}",
        b"clusters:\n  - [\n",
        b"\xff\xfe\x00",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ] {
        let err = clientcmd::load(bad).expect_err("must fail");
        assert!(!err.to_string().is_empty());
    }
}
