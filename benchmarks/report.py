"""Format benchmark results: a text table for stdout, a Markdown section for the docs."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path
from typing import Any

# Below this reference peak-RSS delta a memory ratio is noise (a few pages), so none is shown.
MEMORY_RATIO_FLOOR_BYTES = 1024 * 1024
START_MARKER = "<!-- results:start -->"
END_MARKER = "<!-- results:end -->"
MEBIBYTE = 1024 * 1024


def describe_machine() -> dict[str, Any]:
    """Operating system, processor and core count of the machine running the benchmarks."""
    processor = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line]
        processor = names[0] if names else processor
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "processor": processor,
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),  # before the run: other work adds noise
    }


def format_seconds(seconds: float) -> str:
    """A duration with a unit that keeps three significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_bytes(size: int) -> str:
    """A size in MiB with one decimal."""
    return f"{size / MEBIBYTE:.1f} MiB"


def format_ratio(value: float | None, target: float | None) -> str:
    """``1.23x``, followed by the target and whether it is met."""
    if value is None:
        return "-"
    if target is None:
        return f"{value:.2f}x"
    return f"{value:.2f}x ({'ok' if value <= target else 'MISS'} <= {target:g})"


def describe_sample(sample: dict[str, Any]) -> str:
    """One progress line for a single worker process."""
    if "error" in sample:
        return f"error: {sample['error']}"
    times = sorted(sample["step_seconds"])
    median = times[len(times) // 2]
    return (f"median {format_seconds(median)} over {len(times)} steps, "
            f"peak RSS +{format_bytes(sample['peak_rss_delta_bytes'])}")


def cell_time(cell: dict[str, Any]) -> str:
    """Median step time, or the error text."""
    return format_seconds(cell["median_seconds"]) if cell["status"] == "ok" else "error"


def cell_memory(cell: dict[str, Any]) -> str:
    """Peak RSS delta, or a dash for an errored cell."""
    return format_bytes(cell["peak_rss_delta_bytes"]) if cell["status"] == "ok" else "-"


def table_rows(results: dict[str, Any], full_errors: bool) -> tuple[list[str], list[list[str]]]:
    """Header and rows shared by the text and Markdown tables."""
    candidate, reference = results["frameworks"]["candidate"], results["frameworks"]["reference"]
    if candidate == reference:
        candidate, reference = f"{candidate} (1)", f"{reference} (2)"
    header = ["workload", f"{candidate} time", f"{reference} time", "time ratio",
              f"{candidate} peak RSS", f"{reference} peak RSS", "RSS ratio"]
    rows = []
    for workload in results["workloads"]:
        times = [cell_time(workload[role]) for role in ("candidate", "reference")]
        if full_errors:
            times = [
                f"error: {workload[role]['error']}" if text == "error" else text
                for role, text in zip(("candidate", "reference"), times)
            ]
        rows.append([
            workload["name"], *times,
            format_ratio(workload["time_ratio"], workload["time_target"]),
            cell_memory(workload["candidate"]), cell_memory(workload["reference"]),
            format_ratio(workload["memory_ratio"], workload["memory_target"]),
        ])
    return header, rows


def environment_lines(results: dict[str, Any]) -> list[str]:
    """One line per framework: version, thread counts and BLAS libraries."""
    lines = []
    machine = results["machine"]
    lines.append(f"machine: {machine['processor']}, {machine['cpus']} CPUs, {machine['platform']}, "
                 f"load average {machine['load_average']} before the run")
    if machine["load_average"] >= 0.5:
        lines.append("warning: the machine was busy; timings (of threaded steps above all) are "
                     "noisy, see --threads 1")
    for role, name in results["frameworks"].items():
        info = results["environment"].get(role)
        if info is None:
            lines.append(f"{name}: no environment reported")
            continue
        parts = [f"{name} {info['version']}", f"python {info['python']}",
                 f"numpy {info['numpy']}"]
        if "num_threads" in info:
            parts.append(f"get_num_threads()={info['num_threads']}")
        pools = info.get("threadpools")
        if isinstance(pools, list):
            parts.extend(
                f"{pool['internal_api']} {pool['version'] or ''} threads={pool['num_threads']}"
                .replace("  ", " ")
                for pool in pools
            )
        elif pools:
            parts.append(f"threadpoolctl: {pools}")
        lines.append(f"{name} ({role}): " + ", ".join(parts))
    settings = results["settings"]
    lines.append(
        f"settings: {settings['rounds']} round(s) of alternating processes, >= "
        f"{settings['warmup']} warm-up and >= {settings['repeats']} timed steps per process, "
        f"threads={settings['threads'] or 'default'}, device={settings.get('device', 'cpu')}"
    )
    return lines


def error_lines(results: dict[str, Any]) -> list[str]:
    """``workload framework: error: ...`` for every failed cell."""
    lines = []
    for workload in results["workloads"]:
        for role in ("candidate", "reference"):
            cell = workload[role]
            if cell["status"] == "error":
                framework = results["frameworks"][role]
                lines.append(f"{workload['name']} {framework}: error: {cell['error']}")
    return lines


def format_text(results: dict[str, Any]) -> str:
    """A fixed-width table followed by errors and the environment."""
    header, rows = table_rows(results, full_errors=False)
    widths = [max(len(row[index]) for row in [header, *rows]) for index in range(len(header))]

    def format_row(row: list[str]) -> str:
        return "  ".join(
            text.ljust(width) if index == 0 else text.rjust(width)
            for index, (text, width) in enumerate(zip(row, widths))
        ).rstrip()

    lines = [format_row(header), "  ".join("-" * width for width in widths)]
    lines.extend(format_row(row) for row in rows)
    errors = error_lines(results)
    if errors:
        lines.extend(["", "errors:", *(f"  {line}" for line in errors)])
    lines.extend(["", *environment_lines(results)])
    lines.append("time: median step time; peak RSS: peak resident memory minus the RSS after "
                 "imports (per process); ratios: candidate/reference")
    return "\n".join(lines)


def format_markdown(results: dict[str, Any]) -> str:
    """The results section: table, environment and how it was produced."""
    header, rows = table_rows(results, full_errors=True)

    def format_row(row: list[str]) -> str:
        return "| " + " | ".join(text.replace("|", "\\|") for text in row) + " |"

    lines = [
        f"Generated {results['created']} by `{results['command']}` "
        f"({results['elapsed_seconds']} s).",
        "",
        format_row(header),
        "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|",
        *(format_row(row) for row in rows),
        "",
        *(f"- {line}" for line in environment_lines(results)),
    ]
    return "\n".join(lines)


def write_markdown(results: dict[str, Any], path: Path) -> None:
    """Replace the text between the results markers of ``path``, or write a new file."""
    section = f"{START_MARKER}\n{format_markdown(results)}\n{END_MARKER}"
    existing = path.read_text() if path.exists() else ""
    pattern = re.compile(re.escape(START_MARKER) + ".*?" + re.escape(END_MARKER), re.DOTALL)
    if pattern.search(existing):
        text = pattern.sub(lambda match: section, existing, count=1)
    else:
        text = f"# Benchmark results\n\n{section}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
