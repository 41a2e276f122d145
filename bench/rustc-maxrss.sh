#!/usr/bin/env bash
# RUSTC_WRAPPER that records the peak resident memory of every rustc invocation.
# cargo calls: rustc-maxrss.sh <path-to-rustc> <args...>
set -euo pipefail
. "$(dirname "$0")/rustc-crate-name.sh"
crate="$(crate_name "$@")"
exec /usr/bin/time -a -o "${MAXRSS_LOG:?}" -f "$crate %M" "$@"
