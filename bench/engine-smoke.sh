#!/usr/bin/env bash
# The real `plimsoll` binary end to end, as root: build a BusyBox image with the CLI,
# check the outputs with skopeo, run it, prune, and check nothing stays mounted.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/engine-bases.sh

BIN=${PLIMSOLL:-${CARGO_TARGET_DIR:-target}/debug/plimsoll}
[ -x "$BIN" ] || cargo build --quiet --locked
BIN=$(realpath "$BIN")
BUSYBOX=$(busybox_rootfs)
work=$(mktemp -d /tmp/plimsoll-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PLIMSOLL_ROOT=$work/store
fail() { echo "engine-smoke: $*" >&2; exit 1; }

mkdir "$work/ctx"
echo "hello from the context" >"$work/ctx/hello.txt"
cat >"$work/ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox AS build
RUN echo built > /artifact
FROM busybox
COPY --from=build /artifact /artifact
COPY hello.txt /srv/
WORKDIR /srv
RUN rm /bin/vi
CMD ["cat", "/srv/hello.txt", "/artifact"]
DOCKERFILE

"$BIN" build --progress plain --base "busybox=rootfs:$BUSYBOX" -t smoke:1 \
    -o "oci:$work/layout:1" -o "docker-archive:$work/image.tar" "$work/ctx" >"$work/digest"
grep -q '^sha256:' "$work/digest" || fail "no digest printed"
skopeo inspect "oci:$work/layout:1" >/dev/null
skopeo inspect "docker-archive:$work/image.tar" >/dev/null

[ "$("$BIN" run --rm smoke:1)" = "$(printf 'hello from the context\nbuilt')" ] || fail "wrong output"
set +e
"$BIN" run --rm "oci:$work/layout:1" sh -c 'exit 7'
code=$?
echo "RUN false" >"$work/ctx/Dockerfile.bad"
sed -i '1i FROM busybox' "$work/ctx/Dockerfile.bad"
"$BIN" build --progress plain --base "busybox=rootfs:$BUSYBOX" -f "$work/ctx/Dockerfile.bad" "$work/ctx" 2>/dev/null
bad=$?
"$BIN" build --base "busybox=rootfs:$BUSYBOX" --build-arg oops "$work/ctx" 2>/dev/null
usage=$?
set -e
[ "$code" = 7 ] || fail "run exit code $code, expected 7"
[ "$bad" = 1 ] || fail "failing build exit code $bad, expected 1"
[ "$usage" = 2 ] || fail "usage error exit code $usage, expected 2"

# build --analyze: waste mapped to rules and Dockerfile lines, plimsoll.toml thresholds.
mkdir "$work/waste"
cat >"$work/waste/Dockerfile" <<'DOCKERFILE'
FROM busybox
RUN mkdir -p /var/lib/apt/lists && head -c 30000 /dev/zero >/var/lib/apt/lists/x_Packages \
 && head -c 40000 /dev/zero >/big
RUN rm /big
DOCKERFILE
printf '[analyze]\nmax-wasted-bytes = "10kB"\n' >"$work/waste/plimsoll.toml"
set +e
"$BIN" build --progress quiet --base "busybox=rootfs:$BUSYBOX" --analyze "$work/waste" \
    >"$work/waste/digest" 2>"$work/waste/report"
analyzed=$?
set -e
[ "$analyzed" = 1 ] || fail "build --analyze over a threshold exited $analyzed, expected 1"
grep -q '^sha256:' "$work/waste/digest" || fail "build --analyze: no digest on stdout"
grep -q 'PL202 apt-lists-not-removed .* line 2: RUN' "$work/waste/report" \
    || fail "build --analyze: no PL202 at line 2: $(cat "$work/waste/report")"
grep -q 'PL306 file-removed-in-later-layer .* line 4: RUN' "$work/waste/report" \
    || fail "build --analyze: no PL306 at line 4"
grep -q 'exceed the maximum 10000 (max-wasted-bytes)' "$work/waste/report" \
    || fail "build --analyze: plimsoll.toml's threshold not applied"

start=$(date +%s%N)
"$BIN" build --progress quiet --base "busybox=rootfs:$BUSYBOX" -t smoke:1 "$work/ctx" >/dev/null
echo "engine-smoke: cached rebuild $(( ($(date +%s%N) - start) / 1000000 )) ms"

# Interrupted and killed builds leave no sandbox process, mount or work directory.
printf 'FROM busybox\nRUN sh -c "trap \\"\\" INT TERM; sleep 60"\n' >"$work/ctx/Dockerfile.slow"
# Only this script's sandboxes: their spec lives under our store (other builds may run).
sandboxes() { grep -lF "PLIMSOLL_SANDBOX_SPEC=$PLIMSOLL_ROOT/" /proc/[0-9]*/environ 2>/dev/null | wc -l; }
for signal in INT KILL; do
    setsid "$BIN" build --progress plain --no-cache --base "busybox=rootfs:$BUSYBOX" \
        -f "$work/ctx/Dockerfile.slow" "$work/ctx" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 50); do [ "$(sandboxes)" -gt 0 ] && break; sleep 0.1; done
    [ "$(sandboxes)" -gt 0 ] || fail "the slow build did not start"
    kill -s "$signal" "$pid"
    set +e
    wait "$pid"
    code=$?
    set -e
    for _ in $(seq 50); do [ "$(sandboxes)" = 0 ] && break; sleep 0.1; done
    [ "$(sandboxes)" = 0 ] || fail "SIG$signal left sandbox processes"
    if [ "$signal" = INT ]; then
        [ "$code" = 130 ] || fail "an interrupted build exits 130, not $code"
        [ -z "$(ls "$PLIMSOLL_ROOT/tmp")" ] || fail "an interrupted build left work directories"
    fi
    if grep -q plimsoll /proc/self/mountinfo; then fail "SIG$signal left mounts"; fi
done

"$BIN" cache prune --all
[ -z "$(ls "$PLIMSOLL_ROOT/blobs/sha256")" ] || fail "prune --all left blobs"
if grep -q plimsoll /proc/self/mountinfo; then fail "mounts left behind"; fi
echo "engine-smoke: ok"
