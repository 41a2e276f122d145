#!/usr/bin/env bash
# Build (if needed) and run a real Kubernetes control plane on loopback: kube-apiserver 1.35 with
# etcd embedded, plus kube-controller-manager, from the k8s.io/kubernetes Go module
# (realcluster/). Writes an admin kubeconfig once /readyz answers and runs until killed.
#
#   scripts/real-cluster.sh --kubeconfig-out FILE [--dir DIR] [--exit-on-stdin-eof]
#                                        start (builds first if needed)
#   scripts/real-cluster.sh --build-only                         build the binary and exit
#
# The binary is target/realcluster/realcluster; Go's module and build caches make rebuilds cheap.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/realcluster/realcluster"
version="$(sed -n 's/^\tk8s.io\/kubernetes \(v[0-9.]*\)$/\1/p;T;q' "$root/realcluster/go.mod")"

build() {
  minor="$(echo "$version" | cut -d. -f2)"
  ldflags="-X k8s.io/component-base/version.gitVersion=$version"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
  mkdir -p "$(dirname "$bin")"
  (cd "$root/realcluster" && go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$bin.tmp" . && mv "$bin.tmp" "$bin")
}

kubeconfig_out="" dir="" build_only="" extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kubeconfig-out) kubeconfig_out="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --exit-on-stdin-eof) extra+=("$1"); shift ;;
    *) echo "real-cluster.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Rebuild when any Go source or the module files are newer than the binary.
if [ ! -x "$bin" ] || [ -n "$(find "$root/realcluster" -newer "$bin" -type f 2>/dev/null)" ]; then
  echo "real-cluster.sh: building kube-apiserver $version (first build takes minutes)" >&2
  build
fi
[ -n "$build_only" ] && exit 0

if [ -z "$kubeconfig_out" ]; then
  echo "usage: real-cluster.sh --kubeconfig-out FILE [--dir DIR] | --build-only" >&2
  exit 2
fi
if [ -z "$dir" ]; then
  dir="$(mktemp -d "${TMPDIR:-/tmp}/realcluster.XXXXXX")"
fi
exec "$bin" --dir "$dir" --kubeconfig-out "$kubeconfig_out" "${extra[@]}"
