#!/usr/bin/env bash
# RUSTC_WRAPPER that counts the instructions rustc executes for the crates under test
# (kubeclient, k8s_openapi) with cachegrind, and runs every other rustc as is.
# cargo calls: rustc-instructions.sh <path-to-rustc> <args...>
set -euo pipefail
. "$(dirname "$0")/rustc-crate-name.sh"
crate="$(crate_name "$@")"
case "$crate" in
  kubeclient | k8s_openapi) ;;
  *) exec "$@" ;;
esac
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null --log-file="$out" "$@"
refs=$(awk '/I *refs:/ { gsub(",", "", $NF); print $NF }' "$out")
echo "$crate ${refs:?cachegrind printed no instruction count}" >> "${INSTRUCTIONS_LOG:?}"
