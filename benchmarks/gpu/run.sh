#!/usr/bin/env bash
# Step 9's one command for the device machine (nvcc, CMake and PyTorch; no .NET, no network):
# builds native/ with the CUDA kernels, checks them against PyTorch and an fp64 reference, times
# them against PyTorch's SDPA backends, and runs compute-sanitizer on a small case. Everything it
# writes goes to $OUT (default benchmarks/gpu/out), and the timing table also to
# benchmarks/results/attention-gpu.json. Finishes in under 8 minutes: each stage has its own limit.
#   ACTORTRAIN_COMMIT=$(git rev-parse --short HEAD) bash benchmarks/gpu/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
OUT=${OUT:-$here/out}
mkdir -p "$OUT"
build=${ACTORTRAIN_GPU_BUILD:-/tmp/actortrain-gpu-build}
started=$(date +%s)
elapsed() { echo $(($(date +%s) - started)); }
export PYTHONUNBUFFERED=1

{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,utilization.gpu,memory.used --format=csv
  nvcc --version | tail -2
  cmake --version | head -1
  python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)"
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"

# Configures and builds the library alone (no GoogleTest there); extra arguments go to cmake.
build_native() {
  timeout "$1" bash -c 'rm -rf "$0" && cmake -S "$1" -B "$0" -DACTORTRAIN_CUDA=ON -DACTORTRAIN_BUILD_TESTS=OFF \
    "-DCMAKE_CUDA_FLAGS=${CUDAFLAGS:-} -Xptxas=-v" "${@:2}" && cmake --build "$0" --target actortrain_native -j"$(nproc)"' \
    "$build" "$root" "${@:2}"
}
echo "== build (sm_80 + sm_90a)"
if ! build_native 240 > "$OUT/build.log" 2>&1; then
  grep -E "error|Error" "$OUT/build.log" | head -20
  echo "== build failed; again for sm_80 alone"
  if ! build_native 180 -DACTORTRAIN_CUDA_ARCHITECTURES=80 >> "$OUT/build.log" 2>&1; then
    tail -30 "$OUT/build.log"
    echo "build failed after $(elapsed) s"
    exit 1
  fi
fi
lib="$build/lib/libactortrain_native.so"
echo "built in $(elapsed) s"
python3 "$here/summarize_build.py" "$OUT/build.log" | tee "$OUT/resources.txt"
cuobjdump --dump-sass "$lib" 2>/dev/null | grep -oE "HGMMA|HMMA\.[0-9A-Z.]+|LDSM[.A-Z0-9]*|LDGSTS[.A-Z0-9]*|LDL|STL" | sort | uniq -c | tee "$OUT/sass-mix.txt"

# ATTENTION_GPU_EXPERIMENT=wgmma: the wgmma forward shapes alone, each in its own process (a fault
# ends only that one), then the timing table with "wg" (or "wgs" if only it passed) as "ours". For
# a lease after a wgmma change; run.sh without it is the full check.
if [ "${ATTENTION_GPU_EXPERIMENT:-}" = wgmma ]; then
  chosen=""
  for shape in wgs wg; do
    echo "== checks of $shape ($(elapsed) s in)"
    (cd "$here" && ATTENTION_CHECK_SHAPE=$shape timeout 60 python3 attention_check.py "$lib" "$OUT/check-$shape.json") 2>&1 |
      grep -v Warning | tail -4
    if python3 -c "import json,sys; sys.exit(json.load(open('$OUT/check-$shape.json'))['failures'])" 2>/dev/null; then
      echo "   passed"
      chosen=$shape
    fi
  done
  if [ -z "$chosen" ]; then echo "no wgmma shape passed"; exit 1; fi
  echo "== timing with $chosen as ours ($(elapsed) s in)"
  (cd "$here" && ACTORTRAIN_CUDA_FORWARD=$chosen ATTENTION_BENCH_SKIP=w16b1,w16b2 \
    timeout 200 python3 attention_bench.py "$lib" "$OUT/attention-gpu.json") 2>&1 | tee "$OUT/bench.log"
  exit 0
fi

sanitize() {
  local tool=$1 limit=$2
  echo "== compute-sanitizer --tool $tool ($(elapsed) s in)"
  (cd "$here" && timeout "$limit" compute-sanitizer --tool "$tool" --print-limit 20 python3 sanitizer_case.py "$lib") \
    > "$OUT/sanitizer-$tool.log" 2>&1
  echo "exit $?"
  grep -E "ERROR SUMMARY|RACECHECK SUMMARY|Invalid|hazard|sanitizer case done" "$OUT/sanitizer-$tool.log" | head -12
}

echo "== correctness ($(elapsed) s in)"
(cd "$here" && timeout 150 python3 attention_check.py "$lib" "$OUT/attention-check.json") 2>&1 | tee "$OUT/check.log"
check_status=${PIPESTATUS[0]}
if [ "$check_status" -ne 0 ]; then
  # A failure is worth its diagnosis before the timings.
  sanitize memcheck 100
  sanitize racecheck 100
fi

# The wgmma shapes are timed only if one call of each runs without a fault.
if ! (cd "$here" && timeout 60 python3 wgmma_smoke.py "$lib") 2>&1 | tee "$OUT/wgmma-smoke.log" ||
  ! grep -q "wgs ran" "$OUT/wgmma-smoke.log"; then
  echo "wgmma shapes left out of the timings"
  export ATTENTION_BENCH_SKIP=wg,wgs
fi
echo "== timing ($(elapsed) s in)"
(cd "$here" && timeout 200 python3 attention_bench.py "$lib" "$OUT/attention-gpu.json") 2>&1 | tee "$OUT/bench.log"
# The results file where the other suites keep theirs (on the lent device machine only $OUT comes back).
[ -s "$OUT/attention-gpu.json" ] && cp "$OUT/attention-gpu.json" "$root/benchmarks/results/attention-gpu.json"

if [ "$check_status" -eq 0 ] && [ "$(elapsed)" -lt 330 ]; then
  sanitize memcheck 60
  sanitize racecheck 60
fi
echo "== done in $(elapsed) s; correctness exit $check_status"
exit "$check_status"
