"""Neuron-matching measures: the float64 numpy reference (hard permutation matching, soft matching).

Both measures treat the columns of ``X`` (n, p) and ``Y`` (n, q) as units
("neurons"), each a vector of responses to the same ``n`` stimuli, and pair
the units of one representation with those of the other: one-to-one for the
hard matching, by an optimal transport plan for the soft matching.
:mod:`metrics.torch_matching` is the batched torch version; it calls back to
the same exact solvers (:func:`transport_plan`, and scipy's
``linear_sum_assignment``) and differentiates the value at the optimal
pairing.

Exactness. Both optimisations are solved exactly, not approximately (no
entropic regularisation): the assignment by the Hungarian-type solver of
``scipy.optimize.linear_sum_assignment``; the transport problem with uniform
marginals by the same solver when ``p == q`` (the optimum of a linear
function over the Birkhoff polytope is attained at a vertex, a permutation
matrix), and otherwise by the transportation linear program in integer form
(supplies ``q / g``, demands ``p / g``, ``g = gcd(p, q)``) solved by the
HiGHS dual simplex, whose optimal vertex is integral (the constraint matrix
is totally unimodular) and is rounded to those integers and checked.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import linear_sum_assignment, linprog
from scipy.spatial.distance import cdist

from metrics._validation import DegenerateInputError, as_float_matrix, check_same_rows, fail
from metrics.representation import _centre

__all__ = ["permutation_corr", "soft_matching_distance", "transport_plan"]

Matrix = NDArray[np.float64]


# --------------------------------------------------------------------------- helpers


def _validate(func: str, X: object, Y: object) -> tuple[Matrix, Matrix]:
    Xa = as_float_matrix(func, "X", X, min_rows=2)
    Ya = as_float_matrix(func, "Y", Y, min_rows=2)
    check_same_rows(func, ("X", "Y"), (Xa.shape, Ya.shape))
    return Xa, Ya


def _constant_unit_error(func: str, name: str, first: str, count: int, shape: tuple[int, ...]) -> None:
    """``first``: the first constant column, e.g. ``"X[:, 2]"`` or ``"X[1][:, 2]"`` in a batch."""
    fail(
        func,
        f"every column (unit) of {name} must be non-constant (a constant unit's correlation with "
        "any other unit is 0/0)",
        f"{first} constant ({count} constant {'column' if count == 1 else 'columns'}; {name}.shape={shape})",
        "Drop dead (constant) units before matching.",
        error=DegenerateInputError,
    )


def _unit_columns(func: str, name: str, A: Matrix) -> Matrix:
    """Centred columns scaled to unit norm; a constant column raises DegenerateInputError."""
    Ac = _centre(A)
    norms = np.linalg.norm(Ac, axis=0)
    dead = np.flatnonzero(norms == 0)
    if dead.size:
        _constant_unit_error(func, name, f"{name}[:, {int(dead[0])}]", int(dead.size), A.shape)
    return Ac / norms


def transport_plan(cost: Matrix) -> tuple[NDArray[np.intp], NDArray[np.intp], Matrix]:
    """An exact optimal coupling with uniform marginals for a (p, q) cost matrix, as its support.

    Minimises ``sum_ij P_ij cost_ij`` over ``P >= 0`` with row sums ``1/p``
    and column sums ``1/q``. Returns ``(rows, cols, weights)``: the nonzero
    entries ``P[rows, cols] = weights`` (at most ``p + q - 1`` of them).

    Examples
    --------
    >>> import numpy as np
    >>> rows, cols, w = transport_plan(np.array([[0.0, 1.0, 4.0], [4.0, 1.0, 0.0]]))
    >>> [(int(i), int(j), round(float(v), 6)) for i, j, v in zip(rows, cols, w)]
    [(0, 0, 0.333333), (0, 1, 0.166667), (1, 1, 0.166667), (1, 2, 0.333333)]
    """
    p, q = cost.shape
    if p == q:
        rows, cols = linear_sum_assignment(cost)
        return rows, cols, np.full(p, 1.0 / p)
    g = math.gcd(p, q)
    supply, demand, total = q // g, p // g, p * q // g
    # x_ij >= 0 (row-major), sum_j x_ij = supply for each i, sum_i x_ij = demand for each j.
    row_sums = sparse.kron(sparse.eye(p), np.ones((1, q)))
    col_sums = sparse.kron(np.ones((1, p)), sparse.eye(q))
    A_eq = sparse.vstack([row_sums, col_sums]).tocsc()
    b_eq = np.concatenate([np.full(p, float(supply)), np.full(q, float(demand))])
    top = float(np.max(cost))
    c = (cost / top if top > 0 else cost).ravel()  # the argmin does not see the scale
    result = linprog(c, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs-ds")
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"transport_plan: the transportation LP failed ({result.message}); got cost.shape={cost.shape}.")
    x = np.rint(result.x).reshape(p, q)
    integral = float(np.max(np.abs(result.x.reshape(p, q) - x))) <= 1e-6
    if not (integral and np.all(x.sum(axis=1) == supply) and np.all(x.sum(axis=0) == demand) and np.all(x >= 0)):
        raise RuntimeError(
            f"transport_plan: the LP solver must return an integral vertex of the transportation polytope; "
            f"got a solution {float(np.max(np.abs(result.x.reshape(p, q) - x))):.3g} away from one (cost.shape={cost.shape})."
        )
    rows, cols = np.nonzero(x)
    return rows, cols, x[rows, cols] / total


# --------------------------------------------------------------------------- measures


def permutation_corr(X: object, Y: object, /) -> float:
    r"""Hard neuron matching: mean correlation of the best one-to-one pairing of units (a score).

    .. math::

        s(X, Y) = \max_{\pi} \frac{1}{m} \sum_{i=1}^{m} \operatorname{corr}(x_i, y_{\pi(i)}),
        \qquad m = \min(p, q),

    over injective maps :math:`\pi` from the ``m`` units of the smaller
    representation into those of the larger (all of them when ``p == q``),
    with :math:`\operatorname{corr}` the Pearson correlation between columns
    (units) over the ``n`` stimuli. Solved exactly by
    ``scipy.optimize.linear_sum_assignment(C, maximize=True)`` on the p x q
    correlation matrix ``C``. Correlations are signed: a unit and its negation
    do not match (a sign flip is not a permutation).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus, one column per unit.
        Integer and boolean arrays are converted to float64.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        A score in [-1, 1] (the correlations are clipped to [-1, 1] against
        rounding): 1 when every unit of the smaller representation has a
        perfectly correlated partner.

    Raises
    ------
    ValueError
        An input not 2-D, with NaN or inf, fewer than 2 rows, or different
        row counts.
    TypeError
        A complex or non-numeric input.
    DegenerateInputError
        A constant column (dead unit) in ``X`` or ``Y``: its correlation is 0/0.

    Notes
    -----
    Cost O(n p q) for the correlations plus O(p q min(p, q)) for the
    assignment. In the torch version the assignment is found in scipy, on
    the CPU, and the value is differentiated at that fixed pairing (Danskin):
    the gradient exists wherever the optimal pairing is unique.

    Invariances (symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c > 0``)    True
    orthogonal (``X Q``, ``Q^T Q = I``)       False
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    Correlations ignore each unit's offset and (positive) scale, so even a
    positive diagonal rescaling of the units leaves the score unchanged (a
    negative ``c`` flips every correlation, and ``s(-X, X)`` is minus the
    smallest mean correlation over pairings); a rotation mixes units and destroys the
    one-to-one correspondence.

    References
    ----------
    .. [1] Y. Li, J. Yosinski, J. Clune, H. Lipson, J. Hopcroft, "Convergent
       learning: do different neural networks learn the same representations?",
       ICLR 2016.
    .. [2] A. H. Williams, E. Kunz, S. Kornblith, S. W. Linderman,
       "Generalized shape metrics on neural representations", NeurIPS 2021
       (the permutation-invariant metric of netrep).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 2.0], [2.0, 2.0, 0.0], [3.0, 1.0, 1.0], [4.0, 3.0, 5.0]])
    >>> round(permutation_corr(X, 2.0 * X[:, [2, 0, 1]] + 7.0), 12)  # permuted, rescaled, shifted
    1.0
    >>> round(permutation_corr(X, X @ np.array([[1.0, 1.0, 0.0], [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])), 6)
    0.861472
    """
    func = "permutation_corr"
    Xa, Ya = _validate(func, X, Y)
    Xn, Yn = _unit_columns(func, "X", Xa), _unit_columns(func, "Y", Ya)
    C = np.clip(Xn.T @ Yn, -1.0, 1.0)  # (p, q) correlations; rounding can overshoot +-1
    rows, cols = linear_sum_assignment(C, maximize=True)
    return float(np.mean(C[rows, cols]))


def soft_matching_distance(X: object, Y: object, /, *, centre: bool = True) -> float:
    r"""Soft matching distance (Khosla and Williams 2023): optimal transport between units (a distance).

    .. math::

        d(X, Y) = \Bigl( \min_{P \in \mathcal{T}(p, q)} \sum_{i=1}^{p} \sum_{j=1}^{q}
                  P_{ij} \lVert x_i - y_j \rVert^2 \Bigr)^{1/2},
        \quad \mathcal{T}(p, q) = \{P \ge 0 : P 1 = \tfrac{1}{p} 1,\ P^\top 1 = \tfrac{1}{q} 1\},

    where :math:`x_i \in \mathbb{R}^n` is the i-th column (unit) of ``X``,
    centred over stimuli by default. It is the 2-Wasserstein distance between
    the uniform distributions on the units of ``X`` and of ``Y`` (points in
    :math:`\mathbb{R}^n`). When ``p == q`` the optimum is a permutation:
    :math:`d = \min_\Pi \lVert X - Y \Pi \rVert_F / \sqrt{p}`, the
    permutation-invariant metric of Williams et al. divided by
    :math:`\sqrt{p}`. Solved exactly (module notes).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus, one column per unit.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli; ``q`` may differ.
    centre : bool, default True
        Subtract each unit's mean response first (translation invariance).
        ``False`` compares the raw columns.

    Returns
    -------
    float
        ``d >= 0`` in the units of the inputs (no normalisation), a distance:
        0 when the two representations have the same units in the same
        proportions. No clipping is needed: the cost is a nonnegative
        combination of squared distances computed as sums of squares.

    Raises
    ------
    ValueError
        An input not 2-D, with NaN or inf, fewer than 2 rows, or different
        row counts.
    TypeError
        A complex or non-numeric input, or a non-bool ``centre``.
    RuntimeError
        If the LP solver fails (not expected for finite costs).

    Notes
    -----
    No degenerate inputs: every finite pair, zero matrices included, has a
    finite value. Cost O(n p q) for the cost matrix, then O(p^3) for the
    assignment (``p == q``) or a p q-variable LP otherwise. The torch version
    solves the same problem on the CPU and differentiates
    :math:`\sum P^*_{ij} \lVert x_i - y_j \rVert^2` at the fixed optimal plan
    (Danskin: the gradient exists where the plan is unique, and the square
    root has an infinite derivative at ``d = 0``).

    It is a metric on the distributions of units (Wasserstein), hence a
    pseudometric on matrices: ``d(X, [X, X]) = 0`` (each unit duplicated).

    Invariances (symmetric in X and Y; ``centre=True``):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c > 0``)    False
    orthogonal (``X Q``, ``Q^T Q = I``)       False
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    ``d(cX, cY) = c d(X, Y)``, but scaling one side only changes the
    distance; a rotation of the units changes the point cloud of units. With
    ``centre=False`` translation is False too.

    References
    ----------
    .. [1] M. Khosla, A. H. Williams, "Soft matching distance: a metric on
       neural representations that captures single-neuron tuning",
       UniReps workshop, NeurIPS 2023 (PMLR 243, 2024).
    .. [2] A. H. Williams, E. Kunz, S. Kornblith, S. W. Linderman,
       "Generalized shape metrics on neural representations", NeurIPS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 2.0], [2.0, 2.0, 0.0], [3.0, 1.0, 1.0], [4.0, 3.0, 5.0]])
    >>> round(soft_matching_distance(X, X[:, [2, 0, 1]] + 7.0), 12)  # permuted and shifted units
    0.0
    >>> soft_matching_distance(X, np.hstack([X, X]))  # every unit duplicated
    0.0
    >>> round(soft_matching_distance(X, X[:, :2]), 6)
    2.04939
    """
    func = "soft_matching_distance"
    Xa, Ya = _validate(func, X, Y)
    if not isinstance(centre, (bool, np.bool_)):
        fail(func, "centre must be a bool", f"centre={centre!r} ({type(centre).__name__})", error=TypeError)
    if centre:
        Xa, Ya = _centre(Xa), _centre(Ya)
    cost = cdist(Xa.T, Ya.T, "sqeuclidean")  # (p, q): ||x_i - y_j||^2 from differences, exact 0 for equal units
    rows, cols, weights = transport_plan(cost)
    return float(np.sqrt(np.sum(weights * cost[rows, cols])))
