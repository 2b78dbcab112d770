"""Peers side by side: the same input, our time and value next to each installed peer library's.

For every pair (registry measure, peer library) whose values should agree (the pairs and
conventions the differential tests in ``metrics/tests`` establish), :func:`run_peers` times
our float64 numpy reference, our torch float64 version and the peer on identical inputs and
reports both values, their difference, and ``ratio = peer_s / ours_s`` (above 1: we are
faster), with ``ours_s`` the better of our two implementations.

Every timed call runs in a separate worker process (multiprocessing, spawn), so a peer that
hangs, is slow, or grows past the memory limit is killed and reported (``"timeout"``,
``"error: ..."``) and never blocks the run. The inputs reach the worker through a temporary
``.npy`` file; the time is measured inside the worker (the minimum over ``repeats`` calls after
one warm-up call), so process start-up and imports are not counted. A peer's time limit runs
from the moment its callable is built (imports done) to the end of its first call; calls after
the first are made only while they fit in the limit.

Run (the issue-5 sizes)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m benchmarks.peers --n 2000 --p 64 --q 64 --out out/
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m benchmarks.peers --n 10000 --p 256 --q 256 --out out/

Inputs: ``X`` standard normal (n, p) and ``Y = X[:, :k] B + E`` with ``k = min(p, q)``, ``B``
and ``E`` standard normal (the well-conditioned pair of the CCA peer tests), from ``seed``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import logging
import math
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["COLUMNS", "PEERS", "Peer", "main", "make_inputs", "run_peers", "to_markdown"]

logger = logging.getLogger(__name__)

Matrix = NDArray[np.float64]
#: A peer's computation from the two float64 inputs to one number.
PeerFn = Callable[[Matrix, Matrix], Any]

COLUMNS = (
    "measure", "peer", "n", "p", "q", "options", "ours_impl", "ours_s", "ours_numpy_s", "ours_torch_s", "peer_s",
    "ratio", "ratio_at_least", "ours_value", "peer_value", "abs_diff", "tol", "agree", "status", "peer_calls", "note",
)  # fmt: skip


@dataclass(frozen=True)
class Peer:
    """One (registry measure, peer) pair whose values should agree.

    ``build`` runs inside the worker process: it imports the peer (lazily, so a missing peer
    costs nothing) and returns the callable that is timed, ``f(X, Y) -> number``, including
    whatever transformation of the peer's output makes it our value. ``agree`` means
    ``|ours - peer| <= atol + rtol * |ours|``.
    """

    measure: str  # registry name
    label: str  # the peer and the function called
    module: str  # top-level import name; not importable -> "not installed"
    build: Callable[[], PeerFn]  # picklable (a module-level function or a partial of one)
    ours_kwargs: tuple[tuple[str, Any], ...] = ()  # keyword options of our function that the peer's convention needs
    atol: float = 1e-9
    rtol: float = 0.0
    note: str = ""


# --------------------------------------------------------------------------- peer callables (built in the worker)


def _column_corr(a: Any, b: Any) -> Matrix:
    """Pearson correlation of each column of ``a`` with the same column of ``b``."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    ac, bc = a - a.mean(axis=0), b - b.mean(axis=0)
    out: Matrix = np.sum(ac * bc, axis=0) / np.sqrt(np.sum(ac * ac, axis=0) * np.sum(bc * bc, axis=0))
    return out


def _cca_zoo(model: str, reduce: str) -> PeerFn:
    from cca_zoo import linear

    def f(X: Matrix, Y: Matrix) -> float:
        k = min(X.shape[1], Y.shape[1])
        if model == "CCA" and reduce == "score":
            return float(linear.CCA(n_components=k).fit([X, Y]).score([X, Y]))
        est = linear.CCA(n_components=k) if model == "CCA" else linear.MCCA(n_components=k)
        a, b = est.fit([X, Y]).transform([X, Y])
        rho = _column_corr(a, b)
        return float({"mean": np.mean(rho), "mean_sq": np.mean(rho**2), "sum_sq": np.sum(rho**2)}[reduce])

    return f


def _sklearn_cca(tight: bool) -> PeerFn:
    from sklearn.cross_decomposition import CCA

    def f(X: Matrix, Y: Matrix) -> float:
        k = min(X.shape[1], Y.shape[1])
        model = CCA(n_components=k, max_iter=5000, tol=1e-12) if tight else CCA(n_components=k)
        xs, ys = model.fit_transform(X, Y)
        return float(np.mean(np.abs(_column_corr(xs, ys))))

    return f


def _ckatorch(kind: str, batch_size: int = 0) -> PeerFn:
    import ckatorch
    import torch

    def f(X: Matrix, Y: Matrix) -> float:
        tX, tY = torch.from_numpy(X), torch.from_numpy(Y)
        if kind == "linear":
            return float(ckatorch.cka_base(tX, tY))
        if kind == "debiased":
            return float(ckatorch.cka_base(tX, tY, unbiased=True))
        if kind == "rbf":
            return float(ckatorch.cka_base(tX, tY, kernel="rbf", threshold=1.0))
        if kind == "hsic0":
            return float(ckatorch.hsic0(ckatorch.linear_kernel(tX), ckatorch.linear_kernel(tY)))
        if kind == "hsic1":
            return float(ckatorch.hsic1(ckatorch.linear_kernel(tX)[None], ckatorch.linear_kernel(tY)[None]))
        if kind == "batch":
            n = X.shape[0]
            if n % batch_size:
                raise ValueError(f"ckatorch.cka_batch needs equal batches: n={n} is not a multiple of {batch_size}")
            k = n // batch_size
            return float(ckatorch.cka_batch(tX.reshape(k, batch_size, -1), tY.reshape(k, batch_size, -1)))
        raise ValueError(kind)

    return f


def _torch_cka_hsic() -> PeerFn:
    import torch
    from torch_cka import CKA

    class _Device:  # CKA._HSIC reads only self.device
        device = "cpu"

    def f(X: Matrix, Y: Matrix) -> float:
        # torch-cka's own pipeline: float32 features, K = X X^T with the diagonal zeroed.
        tX, tY = torch.from_numpy(X).float(), torch.from_numpy(Y).float()
        K, L = tX @ tX.T, tY @ tY.T
        K.fill_diagonal_(0.0)
        L.fill_diagonal_(0.0)
        return float(CKA._HSIC(_Device(), K, L))

    return f


def _dcor(squared: bool) -> PeerFn:
    import dcor

    def f(X: Matrix, Y: Matrix) -> float:
        return float(dcor.distance_correlation_sqr(X, Y) if squared else dcor.distance_correlation(X, Y))

    return f


def _rsatoolbox(rdm: str, compare: str, sqrt: bool = False) -> PeerFn:
    from rsatoolbox.data import Dataset
    from rsatoolbox.rdm import calc_rdm, sqrt_transform
    from rsatoolbox.rdm import compare as rsa_compare

    def f(X: Matrix, Y: Matrix) -> float:
        rx: Any = calc_rdm(Dataset(X), method=rdm)
        ry: Any = calc_rdm(Dataset(Y), method=rdm)
        if sqrt:  # rsatoolbox's "euclidean" RDM is the squared distance / p; its square root is ours / sqrt(p)
            rx, ry = sqrt_transform(rx), sqrt_transform(ry)
        return float(rsa_compare(rx, ry, method=compare)[0, 0])

    return f


def _rsatoolbox_bures_distance() -> PeerFn:
    from rsatoolbox.data import Dataset
    from rsatoolbox.rdm import calc_rdm
    from rsatoolbox.rdm import compare as rsa_compare

    def f(X: Matrix, Y: Matrix) -> float:
        # 'bures_metric' is the squared Bures distance of G = Xc Xc^T / p: scale by sqrt(p) to undo the 1/p,
        # then n * d^2 = metric (test_bures_equals_rsatoolbox).
        n, p = X.shape
        rx: Any = calc_rdm(Dataset(X * math.sqrt(p)), method="euclidean")
        ry: Any = calc_rdm(Dataset(Y * math.sqrt(Y.shape[1])), method="euclidean")
        metric = float(rsa_compare(rx, ry, method="bures_metric")[0, 0])
        return math.sqrt(max(metric, 0.0) / n)  # clip: rounding can make a zero distance slightly negative

    return f


def _pyriemann(eps: float) -> PeerFn:
    import scipy.linalg
    from pyriemann.utils.distance import distance_riemann

    def gram(A: Matrix) -> Matrix:
        n, p = A.shape
        Z = scipy.linalg.helmert(n) @ (A - A.mean(axis=0))  # (n - 1, p): coordinates in the centred subspace
        G: Matrix = Z @ Z.T / p
        G[np.diag_indices_from(G)] += eps * np.trace(G) / (n - 1)
        return G

    def f(X: Matrix, Y: Matrix) -> float:
        return float(distance_riemann(gram(X), gram(Y)))

    return f


def _pot() -> PeerFn:
    import ot

    def f(X: Matrix, Y: Matrix) -> float:
        Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
        cost = ot.dist(Xc.T, Yc.T)  # squared Euclidean distances between units
        value = float(ot.emd2(ot.unif(X.shape[1]), ot.unif(Y.shape[1]), cost))
        return math.sqrt(max(value, 0.0))  # clip: a zero transport cost can round below 0

    return f


def _sklearn_linreg(backward: bool) -> PeerFn:
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import r2_score

    def f(X: Matrix, Y: Matrix) -> float:
        A, B = (Y, X) if backward else (X, Y)
        fit = LinearRegression().fit(A, B)
        return float(r2_score(B, fit.predict(A), multioutput="variance_weighted"))

    return f


def _sklearn_ridge_cv(backward: bool, alpha: float, folds: int) -> PeerFn:
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold

    def f(X: Matrix, Y: Matrix) -> float:
        A, B = (Y, X) if backward else (X, Y)
        p = A.shape[1]
        prediction = np.empty_like(B)
        for train, test in KFold(n_splits=folds).split(A):
            At = A[train] - A[train].mean(axis=0)
            lam = alpha * float(np.sum(At * At)) / min(p, len(train) - 1)  # our relative penalty, made absolute
            prediction[test] = Ridge(alpha=lam).fit(A[train], B[train]).predict(A[test])
        return float(r2_score(B, prediction, multioutput="variance_weighted"))

    return f


def _sklearn_knn_jaccard(k: int) -> PeerFn:
    from sklearn.neighbors import NearestNeighbors

    def neighbours(A: Matrix) -> Any:
        nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute").fit(A)
        return nn.kneighbors(A, return_distance=False)[:, 1:]  # ReSi: drop the first (the query itself)

    def f(X: Matrix, Y: Matrix) -> float:
        nx, ny = neighbours(X), neighbours(Y)
        return float(np.mean([len(set(a) & set(b)) / len(set(a) | set(b)) for a, b in zip(nx, ny, strict=True)]))

    return f


_RBF_NOTE = (
    "ckatorch's torch.median takes the lower middle value of the n^2 squared distances where we average the two "
    "middle values: identical for odd n, a relative bandwidth change of order 1/n^2 for even n"
)
_F32_NOTE = "torch-cka builds float32 kernels (its _HSIC only accepts float32): float32 accuracy"
_BURES_NOTE = (
    "rsatoolbox takes eigh-based square roots of the singular n x n kernels: the n - p null eigenvalues come out "
    "at about eps * lambda_max and their square roots add about (n / p) sqrt(eps) relative error"
)
_ZOO_NOTE = "cca-zoo floors the within-view covariances at 1e-6 of their largest eigenvalue"

def _rsa_peer(measure: str, rdm: str, compare: str, *, sqrt: bool = False) -> Peer:
    label = f"rsatoolbox {rdm} RDM, {'sqrt_transform, ' if sqrt else ''}{compare}"
    return Peer(measure, label, "rsatoolbox", partial(_rsatoolbox, rdm, compare, sqrt), atol=1e-10)


#: Every (measure, peer) pair whose values agree, with the conventions of the differential tests.
PEERS: tuple[Peer, ...] = (
    Peer("mcca", "cca-zoo CCA.score", "cca_zoo", partial(_cca_zoo, "CCA", "score"), atol=1e-8, note=_ZOO_NOTE),
    Peer("mcca", "cca-zoo MCCA, mean corr", "cca_zoo", partial(_cca_zoo, "MCCA", "mean"), atol=1e-8, note=_ZOO_NOTE),
    Peer("cca_r2", "cca-zoo CCA, mean corr^2", "cca_zoo", partial(_cca_zoo, "CCA", "mean_sq"), atol=1e-8,
         note=_ZOO_NOTE),
    Peer("cca_pillai", "cca-zoo CCA, sum corr^2", "cca_zoo", partial(_cca_zoo, "CCA", "sum_sq"), atol=1e-7,
         note=_ZOO_NOTE),
    Peer(
        "mcca", "sklearn CCA(tol=1e-12, max_iter=5000), mean |corr|", "sklearn", partial(_sklearn_cca, True),
        atol=1e-6, note="NIPALS with deflation, iterated to a tight tolerance",
    ),
    Peer(
        "mcca", "sklearn CCA() defaults, mean |corr|", "sklearn", partial(_sklearn_cca, False),
        atol=1e-4, note="NIPALS at its defaults (tol=1e-6, max_iter=500)",
    ),
    Peer("cka_linear", "ckatorch cka_base", "ckatorch", partial(_ckatorch, "linear"), atol=1e-12),
    Peer("cka_debiased", "ckatorch cka_base(unbiased=True)", "ckatorch", partial(_ckatorch, "debiased"), atol=1e-12),
    Peer("hsic_linear", "ckatorch hsic0", "ckatorch", partial(_ckatorch, "hsic0"), rtol=1e-10),
    Peer("hsic_linear_unbiased", "ckatorch hsic1", "ckatorch", partial(_ckatorch, "hsic1"), rtol=1e-9),
    Peer(
        "cka_minibatch", "ckatorch cka_batch", "ckatorch", partial(_ckatorch, "batch", 200),
        ours_kwargs=(("batch_size", 200),), atol=1e-12,
        note="batches of 200 rows (ckatorch needs n divisible by it)",
    ),
    Peer(
        "cka_rbf", "ckatorch cka_base(kernel='rbf')", "ckatorch", partial(_ckatorch, "rbf"),
        ours_kwargs=(("median", "all"),), atol=1e-6, note=_RBF_NOTE,
    ),
    Peer(
        "hsic_linear_unbiased", "torch-cka CKA._HSIC (float32)", "torch_cka", _torch_cka_hsic,
        rtol=1e-3, note=_F32_NOTE,
    ),
    Peer("dcor", "dcor distance_correlation", "dcor", partial(_dcor, False), atol=1e-12),
    Peer("distance_alignment", "dcor distance_correlation_sqr", "dcor", partial(_dcor, True), atol=1e-12),
    _rsa_peer("rsa_correlation_spearman", "correlation", "spearman"),
    _rsa_peer("rsa_correlation_pearson", "correlation", "corr"),
    _rsa_peer("rsa_correlation_kendall_tau_b", "correlation", "kendall"),
    _rsa_peer("rsa_euclidean_spearman", "euclidean", "spearman"),
    _rsa_peer("rsa_euclidean_pearson", "euclidean", "corr", sqrt=True),
    _rsa_peer("rsa_euclidean_cosine", "euclidean", "cosine", sqrt=True),
    _rsa_peer("rsa_sqeuclidean_cosine_cov", "euclidean", "cosine_cov"),
    Peer(
        "normalised_bures_similarity", "rsatoolbox compare 'bures'", "rsatoolbox",
        partial(_rsatoolbox, "euclidean", "bures"), rtol=1e-5, note=_BURES_NOTE,
    ),
    Peer(
        "bures_distance", "rsatoolbox compare 'bures_metric'", "rsatoolbox", _rsatoolbox_bures_distance,
        rtol=1e-5, note=_BURES_NOTE,
    ),
    Peer(
        "riemannian_ridge", "pyriemann distance_riemann", "pyriemann", partial(_pyriemann, 0.01), rtol=1e-8,
        note="on the Helmert-coordinate Gram matrices with the 1% ridge, built with numpy",
    ),
    Peer("soft_matching", "POT emd2, sqrt", "ot", _pot, atol=1e-10, rtol=1e-10),
    Peer("linreg_r2_x_to_y", "sklearn LinearRegression + r2_score", "sklearn", partial(_sklearn_linreg, False),
         atol=1e-10),
    Peer("linreg_r2_y_to_x", "sklearn LinearRegression + r2_score", "sklearn", partial(_sklearn_linreg, True),
         atol=1e-10),
    Peer(
        "ridge_cv_r2_x_to_y", "sklearn Ridge + KFold(5) + r2_score", "sklearn",
        partial(_sklearn_ridge_cv, False, 0.1, 5),
        ours_kwargs=(("alpha", 0.1), ("folds", 5)), atol=1e-9, note="our relative penalty made absolute per fold",
    ),
    Peer(
        "ridge_cv_r2_y_to_x", "sklearn Ridge + KFold(5) + r2_score", "sklearn",
        partial(_sklearn_ridge_cv, True, 0.1, 5),
        ours_kwargs=(("alpha", 0.1), ("folds", 5)), atol=1e-9, note="our relative penalty made absolute per fold",
    ),
    Peer(
        "knn_jaccard", "sklearn NearestNeighbors(cosine, brute)", "sklearn", partial(_sklearn_knn_jaccard, 10),
        ours_kwargs=(("k", 10),), atol=1e-12, note="ReSi's neighbour search; agrees when no distances tie",
    ),
)  # fmt: skip

#: Distribution names of the peers' import names, for the versions recorded with a run.
_DISTRIBUTIONS = {
    "cca_zoo": "cca-zoo", "sklearn": "scikit-learn", "ckatorch": "ckatorch", "torch_cka": "torch-cka",
    "dcor": "dcor", "rsatoolbox": "rsatoolbox", "pyriemann": "pyriemann", "ot": "POT",
}  # fmt: skip


# --------------------------------------------------------------------------- ours (built in the worker)


def _ours(measure: str, impl: str, kwargs: tuple[tuple[str, Any], ...]) -> PeerFn:
    from metrics.registry import get

    spec = get(measure)
    options = dict(kwargs)
    if impl == "numpy":
        fn = spec.numpy_fn
        return lambda X, Y: fn(X, Y, **options)
    import torch

    tfn = spec.torch_fn
    return lambda X, Y: tfn(torch.from_numpy(X), torch.from_numpy(Y), **options)


# --------------------------------------------------------------------------- the worker process


def _worker(conn: Any) -> None:
    """Serve tasks until told to stop: build a callable, time it, send one message per call.

    Messages: ``("ready",)`` once built; ``("call", seconds, value)`` per call; ``("done",)``;
    or ``("missing", text)`` / ``("error", text)``.
    """
    warnings.simplefilter("ignore")  # peers' convergence and deprecation warnings: not timed, not reported
    inputs: dict[str, tuple[Matrix, Matrix]] = {}
    while True:
        task = conn.recv()
        if task is None:
            return
        build, module, path, repeats, limit = task
        try:
            if path not in inputs:
                inputs.clear()
                inputs[path] = (np.load(path + ".X.npy"), np.load(path + ".Y.npy"))
            X, Y = inputs[path]
            fn = build()
        except ModuleNotFoundError as exc:
            if exc.name is not None and exc.name.split(".")[0] == module:
                conn.send(("missing", str(exc)))
            else:
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        except Exception as exc:  # noqa: BLE001 - a peer's failure is a result
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        conn.send(("ready",))
        start = time.perf_counter()
        try:
            for i in range(1 + repeats):
                t0 = time.perf_counter()
                value = fn(X, Y)
                value = float(value.item() if hasattr(value, "item") else value)
                dt = time.perf_counter() - t0
                conn.send(("call", dt, value))
                if i < repeats and time.perf_counter() - start + dt > limit:
                    break  # the next call would not fit in the limit
        except Exception as exc:  # noqa: BLE001
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        conn.send(("done",))


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass(frozen=True)
class _Timing:
    status: str  # "ok", "timeout", "not installed", "error: ..."
    seconds: float  # min over the calls after the warm-up (the warm-up alone if it was the only call); NaN if none
    value: float
    calls: int


class _Runner:
    """One worker process at a time; killed and replaced when a task times out or fails hard."""

    def __init__(self, memory_limit_bytes: float, build_limit: float = 120.0) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._proc: Any = None
        self._conn: Any = None
        self.memory_limit_bytes = memory_limit_bytes
        self.build_limit = build_limit

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_worker, args=(child,), daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent

    def kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join()
            self._conn.close()
        self._proc = self._conn = None

    def close(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
                self._proc.join(5.0)
            except (OSError, BrokenPipeError):
                pass
        self.kill()

    def run(self, build: Callable[[], PeerFn], module: str, path: str, repeats: int, limit: float) -> _Timing:
        if self._proc is None or not self._proc.is_alive():
            self._start()
        self._conn.send((build, module, path, repeats, limit))
        deadline = time.monotonic() + self.build_limit + limit
        calls: list[tuple[float, float]] = []
        status = "ok"
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                status = "ok" if calls else "timeout"
                break
            if not self._conn.poll(min(remaining, 0.05)):
                if not self._proc.is_alive():
                    status = f"error: the worker died (exit code {self._proc.exitcode})"
                    self.kill()
                    break
                if _rss_bytes(self._proc.pid) > self.memory_limit_bytes:
                    self.kill()
                    status = f"error: memory limit ({self.memory_limit_bytes / 2**30:.3g} GiB resident) exceeded"
                    break
                continue
            try:
                msg = self._conn.recv()
            except (EOFError, OSError):  # the worker died mid-message
                status = f"error: the worker died (exit code {self._proc.exitcode})"
                self.kill()
                break
            if msg[0] == "ready":
                deadline = time.monotonic() + limit
            elif msg[0] == "call":
                calls.append((msg[1], msg[2]))
            elif msg[0] == "done":
                break
            elif msg[0] == "missing":
                status = "not installed"
                break
            else:
                status = f"error: {msg[1]}"
                break
        if status != "ok" or not calls:
            return _Timing(status, math.nan, math.nan, len(calls))
        timed = [t for t, _ in calls[1:]] or [calls[0][0]]
        return _Timing("ok", min(timed), calls[0][1], len(calls))


# --------------------------------------------------------------------------- the run


def make_inputs(n: int, p: int, q: int, seed: int = 0) -> tuple[Matrix, Matrix]:
    """``X`` standard normal (n, p); ``Y = X[:, :k] B + E``, ``k = min(p, q)``: the CCA peer tests' pair."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    k = min(p, q)
    Y = X[:, :k] @ rng.standard_normal((k, q)) + rng.standard_normal((n, q))
    return X, Y


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _select(entries: Sequence[Peer], names: Sequence[str] | None) -> list[Peer]:
    if names is None:
        return list(entries)
    from metrics.registry import get

    for name in names:
        get(name)  # KeyError with a "did you mean" for an unknown name
    unmatched = [name for name in names if not any(e.measure == name for e in entries)]
    if unmatched:
        raise ValueError(
            f"run_peers: names must be measures with a peer; got {unmatched!r}. "
            f"Measures with a peer: {sorted({e.measure for e in entries})}."
        )
    return [e for e in entries if e.measure in names]


def run_peers(
    names: Sequence[str] | None = None,
    n: int = 2000,
    p: int = 64,
    q: int = 64,
    seed: int = 0,
    time_limit: float = 30.0,
    repeats: int = 3,
    *,
    entries: Sequence[Peer] | None = None,
    ours_time_limit: float | None = None,
    memory_limit_gb: float = 8.0,
) -> pd.DataFrame:
    """Time ours and every installed peer on the same input; one row per (measure, peer).

    Parameters
    ----------
    names : sequence of str, optional
        Registry measures to run (default: every measure with a peer).
    n, p, q, seed : int
        The inputs, from :func:`make_inputs`.
    time_limit : float
        Seconds a peer's first call may take (after its imports); a peer still running then
        is killed and reported ``"timeout"`` (``peer_s`` NaN, ``ratio_at_least`` =
        ``time_limit / ours_s``).
    repeats : int
        Timed calls after the warm-up call (fewer when they would not fit in the limit).
    entries : sequence of Peer, optional
        The pairs to run (default :data:`PEERS`).
    ours_time_limit : float, optional
        The same limit for our implementations (default ``10 * time_limit``).
    memory_limit_gb : float
        A worker whose resident memory exceeds this is killed (``"error: memory limit ..."``).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`COLUMNS`. ``ours_s`` is the better of our numpy and torch
        float64 times (``ours_impl`` says which); ``ours_value`` is the numpy reference's value
        (the torch value when numpy did not finish); ``ratio = peer_s / ours_s``;
        ``agree`` is ``abs_diff <= tol`` with ``tol = atol + rtol * |ours_value|``.
    """
    chosen = _select(PEERS if entries is None else entries, names)
    ours_limit = 10.0 * time_limit if ours_time_limit is None else ours_time_limit
    X, Y = make_inputs(n, p, q, seed)
    runner = _Runner(memory_limit_gb * 2**30)
    rows: list[dict[str, Any]] = []
    ours_cache: dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, _Timing]] = {}
    with tempfile.TemporaryDirectory(prefix="simaudit-peers-") as tmp:
        path = os.path.join(tmp, "inputs")
        np.save(path + ".X.npy", X)
        np.save(path + ".Y.npy", Y)
        try:
            for entry in chosen:
                key = (entry.measure, entry.ours_kwargs)
                if key not in ours_cache:
                    ours_cache[key] = {
                        impl: runner.run(
                            partial(_ours, entry.measure, impl, entry.ours_kwargs), "metrics", path, repeats, ours_limit
                        )
                        for impl in ("numpy", "torch")
                    }
                if _installed(entry.module):
                    peer = runner.run(entry.build, entry.module, path, repeats, time_limit)
                else:
                    peer = _Timing("not installed", math.nan, math.nan, 0)
                rows.append(_row(entry, ours_cache[key], peer, (n, p, q), time_limit))
                r = rows[-1]
                logger.info(
                    "%s | %s: ours %.4g s (%s), peer %.4g s, %s",
                    r["measure"], r["peer"], r["ours_s"], r["ours_impl"], r["peer_s"], r["status"],
                )  # fmt: skip
        finally:
            runner.close()
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _row(
    entry: Peer, ours: dict[str, _Timing], peer: _Timing, shape: tuple[int, int, int], time_limit: float
) -> dict[str, Any]:
    done = {impl: t for impl, t in ours.items() if t.status == "ok"}
    impl = min(done, key=lambda i: done[i].seconds) if done else ""
    ours_s = done[impl].seconds if done else math.nan
    ours_value = done["numpy"].value if "numpy" in done else (done[impl].value if done else math.nan)
    tol = entry.atol + entry.rtol * abs(ours_value) if math.isfinite(ours_value) else math.nan
    diff = abs(ours_value - peer.value)
    ours_failed = [f"{i} {t.status}" for i, t in ours.items() if t.status != "ok"]
    notes = ([f"ours: {', '.join(ours_failed)}"] if ours_failed else []) + ([entry.note] if entry.note else [])
    return {
        "measure": entry.measure,
        "peer": entry.label,
        "n": shape[0],
        "p": shape[1],
        "q": shape[2],
        "options": ", ".join(f"{k}={v!r}" for k, v in entry.ours_kwargs),
        "ours_impl": impl,
        "ours_s": ours_s,
        "ours_numpy_s": ours["numpy"].seconds,
        "ours_torch_s": ours["torch"].seconds,
        "peer_s": peer.seconds,
        "ratio": peer.seconds / ours_s,
        "ratio_at_least": time_limit / ours_s if peer.status == "timeout" else math.nan,
        "ours_value": ours_value,
        "peer_value": peer.value,
        "abs_diff": diff,
        "tol": tol,
        "agree": bool(diff <= tol),  # False whenever either value is missing
        "status": peer.status,
        "peer_calls": peer.calls,
        "note": "; ".join(notes),
    }


# --------------------------------------------------------------------------- reports


def _fmt_s(v: float) -> str:
    return "" if not math.isfinite(v) else f"{v:.3g}"


def _display(df: pd.DataFrame, time_limit: float | None = None) -> tuple[list[str], list[list[str]]]:
    header = ["measure", "peer", "ours s", "ours impl", "peer s", "peer/ours", "abs diff", "agree", "status"]
    body = []
    for r in df.itertuples(index=False):
        if r.status == "timeout":
            peer_s = f"> {time_limit:g}" if time_limit else "timeout"
            ratio = f"> {r.ratio_at_least:.3g}" if math.isfinite(r.ratio_at_least) else ""
        else:
            peer_s, ratio = _fmt_s(r.peer_s), ("" if not math.isfinite(r.ratio) else f"{r.ratio:.3g}")
        measure = r.measure + (f" ({r.options})" if r.options else "")
        diff = "" if not math.isfinite(r.abs_diff) else f"{r.abs_diff:.1e}"
        agree = ("yes" if r.agree else "NO") if math.isfinite(r.abs_diff) else ""
        body.append([measure, r.peer, _fmt_s(r.ours_s), r.ours_impl, peer_s, ratio, diff, agree, r.status])
    return header, body


def to_markdown(df: pd.DataFrame, time_limit: float | None = None) -> str:
    """The table as GitHub Markdown (rendered here: pandas' ``to_markdown`` needs tabulate)."""
    header, body = _display(df, time_limit)

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join("---" for _ in header) + "|", *(line(r) for r in body)]) + "\n"


def _to_text(df: pd.DataFrame, time_limit: float | None = None) -> str:
    header, body = _display(df, time_limit)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *body])
    return "\n".join(lines) + "\n"


def _meta(args: argparse.Namespace, load: tuple[float, float]) -> dict[str, Any]:
    """Provenance: versions, machine, commit (and uncommitted files under metrics/), the load before and after."""
    import torch

    versions: dict[str, str | None] = {"numpy": np.__version__, "torch": torch.__version__, "pandas": pd.__version__}
    for dist in _DISTRIBUTIONS.values():
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    try:
        git = partial(subprocess.run, check=False, capture_output=True, text=True, timeout=10)
        commit = git(["git", "rev-parse", "--short", "HEAD"]).stdout.strip()
        dirty = git(["git", "status", "--porcelain", "--", "metrics"]).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", []
    return {
        "commit": commit, "metrics_uncommitted": [line[3:] for line in dirty if line.strip()],
        "load_average_1min": load, "n": args.n, "p": args.p, "q": args.q, "seed": args.seed,
        "time_limit_s": args.time_limit,
        "repeats": args.repeats, "date": time.strftime("%Y-%m-%d %H:%M:%S"), "python": platform.python_version(),
        "machine": platform.machine(), "cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
        "versions": versions,
    }  # fmt: skip


def _json_ready(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (np.bool_, np.integer, np.floating)):
        return _json_ready(value.item())
    return value


def _to_json(df: pd.DataFrame, meta: dict[str, Any]) -> str:
    rows = [{k: _json_ready(v) for k, v in row.items()} for row in df.to_dict(orient="records")]
    return json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="rows (stimuli)")
    parser.add_argument("--p", type=int, default=64, help="columns of X")
    parser.add_argument("--q", type=int, default=64, help="columns of Y")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--measure", action="append", metavar="NAME", help="a measure with a peer (repeatable)")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds a peer's first call may take")
    parser.add_argument("--ours-time-limit", type=float, help="the same for ours (default 10 x --time-limit)")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls after the warm-up")
    parser.add_argument("--memory-limit-gb", type=float, default=8.0, help="resident memory a worker may reach")
    parser.add_argument("--format", choices=("table", "md", "csv", "json"), default="table")
    parser.add_argument("--out", type=Path, help="write peers.csv, peers.json and peers.md here (atomically)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    load_before = os.getloadavg()[0]
    try:
        df = run_peers(
            args.measure, n=args.n, p=args.p, q=args.q, seed=args.seed, time_limit=args.time_limit,
            repeats=args.repeats, ours_time_limit=args.ours_time_limit, memory_limit_gb=args.memory_limit_gb,
        )  # fmt: skip
    except (KeyError, ValueError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    meta = _meta(args, (load_before, os.getloadavg()[0]))
    outputs = {
        "csv": df.to_csv(index=False),
        "json": _to_json(df, meta),
        "md": to_markdown(df, args.time_limit),
        "table": _to_text(df, args.time_limit),
    }
    print(outputs[args.format], end="")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        for ext in ("csv", "json", "md"):
            _write_atomic(args.out / f"peers.{ext}", outputs[ext])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
