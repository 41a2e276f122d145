#!/usr/bin/env bash
# kubeclient against its peers in one run: kube-rs (`kube` 5 + `k8s-openapi` 0.29) and client-go
# (k8s.io/client-go v0.35.4, bench/peers/client-go), on the same server and the same bytes.
# Builds all three, runs the whole benchmark RUNS times (default 5; each run interleaves the
# peers), and prints the median of each metric over the runs, first as machine-readable lines
#   metric <name> | kubeclient <v> | kube-rs <v> | client-go <v> | unit <u> | better <lower|higher>
# (`-` where a peer has no such case), then as a table with ratios to the best peer.
# The Rust peers allocate with glibc malloc, or with mimalloc under PEERS_ALLOCATOR=mimalloc
# (`PEERS_ALLOCATOR=mimalloc bash bench/compare.sh`); client-go always has Go's allocator.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-5}"
out="$root/target/compare"
mkdir -p "$out"

echo "== building client-go peer" >&2
(cd "$root/bench/peers/client-go" && go build -trimpath -buildvcs=false -o "$out/clientgo-peer" .)
echo "== building Rust peers (release)" >&2
CARGO_TARGET_DIR="$root/target/peers" cargo build --release --manifest-path "$root/bench/peers/Cargo.toml" >&2

: > "$out/metrics.txt"
for i in $(seq 1 "$runs"); do
  echo "== run $i of $runs" >&2
  CLIENT_GO_PEER="$out/clientgo-peer" "$root/target/peers/release/peers-bench" > "$out/run-$i.txt"
  grep '^metric [a-z_]* |' "$out/run-$i.txt" >> "$out/metrics.txt"
done

# Median per metric and peer over the runs.
python3 - "$out/metrics.txt" "$runs" <<'PY'
import os, sys, statistics, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    parts = [p.strip() for p in line.strip().split('|')]
    name = parts[0].split()[1]
    vals = dict(p.split(None, 1) for p in parts[1:])
    r = rows.setdefault(name, {'unit': vals['unit'], 'better': vals['better'], 'kubeclient': [], 'kube-rs': [], 'client-go': []})
    for peer in ('kubeclient', 'kube-rs', 'client-go'):
        if vals[peer] != '-':
            r[peer].append(float(vals[peer]))
med = lambda v: statistics.median(v) if v else None
fmt = lambda x: '-' if x is None else f'{x:.2f}'
table = []
for name, r in rows.items():
    m = {p: med(r[p]) for p in ('kubeclient', 'kube-rs', 'client-go')}
    print(f"metric {name} | kubeclient {fmt(m['kubeclient'])} | kube-rs {fmt(m['kube-rs'])} | client-go {fmt(m['client-go'])} | unit {r['unit']} | better {r['better']}")
    others = [v for p, v in m.items() if p != 'kubeclient' and v is not None]
    ratio = '-'
    if m['kubeclient'] is not None and others:
        best = max(others) if r['better'] == 'higher' else min(others)
        ratio = f"{(m['kubeclient'] / best if r['better'] == 'higher' else best / m['kubeclient']):.2f}x"
    table.append((name, fmt(m['kubeclient']), fmt(m['kube-rs']), fmt(m['client-go']), r['unit'], ratio))
print()
print(f"medians of {sys.argv[2]} runs, Rust peers on {os.environ.get('PEERS_ALLOCATOR') or 'glibc'} malloc; ratio = kubeclient against the best other peer (>1 = kubeclient better)")
print(f"{'metric':<36} {'kubeclient':>12} {'kube-rs':>12} {'client-go':>12} {'unit':>9} {'ratio':>8}")
for row in table:
    print(f"{row[0]:<36} {row[1]:>12} {row[2]:>12} {row[3]:>12} {row[4]:>9} {row[5]:>8}")
PY
