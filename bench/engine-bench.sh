#!/usr/bin/env bash
# plimsoll build against buildah (bud --isolation chroot --layers) on the same
# Dockerfiles and bases: cold and cached build times, and image sizes. Run as root with a
# release build; writes bench/engine-results.md.
#
#   bench/engine-bench.sh            # RUNS=3 by default (median)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/engine-bases.sh

[ "$(id -u)" = 0 ] || { echo "engine-bench: run as root" >&2; exit 2; }
for tool in buildah skopeo umoci debootstrap; do
    command -v $tool >/dev/null || { echo "engine-bench: apt-get install -y buildah skopeo umoci debootstrap busybox-static" >&2; exit 2; }
done
BIN=${PLIMSOLL:-target/release/plimsoll}
[ -x "$BIN" ] || cargo build --release --locked
BIN=$(realpath "$BIN")
RUNS=${RUNS:-3}
# buildah names images after paths: keep them lower-case.
work=/var/tmp/plimsoll-bench
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"; buildah rmi --all --force >/dev/null 2>&1 || true' EXIT

busybox=$(oci_layout "$(busybox_rootfs)" "$CACHE/busybox-oci")
debian=$(oci_layout "$(debian_rootfs)" "$CACHE/debian-bookworm-oci")

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Compressed size of an image's layers and of the layers above the base, in bytes.
sizes() { # layout:tag base-layer-count
    skopeo inspect --raw "oci:$1" | python3 -c '
import json, sys
layers = json.load(sys.stdin)["layers"]
base = int(sys.argv[1])
print(sum(l["size"] for l in layers), sum(l["size"] for l in layers[base:]))' "$2"
}

scenario() { # name base-layout dockerfile-body
    local name=$1 layout=$2 body=$3 ctx=$work/$1
    mkdir -p "$ctx"
    printf 'FROM base\n%s\n' "$body" >"$ctx/Dockerfile"
    printf 'FROM oci:%s:base\n%s\n' "$layout" "$body" >"$work/$name.buildah"
    local p_cold=() p_warm=() b_cold=() b_warm=()
    for _ in $(seq "$RUNS"); do
        rm -rf "$work/store" "$work/out-$name"
        local t0 t1 t2
        t0=$(now)
        "$BIN" build --progress quiet --root "$work/store" --base "base=oci:$layout:base" \
            -o "oci:$work/out-$name:p" "$ctx" >/dev/null
        t1=$(now)
        "$BIN" build --progress quiet --root "$work/store" --base "base=oci:$layout:base" \
            -o "oci:$work/out-$name:p" "$ctx" >/dev/null
        t2=$(now)
        p_cold+=("$(ms "$t0" "$t1")")
        p_warm+=("$(ms "$t1" "$t2")")
        buildah rmi --all --force >/dev/null 2>&1 || true
        t0=$(now)
        buildah bud --quiet --isolation chroot --layers -f "$work/$name.buildah" -t "localhost/bench-$name" "$ctx" >/dev/null 2>&1
        t1=$(now)
        buildah bud --quiet --isolation chroot --layers -f "$work/$name.buildah" -t "localhost/bench-$name" "$ctx" >/dev/null 2>&1
        t2=$(now)
        b_cold+=("$(ms "$t0" "$t1")")
        b_warm+=("$(ms "$t1" "$t2")")
    done
    rm -rf "$work/buildah-$name"
    buildah push --quiet "localhost/bench-$name" "oci:$work/buildah-$name:b" >/dev/null
    local base_layers
    base_layers=$(skopeo inspect --raw "oci:$layout:base" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["layers"]))')
    read -r p_total p_added < <(sizes "$work/out-$name:p" "$base_layers")
    read -r b_total b_added < <(sizes "$work/buildah-$name:b" "$base_layers")
    printf '| %s | %s | %s | %s | %s | %s / %s | %s / %s |\n' "$name" \
        "$(printf '%s\n' "${p_cold[@]}" | median)" "$(printf '%s\n' "${b_cold[@]}" | median)" \
        "$(printf '%s\n' "${p_warm[@]}" | median)" "$(printf '%s\n' "${b_warm[@]}" | median)" \
        "$p_total" "$p_added" "$b_total" "$b_added"
}

# A context of 1,000 files, 50 MB.
ctx_files() {
    mkdir -p "$work/context-1000/src"
    for i in $(seq 1000); do
        head -c 51200 /dev/urandom >"$work/context-1000/src/file-$i.bin"
    done
}

{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -r); median of $RUNS runs;"
    echo "times in ms (each build through its CLI, process start included), sizes in bytes"
    echo "(gzip layers: whole image / layers above the base)."
    echo
    echo "| scenario | plimsoll cold | buildah cold | plimsoll cached | buildah cached | plimsoll size | buildah size |"
    echo "|---|---|---|---|---|---|---|"
    scenario busybox-run "$busybox" 'RUN echo hello > /hello && rm /bin/vi'
    ctx_files
    scenario context-1000 "$busybox" 'COPY . /app/'
    scenario debian-apt "$debian" 'RUN apt-get update && apt-get install -y --no-install-recommends hello && rm -rf /var/lib/apt/lists/*'
} | tee bench/engine-results.md
