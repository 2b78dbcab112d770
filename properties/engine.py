"""The audit engine: search for a counterexample to each property of a measure.

One engine serves the command line (``simaudit audit``), the project's own
registry-generated property suite and a user's pytest suite. For a
:class:`Target` (a callable plus what is declared about it) and a property
name from :data:`PROPERTIES`, :func:`search` returns a :class:`Verdict`:

``holds``
    no counterexample among ``examples`` inputs (Hypothesis draws, then a
    fixed list of hand-built hostile cases);
``refuted``
    a counterexample, shrunk by Hypothesis to a small input where it came
    from a draw, kept in :attr:`Verdict.case` and saved by :func:`save_case`
    as a ``.npz`` that ``simaudit replay`` re-evaluates;
``error``
    the function crashed, returned NaN / a non-scalar, or ran past the
    per-call time limit on some input (kept like a counterexample);
``n/a``
    the property does not apply (a triangle inequality for a score, an
    invariance of a model distance, numpy/torch agreement without a torch
    version);
``inconclusive``
    every input was degenerate for the measure (it raised
    :class:`metrics._validation.DegenerateInputError`, which is a declared
    policy, not an error).

Inputs
------
Representation inputs come from
:func:`constructions.strategies.well_conditioned_pairs` (centred condition
number <= 10, n >= p + q + 2 samples so that CCA is not saturated): measures with a rank threshold (CCA, regression, shape metrics
at alpha = 0) legitimately jump on nearly rank-deficient input, which is the
adversarial builders' subject, not an invariance failure. Group elements come
from the other strategies in :mod:`constructions.strategies` (invertible maps
with condition number <= 100). Model inputs are diverse softmax models with
K >= M + 2 labels (d_LLV and d_{f,g} need a pivot and a left-out label).

Tolerance: :mod:`properties.checks` (relative and absolute 1e-7); float32
agreement uses relative 1e-3.

Examples
--------
>>> import numpy as np
>>> t = Target.from_callable(lambda X, Y: float(np.linalg.norm(X.mean(0)) + np.linalg.norm(Y.mean(0))), name="means")
>>> search(t, "translation", profile="dev").status
'refuted'
>>> search(t, "orthogonal", profile="dev").status
'holds'
"""

from __future__ import annotations

import builtins
import contextlib
import json
import math
import os
import signal
import tempfile
import threading
import time
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from random import Random
from typing import Any, Literal

import numpy as np
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, NoSuchExample, Unsatisfiable
from numpy.typing import NDArray

from constructions import strategies as cs
from metrics._spec import MeasureSpec
from metrics._validation import DegenerateInputError, DegenerateInputWarning, fail
from metrics.models import SoftmaxModel
from properties import checks
from properties._hypothesis import without_local_constants

__all__ = [
    "GROUPS",
    "PROFILE_BUDGETS",
    "PROPERTIES",
    "Budget",
    "Status",
    "Target",
    "Verdict",
    "audit_target",
    "check_case",
    "load_case",
    "replay",
    "save_case",
    "search",
]

Status = Literal["holds", "refuted", "error", "n/a", "inconclusive"]
Compares = Literal["representations", "models"]
Orientation = Literal["score", "distance"]
FloatArray = NDArray[np.float64]
Case = dict[str, Any]

GROUPS = ("translation", "isotropic_scaling", "orthogonal", "invertible_linear", "permutation")

#: Every property the engine knows, in report order, with a one-line meaning.
PROPERTIES: dict[str, str] = {
    "translation": "f(X + 1 b^T, Y) = f(X, Y) (and on Y)",
    "isotropic_scaling": "f(a X, Y) = f(X, Y) for a > 0 (and on Y)",
    "orthogonal": "f(X Q, Y) = f(X, Y) for orthogonal Q (and on Y)",
    "invertible_linear": "f(X A, Y) = f(X, Y) for invertible A, cond(A) <= 100 (and on Y)",
    "permutation": "f(X P, Y) = f(X, Y) for a feature permutation P (and on Y)",
    "identifiability": "d(p, q) = 0 = d(q, p) for q in p's identifiability class (Thm. 2.2)",
    "nonnegativity": "f(X, Y) >= 0",
    "identity": "d(X, X) = 0 for a distance, s(X, X) = top of the range for a score",
    "symmetry": "f(X, Y) = f(Y, X)",
    "triangle": "d(X, Z) <= d(X, Y) + d(Y, Z) (distances only)",
    "finite": "returns a finite scalar on well-conditioned input",
    "range": "value inside the declared range",
    "determinism": "two calls on the same input give bitwise-equal values",
    "numpy_torch": "the torch version on float64 tensors agrees with the numpy reference",
    "float32": "the torch version on float32 stays within 1e-3 of float64",
}

#: Properties a representation measure can have; :data:`MODEL_PROPERTIES` for model distances.
REP_PROPERTIES = tuple(p for p in PROPERTIES if p != "identifiability")
MODEL_PROPERTIES = tuple(p for p in PROPERTIES if p not in GROUPS)


@dataclass(frozen=True)
class Budget:
    """How hard to search: Hypothesis examples per property, shrink calls, seconds per property."""

    examples: int
    shrink_calls: int
    seconds: float


#: The search budget of each profile (see :mod:`properties.profiles` for the pytest side).
PROFILE_BUDGETS: dict[str, Budget] = {
    "dev": Budget(examples=12, shrink_calls=60, seconds=8.0),
    "ci": Budget(examples=20, shrink_calls=100, seconds=15.0),
    "thorough": Budget(examples=400, shrink_calls=1000, seconds=300.0),
}


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """A measure under audit and what is declared about it.

    Attributes
    ----------
    name : str
        Shown in reports.
    fn : callable
        ``fn(X, Y) -> float`` for representations, ``fn(p, q) -> float`` with
        :class:`metrics.models.SoftmaxModel` for models.
    compares : {"representations", "models"}
    orientation : {"score", "distance"} or None
        None: inferred from ``f(X, X)`` on a fixed input (0 means a distance).
    declared : mapping of str to bool
        Property -> expected outcome (True: holds, False: refuted). Missing
        properties are reported but expect nothing.
    value_range : (float, float) or None
        The declared range (``range`` is n/a without one).
    torch_fn : callable or None
        The torch version (registry measures): ``fn(X, Y)`` on tensors, or
        ``fn(F, G, Fp, Gp)`` for models.
    source : str
        How :func:`load_target` finds the function again (a registry name,
        ``path/to/file.py:function`` or ``package.module:function``); written
        into every saved counterexample so that it can be replayed.
    """

    name: str
    fn: Callable[..., Any]
    compares: Compares = "representations"
    orientation: Orientation | None = None
    declared: Mapping[str, bool] = field(default_factory=dict)
    value_range: tuple[float, float] | None = None
    torch_fn: Callable[..., Any] | None = None
    source: str = ""
    equal_widths: bool = False

    @classmethod
    def from_spec(cls, spec: MeasureSpec) -> Target:
        """The target of a registry record, with every declaration the record makes."""
        declared: dict[str, bool] = {}
        for k, v in spec.invariances.as_dict().items():
            if v is not None:
                declared[k] = v
        declared.update(spec.axioms.as_dict())
        if spec.kind == "score":
            declared.pop("triangle", None)
        for k in ("finite", "range", "determinism", "numpy_torch"):
            declared[k] = True
        declared["float32"] = spec.float32_stable
        return cls(
            name=spec.name,
            fn=spec.numpy_fn,
            compares=spec.compares,
            orientation=spec.kind,
            declared=declared,
            value_range=spec.value_range,
            torch_fn=spec.torch_fn,
            source=spec.name,
            equal_widths=False,
        )

    @classmethod
    def from_callable(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        compares: Compares = "representations",
        orientation: Orientation | None = None,
        declared: Mapping[str, bool] | None = None,
        source: str = "",
    ) -> Target:
        """A user's function; declare the properties it should have in ``declared``."""
        func = "Target.from_callable"
        if not callable(fn):
            fail(func, "fn must be callable", f"{type(fn).__name__}")
        if compares not in ("representations", "models"):
            fail(func, "compares must be 'representations' or 'models'", repr(compares))
        if orientation not in (None, "score", "distance"):
            fail(func, "orientation must be None, 'score' or 'distance'", repr(orientation))
        decl = dict(declared or {})
        allowed = REP_PROPERTIES if compares == "representations" else MODEL_PROPERTIES
        for k, v in decl.items():
            if k not in allowed:
                fail(func, f"declared properties must be among {', '.join(allowed)}", repr(k))
            if not isinstance(v, bool):
                fail(func, "each declaration must be True or False", f"{k}={v!r}")
        return cls(
            name=name or str(getattr(fn, "__name__", "function")),
            fn=fn,
            compares=compares,
            orientation=orientation,
            declared=decl,
            source=source,
        )


# --------------------------------------------------------------------------- guarded calls


class _Skip(Exception):
    """The input was degenerate for the measure (declared policy): not evidence either way."""


class _BudgetSpent(BaseException):
    """Raised inside the Hypothesis search when the property's budget is spent (stops the shrinker)."""


class _CallFailed(Exception):
    """The function crashed, returned a bad value or ran too long on an input."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _timeout_handler(signum: int, frame: Any) -> None:
    raise TimeoutError


def _as_scalar(value: Any) -> float:
    try:
        import torch

        if isinstance(value, torch.Tensor):
            if value.numel() != 1:
                raise _CallFailed("non-scalar", f"returned a tensor of shape {tuple(value.shape)}")
            return float(value.detach().cpu().double().item())
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    if isinstance(value, (bool, np.bool_)):
        raise _CallFailed("non-scalar", f"returned a boolean {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    arr = np.asarray(value) if isinstance(value, np.ndarray) else None
    if arr is not None and arr.size == 1 and np.issubdtype(arr.dtype, np.number) and not np.iscomplexobj(arr):
        return float(arr.reshape(()))
    if hasattr(value, "value") and isinstance(value.value, (int, float, np.floating)):
        return float(value.value)  # result objects (e.g. LLVResult) expose .value
    shape = getattr(value, "shape", None)
    raise _CallFailed("non-scalar", f"returned {type(value).__name__}" + (f" of shape {tuple(shape)}" if shape is not None else ""))


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the main thread after ``seconds`` (SIGALRM; a no-op elsewhere)."""
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _timeout_handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _guard(fn: Callable[..., Any], limit: float) -> Callable[..., float]:
    """``fn`` returning a finite float, or raising _Skip (degenerate) / _CallFailed."""

    def call(*args: Any) -> float:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with _time_limit(limit):
                    raw = fn(*args)
            except DegenerateInputError as exc:
                raise _Skip(str(exc)) from None
            except TimeoutError:
                raise _CallFailed("timeout", f"ran longer than the per-call limit of {limit:g} s") from None
            except (KeyboardInterrupt, _Skip, _CallFailed):
                raise
            except Exception as exc:  # noqa: BLE001 - a user's function may raise anything; that is the finding
                raise _CallFailed("crash", f"raised {type(exc).__name__}: {exc}") from None
        value = _as_scalar(raw)
        if not math.isfinite(value):
            if any(issubclass(w.category, DegenerateInputWarning) for w in caught):
                raise _Skip("NaN by the declared nan-warn policy")
            raise _CallFailed("non-finite", f"returned {value!r}")
        return value

    return call


# --------------------------------------------------------------------------- cases


def _sized_pair(p: int, q: int) -> st.SearchStrategy[tuple[FloatArray, FloatArray]]:
    # n >= p + q + 2: the column spaces of the centred inputs do not have to intersect, so no canonical
    # correlation is 1 by construction (the saturated regime, where CCA-type weights are ill-defined,
    # is the cca_saturation builder's subject).
    n0 = max(5, p + q + 2)
    return cs.well_conditioned_pairs(min_n=n0, max_n=n0 + 5, min_p=p, max_p=p, min_q=q, max_q=q)


def _rep_pairs(equal: bool) -> st.SearchStrategy[tuple[FloatArray, FloatArray]]:
    if equal:
        return st.integers(1, 4).flatmap(lambda p: _sized_pair(p, p))
    return st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(lambda pq: _sized_pair(*pq))


def _element(group: str, dim: int) -> st.SearchStrategy[Any]:
    if group == "translation":
        return cs.translations(dim=dim)
    if group == "isotropic_scaling":
        return cs.scalings()
    if group == "orthogonal":
        return cs.orthogonal_matrices(dim=dim)
    if group == "invertible_linear":
        return cs.invertible_matrices(dim=dim)
    return cs.permutations(dim=dim)


@st.composite
def _group_case(draw: st.DrawFn, group: str, equal: bool) -> Case:
    X, Y = draw(_rep_pairs(equal))
    side = draw(st.sampled_from(("x", "y")))
    g = draw(_element(group, (X if side == "x" else Y).shape[1]))
    return {"X": X, "Y": Y, "side": side, "g": np.asarray(g)}


_MODEL_KW: dict[str, int] = {"max_n": 8, "min_k": 4, "max_k": 6, "max_m": 2}


def _models_case(pair: tuple[SoftmaxModel, SoftmaxModel]) -> Case:
    p, q = pair
    return {"F_p": p.F, "G_p": p.G, "F_q": q.F, "G_q": q.G}


@st.composite
def _model_triple(draw: st.DrawFn) -> Case:
    p, q = draw(cs.model_pairs(**_MODEL_KW))
    r = draw(cs.softmax_models(min_n=p.N, max_n=p.N, min_k=p.K, max_k=p.K, min_m=p.M, max_m=p.M))
    if draw(st.booleans()):  # r shares p's embeddings; q is between p and r in G
        t = draw(st.floats(0.0, 1.0, allow_nan=False))
        return {"F_p": p.F, "G_p": p.G, "F_q": p.F, "G_q": (1 - t) * p.G + t * r.G, "F_r": p.F, "G_r": r.G}
    return {"F_p": p.F, "G_p": p.G, "F_q": q.F, "G_q": q.G, "F_r": r.F, "G_r": r.G}


def _strategy(prop: str, target: Target) -> st.SearchStrategy[Case]:
    eq = target.equal_widths
    if target.compares == "models":
        if prop == "identifiability":
            return cs.identifiability_pairs(**_MODEL_KW).map(_models_case)
        if prop == "identity":
            return cs.softmax_models(**_MODEL_KW).map(lambda p: {"F_p": p.F, "G_p": p.G})
        if prop == "triangle":
            return _model_triple()
        return cs.model_pairs(**_MODEL_KW).map(_models_case)
    if prop in GROUPS:
        return _group_case(prop, eq)
    if prop == "identity":
        return _rep_pairs(eq).map(lambda xy: {"X": xy[0]})
    if prop == "triangle":
        return cs.representation_triples().map(lambda t: {"X": t[0], "Y": t[1], "Z": t[2]})
    return _rep_pairs(eq).map(lambda xy: {"X": xy[0], "Y": xy[1]})


def _hostile_pairs(seed: int, equal: bool) -> Iterator[tuple[FloatArray, FloatArray]]:
    """Seeded representation pairs: independent, correlated, anisotropic, off-centre, Y = -X."""
    rng = np.random.default_rng(seed)
    for n, p, q in ((10, 3, 3), (12, 4, 2), (8, 2, 3)):
        if equal:
            q = p
        X = rng.standard_normal((n, p))
        yield X, rng.standard_normal((n, q))
        A = rng.standard_normal((p, q))
        yield X, X @ A + 0.3 * rng.standard_normal((n, q))
        yield X * np.linspace(1, 5, p) + 2.0, rng.standard_normal((n, q)) * np.linspace(3, 1, q) - 1.0
        if p == q:
            yield X, -X
            yield X, -(X + 3.0)


def _hostile_elements(group: str, dim: int, rng: np.random.Generator) -> Iterator[Any]:
    """Group elements chosen to break a non-invariant measure clearly."""
    if group == "translation":
        yield np.full(dim, 10.0)
        e = np.zeros(dim)
        e[0] = 25.0
        yield e
        yield 10.0 * rng.standard_normal(dim)
    elif group == "isotropic_scaling":
        yield from (3.0, 0.1, 50.0)
    elif group == "orthogonal":
        if dim >= 2:
            c = math.sqrt(0.5)
            R = np.eye(dim)
            R[:2, :2] = [[c, -c], [c, c]]
            yield R
        yield np.linalg.qr(rng.standard_normal((dim, dim)))[0]
        yield -np.eye(dim)
    elif group == "invertible_linear":
        D = np.eye(dim)
        D[0, 0] = 10.0
        yield D
        if dim >= 2:
            S = np.eye(dim)
            S[0, 1] = 3.0
            yield S
        yield rng.standard_normal((dim, dim)) + 2 * np.eye(dim)
    else:
        if dim >= 2:
            yield np.roll(np.arange(dim), 1)
        yield rng.permutation(dim)


def _hostile_models(seed: int) -> Iterator[tuple[SoftmaxModel, SoftmaxModel]]:
    for s in range(4):
        r = np.random.default_rng(seed + s)
        F = r.standard_normal((8, 2))
        yield SoftmaxModel(F, 3.0 * r.standard_normal((5, 2))), SoftmaxModel(r.standard_normal((8, 2)), 3.0 * r.standard_normal((5, 2)))
        yield SoftmaxModel(F, 3.0 * r.standard_normal((5, 2))), SoftmaxModel(F, 3.0 * r.standard_normal((5, 2)))


def _hostile_cases(prop: str, target: Target) -> Iterator[Case]:
    """Hand-built cases tried after the Hypothesis search (they find what random draws miss)."""
    seed = zlib.crc32(f"{target.name}/{prop}".encode()) % 2**31
    rng = np.random.default_rng(seed)
    eq = target.equal_widths
    if target.compares == "models":
        if prop == "triangle":
            for s in range(30):
                r = np.random.default_rng(s)
                F = r.standard_normal((6, 2))
                G1, G2 = (3.0 * r.standard_normal((4, 2)) for _ in range(2))
                yield {"F_p": F, "G_p": G1, "F_q": F, "G_q": 0.5 * (G1 + G2), "F_r": F, "G_r": G2}
            return
        if prop in ("identity", "identifiability"):
            return
        for p, q in _hostile_models(seed % 1000):
            yield {"F_p": p.F, "G_p": p.G, "F_q": q.F, "G_q": q.G}
        return
    if prop in GROUPS:
        for X, Y in _hostile_pairs(seed % 1000, eq):
            for side, M in (("x", X), ("y", Y)):
                for g in _hostile_elements(prop, M.shape[1], rng):
                    yield {"X": X, "Y": Y, "side": side, "g": np.asarray(g)}
        return
    if prop == "identity":
        tied = rng.standard_normal((8, 3))
        tied[1], tied[3] = tied[0], tied[2]  # duplicated rows: ties in every dissimilarity matrix
        yield {"X": tied}
        for X, _ in _hostile_pairs(seed % 1000, eq):
            yield {"X": X}
        return
    if prop == "triangle":
        for s in range(40):
            r = np.random.default_rng(s)
            X, Y, Z = (r.standard_normal((8, 2)) for _ in range(3))
            for trip in ((X, Y, Z), (X, 0.5 * (X + Z) + 0.01 * Y, Z), (X, X + 0.1 * Y, Z)):
                yield {"X": trip[0], "Y": trip[1], "Z": trip[2]}
        return
    pairs = list(_hostile_pairs(seed % 1000, eq))
    if prop == "float32":
        # Same column space (a distance of 0 up to rounding: float32 sees sqrt(eps32) there), and near
        # ties: points placed symmetrically about others, moved by 1e-9, so that neighbour and distance
        # orders are decided below float32's resolution.
        near: list[tuple[FloatArray, FloatArray]] = []
        for s in range(4):
            r = np.random.default_rng(s)
            X = r.standard_normal((10, 3))
            near.append((X, X @ (r.standard_normal((3, 3)) + 2 * np.eye(3))))
            V = r.standard_normal((6, 3))
            S = np.concatenate([V, -V, 0.5 * V, -0.5 * V]) + 1e-9 * r.standard_normal((24, 3))
            S2 = np.concatenate([V, -V, 2 * V, -2 * V])[r.permutation(24)] + 1e-9 * r.standard_normal((24, 3))
            near.append((S, S2))
            # A lattice: many exactly equal distances, split by 1e-9 perturbations.
            L = np.array([[i, j, k] for i in range(3) for j in range(3) for k in range(2)], dtype=np.float64) - 0.7
            near.append((L + 1e-9 * r.standard_normal(L.shape), L[r.permutation(len(L))] + 1e-9 * r.standard_normal(L.shape)))
        pairs = near + pairs
    if prop == "nonnegativity":
        for s in range(20):
            r = np.random.default_rng(s)
            pairs.append((r.standard_normal((6, 2)), r.standard_normal((6, 2))))
    for X, Y in pairs:
        yield {"X": X, "Y": Y}


# --------------------------------------------------------------------------- evaluating one case


def _models(case: Case, *names: str) -> list[SoftmaxModel]:
    return [SoftmaxModel(case[f"F_{n}"], case[f"G_{n}"]) for n in names]


def _torch_models(torch_fn: Callable[..., Any]) -> Callable[..., Any]:
    import torch

    def call(p: SoftmaxModel, q: SoftmaxModel, dtype: Any = torch.float64) -> Any:
        t = [torch.as_tensor(a, dtype=dtype) for a in (p.F, p.G, q.F, q.G)]
        return torch_fn(*t)

    return call


def _torch_reps(torch_fn: Callable[..., Any], dtype: Any) -> Callable[[Any, Any], Any]:
    import torch

    def call(X: Any, Y: Any) -> Any:
        return torch_fn(torch.as_tensor(np.asarray(X), dtype=dtype), torch.as_tensor(np.asarray(Y), dtype=dtype))

    return call


#: Relative and absolute tolerance of float32 against float64. float32 resolves about 1.2e-7 relative,
#: and a distance that is a square root (or arccos) of a quantity equal to 0 (or 1) up to rounding is
#: of the order of sqrt(1.2e-7) ~ 3.5e-4 there: 1e-3 leaves a factor 3 for that.
FLOAT32_TOL = 1e-3

_CHECK: dict[str, Callable[..., checks.CheckResult]] = {
    "translation": checks.check_translation,
    "isotropic_scaling": checks.check_isotropic_scaling,
    "orthogonal": checks.check_orthogonal,
    "invertible_linear": checks.check_invertible_linear,
    "permutation": checks.check_permutation,
}


def _case_key(case: Case) -> bytes:
    parts = []
    for k in sorted(case):
        v = np.asarray(case[k])
        parts.append(k.encode() + str(v.dtype).encode() + str(v.shape).encode() + v.tobytes())
    return b"|".join(parts)


def _evaluate(prop: str, target: Target, case: Case, limit: float, top: float | None) -> checks.CheckResult:
    """Evaluate ``prop`` on one case; raises _Skip or _CallFailed."""
    f = _guard(target.fn, limit)
    models = target.compares == "models"
    if prop in GROUPS:
        g = case["g"]
        element = float(g) if prop == "isotropic_scaling" else g
        return _CHECK[prop](f, case["X"], case["Y"], element, side=str(case["side"]))
    if prop == "identifiability":
        p, q = _models(case, "p", "q")
        return checks.check_identifiability(f, p, q)
    a: Any
    b: Any
    if models:
        if prop == "identity":
            (a,) = _models(case, "p")
        elif prop == "triangle":
            a, b, c = _models(case, "p", "q", "r")
        else:
            a, b = _models(case, "p", "q")
    else:
        a = case["X"]
        b = case.get("Y")
    if prop == "identity":
        kind = target.orientation or "distance"
        return checks.check_identity(f, a, kind, 0.0 if top is None else top)
    if prop == "symmetry":
        return checks.check_symmetry(f, a, b)
    if prop == "nonnegativity":
        return checks.check_nonnegativity(f, a, b)
    if prop == "triangle":
        if models:
            return checks.check_triangle(f, a, b, c)
        return checks.check_triangle(f, a, b, case["Z"])
    if prop == "finite":
        v = f(a, b)
        return checks.CheckResult(True, v, v, f"finite: value {v!r}")
    if prop == "range":
        assert target.value_range is not None
        return checks.check_range(f, a, b, *target.value_range)
    if prop == "determinism":
        return checks.check_determinism(f, a, b)
    if prop in ("numpy_torch", "float32"):
        import torch

        assert target.torch_fn is not None
        if models:
            tcall = _torch_models(target.torch_fn)
            t64 = _guard(lambda p, q: tcall(p, q, torch.float64), limit)
            t32 = _guard(lambda p, q: tcall(p, q, torch.float32), limit)
        else:
            t64 = _guard(_torch_reps(target.torch_fn, torch.float64), limit)
            t32 = _guard(_torch_reps(target.torch_fn, torch.float32), limit)
        if prop == "numpy_torch":
            x, y = f(a, b), t64(a, b)
            return checks.CheckResult(checks.close(x, y), x, y, f"numpy vs torch: numpy {x!r}, torch {y!r}")
        x, y = t64(a, b), t32(a, b)
        ok = checks.close(x, y, rtol=FLOAT32_TOL, atol=FLOAT32_TOL)
        return checks.CheckResult(ok, x, y, f"float32: float64 value {x!r}, float32 value {y!r}")
    raise ValueError(f"_evaluate: unknown property {prop!r}")  # pragma: no cover


def check_case(target: Target, prop: str, case: Case, *, time_limit: float = 10.0) -> checks.CheckResult:
    """Evaluate ``prop`` on one explicit ``case`` (the arrays a saved counterexample holds).

    Use it to pin a known hard case in a test. Cases are dicts: ``X``, ``Y``
    (``Z`` for a triangle; ``side`` and ``g`` for a group property), or
    ``F_p``, ``G_p``, ``F_q``, ``G_q`` (``F_r``, ``G_r``) for models.

    Raises
    ------
    RuntimeError
        When the measure declares the case degenerate, crashes, returns a bad
        value or runs past ``time_limit``.
    """
    if prop not in PROPERTIES:
        fail("check_case", f"prop must be one of {', '.join(PROPERTIES)}", repr(prop))
    if not (time_limit > 0):
        fail("check_case", "time_limit must be > 0 seconds", repr(time_limit))
    orientation, top, _ = infer_orientation(target, time_limit)
    try:
        return _evaluate(prop, replace(target, orientation=orientation), case, time_limit, top)
    except _Skip as exc:
        raise RuntimeError(f"check_case: the measure declared the input degenerate ({exc})") from None
    except _CallFailed as exc:
        raise RuntimeError(f"check_case: {exc.kind}: {exc}") from None


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """The outcome of searching one property of one measure.

    Attributes
    ----------
    measure, property : str
    status : {"holds", "refuted", "error", "n/a", "inconclusive"}
    declared : bool or None
        What the target declares (None: nothing).
    examples : int
        Inputs on which the property was evaluated.
    skipped : int
        Inputs the measure declared degenerate (not counted in ``examples``).
    detail : str
        One line: the values compared, or the error, or why n/a.
    case : dict or None
        The counterexample (arrays and the side/group element) when refuted or error.
    effect : float
        For a refutation, ``|before - after| / max(1, |before|, |after|)``.
    seconds : float
        Wall time of the search.
    source : str
        How to reload the measure (see :class:`Target`).
    origin : str
        Where the counterexample came from: "hypothesis" (shrunk) or "hand-built".
    """

    measure: str
    property: str
    status: Status
    declared: bool | None
    examples: int
    skipped: int
    detail: str
    case: Case | None = None
    effect: float = 0.0
    seconds: float = 0.0
    source: str = ""
    origin: str = ""
    compares: str = "representations"
    orientation: str | None = None

    @builtins.property
    def outcome(self) -> Literal["ok", "violated", "undeclared", "n/a"]:
        """"ok" when the result matches the declaration, "violated" when it contradicts it."""
        if self.status in ("n/a",):
            return "n/a"
        if self.declared is None:
            return "undeclared"
        if self.status == "error":
            return "violated"
        if self.status == "inconclusive":
            return "violated"  # no evidence either way is not what a declaration promises
        return "ok" if (self.status == "holds") == self.declared else "violated"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (without the arrays of the counterexample)."""
        return {
            "measure": self.measure,
            "property": self.property,
            "status": self.status,
            "declared": self.declared,
            "outcome": self.outcome,
            "examples": self.examples,
            "skipped": self.skipped,
            "effect": self.effect,
            "seconds": round(self.seconds, 4),
            "origin": self.origin,
            "detail": self.detail,
        }


def _effect(prop: str, r: checks.CheckResult, value_range: tuple[float, float] | None) -> float:
    a, b = r.value_before, r.value_after
    if prop == "nonnegativity" and math.isfinite(a):
        return max(0.0, -a) / max(1.0, abs(a))
    if prop == "range" and value_range is not None and math.isfinite(a):
        return max(0.0, value_range[0] - a, a - value_range[1]) / max(1.0, abs(a))
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / max(1.0, abs(a), abs(b))


def _applicable(prop: str, target: Target, orientation: Orientation | None) -> str | None:
    """None when ``prop`` applies to ``target``, else the reason it does not."""
    allowed = REP_PROPERTIES if target.compares == "representations" else MODEL_PROPERTIES
    if prop not in allowed:
        return f"{prop} does not apply to {target.compares}"
    if prop == "triangle" and orientation == "score":
        return "a score has no triangle inequality"
    if prop == "range" and target.value_range is None:
        return "no declared range"
    if prop in ("numpy_torch", "float32") and target.torch_fn is None:
        return "no torch version"
    return None


def _fixed_case(target: Target) -> Case:
    if target.compares == "models":
        r = np.random.default_rng(0)
        return {"F_p": r.standard_normal((8, 2)), "G_p": 3.0 * r.standard_normal((5, 2))}
    r = np.random.default_rng(0)
    return {"X": r.standard_normal((10, 3))}


def infer_orientation(target: Target, limit: float = 10.0) -> tuple[Orientation | None, float | None, str]:
    """``(orientation, top, note)``: the declared orientation, or the one ``f(X, X)`` on a fixed input implies.

    ``top`` is the identity value: 0 for a distance, the declared range's upper
    end for a registry score, else ``f(X, X)`` itself.
    """
    if target.orientation == "distance":
        return "distance", 0.0, "declared distance"
    if target.orientation == "score" and target.value_range is not None:
        return "score", target.value_range[1], "declared score"
    case = _fixed_case(target)
    a = SoftmaxModel(case["F_p"], case["G_p"]) if target.compares == "models" else case["X"]
    try:
        v = _guard(target.fn, limit)(a, a)
    except (_Skip, _CallFailed) as exc:
        return target.orientation, None, f"f(X, X) on a fixed input failed ({exc}); orientation unknown"
    if target.orientation == "score":
        return "score", v, f"declared score; f(X, X) = {v:g} on a fixed input taken as the top"
    if abs(v) <= checks.ATOL:
        return "distance", 0.0, "inferred distance (f(X, X) = 0 on a fixed input)"
    return "score", v, f"inferred score (f(X, X) = {v:g} on a fixed input, taken as the top)"


def _probe_equal_widths(target: Target, limit: float) -> bool:
    """Whether the function refuses X and Y of different widths (then all draws use p == q)."""
    if target.compares != "representations" or target.equal_widths:
        return target.equal_widths
    r = np.random.default_rng(1)
    X, Y = r.standard_normal((9, 3)), r.standard_normal((9, 2))
    try:
        _guard(target.fn, limit)(X, Y)
    except _CallFailed:
        try:
            _guard(target.fn, limit)(X, r.standard_normal((9, 3)))
        except (_CallFailed, _Skip):
            return False
        return True
    except _Skip:
        return False
    return False


def search(
    target: Target,
    prop: str,
    *,
    profile: str = "dev",
    budget: Budget | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
    _context: tuple[Orientation | None, float | None, str] | None = None,
) -> Verdict:
    """Search for a counterexample to ``prop`` for ``target`` and return the :class:`Verdict`.

    Parameters
    ----------
    target : Target
    prop : str
        A key of :data:`PROPERTIES`.
    profile : {"dev", "ci", "thorough"}
        Chooses the :data:`PROFILE_BUDGETS` entry unless ``budget`` is given.
    time_limit : float
        Per-call limit in seconds (SIGALRM; only enforced in the main thread
        on platforms that have it). A call past it is an ``error`` verdict.
    seed : int
        Seeds the Hypothesis search (the same seed gives the same verdict).
    """
    if prop not in PROPERTIES:
        fail("search", f"prop must be one of {', '.join(PROPERTIES)}", repr(prop))
    if profile not in PROFILE_BUDGETS and budget is None:
        fail("search", f"profile must be one of {', '.join(PROFILE_BUDGETS)}", repr(profile))
    if not (time_limit > 0):
        fail("search", "time_limit must be > 0 seconds", repr(time_limit))
    context = _context if _context is not None else infer_orientation(target, time_limit)
    v = _search(target, prop, profile=profile, budget=budget, time_limit=time_limit, seed=seed, _context=context)
    return replace(v, compares=target.compares, orientation=context[0])


def _search(
    target: Target,
    prop: str,
    *,
    profile: str = "dev",
    budget: Budget | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
    _context: tuple[Orientation | None, float | None, str] | None = None,
) -> Verdict:
    """The body of :func:`search` (``_context`` = the orientation, top and note already inferred)."""
    func = "search"
    if prop not in PROPERTIES:
        fail(func, f"prop must be one of {', '.join(PROPERTIES)}", repr(prop))
    if budget is None:
        if profile not in PROFILE_BUDGETS:
            fail(func, f"profile must be one of {', '.join(PROFILE_BUDGETS)}", repr(profile))
        budget = PROFILE_BUDGETS[profile]
    if not (time_limit > 0):
        fail(func, "time_limit must be > 0 seconds", repr(time_limit))
    start = time.perf_counter()
    declared = target.declared.get(prop)
    if target.compares == "representations" and not target.equal_widths and _probe_equal_widths(target, time_limit):
        target = replace(target, equal_widths=True)
    orientation, top, note = _context if _context is not None else infer_orientation(target, time_limit)
    if target.orientation is None and orientation is not None:
        target = replace(target, orientation=orientation)
    reason = _applicable(prop, target, orientation)
    if reason is not None:
        return Verdict(target.name, prop, "n/a", declared, 0, 0, reason, seconds=time.perf_counter() - start, source=target.source)
    if prop == "identity" and top is None:
        return Verdict(target.name, prop, "inconclusive", declared, 0, 0, note, seconds=time.perf_counter() - start, source=target.source)

    stats = {"examples": 0, "skipped": 0, "calls": 0}
    failure: list[tuple[Case, str]] = []
    violations: list[Case] = []
    memo: dict[bytes, bool] = {}
    deadline = start + budget.seconds
    limit_calls = [budget.examples + budget.shrink_calls]

    def violated(case: Case) -> bool:
        key = _case_key(case)
        if key in memo:  # Hypothesis replays its final example: answer as before
            return memo[key]
        if time.perf_counter() > deadline or stats["calls"] >= limit_calls[0]:
            raise _BudgetSpent  # a BaseException: Hypothesis lets it through, so the shrinker stops here
        stats["calls"] += 1
        try:
            r = _evaluate(prop, target, case, time_limit, top)
        except _Skip:
            stats["skipped"] += 1
            memo[key] = False
            return False
        except _CallFailed as exc:
            if not failure:
                failure.append((case, f"{exc.kind}: {exc}"))
            memo[key] = False
            if exc.kind == "timeout":
                raise _BudgetSpent from None  # one hang is enough: do not spend the limit again on every draw
            return False
        stats["examples"] += 1
        memo[key] = not r.holds
        if memo[key]:
            violations.append(case)  # the shrinker only moves to smaller violating cases: the last is the best
        return memo[key]

    found: Case | None = None
    origin = ""
    hyp_settings = settings(
        max_examples=budget.examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    with contextlib.suppress(NoSuchExample, Unsatisfiable, HypothesisException, _BudgetSpent), without_local_constants():
        find(_strategy(prop, target), violated, settings=hyp_settings, random=Random(seed))
    if violations:
        found, origin = violations[-1], "hypothesis"
    if found is None and not failure:
        for case in _hostile_cases(prop, target):
            if time.perf_counter() > deadline:
                break
            limit_calls[0] = stats["calls"] + 1  # every hand-built case is tried, whatever the shrink budget left
            try:
                hit = violated(case)
            except _BudgetSpent:
                break
            if hit:
                found, origin = case, "hand-built"
                break
            if failure:
                break
    seconds = time.perf_counter() - start
    common: dict[str, Any] = {"examples": stats["examples"], "skipped": stats["skipped"], "seconds": seconds, "source": target.source}
    if found is not None:
        try:
            r = _evaluate(prop, target, found, time_limit, top)
        except (_Skip, _CallFailed) as exc:  # pragma: no cover - the same input evaluated again
            return Verdict(target.name, prop, "error", declared, detail=f"not reproducible on replay: {exc}", case=found, origin=origin, **common)
        return Verdict(target.name, prop, "refuted", declared, detail=r.detail, case=found, effect=_effect(prop, r, target.value_range), origin=origin, **common)
    if failure:
        case, message = failure[0]
        return Verdict(target.name, prop, "error", declared, detail=message, case=case, origin="search", **common)
    if stats["examples"] == 0:
        return Verdict(target.name, prop, "inconclusive", declared, detail="every input was degenerate for the measure", **common)
    detail = f"no counterexample in {stats['examples']} inputs"
    if prop == "identity" and target.orientation is None:
        detail += f" ({note})"
    return Verdict(target.name, prop, "holds", declared, detail=detail, **common)


def audit_target(
    target: Target,
    properties: Sequence[str] | None = None,
    *,
    profile: str = "dev",
    time_limit: float = 10.0,
    seed: int = 0,
) -> list[Verdict]:
    """Search every property (default: all that the target's kind has) and return the verdicts in order."""
    allowed = REP_PROPERTIES if target.compares == "representations" else MODEL_PROPERTIES
    props = list(allowed if properties is None else properties)
    if target.compares == "representations" and _probe_equal_widths(target, time_limit):
        target = replace(target, equal_widths=True)
    context = infer_orientation(target, time_limit)
    return [search(target, p, profile=profile, time_limit=time_limit, seed=seed, _context=context) for p in props]


# --------------------------------------------------------------------------- counterexample files


def save_case(verdict: Verdict, directory: str | os.PathLike[str]) -> Path:
    """Write the counterexample of ``verdict`` to ``directory/<measure>__<property>.npz`` atomically.

    The file holds the arrays of the case plus a ``meta`` JSON string (the
    measure's source, the property, the declared outcome, the detail).
    """
    if verdict.case is None:
        fail("save_case", "verdict must carry a counterexample (status refuted or error)", repr(verdict.status))
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in verdict.measure)
    path = out / f"{safe}__{verdict.property}.npz"
    arrays = {k: np.asarray(v) for k, v in verdict.case.items()}
    meta = {
        "source": verdict.source, "measure": verdict.measure, "property": verdict.property, "status": verdict.status,
        "detail": verdict.detail, "compares": verdict.compares, "orientation": verdict.orientation,
    }
    fd, tmp = tempfile.mkstemp(dir=out, suffix=".npz.tmp")
    os.close(fd)
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, meta=np.asarray(json.dumps(meta)), **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def load_case(path: str | os.PathLike[str]) -> tuple[dict[str, Any], Case]:
    """``(meta, case)`` from a file written by :func:`save_case`."""
    func = "load_case"
    p = Path(path)
    if not p.is_file():
        fail(func, "path must be an existing .npz written by the audit", repr(str(p)))
    try:
        data = np.load(p, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        fail(func, "path must be an .npz written by the audit (with a 'meta' entry)", f"{str(p)!r} ({exc})")
    if not isinstance(data, np.lib.npyio.NpzFile):
        fail(func, "path must be an .npz archive written by the audit", f"{str(p)!r} (a single .npy array)")
    try:
        with data:
            meta = json.loads(str(data["meta"]))
            case: Case = {}
            for k in data.files:
                if k == "meta":
                    continue
                arr = data[k]
                case[k] = str(arr) if arr.dtype.kind == "U" else arr
    except (OSError, ValueError, KeyError, EOFError) as exc:
        fail(func, "path must be an .npz written by the audit (with a 'meta' entry)", f"{str(p)!r} ({exc})")
    if not isinstance(meta, dict) or not isinstance(meta.get("property"), str) or meta["property"] not in PROPERTIES:
        fail(func, "the 'meta' entry must be an object naming a known property", f"{str(p)!r} (meta={meta!r})")
    return meta, case


def replay(path: str | os.PathLike[str], target: Target, *, time_limit: float = 10.0) -> checks.CheckResult:
    """Evaluate the saved case's property on ``target`` again and return the check result.

    Raises
    ------
    RuntimeError
        When the function crashes, returns a bad value or times out on the case.
    """
    meta, case = load_case(path)
    prop = str(meta["property"])
    if target.compares == "representations" and not target.equal_widths and "X" in case and "Y" in case:
        target = replace(target, equal_widths=case["X"].shape[1] == case["Y"].shape[1] and _probe_equal_widths(target, time_limit))
    return check_case(target, prop, case, time_limit=time_limit)
