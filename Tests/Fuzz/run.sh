#!/usr/bin/env bash
# Fuzzes every reader of the program with libFuzzer, the address sanitizer and a memory cap.
#   Tests/Fuzz/run.sh SECONDS [TARGET ...]     (targets: png jpeg idx cifar zip properties obj
#                                               transforms safetensors hdf5 checkpoint yaml overrides)
# Each target starts from its committed seed corpus (Tests/Fuzz/Corpus/<target>, read-only) and
# keeps what it finds under $FUZZ_OUT (default .build/fuzz-runs/<date>): corpus/, crash files, log.
# Targets run side by side, one per core. Exit status 1 when any target crashed.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?usage: run.sh SECONDS [TARGET ...]}
shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(png jpeg idx cifar zip properties obj transforms safetensors hdf5 checkpoint yaml overrides)
out=${FUZZ_OUT:-$PWD/.build/fuzz-runs/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address --product FuzzReaders 2>&1 | tail -1
binary=$PWD/.build/debug/FuzzReaders

fuzz_one() {
    local target=$1 seconds=$2 out=$3 binary=$4
    mkdir -p "$out/$target/corpus"
    cd "$out/$target"
    # Swift's crash reporter is slow under the fuzzer; leaks of the process's own caches are not bugs of an input.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 FUZZ_TARGET=$target \
        nice -n "${FUZZ_NICE:-0}" "$binary" corpus "$OLDPWD/Corpus/$target" -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=1024 \
        -timeout=20 -artifact_prefix="$out/$target/" -print_final_stats=1 > log.txt 2>&1 || true
    local runs crashes
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' log.txt | grep -o '[0-9]*$' || echo 0)
    crashes=$(ls "$out/$target" | grep -cE '^(crash|leak|timeout|oom)-' || true)
    echo "$target: $runs inputs in ${seconds} s, $crashes crashes/timeouts/out-of-memory"
}
export -f fuzz_one
export FUZZ_NICE=${FUZZ_NICE:-0}
printf '%s\n' "${targets[@]}" | xargs -P "$(nproc)" -I{} bash -c "fuzz_one {} $seconds $out $binary" | tee "$out/summary.txt"
echo "results in $out"
! grep -qE ': [0-9]+ inputs .* [1-9][0-9]* crashes' "$out/summary.txt"
