#!/usr/bin/env bash
# Runs the whole system locally: a PostgreSQL cluster under .local/pgdata, the platform
# simulator, the WeChat Pay simulator and the Merchant API. Ctrl-C stops everything this script started.
#
#   ./run.sh              build (Release), start everything, stay in the foreground
#   ./run.sh --check      start everything, wait until ready, print the URLs, stop, exit 0
#   ./run.sh --no-build   skip the build (use the existing Release binaries)
#   ./run.sh --provider wechatpay|sandbox
#                         who takes the payments of new checkouts (default sandbox): the sandbox's
#                         pay buttons, or WeChat Pay Native (a QR code) through the WeChat Pay simulator
#
# Environment overrides:
#   MERCHANT_PG_PORT        PostgreSQL port            (default 54329)
#   MERCHANT_API_PORT       Merchant API port          (default 5000)
#   SIM_PORT                platform simulator port    (default 5080)
#   WXSIM_PORT              WeChat Pay simulator port  (default 5090)
#   MERCHANT_PAYMENT_PROVIDER  payment provider, as --provider (which wins)
#   MERCHANT_READY_TIMEOUT  seconds to wait for each service to be ready (default 60)
#   MERCHANT_PG_BIN         directory holding initdb/pg_ctl (default: newest /usr/lib/postgresql/*/bin)
# Any ConnectionStrings__Merchant / Platform__* / Merchant__* / Auth__* / Payments__WeChatPay__* /
# Demo__* variable already set in the environment is passed to the API unchanged (see docs/running.md).
# The WeChat Pay keys of the local run are throwaway TEST keys made with openssl in .local/wechatpay.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

usage() {
    # The comment block at the top of this file.
    sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p;}' "$ROOT/run.sh"
}

CHECK=0
BUILD=1
PROVIDER="${MERCHANT_PAYMENT_PROVIDER:-sandbox}"
while (($# > 0)); do
    case "$1" in
        --check) CHECK=1 ;;
        --no-build) BUILD=0 ;;
        --provider)
            (($# > 1)) || die "--provider needs a value: wechatpay or sandbox"
            PROVIDER="$2"
            shift
            ;;
        --provider=*) PROVIDER="${1#--provider=}" ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            die "unknown argument: $1"
            ;;
    esac
    shift
done

# The API's Payments:Provider spelling of each choice.
case "${PROVIDER,,}" in
    sandbox) PROVIDER=sandbox PAYMENTS_PROVIDER=Sandbox ;;
    wechatpay) PROVIDER=wechatpay PAYMENTS_PROVIDER=WeChatPay ;;
    *) die "unknown payment provider '$PROVIDER' (--provider / MERCHANT_PAYMENT_PROVIDER): use wechatpay or sandbox" ;;
esac

PG_PORT="${MERCHANT_PG_PORT:-54329}"
API_PORT="${MERCHANT_API_PORT:-5000}"
SIM_PORT="${SIM_PORT:-5080}"
WXSIM_PORT="${WXSIM_PORT:-5090}"
READY_TIMEOUT="${MERCHANT_READY_TIMEOUT:-60}"
for v in PG_PORT API_PORT SIM_PORT WXSIM_PORT READY_TIMEOUT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a number (got '${!v}')"
done

LOCAL_DIR="$ROOT/.local"
PGDATA_DIR="$LOCAL_DIR/pgdata"
PGSOCK_DIR="$LOCAL_DIR/pgsock"
PG_LOG="$LOCAL_DIR/postgres.log"
SIM_LOG="$LOCAL_DIR/simulator.log"
WXSIM_LOG="$LOCAL_DIR/wechatpay-sim.log"
API_LOG="$LOCAL_DIR/api.log"

SIM_DLL="src/Vending.Platform.Simulator/bin/Release/net10.0/Vending.Platform.Simulator.dll"
WXSIM_DLL="src/WeChatPay.Simulator/bin/Release/net10.0/WeChatPay.Simulator.dll"
API_DLL="src/Merchant.Api/bin/Release/net10.0/Merchant.Api.dll"

API_URL="http://127.0.0.1:$API_PORT"
SIM_URL="http://127.0.0.1:$SIM_PORT"
WXSIM_URL="http://127.0.0.1:$WXSIM_PORT"
# The simulator's demo credentials (the Development defaults of Platform:AppId / AppSecret).
SIM_APP_ID="demo-app"
SIM_APP_SECRET="demo-secret"

# The local WeChat Pay merchant, the same on both sides. The keys are generated per clone (ensure_wechatpay_keys);
# the ids are fixed so logs and curl examples stay the same from run to run.
WX_DIR="$LOCAL_DIR/wechatpay"
WX_MCH_ID="1230000109"
WX_APP_ID="wxd678efh567hg6787"
WX_CERT_SERIAL="10CA1DEF00000000000000000000000000000001"
WX_PUBLIC_KEY_ID="PUB_KEY_ID_0112300001092026010100000000000001"
WX_APIV3_KEY=""

export DOTNET_NOLOGO=1

IS_ROOT=0
if [[ "${EUID:-$(id -u)}" -eq 0 ]]; then
    IS_ROOT=1
fi

API_PID=""
SIM_PID=""
WXSIM_PID=""
PG_STARTED=0
TEMP_SOCK_DIR=""
CLEANED=0

# ---------------------------------------------------------------------------------------------
# Stopping
# ---------------------------------------------------------------------------------------------

# stop_process NAME PID: SIGTERM, wait up to 15 s, then SIGKILL. Only ever the PID we started.
stop_process() {
    local name="$1" pid="$2" i
    [[ -n "$pid" ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        info "Stopping $name (PID $pid)..."
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 150; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            warn "$name (PID $pid) did not stop within 15 s; killing it."
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
}

stop_postgres() {
    [[ "$PG_STARTED" -eq 1 ]] || return 0
    PG_STARTED=0
    info "Stopping PostgreSQL (pg_ctl stop -m fast)..."
    if ! run_as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null 2>&1; then
        # A Ctrl-C in the terminal also reaches the postmaster, which then shuts down by itself;
        # only complain when it is really still running.
        if postmaster_pid >/dev/null; then
            warn "PostgreSQL did not stop cleanly; see $PG_LOG"
        fi
    fi
}

cleanup() {
    ((CLEANED == 0)) || return 0
    CLEANED=1
    trap '' INT TERM # a second Ctrl-C must not interrupt the shutdown half-way
    set +e
    stop_process "api" "$API_PID"
    stop_process "simulator" "$SIM_PID"
    stop_process "WeChat Pay simulator" "$WXSIM_PID"
    stop_postgres
    if [[ -n "$TEMP_SOCK_DIR" ]]; then
        rm -rf "$TEMP_SOCK_DIR"
    fi
}

# shellcheck disable=SC2317 # invoked by the traps below
on_signal() {
    local sig="$1" code="$2"
    printf '\n' >&2
    info "Caught SIG$sig; stopping everything..."
    cleanup
    trap - EXIT
    exit "$code"
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

show_tail() {
    local file="$1" lines="${2:-40}"
    if [[ -s "$file" ]]; then
        printf '\n----- last %s lines of %s -----\n' "$lines" "${file#"$ROOT"/}" >&2
        tail -n "$lines" "$file" >&2
        printf -- '-----\n' >&2
    fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

# Prints the PID of the postmaster serving .local/pgdata when it is really running.
# A postmaster.pid left by an unclean stop may name a PID that now belongs to another process,
# so besides "is it alive" check that the process works in our data directory.
postmaster_pid() {
    local pidfile="$PGDATA_DIR/postmaster.pid" pid="" cwd=""
    [[ -f "$pidfile" ]] || return 1
    read -r pid <"$pidfile" 2>/dev/null || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
    if [[ -n "$cwd" && "$cwd" != "$PGDATA_DIR" ]]; then
        return 1
    fi
    printf '%s\n' "$pid"
}

# Makes a directory usable by the postgres user when we are root.
give_to_postgres() {
    local dir="$1"
    if ((IS_ROOT)) && [[ "$(stat -c %U "$dir")" != "postgres" ]]; then
        chown -R postgres:postgres "$dir"
    fi
}

prepare_pg_dirs() {
    mkdir -p "$LOCAL_DIR" "$PGDATA_DIR"
    chmod 700 "$PGDATA_DIR" 2>/dev/null || true

    # Unix socket paths are limited to ~107 bytes; fall back to a short temporary directory.
    if ((${#PGSOCK_DIR} > 90)); then
        TEMP_SOCK_DIR="$(mktemp -d /tmp/merchant-pgsock.XXXXXX)"
        PGSOCK_DIR="$TEMP_SOCK_DIR"
    fi
    mkdir -p "$PGSOCK_DIR"
    touch "$PG_LOG"

    if ((IS_ROOT)); then
        # The postgres user must be able to reach .local and write its own files there.
        chmod go+x "$LOCAL_DIR"
        give_to_postgres "$PGDATA_DIR"
        give_to_postgres "$PGSOCK_DIR"
        chown postgres:postgres "$PG_LOG"
        if ! run_as_postgres test -w "$PGDATA_DIR"; then
            die "the postgres user cannot reach $PGDATA_DIR.
       Every directory above the repository must be searchable by others (chmod o+x),
       or move the repository somewhere like /work or /srv."
        fi
    fi
}

start_postgres() {
    local pg_major="" pid
    if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then
        pg_major="$(<"$PGDATA_DIR/PG_VERSION")"
    fi
    ensure_postgres_binaries "$pg_major"
    info "Using PostgreSQL binaries from $PG_BIN"
    prepare_pg_dirs

    if [[ ! -f "$PGDATA_DIR/PG_VERSION" ]]; then
        if [[ -n "$(ls -A "$PGDATA_DIR")" ]]; then
            die "$PGDATA_DIR exists but holds no PostgreSQL cluster (an interrupted first run?).
       Remove it with 'rm -rf .local/pgdata' and run again."
        fi
        info "First run: creating a PostgreSQL cluster in .local/pgdata..."
        if ! run_as_postgres "$PG_BIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres -E UTF8 --no-locale \
            >"$LOCAL_DIR/initdb.log" 2>&1; then
            show_tail "$LOCAL_DIR/initdb.log"
            rm -rf "${PGDATA_DIR:?}"/* 2>/dev/null || true
            die "initdb failed (full output in .local/initdb.log)."
        fi
    fi

    if pid="$(postmaster_pid)"; then
        # Left running by another ./run.sh (or a killed one). Reuse it, but do not stop it at exit.
        if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
            local as_pg=""
            ((IS_ROOT == 0)) || as_pg="runuser -u postgres -- "
            die "PostgreSQL for .local/pgdata is already running (PID $pid) but not on port $PG_PORT.
       Stop it with: $as_pg$PG_BIN/pg_ctl -D .local/pgdata stop"
        fi
        warn "PostgreSQL for .local/pgdata is already running (PID $pid); reusing it and leaving it running."
    else
        if [[ -f "$PGDATA_DIR/postmaster.pid" ]]; then
            warn "Removing a stale postmaster.pid left by an unclean stop."
            rm -f "$PGDATA_DIR/postmaster.pid"
            rm -f "$PGSOCK_DIR/.s.PGSQL.$PG_PORT" "$PGSOCK_DIR/.s.PGSQL.$PG_PORT.lock"
        fi
        if port_in_use "$PG_PORT"; then
            die "port $PG_PORT is already in use; stop whatever listens there or set MERCHANT_PG_PORT."
        fi
        info "Starting PostgreSQL on 127.0.0.1:$PG_PORT (log: .local/postgres.log)..."
        PG_STARTED=1
        if ! run_as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" \
            -o "-p $PG_PORT -k '$PGSOCK_DIR' -c listen_addresses=127.0.0.1" -w -t 60 start >/dev/null; then
            show_tail "$PG_LOG"
            die "PostgreSQL did not start (see .local/postgres.log)."
        fi
    fi

    local exists
    exists="$(PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tA \
        -c "SELECT 1 FROM pg_database WHERE datname = 'merchant'")" ||
        die "could not connect to PostgreSQL on 127.0.0.1:$PG_PORT."
    if [[ "$exists" != "1" ]]; then
        info "Creating database 'merchant'..."
        PGCONNECT_TIMEOUT=5 "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres merchant
    fi
}

# ---------------------------------------------------------------------------------------------
# .NET processes
# ---------------------------------------------------------------------------------------------

# Copies a process's output to its log file and to the terminal with a [name] prefix.
prefix_log() {
    local name="$1" file="$2"
    tee -a "$file" | sed -u "s/^/[$name] /"
}

# The simulators start in the background while PostgreSQL starts; wait_for_simulators then checks both.
launch_simulator() {
    [[ -f "$SIM_DLL" ]] || die "$SIM_DLL is missing; build with 'dotnet build src/Vending.Platform.Simulator -c Release' (or drop --no-build)."
    if port_in_use "$SIM_PORT"; then
        die "port $SIM_PORT is already in use; stop whatever listens there or set SIM_PORT."
    fi
    info "Starting the platform simulator on $SIM_URL (log: .local/simulator.log)..."
    : >"$SIM_LOG"
    # Runs from its own output directory, so the API's appsettings.json at the root is not its config.
    # Its ids start from minutes since 2026 × 1000: the database in .local/pgdata outlives the simulator, and a restarted
    # simulator numbering orders from 1001 again would hand out order ids other trades already hold.
    local id_base=$(( ($(date +%s) - 1767225600) / 60 * 1000 ))
    (cd "$(dirname "$SIM_DLL")" && Simulator__IdBase="$id_base" exec dotnet "$(basename "$SIM_DLL")" --urls "$SIM_URL") \
        > >(prefix_log sim "$SIM_LOG") 2>&1 </dev/null &
    SIM_PID=$!
}

# Throwaway TEST keys for the local WeChat Pay merchant, made once per clone: the merchant's pair (the API signs
# with the private key, the simulator checks with the public one) and the simulator's own (it signs its answers and
# notifications, the API checks them), plus the APIv3 key. Nothing outside the repository is needed.
ensure_wechatpay_keys() {
    local name
    mkdir -p "$WX_DIR"
    chmod 700 "$WX_DIR"
    for name in merchant wechatpay; do
        if [[ ! -s "$WX_DIR/${name}_private.pem" ]]; then
            require_command openssl "Install it with: apt-get install openssl"
            info "First run: generating a throwaway TEST $name key pair in .local/wechatpay..."
            rm -f "$WX_DIR/${name}_public.pem"
            # PKCS#8 (BEGIN PRIVATE KEY), the form Payments:WeChatPay:PrivateKeyPath takes.
            (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WX_DIR/${name}_private.pem.tmp" 2>/dev/null) ||
                die "openssl could not generate a key in $WX_DIR."
            mv "$WX_DIR/${name}_private.pem.tmp" "$WX_DIR/${name}_private.pem"
        fi
        if [[ ! -s "$WX_DIR/${name}_public.pem" ]]; then
            require_command openssl "Install it with: apt-get install openssl"
            openssl pkey -in "$WX_DIR/${name}_private.pem" -pubout -out "$WX_DIR/${name}_public.pem" 2>/dev/null ||
                die "$WX_DIR/${name}_private.pem is not a usable key; remove .local/wechatpay and run again."
        fi
    done
    if [[ ! -s "$WX_DIR/apiv3.key" ]]; then
        require_command openssl "Install it with: apt-get install openssl"
        (umask 077 && openssl rand -hex 16 >"$WX_DIR/apiv3.key")
    fi
    WX_APIV3_KEY="$(<"$WX_DIR/apiv3.key")"
    [[ "$WX_APIV3_KEY" =~ ^[0-9a-f]{32}$ ]] || die "$WX_DIR/apiv3.key is not 32 hex digits; remove .local/wechatpay and run again."
}

launch_wechatpay_simulator() {
    [[ -f "$WXSIM_DLL" ]] || die "$WXSIM_DLL is missing; build with 'dotnet build src/WeChatPay.Simulator -c Release' (or drop --no-build)."
    if port_in_use "$WXSIM_PORT"; then
        die "port $WXSIM_PORT is already in use; stop whatever listens there or set WXSIM_PORT."
    fi
    ensure_wechatpay_keys
    info "Starting the WeChat Pay simulator on $WXSIM_URL (log: .local/wechatpay-sim.log)..."
    : >"$WXSIM_LOG"
    # Settings in the environment, not on the command line, where ps would show the APIv3 key.
    (
        cd "$(dirname "$WXSIM_DLL")"
        export WeChatPaySim__MchId="$WX_MCH_ID"
        export WeChatPaySim__AppId="$WX_APP_ID"
        export WeChatPaySim__ApiV3Key="$WX_APIV3_KEY"
        export WeChatPaySim__MerchantPublicKeyPath="$WX_DIR/merchant_public.pem"
        export WeChatPaySim__MerchantCertificateSerial="$WX_CERT_SERIAL"
        export WeChatPaySim__PrivateKeyPath="$WX_DIR/wechatpay_private.pem"
        export WeChatPaySim__PublicKeyId="$WX_PUBLIC_KEY_ID"
        exec dotnet "$(basename "$WXSIM_DLL")" --urls "$WXSIM_URL"
    ) > >(prefix_log wxsim "$WXSIM_LOG") 2>&1 </dev/null &
    WXSIM_PID=$!
}

wait_for_simulators() {
    if ! wait_for_http --timeout "$READY_TIMEOUT" --pid "$SIM_PID" --expect pong --name simulator \
        "$SIM_URL/api/openapi/v1/ping" -- -X POST -H "Appid: $SIM_APP_ID" -H "AppSecret: $SIM_APP_SECRET"; then
        show_tail "$SIM_LOG"
        die "the simulator did not answer its ping (see .local/simulator.log)."
    fi
    info "Simulator is up (PID $SIM_PID)."
    # Ready means serving the public key the API is given: the simulator's own key from .local/wechatpay.
    if ! wait_for_http --timeout "$READY_TIMEOUT" --pid "$WXSIM_PID" --expect "$WX_PUBLIC_KEY_ID" --name "WeChat Pay simulator" \
        "$WXSIM_URL/_sim/keys"; then
        show_tail "$WXSIM_LOG"
        die "the WeChat Pay simulator did not serve its keys (see .local/wechatpay-sim.log)."
    fi
    info "WeChat Pay simulator is up (PID $WXSIM_PID)."
}

start_api() {
    [[ -f "$API_DLL" ]] || die "$API_DLL is missing; build with 'dotnet build src/Merchant.Api -c Release' (or drop --no-build)."
    [[ -f "$ROOT/appsettings.json" ]] || warn "appsettings.json is missing at the repository root."
    if port_in_use "$API_PORT"; then
        die "port $API_PORT is already in use; stop whatever listens there or set MERCHANT_API_PORT."
    fi
    info "Starting the Merchant API on $API_URL (log: .local/api.log)..."
    : >"$API_LOG"
    # Working directory = repository root, so the root appsettings.json is the configuration file.
    (
        cd "$ROOT"
        export ASPNETCORE_ENVIRONMENT=Development
        export ConnectionStrings__Merchant="${ConnectionStrings__Merchant:-Host=127.0.0.1;Port=$PG_PORT;Database=merchant;Username=postgres}"
        export Platform__BaseUrl="${Platform__BaseUrl:-$SIM_URL}"
        export Merchant__PublicBaseUrl="${Merchant__PublicBaseUrl:-$API_URL}"
        export Payments__Provider="$PAYMENTS_PROVIDER"
        # WeChat Pay is configured whichever provider takes new checkouts, so its trades still under way can settle.
        export Payments__WeChatPay__BaseUrl="${Payments__WeChatPay__BaseUrl:-$WXSIM_URL}"
        export Payments__WeChatPay__MchId="${Payments__WeChatPay__MchId:-$WX_MCH_ID}"
        export Payments__WeChatPay__AppId="${Payments__WeChatPay__AppId:-$WX_APP_ID}"
        export Payments__WeChatPay__ApiV3Key="${Payments__WeChatPay__ApiV3Key:-$WX_APIV3_KEY}"
        export Payments__WeChatPay__PrivateKeyPath="${Payments__WeChatPay__PrivateKeyPath:-$WX_DIR/merchant_private.pem}"
        export Payments__WeChatPay__CertificateSerial="${Payments__WeChatPay__CertificateSerial:-$WX_CERT_SERIAL}"
        export Payments__WeChatPay__PublicKeyId="${Payments__WeChatPay__PublicKeyId:-$WX_PUBLIC_KEY_ID}"
        export Payments__WeChatPay__PublicKeyPath="${Payments__WeChatPay__PublicKeyPath:-$WX_DIR/wechatpay_public.pem}"
        export Demo__WeChatPaySimulatorUrl="${Demo__WeChatPaySimulatorUrl:-$WXSIM_URL}"
        # As the container image: every method JIT-compiled fully optimised (decision 0026).
        export DOTNET_ReadyToRun="${DOTNET_ReadyToRun:-0}"
        exec dotnet "$API_DLL" --urls "$API_URL"
    ) > >(prefix_log api "$API_LOG") 2>&1 </dev/null &
    API_PID=$!
    if ! wait_for_http --timeout "$READY_TIMEOUT" --pid "$API_PID" --name api "$API_URL/health/ready"; then
        show_tail "$API_LOG" 60
        show_tail "$SIM_LOG" 20
        show_tail "$WXSIM_LOG" 20
        show_tail "$PG_LOG" 20
        die "the API was not ready within ${READY_TIMEOUT}s ($API_URL/health/ready did not answer 200)."
    fi
    info "API is up (PID $API_PID)."
}

print_banner() {
    cat <<EOF

  Merchant system is running.

    Storefront demo   $API_URL/demo/   (payments: $PROVIDER)
    Swagger UI        $API_URL/swagger
    Health            $API_URL/health/ready
    Simulator state   $SIM_URL/_sim/state
    WeChat Pay (sim)  $WXSIM_URL/_sim/state   pay a trade: POST $WXSIM_URL/_sim/transactions/{trade_id}/pay
    PostgreSQL        Host=127.0.0.1;Port=$PG_PORT;Database=merchant;Username=postgres  (data: .local/pgdata)

    Storefront key    X-Api-Key: dev-storefront-key
    Ops key           X-Api-Key: dev-ops-key
    Platform (sim)    AppId $SIM_APP_ID / AppSecret $SIM_APP_SECRET / AppKey kva
    WeChat Pay (sim)  mchid $WX_MCH_ID / appid $WX_APP_ID / TEST keys in .local/wechatpay

    Logs              .local/api.log  .local/simulator.log  .local/wechatpay-sim.log  .local/postgres.log

EOF
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

require_command dotnet "Install the .NET 10 SDK (see global.json)."
require_command curl "Install it with: apt-get install curl"

if ((BUILD)); then
    # Only the three apps it runs (tests are test.sh's business): a fresh clone is up in about a minute.
    info "Building the API and the simulators in Release..."
    for project in src/Merchant.Api/Merchant.Api.csproj src/Vending.Platform.Simulator/Vending.Platform.Simulator.csproj \
        src/WeChatPay.Simulator/WeChatPay.Simulator.csproj; do
        if ! dotnet build "$project" -c Release -nologo -v quiet; then
            die "the build of $project failed; fix the errors above and run ./run.sh again."
        fi
    done
fi

mkdir -p "$LOCAL_DIR"
launch_simulator
launch_wechatpay_simulator
start_postgres
wait_for_simulators
start_api
print_banner

if ((CHECK)); then
    info "--check: everything is up; stopping it again."
    cleanup
    trap - EXIT
    info "--check passed."
    exit 0
fi

info "Press Ctrl-C to stop everything."
status=0
wait -n "$API_PID" "$SIM_PID" "$WXSIM_PID" || status=$?
if ! kill -0 "$API_PID" 2>/dev/null; then
    warn "the API (PID $API_PID) exited with status $status; stopping the rest."
elif ! kill -0 "$SIM_PID" 2>/dev/null; then
    warn "the simulator (PID $SIM_PID) exited with status $status; stopping the rest."
else
    warn "the WeChat Pay simulator (PID $WXSIM_PID) exited with status $status; stopping the rest."
fi
exit 1
