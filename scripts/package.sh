#!/usr/bin/env bash
# Packages the published crates as a registry would receive them, the spec bundle included
# (written into generated/specs from the specs folder, never committed, removed afterwards).
#
#   bash scripts/package.sh               # target/package/*.crate
#   bash scripts/package.sh --downstream  # ... then build tests/downstream/* against them, as a
#                                         # user's project would, and kubeclient from git
#
# Publishing order (each depends on the ones before it): kubeclient-specs, kubeclient-runtime,
# kubeclient-codegen, kubeclient, kubeclient-testserver; `cargo publish --workspace` follows it
# (the dry run below checks that it would).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
unset KUBECLIENT_SPECS_DIR KUBECLIENT_K8S_VERSION

rm -rf generated/specs
trap 'rm -rf "$root/generated/specs"' EXIT
cargo run -q -p kubeclient-specs -- bundle --out generated/specs
# --no-verify: the downstream builds below are the verification, from outside the workspace.
cargo package --workspace --exclude kubeclient-tests --exclude kubeclient-test-support --exclude kubeclient-examples \
  --no-verify --allow-dirty
ls -l target/package/*.crate
log="$(mktemp)"
if ! cargo publish --dry-run --workspace --exclude kubeclient-tests \
  --exclude kubeclient-test-support --exclude kubeclient-examples --no-verify --allow-dirty >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
grep -E '^ *Uploading' "$log"
rm -f "$log"

[ "${1:-}" = "--downstream" ] || exit 0

# Outside the repository: neither the workspace's specs folders nor ../shared are in sight.
work="$(mktemp -d)"
trap 'rm -rf "$root/generated/specs" "$work"' EXIT
mkdir -p "$work/packages"
for c in target/package/*.crate; do tar -xzf "$c" -C "$work/packages"; done
bundle="$work/specs"
cp -r generated/specs "$bundle"
rm -rf generated/specs

# One target folder across runs keeps the registry dependencies built.
export CARGO_TARGET_DIR="$root/target/downstream"
patch() {
  echo
  echo "[patch.crates-io]"
  for d in "$work"/packages/*/; do
    name="$(basename "$d")"
    echo "${name%-[0-9]*} = { path = \"$d\" }"
  done
}
for app in app crd-app; do
  cp -r "tests/downstream/$app" "$work/$app"
  patch >>"$work/$app/Cargo.toml"
  # Start from the workspace's versions so a new upstream release cannot break this check.
  cp Cargo.lock "$work/$app/Cargo.lock"
  echo "== downstream $app, from packages"
  (cd "$work/$app" && cargo build)
done
# Captured first: `| grep -q` would stop reading early, and the app's next print would panic
# on the closed pipe (Rust ignores SIGPIPE), failing the run under pipefail.
crd_out="$("$CARGO_TARGET_DIR/debug/downstream-crd-app")"
if ! grep -q '"size":3' <<<"$crd_out"; then
  echo "downstream crd-app printed no object of size 3:" >&2
  echo "$crd_out" >&2
  exit 1
fi

# From git: the checkout carries no specs, so the build must say which setting to use ...
echo "== downstream app, kubeclient from git without specs"
mkdir -p "$work/git-app/src"
cp tests/downstream/app/src/main.rs "$work/git-app/src/"
sed "s|^kubeclient = .*|kubeclient = { git = \"file://$root\" }|" tests/downstream/app/Cargo.toml \
  >"$work/git-app/Cargo.toml"
if (cd "$work/git-app" && cargo check 2>"$work/git.err"); then
  echo "a git dependency built without specs: where did it find them?" >&2
  exit 1
fi
if ! grep -q "KUBECLIENT_SPECS_DIR" "$work/git.err"; then
  cat "$work/git.err" >&2
  echo "the git dependency's error does not name KUBECLIENT_SPECS_DIR" >&2
  exit 1
fi
# ... and build once it is set, as the error says, in the project's .cargo/config.toml.
echo "== downstream app, kubeclient from git with KUBECLIENT_SPECS_DIR"
mkdir -p "$work/git-app/.cargo"
printf '[env]\nKUBECLIENT_SPECS_DIR = "%s"\n' "$bundle" >"$work/git-app/.cargo/config.toml"
(cd "$work/git-app" && cargo check)
echo "downstream: packages and git dependency OK"
