#!/usr/bin/env bash
# Checks deploy/ with systemd's and logrotate's own tools, installing them first
# when missing (Debian 12: packages systemd, logrotate). Run it before the Swift
# tests so Tests/DeployTests find the tools instead of skipping.
#
#   bash .ci/deploy-checks.sh
#   bash .ci/deploy-checks.sh --sandbox .build/release/ordersync demo --seconds 5
#
# --sandbox CMD…: also runs CMD under the unit's system call filter and
# MemoryDenyWriteExecute=, emulated with libseccomp (python3-seccomp), as
# systemd cannot run units in a container. Exit 0: all good; 1: a check failed.
set -euo pipefail

sandbox=()
if (($#)); then
    [[ $1 == --sandbox && $# -ge 2 ]] || { echo "usage: deploy-checks.sh [--sandbox CMD [ARG…]]" >&2; exit 64; }
    shift
    sandbox=("$@")
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# --- Tools -------------------------------------------------------------------
# logrotate lives in /usr/sbin, which a non-root PATH may lack.
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
missing=()
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v logrotate >/dev/null || missing+=(logrotate)
if ((${#sandbox[@]})) && ! /usr/bin/python3 -c 'import seccomp' 2>/dev/null; then
    missing+=(python3-seccomp)
fi
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

# --- The binary in the unit's seccomp sandbox ---------------------------------------
((${#sandbox[@]})) || exit 0
# The emulation hard-codes the unit's filter; make sure the unit still says that.
for line in 'SystemCallFilter=@system-service' 'SystemCallFilter=~@privileged @resources' \
    'SystemCallErrorNumber=EPERM' 'MemoryDenyWriteExecute=yes' \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'; do
    grep -qxF "$line" "$repo/deploy/ordersync.service" ||
        { echo "deploy-checks: the unit no longer has '$line': update the --sandbox emulation" >&2; exit 1; }
done
# Allowed: @system-service minus @privileged and @resources, groups expanded.
expand() {
    systemd-analyze syscall-filter "$1" | sed -n 's/^    //p' | grep -v '^#' | while read -r name; do
        if [[ $name == @* ]]; then expand "$name"; else echo "$name"; fi
    done
}
expand @system-service | sort -u >"$scratch/service.txt"
{ expand @privileged; expand @resources; } | sort -u >"$scratch/denied.txt"
comm -23 "$scratch/service.txt" "$scratch/denied.txt" >"$scratch/allowed.txt"

# Refused calls fail with EPERM as in the unit (SystemCallErrorNumber=EPERM);
# socket() outside AF_UNIX/AF_INET/AF_INET6 with EAFNOSUPPORT; MemoryDenyWriteExecute=:
# no W+X mmap, no mprotect/pkey_mprotect adding PROT_EXEC, no SHM_EXEC.
set +e
/usr/bin/python3 - "$scratch/allowed.txt" "${sandbox[@]}" <<'PY'
import errno, os, sys, seccomp
allowed = open(sys.argv[1]).read().split()
f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
special = {"mmap", "mprotect", "pkey_mprotect", "shmat", "socket"}
for name in set(allowed) - special | {"execve", "exit", "exit_group"}:
    try:
        f.add_rule(seccomp.ALLOW, name)
    except (RuntimeError, ValueError):
        pass  # not a system call on this architecture
W, X, SHM_EXEC = 2, 4, 0o100000
for prot in (0, W, X):
    f.add_rule(seccomp.ALLOW, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, W | X, prot))
for name in ("mprotect", "pkey_mprotect"):
    f.add_rule(seccomp.ALLOW, name, seccomp.Arg(2, seccomp.MASKED_EQ, X, 0))
f.add_rule(seccomp.ALLOW, "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, SHM_EXEC, 0))
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
for family in range(0, 64):
    action = seccomp.ALLOW if family in (AF_UNIX, AF_INET, AF_INET6) else seccomp.ERRNO(errno.EAFNOSUPPORT)
    f.add_rule(action, "socket", seccomp.Arg(0, seccomp.EQ, family))
f.load()
os.execvp(sys.argv[2], sys.argv[2:])
PY
status=$?
set -e
if ((status != 0)); then
    echo "deploy-checks: '${sandbox[*]}' exited $status under the unit's seccomp filter" >&2
    exit 1
fi
echo "deploy-checks: '${sandbox[*]}' ran under the unit's seccomp filter: ok"
