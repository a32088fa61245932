"""Freed tensor memory stays in the process: reallocating a large buffer costs no page faults."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

PROBE = textwrap.dedent("""
    import resource, sys
    import numpy as np
    import rustorch
    from rustorch import _memory
    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    n = 4 * 1024 * 1024
    x, y, z = (rustorch.ones(n) for _ in range(3))
    def step():  # four fresh 16 MiB results per step, each freed within the step
        return rustorch.tanh(rustorch.exp(x * y + z)).sum()
    for _ in range(3):
        step()
    before = faults()
    for _ in range(10):
        step()
    print(_memory.tuned, faults() - before)
""")


def run_probe(**environment):
    env = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    env.update(environment)
    output = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            env=env, check=True).stdout.split()
    return output[0] == "True", int(output[1])


@pytest.mark.skipif(not glibc, reason="tunes glibc's malloc only")
def test_large_buffers_are_reused_without_page_faults():
    tuned, faults = run_probe()
    assert tuned
    assert faults < 1000  # untuned, glibc maps these buffers afresh: ~10,000 faults


@pytest.mark.skipif(not glibc, reason="tunes glibc's malloc only")
def test_the_user_s_malloc_settings_win():
    tuned, _ = run_probe(MALLOC_TRIM_THRESHOLD_="131072")
    assert not tuned
    tuned, faults = run_probe(RUSTORCH_KEEP_MALLOC="1")
    assert not tuned
