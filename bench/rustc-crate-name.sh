# Sourced by the RUSTC_WRAPPER scripts: `crate_name <rustc args...>` prints the value of
# `--crate-name`, or `?`.
crate_name() {
  local prev="" name="?"
  for a in "$@"; do
    if [ "$prev" = "--crate-name" ]; then name="$a"; fi
    prev="$a"
  done
  printf '%s\n' "$name"
}
