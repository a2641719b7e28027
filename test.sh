#!/usr/bin/env bash
# Runs every test in the solution (Release) and ends with one summary line:
#   N passed, N failed[, N skipped]
# Exits non-zero when `dotnet test` fails or when no test ran.
#
#   ./test.sh                         all tests
#   ./test.sh --filter 'FullyQualifiedName~Checkout'   extra arguments go to `dotnet test`
#
# The integration tests start their own throwaway PostgreSQL cluster from MERCHANT_PG_BIN
# (set here to the newest /usr/lib/postgresql/*/bin; installed with apt-get when missing and root),
# or a Testcontainers postgres:15 where a Docker engine answers; they print which (docs/running.md);
# the browser tests drive Debian's Chromium (MERCHANT_CHROMIUM; installed the same way).
# The full output is also written to .local/test.log.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

export DOTNET_NOLOGO=1

require_command dotnet "Install the .NET 10 SDK (see global.json)."

ensure_postgres_binaries "" # newest installed major version
export MERCHANT_PG_BIN="$PG_BIN"
info "PostgreSQL binaries for the test fixture: MERCHANT_PG_BIN=$MERCHANT_PG_BIN"
ensure_chromium
info "Chromium for the browser tests: MERCHANT_CHROMIUM=$MERCHANT_CHROMIUM"

mkdir -p "$ROOT/.local"
LOG="$ROOT/.local/test.log"

info "Running: dotnet test Merchant.sln -c Release -m:1 --logger \"console;verbosity=normal\" $*"
set +e
dotnet test Merchant.sln -c Release -m:1 --logger "console;verbosity=normal" "$@" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e

# Per test assembly, dotnet test (VSTest) prints one of two summaries, depending on verbosity:
#   minimal:  Passed!  - Failed:     0, Passed:   296, Skipped:     0, Total:   296, Duration: 2 s - X.Tests.dll (net10.0)
#             Failed!  - Failed:     1, Passed:    12, Skipped:     2, Total:    15, Duration: 1 s - Y.Tests.dll (net10.0)
#   normal:   Test Run Failed.
#             Total tests: 15
#                  Passed: 12
#                  Failed: 1
#                 Skipped: 2
#              Total time: 1.2 Seconds
# (in the normal block a count of zero is left out). Sum whichever form is present.
line_re='[A-Za-z]+!  *- *Failed: *([0-9]+), *Passed: *([0-9]+), *Skipped: *([0-9]+), *Total: *[0-9]+'
block_start_re='^Total tests: *[0-9]+'
block_count_re='^ +(Passed|Failed|Skipped): *([0-9]+) *$'
block_end_re='^ +Total time:'
l_passed=0 l_failed=0 l_skipped=0 l_assemblies=0
b_passed=0 b_failed=0 b_skipped=0 b_assemblies=0
in_block=0
while IFS= read -r line; do
    line="${line%$'\r'}"
    if [[ "$line" =~ $line_re ]]; then
        l_failed=$((l_failed + BASH_REMATCH[1]))
        l_passed=$((l_passed + BASH_REMATCH[2]))
        l_skipped=$((l_skipped + BASH_REMATCH[3]))
        l_assemblies=$((l_assemblies + 1))
    elif [[ "$line" =~ $block_start_re ]]; then
        in_block=1
        b_assemblies=$((b_assemblies + 1))
    elif ((in_block)) && [[ "$line" =~ $block_count_re ]]; then
        case "${BASH_REMATCH[1]}" in
            Passed) b_passed=$((b_passed + BASH_REMATCH[2])) ;;
            Failed) b_failed=$((b_failed + BASH_REMATCH[2])) ;;
            Skipped) b_skipped=$((b_skipped + BASH_REMATCH[2])) ;;
        esac
    elif ((in_block)) && [[ "$line" =~ $block_end_re ]]; then
        in_block=0
    fi
done < <(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$LOG")

if ((l_assemblies > 0)); then
    passed=$l_passed failed=$l_failed skipped=$l_skipped assemblies=$l_assemblies
else
    passed=$b_passed failed=$b_failed skipped=$b_skipped assemblies=$b_assemblies
fi

summary="$passed passed, $failed failed"
if ((skipped > 0)); then
    summary+=", $skipped skipped"
fi

# CI shows only the end of this output, so the failed tests are repeated here, each with its error message and the
# first lines of its stack trace (VSTest prints "  Failed <name> [<time>]", then "  Error Message:", "  Stack Trace:").
if ((failed > 0)); then
    printf '\ntest.sh: the failed tests (whole output: .local/test.log)\n' >&2
    sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$LOG" | awk '
        /^  Failed [^ ]/ { shown = 1; stack = 0; n = 0; print; next }
        shown && /^  (Passed|Skipped) / { shown = 0; next }
        shown && /^  Stack Trace:/ { stack = 1 }
        shown && stack && /^  [A-Z][a-z]+( [A-Z][a-z]+)* Messages:/ { shown = 0; next }
        shown { if (++n <= (stack ? 30 : 40)) print }
        shown && stack && n > 30 { shown = 0 }
    ' | head -n 400 >&2
fi

status=0
if ((rc != 0)); then
    printf '\ntest.sh: dotnet test exited with code %s (full output: .local/test.log)\n' "$rc" >&2
    status=$rc
fi
if ((passed + failed == 0)); then
    printf '\ntest.sh: no test ran (%s test assembly summaries found in the output)\n' "$assemblies" >&2
    ((status != 0)) || status=1
fi

printf '\n%s\n' "$summary"
exit "$status"
