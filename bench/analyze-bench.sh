#!/usr/bin/env bash
# `plimsoll analyze` on a ~1 GB image: time and peak memory, the first time (blobs imported
# into a fresh store and verified) and once they are in the store, and the figures checked
# against the ones worked out by hand. The image — two gzip layers: 10,240 files of
# 100 KiB of random bytes, then 2,048 of them rewritten — is made once (about a minute)
# and cached in /var/cache/plimsoll-test/analyze-1gb. Use a release build.
#
#   bench/analyze-bench.sh           # PLIMSOLL=path/to/plimsoll to time another binary
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PLIMSOLL:-target/release/plimsoll}
[ -x "$BIN" ] || cargo build --release --locked
BIN=$(realpath "$BIN")
LAYOUT=${CACHE:-/var/cache/plimsoll-test}/analyze-1gb
FILES=10240 REWRITTEN=2048 SIZE=102400

if [ ! -f "$LAYOUT/index.json" ]; then
    echo "making $LAYOUT (once)..." >&2
    rm -rf "$LAYOUT.tmp"
    python3 - "$LAYOUT.tmp" "$FILES" "$REWRITTEN" "$SIZE" <<'PY'
import gzip, hashlib, io, json, os, random, sys, tarfile
out, files, rewritten, size = sys.argv[1], *map(int, sys.argv[2:])
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)

class Sink(io.RawIOBase):
    """Hashes the tar as written (the diff ID), gzips it to a file, hashes that too."""
    def __init__(self, path):
        self.raw = open(path, "wb")
        self.gz_hash = hashlib.sha256()
        self.tar_hash = hashlib.sha256()
        self.gz = gzip.GzipFile(fileobj=self, mode="wb", compresslevel=1, mtime=0)
    def writable(self):
        return True
    def write(self, b):  # called by GzipFile with compressed bytes
        self.gz_hash.update(b)
        self.raw.write(b)
        return len(b)

def layer(count, seed, tmp):
    sink = Sink(tmp)
    class Tar(io.RawIOBase):
        def writable(self):
            return True
        def write(self, b):
            sink.tar_hash.update(b)
            sink.gz.write(b)
            return len(b)
    rng = random.Random(seed)
    with tarfile.open(fileobj=Tar(), mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for i in range(count):
            info = tarfile.TarInfo(f"data/{i // 256:03d}/file{i:05d}")
            info.size, info.mtime, info.mode = size, 1700000000, 0o644
            tar.addfile(info, io.BytesIO(rng.randbytes(size)))
    sink.gz.close()
    sink.raw.close()
    digest = sink.gz_hash.hexdigest()
    os.rename(tmp, os.path.join(blobs, digest))
    return digest, os.path.getsize(os.path.join(blobs, digest)), sink.tar_hash.hexdigest()

def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}

layers = [layer(files, 1, os.path.join(out, "l1")), layer(rewritten, 2, os.path.join(out, "l2"))]
config = blob(json.dumps({
    "architecture": "amd64", "os": "linux", "config": {},
    "rootfs": {"type": "layers", "diff_ids": [f"sha256:{t}" for _, _, t in layers]},
    "history": [{"created_by": "ADD data /data"}, {"created_by": "RUN rewrite 2048 files"}],
}).encode())
manifest = blob(json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": f"sha256:{d}", "size": s} for d, s, _ in layers],
}).encode())
with open(os.path.join(out, "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", **manifest,
        "annotations": {"org.opencontainers.image.ref.name": "v1"}}]}, f)
PY
    mv "$LAYOUT.tmp" "$LAYOUT"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
measure() { # label
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
        "$BIN" analyze --root "$work/store" --format json "oci:$LAYOUT:v1" >"$work/report.json"
    read -r seconds user system kib <"$work/time"
    echo "$1: ${seconds} s wall, $(python3 -c "print(f'{$user + $system:.2f}')") s CPU, peak RSS $((kib / 1024)) MB"
}
compressed=$(du -sb "$LAYOUT/blobs" | cut -f1)
echo "image: $(python3 -c "print(f'{$compressed / 1e9:.2f}')") GB of blobs, $FILES + $REWRITTEN files of $SIZE bytes"
measure "first run (import + verify + analyze)"
measure "blobs in the store"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# By hand: every path's smallest size is SIZE, the rewritten ones count twice.
python3 - "$work/report.json" "$FILES" "$REWRITTEN" "$SIZE" <<'PY'
import json, sys
report, files, rewritten, size = json.load(open(sys.argv[1])), *map(int, sys.argv[2:])
expected = {
    "efficiency": files / (files + rewritten),
    "wasted_bytes": 2 * rewritten * size,
    "user_wasted_ratio": 2.0,
}
for key, value in expected.items():
    assert abs(report[key] - value) < 1e-9, f"{key}: {report[key]} != {value}"
print(f"figures as worked out by hand: efficiency {report['efficiency']:.4f}, "
      f"{report['wasted_bytes'] / 1e6:.1f} MB wasted, user-wasted ratio {report['user_wasted_ratio']}")
PY
