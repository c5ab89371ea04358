# Shared by bench/engine-smoke.sh and bench/engine-bench.sh (sourced, not run): base
# root file systems made on this machine and cached in $PLIMSOLL_TEST_CACHE
# (/var/cache/plimsoll-test), the same ones the end-to-end tests use.

CACHE=${PLIMSOLL_TEST_CACHE:-/var/cache/plimsoll-test}

# A ~2 MB BusyBox root from Debian's busybox-static.
busybox_rootfs() {
    local dir=$CACHE/busybox-rootfs
    if [ ! -f "$dir/bin/busybox" ]; then
        local tmp=$dir.tmp
        rm -rf "$tmp"
        mkdir -p "$tmp"/{bin,etc,tmp,root,home/app}
        cp /bin/busybox "$tmp/bin/busybox"
        for applet in $(/bin/busybox --list); do
            [ "$applet" = busybox ] || ln -s busybox "$tmp/bin/$applet"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$tmp/etc/passwd"
        printf 'root:x:0:\napp:x:1000:\nstaff:x:50:app\nnogroup:x:65534:\n' >"$tmp/etc/group"
        chmod 1777 "$tmp/tmp"
        chown 1000:1000 "$tmp/home/app"
        mv "$tmp" "$dir"
    fi
    echo "$dir"
}

# The Debian mirror apt uses.
debian_mirror() {
    local uri
    uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | grep -v security | grep -oE 'https?://[^ ]+' | head -1 || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

# Debian bookworm minbase (~175 MB, about a minute the first time).
debian_rootfs() {
    local dir=$CACHE/debian-bookworm-rootfs
    if [ ! -x "$dir/usr/bin/apt-get" ]; then
        local tmp=$dir.tmp
        rm -rf "$tmp"
        debootstrap --variant=minbase bookworm "$tmp" "$(debian_mirror)" >/dev/null
        rm -f "$tmp"/var/cache/apt/archives/*.deb
        mv "$tmp" "$dir"
    fi
    echo "$dir"
}

# An OCI image layout of a root file system, made with umoci (not with Plimsoll, so both
# builders start from the same independent image): oci_layout ROOTFS LAYOUT
oci_layout() {
    local rootfs=$1 layout=$2
    if [ ! -f "$layout/index.json" ]; then
        rm -rf "$layout.tmp"
        umoci init --layout "$layout.tmp"
        umoci new --image "$layout.tmp:base"
        umoci insert --image "$layout.tmp:base" "$rootfs" /
        umoci config --image "$layout.tmp:base" --config.cmd /bin/sh \
            --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
        mv "$layout.tmp" "$layout"
    fi
    echo "$layout"
}
