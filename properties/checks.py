"""Reusable property checks for similarity measures, usable from any pytest suite.

Every ``check_*`` function takes a measure callable and its inputs, evaluates
the property once and returns a frozen :class:`CheckResult` without raising on
failure; every ``assert_*`` variant calls the check and raises
:class:`AssertionError` with a readable message when the property fails.

A representation measure is called ``fn(X, Y) -> float`` with ``X`` (n, p) and
``Y`` (n, q); a model distance is called ``fn(p, q) -> float`` with two
:class:`metrics.models.SoftmaxModel`. Group elements act on the feature axis
(see :mod:`metrics.registry` for the invariance semantics); ``side="x"``
transforms ``X`` only and ``side="y"`` transforms ``Y`` only.

Tolerance policy
----------------
All comparisons go through :func:`close` with ``|a - b| <= ATOL + RTOL * max(|a|, |b|)``
(:data:`RTOL` = 1e-7, :data:`ATOL` = 1e-7) unless the caller passes ``rtol`` / ``atol``.
An invariant measure is not bitwise invariant in floating point: after a
transform the algorithm takes a different numerical path (another SVD, another
centring, sums in another order, a condition number up to 1e2 amplifying
rounding), so an exact comparison would fail on correct code. A relative
tolerance of 1e-7 leaves about nine digits of float64 headroom for that noise
while still catching any real violation (those change the value at the 1e-3
level or more); the absolute part covers values that should be exactly 0
(identity, d(p, q') for equivalent models) where a relative bound is
meaningless, and it is 1e-7 rather than machine epsilon because distances
defined as a square root or an arccos of a quantity that is 0 (or 1) up to
rounding are themselves of the order of ``sqrt(eps)`` ~ 1.5e-8 there. NaN never compares equal to anything (no ``equal_nan``).

Examples
--------
>>> import numpy as np
>>> def sqdist(X, Y):
...     return float(np.sum((X.mean(0) - Y.mean(0)) ** 2))
>>> X = np.arange(6.0).reshape(3, 2); Y = X[::-1] * 2
>>> check_translation(sqdist, X, Y, np.array([1.0, -1.0])).holds
False
>>> check_orthogonal(sqdist, X, X, np.array([[0.0, 1.0], [1.0, 0.0]]), side="x").holds
False
>>> assert_symmetry(sqdist, X, Y)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ATOL",
    "RTOL",
    "CheckResult",
    "Side",
    "assert_batch_consistency",
    "assert_determinism",
    "assert_float32_stability",
    "assert_identifiability",
    "assert_identity",
    "assert_invertible_linear",
    "assert_isotropic_scaling",
    "assert_nonnegativity",
    "assert_numpy_torch",
    "assert_orthogonal",
    "assert_permutation",
    "assert_range",
    "assert_symmetry",
    "assert_translation",
    "assert_triangle",
    "check_batch_consistency",
    "check_determinism",
    "check_float32_stability",
    "check_identifiability",
    "check_identity",
    "check_invertible_linear",
    "check_isotropic_scaling",
    "check_nonnegativity",
    "check_numpy_torch",
    "check_orthogonal",
    "check_permutation",
    "check_range",
    "check_symmetry",
    "check_translation",
    "check_triangle",
    "close",
]

#: Relative tolerance of every comparison (see the module docstring for why it is not zero).
RTOL = 1e-7
#: Absolute tolerance: covers values that should be exactly zero.
ATOL = 1e-7

Side = Literal["x", "y"]
Measure = Callable[[Any, Any], Any]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one property check.

    Attributes
    ----------
    holds : bool
        Whether the property holds within tolerance.
    value_before, value_after : float
        The two values compared (for example ``s(X, Y)`` and ``s(T(X), Y)``);
        for one-sided checks (range, non-negativity) both are the value.
    detail : str
        A one-line human-readable account of what was compared.
    """

    holds: bool
    value_before: float
    value_after: float
    detail: str

    def __bool__(self) -> bool:
        return self.holds


def close(a: float, b: float, *, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Whether ``|a - b| <= atol + rtol * max(|a|, |b|)``; infinities equal only themselves, NaN nothing.

    Examples
    --------
    >>> close(1.0, 1.0 + 1e-12), close(1.0, 1.001), close(float("nan"), float("nan"))
    (True, False, False)
    """
    if math.isnan(a) or math.isnan(b):
        return False
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def _value(v: Any) -> float:
    if isinstance(v, torch.Tensor):
        return float(v.detach().cpu().double().item())
    return float(v)


def _side(func: str, side: str) -> None:
    if side not in ("x", "y"):
        raise ValueError(f"{func}: side must be 'x' or 'y'; got {side!r}.")


def _invariance(
    name: str,
    fn: Measure,
    X: ArrayLike,
    Y: ArrayLike,
    transform: Callable[[FloatArray], FloatArray],
    side: str,
    rtol: float,
    atol: float,
) -> CheckResult:
    _side(f"check_{name}", side)
    Xa = np.asarray(X, dtype=np.float64)
    Ya = np.asarray(Y, dtype=np.float64)
    before = _value(fn(Xa, Ya))
    after = _value(fn(transform(Xa), Ya)) if side == "x" else _value(fn(Xa, transform(Ya)))
    holds = close(before, after, rtol=rtol, atol=atol)
    where = "X" if side == "x" else "Y"
    detail = f"{name} of {where}: value {before!r} before, {after!r} after (|diff|={abs(before - after):.3g})"
    return CheckResult(holds, before, after, detail)


def check_translation(
    fn: Measure, X: ArrayLike, Y: ArrayLike, b: ArrayLike, *, side: Side = "x", rtol: float = RTOL, atol: float = ATOL
) -> CheckResult:
    """Whether ``fn`` is unchanged when ``b`` is added to every row of X (``side="x"``) or Y.

    Examples
    --------
    >>> import numpy as np
    >>> fn = lambda X, Y: float(np.var(X) + np.var(Y))
    >>> check_translation(fn, np.eye(3), np.eye(3), np.ones(3), side="y").holds
    True
    """
    t = np.asarray(b, dtype=np.float64)
    return _invariance("translation", fn, X, Y, lambda M: M + t[None, :], side, rtol, atol)


def check_isotropic_scaling(
    fn: Measure, X: ArrayLike, Y: ArrayLike, a: float, *, side: Side = "x", rtol: float = RTOL, atol: float = ATOL
) -> CheckResult:
    """Whether ``fn`` is unchanged when X (or Y) is multiplied by ``a > 0``.

    Examples
    --------
    >>> import numpy as np
    >>> check_isotropic_scaling(lambda X, Y: float(np.sum(X * Y)), np.eye(2), np.eye(2), 2.0).holds
    False
    """
    if not a > 0:
        raise ValueError(f"check_isotropic_scaling: a must be > 0; got a={a!r}.")
    return _invariance("isotropic_scaling", fn, X, Y, lambda M: a * M, side, rtol, atol)


def check_orthogonal(
    fn: Measure, X: ArrayLike, Y: ArrayLike, Q: ArrayLike, *, side: Side = "x", rtol: float = RTOL, atol: float = ATOL
) -> CheckResult:
    """Whether ``fn`` is unchanged when X (or Y) is replaced by ``X @ Q`` with ``Q`` orthogonal.

    Examples
    --------
    >>> import numpy as np
    >>> fn = lambda X, Y: float(np.linalg.norm(X) - np.linalg.norm(Y))
    >>> Q = np.array([[0.6, -0.8], [0.8, 0.6]])
    >>> check_orthogonal(fn, np.eye(2), 2 * np.eye(2), Q).holds
    True
    """
    Qa = np.asarray(Q, dtype=np.float64)
    return _invariance("orthogonal", fn, X, Y, lambda M: M @ Qa, side, rtol, atol)


def check_invertible_linear(
    fn: Measure, X: ArrayLike, Y: ArrayLike, A: ArrayLike, *, side: Side = "x", rtol: float = RTOL, atol: float = ATOL
) -> CheckResult:
    """Whether ``fn`` is unchanged when X (or Y) is replaced by ``X @ A`` with ``A`` invertible.

    Examples
    --------
    >>> import numpy as np
    >>> fn = lambda X, Y: float(np.linalg.matrix_rank(X))
    >>> check_invertible_linear(fn, np.eye(2), np.eye(2), np.diag([10.0, 1.0])).holds
    True
    """
    Aa = np.asarray(A, dtype=np.float64)
    return _invariance("invertible_linear", fn, X, Y, lambda M: M @ Aa, side, rtol, atol)


def check_permutation(
    fn: Measure,
    X: ArrayLike,
    Y: ArrayLike,
    perm: Sequence[int] | NDArray[np.int64],
    *,
    side: Side = "x",
    rtol: float = RTOL,
    atol: float = ATOL,
) -> CheckResult:
    """Whether ``fn`` is unchanged when the columns (features) of X (or Y) are permuted by ``perm``.

    Examples
    --------
    >>> import numpy as np
    >>> fn = lambda X, Y: float(X[0, 0] * Y[0, 0])
    >>> check_permutation(fn, np.eye(2), np.eye(2), [1, 0]).holds
    False
    """
    idx = np.asarray(perm, dtype=np.int64)
    return _invariance("permutation", fn, X, Y, lambda M: M[:, idx], side, rtol, atol)


def check_identifiability(fn: Measure, p: Any, q_equiv: Any, *, rtol: float = RTOL, atol: float = 1e-7) -> CheckResult:
    """Whether a model distance gives ``d(p, q') = 0`` and ``d(q', p) = 0`` for ``q'`` equivalent to ``p``.

    The default ``atol`` is 1e-7 rather than :data:`ATOL`: ``q'`` is built from
    ``p`` by ``F A^T``, ``G A^{-1} + c``, whose rounding (amplified by
    ``cond(A)``) reaches the distance, and distances that are square roots of
    a divergence turn a 1e-14 rounding into 1e-7.

    Examples
    --------
    >>> from metrics.models import SoftmaxModel
    >>> from metrics.model_distances import tv_distance
    >>> p = SoftmaxModel([[1.0], [2.0]], [[0.0], [1.0]])
    >>> q = SoftmaxModel([[2.0], [4.0]], [[5.0], [5.5]])
    >>> check_identifiability(tv_distance, p, q).holds
    True
    """
    forward = _value(fn(p, q_equiv))
    backward = _value(fn(q_equiv, p))
    holds = close(forward, 0.0, rtol=rtol, atol=atol) and close(backward, 0.0, rtol=rtol, atol=atol)
    return CheckResult(holds, forward, backward, f"identifiability: d(p, q')={forward!r}, d(q', p)={backward!r}, expected 0")


# --------------------------------------------------------------------------- axioms


def check_nonnegativity(fn: Measure, X: Any, Y: Any, *, atol: float = ATOL) -> CheckResult:
    """Whether ``fn(X, Y) >= -atol``.

    Examples
    --------
    >>> import numpy as np
    >>> check_nonnegativity(lambda X, Y: float(np.sum(X - Y)), np.zeros(2), np.ones(2)).holds
    False
    """
    v = _value(fn(X, Y))
    return CheckResult(bool(v >= -atol), v, v, f"nonnegativity: value {v!r}")


def check_identity(
    fn: Measure, X: Any, kind: Literal["score", "distance"], top: float = 1.0, *, rtol: float = RTOL, atol: float = 1e-7
) -> CheckResult:
    """Whether ``fn(X, X)`` is 0 (``kind="distance"``) or ``top`` (``kind="score"``).

    The default ``atol`` is 1e-7: a distance defined as ``sqrt`` or ``arccos``
    of a quantity that is 0 or 1 up to rounding is of the order of the square
    root of the rounding error.

    Examples
    --------
    >>> import numpy as np
    >>> check_identity(lambda X, Y: float(np.abs(X - Y).sum()), np.eye(2), "distance").holds
    True
    """
    if kind not in ("score", "distance"):
        raise ValueError(f"check_identity: kind must be 'score' or 'distance'; got {kind!r}.")
    v = _value(fn(X, X))
    target = 0.0 if kind == "distance" else float(top)
    holds = close(v, target, rtol=rtol, atol=atol)
    return CheckResult(holds, v, target, f"identity: f(X, X)={v!r}, expected {target!r}")


def check_symmetry(fn: Measure, X: Any, Y: Any, *, rtol: float = RTOL, atol: float = ATOL) -> CheckResult:
    """Whether ``fn(X, Y) == fn(Y, X)`` within tolerance.

    Examples
    --------
    >>> import numpy as np
    >>> check_symmetry(lambda X, Y: float(np.sum(X) - np.sum(Y)), np.ones(2), np.zeros(2)).holds
    False
    """
    a = _value(fn(X, Y))
    b = _value(fn(Y, X))
    return CheckResult(close(a, b, rtol=rtol, atol=atol), a, b, f"symmetry: f(X, Y)={a!r}, f(Y, X)={b!r}")


def check_triangle(fn: Measure, X: Any, Y: Any, Z: Any, *, rtol: float = RTOL, atol: float = ATOL) -> CheckResult:
    """Whether ``d(X, Z) <= d(X, Y) + d(Y, Z)`` up to tolerance.

    ``value_before`` is ``d(X, Z)``, ``value_after`` is ``d(X, Y) + d(Y, Z)``.

    Examples
    --------
    >>> d = lambda x, y: abs(x - y)
    >>> check_triangle(d, 0.0, 1.0, 3.0).holds
    True
    >>> check_triangle(lambda x, y: (x - y) ** 2, 0.0, 1.0, 2.0).holds
    False
    """
    xz = _value(fn(X, Z))
    xy = _value(fn(X, Y))
    yz = _value(fn(Y, Z))
    bound = xy + yz
    holds = bool(xz <= bound + atol + rtol * max(abs(xz), abs(bound)))
    return CheckResult(holds, xz, bound, f"triangle: d(X, Z)={xz!r} vs d(X, Y) + d(Y, Z)={xy!r} + {yz!r}")


# --------------------------------------------------------------------------- implementation checks


def check_range(fn: Measure, X: Any, Y: Any, low: float, high: float, *, atol: float = ATOL) -> CheckResult:
    """Whether ``low - atol <= fn(X, Y) <= high + atol`` (NaN is never in range).

    Examples
    --------
    >>> import numpy as np
    >>> check_range(lambda X, Y: 0.5, None, None, 0.0, 1.0).holds
    True
    """
    v = _value(fn(X, Y))
    holds = bool(low - atol <= v <= high + atol)
    return CheckResult(holds, v, v, f"range: value {v!r}, expected in [{low!r}, {high!r}]")


def check_determinism(fn: Measure, X: Any, Y: Any) -> CheckResult:
    """Whether two calls on the same inputs return bitwise-equal values.

    Examples
    --------
    >>> import numpy as np
    >>> check_determinism(lambda X, Y: float(np.dot(X, Y)), np.ones(3), np.ones(3)).holds
    True
    """
    a = _value(fn(X, Y))
    b = _value(fn(X, Y))
    holds = np.float64(a).tobytes() == np.float64(b).tobytes()  # bitwise, so NaN == NaN and 0.0 != -0.0
    return CheckResult(bool(holds), a, b, f"determinism: first call {a!r}, second call {b!r}")


def _tensor(A: Any, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    if isinstance(A, torch.Tensor):
        return A.to(dtype)
    return torch.as_tensor(np.asarray(A), dtype=dtype)


def check_batch_consistency(
    torch_fn: Measure, Xb: Any, Yb: Any, *, rtol: float = RTOL, atol: float = ATOL
) -> CheckResult:
    """Whether the batched torch call on ``(b, n, p)`` inputs equals a loop over the batch.

    ``value_before`` / ``value_after`` are the batched and looped values at the
    worst batch index.

    Examples
    --------
    >>> import torch
    >>> fn = lambda X, Y: (X * Y).sum(dim=(-2, -1))
    >>> check_batch_consistency(fn, torch.ones(3, 4, 2), torch.ones(3, 4, 2)).holds
    True
    """
    Xt = _tensor(Xb, Xb.dtype if isinstance(Xb, torch.Tensor) else torch.float64)
    Yt = _tensor(Yb, Xt.dtype)
    if Xt.ndim < 3 or Yt.ndim < 3 or Xt.shape[0] != Yt.shape[0]:
        raise ValueError(
            f"check_batch_consistency: Xb and Yb must be (b, n, p) and (b, n, q) with the same b; "
            f"got Xb.shape={tuple(Xt.shape)} and Yb.shape={tuple(Yt.shape)}."
        )
    batched = torch_fn(Xt, Yt).detach().reshape(-1)
    looped = [_value(torch_fn(Xt[i], Yt[i])) for i in range(Xt.shape[0])]
    if batched.numel() != len(looped):
        return CheckResult(False, math.nan, math.nan, f"batch: batched output has {batched.numel()} values for a batch of {len(looped)}")
    worst, holds, pair = -1.0, True, (math.nan, math.nan)
    for i, lv in enumerate(looped):
        bv = float(batched[i].item())
        ok = close(bv, lv, rtol=rtol, atol=atol)
        diff = math.inf if not ok and (math.isnan(bv) or math.isnan(lv)) else abs(bv - lv)
        if not ok:
            holds = False
        if diff > worst:
            worst, pair = diff, (bv, lv)
    return CheckResult(holds, pair[0], pair[1], f"batch: worst |batched - looped| = {worst:.3g} over {len(looped)} items")


def check_numpy_torch(
    np_fn: Measure, torch_fn: Measure, X: Any, Y: Any, *, rtol: float = RTOL, atol: float = ATOL
) -> CheckResult:
    """Whether the float64 numpy reference and the torch version (on float64 tensors) agree.

    Examples
    --------
    >>> import numpy as np, torch
    >>> check_numpy_torch(lambda X, Y: float(np.sum(X * Y)), lambda X, Y: (X * Y).sum(), np.eye(2), np.eye(2)).holds
    True
    """
    a = _value(np_fn(np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)))
    b = _value(torch_fn(_tensor(X), _tensor(Y)))
    return CheckResult(close(a, b, rtol=rtol, atol=atol), a, b, f"numpy vs torch: numpy {a!r}, torch {b!r}")


def check_float32_stability(torch_fn: Measure, X: Any, Y: Any, rtol: float = 1e-3, *, atol: float = 1e-5) -> CheckResult:
    """Whether the torch measure on float32 inputs stays within ``rtol`` of its float64 value.

    ``value_before`` is the float64 value, ``value_after`` the float32 value.

    Examples
    --------
    >>> import numpy as np
    >>> fn = lambda X, Y: (X * Y).mean()
    >>> check_float32_stability(fn, np.full((3, 2), 0.1), np.ones((3, 2))).holds
    True
    """
    a = _value(torch_fn(_tensor(X, torch.float64), _tensor(Y, torch.float64)))
    b = _value(torch_fn(_tensor(X, torch.float32), _tensor(Y, torch.float32)))
    return CheckResult(close(a, b, rtol=rtol, atol=atol), a, b, f"float32: float64 value {a!r}, float32 value {b!r}")


# --------------------------------------------------------------------------- assert_* variants


def _raise(name: str, result: CheckResult) -> None:
    if not result.holds:
        raise AssertionError(f"{name} failed: {result.detail}")


def assert_translation(fn: Measure, X: ArrayLike, Y: ArrayLike, b: ArrayLike, *, side: Side = "x", rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_translation` holds."""
    _raise("translation invariance", check_translation(fn, X, Y, b, side=side, rtol=rtol, atol=atol))


def assert_isotropic_scaling(fn: Measure, X: ArrayLike, Y: ArrayLike, a: float, *, side: Side = "x", rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_isotropic_scaling` holds."""
    _raise("isotropic scaling invariance", check_isotropic_scaling(fn, X, Y, a, side=side, rtol=rtol, atol=atol))


def assert_orthogonal(fn: Measure, X: ArrayLike, Y: ArrayLike, Q: ArrayLike, *, side: Side = "x", rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_orthogonal` holds."""
    _raise("orthogonal invariance", check_orthogonal(fn, X, Y, Q, side=side, rtol=rtol, atol=atol))


def assert_invertible_linear(fn: Measure, X: ArrayLike, Y: ArrayLike, A: ArrayLike, *, side: Side = "x", rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_invertible_linear` holds."""
    _raise("invertible linear invariance", check_invertible_linear(fn, X, Y, A, side=side, rtol=rtol, atol=atol))


def assert_permutation(
    fn: Measure, X: ArrayLike, Y: ArrayLike, perm: Sequence[int] | NDArray[np.int64], *, side: Side = "x", rtol: float = RTOL, atol: float = ATOL
) -> None:
    """Raise AssertionError unless :func:`check_permutation` holds."""
    _raise("permutation invariance", check_permutation(fn, X, Y, perm, side=side, rtol=rtol, atol=atol))


def assert_identifiability(fn: Measure, p: Any, q_equiv: Any, *, rtol: float = RTOL, atol: float = 1e-7) -> None:
    """Raise AssertionError unless :func:`check_identifiability` holds."""
    _raise("identifiability", check_identifiability(fn, p, q_equiv, rtol=rtol, atol=atol))


def assert_nonnegativity(fn: Measure, X: Any, Y: Any, *, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_nonnegativity` holds."""
    _raise("non-negativity", check_nonnegativity(fn, X, Y, atol=atol))


def assert_identity(fn: Measure, X: Any, kind: Literal["score", "distance"], top: float = 1.0, *, rtol: float = RTOL, atol: float = 1e-7) -> None:
    """Raise AssertionError unless :func:`check_identity` holds."""
    _raise("identity", check_identity(fn, X, kind, top, rtol=rtol, atol=atol))


def assert_symmetry(fn: Measure, X: Any, Y: Any, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_symmetry` holds."""
    _raise("symmetry", check_symmetry(fn, X, Y, rtol=rtol, atol=atol))


def assert_triangle(fn: Measure, X: Any, Y: Any, Z: Any, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_triangle` holds."""
    _raise("triangle inequality", check_triangle(fn, X, Y, Z, rtol=rtol, atol=atol))


def assert_range(fn: Measure, X: Any, Y: Any, low: float, high: float, *, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_range` holds."""
    _raise("range", check_range(fn, X, Y, low, high, atol=atol))


def assert_determinism(fn: Measure, X: Any, Y: Any) -> None:
    """Raise AssertionError unless :func:`check_determinism` holds."""
    _raise("determinism", check_determinism(fn, X, Y))


def assert_batch_consistency(torch_fn: Measure, Xb: Any, Yb: Any, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_batch_consistency` holds."""
    _raise("batch consistency", check_batch_consistency(torch_fn, Xb, Yb, rtol=rtol, atol=atol))


def assert_numpy_torch(np_fn: Measure, torch_fn: Measure, X: Any, Y: Any, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise AssertionError unless :func:`check_numpy_torch` holds."""
    _raise("numpy/torch agreement", check_numpy_torch(np_fn, torch_fn, X, Y, rtol=rtol, atol=atol))


def assert_float32_stability(torch_fn: Measure, X: Any, Y: Any, rtol: float = 1e-3, *, atol: float = 1e-5) -> None:
    """Raise AssertionError unless :func:`check_float32_stability` holds."""
    _raise("float32 stability", check_float32_stability(torch_fn, X, Y, rtol, atol=atol))
