"""Committed value baselines: (measure, input, seed) -> value, checked at stated tolerances.

Every registry measure is evaluated on a fixed, documented set of seeded inputs
(:data:`INPUTS`), once with its float64 numpy reference and once with its torch
version on float64 tensors. The values, the outcome (a finite value, a non-finite
value, or an exception and its type), the policy warnings raised, and the
SHA-256 of the input's bytes are committed in ``benchmarks/baselines/values.json``
with their provenance. Default CI recomputes them and compares::

    python -m benchmarks.values              # --check is the default; exit 1 on any mismatch
    python -m benchmarks.values --update     # recompute, print the full diff, rewrite the file
    python -m benchmarks.values --check --measure cka_linear --baseline /tmp/values.json

The file changes only with the explicit ``--update`` flag, which prints every
changed, added and removed entry (old -> new) before it rewrites the file
atomically (a temporary file in the same folder, then :func:`os.replace`).

Tolerance
---------
Two values agree when ``|old - new| <= atol + rtol * max(|old|, |new|)``, with
``rtol = 1e-9`` and ``atol = 1e-12`` by default (:data:`RTOL`, :data:`ATOL`).
The values must reproduce on other machines and BLAS builds, where the order of
the float64 operations differs: on a well-conditioned input that moves a value
by about 1e-15 to 1e-12 relative (a few ulps, amplified by the condition of the
measure), which rtol = 1e-9 covers with a margin of 1000, while a change of the
measure itself (a different centring, estimator or default) moves it by far
more than 1e-9. ``atol = 1e-12`` covers values that are exactly 0 in exact
arithmetic and rounding noise in float64. Rank- and count-based measures (kNN
overlaps, Kendall's tau) are exact and reproduce bit for bit unless a tie flips.
The few entries whose value is itself dominated by rounding (a distance of
order sqrt(eps), a quantity that is 0 in exact arithmetic but amplified by a
condition number) carry a looser per-entry tolerance and the reason, from
:data:`TOLERANCE_OVERRIDES`.

Inputs and their hashes
-----------------------
Each input records the SHA-256 of its arrays (name, dtype, shape and
little-endian bytes, in a fixed order) and a fingerprint (sum, sum of absolute
values, sum of squares and a fixed random bilinear projection of every array).
The hash tells whether the input is bit-identical to the one the baseline was
computed on. When it is not, the fingerprint tells a changed construction
(reported as such, exit 1: re-baseline with ``--update`` after checking the
builder change was meant) from a rounding-level difference of the same
construction on another BLAS or libm (a note; the values are compared as usual).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, Literal, TextIO

import numpy as np
from numpy.typing import NDArray

from metrics import registry
from metrics._validation import fail

__all__ = [
    "ATOL",
    "BASELINE_PATH",
    "FINGERPRINT_RTOL",
    "INPUTS",
    "RTOL",
    "TOLERANCE_OVERRIDES",
    "CheckReport",
    "Mismatch",
    "ToleranceOverride",
    "ValueInput",
    "check",
    "compute_values",
    "describe_inputs",
    "diff",
    "format_report",
    "load_baseline",
    "main",
    "make_baseline",
    "numpy_torch_disagreements",
    "write_baseline",
]

FloatArray = NDArray[np.float64]
Arrays = dict[str, FloatArray]

#: The committed baseline file.
BASELINE_PATH = Path(__file__).resolve().parent / "baselines" / "values.json"
#: Version of the file's layout (bumped when a field changes meaning).
FORMAT = 1
#: Default relative tolerance of a value against its baseline (see the module docstring).
RTOL = 1e-9
#: Default absolute tolerance: values that are 0 in exact arithmetic are rounding noise in float64.
ATOL = 1e-12
#: Relative agreement of two fingerprints of the same construction computed on different machines.
#: Each statistic is compared against its own scale (the sum of absolute terms), so rounding of the
#: inputs' last bits (1e-16 relative) passes with a margin of 1e7 and any real change of a builder fails.
FINGERPRINT_RTOL = 1e-9
#: Seed of the fixed projection vectors of the fingerprint (not an input seed).
_FINGERPRINT_SEED = 20240601

_FUNC = "benchmarks.values"
_TOLERANCE_WHY = (
    "rtol = 1e-9: float64 rounding differences between BLAS/libm builds move a value on a well-conditioned "
    "input by ~1e-15 to 1e-12 relative, so 1e-9 leaves a margin of 1000 while any change of a measure's "
    "definition moves it by far more; atol = 1e-12: values that are 0 in exact arithmetic are rounding "
    "noise; rank/count measures are exact. Entries whose value is dominated by rounding carry a looser "
    "per-entry rtol/atol and the reason (tolerance_note)."
)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, eq=False)
class ValueInput:
    """One seeded input of the baseline.

    Attributes
    ----------
    name : str
        Key of the input in the baseline.
    compares : {"representations", "models"}
        Arrays ``X`` (n, p), ``Y`` (n, q) for representation measures, or
        ``F_p, G_p, F_q, G_q`` for the two models of a model distance.
    seed : int
        The seed of ``np.random.default_rng`` (or of the builder) behind every random draw.
    params : dict
        Every other parameter of the construction.
    description : str
        How the arrays are built.
    build : callable
        ``build(seed, **params) -> dict`` of named float64 arrays.
    """

    name: str
    compares: Literal["representations", "models"]
    seed: int
    params: Mapping[str, Any]
    description: str
    build: Callable[..., Arrays] = field(repr=False)


def _gaussian(seed: int, *, n: int, p: int, q: int) -> Arrays:
    rng = np.random.default_rng(seed)
    return {"X": rng.standard_normal((n, p)), "Y": rng.standard_normal((n, q))}


def _correlated(seed: int, *, n: int, p: int, q: int, noise: float) -> Arrays:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    A = rng.standard_normal((p, q)) / math.sqrt(p)
    E = rng.standard_normal((n, q))
    return {"X": X, "Y": X @ A + noise * E}


def _low_rank(seed: int, *, n: int, p: int, q: int, rank: int, noise: float) -> Arrays:
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, rank))
    Wx = rng.standard_normal((rank, p))
    Wy = rng.standard_normal((rank, q))
    E = rng.standard_normal((n, q))
    return {"X": Z @ Wx, "Y": Z @ Wy + noise * E}


def _anisotropic_offset(seed: int, *, n: int, p: int, q: int, offset: float) -> Arrays:
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    E = rng.standard_normal((n, q))
    b = rng.standard_normal(p)
    c = rng.standard_normal(q)
    X = Z * np.logspace(0.0, -2.0, p) + offset * b
    Y = (Z[:, :q] + 0.5 * E) * np.logspace(0.0, -1.0, q) - 0.5 * offset * c
    return {"X": X, "Y": Y}


def _representation_builder(name: str) -> Callable[..., Arrays]:
    def build(seed: int, **params: Any) -> Arrays:
        from constructions import builders

        c = getattr(builders, name)(seed=seed, **params)
        return {"X": c.x, "Y": c.y}

    return build


def _model_builder(name: str) -> Callable[..., Arrays]:
    def build(seed: int, **params: Any) -> Arrays:
        from constructions import builders

        c = getattr(builders, name)(seed=seed, **params)
        return {"F_p": c.p.F, "G_p": c.p.G, "F_q": c.q.F, "G_q": c.q.G}

    return build


def _random_models(seed: int, *, N: int, K: int, M: int) -> Arrays:
    rng = np.random.default_rng(seed)
    return {
        "F_p": rng.standard_normal((N, M)),
        "G_p": rng.standard_normal((K, M)),
        "F_q": rng.standard_normal((N, M)),
        "G_q": rng.standard_normal((K, M)),
    }


def _rep(name: str, seed: int, build: Callable[..., Arrays], description: str, **params: Any) -> ValueInput:
    return ValueInput(name, "representations", seed, params, description, build)


def _mod(name: str, seed: int, build: Callable[..., Arrays], description: str, **params: Any) -> ValueInput:
    return ValueInput(name, "models", seed, params, description, build)


#: The inputs of the baseline, in order. Small sizes: the whole baseline computes in seconds.
INPUTS: tuple[ValueInput, ...] = (
    # ---------------------------------------------------------------- representations, generic
    _rep("gaussian", 0, _gaussian, "independent standard Gaussian X (200 x 16) and Y (200 x 12)", n=200, p=16, q=12),
    _rep("correlated", 1, _correlated,
         "Gaussian X (150 x 16); Y = X A + 0.5 E with A (16 x 12) Gaussian / 4 and E Gaussian (draws X, A, E)",
         n=150, p=16, q=12, noise=0.5),
    _rep("low_rank", 2, _low_rank,
         "X = Z Wx of exact rank 4 (150 x 16); Y = Z Wy + 0.1 E (150 x 12), Z (150 x 4) shared "
         "(draws Z, Wx, Wy, E)", n=150, p=16, q=12, rank=4, noise=0.1),
    _rep("anisotropic_offset", 3, _anisotropic_offset,
         "X = Z diag(logspace(0, -2, 16)) + 10 b^T, Y = (Z[:, :12] + 0.5 E) diag(logspace(0, -1, 12)) - 5 c^T "
         "(150 rows; column scales over two decades, offsets large against the smallest scale; draws Z, E, b, c)",
         n=150, p=16, q=12, offset=10.0),
    # ---------------------------------------------------------------- representations, adversarial builders
    _rep("cka_outlier", 0, _representation_builder("cka_outlier"),
         "constructions.builders.cka_outlier: Y = X with one row moved by 1e3", n=100, p=10, magnitude=1e3),
    _rep("cca_saturation", 0, _representation_builder("cca_saturation"),
         "constructions.builders.cca_saturation: unrelated X (20 x 25, p >= n) and Y (20 x 3)", n=20, p=25, q=3),
    _rep("knn_ties", 0, _representation_builder("knn_ties"),
         "constructions.builders.knn_ties: integer grid vs regular 12-gon, exactly tied neighbour distances", n=12),
    _rep("arccos_near_one", 0, _representation_builder("arccos_near_one"),
         "constructions.builders.arccos_near_one: Y = X + 1e-7 E (50 x 8)", n=50, p=8, eps=1e-7),
    _rep("rank_deficient_predictor", 0, _representation_builder("rank_deficient_predictor"),
         "constructions.builders.rank_deficient_predictor: X (50 x 6) of rank 2 (duplicated columns), Y = B W + 0.5 E",
         n=50, p=6, rank=2),
    _rep("hsic_small_n", 0, _representation_builder("hsic_small_n"),
         "constructions.builders.hsic_small_n: n = 3 stimuli (degenerate for most estimators)", n=3, p=2),
    # ---------------------------------------------------------------- model pairs
    _mod("kl_vanishing_rho3", 0, _model_builder("kl_vanishing"),
         "constructions.builders.kl_vanishing (Thm 3.1, M = 2, K = 7), rho = 3, 20 inputs per label",
         rho=3.0, per_label=20),
    _mod("kl_vanishing_rho10", 0, _model_builder("kl_vanishing"),
         "constructions.builders.kl_vanishing (Thm 3.1, M = 2, K = 7), rho = 10, 20 inputs per label",
         rho=10.0, per_label=20),
    _mod("identifiability", 0, _model_builder("identifiability"),
         "constructions.builders.identifiability: a random model (N = 100, K = 8, M = 3) and a member of its "
         "identifiability class with cond(A) = 1e3 (every distance is 0 in exact arithmetic)",
         N=100, K=8, M=3, cond=1e3),
    _mod("rotated_pair", 0, _model_builder("rotated_pair"),
         "constructions.builders.rotated_pair: K = 5, rho = 19, 20 inputs per label", K=5, rho=19.0, per_label=20),
    _mod("swapped_unembeddings", 0, _model_builder("swapped_unembeddings"),
         "constructions.builders.swapped_unembeddings: K = 8, rho = 3.5, 20 inputs per cluster",
         K=8, rho=3.5, per_label=20),
    _mod("bound_illustration", 0, _model_builder("bound_illustration"),
         "constructions.builders.bound_illustration (App. F.6): K = 4, 20 inputs per label, noise level 9",
         K=4, per_label=20, index=9),
    _mod("random_K6_M3", 4, _random_models,
         "independent standard Gaussian F, G for both models: N = 100, K = 6, M = 3 (K >= M + 2; draws F_p, G_p, F_q, G_q)",
         N=100, K=6, M=3),
    _mod("random_K10_M4", 5, _random_models,
         "independent standard Gaussian F, G for both models: N = 80, K = 10, M = 4 (draws F_p, G_p, F_q, G_q)",
         N=80, K=10, M=4),
)

_INPUTS_BY_NAME: dict[str, ValueInput] = {i.name: i for i in INPUTS}
assert len(_INPUTS_BY_NAME) == len(INPUTS), "duplicate input names"


@cache
def _arrays(name: str) -> Arrays:
    """The arrays of input ``name``: C-contiguous float64 copies, read-only, built once per process."""
    spec = _INPUTS_BY_NAME[name]
    out: Arrays = {}
    for key, value in spec.build(spec.seed, **spec.params).items():
        arr = np.array(value, dtype=np.float64, order="C", copy=True)
        arr.setflags(write=False)
        out[key] = arr
    return out


def _sha256(arrays: Arrays) -> str:
    """SHA-256 of the arrays in order: ``name``, dtype, shape, then the little-endian float64 bytes."""
    h = hashlib.sha256()
    for key, arr in arrays.items():
        h.update(f"{key}|<f8|{arr.shape}|".encode())
        h.update(np.ascontiguousarray(arr, dtype="<f8").tobytes())
    return h.hexdigest()


def _fingerprint(arrays: Arrays) -> dict[str, dict[str, Any]]:
    """Per array: shape, sum, sum of |a|, sum of squares, and u^T A v with u, v fixed Gaussian vectors."""
    out: dict[str, dict[str, Any]] = {}
    for key, arr in arrays.items():
        A = arr.reshape(arr.shape[0], -1)
        rng = np.random.default_rng(_FINGERPRINT_SEED)
        u = rng.standard_normal(A.shape[0])
        v = rng.standard_normal(A.shape[1])
        out[key] = {
            "shape": list(arr.shape),
            "sum": math.fsum(A.ravel().tolist()),
            "abs_sum": math.fsum(np.abs(A).ravel().tolist()),
            "sum_sq": math.fsum((A * A).ravel().tolist()),
            "proj": math.fsum((u[:, None] * A * v[None, :]).ravel().tolist()),
            "abs_proj": math.fsum((np.abs(u)[:, None] * np.abs(A) * np.abs(v)[None, :]).ravel().tolist()),
        }
    return out


def _fingerprint_differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The statistics of two fingerprints that disagree beyond :data:`FINGERPRINT_RTOL` of their scale."""
    diffs: list[str] = []
    for key in sorted(set(old) | set(new)):
        if key not in old or key not in new:
            diffs.append(f"array {key} {'added' if key not in old else 'removed'}")
            continue
        o, n = old[key], new[key]
        if list(o.get("shape", [])) != list(n["shape"]):
            diffs.append(f"{key}.shape {o.get('shape')} -> {n['shape']}")
            continue
        for stat, scale in (("sum", "abs_sum"), ("abs_sum", "abs_sum"), ("sum_sq", "sum_sq"), ("proj", "abs_proj")):
            a, b = float(o.get(stat, math.nan)), float(n[stat])
            tol = FINGERPRINT_RTOL * max(abs(float(o.get(scale, 0.0))), abs(float(n[scale])))
            if not abs(a - b) <= tol:
                diffs.append(f"{key}.{stat} {a!r} -> {b!r}")
    return diffs


def describe_inputs(names: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """The ``inputs`` section of the baseline: for each input its kind, seed, parameters, description, hash, fingerprint."""
    chosen = [i for i in INPUTS if names is None or i.name in set(names)]
    out: dict[str, dict[str, Any]] = {}
    for spec in chosen:
        arrays = _arrays(spec.name)
        out[spec.name] = {
            "compares": spec.compares,
            "seed": spec.seed,
            "params": dict(spec.params),
            "description": spec.description,
            "sha256": _sha256(arrays),
            "fingerprint": _fingerprint(arrays),
        }
    return out


# --------------------------------------------------------------------------- tolerances


@dataclass(frozen=True)
class ToleranceOverride:
    """A looser tolerance for entries whose value is dominated by rounding, with the reason.

    ``measures`` empty means every measure on ``input``.
    """

    input: str
    measures: tuple[str, ...]
    rtol: float
    atol: float
    reason: str


#: Per-entry tolerances looser than (RTOL, ATOL), each with its reason. The first matching override applies.
#: The evidence for each: the numpy and torch values, and the values after perturbing every input entry by
#: up to 4 ulps (relative 9e-16, seeded) -- a stand-in for another BLAS's rounding. Every entry not listed
#: moved by less than 1/300 of the default tolerance under that perturbation.
TOLERANCE_OVERRIDES: tuple[ToleranceOverride, ...] = (
    ToleranceOverride(
        "identifiability", (), RTOL, 1e-9,
        "every distance is 0 in exact arithmetic on an identifiability class; the computed value is rounding noise "
        "(1e-16 to 1e-12) amplified by cond(A) = 1e3, so it is pinned to the builder's documented bound |d| <= 1e-9 "
        "(a 4-ulp perturbation of the input moved d_rep from 3.7e-13 to 1.4e-12, beyond atol = 1e-12)",
    ),
    ToleranceOverride(
        "arccos_near_one",
        ("procrustes", "shape_angular_a0", "shape_angular_a05", "shape_angular_a1", "shape_euclidean_a05",
         "shape_euclidean_a1", "cka_angular", "rsm_norm_diff", "gulp", "gulp_lam0"),
        RTOL, 1e-6,
        "Y = X + 1e-7 E: the distance (~1e-7) is a sqrt or arccos of a quantity ~1e-14 formed by cancelling O(1) "
        "terms, so float64 rounding of those terms moves it by up to ~3e-8 (numpy vs torch, and a 4-ulp "
        "perturbation of the input, both moved it by 3e-8); the entry pins it below ~1e-6: finite, clipped "
        "before sqrt/arccos, never NaN",
    ),
    ToleranceOverride(
        "hsic_small_n", ("shape_angular_a0", "gulp_lam0"), RTOL, 1e-6,
        "n = 3, p = q = 2: the centred X and Y span the same plane, so these distances are 0 in exact arithmetic "
        "and computed as the sqrt of a rounding-level quantity, ~sqrt(eps) = 1.5e-8 (0.0 here; a 4-ulp "
        "perturbation of the input gave 1.5e-8 and 3e-8)",
    ),
    ToleranceOverride(
        "cka_outlier", ("pwcca", "pwcca_by_y"), 0.1, ATOL,
        "Y differs from X in one row, so 9 of the 10 canonical correlations are exactly 1 and the canonical "
        "variates inside that tied 9-dimensional subspace are chosen by rounding alone; PWCCA's weights (L1 "
        "norms of the neurons' projections in that basis) depend on the basis, so the value is not determined "
        "in float64: numpy 0.9136 vs torch 0.9157 (pwcca), 0.3259 vs 0.3285 (pwcca_by_y), and 40 perturbations "
        "of the input at 1e-15..1e-12 relative spread them over 0.9125-0.9195 and 0.3236-0.3306; rtol = 0.1 "
        "pins the value to +-10% (still far apart: 0.91 vs 0.33)",
    ),
)


def _tolerance_for(measure: str, input_name: str) -> tuple[float, float, str | None]:
    for o in TOLERANCE_OVERRIDES:
        if o.input == input_name and (not o.measures or measure in o.measures):
            return o.rtol, o.atol, o.reason
    return RTOL, ATOL, None


# --------------------------------------------------------------------------- computing


Outcome = tuple[float | str | None, str, list[str]]


def _encode(value: float) -> float | str:
    """A finite float as itself; NaN and infinities as the strings ``"nan"``, ``"inf"``, ``"-inf"`` (valid JSON)."""
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _evaluate(call: Callable[[], Any]) -> Outcome:
    """``(value, status, warnings)`` of one call.

    ``status`` is ``"ok"`` (a finite value), ``"nonfinite"`` (NaN or inf returned) or
    ``"raise:<ExceptionType>"``; ``warnings`` are the sorted names of the project's own
    warning categories raised (those defined under ``metrics``: the declared degenerate-input
    and saturation policies), not numpy's floating-point RuntimeWarnings, which depend on the
    platform's SIMD paths.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            raw = call()
        except Exception as exc:  # noqa: BLE001 - recorded, not hidden: a change of exception type is a mismatch
            value: float | str | None = None
            status = f"raise:{type(exc).__name__}"
        else:
            f = float(raw.item()) if hasattr(raw, "item") else float(raw)
            value = _encode(f)
            status = "ok" if math.isfinite(f) else "nonfinite"
    names = sorted({w.category.__name__ for w in caught if w.category.__module__.split(".")[0] == "metrics"})
    return value, status, names


def _numpy_call(spec: registry.MeasureSpec, arrays: Arrays) -> Callable[[], Any]:
    fn = spec.numpy_fn
    if spec.compares == "models":
        from metrics.models import SoftmaxModel

        return lambda: fn(SoftmaxModel(arrays["F_p"], arrays["G_p"]), SoftmaxModel(arrays["F_q"], arrays["G_q"]))
    return lambda: fn(arrays["X"], arrays["Y"])


def _torch_call(spec: registry.MeasureSpec, arrays: Arrays) -> Callable[[], Any]:
    import torch

    fn = spec.torch_fn

    def t(key: str) -> Any:
        return torch.from_numpy(np.array(arrays[key], dtype=np.float64, copy=True))  # writable copy, float64

    if spec.compares == "models":
        return lambda: fn(t("F_p"), t("G_p"), t("F_q"), t("G_q"))
    return lambda: fn(t("X"), t("Y"))


def _measure_names(names: Iterable[str] | None) -> list[str]:
    if names is None:
        return registry.names()
    return [registry.get(n).name for n in names]  # KeyError with a suggestion on an unknown name


def compute_values(names: Iterable[str] | None = None, *, inputs: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Evaluate every measure (or those in ``names``) on every input of its kind.

    Parameters
    ----------
    names : iterable of str, optional
        Registry names; all measures when omitted.
    inputs : iterable of str, optional
        Input names (:data:`INPUTS`); all when omitted.

    Returns
    -------
    list of dict
        One entry per (measure, input), in registry order then input order, with keys
        ``measure, input, seed, input_sha256, numpy_value, torch_value, status,
        torch_status, warnings, torch_warnings`` and, where :data:`TOLERANCE_OVERRIDES`
        loosens the tolerance, ``rtol, atol, tolerance_note``. A value is a float, the
        string ``"nan"``/``"inf"``/``"-inf"``, or None when the call raised; ``status`` is
        ``"ok"``, ``"nonfinite"`` or ``"raise:<ExceptionType>"``.

    Raises
    ------
    KeyError
        On an unknown measure name (with a suggestion).
    ValueError
        On an unknown input name.

    Examples
    --------
    >>> [e["status"] for e in compute_values(["cka_linear"], inputs=["gaussian", "hsic_small_n"])]
    ['ok', 'ok']
    """
    import torch

    measures = _measure_names(names)
    wanted = None if inputs is None else list(inputs)
    if wanted is not None:
        unknown = [n for n in wanted if n not in _INPUTS_BY_NAME]
        if unknown:
            fail("compute_values", "inputs must name baseline inputs", f"{unknown}", f"Known inputs: {', '.join(_INPUTS_BY_NAME)}.")
    entries: list[dict[str, Any]] = []
    threads = torch.get_num_threads()
    # One intra-op thread: the inputs are tiny, and on a busy machine torch's thread pool costs 3-5x the
    # run time in waits; it also fixes the reduction order. Restored afterwards (tests share the process).
    torch.set_num_threads(1)
    try:
        for name in measures:
            entries.extend(_entries_of(registry.get(name), wanted))
    finally:
        torch.set_num_threads(threads)
    return entries


def _entries_of(spec: registry.MeasureSpec, wanted: list[str] | None) -> list[dict[str, Any]]:
    """The entries of one measure on every input of its kind (or those in ``wanted``)."""
    entries: list[dict[str, Any]] = []
    for inp in INPUTS:
        if inp.compares != spec.compares or (wanted is not None and inp.name not in wanted):
            continue
        arrays = _arrays(inp.name)
        nv, ns, nw = _evaluate(_numpy_call(spec, arrays))
        tv, ts, tw = _evaluate(_torch_call(spec, arrays))
        entry: dict[str, Any] = {
            "measure": spec.name,
            "input": inp.name,
            "seed": inp.seed,
            "input_sha256": _sha256(arrays),
            "numpy_value": nv,
            "torch_value": tv,
            "status": ns,
            "torch_status": ts,
            "warnings": nw,
            "torch_warnings": tw,
        }
        rtol, atol, why = _tolerance_for(spec.name, inp.name)
        if why is not None:
            entry.update({"rtol": rtol, "atol": atol, "tolerance_note": why})
        entries.append(entry)
    return entries


# --------------------------------------------------------------------------- the baseline document


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=Path(__file__).resolve().parent, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _provenance(command: str) -> dict[str, Any]:
    import scipy
    import torch

    status = _git("status", "--porcelain")
    blas: str | None = None
    try:
        cfg = np.show_config(mode="dicts")  # numpy >= 1.25
        info = cfg.get("Build Dependencies", {}).get("blas", {}) if isinstance(cfg, dict) else {}
        blas = " ".join(str(info[k]) for k in ("name", "version") if k in info) or None
    except TypeError:
        blas = None
    torch_blas = next((t.split("=", 1)[1].rstrip(",") for t in torch.__config__.show().split() if t.startswith("BLAS_INFO=")), None)
    return {
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": None if status is None else bool(status),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "numpy_blas": blas,
        "torch_blas": torch_blas,
        "torch_threads": 1,  # compute_values runs torch with one intra-op thread
        "command": command,
    }


def make_baseline(entries: list[dict[str, Any]], inputs: dict[str, dict[str, Any]], *, command: str) -> dict[str, Any]:
    """The baseline document: ``{format, provenance, tolerance, inputs, entries}``."""
    return {
        "format": FORMAT,
        "provenance": _provenance(command),
        "tolerance": {"rtol": RTOL, "atol": ATOL, "why": _TOLERANCE_WHY},
        "inputs": inputs,
        "entries": entries,
    }


def load_baseline(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate a baseline file.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If it is not JSON or lacks the baseline's fields.
    """
    func = f"{_FUNC} --baseline"
    p = Path(path)
    if not p.is_file():
        fail(func, "the baseline must be an existing JSON file", f"{str(p)!r} (no such file)",
             "Create it with `python -m benchmarks.values --update`.", error=FileNotFoundError)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(func, "the baseline must be valid JSON", f"{str(p)!r} ({exc})")
    if not isinstance(doc, dict):
        fail(func, "the baseline must be a JSON object", f"{type(doc).__name__} in {str(p)!r}")
    missing = [k for k in ("format", "provenance", "tolerance", "inputs", "entries") if k not in doc]
    if missing:
        fail(func, "the baseline must have the fields format, provenance, tolerance, inputs, entries",
             f"{str(p)!r} without {missing}")
    if doc["format"] != FORMAT:
        fail(func, f"the baseline must have format {FORMAT}", f"format={doc['format']!r} in {str(p)!r}",
             "Regenerate it with `python -m benchmarks.values --update`.")
    required = ("measure", "input", "seed", "input_sha256", "numpy_value", "torch_value", "status", "torch_status")
    for i, e in enumerate(doc["entries"]):
        if not isinstance(e, dict) or any(k not in e for k in required):
            fail(func, f"every entry must be an object with the fields {', '.join(required)}", f"entries[{i}]={e!r}")
    return doc


def write_baseline(doc: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write ``doc`` to ``path`` atomically: a temporary file in the same folder, fsync, :func:`os.replace`."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, mode)  # mkstemp creates 0600; keep the file's (or the umask's) permissions
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1, allow_nan=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- comparing


def _key(e: Mapping[str, Any]) -> tuple[str, str]:
    return str(e["measure"]), str(e["input"])


def _close(old: Any, new: Any, rtol: float, atol: float) -> bool:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(old, bool):
        return abs(float(old) - float(new)) <= atol + rtol * max(abs(float(old)), abs(float(new)))
    return bool(old == new)


def _rel(old: Any, new: Any) -> float | None:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        scale = max(abs(float(old)), abs(float(new)))
        return 0.0 if scale == 0 else abs(float(old) - float(new)) / scale
    return None


@dataclass
class Mismatch:
    """One field of one entry that moved beyond tolerance."""

    measure: str
    input: str
    field: str
    old: Any
    new: Any
    rel: float | None


@dataclass
class CheckReport:
    """What :func:`check` found; ``ok`` when nothing failed (notes do not fail)."""

    mismatches: list[Mismatch] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # in the baseline, not computed
    extra: list[tuple[str, str]] = field(default_factory=list)  # computed, not in the baseline
    constructions: dict[str, list[str]] = field(default_factory=dict)  # input -> what changed
    notes: list[str] = field(default_factory=list)
    compared: int = 0

    @property
    def ok(self) -> bool:
        return not (self.mismatches or self.missing or self.extra or self.constructions)


def _input_verdicts(baseline: Mapping[str, Any], inputs: Mapping[str, Mapping[str, Any]], entries: Sequence[Mapping[str, Any]],
                    report: CheckReport) -> None:
    """Fill ``report.constructions`` and ``report.notes`` from the entries' hashes and the fingerprints."""
    old_inputs: Mapping[str, Any] = baseline.get("inputs", {})
    seen: set[str] = set()
    for e in entries:
        name = str(e["input"])
        if name in seen or name not in inputs:
            continue
        new = inputs[name]
        stale = [x for x in entries if x["input"] == name and x["input_sha256"] != new["sha256"]]
        seeds = {x["seed"] for x in entries if x["input"] == name}
        if seeds != {new["seed"]}:
            seen.add(name)
            report.constructions[name] = [f"seed {sorted(seeds)} -> {new['seed']}"]
            continue
        if not stale:
            continue
        seen.add(name)
        old = old_inputs.get(name)
        hashes = sorted({str(x["input_sha256"]) for x in stale})
        # The fingerprint vouches for the entries only if it describes the very input they were computed on.
        if old is None or any(h != old.get("sha256") for h in hashes):
            report.constructions[name] = [
                (f"input_sha256 {', '.join(h[:12] for h in hashes)}... -> {new['sha256'][:12]}... "
                 "(no fingerprint of the old input to compare)")
            ]
            continue
        diffs = _fingerprint_differences(old.get("fingerprint", {}), new["fingerprint"])
        if diffs:
            report.constructions[name] = [f"input_sha256 {hashes[0][:12]}... -> {new['sha256'][:12]}...", *diffs]
        else:
            report.notes.append(
                f"input {name!r}: bytes differ from the baseline's (sha256 {hashes[0][:12]}... -> {new['sha256'][:12]}...) "
                f"but every fingerprint statistic agrees to {FINGERPRINT_RTOL:g} of its scale: a rounding-level "
                "difference (another BLAS or libm), values compared as usual"
            )


def check(
    baseline: Mapping[str, Any],
    entries: Sequence[Mapping[str, Any]],
    inputs: Mapping[str, Mapping[str, Any]],
    *,
    measures: Iterable[str] | None = None,
) -> CheckReport:
    """Compare freshly computed ``entries`` (and ``inputs``) with a baseline document.

    Only baseline entries of ``measures`` (all when omitted) are expected. Values are compared
    with each baseline entry's ``rtol``/``atol`` (else the file's ``tolerance``), separately for
    numpy and torch; status and policy warnings must be equal; a tolerance in the file that
    differs from the code's (:data:`TOLERANCE_OVERRIDES`) is a mismatch too.
    """
    report = CheckReport()
    chosen = None if measures is None else set(measures)
    tol = baseline.get("tolerance", {})
    d_rtol, d_atol = float(tol.get("rtol", RTOL)), float(tol.get("atol", ATOL))
    if (d_rtol, d_atol) != (RTOL, ATOL):
        report.mismatches.append(Mismatch("*", "*", "tolerance", [d_rtol, d_atol], [RTOL, ATOL], None))
    old = {_key(e): e for e in baseline["entries"] if chosen is None or e["measure"] in chosen}
    new = {_key(e): e for e in entries}
    report.missing = sorted(set(old) - set(new))
    report.extra = sorted(set(new) - set(old))
    _input_verdicts(baseline, inputs, [old[k] for k in old], report)
    for k in (k for k in old if k in new):
        o, n = old[k], new[k]
        if k[1] in report.constructions:
            continue  # reported once, under the construction
        report.compared += 1
        rtol, atol = float(o.get("rtol", d_rtol)), float(o.get("atol", d_atol))
        for fld in ("status", "torch_status", "warnings", "torch_warnings"):
            if o.get(fld) != n.get(fld):
                report.mismatches.append(Mismatch(k[0], k[1], fld, o.get(fld), n.get(fld), None))
        for fld in ("numpy_value", "torch_value"):
            if not _close(o[fld], n[fld], rtol, atol):
                report.mismatches.append(Mismatch(k[0], k[1], fld, o[fld], n[fld], _rel(o[fld], n[fld])))
        code_rtol, code_atol = float(n.get("rtol", d_rtol)), float(n.get("atol", d_atol))
        if (code_rtol, code_atol) != (rtol, atol):
            report.mismatches.append(Mismatch(k[0], k[1], "tolerance", [rtol, atol], [code_rtol, code_atol], None))
    return report


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return repr(v)
    if v is None:
        return "-"
    return str(v)


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def format_report(report: CheckReport) -> str:
    """A readable account of a :class:`CheckReport`: construction changes, then the mismatch table."""
    out: list[str] = []
    for name, what in report.constructions.items():
        out.append(f"CONSTRUCTION CHANGED: input {name!r} is not the input the baseline was computed on "
                   "(its entries are not compared); re-baseline with --update if the builder change is meant:")
        out.extend(f"    {w}" for w in what)
    if report.mismatches:
        out.append(f"VALUE MISMATCHES ({len(report.mismatches)}):")
        rows = [[m.measure, m.input, m.field, _fmt(m.old), _fmt(m.new), "-" if m.rel is None else f"{m.rel:.3g}"]
                for m in report.mismatches]
        out.extend("    " + r for r in _table(rows, ["measure", "input", "field", "old", "new", "rel diff"]))
    if report.missing:
        out.append(f"MISSING ({len(report.missing)} entries in the baseline but not computed):")
        out.extend(f"    {m} on {i}" for m, i in report.missing)
    if report.extra:
        out.append(f"EXTRA ({len(report.extra)} entries computed but not in the baseline; add them with --update):")
        out.extend(f"    {m} on {i}" for m, i in report.extra)
    out.extend(f"note: {n}" for n in report.notes)
    return "\n".join(out)


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """Lines describing every changed, added and removed entry (old -> new) and changed inputs or tolerance.

    Changes within the old entry's tolerance are listed too, marked ``(within tolerance)``.
    """
    lines: list[str] = []
    old_entries = {} if old is None else {_key(e): e for e in old["entries"]}
    new_entries = {_key(e): e for e in new["entries"]}
    if old is not None and old.get("tolerance", {}).get("rtol") != new["tolerance"]["rtol"]:
        lines.append(f"tolerance.rtol: {old['tolerance'].get('rtol')!r} -> {new['tolerance']['rtol']!r}")
    if old is not None and old.get("tolerance", {}).get("atol") != new["tolerance"]["atol"]:
        lines.append(f"tolerance.atol: {old['tolerance'].get('atol')!r} -> {new['tolerance']['atol']!r}")
    old_inputs = {} if old is None else old.get("inputs", {})
    for name in new["inputs"]:
        if name not in old_inputs:
            lines.append(f"+ input {name}: sha256 {new['inputs'][name]['sha256'][:12]}...")
        elif old_inputs[name].get("sha256") != new["inputs"][name]["sha256"]:
            lines.append(f"~ input {name}: sha256 {str(old_inputs[name].get('sha256'))[:12]}... -> "
                         f"{new['inputs'][name]['sha256'][:12]}...")
    lines.extend(f"- input {name}" for name in old_inputs if name not in new["inputs"])
    fields = ("seed", "input_sha256", "numpy_value", "torch_value", "status", "torch_status", "warnings",
              "torch_warnings", "rtol", "atol", "tolerance_note")
    for k, n in new_entries.items():
        if k not in old_entries:
            lines.append(f"+ {k[0]} on {k[1]}: numpy {_fmt(n['numpy_value'])}, torch {_fmt(n['torch_value'])}, "
                         f"{n['status']}/{n['torch_status']}")
            continue
        o = old_entries[k]
        rtol = float(o.get("rtol", (old or {}).get("tolerance", {}).get("rtol", RTOL)))
        atol = float(o.get("atol", (old or {}).get("tolerance", {}).get("atol", ATOL)))
        for fld in fields:
            if o.get(fld) != n.get(fld):
                if fld == "input_sha256":
                    lines.append(f"~ {k[0]} on {k[1]}: input_sha256 {str(o.get(fld))[:12]}... -> {str(n.get(fld))[:12]}...")
                    continue
                mark = ""
                if fld in ("numpy_value", "torch_value") and _close(o.get(fld), n.get(fld), rtol, atol):
                    mark = " (within tolerance)"
                rel = _rel(o.get(fld), n.get(fld))
                rel_s = "" if rel is None else f" [rel {rel:.3g}]"
                lines.append(f"~ {k[0]} on {k[1]}: {fld} {_fmt(o.get(fld))} -> {_fmt(n.get(fld))}{rel_s}{mark}")
    lines.extend(f"- {k[0]} on {k[1]}: numpy {_fmt(o['numpy_value'])}, torch {_fmt(o['torch_value'])}"
                 for k, o in old_entries.items() if k not in new_entries)
    return lines


def numpy_torch_disagreements(entries: Iterable[Mapping[str, Any]], *, rtol: float = RTOL, atol: float = ATOL) -> list[str]:
    """Entries whose numpy and torch outcomes differ (status, or value beyond ``rtol``/``atol``)."""
    out = []
    for e in entries:
        if e["status"] != e["torch_status"] or not _close(e["numpy_value"], e["torch_value"], rtol, atol):
            rel = _rel(e["numpy_value"], e["torch_value"])
            documented = "rtol" in e and _close(e["numpy_value"], e["torch_value"], float(e["rtol"]), float(e["atol"]))
            out.append(f"{e['measure']} on {e['input']}: numpy {_fmt(e['numpy_value'])} ({e['status']}), "
                       f"torch {_fmt(e['torch_value'])} ({e['torch_status']})" + ("" if rel is None else f" [rel {rel:.3g}]")
                       + (" (within its documented tolerance)" if documented else ""))
    return out


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.values",
        description="Check (default) or update the committed value baselines of every registry measure.",
    )
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="recompute and compare with the baseline (the default); exit 1 on any mismatch")
    mode.add_argument("--update", action="store_true", help="recompute, print the full diff and rewrite the baseline (the only way it changes)")
    ap.add_argument("--measure", action="append", metavar="NAME", help="restrict to this registry measure (repeatable)")
    ap.add_argument("--baseline", default=str(BASELINE_PATH), metavar="PATH", help=f"baseline file (default: {BASELINE_PATH})")
    return ap


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (0 pass, 1 mismatch, 2 error)."""
    stdout = out if out is not None else sys.stdout
    args = _parser().parse_args(argv)
    argv_list = list(sys.argv[1:] if argv is None else argv)
    try:
        measures = None if args.measure is None else _measure_names(args.measure)
        path = Path(args.baseline)
        start = time.perf_counter()
        if args.update:
            return _update(path, measures, argv_list, stdout)
        baseline = load_baseline(path)
        entries = compute_values(measures)
        inputs = describe_inputs({str(e["input"]) for e in baseline["entries"]} | {str(e["input"]) for e in entries})
        report = check(baseline, entries, inputs, measures=measures)
    except (KeyError, ValueError, TypeError, FileNotFoundError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"error: {msg}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    text = format_report(report)
    if text:
        print(text, file=stdout)
    verdict = "PASS" if report.ok else "FAIL"
    print(f"{verdict}: {report.compared} entries compared against {path} "
          f"({len(report.mismatches)} mismatches, {len(report.missing)} missing, {len(report.extra)} extra, "
          f"{len(report.constructions)} changed constructions) in {elapsed:.1f} s", file=stdout)
    return 0 if report.ok else 1


def _update(path: Path, measures: list[str] | None, argv: list[str], stdout: TextIO) -> int:
    old = load_baseline(path) if path.exists() else None
    entries = compute_values(measures)
    command = "python -m benchmarks.values " + " ".join(argv)
    if measures is None or old is None:
        doc = make_baseline(entries, describe_inputs(), command=command)
    else:
        # Re-baseline only these measures: a changed construction invalidates every measure on it.
        report = CheckReport()
        fresh = describe_inputs()
        _input_verdicts(old, fresh, [e for e in old["entries"] if e["measure"] not in measures], report)
        if report.constructions:
            fail(f"{_FUNC} --update", "--measure cannot re-baseline part of the file while an input construction changed",
                 f"changed inputs {sorted(report.constructions)}", "Run --update without --measure.")
        keep = [e for e in old["entries"] if e["measure"] not in measures]
        order = {n: i for i, n in enumerate(registry.names())}
        merged = sorted(keep + entries, key=lambda e: (order.get(e["measure"], len(order)),
                                                       list(_INPUTS_BY_NAME).index(e["input"]) if e["input"] in _INPUTS_BY_NAME else 0))
        inputs = dict(old["inputs"])
        inputs.update({k: v for k, v in fresh.items() if k not in inputs})
        doc = make_baseline(merged, inputs, command=command)
    lines = diff(old, doc)
    prov = doc["provenance"]
    print(f"--update: {len(lines)} change(s) to {path}" + (" (new file)" if old is None else ""), file=stdout)
    print(f"  provenance: commit {prov['git_commit']}{' (dirty tree)' if prov['git_dirty'] else ''}, {prov['date']}, "
          f"numpy {prov['numpy']} ({prov['numpy_blas']}), torch {prov['torch']}, {prov['platform']}", file=stdout)
    for line in lines:
        print(f"  {line}", file=stdout)
    disagree = numpy_torch_disagreements(doc["entries"])
    if disagree:
        print(f"note: numpy and torch disagree beyond rtol={RTOL:g}, atol={ATOL:g} on {len(disagree)} entries "
              "(those within a documented per-entry tolerance are marked):", file=stdout)
        for line in disagree:
            print(f"  {line}", file=stdout)
    write_baseline(doc, path)
    print(f"wrote {len(doc['entries'])} entries to {path}", file=stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
