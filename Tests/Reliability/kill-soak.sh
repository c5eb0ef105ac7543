#!/usr/bin/env bash
# Kill soak: runs the 3D track (zoo3d, pretrain, pose) and a 2D zoo build on the tiny settings of
# soak.yaml once without interruption, then again while killing the program with SIGKILL at random
# moments (KILLS in all, default 20), resuming after each kill, and checks that the final zoos and
# weights equal the uninterrupted run's: checkpoints byte for byte, zoo datasets value for value
# (HDF5 files carry object timestamps, so their bytes differ). Needs the release build and python3
# with h5py and numpy.   Tests/Reliability/kill-soak.sh [work folder]
# With RANKS=N (N > 1) every run is `mpirun -np N`, and each kill hits one rank chosen at random.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${PIPELINE:-$root/.build/release/pipeline}
yaml=$root/Tests/Reliability/soak.yaml
kills=${KILLS:-20}
ranks=${RANKS:-1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
launcher=()
[ "$ranks" -gt 1 ] && launcher=(mpirun -np "$ranks")
work=${1:-$(mktemp -d /tmp/kill-soak.XXXXXX)}
mkdir -p "$work"
log=$work/soak.log
: > "$log"
say() { echo "$*" | tee -a "$log"; }

run_stage() {   # folder stage: run to the end
    (cd "$1" && "${launcher[@]}" "$bin" run "$2" --pipeline "$yaml" >> "$1/run.log" 2>&1)
}

same_results() {   # reference killed: 0 when every final weight matches
    local ok=0
    for stage in pretrain pose; do
        local a b
        a=$(ls "$1/Checkpoints/soak/$stage/checkpoints/"*.safetensors | tail -1)
        b=$(ls "$2/Checkpoints/soak/$stage/checkpoints/"*.safetensors | tail -1)
        if [ "$(basename "$a")" = "$(basename "$b")" ] && cmp -s "$a" "$b"; then say "  $stage: final checkpoint $(basename "$a") byte-identical"
        else say "  $stage: final checkpoints DIFFER ($a vs $b)"; ok=1; fi
    done
    for zoo in zoo2d zoo3d; do
        if python3 - "$1/Checkpoints/soak/$zoo/zoo.h5" "$2/Checkpoints/soak/$zoo/zoo.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
other = []
b.visititems(lambda n, o: other.append(n) if isinstance(o, h5py.Dataset) else None)
assert sorted(names) == sorted(other), (names, other)
for n in names:
    x, y = a[n][()], b[n][()]
    same = x.tolist() == y.tolist() if x.dtype == object else x.tobytes() == y.tobytes()
    assert x.dtype == y.dtype and x.shape == y.shape and same, n
assert dict(a.attrs) == dict(b.attrs)
print(f"{len(names)} datasets")
PY
        then say "  $zoo: zoo.h5 datasets identical"; else say "  $zoo: zoo.h5 DIFFERS"; ok=1; fi
    done
    return $ok
}

say "kill soak in $work with $bin${launcher[*]:+ under ${launcher[*]}}"
mkdir -p "$work/reference"
start=$(python3 -c "import time; print(time.time())")
run_stage "$work/reference" pose
run_stage "$work/reference" zoo2d
duration=$(python3 -c "import time; print(round(time.time() - $start, 1))")
say "uninterrupted run: ${duration} s"

landed=0 round=0 failures=0
while [ "$landed" -lt "$kills" ]; do
    round=$((round + 1))
    folder=$work/round-$round
    mkdir -p "$folder"
    for stage in pose zoo2d; do
        while [ ! -f "$folder/Checkpoints/soak/$stage/done.json" ]; do
            (cd "$folder" && exec "${launcher[@]}" "$bin" run "$stage" --pipeline "$yaml" >> "$folder/run.log" 2>&1) &
            pid=$!
            if [ "$landed" -lt "$kills" ]; then
                delay=$(python3 -c "import random; print(round(random.uniform(0.2, $duration / 2), 2))")
                sleep "$delay"
                victim=$pid
                [ "$ranks" -gt 1 ] && victim=$(pgrep -P "$pid" | shuf -n 1 || true)
                if [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null; then
                    wait "$pid" 2>/dev/null || true
                    landed=$((landed + 1))
                    at=none
                    for s in zoo3d pretrain pose zoo2d; do
                        if [ -d "$folder/Checkpoints/soak/$s" ] && [ ! -f "$folder/Checkpoints/soak/$s/done.json" ]; then at=$s; break; fi
                    done
                    say "kill $landed: round $round, ${delay} s after starting 'run $stage', during $at"
                    continue
                fi
            fi
            wait "$pid" || { say "run $stage failed after a kill; see $folder/run.log"; exit 1; }
        done
    done
    say "round $round finished; comparing with the uninterrupted run:"
    same_results "$work/reference" "$folder" || failures=$((failures + 1))
done
if [ "$failures" -eq 0 ]; then say "PASS: $landed kills in $round rounds, every final zoo and weight identical"; else say "FAIL: $failures rounds differ"; exit 1; fi
