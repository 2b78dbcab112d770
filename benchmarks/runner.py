"""The benchmark harness: every registry measure timed against the machine's floor, size by size.

:func:`run_bench` measures the floor once (:func:`benchmarks.floor.measure_floor`),
then for each size of the grid builds seeded inputs once and times every
requested measure on them:

- ``time_s``: the minimum over ``repeats`` timed calls after one warm-up call
  (CUDA synchronised before and after each call);
- ``floor_s``: the time the cheapest exact algorithm's operation count
  (:func:`benchmarks.costs.cost`) needs at the measured GEMM rate and copy
  bandwidth, and ``ratio = time_s / floor_s``;
- ``peak_mem_bytes``: memory allocated by one call above what was allocated
  before it (numpy: the tracemalloc peak, which numpy reports its buffers to,
  from one extra traced call; torch on the CPU: the growth of the process's
  peak resident set, reset before the call through ``/proc/self/clear_refs``
  (a lower bound: memory the C allocator already holds from earlier calls is
  reused without growing the resident set); CUDA:
  ``torch.cuda.max_memory_allocated``); ``mem_method`` says which;
- ``value``: the measure's value, so that a speed run also records values.

A measure is never waited for indefinitely: a size whose floor alone, or whose
time predicted from the smaller sizes that ran (scaled by the cost model and,
once two sizes differ only in n or only in p, by the fitted exponent), exceeds
``time_limit`` is skipped (``skipped-time``), as is every size at least as
large as one that ran over the limit (``over-limit``). A size whose estimated
working set (:func:`benchmarks.costs.working_set_bytes`) exceeds the memory
budget is skipped (``skipped-memory``). The one call that can still run long is
the first call at a size, when the prediction underestimates it. A measure that
raises at a size is reported with status ``error`` and the exception in ``note``
(the run goes on).

:func:`summarise` fits the scaling exponents (least squares on log-log) in n at
fixed p and q, and in p (= q) at fixed n, for the measured times and for the floor.
"""

from __future__ import annotations

import math
import os
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from benchmarks.costs import cost, size_names, working_set_bytes
from benchmarks.floor import Floor, floor_seconds, measure_floor

__all__ = [
    "COLUMNS",
    "GRIDS",
    "Grid",
    "fit_exponent",
    "make_models",
    "make_representations",
    "run_bench",
    "summarise",
]

Size = tuple[int, int, int]

#: Columns of the frame :func:`run_bench` returns, in order.
COLUMNS = (
    "measure", "compares", "n", "p", "q", "device", "dtype", "implementation", "status", "time_s", "repeats",
    "floor_s", "ratio", "flops", "bytes", "gflops", "peak_mem_bytes", "mem_method", "value", "cost_class", "note",
)


@dataclass(frozen=True)
class Grid:
    """Sizes to run: ``(n, p, q)`` for representation measures, ``(N, K, M)`` for model distances."""

    name: str
    representations: tuple[Size, ...]
    models: tuple[Size, ...]
    #: Default per-call time limit for this grid, in seconds.
    time_limit: float = 60.0
    #: Default number of timed calls after the warm-up.
    repeats: int = 3

    def sizes(self, compares: str) -> tuple[Size, ...]:
        return self.models if compares == "models" else self.representations


def _grid(ns: Iterable[int], ps: Iterable[int], qs: Iterable[int] | None = None) -> tuple[Size, ...]:
    """Every (n, p, q); ``q = p`` when ``qs`` is None."""
    if qs is None:
        return tuple((n, p, p) for n, p in product(ns, ps))
    return tuple(product(ns, ps, qs))


#: ``quick`` is the CI smoke grid (the whole registry in well under a minute on 2 cores); ``full``
#: reaches the paper's model scale (N = 1e4, K = 50257, M = 768) and n = 1e5 representations.
GRIDS: dict[str, Grid] = {
    "quick": Grid("quick", _grid([200, 400], [16]), _grid([200, 400], [32], [8]), time_limit=10.0, repeats=1),
    "default": Grid(
        "default", _grid([1000, 3000, 10000], [16, 64, 256]), _grid([1000, 3000, 10000], [100, 1000, 10000], [16]),
        time_limit=60.0,
    ),
    "full": Grid(
        "full", _grid([1000, 10000, 100000], [64, 512, 2048]), _grid([1000, 3000, 10000], [1000, 10000, 50257], [768]),
        time_limit=600.0,
    ),
}


# ----------------------------------------------------------------------------- inputs


def make_representations(n: int, p: int, q: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two related float64 representations of the same n stimuli, seeded.

    ``X`` is Gaussian with a common offset (so uncentred measures see a mean
    row); ``Y`` rescales randomly chosen columns of ``X`` and adds noise and an
    offset, so every measure has a non-trivial value. Cost O(n (p + q)).
    """
    rng = np.random.default_rng([seed, n, p, q])
    X = rng.standard_normal((n, p)) + 0.5
    cols = rng.integers(0, p, size=q)
    Y = X[:, cols] * rng.uniform(0.5, 2.0, size=q) + 0.5 * rng.standard_normal((n, q)) + 0.25
    return X, Y


def make_models(N: int, K: int, M: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two float64 softmax models (F, G) and (Fp, Gp), logits of order 1, q a perturbation of p."""
    rng = np.random.default_rng([seed, N, K, M])
    F = rng.standard_normal((N, M))
    G = rng.standard_normal((K, M)) / math.sqrt(M)
    Fp = F + 0.1 * rng.standard_normal((N, M))
    Gp = G + rng.standard_normal((K, M)) / (10.0 * math.sqrt(M))
    return F, G, Fp, Gp


# ----------------------------------------------------------------------------- exponents


def fit_exponent(x: ArrayLike, t: ArrayLike) -> float:
    """Least-squares slope of ``log t`` against ``log x`` (NaN with fewer than two distinct x).

    Examples
    --------
    >>> round(fit_exponent([1000, 2000, 4000], [0.1, 0.4, 1.6]), 6)
    2.0
    """
    xa, ta = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    ok = np.isfinite(xa) & np.isfinite(ta) & (xa > 0) & (ta > 0)
    xa, ta = xa[ok], ta[ok]
    if np.unique(xa).size < 2:
        return math.nan
    lx, lt = np.log(xa), np.log(ta)
    lx -= lx.mean()
    return float(np.dot(lx, lt - lt.mean()) / np.dot(lx, lx))


_MEASURED = ("ok", "over-limit")


def _series(rows: pd.DataFrame, axis: str) -> pd.DataFrame:
    """The rows of the longest series varying only ``axis`` ("n" or "p"); ties go to the largest other sizes."""
    fixed = ["p", "q"] if axis == "n" else ["n"]
    best: pd.DataFrame | None = None
    best_key: tuple[int, tuple[int, ...]] = (0, ())
    for key, group in rows.groupby(fixed):
        keys = key if isinstance(key, tuple) else (key,)
        k = (int(group[axis].nunique()), tuple(int(v) for v in keys))
        if k > best_key:
            best, best_key = group, k
    return best if best is not None else rows.iloc[:0]


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    """One row per measure: scaling exponents of the time and of the floor, and the ratio at the largest size run.

    ``exp_n`` is fitted over the longest series of sizes that differ only in n
    (N for a model distance), ``exp_p`` over the longest that differ only in p
    (K for a model distance; p and q move together in the grids). NaN where
    fewer than two such sizes ran.
    """
    out: list[dict[str, Any]] = []
    for name, rows in df.groupby("measure", sort=False):
        ran = rows[rows["status"].isin(_MEASURED) & np.isfinite(rows["time_s"].astype(float))]
        entry: dict[str, Any] = {"measure": name, "compares": rows["compares"].iloc[0]}
        for axis in ("n", "p"):
            s = _series(ran, axis)
            label = axis if rows["compares"].iloc[0] == "representations" else {"n": "N", "p": "K"}[axis]
            entry[f"exp_{axis}"] = fit_exponent(s[axis], s["time_s"]) if len(s) else math.nan
            entry[f"floor_exp_{axis}"] = fit_exponent(s[axis], s["floor_s"]) if len(s) else math.nan
            entry[f"{axis}_range"] = f"{label}={int(s[axis].min())}..{int(s[axis].max())}" if s[axis].nunique() > 1 else ""
        if len(ran):
            last = ran.loc[ran["floor_s"].astype(float).idxmax()]
            entry["largest_ratio"] = float(last["ratio"])
        else:
            entry["largest_ratio"] = math.nan
        counts = rows["status"].value_counts()
        entry["runs"] = ", ".join(f"{k} {v}" for k, v in counts.items())
        entry["cost_class"] = rows["cost_class"].iloc[0]
        out.append(entry)
    return pd.DataFrame(out)


# ----------------------------------------------------------------------------- timing and memory


def _vm_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux >= 4.0); False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class _Timer:
    """Times and probes calls on one implementation and device."""

    def __init__(self, impl: str, device: Any) -> None:
        self.impl = impl
        self.cuda = impl == "torch" and getattr(device, "type", "cpu") == "cuda"
        self.device = device

    def sync(self) -> None:
        if self.cuda:
            import torch

            torch.cuda.synchronize(self.device)

    def time(self, call: Callable[[], Any]) -> tuple[float, Any]:
        self.sync()
        t0 = time.perf_counter()
        out = call()
        self.sync()
        return time.perf_counter() - t0, out

    def memory(self, call: Callable[[], Any]) -> tuple[float, Any, int | None, str]:
        """One call with its peak memory above the start: (seconds, result, bytes or None, method)."""
        if self.cuda:
            import torch

            self.sync()
            torch.cuda.reset_peak_memory_stats(self.device)
            allocated = torch.cuda.memory_allocated(self.device)
            t, out = self.time(call)
            return t, out, int(torch.cuda.max_memory_allocated(self.device) - allocated), "cuda max_memory_allocated"
        if self.impl == "numpy":
            was = tracemalloc.is_tracing()
            if not was:
                tracemalloc.start()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            try:
                t, out = self.time(call)
                traced = tracemalloc.get_traced_memory()[1] - base
            finally:
                if not was:
                    tracemalloc.stop()
            return t, out, int(max(traced, 0)), "tracemalloc"
        before = _vm_kib("VmRSS")
        if before is None or not _reset_peak_rss():
            t, out = self.time(call)
            return t, out, None, "not tracked"
        t, out = self.time(call)
        high = _vm_kib("VmHWM")
        if high is None:
            return t, out, None, "not tracked"
        return t, out, max(high - before, 0) * 1024, "peak RSS growth (lower bound)"


def _as_float(value: Any) -> float:
    if hasattr(value, "detach"):
        return float(value.detach().cpu().item())
    return float(value)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}"


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.3g} s"


# ----------------------------------------------------------------------------- prediction


@dataclass
class _History:
    """What ran for one measure: sizes with their time and floor, and the sizes over the limit."""

    done: list[tuple[Size, float, float]]
    over: list[Size]


def _dominates(a: Size, b: Size) -> bool:
    """Every size of ``a`` at least that of ``b``."""
    return all(x >= y for x, y in zip(a, b, strict=True))


def _predict(h: _History, size: Size, floor_s: float) -> float:
    """Predicted seconds of one call at ``size`` from the sizes that ran (0 when none did).

    The larger of: the most expensive run scaled by the cost model (its time times the
    ratio of floors), and, along n (p, q fixed) and along p (n fixed) once two sizes of
    that series ran, the largest of them extrapolated with the fitted exponent.
    """
    if not h.done:
        return 0.0
    _, ref_t, ref_floor = max(h.done, key=lambda r: r[2])
    guesses = [ref_t * floor_s / ref_floor if ref_floor > 0 else 0.0]
    along_n = [r for r in h.done if r[0][1:] == size[1:]]
    along_p = [r for r in h.done if r[0][0] == size[0]]
    for axis, series in ((0, along_n), (1, along_p)):
        if len({r[0][axis] for r in series}) < 2:
            continue
        e = fit_exponent([r[0][axis] for r in series], [r[1] for r in series])
        top = max(series, key=lambda r: r[0][axis])
        if math.isfinite(e) and size[axis] > top[0][axis]:
            guesses.append(top[1] * (size[axis] / top[0][axis]) ** max(e, 0.0))
    return max(guesses)


# ----------------------------------------------------------------------------- the run


def _memory_budget(device: Any, impl: str) -> float:
    if impl == "torch" and getattr(device, "type", "cpu") == "cuda":
        import torch

        return 0.8 * float(torch.cuda.get_device_properties(device).total_memory)
    try:
        return 0.5 * float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8.0 * 2**30


def _progress_bar(total: int, enabled: bool | None) -> Any:
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc="simaudit bench", unit="run", file=sys.stderr, leave=False)


def run_bench(
    names: Sequence[str] | None = None,
    sizes: str | Grid = "default",
    device: str = "cpu",
    dtype: str = "float64",
    repeats: int | None = None,
    time_limit: float | None = None,
    progress: bool | None = None,
    *,
    impl: str = "numpy",
    seed: int = 0,
    memory_budget: float | None = None,
    floor: Floor | None = None,
) -> pd.DataFrame:
    """Time registry measures over a grid of sizes against the floor of this machine.

    Parameters
    ----------
    names : sequence of str, optional
        Registry names (default: every measure).
    sizes : {"quick", "default", "full"} or Grid
        The grid (:data:`GRIDS`) or explicit sizes.
    device : str
        ``"cpu"`` or ``"cuda"`` (torch only).
    dtype : {"float64", "float32"}
        Input dtype; float32 needs ``impl="torch"`` (the numpy references compute in float64).
    repeats : int, optional
        Timed calls after the warm-up (default: the grid's; fewer when a call is long against ``time_limit``).
    time_limit : float, optional
        Seconds one call may take (default: the grid's).
    progress : bool, optional
        tqdm bar on stderr (default: when stderr is a terminal).
    impl : {"numpy", "torch"}
        Which implementation of every measure to time.
    seed : int
        Seed of every input.
    memory_budget : float, optional
        Bytes a size's estimated working set may take (default: half the RAM, or 80% of the GPU's memory).
    floor : Floor, optional
        Reuse a measured floor instead of measuring one (it must match impl, device and dtype).

    Returns
    -------
    pandas.DataFrame
        One row per (measure, size), measures in the order asked, sizes from the
        smallest; columns :data:`COLUMNS`; ``df.attrs`` holds ``floor`` (the
        :class:`Floor` the ratios use, as a dict), ``floor_end`` (the same rates
        measured again after the last measure, when the floor was measured here;
        the ratios do not use it, it shows how much the machine drifted) and
        ``settings``.

    Raises
    ------
    KeyError
        For an unregistered name.
    ValueError
        For an invalid option (float32 with numpy, numpy on CUDA, repeats < 1, a non-positive limit).
    """
    from metrics.models import SoftmaxModel
    from metrics.registry import get
    from metrics.registry import names as all_names

    if isinstance(sizes, str) and sizes not in GRIDS:
        raise ValueError(f"run_bench: sizes must be one of {sorted(GRIDS)} or a Grid; got {sizes!r}.")
    grid = GRIDS[sizes] if isinstance(sizes, str) else sizes
    limit = grid.time_limit if time_limit is None else float(time_limit)
    if not limit > 0:
        raise ValueError(f"run_bench: time_limit must be > 0 seconds; got {time_limit!r}.")
    repeats = grid.repeats if repeats is None else int(repeats)
    if repeats < 1:
        raise ValueError(f"run_bench: repeats must be >= 1; got {repeats!r}.")
    if impl not in ("numpy", "torch"):
        raise ValueError(f"run_bench: impl must be 'numpy' or 'torch'; got {impl!r}.")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"run_bench: dtype must be 'float64' or 'float32'; got {dtype!r}.")
    if impl == "numpy" and dtype != "float64":
        raise ValueError("run_bench: the numpy references compute in float64; got dtype='float32'. Use impl='torch'.")
    if impl == "numpy" and not str(device).startswith("cpu"):
        raise ValueError(f"run_bench: numpy runs on the CPU only; got device={device!r}. Use impl='torch'.")
    specs = [get(n) for n in dict.fromkeys(names or all_names())]
    import torch

    tdev = torch.device(device)
    tdt = getattr(torch, dtype)
    measured = floor is None
    if floor is None:
        floor = measure_floor(impl=impl, device=str(tdev), dtype=dtype)  # type: ignore[arg-type]
    elif (floor.impl, floor.dtype, floor.device.split(":")[0]) != (impl, dtype, tdev.type):
        raise ValueError(
            f"run_bench: floor must be measured through the implementation, dtype and device timed; got a floor of "
            f"{floor.impl}/{floor.dtype}/{floor.device} for {impl}/{dtype}/{tdev}."
        )
    budget = _memory_budget(tdev, impl) if memory_budget is None else float(memory_budget)
    itemsize = 8 if dtype == "float64" else 4
    timer = _Timer(impl, tdev)
    history = {s.name: _History(done=[], over=[]) for s in specs}
    fns = {s.name: (s.numpy_fn if impl == "numpy" else s.torch_fn) for s in specs}
    rows: list[dict[str, Any]] = []
    plan: list[tuple[str, Size]] = []
    for compares in ("representations", "models"):
        grid_sizes = sorted(set(grid.sizes(compares)), key=lambda s: (s[0] * (s[1] + s[2]), s))
        plan += [(compares, size) for size in grid_sizes]
    bar = _progress_bar(sum(len(set(grid.sizes(s.compares))) for s in specs), progress)
    try:
        for compares, size in plan:
            todo = [s for s in specs if s.compares == compares]
            if not todo:
                continue
            inputs: tuple[Any, ...] | None = None
            for spec in todo:
                name = spec.name
                if bar is not None:
                    bar.set_postfix_str(f"{name} {size}")
                c = cost(name, *size, itemsize=itemsize)
                fs = floor_seconds(c.flops, c.bytes, floor)
                row: dict[str, Any] = {
                    "measure": name, "compares": compares, "n": size[0], "p": size[1], "q": size[2],
                    "device": str(tdev), "dtype": dtype, "implementation": impl, "status": "ok", "time_s": math.nan,
                    "repeats": 0, "floor_s": fs, "ratio": math.nan, "flops": c.flops, "bytes": c.bytes,
                    "gflops": math.nan, "peak_mem_bytes": None, "mem_method": "", "value": math.nan,
                    "cost_class": c.cls, "note": "",
                }
                h = history[name]
                need = working_set_bytes(name, *size, impl=impl, itemsize=itemsize)
                predicted = _predict(h, size, fs)
                if any(_dominates(size, o) for o in h.over):
                    row.update(status="skipped-time", note="a size no larger ran over the time limit")
                elif need > budget:
                    row.update(status="skipped-memory", note=f"estimated working set {need / 1e9:.3g} GB > memory budget {budget / 1e9:.3g} GB")
                elif fs > limit:
                    row.update(status="skipped-time", note=f"floor alone {_fmt_s(fs)} > time limit {_fmt_s(limit)}")
                elif predicted > limit:
                    row.update(status="skipped-time", note=f"predicted {_fmt_s(predicted)} > time limit {_fmt_s(limit)}")
                else:
                    if inputs is None:
                        inputs = _build_inputs(compares, size, seed, impl, tdev, tdt, SoftmaxModel)
                    _measure(row, fns[name], inputs, timer, repeats, limit, h, size)
                rows.append(row)
                if bar is not None:
                    bar.update(1)
            inputs = None
    finally:
        if bar is not None:
            bar.close()
    order = {s.name: i for i, s in enumerate(specs)}
    rows.sort(key=lambda r: (order[r["measure"]], r["n"] * (r["p"] + r["q"]), r["n"], r["p"], r["q"]))
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df.attrs["floor"] = floor.as_dict()
    if measured:  # measured again at the end: a busy machine shows as drift between the two
        df.attrs["floor_end"] = measure_floor(impl=impl, device=str(tdev), dtype=dtype).as_dict()  # type: ignore[arg-type]
    df.attrs["settings"] = {
        "grid": grid.name, "impl": impl, "device": str(tdev), "dtype": dtype, "repeats": repeats,
        "time_limit_s": limit, "memory_budget_bytes": budget, "seed": seed,
    }
    return df


def _build_inputs(compares: str, size: Size, seed: int, impl: str, device: Any, dtype: Any, model_cls: Any) -> tuple[Any, ...]:
    arrays: tuple[np.ndarray, ...] = make_representations(*size, seed=seed) if compares == "representations" else make_models(*size, seed=seed)
    if impl == "numpy":
        if compares == "models":
            F, G, Fp, Gp = arrays
            return (model_cls(F, G, name="p"), model_cls(Fp, Gp, name="q"))
        return arrays
    import torch

    return tuple(torch.from_numpy(a).to(device=device, dtype=dtype) for a in arrays)


def _measure(row: dict[str, Any], fn: Callable[..., Any], inputs: tuple[Any, ...], timer: _Timer, repeats: int,
             limit: float, h: _History, size: Size) -> None:
    """Warm-up, timed repeats and the memory probe of one measure at one size, into ``row``."""
    import torch

    def call() -> Any:
        with torch.no_grad():
            return fn(*inputs)

    caught: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as log:
            warnings.simplefilter("always")
            if timer.impl == "numpy":
                t_first, out = timer.time(call)
                peak, method = None, ""
            else:  # the warm-up is also the memory probe (no tracing overhead on torch)
                t_first, out, peak, method = timer.memory(call)
            caught = sorted({w.category.__name__ for w in log})
        value = _as_float(out)
        if t_first > limit:
            h.over.append(size)
            row.update(status="over-limit", time_s=t_first, repeats=1, peak_mem_bytes=peak, mem_method=method, value=value,
                       note=f"first call {_fmt_s(t_first)} > time limit {_fmt_s(limit)} (time of that call, warm-up included)")
        else:
            times: list[float] = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                budget = max(1, min(repeats, int(limit / max(t_first, 1e-9))))
                for _ in range(budget):
                    times.append(timer.time(call)[0])
                if timer.impl == "numpy":
                    if min(times) <= limit / 3:
                        _, _, peak, method = timer.memory(call)
                    else:
                        method = "not measured (call too long to trace)"
            row.update(time_s=min(times), repeats=len(times), peak_mem_bytes=peak, mem_method=method, value=value)
        row["ratio"] = row["time_s"] / row["floor_s"] if row["floor_s"] > 0 else math.nan
        row["gflops"] = row["flops"] / row["time_s"] / 1e9
        if caught:
            row["note"] = (row["note"] + "; " if row["note"] else "") + "warned: " + ", ".join(caught)
        if row["status"] == "ok":
            h.done.append((size, float(row["time_s"]), float(row["floor_s"])))
    except Exception as exc:  # noqa: BLE001 - a measure's failure is a result to report, not a crash of the run
        row.update(status="error", note=_short(exc))


def sizes_label(name: str, n: int, p: int, q: int) -> str:
    """``"n=1000 p=64 q=64"`` or ``"N=1000 K=100 M=16"``."""
    a, b, c = size_names(name)
    return f"{a}={n} {b}={p} {c}={q}"
