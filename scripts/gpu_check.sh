#!/usr/bin/env bash
# GPU checks, on a machine with an NVIDIA GPU:
#   1. the CUDA-marked tests (device management, transfers, ops and autograd on the GPU);
#   2. the torch-comparison suites with rustorch's side on the GPU (RUSTORCH_TEST_DEVICE=cuda:
#      inputs and factory functions on cuda, torch on the CPU as the oracle);
#   3. a short benchmark with both frameworks on the GPU.
# Usage: bash scripts/gpu_check.sh [cuda12|cuda13]
# It uses the python3 on PATH when that one has CuPy and torch (as the lent GPU machines do,
# offline); otherwise it makes .venv-gpu and installs the project with the CUDA extra (PyPI).
# Logs go to $OUT (or /tmp/gpu_check); the exit status is non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
LOGS="${OUT:-/tmp/gpu_check}"
mkdir -p "$LOGS"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export CUPY_CACHE_DIR="${CUPY_CACHE_DIR:-/tmp/cupy_kernel_cache}"  # shared by the test workers

PYTHON=python3
if ! "$PYTHON" -c "import cupy, torch, pytest, scipy, ml_dtypes, tqdm" 2>/dev/null; then
    python3 -m venv .venv-gpu && source .venv-gpu/bin/activate && PYTHON=python
    pip install -q -e ".[test,${1:-cuda12}]" || exit 1
fi
WORKERS=$("$PYTHON" -c "import xdist" 2>/dev/null && echo "-n 8" || echo "")
"$PYTHON" - <<'EOF' 2>&1 | tee "$LOGS/gpu_environment.log"
import cupy, numpy, torch
import rustorch
print("rustorch cuda available:", rustorch.cuda.is_available(),
      "| devices:", rustorch.cuda.device_count(),
      "| name:", rustorch.cuda.get_device_name() if rustorch.cuda.is_available() else None)
print("cupy", cupy.__version__, "| numpy", numpy.__version__, "| torch (oracle)", torch.__version__)
EOF

failed=0
step() {  # step NAME SECONDS COMMAND...: run with a time limit, log to $LOGS/NAME.log
    local name=$1 seconds=$2; shift 2
    echo "== $name (limit ${seconds} s): $*"
    timeout "$seconds" "$@" 2>&1 | tee "$LOGS/$name.log" | tail -n 40
    local status=${PIPESTATUS[0]}
    echo "== $name: exit status $status"
    [ "$status" -eq 0 ] || failed=1
}

step cuda_tests 150 "$PYTHON" -m pytest -q -p no:randomly -m cuda -rfE tests
step device_sweep 330 env PYTHON="$PYTHON" bash scripts/device_sweep.sh $WORKERS -rfE --maxfail=400
step gpu_benchmark 150 "$PYTHON" -m benchmarks --quick --device cuda \
    --only matmul_1024,elementwise,mlp_train,cnn_train --json "$LOGS/gpu_benchmark.json"
exit $failed
