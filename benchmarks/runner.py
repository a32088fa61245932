"""Run every selected workload with rustorch and torch, alternating, one process per cell.

Each round runs every workload once per framework in a fresh ``benchmarks.worker`` process
(the order of the two frameworks flips between rounds and workloads), so step times of the
two frameworks interleave over the whole run and peak memory is measured per process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.worker import RESULT_MARKER, describe_error
from benchmarks.workloads import WORKLOADS

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
ROLES = ("candidate", "reference")


@dataclass(frozen=True)
class Settings:
    """How much to measure; ``--quick`` and ``--repeats`` pick these."""

    rounds: int
    warmup: int
    warmup_seconds: float
    repeats: int
    min_seconds: float
    budget: float
    timeout: float


# An even number of rounds lets each framework run first in a pair equally often.
FULL = Settings(rounds=6, warmup=3, warmup_seconds=0.2, repeats=10, min_seconds=0.4,
                budget=20.0, timeout=600.0)
QUICK = Settings(rounds=1, warmup=1, warmup_seconds=0.0, repeats=3, min_seconds=0.0,
                 budget=1.0, timeout=120.0)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The runner's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Compare rustorch with torch, side by side."
    )
    parser.add_argument("--quick", action="store_true", help="one round, few steps (for CI)")
    parser.add_argument("--only", help="comma-separated workload names (see --list)")
    parser.add_argument("--repeats", type=int, help="minimum timed steps per process")
    parser.add_argument("--rounds", type=int, help="alternating processes per framework")
    parser.add_argument("--threads", type=int, default=0,
                        help="thread count for BLAS/OpenMP and set_num_threads (default: leave)")
    parser.add_argument("--device", default="cpu",
                        help="default device of both frameworks, e.g. cuda (default: cpu)")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--markdown", metavar="PATH",
                        help="write a Markdown table; a file with results markers keeps the "
                             "rest of its text")
    parser.add_argument("--frameworks", default="rustorch,torch", metavar="CANDIDATE,REFERENCE",
                        help="modules to compare (torch,torch tests the harness)")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    arguments = parser.parse_args(argv)
    arguments.command_line = sys.argv[1:] if argv is None else list(argv)
    frameworks = [name.strip() for name in arguments.frameworks.split(",") if name.strip()]
    if len(frameworks) != 2:
        parser.error("--frameworks takes exactly two module names")
    arguments.frameworks = frameworks
    names = list(WORKLOADS)
    if arguments.only:
        names = [name.strip() for name in arguments.only.split(",") if name.strip()]
        unknown = [name for name in names if name not in WORKLOADS]
        if unknown:
            parser.error(f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(WORKLOADS)}")
    arguments.workloads = names
    return arguments


def make_settings(arguments: argparse.Namespace) -> Settings:
    """Quick or full settings, with ``--repeats``/``--rounds`` overrides."""
    settings = QUICK if arguments.quick else FULL
    changes = {}
    if arguments.repeats is not None:
        changes["repeats"] = max(1, arguments.repeats)
    if arguments.rounds is not None:
        changes["rounds"] = max(1, arguments.rounds)
    return Settings(**{**settings.__dict__, **changes})


def child_environment(threads: int) -> dict[str, str]:
    """The parent's environment, the repository on the path, thread counts if requested."""
    environment = dict(os.environ)
    path = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = str(REPOSITORY_ROOT) + (os.pathsep + path if path else "")
    if threads > 0:
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            environment[variable] = str(threads)
    return environment


def run_cell(framework: str, workload: str, settings: Settings, threads: int,
             describe: bool, device: str = "cpu") -> dict[str, Any]:
    """Measure one cell in a fresh interpreter; failures become an ``error`` field."""
    command = [
        sys.executable, "-m", "benchmarks.worker", "--framework", framework,
        "--workload", workload, "--warmup", str(settings.warmup),
        "--warmup-seconds", str(settings.warmup_seconds), "--repeats", str(settings.repeats),
        "--min-seconds", str(settings.min_seconds), "--budget", str(settings.budget),
        "--threads", str(threads), "--device", device,
    ] + (["--describe"] if describe else [])
    try:
        completed = subprocess.run(command, cwd=REPOSITORY_ROOT, env=child_environment(threads),
                                   capture_output=True, text=True, timeout=settings.timeout)
    except subprocess.TimeoutExpired as error:
        return {"error": f"TimeoutExpired: no result after {error.timeout:.0f} s"}
    except OSError as error:
        return {"error": describe_error(error)}
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER):])
    last_line = (completed.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"ChildProcessError: exit code {completed.returncode}: {last_line[:160]}"}


def summarize_cell(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over processes of each process's median step time, and of its memory.

    Every process weighs the same: pooling all steps would favour fast processes, which run
    more steps in their time budget.
    """
    errors = [sample["error"] for sample in samples if "error" in sample]
    if errors:
        return {"status": "error", "error": errors[0]}
    times = [duration for sample in samples for duration in sample["step_seconds"]]
    process_medians = [statistics.median(sample["step_seconds"]) for sample in samples]

    def median_of(key: str) -> int:
        return int(statistics.median(sample[key] for sample in samples))

    return {
        "status": "ok",
        "median_seconds": statistics.median(process_medians),
        "process_median_seconds": process_medians,
        "min_seconds": min(times),
        "steps": len(times),
        "processes": len(samples),
        "baseline_rss_bytes": median_of("baseline_rss_bytes"),
        "peak_rss_bytes": median_of("peak_rss_bytes"),
        "setup_rss_bytes": median_of("setup_rss_bytes"),
        "peak_rss_delta_bytes": median_of("peak_rss_delta_bytes"),
        "peak_reset": all(sample.get("peak_reset") for sample in samples),
        "step_seconds": times,
    }


def ratio(candidate: dict[str, Any], reference: dict[str, Any], key: str,
          minimum: float = 0.0) -> float | None:
    """candidate/reference for ``key``, None if either errored or the reference is too small."""
    if candidate["status"] != "ok" or reference["status"] != "ok":
        return None
    if reference[key] <= minimum:
        return None
    return candidate[key] / reference[key]


def run_benchmarks(arguments: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """All rounds of all workloads; returns the full results record."""
    frameworks = dict(zip(ROLES, arguments.frameworks))
    samples = {(name, role): [] for name in arguments.workloads for role in ROLES}
    environments: dict[str, Any] = {}
    total = settings.rounds * len(arguments.workloads) * len(ROLES)
    done = 0
    started = time.perf_counter()
    machine = report.describe_machine()
    for round_index in range(settings.rounds):
        for workload_index, name in enumerate(arguments.workloads):
            order = ROLES if (round_index + workload_index) % 2 == 0 else ROLES[::-1]
            for role in order:
                done += 1
                cell = samples[(name, role)]
                if any("error" in sample for sample in cell):
                    continue  # a failing cell fails the same way again; save the time
                describe = role not in environments
                sample = run_cell(frameworks[role], name, settings, arguments.threads, describe,
                                  arguments.device)
                if "environment" in sample:
                    environments[role] = sample.pop("environment")
                cell.append(sample)
                print(f"[{done}/{total}] round {round_index + 1} {name:<12} {role:<9} "
                      f"{frameworks[role]:<9} {report.describe_sample(sample)}",
                      file=sys.stderr, flush=True)
    results = []
    for name in arguments.workloads:
        workload = WORKLOADS[name]
        candidate = summarize_cell(samples[(name, "candidate")])
        reference = summarize_cell(samples[(name, "reference")])
        results.append({
            "name": name,
            "description": workload.description,
            "time_target": workload.time_target,
            "memory_target": workload.memory_target,
            "candidate": candidate,
            "reference": reference,
            "time_ratio": ratio(candidate, reference, "median_seconds"),
            "memory_ratio": ratio(candidate, reference, "peak_rss_delta_bytes",
                                  report.MEMORY_RATIO_FLOOR_BYTES),
        })
    return {
        "command": " ".join(["python -m benchmarks", *arguments.command_line]),
        "created": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "elapsed_seconds": round(time.perf_counter() - started, 1),
        "machine": machine,
        "settings": {**settings.__dict__, "threads": arguments.threads,
                     "device": arguments.device},
        "frameworks": frameworks,
        "environment": environments,
        "workloads": results,
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks`` and ``python benchmarks/run.py``."""
    arguments = parse_arguments(argv)
    if arguments.list:
        for workload in WORKLOADS.values():
            print(f"{workload.name:<12} {workload.description}")
        return 0
    results = run_benchmarks(arguments, make_settings(arguments))
    print(report.format_text(results))
    if arguments.json:
        path = Path(arguments.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {path}")
    if arguments.markdown:
        report.write_markdown(results, Path(arguments.markdown))
        print(f"wrote {arguments.markdown}")
    return 0
