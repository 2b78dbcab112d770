"""Rendering and writing a benchmark run: tables (text, Markdown, CSV, JSON) and a log-log figure."""

from __future__ import annotations

import json
import math
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.runner import sizes_label

__all__ = ["document", "render", "write_figure", "write_reports"]

_ROW_COLUMNS = ["measure", "size", "status", "time_s", "floor_s", "ratio", "peak_mem", "value"]
_SUMMARY_COLUMNS = ["measure", "exp_n", "floor_exp_n", "exp_p", "floor_exp_p", "largest_ratio", "runs", "cost_class"]


def _num(value: Any, digits: int = 3) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "-"
    if not math.isfinite(v):
        return "-"
    return f"{v:.{digits}g}"


def _bytes(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "-"
    if not math.isfinite(v):
        return "-"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if v >= scale:
            return f"{v / scale:.3g} {unit}"
    return f"{v:.0f} B"


def _mem(value: Any, method: str) -> str:
    """Peak memory; a lower bound (RSS growth, which misses memory the allocator already held) is shown as ``>=``."""
    text = _bytes(value)
    return f">={text}" if text != "-" and str(method).startswith("peak RSS growth") else text


def _display_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    with_slowdown = "slowdown" in df.columns
    for r in df.to_dict("records"):
        row = {
            "measure": r["measure"], "size": sizes_label(r["measure"], r["n"], r["p"], r["q"]), "status": r["status"],
            "time_s": _num(r["time_s"]), "floor_s": _num(r["floor_s"]), "ratio": _num(r["ratio"]),
            "peak_mem": _mem(r["peak_mem_bytes"], r["mem_method"]), "value": _num(r["value"], 6),
        }
        if with_slowdown:
            row["ratio_then"] = _num(r.get("ratio_then"))
            row["slowdown"] = _num(r.get("slowdown"))
        if r.get("note"):
            row["note"] = r["note"]
        rows.append(row)
    keys = _ROW_COLUMNS + (["ratio_then", "slowdown"] if with_slowdown else []) + ["note"]
    return [{k: row.get(k, "") for k in keys} for row in rows]


def _display_summary(summary: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for r in summary.to_dict("records"):
        out.append({
            "measure": r["measure"], "exp_n": _num(r["exp_n"]), "floor_exp_n": _num(r["floor_exp_n"]), "n_range": r["n_range"],
            "exp_p": _num(r["exp_p"]), "floor_exp_p": _num(r["floor_exp_p"]), "p_range": r["p_range"],
            "largest_ratio": _num(r["largest_ratio"]), "runs": r["runs"], "cost_class": r["cost_class"],
        })
    return out


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    def clean(v: Any) -> Any:
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v

    return [{k: clean(v) for k, v in r.items()} for r in df.to_dict("records")]


def document(df: pd.DataFrame, summary: pd.DataFrame, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document of a run: floor, settings, rows, summary (and ``extra``, e.g. the comparison)."""
    doc: dict[str, Any] = {"floor": df.attrs.get("floor"), "floor_end": df.attrs.get("floor_end"),
                           "settings": df.attrs.get("settings"), "rows": _records(df), "summary": _records(summary)}
    doc.update(extra or {})
    return doc


def _floor_line(df: pd.DataFrame) -> str:
    f = df.attrs.get("floor") or {}
    if not f:
        return ""
    line = (f"floor: GEMM {f['gflops']:.1f} GFLOP/s and copy {f['gbps']:.1f} GB/s, measured at the start of this run "
            f"({f['impl']}, {f['dtype']}, {f['device']} {f.get('device_name', '')}, {f['threads']} threads, "
            f"{f['gemm_size']}x{f['gemm_size']} GEMM, {f['copy_bytes'] / 2**20:.0f} MiB copy)")
    end = df.attrs.get("floor_end")
    if end:
        drift = max(abs(end["gflops"] / f["gflops"] - 1), abs(end["gbps"] / f["gbps"] - 1))
        line += (f"; at the end: GEMM {end['gflops']:.1f} GFLOP/s, copy {end['gbps']:.1f} GB/s"
                 + (f" (drift {drift:.0%}: a busy machine, ratios less reliable)" if drift > 0.15 else ""))
    return line


def render(df: pd.DataFrame, summary: pd.DataFrame, fmt: str, extra: dict[str, Any] | None = None) -> str:
    """The run as ``table`` (aligned text), ``md``, ``csv`` (the rows) or ``json`` (the whole document)."""
    from metrics.cli import format_table

    if fmt == "json":
        return json.dumps(document(df, summary, extra), indent=2)
    if fmt == "csv":
        return df.to_csv(index=False).rstrip("\n")
    rows, summ = _display_rows(df), _display_summary(summary)
    if fmt == "md":
        settings = df.attrs.get("settings") or {}
        head = [
            "# simaudit bench", "",
            _floor_line(df) + ".", "",
            "Settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()) + ".", "",
            ("`ratio` = time / floor; the floor is the cheapest exact algorithm's operation count at the GEMM rate "
             "and copy bandwidth above (`benchmarks/costs.py`). Exponents: least squares on log-log."), "",
            "## Runs", "", "",
        ]
        return "\n".join(head) + format_table(rows, "md") + "\n\n## Scaling\n\n" + format_table(summ, "md")
    return format_table(rows, "table") + "\n\n" + format_table(summ, "table") + "\n\n" + _floor_line(df)


def _umask_mode() -> int:
    """0o666 less this process's umask: the mode ``open()`` would give a new file (mkstemp gives 0o600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _atomic_write(path: Path, data: str | bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.chmod(tmp, _umask_mode())
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_figure(df: pd.DataFrame, path: Path) -> bool:
    """Time against n (N for model distances) per measure, log-log, with the floor dashed.

    One panel per measure over its longest series of sizes that differ only in
    n. Returns False (and writes nothing) when matplotlib is not installed or
    nothing ran.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    from benchmarks.runner import _series

    ran = df[df["status"].isin(["ok", "over-limit"])]
    measures = [m for m in dict.fromkeys(df["measure"]) if (ran["measure"] == m).any()]
    if not measures:
        return False
    cols = min(6, len(measures))
    nrows = math.ceil(len(measures) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(3.0 * cols, 2.4 * nrows), squeeze=False)
    for ax in axes.ravel()[len(measures):]:
        ax.set_visible(False)
    for ax, name in zip(axes.ravel(), measures, strict=False):
        s = _series(ran[ran["measure"] == name], "n").sort_values("n")
        label_n = "N" if s["compares"].iloc[0] == "models" else "n"
        fixed = f"K={s['p'].iloc[0]} M={s['q'].iloc[0]}" if label_n == "N" else f"p={s['p'].iloc[0]} q={s['q'].iloc[0]}"
        ax.loglog(s["n"], s["time_s"], "o-", color="C0", label="time")
        ax.loglog(s["n"], s["floor_s"], "--", color="C3", label="floor")
        ax.set_title(f"{name}\n({fixed})", fontsize=8)
        ax.set_xlabel(label_n, fontsize=7)
        ax.set_ylabel("seconds", fontsize=7)
        ax.tick_params(labelsize=6)
    axes.ravel()[0].legend(fontsize=7)
    settings = df.attrs.get("settings") or {}
    fig.suptitle(f"simaudit bench ({settings.get('impl', '')}, {settings.get('dtype', '')}, {settings.get('device', '')}): "
                 "time (solid) and floor (dashed) against n", fontsize=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".png")
    os.close(fd)
    os.chmod(tmp, _umask_mode())
    try:
        fig.savefig(tmp, dpi=80)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True


def write_reports(out: Path, df: pd.DataFrame, summary: pd.DataFrame, extra: dict[str, Any] | None = None) -> list[Path]:
    """Write ``bench.csv``, ``bench.json``, ``bench.md`` and ``bench.png`` (when matplotlib is there) into ``out``, atomically."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, fmt in (("bench.csv", "csv"), ("bench.json", "json"), ("bench.md", "md")):
        path = out / fname
        _atomic_write(path, render(df, summary, fmt, extra) + "\n")
        written.append(path)
    if write_figure(df, out / "bench.png"):
        written.append(out / "bench.png")
    return written
