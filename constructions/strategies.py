"""Hypothesis strategies for group elements, representation pairs and softmax models.

Every public function is keyword-only, validates its bounds eagerly (a bad
bound raises :class:`ValueError` or :class:`TypeError` with the house message
template when the function is called, before anything is drawn) and returns
a strategy. Group elements and structured inputs are *built*, never filtered
for: orthogonal matrices by QR with the sign fix, invertible matrices as
``U diag(s) V^T`` with singular values in ``[1, max_condition]``, diverse
models by planting a triangular block of label and input differences.

Randomness comes only from shrinkable Hypothesis draws: every random matrix
is drawn with :func:`hypothesis.extra.numpy.arrays` with bounded finite
float64 elements in ``[-1, 1]`` (no NaN, no infinity, no subnormals), so a
failure shrinks towards zeros, identity maps and the smallest sizes. The
defaults are small (a dozen rows, a handful of columns) so that shrunk
counterexamples stay readable.

Examples
--------
>>> from hypothesis import given
>>> @given(Q=orthogonal_matrices(dim=3))
... def test(Q): assert np.allclose(Q.T @ Q, np.eye(3))
>>> test()
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

from metrics._validation import check_positive_int, check_range, fail
from metrics.models import SoftmaxModel

__all__ = [
    "identifiability_pairs",
    "invertible_matrices",
    "model_pairs",
    "orthogonal_matrices",
    "permutations",
    "representation_pairs",
    "representation_triples",
    "scalings",
    "softmax_models",
    "translations",
    "well_conditioned_pairs",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Bounded, finite, normal-or-zero float64 entries: the building block of every random matrix.
_UNIT = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=64)
#: Strictly positive magnitudes used to plant separations that can never cancel.
_GAP = st.floats(0.25, 1.0, allow_nan=False, allow_infinity=False, width=64)


def _unit(draw: st.DrawFn, shape: tuple[int, ...]) -> FloatArray:
    return np.asarray(draw(hnp.arrays(np.float64, shape, elements=_UNIT)), dtype=np.float64)


def _check_order(func: str, low_name: str, low: float, high_name: str, high: float) -> None:
    if low > high:
        fail(func, f"{low_name} must be <= {high_name}", f"{low_name}={low!r}, {high_name}={high!r}")


def _qr_orthogonal(Z: FloatArray) -> FloatArray:
    """The Q factor of ``Z`` with the sign fix (diag of R made non-negative; zeros count as +)."""
    Q, R = np.linalg.qr(Z)
    signs = np.sign(np.diag(R))
    signs[signs == 0] = 1.0
    return np.asarray(Q * signs, dtype=np.float64)


# --------------------------------------------------------------------------- group elements


@st.composite
def _orthogonal(draw: st.DrawFn, dim: int) -> FloatArray:
    return _qr_orthogonal(_unit(draw, (dim, dim)))


def orthogonal_matrices(*, dim: int) -> st.SearchStrategy[FloatArray]:
    """Orthogonal ``dim x dim`` float64 matrices (``Q^T Q = I`` to rounding).

    Built as the Q factor of a drawn matrix with entries in ``[-1, 1]``
    (:func:`hypothesis.extra.numpy.arrays`, so it shrinks), with the sign fix
    ``diag(R) >= 0``. Householder QR returns an orthogonal Q even for a
    singular matrix, so no draw is rejected; the all-zero draw, where
    shrinking heads, gives the identity. The distribution is not Haar (the
    entries are uniform-ish, not Gaussian): use it for properties, not for
    statistics.

    Raises
    ------
    ValueError, TypeError
        On ``dim`` not an integer >= 1.
    """
    dim = check_positive_int("orthogonal_matrices", "dim", dim)
    return _orthogonal(dim)


def scalings(*, min_value: float = 1e-2, max_value: float = 1e2) -> st.SearchStrategy[float]:
    """Positive isotropic scale factors in ``[min_value, max_value]``.

    Raises
    ------
    ValueError, TypeError
        Unless ``0 < min_value <= max_value < inf``.
    """
    func = "scalings"
    lo = check_range(func, "min_value", min_value, low=0.0, high=math.inf, low_open=True)
    hi = check_range(func, "max_value", max_value, low=0.0, high=math.inf, low_open=True)
    _check_order(func, "min_value", lo, "max_value", hi)
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def translations(*, dim: int, max_abs: float = 10.0) -> st.SearchStrategy[FloatArray]:
    """Translation vectors: float64 arrays of shape ``(dim,)`` with entries in ``[-max_abs, max_abs]``.

    Add one to every row of a matrix (``X + t``) to translate the points.

    Raises
    ------
    ValueError, TypeError
        On ``dim`` not an integer >= 1, or ``max_abs`` not in ``[0, inf)``.
    """
    func = "translations"
    dim = check_positive_int(func, "dim", dim)
    bound = check_range(func, "max_abs", max_abs, low=0.0, high=math.inf)
    return hnp.arrays(np.float64, (dim,), elements=_UNIT).map(lambda t: np.asarray(bound * t, dtype=np.float64))


def permutations(*, dim: int) -> st.SearchStrategy[IntArray]:
    """Permutations of ``0..dim-1`` as int64 index arrays (shrinking towards the identity).

    ``X[:, perm]`` permutes columns; ``np.eye(dim)[perm]`` is the permutation matrix.

    Raises
    ------
    ValueError, TypeError
        On ``dim`` not an integer >= 1.
    """
    dim = check_positive_int("permutations", "dim", dim)
    return st.permutations(range(dim)).map(lambda p: np.asarray(p, dtype=np.int64))


@st.composite
def _invertible(draw: st.DrawFn, dim: int, max_condition: float) -> FloatArray:
    U = draw(_orthogonal(dim))
    V = draw(_orthogonal(dim))
    s = np.asarray(
        draw(hnp.arrays(np.float64, (dim,), elements=st.floats(1.0, max_condition, allow_nan=False, allow_infinity=False))),
        dtype=np.float64,
    )
    return np.asarray((U * s) @ V.T, dtype=np.float64)


def invertible_matrices(*, dim: int, max_condition: float = 1e2) -> st.SearchStrategy[FloatArray]:
    """Invertible ``dim x dim`` matrices with condition number at most ``max_condition``.

    Built as ``U diag(s) V^T`` with ``U, V`` from :func:`orthogonal_matrices`
    and singular values ``s`` drawn in ``[1, max_condition]``, so
    ``cond_2 = max(s) / min(s) <= max_condition`` by construction (up to
    rounding). Shrinks towards the identity.

    Raises
    ------
    ValueError, TypeError
        On ``dim`` not an integer >= 1, or ``max_condition`` not in ``[1, inf)``.
    """
    func = "invertible_matrices"
    dim = check_positive_int(func, "dim", dim)
    cond = check_range(func, "max_condition", max_condition, low=1.0, high=math.inf)
    return _invertible(dim, cond)


# --------------------------------------------------------------------------- representation pairs


@st.composite
def _factor_matrix(draw: st.DrawFn, n: int, cols: int, rank: int | None) -> tuple[FloatArray, FloatArray]:
    """``(U, V)`` with ``X = U @ V`` (n x cols), rows 0 and 1 of X provably different.

    Full rank (``rank is None``): ``V = I``. Low rank: ``U`` is n x r and
    ``V`` is r x cols with ``r = min(rank, n, cols)``. Row 0 of ``U`` is row 1
    plus ``d e_1`` (``d >= 0.25``) and ``|V[0, 0]| >= 0.25``, so
    ``X[0] - X[1] = d V[0]`` is non-zero: X is never constant.
    """
    r = cols if rank is None else min(rank, n, cols)
    U = _unit(draw, (n, r))
    U[0] = U[1]
    U[0, 0] += draw(_GAP)
    if rank is None:
        V = np.eye(cols)
    else:
        V = _unit(draw, (r, cols))
        V[0, 0] = draw(st.sampled_from((1.0, -1.0))) * draw(_GAP)
    return U, V


@st.composite
def _representation_pair(
    draw: st.DrawFn,
    n_range: tuple[int, int],
    p_range: tuple[int, int],
    q_range: tuple[int, int],
    scale: float,
    rank: int | None,
) -> tuple[FloatArray, FloatArray]:
    n = draw(st.integers(*n_range))
    p = draw(st.integers(*p_range))
    q = draw(st.integers(*q_range))
    Ux, Vx = draw(_factor_matrix(n, p, rank))
    X = Ux @ Vx
    if not draw(st.booleans()):  # independent Y (shrinks to this branch)
        Uy, Vy = draw(_factor_matrix(n, q, rank))
        Y = Uy @ Vy
    else:  # correlated: Y = X A + noise, with the noise sign-matched so Y is never constant
        A = _unit(draw, (p, q))
        eps = draw(st.floats(0.01, 1.0, allow_nan=False, allow_infinity=False))
        w = draw(_GAP)
        if rank is None:
            E = _unit(draw, (n, q))
            E[0] = E[1]
            E[0, 0] += math.copysign(w, A[0, 0]) if A[0, 0] != 0 else w
            Y = X @ A + eps * E
        else:
            # Y = Ux (Vx A + eps W): the noise stays in X's column space, so rank(Y) <= rank.
            B = Vx @ A
            W = _unit(draw, (Ux.shape[1], q))
            W[0, 0] = math.copysign(w, B[0, 0]) if B[0, 0] != 0 else w
            Y = Ux @ (B + eps * W)
    return np.asarray(scale * X, dtype=np.float64), np.asarray(scale * Y, dtype=np.float64)


def representation_pairs(
    *,
    min_n: int = 4,
    max_n: int = 12,
    min_p: int = 1,
    max_p: int = 5,
    min_q: int = 1,
    max_q: int = 5,
    scale: float = 1.0,
    rank: int | None = None,
) -> st.SearchStrategy[tuple[FloatArray, FloatArray]]:
    """Pairs ``(X, Y)`` of float64 representations of the same ``n`` samples.

    ``X`` is n x p and ``Y`` is n x q with ``n``, ``p``, ``q`` drawn in their
    ranges. Entries are finite and of moderate magnitude (each is ``scale``
    times a sum of at most ``min(p, rank)`` products of numbers in
    ``[-1, 1]``, plus at most ``scale`` of noise). Neither matrix is ever
    constant over the samples (rows 0 and 1 differ by construction), so
    measures that centre and normalise never see a zero matrix.

    Half of the draws (the branch shrinking favours first) are independent;
    the other half are correlated, ``Y = X A + eps E`` with ``eps`` in
    ``[0.01, 1]``, so similarity measures are not always near their
    unrelated-data value.

    With ``rank`` an integer both matrices are products of thin factors and
    have rank at most ``rank`` (the correlated noise is kept in X's column
    space).

    Raises
    ------
    ValueError, TypeError
        On non-integer sizes, ``min_n < 2``, ``min_p < 1``, ``min_q < 1``, a
        minimum above its maximum, ``scale`` not in ``(0, 1e6]``, or ``rank``
        neither None nor an integer >= 1.
    """
    func = "representation_pairs"
    min_n = check_positive_int(func, "min_n", min_n, minimum=2)
    max_n = check_positive_int(func, "max_n", max_n, minimum=2)
    min_p = check_positive_int(func, "min_p", min_p)
    max_p = check_positive_int(func, "max_p", max_p)
    min_q = check_positive_int(func, "min_q", min_q)
    max_q = check_positive_int(func, "max_q", max_q)
    _check_order(func, "min_n", min_n, "max_n", max_n)
    _check_order(func, "min_p", min_p, "max_p", max_p)
    _check_order(func, "min_q", min_q, "max_q", max_q)
    scale = check_range(func, "scale", scale, low=0.0, high=1e6, low_open=True)
    if rank is not None:
        rank = check_positive_int(func, "rank", rank)
    return _representation_pair((min_n, max_n), (min_p, max_p), (min_q, max_q), scale, rank)


# --------------------------------------------------------------------------- well-conditioned representations


def _basis(n: int, cols: int) -> FloatArray:
    """A fixed n x cols orthonormal basis orthogonal to the ones vector, with distinct rows.

    Orthogonalised powers of an irregular grid (so no two rows coincide and no
    two pairwise distances tie by symmetry); the fallback that keeps a drawn
    matrix well conditioned and the point where shrinking ends.
    """
    t = np.linspace(-1.0, 1.0, n) + 0.3 * ((np.arange(n) * 0.6180339887498949) % 1.0) / max(n, 1)
    Q = np.linalg.qr(np.vander(t, cols + 1, increasing=True))[0]
    return np.asarray(Q[:, 1:], dtype=np.float64)


#: Condition number above which a drawn centred matrix is replaced by the drawn matrix plus the fixed basis.
_DRAWN_CONDITION = 20.0


@st.composite
def _conditioned(draw: st.DrawFn, n: int, cols: int, max_condition: float, mix: FloatArray | None) -> tuple[FloatArray, FloatArray]:
    """``(X, U)``: X = sqrt(n-1) U diag(s) V^T + offset with U centred orthonormal, s in [1, max_condition]."""
    E = _unit(draw, (n, cols))
    if mix is not None:
        E = E + mix
    Ec = E - E.mean(axis=0)
    sv = np.linalg.svd(Ec, compute_uv=False)
    if sv[-1] <= 1e-3 * max(1.0, float(np.abs(E).max())) or sv[0] > _DRAWN_CONDITION * sv[-1]:
        # Nearly constant or ill-conditioned after centring (centring a constant column leaves only
        # rounding, whose QR basis is not centred). sigma_min(Ec + c B) >= c - ||Ec||_2 >= 1 with
        # c = ||Ec||_2 + 1: full rank, never filtered.
        Ec = Ec + (sv[0] + 1.0) * _basis(n, cols)
    U = np.linalg.qr(Ec)[0]
    U = U - U.mean(axis=0)  # already centred up to rounding; make it exact to the last bit we can
    s = np.asarray(
        draw(hnp.arrays(np.float64, (cols,), elements=st.floats(1.0, max_condition, allow_nan=False, allow_infinity=False))),
        dtype=np.float64,
    )
    V = draw(_orthogonal(cols))
    offset = _unit(draw, (cols,))
    X = math.sqrt(n - 1) * (U * s) @ V.T + offset[None, :]
    return np.asarray(X, dtype=np.float64), np.asarray(U, dtype=np.float64)


@st.composite
def _well_conditioned_pair(
    draw: st.DrawFn, n_range: tuple[int, int], p_range: tuple[int, int], q_range: tuple[int, int], cond: float, scale: float
) -> tuple[FloatArray, FloatArray]:
    n = draw(st.integers(*n_range))
    p = draw(st.integers(p_range[0], min(p_range[1], n - 1)))
    q = draw(st.integers(q_range[0], min(q_range[1], n - 1)))
    X, Ux = draw(_conditioned(n, p, cond, None))
    mix = None
    if draw(st.booleans()):  # correlated: Y's column space leans towards X's
        A = _unit(draw, (p, q))
        w = draw(st.floats(0.5, 5.0, allow_nan=False, allow_infinity=False))
        mix = w * math.sqrt(n) * (Ux @ A)
    Y, _ = draw(_conditioned(n, q, cond, mix))
    return np.asarray(scale * X, dtype=np.float64), np.asarray(scale * Y, dtype=np.float64)


def _check_sizes(func: str, sizes: dict[str, int]) -> tuple[int, ...]:
    out = {k: check_positive_int(func, k, v) for k, v in sizes.items()}
    if out["min_n"] < 3:
        fail(func, "min_n must be >= 3", f"min_n={out['min_n']!r}")
    for a in ("n", "p", "q"):
        if f"min_{a}" in out:
            _check_order(func, f"min_{a}", out[f"min_{a}"], f"max_{a}", out[f"max_{a}"])
    for a in ("p", "q"):
        if f"min_{a}" in out and out[f"min_{a}"] > out["min_n"] - 1:
            fail(func, f"min_{a} must be <= min_n - 1 (a centred n x p matrix has rank <= n - 1)",
                 f"min_{a}={out[f'min_{a}']!r}, min_n={out['min_n']!r}")
    return tuple(out.values())


def well_conditioned_pairs(
    *,
    min_n: int = 5,
    max_n: int = 10,
    min_p: int = 1,
    max_p: int = 4,
    min_q: int = 1,
    max_q: int = 4,
    max_condition: float = 10.0,
    scale: float = 1.0,
) -> st.SearchStrategy[tuple[FloatArray, FloatArray]]:
    """Pairs ``(X, Y)`` whose centred matrices have full column rank and condition number <= ``max_condition``.

    Rank-threshold measures (CCA, regression, SVCCA, shape metrics at
    ``alpha = 0``) jump when a centred input is nearly rank deficient, which
    is a property of the input rather than of the measure; invariance and
    axiom searches therefore draw from this strategy, and degenerate inputs
    are studied separately by the adversarial builders.

    Built, never filtered: ``X = sqrt(n - 1) U diag(s) V^T + offset`` with
    ``U`` an orthonormal basis of a drawn centred matrix (replaced by the
    drawn matrix plus a fixed irregular basis when its condition number
    exceeds 20), ``s`` in ``[1, max_condition]``, ``V`` orthogonal and an
    offset in ``[-1, 1]``. Half the draws make Y's column space lean towards
    X's. ``p`` and ``q`` are capped at ``n - 1``. Shrinks towards the fixed
    basis, unit singular values and the identity rotation.

    Raises
    ------
    ValueError, TypeError
        On non-integer sizes, ``min_n < 3``, a minimum above its maximum,
        ``min_p`` or ``min_q`` above ``min_n - 1``, ``max_condition`` not in
        ``[1, 1e8]`` or ``scale`` not in ``(0, 1e6]``.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(XY=well_conditioned_pairs(max_condition=10.0))
    ... def test(XY):
    ...     Xc = XY[0] - XY[0].mean(0)
    ...     assert np.linalg.cond(Xc) <= 10.0 * (1 + 1e-9)
    >>> test()
    """
    func = "well_conditioned_pairs"
    n0, n1, p0, p1, q0, q1 = _check_sizes(
        func, {"min_n": min_n, "max_n": max_n, "min_p": min_p, "max_p": max_p, "min_q": min_q, "max_q": max_q}
    )
    cond = check_range(func, "max_condition", max_condition, low=1.0, high=1e8)
    scale = check_range(func, "scale", scale, low=0.0, high=1e6, low_open=True)
    return _well_conditioned_pair((n0, n1), (p0, p1), (q0, q1), cond, scale)


@st.composite
def _triple(draw: st.DrawFn, n_range: tuple[int, int], p_range: tuple[int, int], cond: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    n = draw(st.integers(*n_range))
    p = draw(st.integers(p_range[0], min(p_range[1], n - 1)))
    X, Ux = draw(_conditioned(n, p, cond, None))
    Z, Uz = draw(_conditioned(n, p, cond, None))
    between = draw(st.booleans())  # Y leans towards both X and Z (triangle violations live there)
    mix = math.sqrt(n) * draw(st.floats(0.5, 5.0, allow_nan=False, allow_infinity=False)) * (Ux + Uz) if between else None
    Y, _ = draw(_conditioned(n, p, cond, mix))
    return X, Y, Z


def representation_triples(
    *, min_n: int = 5, max_n: int = 10, min_p: int = 1, max_p: int = 4, max_condition: float = 10.0
) -> st.SearchStrategy[tuple[FloatArray, FloatArray, FloatArray]]:
    """Triples ``(X, Y, Z)`` of well-conditioned n x p representations (see :func:`well_conditioned_pairs`).

    Half the draws put Y "between" X and Z (its column space leans towards
    both), where triangle-inequality violations are found.

    Raises
    ------
    ValueError, TypeError
        As :func:`well_conditioned_pairs`.
    """
    func = "representation_triples"
    n0, n1, p0, p1 = _check_sizes(func, {"min_n": min_n, "max_n": max_n, "min_p": min_p, "max_p": max_p})
    cond = check_range(func, "max_condition", max_condition, low=1.0, high=1e8)
    return _triple((n0, n1), (p0, p1), cond)


# --------------------------------------------------------------------------- softmax models


def _diverse(draw: st.DrawFn, rows: int, M: int) -> FloatArray:
    """A rows x M matrix whose rows are distinct and whose differences span R^M.

    Column 0 is strictly increasing (gaps in ``[1, 2]`` scaled by ``1/rows``,
    then centred), so no two rows coincide. Rows ``1..M`` minus row 0 form a
    lower-triangular M x M block with a positive diagonal (column 0's gaps,
    then ``b_d >= 0.25`` planted on the diagonal, zeros above it), so the
    diversity condition holds by construction.
    """
    Z = _unit(draw, (rows, M))
    gaps = np.asarray(
        draw(hnp.arrays(np.float64, (rows,), elements=st.floats(1.0, 2.0, allow_nan=False, allow_infinity=False))),
        dtype=np.float64,
    )
    col0 = np.cumsum(gaps) / rows
    Z[:, 0] = col0 - col0.mean()
    for d in range(M):  # row 1 + d: difference to row 0 is zero above column d
        Z[1 + d, d + 1 :] = Z[0, d + 1 :]
        if d >= 1:
            Z[1 + d, d] = Z[0, d] + draw(_GAP)
    return Z


@st.composite
def _shape(draw: st.DrawFn, n: tuple[int, int], k: tuple[int, int], m: tuple[int, int]) -> tuple[int, int, int]:
    M = draw(st.integers(m[0], min(m[1], k[1] - 1, n[1] - 1)))
    K = draw(st.integers(max(k[0], M + 1), k[1]))
    N = draw(st.integers(max(n[0], M + 1), n[1]))
    return N, K, M


def _model(draw: st.DrawFn, N: int, K: int, M: int, logit_scale: float, name: str) -> SoftmaxModel:
    F = _diverse(draw, N, M)
    G = logit_scale * _diverse(draw, K, M)
    return SoftmaxModel(F, G, name=name)


@st.composite
def _models(draw: st.DrawFn, ranges: tuple[Any, ...], logit_scale: float) -> SoftmaxModel:
    N, K, M = draw(_shape(*ranges))
    return _model(draw, N, K, M, logit_scale, "softmax_models")


@st.composite
def _model_pair(draw: st.DrawFn, ranges: tuple[Any, ...], logit_scale: float) -> tuple[SoftmaxModel, SoftmaxModel]:
    N, K, M = draw(_shape(*ranges))
    return _model(draw, N, K, M, logit_scale, "model_pairs.p"), _model(draw, N, K, M, logit_scale, "model_pairs.q")


@st.composite
def _identifiability_pair(
    draw: st.DrawFn, ranges: tuple[Any, ...], logit_scale: float, max_condition: float
) -> tuple[SoftmaxModel, SoftmaxModel]:
    N, K, M = draw(_shape(*ranges))
    p = _model(draw, N, K, M, logit_scale, "identifiability_pairs.p")
    U = draw(_orthogonal(M))
    V = draw(_orthogonal(M))
    s = np.asarray(
        draw(hnp.arrays(np.float64, (M,), elements=st.floats(1.0, max_condition, allow_nan=False, allow_infinity=False))),
        dtype=np.float64,
    )
    A = (U * s) @ V.T
    A_inv = (V / s) @ U.T
    c = logit_scale * _unit(draw, (M,))
    q = SoftmaxModel(p.F @ A.T, p.G @ A_inv + c[None, :], name="identifiability_pairs.q")
    return p, q


def _model_ranges(
    func: str, min_n: int, max_n: int, min_k: int, max_k: int, min_m: int, max_m: int, logit_scale: float
) -> tuple[tuple[tuple[int, int], tuple[int, int], tuple[int, int]], float]:
    min_n = check_positive_int(func, "min_n", min_n, minimum=2)
    max_n = check_positive_int(func, "max_n", max_n, minimum=2)
    min_k = check_positive_int(func, "min_k", min_k, minimum=2)
    max_k = check_positive_int(func, "max_k", max_k, minimum=2)
    min_m = check_positive_int(func, "min_m", min_m)
    max_m = check_positive_int(func, "max_m", max_m)
    _check_order(func, "min_n", min_n, "max_n", max_n)
    _check_order(func, "min_k", min_k, "max_k", max_k)
    _check_order(func, "min_m", min_m, "max_m", max_m)
    if max_k < min_m + 1:
        fail(func, "the diversity condition needs K >= M + 1 labels, so max_k must be >= min_m + 1", f"max_k={max_k}, min_m={min_m}")
    if max_n < min_m + 1:
        fail(func, "the diversity condition needs N >= M + 1 inputs, so max_n must be >= min_m + 1", f"max_n={max_n}, min_m={min_m}")
    scale = check_range(func, "logit_scale", logit_scale, low=0.0, high=100.0, low_open=True)
    return ((min_n, max_n), (min_k, max_k), (min_m, max_m)), scale


def softmax_models(
    *,
    min_n: int = 4,
    max_n: int = 12,
    min_k: int = 3,
    max_k: int = 8,
    min_m: int = 1,
    max_m: int = 3,
    logit_scale: float = 3.0,
) -> st.SearchStrategy[SoftmaxModel]:
    """:class:`SoftmaxModel` instances satisfying the diversity condition (MATH.md section 1).

    ``M`` is drawn in ``[min_m, min(max_m, max_k - 1, max_n - 1)]``, then
    ``K >= max(min_k, M + 1)`` and ``N >= max(min_n, M + 1)``. ``F`` has
    entries of magnitude at most 2 and ``G`` at most ``2 * logit_scale``, so
    the logits are at most ``4 * M * logit_scale`` in magnitude. By construction (not
    by filtering) ``{g(y_i) - g(y_0)}_{i=1..M}`` and ``{f(x_i) - f(x_0)}``
    are lower-triangular with a positive diagonal, hence span R^M, and all
    rows of ``F`` and of ``G`` are distinct (column 0 is strictly increasing),
    so no label's log-odds against another are constant over the inputs.

    Raises
    ------
    ValueError, TypeError
        On non-integer sizes, ``min_n < 2``, ``min_k < 2``, ``min_m < 1``, a
        minimum above its maximum, ``max_k < min_m + 1`` or
        ``max_n < min_m + 1`` (no diverse model fits), or ``logit_scale`` not
        in ``(0, 100]``.
    """
    ranges, scale = _model_ranges("softmax_models", min_n, max_n, min_k, max_k, min_m, max_m, logit_scale)
    return _models(ranges, scale)


def model_pairs(
    *,
    min_n: int = 4,
    max_n: int = 12,
    min_k: int = 3,
    max_k: int = 8,
    min_m: int = 1,
    max_m: int = 3,
    logit_scale: float = 3.0,
) -> st.SearchStrategy[tuple[SoftmaxModel, SoftmaxModel]]:
    """Pairs ``(p, q)`` of independent diverse models with the same N, K and M.

    Each model is drawn as in :func:`softmax_models`; the parameters and
    errors are the same.
    """
    ranges, scale = _model_ranges("model_pairs", min_n, max_n, min_k, max_k, min_m, max_m, logit_scale)
    return _model_pair(ranges, scale)


def identifiability_pairs(
    *,
    min_n: int = 4,
    max_n: int = 12,
    min_k: int = 3,
    max_k: int = 8,
    min_m: int = 1,
    max_m: int = 3,
    logit_scale: float = 3.0,
    max_condition: float = 1e2,
) -> st.SearchStrategy[tuple[SoftmaxModel, SoftmaxModel]]:
    """Pairs ``(p, q)`` with ``q`` in ``p``'s identifiability class (Thm. 2.2).

    ``p`` is drawn as in :func:`softmax_models`; ``q`` has ``F' = F A^T`` and
    ``G' = G A^{-1} + 1 c^T`` with ``A = U diag(s) V^T`` (``U, V`` orthogonal,
    ``s`` in ``[1, max_condition]``, so ``cond(A) <= max_condition``) and
    ``c`` with entries in ``[-logit_scale, logit_scale]``. The two models
    have equal conditionals up to rounding, and ``q`` is diverse too.

    Raises
    ------
    ValueError, TypeError
        As :func:`softmax_models`, and on ``max_condition`` not in ``[1, inf)``.
    """
    func = "identifiability_pairs"
    ranges, scale = _model_ranges(func, min_n, max_n, min_k, max_k, min_m, max_m, logit_scale)
    cond = check_range(func, "max_condition", max_condition, low=1.0, high=math.inf)
    return _identifiability_pair(ranges, scale, cond)
