#!/usr/bin/env bash
# Fuzz every target for a short while (CI) or longer: `bash scripts/fuzz.sh [SECONDS]`
# (default 30 per target). Needs a nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`). Crashes land in fuzz/artifacts/<target>/; turn each into a
# regression test next to the code it broke (see fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-30}"
# Seed the corpora from the repository's fixtures (corpora themselves are not committed).
seed_into() { local t="$1"; shift; mkdir -p "corpus/$t"; for f in "$@"; do [ -f "$f" ] && cp -n "$f" "corpus/$t/$(basename "$f")"; done; return 0; }
seed_into kubeconfig ../runtime/tests/fixtures/clientcmd/*.yaml
seed_into crd ../codegen/tests/fixtures/crd-basic/*.yaml
seed_into swagger ../codegen/tests/fixtures/edge-cases/spec.json
for target in kubeconfig watch_framer json_decode crd swagger; do
  echo "== fuzz $target for ${seconds}s"
  # FUZZ_FLAGS: extra cargo-fuzz flags, e.g. -O (no debug assertions; faster).
  cargo +nightly fuzz run ${FUZZ_FLAGS:-} "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
