"""Speed baselines: a benchmark run saved per machine, and floor-normalised comparisons against it.

A baseline lives in ``benchmarks/baselines/speed/<machine-key>/<NAME>.json``. The
machine key is a fingerprint that does not depend on the host name: the CPU
model, the number of cores and the device the run used (``cpu`` or the GPU's
name), so two runs share a key only on the same kind of machine. The file
records the run's rows, its floor, its settings and its provenance (git
commit when available, date, library versions).

A comparison divides each row's ``ratio = time / floor`` now by the same
row's ratio then: ``slowdown = (time/floor now) / (time/floor then)``. The
floor is measured in each run, so a machine that is uniformly busier or
faster than it was largely cancels out. Speed baselines are per machine and
never fail the default test suite; ``simaudit bench --compare NAME
--fail-above PCT`` turns a slowdown beyond PCT percent into exit code 1.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.floor import cpu_model

__all__ = [
    "BASELINE_ROOT",
    "available_baselines",
    "baseline_path",
    "compare",
    "load_baseline",
    "machine_key",
    "provenance",
    "regressions",
    "save_baseline",
]

#: Where speed baselines are stored (in the source tree, next to this module).
BASELINE_ROOT = Path(__file__).resolve().parent / "baselines" / "speed"
_KEY_COLUMNS = ["measure", "implementation", "dtype", "n", "p", "q"]
_SAVED_COLUMNS = _KEY_COLUMNS + ["compares", "device", "status", "time_s", "repeats", "floor_s", "ratio", "flops",
                                 "peak_mem_bytes", "mem_method", "value"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return re.sub(r"-{2,}", "-", s)[:120] or "unknown"


def _device_name(device: str) -> str:
    if not str(device).startswith("cuda"):
        return "cpu"
    import torch

    return str(torch.cuda.get_device_name(torch.device(device)))


def machine_key(device: str = "cpu") -> str:
    """Host-name-independent fingerprint of this machine: CPU model, core count, device name.

    Examples
    --------
    >>> key = machine_key("cpu")
    >>> key.endswith("-cpu") and "cores" in key
    True
    """
    cores = os.cpu_count() or 1
    return _slug(f"{cpu_model()}-{cores}cores-{_device_name(device)}")


def _git_commit() -> str | None:
    try:
        root = Path(__file__).resolve().parent.parent
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True,
                               text=True, timeout=10, check=True)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def provenance(device: str = "cpu") -> dict[str, Any]:
    """Where a run comes from: commit, date, library versions, machine."""
    import platform

    import numpy
    import scipy
    import torch

    return {
        "git_commit": _git_commit(),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "torch": torch.__version__,
        "pandas": pd.__version__,
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "device": _device_name(device),
        "openblas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS") if k in os.environ},
    }


def check_name(name: str) -> str:
    """Raise ValueError unless ``name`` is a plain file name (letters, digits, ``.``, ``_``, ``-``)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"--save/--compare NAME must be a plain name of letters, digits, '.', '_' or '-' (no folders); got {name!r}. "
            "Example: --save main"
        )
    return name


def baseline_path(name: str, *, device: str = "cpu", root: Path | None = None) -> Path:
    """``<root>/<machine key>/<name>.json``."""
    return (BASELINE_ROOT if root is None else Path(root)) / machine_key(device) / f"{check_name(name)}.json"


def available_baselines(*, device: str = "cpu", root: Path | None = None) -> list[str]:
    """Names of the baselines saved for this machine key, sorted."""
    folder = (BASELINE_ROOT if root is None else Path(root)) / machine_key(device)
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # mkstemp creates 0o600; a baseline is shared like any source file
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_baseline(df: pd.DataFrame, name: str, *, device: str = "cpu", root: Path | None = None) -> Path:
    """Store a run (:func:`benchmarks.runner.run_bench`) as speed baseline ``name`` for this machine; returns the path."""
    path = baseline_path(name, device=device, root=root)
    rows = [{c: _clean(r[c]) for c in _SAVED_COLUMNS} for r in df.to_dict("records")]
    doc = {
        "schema": 1,
        "name": name,
        "machine_key": machine_key(device),
        "provenance": provenance(device),
        "floor": df.attrs.get("floor"),
        "floor_end": df.attrs.get("floor_end"),
        "settings": df.attrs.get("settings"),
        "rows": rows,
    }
    _atomic_write(path, json.dumps(doc, indent=1) + "\n")
    return path


def load_baseline(name: str, *, device: str = "cpu", root: Path | None = None) -> dict[str, Any]:
    """The saved baseline ``name`` for this machine key.

    Raises
    ------
    FileNotFoundError
        If there is none; the message lists the baselines saved for this machine.
    ValueError
        If the file is not a speed baseline.
    """
    path = baseline_path(name, device=device, root=root)
    if not path.is_file():
        saved = available_baselines(device=device, root=root)
        listed = ", ".join(saved) if saved else "none"
        raise FileNotFoundError(
            f"--compare must name a speed baseline saved on this machine; got {name!r} (no {path}; saved for machine "
            f"key {machine_key(device)!r}: {listed}). Save one first with `simaudit bench --save {name}`."
        )
    try:
        doc: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"--compare must name a readable speed baseline; got {str(path)!r} ({exc}).") from None
    if not isinstance(doc, dict) or "rows" not in doc:
        raise ValueError(f"--compare must name a speed baseline file with rows; got {str(path)!r} without them.")
    return doc


def compare(df: pd.DataFrame, baseline: dict[str, Any]) -> pd.DataFrame:
    """``df`` with ``ratio_then`` and ``slowdown = ratio / ratio_then`` per row (NaN where the baseline has no such row)."""
    then = pd.DataFrame(baseline["rows"])
    out = df.copy()
    if then.empty:
        out["ratio_then"] = math.nan
    else:
        then = then[then["status"] == "ok"][_KEY_COLUMNS + ["ratio"]].rename(columns={"ratio": "ratio_then"})
        then = then.drop_duplicates(_KEY_COLUMNS, keep="last")
        for c in ("n", "p", "q"):
            then[c] = then[c].astype(int)
        out = out.merge(then, on=_KEY_COLUMNS, how="left")
    ok = (out["status"] == "ok") & out["ratio_then"].notna()
    out["slowdown"] = math.nan
    out.loc[ok, "slowdown"] = out.loc[ok, "ratio"].astype(float) / out.loc[ok, "ratio_then"].astype(float)
    out.attrs = dict(df.attrs)
    return out


def regressions(compared: pd.DataFrame, fail_above_pct: float) -> pd.DataFrame:
    """Rows slower than the baseline by more than ``fail_above_pct`` percent."""
    slow = compared["slowdown"].astype(float)
    return compared[slow > 1.0 + fail_above_pct / 100.0]
