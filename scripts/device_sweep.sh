#!/usr/bin/env bash
# The torch-comparison suites with rustorch's side on CUDA (RUSTORCH_TEST_DEVICE=cuda: inputs
# and factory functions on the GPU, torch on the CPU as the oracle; bfloat16 cases and
# cpu_only tests are skipped there). On a machine without a GPU, RUSTORCH_FAKE_CUDA=1 runs it
# on the CuPy stand-in in tests/fake_cuda (CI does).
# Usage: [PYTHON=python3] bash scripts/device_sweep.sh [extra pytest arguments]
set -uo pipefail
cd "$(dirname "$0")/.."
exec env RUSTORCH_TEST_DEVICE=cuda "${PYTHON:-python}" -m pytest -q -p no:randomly \
    -m "not slow and not mpi" "$@" \
    tests/ops tests/nn tests/optim tests/autograd tests/linalg tests/test_creation.py \
    tests/test_random.py tests/test_fft.py tests/test_special.py tests/test_memory_format.py \
    tests/test_default_device.py tests/test_autocast.py tests/test_grad_scaler.py \
    tests/test_serialization.py tests/test_distributions.py tests/test_grad_assignment.py \
    tests/test_tensor_str.py tests/test_switches.py tests/test_tensor_protocol.py \
    tests/test_testing.py tests/test_distributions_more.py \
    tests/test_distributions_transforms.py tests/test_promotion_properties.py \
    tests/test_out_arguments.py tests/test_factory_arguments.py tests/test_out_dtypes.py \
    tests/test_tensor_extras.py tests/test_legacy_types.py
