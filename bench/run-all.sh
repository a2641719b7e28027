#!/usr/bin/env bash
# Builds the API and the benchmarks in Release, then runs every benchmark (see bench/README.md).
#   bench/run-all.sh            full run (~15 minutes on 2 idle cores, ~30 on busy ones); results in bench/results/
#   bench/run-all.sh --smoke    every benchmark for a couple of seconds at tiny sizes, and the ops endpoints against 100 k seeded
#                               trades (CI); exits 0 unless something breaks
# Extra arguments are passed to every benchmark (e.g. --api-log-level Information).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build() {
  # Other builds may hold file locks in obj/: retry a transient failure a few times.
  local project=$1 attempt
  for attempt in 1 2 3 4; do
    if dotnet build -c Release --nologo -v quiet "$project"; then return 0; fi
    echo "build of $project failed (attempt $attempt); retrying" >&2
    sleep $((attempt * 5))
  done
  return 1
}

build src/Merchant.Api/Merchant.Api.csproj
build bench/Merchant.Bench/Merchant.Bench.csproj

bench=(dotnet bench/Merchant.Bench/bin/Release/net10.0/Merchant.Bench.dll)
if [[ " $* " == *" --smoke "* ]]; then
  exec timeout 300 "${bench[@]}" all "$@"
fi

mkdir -p bench/results
out="bench/results/run-all-$(date -u +%Y%m%d-%H%M%S).md"
{
  timeout 900 "${bench[@]}" checkout --connections 16,64,256 --duration 20s --warmup 10s "$@"
  timeout 600 "${bench[@]}" callbacks --machines 1000 --connections 64 --duration 15s "$@"
  timeout 600 "${bench[@]}" latency --trades 60 --rate 5 "$@"
  timeout 600 "${bench[@]}" latency --trades 300 --rate 25 "$@"
  timeout 900 "${bench[@]}" orchestration --machines 500 --trades-per-machine 4 --lines 2 --instances 1,3 "$@"
  timeout 600 "${bench[@]}" footprint --checkouts 10000 --duration 120s --connections 64 "$@"
  timeout 600 "${bench[@]}" burst --machines 40 --items 4 --device-ms 500 "$@"
  timeout 600 "${bench[@]}" profile --trades 200 "$@"
  timeout 3600 "${bench[@]}" ops --trades 0,1000000 --requests 200 "$@"
  timeout 1800 "${bench[@]}" retention --trades 200000 "$@"
} | tee "$out"
echo "all figures: $out" >&2
