#!/usr/bin/env bash
# Installs (or removes) ordersync as a systemd service. See deploy/README.md.
#
#   deploy/install.sh [--prefix DIR] [--root DIR] [--no-build] [--dry-run]
#   deploy/install.sh --uninstall [--purge] [--prefix DIR] [--root DIR] [--dry-run]
#
# Exit status: 0 done, 1 failure, 64 usage error.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: install.sh [options]

Install:
  builds `swift build -c release` (unless --no-build) and installs
    PREFIX/bin/ordersync                         the binary
    PREFIX/share/doc/ordersync/README.md         deploy/README.md
    /etc/systemd/system/ordersync.service        ExecStart= pointing at PREFIX
    /etc/logrotate.d/ordersync
    /etc/ordersync/config.json                   from Config/example.json, only if absent
    /etc/ordersync/credentials/                  0700; empty 0600 bm.token, spartoo.key,
                                                 woo.secret where absent (fill those you use)
  then `systemctl daemon-reload` when systemd is running. Never overwrites the
  config or a credential; never enables or starts the service.

Options:
  --prefix DIR   install prefix (default /usr/local)
  --root DIR     install into a staging root instead of / (no systemctl calls)
  --no-build     use the existing .build/release/ordersync
  --dry-run      print each action, change nothing
  --uninstall    stop and disable the service, remove the binary, unit, logrotate
                 file and README; keep /etc/ordersync and the state and logs
  --purge        with --uninstall: also remove /etc/ordersync (config, credentials),
                 /var/lib/ordersync (the database) and /var/log/ordersync
  -h, --help     this text
EOF
}

die() { echo "install.sh: $*" >&2; exit 1; }
usage_error() { echo "install.sh: $*" >&2; echo "Try 'install.sh --help'." >&2; exit 64; }

prefix=/usr/local
root=""
build=1
dry_run=0
uninstall=0
purge=0

while (($#)); do
    case "$1" in
        --prefix) (($# >= 2)) || usage_error "--prefix needs a directory"; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --root) (($# >= 2)) || usage_error "--root needs a directory"; root=$2; shift 2 ;;
        --root=*) root=${1#*=}; shift ;;
        --no-build) build=0; shift ;;
        --dry-run) dry_run=1; shift ;;
        --uninstall) uninstall=1; shift ;;
        --purge) purge=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage_error "unknown option: $1" ;;
    esac
done

[[ $prefix == /* ]] || usage_error "--prefix must be an absolute path: $prefix"
prefix=${prefix%/}
[[ -n $prefix ]] || usage_error "--prefix must not be /"
if [[ -n $root ]]; then
    [[ $root == /* ]] || usage_error "--root must be an absolute path: $root"
    root=${root%/}
fi
((purge == 0 || uninstall == 1)) || usage_error "--purge only goes with --uninstall"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Paths on the target system (what the unit and the docs refer to) …
bin_path=$prefix/bin/ordersync
doc_path=$prefix/share/doc/ordersync/README.md
unit_path=/etc/systemd/system/ordersync.service
logrotate_path=/etc/logrotate.d/ordersync
config_dir=/etc/ordersync
credentials_dir=$config_dir/credentials
credentials=(bm.token spartoo.key woo.secret)  # the unit's LoadCredential= names
# … and where they land now: under --root when staging.
at() { printf '%s%s' "$root" "$1"; }

# Every change goes through `act`: printed, then run unless --dry-run.
act() {
    printf '+ %s\n' "$*"
    ((dry_run)) || "$@"
}

# sd_booted(3): systemd is PID 1 (false in most containers and under --root).
systemd_running() { [[ -z $root && -d /run/systemd/system ]]; }

need_root() {
    if [[ -z $root && $dry_run -eq 0 && $EUID -ne 0 ]]; then
        die "must run as root to install into / (or use --root DIR, or --dry-run)"
    fi
}

# The unit with ExecStart= and Documentation= moved to the prefix, written to $1.
render_unit() {
    sed -e "s|/usr/local/bin/ordersync|$bin_path|g" \
        -e "s|/usr/local/share/doc/ordersync|${doc_path%/README.md}|g" \
        "$repo/deploy/ordersync.service" >"$1"
}

# A dynamically linked build needs the Swift runtime libraries at run time, and
# the unit hides /home and /root (ProtectHome=yes), where toolchain managers such
# as swiftly put them. Refuse a binary that could not start as the service.
check_libraries() {
    command -v ldd >/dev/null || return 0
    local libraries missing hidden
    libraries=$(ldd "$1" 2>/dev/null) || return 0  # not a dynamic executable
    missing=$(awk '/not found/ {print $1}' <<<"$libraries" | tr '\n' ' ')
    hidden=$(awk '$3 ~ "^/(home|root)/" {print $3}' <<<"$libraries" | tr '\n' ' ')
    local hint="build with 'swift build -c release --static-swift-stdlib', or install the Swift runtime under /usr or /opt"
    [[ -z $missing ]] || die "$1 needs libraries this host lacks: $missing($hint)"
    [[ -z $hidden ]] || die "$1 loads libraries from /home or /root, which the service cannot see: $hidden($hint)"
}

do_install() {
    need_root
    local binary=$repo/.build/release/ordersync

    if ((build)); then
        command -v swift >/dev/null || die "swift not found (install a toolchain, or use --no-build)"
        act swift build -c release --package-path "$repo"
    fi
    if [[ ! -x $binary ]]; then
        if ((dry_run)) && ((build)); then
            echo "  (the build would produce $binary)"
        else
            die "no executable at $binary (build first, or drop --no-build)"
        fi
    fi

    [[ -x $binary ]] && check_libraries "$binary"

    # The binary: copy beside the old one, then rename over it, so a running
    # daemon keeps its file and a crash mid-copy leaves the old binary intact.
    act install -d -m 0755 "$(at "$prefix/bin")"
    act install -m 0755 "$binary" "$(at "$bin_path").new"
    act mv -f "$(at "$bin_path").new" "$(at "$bin_path")"

    act install -D -m 0644 "$repo/deploy/README.md" "$(at "$doc_path")"

    local rendered=$scratch/ordersync.service
    render_unit "$rendered"
    echo "  (unit: ExecStart=$(sed -n 's/^ExecStart=//p' "$rendered"))"
    act install -D -m 0644 "$rendered" "$(at "$unit_path")"

    act install -D -m 0644 "$repo/deploy/ordersync.logrotate" "$(at "$logrotate_path")"

    # config.json holds no secrets (they are credentials) and must be readable
    # by the service's dynamic user, hence 0644.
    act install -d -m 0755 "$(at "$config_dir")"
    if [[ -e $(at "$config_dir/config.json") ]]; then
        echo "  (keeping existing $config_dir/config.json)"
    elif [[ -f $repo/Config/example.json ]]; then
        act install -m 0644 "$repo/Config/example.json" "$(at "$config_dir/config.json")"
    else
        echo "install.sh: warning: no Config/example.json; write $config_dir/config.json yourself" >&2
    fi

    # Read by systemd as root and copied into the service's private
    # $CREDENTIALS_DIRECTORY; nobody else needs to see them.
    act install -d -m 0700 "$(at "$credentials_dir")"
    local name
    for name in "${credentials[@]}"; do
        if [[ ! -e $(at "$credentials_dir/$name") ]]; then
            act install -m 0600 /dev/null "$(at "$credentials_dir/$name")"
        fi
    done

    if systemd_running; then
        act systemctl daemon-reload
        if systemctl is-active --quiet ordersync.service; then
            echo "ordersync is running the old binary: systemctl restart ordersync"
        else
            echo "next: fill $credentials_dir/*, edit $config_dir/config.json,"
            echo "      ordersync --config $config_dir/config.json check-config,"
            echo "      systemctl enable --now ordersync"
        fi
    elif [[ -n $root ]]; then
        echo "  (--root: skipping systemctl daemon-reload)"
    else
        echo "  (systemd is not running here: skipping systemctl daemon-reload)"
    fi
}

do_uninstall() {
    need_root
    if systemd_running && systemctl list-unit-files ordersync.service >/dev/null 2>&1; then
        act systemctl disable --now ordersync.service || true
    fi

    local path
    for path in "$bin_path" "$doc_path" "$unit_path" "$logrotate_path"; do
        if [[ -e $(at "$path") || -L $(at "$path") ]]; then
            act rm -f "$(at "$path")"
        fi
    done
    if [[ -d $(at "${doc_path%/README.md}") ]]; then
        act rmdir --ignore-fail-on-non-empty "$(at "${doc_path%/README.md}")"
    fi

    if ((purge)); then
        # DynamicUser=: the real directories live under private/, the
        # /var/lib and /var/log entries are symlinks to them.
        for path in "$config_dir" /var/lib/ordersync /var/lib/private/ordersync \
            /var/log/ordersync /var/log/private/ordersync; do
            if [[ -e $(at "$path") || -L $(at "$path") ]]; then
                act rm -rf --one-file-system -- "$(at "$path")"
            fi
        done
    else
        echo "  (kept $config_dir, /var/lib/ordersync and /var/log/ordersync; --purge removes them)"
    fi

    if systemd_running; then
        act systemctl daemon-reload
    fi
}

if ((uninstall)); then do_uninstall; else do_install; fi
