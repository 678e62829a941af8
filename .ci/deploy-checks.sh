#!/usr/bin/env bash
# Checks deploy/ with systemd's and logrotate's own tools, installing them first
# when missing (Debian 12: packages systemd, logrotate). Run it before the Swift
# tests so Tests/DeployTests find the tools instead of skipping.
#
#   bash .ci/deploy-checks.sh        exit 0: all good; 1: a check failed
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# --- Tools -------------------------------------------------------------------
# logrotate lives in /usr/sbin, which a non-root PATH may lack.
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
missing=()
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v logrotate >/dev/null || missing+=(logrotate)
if ((${#missing[@]})); then
    echo "deploy-checks: installing ${missing[*]}"
    if ((EUID == 0)); then
        as_root=()
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        as_root=(sudo -n)
    else
        echo "deploy-checks: need root (or passwordless sudo) to install ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "deploy-checks: $(systemd-analyze --version | head -n 1), $(logrotate --version 2>&1 | head -n 1)"

# --- The unit ----------------------------------------------------------------
# `verify` rejects an ExecStart= binary that does not exist, and ordersync is not
# installed here: check a copy whose ExecStart= names a stand-in executable.
# `verify` exits 0 after "Unknown key"/"Invalid syntax" warnings, so any line
# naming the unit is a failure too.
printf '#!/bin/sh\nexit 0\n' >"$scratch/ordersync"
chmod 0755 "$scratch/ordersync"
sed "s|^ExecStart=/usr/local/bin/ordersync |ExecStart=$scratch/ordersync |" \
    "$repo/deploy/ordersync.service" >"$scratch/ordersync.service"
grep -q "^ExecStart=$scratch/ordersync " "$scratch/ordersync.service" ||
    { echo "deploy-checks: ExecStart= is not /usr/local/bin/ordersync …" >&2; exit 1; }

if ! systemd-analyze verify --man=no "$scratch/ordersync.service" 2>"$scratch/verify.err" ||
    grep -q ordersync "$scratch/verify.err"; then
    echo "deploy-checks: systemd-analyze verify deploy/ordersync.service failed:" >&2
    cat "$scratch/verify.err" >&2
    exit 1
fi
echo "deploy-checks: systemd-analyze verify: ok"

# Exposure 1.1 OK measured on systemd 252; --threshold (tenths) fails above 2.0.
summary=$(systemd-analyze security --offline=yes --no-pager --threshold=20 "$scratch/ordersync.service" |
    grep 'Overall exposure level') ||
    { echo "deploy-checks: systemd-analyze security: exposure above 2.0 (or the check failed)" >&2; exit 1; }
echo "deploy-checks: systemd-analyze security: ${summary#*: }"

# --- logrotate -----------------------------------------------------------------
# Parse (debug mode: changes nothing) a copy pointed at a scratch log directory;
# logrotate exits 0 after "error: … unknown option", so errors are read from the output.
mkdir "$scratch/log"
echo '{}' >"$scratch/log/ordersync.log"
sed "s|/var/log/ordersync/|$scratch/log/|" "$repo/deploy/ordersync.logrotate" >"$scratch/logrotate.conf"
if ! logrotate -d -f -s "$scratch/logrotate.state" "$scratch/logrotate.conf" >"$scratch/logrotate.out" 2>&1 ||
    grep -q '^error:' "$scratch/logrotate.out"; then
    echo "deploy-checks: logrotate -d deploy/ordersync.logrotate failed:" >&2
    cat "$scratch/logrotate.out" >&2
    exit 1
fi
echo "deploy-checks: logrotate -d: ok"

# --- install.sh ----------------------------------------------------------------
bash -n "$repo/deploy/install.sh"
if command -v shellcheck >/dev/null; then
    shellcheck "$repo/deploy/install.sh" "$repo/.ci/deploy-checks.sh"
fi
echo "deploy-checks: install.sh syntax: ok"
