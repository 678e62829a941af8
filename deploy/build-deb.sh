#!/usr/bin/env bash
# Builds ordersync_<version>_<arch>.deb with dpkg-deb alone (no debhelper). See deploy/README.md.
#
#   deploy/build-deb.sh [--binary PATH] [--out DIR]
#
# Without --binary it runs `swift build -c release --static-swift-stdlib`: the package then needs no
# Swift toolchain on the host, only the system libraries its Depends: line names (computed from the
# binary with dpkg-shlibdeps, or ldd and dpkg -S where dpkg-dev is missing).
# Prints the path of the .deb. Exit status: 0 done, 1 failure, 64 usage error.
set -euo pipefail

binary=""
out=""
while (($#)); do
    case "$1" in
        --binary) (($# >= 2)) || { echo "build-deb.sh: --binary needs a path" >&2; exit 64; }; binary=$2; shift 2 ;;
        --out) (($# >= 2)) || { echo "build-deb.sh: --out needs a directory" >&2; exit 64; }; out=$2; shift 2 ;;
        -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-deb.sh: unknown option: $1" >&2; exit 64 ;;
    esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${out:-$repo/.build/deb}
if [[ -z $binary ]]; then
    (cd "$repo" && swift build -c release --static-swift-stdlib --product ordersync >&2)
    binary=$repo/.build/release/ordersync
fi
[[ -x $binary ]] || { echo "build-deb.sh: not an executable: $binary" >&2; exit 1; }
if ldd "$binary" | grep -q 'libswift\|libFoundation\|libdispatch\|libBlocksRuntime'; then
    echo "build-deb.sh: $binary links the Swift runtime dynamically; build it with --static-swift-stdlib" >&2
    exit 1
fi

version=$("$binary" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
root=$scratch/root
doc=$root/usr/share/doc/ordersync

# --- Files -------------------------------------------------------------------
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/logrotate.d" "$root/etc/ordersync" \
    "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d" "$doc"
install -m 0755 "$binary" "$root/usr/bin/ordersync"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/ordersync"
# The unit as deploy/ has it, with the packaged paths; it stays inactive until the admin writes a config.
sed -e 's|^ExecStart=/usr/local/bin/ordersync |ExecStart=/usr/bin/ordersync |' \
    -e 's|^Documentation=.*|Documentation=file:///usr/share/doc/ordersync/README.md|' \
    -e 's|^After=network-online.target$|After=network-online.target\nConditionPathExists=/etc/ordersync/config.json|' \
    "$repo/deploy/ordersync.service" >"$root/lib/systemd/system/ordersync.service"
grep -q '^ExecStart=/usr/bin/ordersync ' "$root/lib/systemd/system/ordersync.service" ||
    { echo "build-deb.sh: deploy/ordersync.service has no ExecStart=/usr/local/bin/ordersync line" >&2; exit 1; }
install -m 0644 "$repo/deploy/ordersync.logrotate" "$root/etc/logrotate.d/ordersync"
install -m 0644 "$repo/Config/example.json" "$root/etc/ordersync/config.json.example"
install -m 0644 "$repo/deploy/deb/ordersync.sysusers" "$root/usr/lib/sysusers.d/ordersync.conf"
install -m 0644 "$repo/deploy/deb/ordersync.tmpfiles" "$root/usr/lib/tmpfiles.d/ordersync.conf"
install -m 0644 "$repo/deploy/README.md" "$doc/README.md"
install -m 0755 "$repo/deploy/alert-mail.sh" "$doc/alert-mail.sh"
cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ordersync

Files: *
Copyright: 2026 ordersync authors
License: proprietary
 All rights reserved by the ordersync authors.
COPYRIGHT
printf 'ordersync (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- ordersync maintainers <ops@ordersync.invalid>  %s\n' \
    "$version" "$version" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")" | gzip -9n >"$doc/changelog.gz"
for script in postinst prerm postrm; do install -m 0755 "$repo/deploy/deb/$script" "$root/DEBIAN/$script"; done
printf '/etc/logrotate.d/ordersync\n/etc/ordersync/config.json.example\n' >"$root/DEBIAN/conffiles"

# --- Depends: from the libraries the binary really links ----------------------
if command -v dpkg-shlibdeps >/dev/null; then
    mkdir -p "$scratch/src/debian"
    printf 'Source: ordersync\n\nPackage: ordersync\nArchitecture: any\n' >"$scratch/src/debian/control"
    depends=$(cd "$scratch/src" && dpkg-shlibdeps -O "$root/usr/bin/ordersync" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
else
    # Each library ldd resolves, mapped to the package that ships it.
    depends=$(ldd "$root/usr/bin/ordersync" | awk '/=> \// {print $3}' | while read -r lib; do
        dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null
    done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
fi
[[ -n $depends ]] || { echo "build-deb.sh: could not compute Depends:" >&2; exit 1; }
depends="$depends, init-system-helpers (>= 1.52)"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: ordersync
Version: $version
Architecture: $arch
Maintainer: ordersync maintainers <ops@ordersync.invalid>
Installed-Size: $size
Depends: $depends
Section: net
Priority: optional
Description: marketplace order sync daemon (Back Market, Spartoo, WooCommerce)
 ordersync polls marketplace and shop APIs, keeps every order in one SQLite
 database and pushes acceptances and shipments back exactly once. It runs as
 a hardened systemd service, alerts a human through a command or a webhook
 and writes Prometheus metrics for node_exporter's textfile collector.
 .
 The binary links the Swift runtime statically: no toolchain is needed.
CONTROL
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/ordersync_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
