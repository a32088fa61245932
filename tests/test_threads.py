"""Thread control: ``set_num_threads``/``get_num_threads`` as in PyTorch."""
import pytest

import rustorch
from tests._oracle import check_error


def test_set_and_get_num_threads_round_trip():
    before = rustorch.get_num_threads()
    try:
        rustorch.set_num_threads(1)
        assert rustorch.get_num_threads() == 1
    finally:
        rustorch.set_num_threads(before)
    assert rustorch.get_num_threads() == before


def test_interop_threads_are_remembered():
    before = rustorch.get_num_interop_threads()
    rustorch.set_num_interop_threads(3)
    assert rustorch.get_num_interop_threads() == 3
    rustorch.set_num_interop_threads(before)


@pytest.mark.parametrize("threads", [0, -2])
def test_non_positive_thread_counts_raise_like_torch(threads):
    check_error(lambda m: m.set_num_threads(threads))


def test_import_loads_no_second_blas():
    """``import rustorch`` leaves scipy (and the OpenBLAS thread pool it brings, which competes
    with numpy's for the cores) unloaded until a scipy-backed op is first used."""
    import subprocess
    import sys
    code = "import sys, rustorch; print(sorted(m for m in sys.modules if m.startswith('scipy')))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True)
    assert completed.stdout.strip() == "[]"
