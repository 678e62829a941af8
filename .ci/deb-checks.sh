#!/usr/bin/env bash
# Builds the .deb from a static release binary and checks it for real: lintian (no errors), dpkg -i,
# `ordersync --version`, no Swift library in ldd, systemd-analyze verify on the installed unit, the user
# and directories made, the unit enabled but not started; dpkg -r keeps config and state; dpkg -P then
# leaves nothing behind. Installs and removes the package on this machine, so it needs root.
#
#   bash .ci/deb-checks.sh .build/release/ordersync
set -euo pipefail

(($# == 1)) || { echo "usage: deb-checks.sh BINARY (built with --static-swift-stdlib)" >&2; exit 64; }
binary=$(readlink -f "$1")
((EUID == 0)) || { echo "deb-checks: needs root (it runs dpkg -i / -r / -P)" >&2; exit 1; }
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "deb-checks: $*" >&2; exit 1; }
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

if dpkg -s ordersync >/dev/null 2>&1; then fail "a package named ordersync is installed already; remove it first"; fi
deb=$("$repo/deploy/build-deb.sh" --binary "$binary" --out "$scratch")
echo "deb-checks: built $(basename "$deb") ($(du -h "$deb" | cut -f1)); $(dpkg-deb -f "$deb" Depends)"

# --- lintian -------------------------------------------------------------------------
if command -v lintian >/dev/null; then
    lintian --tag-display-limit 0 "$deb" >"$scratch/lintian.out" 2>&1 || true
    sed 's/^/deb-checks: lintian: /' "$scratch/lintian.out"
    grep -q '^E: ' "$scratch/lintian.out" && fail "lintian reports errors"
    echo "deb-checks: lintian: no errors"
else
    echo "deb-checks: lintian not installed: skipped (Debian: apt-get install lintian)"
fi

# --- Install ---------------------------------------------------------------------------
# Everything under these trees before, to compare after the purge. dpkg's and apt's own bookkeeping
# (status, logs) and the system user's lines in passwd/group are not files of the package.
snapshot() {
    find /etc /usr /lib /var/lib /var/log -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/log/apt \
        -o -path /var/cache \) -prune -o -print 2>/dev/null | grep -v -e '^/etc/\(passwd\|group\|shadow\|gshadow\)-\?$' \
        -e '^/var/log/dpkg.log' -e '^/etc/ld.so.cache' | sort
}
snapshot >"$scratch/before.txt"
dpkg -i "$deb" >/dev/null || fail "dpkg -i failed"
/usr/bin/ordersync --version | grep -q '^ordersync ' || fail "ordersync --version does not run"
if ldd /usr/bin/ordersync | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|/opt/swift'; then
    fail "the installed binary links Swift libraries"
fi
getent passwd ordersync >/dev/null || fail "no ordersync user"
for dir in /etc/ordersync/credentials /var/lib/ordersync /var/log/ordersync; do
    [[ -d $dir ]] || fail "$dir was not created"
done
[[ $(stat -c %a /etc/ordersync/credentials) == 700 ]] || fail "/etc/ordersync/credentials is not 0700"
[[ -f /etc/ordersync/config.json.example ]] || fail "no config.json.example"
[[ -L /etc/systemd/system/multi-user.target.wants/ordersync.service ]] || fail "the unit is not enabled"
if [[ -d /run/systemd/system ]] && systemctl is-active --quiet ordersync; then fail "the unit was started"; fi
if ! systemd-analyze verify --man=no /lib/systemd/system/ordersync.service 2>"$scratch/verify.err" ||
    grep -q ordersync "$scratch/verify.err"; then
    cat "$scratch/verify.err" >&2
    fail "systemd-analyze verify on the installed unit failed"
fi
echo "deb-checks: dpkg -i: ok (--version, no Swift library, user, directories, enabled, systemd-analyze verify)"

# --- Remove keeps config and state; purge deletes them --------------------------------------
echo '{}' >/etc/ordersync/config.json
echo 'state' >/var/lib/ordersync/ordersync.sqlite3
dpkg -r ordersync >/dev/null || fail "dpkg -r failed"
[[ ! -e /usr/bin/ordersync ]] || fail "dpkg -r left /usr/bin/ordersync"
[[ -f /etc/ordersync/config.json && -f /var/lib/ordersync/ordersync.sqlite3 ]] || fail "dpkg -r deleted config or state"
dpkg -P ordersync >/dev/null || fail "dpkg -P failed"
snapshot >"$scratch/after.txt"
if ! diff "$scratch/before.txt" "$scratch/after.txt" >"$scratch/left.txt"; then
    cat "$scratch/left.txt" >&2
    fail "dpkg -r then -P left files behind (or removed some)"
fi
echo "deb-checks: dpkg -r kept config and state; dpkg -P left nothing behind"
