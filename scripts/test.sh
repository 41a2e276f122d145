#!/usr/bin/env bash
# The project's whole test suite, as README.md documents it and CI runs it.
#   0. formatting (rustfmt, gofmt) is checked first: it is the cheapest failure;
#   1. every crate's unit and integration tests against the newest Kubernetes spec (1.35); the
#      end-to-end tests run against both the test server and a real kube-apiserver built from
#      the k8s.io/kubernetes Go module (realcluster/, started by scripts/real-cluster.sh);
#   2. packaging: the crates as a registry would get them, built by downstream crates outside
#      the repository (tests/downstream), and kubeclient from git;
#   3. the generated crate compiled for every other supported spec version, with the
#      schema-driven round trip of all its types.
# With CI=true a test that cannot find a tool, the specs or the real cluster fails instead of
# skipping (kubeclient-test-support).
set -euo pipefail
cd "$(dirname "$0")/.."

# A full run writes several GB under target/; say what room there is, so a failed link reads as
# what it was.
df -h . | tail -1

cargo fmt --all --check
for m in bench/peers bench/compile-cost; do cargo fmt --manifest-path "$m/Cargo.toml" --check; done
unformatted="$(gofmt -l realcluster bench/peers/client-go)"
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted" >&2; exit 1; fi

# The real cluster's binary, built once here so no test waits for it (Go caches make a rebuild
# cheap).
time bash scripts/real-cluster.sh --build-only

cargo test --workspace

# Lints and docs stay clean, generated code included.
cargo clippy --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# One API group alone compiles (its feature pulls in exactly the groups it references), with
# the typed clients and as types only.
for f in core apps batch rbac; do
  echo "== kubeclient with only feature $f"
  cargo check -p kubeclient --no-default-features --features "client,$f"
done
echo "== kubeclient types only (no HTTP stack)"
cargo check -p kubeclient --no-default-features --features core

# As a user's project gets it: packaged (with the spec bundle), built from outside the
# repository with no environment variables, and from git with the documented setting.
time bash scripts/package.sh --downstream

for v in v1.31 v1.33 v1.34; do
  echo "== Kubernetes $v: generate, compile, round-trip every type"
  KUBECLIENT_K8S_VERSION=$v cargo test -p kubeclient-tests --test roundtrip --test feature_table
done
