#!/usr/bin/env bash
# RUSTC_WRAPPER that records the peak resident memory of every rustc invocation.
# cargo calls: rustc-maxrss.sh <path-to-rustc> <args...>
set -euo pipefail
crate="?"
prev=""
for a in "$@"; do
  if [ "$prev" = "--crate-name" ]; then crate="$a"; fi
  prev="$a"
done
exec /usr/bin/time -a -o "${MAXRSS_LOG:?}" -f "$crate %M" "$@"
