"""Results of a benchmark: JSON lines, a summary per target, and one chart (matplotlib, optional).

Each measurement is one JSON line ``{"benchmark", "metric", "round", "value", "unit", ...}``
in ``benchmarks/results/<benchmark>.jsonl`` (the file is rewritten by each run), followed by one
``"summary"`` line per metric: median, min and max over the rounds. The chart
``benchmarks/results/<benchmark>.png`` shows each metric's median with its range and target.
Install the ``benchmarks`` extra (``pip install -e '.[benchmarks]'``) for the charts.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results")


@dataclass
class Metric:
    name: str
    unit: str
    target: float | None = None
    better: str = "higher"  # or "lower": which side of the target passes
    values: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        median = statistics.median(self.values)
        met = None
        if self.target is not None:
            met = median >= self.target if self.better == "higher" else median <= self.target
        return {
            "metric": self.name,
            "unit": self.unit,
            "rounds": len(self.values),
            "median": median,
            "min": min(self.values),
            "max": max(self.values),
            "target": self.target,
            "better": self.better,
            "met": met,
        }


class Report:
    """Collects one benchmark's rounds, then writes them (JSON lines) and draws its chart."""

    def __init__(self, benchmark: str, command: str, **context: Any) -> None:
        self.benchmark = benchmark
        self.command = command
        self.context = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **context,
        }
        self.metrics: dict[str, Metric] = {}

    def metric(self, name: str, unit: str, target: float | None = None, better: str = "higher") -> Metric:
        if name not in self.metrics:
            self.metrics[name] = Metric(name, unit, target, better)
        return self.metrics[name]

    def add(self, name: str, value: float) -> None:
        self.metrics[name].values.append(value)

    def write(self) -> Path:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{self.benchmark}.jsonl"
        with path.open("w") as out:
            for metric in self.metrics.values():
                for number, value in enumerate(metric.values, 1):
                    line = {"benchmark": self.benchmark, "metric": metric.name, "round": number}
                    out.write(json.dumps({**line, "value": value, "unit": metric.unit}) + "\n")
            for metric in self.metrics.values():
                line = {"benchmark": self.benchmark, "kind": "summary", "command": self.command}
                out.write(json.dumps({**line, **metric.summary(), **self.context}) + "\n")
        return path

    def print(self) -> None:
        print(f"{self.benchmark}: median [min - max] over the rounds; {self.command}")
        for metric in self.metrics.values():
            s = metric.summary()
            side = ">=" if s["better"] == "higher" else "<="
            target = "" if s["target"] is None else f"  target {side} {s['target']}"
            verdict = "" if s["met"] is None else ("  met" if s["met"] else "  NOT met")
            print(
                f"  {s['metric']:<52} {s['median']:>9.3f} [{s['min']:.3f} - {s['max']:.3f}] {s['unit']}"
                f"{target}{verdict}"
            )

    def chart(self) -> Path | None:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("(no chart: install the benchmarks extra for matplotlib)", file=sys.stderr)
            return None
        groups: dict[str, list[Metric]] = {}
        for metric in self.metrics.values():
            groups.setdefault(metric.unit, []).append(metric)
        fig, axes = plt.subplots(len(groups), 1, figsize=(9, 1.2 + 0.55 * len(self.metrics) + len(groups)))
        axes = list(axes) if len(groups) > 1 else [axes]
        for ax, (unit, metrics) in zip(axes, groups.items(), strict=True):
            names = [m.name for m in metrics][::-1]
            summaries = [m.summary() for m in metrics][::-1]
            medians = [s["median"] for s in summaries]
            low = [s["median"] - s["min"] for s in summaries]
            high = [s["max"] - s["median"] for s in summaries]
            colors = [{None: "tab:gray", True: "tab:green", False: "tab:red"}[s["met"]] for s in summaries]
            ax.barh(names, medians, xerr=[low, high], color=colors, capsize=3)
            for y, s in enumerate(summaries):
                if s["target"] is not None:
                    ax.plot([s["target"]] * 2, [y - 0.4, y + 0.4], color="black", linewidth=2)
            ax.set_xlabel(unit)
            ax.tick_params(axis="y", labelsize=8)
        fig.suptitle(f"{self.benchmark}: median, range over rounds; black bar = target", fontsize=10)
        fig.tight_layout()
        path = RESULTS / f"{self.benchmark}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        return path

    def finish(self) -> None:
        self.print()
        print(f"results: {self.write()}")
        chart = self.chart()
        if chart is not None:
            print(f"chart: {chart}")


def markdown_table() -> str:
    """The summaries of every results/*.jsonl file as one Markdown table (for the README)."""
    rows = ["| benchmark | metric | target | median | range | rounds |", "|---|---|---|---|---|---|"]
    for path in sorted(RESULTS.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            if entry.get("kind") != "summary":
                continue
            target = (
                ""
                if entry["target"] is None
                else f"{'>=' if entry['better'] == 'higher' else '<='} {entry['target']}"
            )
            if entry["met"] is not None:
                target += " (met)" if entry["met"] else " (**not met**)"
            name = f"{entry['metric']} ({entry['unit']})"
            spread = f"{entry['min']:.3g} - {entry['max']:.3g}"
            cells = [entry["benchmark"], name, target, f"{entry['median']:.3g}", spread, str(entry["rounds"])]
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
