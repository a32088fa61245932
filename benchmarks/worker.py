"""Measure one (workload, framework) cell in a fresh process.

Run by the runner as ``python -m benchmarks.worker --framework torch --workload mlp_train``.
It imports only the framework under test, records the resident set size (RSS) once imports
are done, resets the kernel's peak-RSS counter, runs warm-up and timed steps, and prints one
line ``BENCHMARK_RESULT {json}`` on stdout. Exceptions become an ``error`` field, never a crash.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import platform
import resource
import sys
import time
from typing import Any

import numpy as np

from benchmarks.workloads import WORKLOADS

RESULT_MARKER = "BENCHMARK_RESULT "
STATUS_PATH = "/proc/self/status"


def read_memory_status() -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of this process in bytes, from /proc; empty if unavailable."""
    values = {}
    try:
        with open(STATUS_PATH) as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return values


def reset_peak_memory() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def current_and_peak_memory() -> tuple[int, int]:
    """Current and peak RSS in bytes, falling back to ``ru_maxrss`` (kB on Linux)."""
    status = read_memory_status()
    fallback = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return status.get("VmRSS", fallback), status.get("VmHWM", fallback)


def describe_error(error: BaseException) -> str:
    """``ExceptionType: first line of the message``, kept short for tables."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def describe_environment(framework: Any) -> dict[str, Any]:
    """Versions and threading setup: threadpoolctl pools, framework threads, parallel info."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "version": str(getattr(framework, "__version__", "unknown")),
    }
    try:
        from threadpoolctl import threadpool_info

        keys = ("user_api", "internal_api", "version", "num_threads", "threading_layer")
        info["threadpools"] = [{key: pool.get(key) for key in keys} for pool in threadpool_info()]
    except Exception as error:  # threadpoolctl is optional
        info["threadpools"] = describe_error(error)
    get_num_threads = getattr(framework, "get_num_threads", None)
    if callable(get_num_threads):
        info["num_threads"] = get_num_threads()
    parallel_info = getattr(getattr(framework, "__config__", None), "parallel_info", None)
    if callable(parallel_info):
        info["parallel_info"] = parallel_info()
    return info


def time_steps(step: Any, count: int, min_seconds: float, budget_seconds: float) -> list[float]:
    """Run at least one and at most ``max(count, ...)`` steps, stopping on budget.

    Runs ``count`` steps, continues until ``min_seconds`` have passed (fast workloads get
    more samples), and stops early once ``budget_seconds`` are spent (slow ones get fewer).
    """
    durations: list[float] = []
    started = time.perf_counter()
    while True:
        before = time.perf_counter()
        step()
        durations.append(time.perf_counter() - before)
        elapsed = time.perf_counter() - started
        if elapsed >= budget_seconds or len(durations) >= 100 * max(count, 1):
            return durations
        if len(durations) >= count and elapsed >= min_seconds:
            return durations


def synchronized(step: Any, synchronize: Any) -> Any:
    """``step`` followed by waiting for the GPU, so its time covers the kernels it queued."""

    def run() -> Any:
        result = step()
        synchronize()
        return result

    return run


def measure(arguments: argparse.Namespace) -> dict[str, Any]:
    """Import, set up, warm up and time one cell; return the result record."""
    result: dict[str, Any] = {"framework": arguments.framework, "workload": arguments.workload}
    try:
        framework = importlib.import_module(arguments.framework)
        if arguments.threads and callable(getattr(framework, "set_num_threads", None)):
            framework.set_num_threads(arguments.threads)
        if arguments.device != "cpu":
            framework.set_default_device(arguments.device)
    except Exception as error:
        result["error"] = describe_error(error)
        return result
    gc.collect()
    result["peak_reset"] = reset_peak_memory()
    result["baseline_rss_bytes"], _ = current_and_peak_memory()
    try:
        step = WORKLOADS[arguments.workload].setup(framework)
        if arguments.device.startswith("cuda"):
            step = synchronized(step, framework.cuda.synchronize)
        result["setup_rss_bytes"], _ = current_and_peak_memory()
        warmup = time_steps(step, arguments.warmup, arguments.warmup_seconds, arguments.budget / 2)
        gc.collect()
        result["warmup_steps"] = len(warmup)
        result["step_seconds"] = time_steps(step, arguments.repeats, arguments.min_seconds,
                                            arguments.budget / 2)
    except Exception as error:
        result["error"] = describe_error(error)
    _, result["peak_rss_bytes"] = current_and_peak_memory()
    result["peak_rss_delta_bytes"] = result["peak_rss_bytes"] - result["baseline_rss_bytes"]
    if arguments.describe:
        result["environment"] = describe_environment(framework)
    return result


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the runner fills all of them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", required=True, help="module to import, e.g. torch")
    parser.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    parser.add_argument("--warmup", type=int, default=3, help="minimum warm-up steps")
    parser.add_argument("--warmup-seconds", type=float, default=0.5)
    parser.add_argument("--repeats", type=int, default=10, help="minimum timed steps")
    parser.add_argument("--min-seconds", type=float, default=1.0, help="minimum timed seconds")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds for all steps")
    parser.add_argument("--threads", type=int, default=0, help="set_num_threads if > 0")
    parser.add_argument("--device", default="cpu", help="the frameworks' default device")
    parser.add_argument("--describe", action="store_true", help="report the environment")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Print the measurement as one marked JSON line."""
    result = measure(parse_arguments(argv))
    sys.stdout.write(RESULT_MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
