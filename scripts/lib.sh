# shellcheck shell=bash
# Shared helpers for run.sh and test.sh. Source it; do not execute it.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/scripts/lib.sh"
#
# Functions:
#   info / warn / die              messages on stderr (die exits 1)
#   require_command CMD [HINT]     exit with a clear message when CMD is missing
#   ensure_postgres_binaries [MAJOR]
#                                  find (or, as root, install) the PostgreSQL server binaries;
#                                  exports PG_BIN
#   run_as_postgres CMD [ARGS...]  run CMD as the postgres user when we are root, directly otherwise
#   port_in_use PORT [HOST]        true when something accepts TCP connections on HOST:PORT
#   http_status URL [CURL ARGS...] print the HTTP status code of URL (000 when unreachable)
#   wait_for_http [--timeout S] [--pid PID] [--expect TEXT] [--name NAME] URL [-- CURL ARGS...]
#                                  wait until URL answers 200 (and its body contains TEXT)

# Guard against double sourcing.
if [[ -n "${MERCHANT_LIB_SOURCED:-}" ]]; then
    return 0
fi
MERCHANT_LIB_SOURCED=1

info() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

require_command() {
    local cmd="$1" hint="${2:-}"
    if ! command -v "$cmd" >/dev/null 2>&1; then
        if [[ -n "$hint" ]]; then
            die "'$cmd' is required but was not found. $hint"
        fi
        die "'$cmd' is required but was not found on PATH."
    fi
}

# Prints the newest /usr/lib/postgresql/<major>/bin that holds initdb and pg_ctl,
# or /usr/lib/postgresql/<MAJOR>/bin when MAJOR is given and present. Prints nothing if none.
_find_postgres_bin() {
    local want="${1:-}" dir
    if [[ -n "$want" ]]; then
        dir="/usr/lib/postgresql/$want/bin"
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            printf '%s\n' "$dir"
        fi
        return 0
    fi
    local best=""
    # Version-sort the candidates so 15 < 16 < 100; take the last one that is complete.
    while IFS= read -r dir; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            best="$dir"
        fi
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V)
    if [[ -n "$best" ]]; then
        printf '%s\n' "$best"
    fi
}

# ensure_postgres_binaries [MAJOR]
# Exports PG_BIN: the directory holding initdb, pg_ctl, postgres, psql, createdb.
# Order of preference: $MERCHANT_PG_BIN when it is set and complete; /usr/lib/postgresql/MAJOR/bin
# when MAJOR is given (an existing cluster needs the binaries of its own major version);
# the newest /usr/lib/postgresql/*/bin. When nothing is found, root installs Debian's
# `postgresql` package; anyone else is told what to install.
ensure_postgres_binaries() {
    local want="${1:-}" found=""

    if [[ -n "${MERCHANT_PG_BIN:-}" ]]; then
        if [[ -x "$MERCHANT_PG_BIN/initdb" && -x "$MERCHANT_PG_BIN/pg_ctl" ]]; then
            PG_BIN="$MERCHANT_PG_BIN"
            export PG_BIN
            return 0
        fi
        warn "MERCHANT_PG_BIN=$MERCHANT_PG_BIN does not contain initdb and pg_ctl; looking elsewhere."
    fi

    found="$(_find_postgres_bin "$want")"
    if [[ -z "$found" && -n "$want" ]]; then
        local any
        any="$(_find_postgres_bin)"
        if [[ -n "$any" ]]; then
            die "the local cluster was created by PostgreSQL $want, but only $any is installed.
       Install PostgreSQL $want (e.g. 'apt-get install postgresql-$want'), or reset the
       local data with 'rm -rf .local/pgdata' (this deletes it) and run again."
        fi
    fi

    if [[ -z "$found" ]]; then
        if [[ "${EUID:-$(id -u)}" -eq 0 ]]; then
            if ! command -v apt-get >/dev/null 2>&1; then
                die "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql
       and apt-get is not available. Install the PostgreSQL server with your package manager,
       or point MERCHANT_PG_BIN at the directory holding initdb and pg_ctl."
            fi
            info "PostgreSQL server binaries not found; installing Debian's 'postgresql' package (apt-get)..."
            DEBIAN_FRONTEND=noninteractive apt-get update ||
                die "apt-get update failed; install the 'postgresql' package by hand."
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql ||
                die "apt-get install postgresql failed; install it by hand."
            found="$(_find_postgres_bin "$want")"
            [[ -n "$found" ]] ||
                die "installed 'postgresql' but still found no initdb/pg_ctl under /usr/lib/postgresql/*/bin."
        else
            die "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin.
       Install them with:   sudo apt-get install postgresql
       (or point MERCHANT_PG_BIN at the directory holding initdb and pg_ctl), then run this again."
        fi
    fi

    PG_BIN="$found"
    export PG_BIN
}

# run_as_postgres CMD [ARGS...]
# PostgreSQL refuses to run as root, so as root run CMD as the `postgres` user
# (created by Debian's postgresql package); as anyone else run it directly.
# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
# Exports MERCHANT_CHROMIUM. Installs the 'chromium' package with apt-get when missing and root.
ensure_chromium() {
    local found="${MERCHANT_CHROMIUM:-}"
    [[ -n "$found" && -x "$found" ]] || found="$(command -v chromium || true)"
    if [[ -z "$found" ]]; then
        if [[ "${EUID:-$(id -u)}" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
            info "Chromium not found; installing Debian's 'chromium' package for the browser tests (apt-get)..."
            DEBIAN_FRONTEND=noninteractive apt-get update ||
                die "apt-get update failed; install the 'chromium' package by hand."
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium ||
                die "apt-get install chromium failed; install it by hand."
            found="$(command -v chromium || true)"
        fi
        [[ -n "$found" ]] || die "Chromium is needed by the browser tests: sudo apt-get install chromium
       (or point MERCHANT_CHROMIUM at a Chromium binary)."
    fi
    MERCHANT_CHROMIUM="$found"
    export MERCHANT_CHROMIUM
}

run_as_postgres() {
    if [[ "${EUID:-$(id -u)}" -ne 0 ]]; then
        "$@"
        return
    fi
    if ! id -u postgres >/dev/null 2>&1; then
        die "running as root, but there is no 'postgres' user to run PostgreSQL as.
       Install Debian's 'postgresql' package (it creates the user) or run this as a normal user."
    fi
    if command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        # su needs one command string: quote every argument.
        local quoted
        quoted="$(printf '%q ' "$@")"
        su postgres -s /bin/sh -c "$quoted"
    fi
}

# port_in_use PORT [HOST]
port_in_use() {
    local port="$1" host="${2:-127.0.0.1}"
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# http_status URL [CURL ARGS...]  -> prints e.g. 200, or 000 when nothing answers.
http_status() {
    local url="$1"
    shift
    curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 "$@" "$url" 2>/dev/null || true
}

# wait_for_http [--timeout S] [--pid PID] [--expect TEXT] [--name NAME] URL [-- CURL ARGS...]
# Polls URL until it answers HTTP 200 (and, with --expect, the body contains TEXT).
# With --pid, gives up as soon as that process has exited. Returns 1 on timeout or exit.
wait_for_http() {
    local timeout=60 pid="" expect="" name="" url=""
    while (($# > 0)); do
        case "$1" in
            --timeout) timeout="$2"; shift 2 ;;
            --pid) pid="$2"; shift 2 ;;
            --expect) expect="$2"; shift 2 ;;
            --name) name="$2"; shift 2 ;;
            --) shift; break ;;
            *)
                if [[ -z "$url" ]]; then
                    url="$1"
                    shift
                else
                    break
                fi
                ;;
        esac
    done
    [[ -n "$url" ]] || die "wait_for_http: no URL given"
    name="${name:-$url}"
    require_command curl "Install it with: apt-get install curl"

    local deadline=$((SECONDS + timeout)) body status tmp
    tmp="$(mktemp)"
    while :; do
        status="$(curl -s -o "$tmp" -w '%{http_code}' --connect-timeout 2 --max-time 5 "$@" "$url" 2>/dev/null || true)"
        if [[ "$status" == "200" ]]; then
            if [[ -z "$expect" ]]; then
                rm -f "$tmp"
                return 0
            fi
            body="$(cat "$tmp")"
            if [[ "$body" == *"$expect"* ]]; then
                rm -f "$tmp"
                return 0
            fi
        fi
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$tmp"
            warn "$name: the process (PID $pid) exited before $url was ready."
            return 1
        fi
        if ((SECONDS >= deadline)); then
            rm -f "$tmp"
            warn "$name: $url was not ready after ${timeout}s (last HTTP status: ${status:-none})."
            return 1
        fi
        sleep 1
    done
}
