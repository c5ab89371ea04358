#!/usr/bin/env bash
# `plimsoll optimize` on every example, as root: size of the bloated image, size after
# Plimsoll (standard and aggressive), size of the hand-optimized Dockerfile.optimized, and
# build times. The debootstrap Debian bookworm stands in for debian:12-slim and the BusyBox
# root for busybox:1.36 (bench/engine-bases.sh makes both when missing). RUN steps use the
# host network for apt. Not part of .ci/run: the first run downloads a few hundred MB of
# Debian packages and takes ten minutes or more.
#
#   bench/optimize.sh [EXAMPLE…]     (default: every directory under examples/)
#
# Writes the JSON reports to target/optimize-bench/ and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/engine-bases.sh

BIN=${PLIMSOLL:-${CARGO_TARGET_DIR:-target}/debug/plimsoll}
[ -x "$BIN" ] || cargo build --quiet --locked
BIN=$(realpath "$BIN")
out=${CARGO_TARGET_DIR:-target}/optimize-bench
mkdir -p "$out"
out=$(realpath "$out")
store=${PLIMSOLL_BENCH_ROOT:-$out/store}
debian=$(oci_layout "$(debian_rootfs)" "$CACHE/debian-bookworm-oci")
busybox=$(busybox_rootfs)
bases=(--base "debian:12-slim=oci:$debian:base" --base "busybox:1.36=rootfs:$busybox")

examples=("$@")
[ ${#examples[@]} -gt 0 ] || examples=($(ls examples | grep -v README))

# Compressed bytes of a stored image (Σ layer blobs).
compressed() {
    "$BIN" analyze --root "$store" --format json "$1" |
        python3 -c 'import json,sys; print(sum(l["compressed_size"] for l in json.load(sys.stdin)["layers"]))'
}

mb() { python3 -c "print(f'{$1/1e6:.1f} MB')"; }
pct() { python3 -c "print(f'{100*($1-$2)/$1:+.0f} %'.replace('+','−') if $1>$2 else f'+{100*($2-$1)/$1:.0f} %')"; }

rows=()
for ex in "${examples[@]}"; do
    [ -n "${TABLE_ONLY:-}" ] && break
    dir=examples/$ex
    echo "--- $ex: hand-optimized" >&2
    start=$(date +%s%N)
    "$BIN" build --progress quiet --root "$store" "${bases[@]}" -t "bench-$ex:hand" \
        -f "$dir/Dockerfile.optimized" "$dir" >/dev/null
    hand_time=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "$(compressed "bench-$ex:hand") $hand_time" >"$out/$ex-hand.txt"
    for level in standard aggressive; do
        echo "--- $ex: optimize --level $level" >&2
        "$BIN" optimize --root "$store" "${bases[@]}" --level "$level" --timeout 5 \
            --format json "$dir" >"$out/$ex-$level.json"
    done
done

# The table, from the reports (TABLE_ONLY=1 prints it without building).
python3 - "$out" "${examples[@]}" <<'PY'
import json, sys
out, examples = sys.argv[1], sys.argv[2:]
mb = lambda n: f"{n / 1e6:.1f} MB"
def change(before, after):
    # One decimal near −100 %, where rounding would hide what is left.
    percent = 100 * (after - before) / before
    digits = 1 if abs(percent) >= 99.5 else 0
    return f"{percent:+.{digits}f} %".replace("-", "−")
print("| example | original | standard | aggressive | hand-optimized | aggressive vs hand "
      "| build s: original / hand | dropped at aggressive |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for ex in examples:
    try:
        s = json.load(open(f"{out}/{ex}-standard.json"))
        a = json.load(open(f"{out}/{ex}-aggressive.json"))
        hand, hand_ms = map(int, open(f"{out}/{ex}-hand.txt").read().split())
    except (OSError, ValueError) as e:
        print(f"| {ex} | (no result: {e}) |")
        continue
    before = s["before"]["compressed_bytes"]
    std, agg = s["after"]["compressed_bytes"], a["after"]["compressed_bytes"]
    dropped = ", ".join(t["code"] for t in a["transformations"] if t["dropped"]) or "–"
    print(f"| {ex} | {mb(before)} | {mb(std)} ({change(before, std)}) | {mb(agg)} "
          f"({change(before, agg)}) | {mb(hand)} | {change(hand, agg)} "
          f"| {s['before']['build_seconds']:.0f} / {hand_ms / 1000:.0f} | {dropped} |")
PY
