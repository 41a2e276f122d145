#!/usr/bin/env bash
# Compile cost of the generated `kubeclient` crate against `k8s-openapi` (feature v1_35), same
# Kubernetes version, same machine: all API groups with the default features (typed clients and
# apply configurations too), all groups as types only (what k8s-openapi holds), and `core` only.
# One cargo run each: debug build, one unit at a time (-j1)
# so they don't share cores. Prints each unit's wall time (from `cargo build --timings`) and
# peak rustc memory (from /usr/bin/time via a RUSTC_WRAPPER), then the ratios.
#
# Both crates are built without incremental compilation, as cargo builds any dependency from a
# registry or git (how a user's crate gets either). Left on, cargo would build only kubeclient
# incrementally, being a path dependency here, and charge it ~30% for the dependency graph.
#
#   bash bench/compile-cost.sh
#   INSTRUCTIONS=1 bash bench/compile-cost.sh   # instructions executed instead (cachegrind):
#                                               # ~40 min, but the same on a busy machine
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proj="$here/compile-cost"
export CARGO_TARGET_DIR="$here/../target/compile-cost"
export CARGO_INCREMENTAL=0
log="$CARGO_TARGET_DIR/maxrss.log"
mkdir -p "$CARGO_TARGET_DIR"

unit_seconds() { # <timings html> <crate name> -> seconds of its lib unit
  python3 - "$1" "$2" <<'PY'
import json, re, sys
html = open(sys.argv[1]).read()
m = re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S)
units = json.loads(m.group(1))
best = [u for u in units if u["name"] == sys.argv[2] and u.get("target", "").strip() in ("", "lib")]
print(f"{max(u['duration'] for u in best):.2f}" if best else "nan")
PY
}
max_rss_mib() { # <crate name> -> MiB
  awk -v c="$1" '$1 == c { if ($2 > m) m = $2 } END { printf "%.0f", m / 1024 }' "$log"
}

count_instructions() { # <label> <features of compile-cost>
  local label="$1" feature="$2" ilog="$CARGO_TARGET_DIR/instructions.log"
  : > "$ilog"
  INSTRUCTIONS_LOG="$ilog" RUSTC_WRAPPER="$here/rustc-instructions.sh" \
    cargo build --quiet --manifest-path "$proj/Cargo.toml" --features "$feature" -j1
  python3 - "$label" "$ilog" <<'PY'
import sys
label, counts = sys.argv[1], dict(l.split() for l in open(sys.argv[2]))
kc, ko = int(counts["kubeclient"]), int(counts["k8s_openapi"])
print(f"kubeclient[{label}]: {kc / 1e9:6.2f} G instructions | k8s-openapi[v1_35]: {ko / 1e9:6.2f} G"
      f" | instruction ratio {kc / ko:.0%}")
PY
}

measure() { # <label> <features of compile-cost>
  local label="$1" feature="$2"
  # Dependencies first (not measured), then only the two units under test, one at a time.
  cargo build --quiet --manifest-path "$proj/Cargo.toml" --features "$feature"
  cargo clean --quiet --manifest-path "$proj/Cargo.toml" -p kubeclient -p k8s-openapi
  if [ "${INSTRUCTIONS:-0}" = 1 ]; then
    count_instructions "$label" "$feature"
    return
  fi
  : > "$log"
  rm -rf "$CARGO_TARGET_DIR/cargo-timings"
  MAXRSS_LOG="$log" RUSTC_WRAPPER="$here/rustc-maxrss.sh" \
    cargo build --quiet --manifest-path "$proj/Cargo.toml" --features "$feature" -j1 --timings
  local html="$CARGO_TARGET_DIR/cargo-timings/cargo-timing.html"
  local kc ko kr orr
  kc=$(unit_seconds "$html" kubeclient); ko=$(unit_seconds "$html" k8s-openapi)
  kr=$(max_rss_mib kubeclient); orr=$(max_rss_mib k8s_openapi)
  python3 - "$label" "$kc" "$ko" "$kr" "$orr" <<'PY'
import sys
f, kc, ko, kr, orr = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
print(f"kubeclient[{f}]: {kc:6.2f} s, peak rustc {kr:5.0f} MiB | k8s-openapi[v1_35]: {ko:6.2f} s, peak rustc {orr:5.0f} MiB"
      f" | time ratio {kc/ko:.0%}, memory ratio {kr/orr:.0%}")
PY
}

# Every API group without the typed clients and apply configurations: what k8s-openapi holds.
types_only=$(python3 - "$here/../generated/Cargo.toml" <<'PY'
import re, sys
default = re.search(r'^default = \[(.*?)\]', open(sys.argv[1]).read(), re.M).group(1)
groups = [g.strip(' "') for g in default.split(",") if g.strip(' "') not in ("client", "apply")]
print(",".join(f"kubeclient/{g}" for g in groups))
PY
)

if [ "${INSTRUCTIONS:-0}" = 1 ] && ! command -v valgrind >/dev/null; then
  echo "compile-cost: INSTRUCTIONS=1 needs valgrind (cachegrind); install it (apt-get install valgrind)" >&2
  exit 1
fi
rustc --version
measure all all
measure "all, types only" "$types_only"
measure core core
