#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: install the CUDA extra, run the CUDA-marked tests and a short
# benchmark. Usage: bash scripts/gpu_check.sh [cuda12|cuda13]
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA="${1:-cuda12}"
python3 -m venv .venv-gpu
source .venv-gpu/bin/activate
pip install -q -e ".[test,${EXTRA}]"
python -c "import rustorch; print('cuda available:', rustorch.cuda.is_available())"
python -m pytest -q -m cuda
python -m benchmarks --quick --only matmul_1024,elementwise
