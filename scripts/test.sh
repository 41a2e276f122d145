#!/usr/bin/env bash
# The project's whole test suite, as README.md documents it and CI runs it.
#   1. every crate's unit and integration tests against the newest Kubernetes spec (1.35);
#   2. the generated crate compiled for every other supported spec version, with the
#      schema-driven round trip of all its types.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace

# Lints and docs stay clean, generated code included.
cargo clippy --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# One API group alone compiles (its feature pulls in exactly the groups it references).
for f in core apps batch rbac; do
  echo "== kubeclient with only feature $f"
  cargo check -p kubeclient --no-default-features --features "$f"
done

for v in v1.31 v1.33 v1.34; do
  echo "== Kubernetes $v: generate, compile, round-trip every type"
  KUBECLIENT_K8S_VERSION=$v cargo test -p kubeclient-tests --test roundtrip --test feature_table
done
