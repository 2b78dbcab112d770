"""Kernel and independence measures: the float64 numpy reference.

HSIC (biased and unbiased), debiased, RBF, minibatch and angular CKA, the
uncentred kernel alignment of Cristianini et al., distance correlation and
distance alignment. Every measure compares two representations of the same
``n`` stimuli, ``X`` (n, p) and ``Y`` (n, q); this module is the oracle that
:mod:`metrics.torch_kernel` is checked against, written to be read.

Shared conventions
------------------
* Kernels. ``K = X X^T`` is the linear kernel, ``H = I - 11^T / n`` the
  centring matrix, so ``H K H = Xc Xc^T`` with ``Xc`` the column-centred
  ``X`` (centred as in :mod:`metrics.representation`: an exactly constant
  column becomes exactly zero).
* Feature path and Gram path. With linear kernels every measure below can be
  written with the p x q, p x p and q x q feature products and row norms,
  O(n (p q + p^2 + q^2)) time and no n x n matrix; it is used when ``p < n``
  and ``q < n``. Otherwise the n x n Gram matrices are built (never more
  flops once ``max(p, q) >= n``). Both paths give the same value (tested).
  The RBF kernel and the distance measures need the n x n matrices.
* The unbiased HSIC estimator (Song et al. 2012) is written with the
  U-centred kernel matrix of Szekely and Rizzo (2014)::

      U(K)_ij = K_ij - r_i / (n - 2) - r_j / (n - 2) + s / ((n - 1)(n - 2))   (i != j),
      U(K)_ii = 0,     r_i = sum_{j != i} K_ij,   s = sum_i r_i,

  ``HSIC_1(K, L) = <U(K), U(L)>_F / (n (n - 3))``. U-centring annihilates
  every ``a 1^T + 1 a^T + c 11^T``, which is why the unbiased estimator with
  linear kernels is translation invariant, and it makes
  ``HSIC_1(K, K) = ||U(K)||_F^2 / (n (n - 3)) >= 0`` a squared norm: a
  negative value under the square root of debiased CKA can only be rounding.
* Degenerate inputs. A constant ``X`` makes every normalised score 0/0 and
  raises :class:`~metrics._validation.DegenerateInputError` (never NaN, never
  a "perfect" score); so does ``n < 4`` for the unbiased estimator and a
  (numerically) zero ``U(K)`` for debiased CKA (see :func:`cka_debiased`).
* Clipping. Cosines are clipped to their range before they are returned and
  before ``sqrt``/``arccos``: rounding can push them a few ulps outside.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.distance import pdist, squareform

from metrics._validation import (
    DegenerateInputError,
    check_positive_int,
    check_range,
    fail,
)
from metrics.representation import (
    _centre,
    _cka_features,
    _cka_gram,
    _require_nonconstant,
    _unit_frobenius,
    _validate_pair,
)

__all__ = [
    "cka_angular",
    "cka_debiased",
    "cka_minibatch",
    "cka_rbf",
    "distance_alignment",
    "distance_correlation",
    "hsic_linear",
    "hsic_linear_unbiased",
    "kernel_alignment",
]

Matrix = NDArray[np.float64]
Median = Literal["offdiag", "all"]

#: Smallest n for the unbiased HSIC estimator: it divides by n (n - 3) and by (n - 2).
MIN_ROWS_UNBIASED = 4
#: U(K) counts as zero when ||U(K)||_F^2 <= SELF_HSIC_RTOL * n * eps * ||H K H||_F^2. The
#: feature path computes ||U(K)||_F^2 as a difference of terms of size ||H K H||_F^2 and loses
#: about n * eps / 2 of it (measured up to n = 5000 on exact zeros), so 8 n eps is a 16x margin.
SELF_HSIC_RTOL = 8.0
#: Default minibatch size of :func:`cka_minibatch`.
DEFAULT_BATCH_SIZE = 256


# --------------------------------------------------------------------------- helpers


def _use_features(n: int, p: int, q: int) -> bool:
    """The feature path is cheaper (and builds no n x n matrix) when p < n and q < n."""
    return p < n and q < n


def _require_unbiased_rows(func: str, Xa: Matrix, Ya: Matrix) -> None:
    """Raise DegenerateInputError when n < 4: the unbiased HSIC estimator is undefined."""
    n = Xa.shape[0]
    if n < MIN_ROWS_UNBIASED:
        fail(
            func,
            "X and Y must have at least 4 rows (samples) for the unbiased HSIC estimator, whose "
            "normalisation divides by n (n - 3) and by (n - 2)",
            f"n={n} (X.shape={Xa.shape}, Y.shape={Ya.shape})",
            "Use more samples, or the biased estimator (hsic_linear, cka_linear).",
            error=DegenerateInputError,
        )


def _hsic1_features(Xc: Matrix, Yc: Matrix) -> float:
    """``n (n - 3) HSIC_1`` of the linear kernels of centred Xc, Yc, from feature products.

    With ``Xc`` centred, ``K 1 = 0``; write ``k_i = ||xc_i||^2`` (the diagonal of
    ``K``) and ``K~ = K - diag(k)``. Then ``tr(K~ L~) = ||Xc^T Yc||_F^2 - k.l``,
    ``1^T K~ 1 = -sum(k)`` and ``1^T K~ L~ 1 = k.l``, so Song's estimator is::

        n (n - 3) HSIC_1 = ||Xc^T Yc||_F^2 - n / (n - 2) k.l + sum(k) sum(l) / ((n - 1)(n - 2)).
    """
    n = Xc.shape[0]
    k = np.einsum("ij,ij->i", Xc, Xc)
    l = np.einsum("ij,ij->i", Yc, Yc)
    cross = float(np.linalg.norm(Xc.T @ Yc) ** 2)
    return float(cross - n / (n - 2) * (k @ l) + k.sum() * l.sum() / ((n - 1) * (n - 2)))


def _u_centre(K: Matrix) -> Matrix:
    """The U-centred matrix of Szekely and Rizzo (2014): zero diagonal, off-diagonal as above."""
    n = K.shape[0]
    Kt = K - np.diag(np.diag(K))
    r = Kt.sum(axis=1)
    U = Kt - r[:, None] / (n - 2) - r[None, :] / (n - 2) + r.sum() / ((n - 1) * (n - 2))
    np.fill_diagonal(U, 0.0)
    return U


def _hsic1_gram(Ux: Matrix, Uy: Matrix) -> float:
    """``n (n - 3) HSIC_1`` from two U-centred matrices: their Frobenius inner product."""
    return float(np.sum(Ux * Uy))


def _self_hsic_rule(name: str) -> str:
    """The rule of the zero-U(K) check, shared with the torch implementation."""
    return (
        f"{name} must have a nonzero U-centred kernel matrix U(K) (the debiased score divides by "
        f"||U(K)||_F, the square root of the unbiased self-HSIC); it vanishes exactly when the "
        f"off-diagonal kernel entries are additive, K_ij = a_i + a_j (linear kernel: squared distances "
        f"d_ij^2 = w_i + w_j, e.g. one-hot rows, a regular simplex, all rows but one equal)"
    )


SELF_HSIC_FIX = "Use a biased estimator (cka_linear, or cka_rbf with debiased=False) for such a representation."


def _check_self_hsic(func: str, name: str, self_term: float, scale: float, n: int) -> None:
    """Raise DegenerateInputError when ``||U(K)||^2 <= 8 n eps ||H K H||^2`` (numerically zero)."""
    rtol = SELF_HSIC_RTOL * n * float(np.finfo(np.float64).eps)
    if not self_term > rtol * scale:
        fail(
            func,
            _self_hsic_rule(name),
            f"||U(K)||^2 / ||H K H||^2 = {self_term / scale if scale > 0 else 0.0:.3g} <= 8 n eps = "
            f"{rtol:.3g} for {name} (n={n})",
            SELF_HSIC_FIX,
            error=DegenerateInputError,
        )


def _debiased_from_features(Xn: Matrix, Yn: Matrix) -> tuple[float, float, float, float, float]:
    """Cross and self terms ``n(n-3) HSIC_1`` and the scales ``||H K H||^2`` (feature path)."""
    cross = _hsic1_features(Xn, Yn)
    sx, sy = _hsic1_features(Xn, Xn), _hsic1_features(Yn, Yn)
    scale_x = float(np.linalg.norm(Xn.T @ Xn) ** 2)
    scale_y = float(np.linalg.norm(Yn.T @ Yn) ** 2)
    return cross, sx, sy, scale_x, scale_y


def _debiased_from_gram(Kx: Matrix, Ky: Matrix) -> tuple[float, float, float, float, float]:
    """Cross and self terms ``n(n-3) HSIC_1`` and the scales ``||H K H||^2`` (Gram path)."""
    Ux, Uy = _u_centre(Kx), _u_centre(Ky)
    scale_x = float(np.linalg.norm(_double_centre(Kx)) ** 2)
    scale_y = float(np.linalg.norm(_double_centre(Ky)) ** 2)
    return _hsic1_gram(Ux, Uy), _hsic1_gram(Ux, Ux), _hsic1_gram(Uy, Uy), scale_x, scale_y


def _debiased_ratio(func: str, terms: tuple[float, float, float, float, float], n: int) -> float:
    """Check both self terms, then ``cross / sqrt(sx sy)`` clipped to [-1, 1]."""
    cross, sx, sy, scale_x, scale_y = terms
    _check_self_hsic(func, "X", sx, scale_x, n)
    _check_self_hsic(func, "Y", sy, scale_y, n)
    # |cross| <= sqrt(sx sy) by Cauchy-Schwarz on U(K), U(L); clip the rounding overshoot.
    return float(min(max(cross / np.sqrt(sx * sy), -1.0), 1.0))


def _batch_bounds(n: int, batch_size: int) -> list[tuple[int, int]]:
    """Consecutive batches ``[start, stop)`` of ``batch_size`` rows, in order.

    The last batch holds the remainder; a remainder of fewer than 4 rows (too
    few for the unbiased estimator) is merged into the batch before it, so no
    row is dropped and every batch has at least 4 rows (given n >= 4).
    """
    bounds = [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < MIN_ROWS_UNBIASED:
        (start, _), (_, stop) = bounds[-2], bounds[-1]
        bounds[-2:] = [(start, stop)]
    return bounds


def _sq_distances(A: Matrix) -> Matrix:
    """n x n squared Euclidean distances between rows, from exact differences (pdist)."""
    return squareform(pdist(A, "sqeuclidean"))


def _median_sq_distance(D2: Matrix, median: Median) -> float:
    """Median of the squared distances: the n(n-1)/2 pairs i < j, or all n^2 entries."""
    if median == "offdiag":
        return float(np.median(D2[np.triu_indices(D2.shape[0], k=1)]))
    return float(np.median(D2))


def _check_median(func: str, median: object) -> Median:
    if median not in ("offdiag", "all"):
        fail(func, 'median must be "offdiag" or "all"', f"median={median!r}")
    return median


def _double_centre(D: Matrix) -> Matrix:
    """``H D H``: subtract row and column means, add back the grand mean."""
    return D - D.mean(axis=0)[None, :] - D.mean(axis=1)[:, None] + D.mean()


def _distance_cosine(func: str, X: object, Y: object, exponent: float) -> float:
    """``<A, B>_F / (||A||_F ||B||_F)`` for the double-centred ``D^exponent``, clipped to [0, 1]."""
    Xa, Ya = _validate_pair(func, X, Y)
    beta = check_range(func, "exponent", exponent, low=0.0, high=2.0, low_open=True)
    _require_nonconstant(func, "X", _centre(Xa))
    _require_nonconstant(func, "Y", _centre(Ya))
    A = _double_centre(np.sqrt(_sq_distances(Xa)) ** beta)
    B = _double_centre(np.sqrt(_sq_distances(Ya)) ** beta)
    cosine = float(np.sum(A * B) / (np.linalg.norm(A) * np.linalg.norm(B)))
    # Exact value in [0, 1]: A and B are negative semidefinite for 0 < exponent <= 2 (D^beta is
    # conditionally negative definite), so <A, B> >= 0. Clip the rounding before any sqrt.
    return min(max(cosine, 0.0), 1.0)


# --------------------------------------------------------------------------- HSIC


def hsic_linear(X: object, Y: object, /) -> float:
    r"""Biased HSIC with linear kernels (Gretton et al. 2005), a dependence score.

    .. math::

        \mathrm{HSIC}_0(X, Y) = \frac{1}{(n-1)^2} \operatorname{tr}(K H L H)
        = \frac{\lVert X_c^\top Y_c \rVert_F^2}{(n-1)^2},
        \qquad K = X X^\top,\ L = Y Y^\top,\ H = I - \tfrac{1}{n} 1 1^\top.

    Normalisation: ``1 / (n - 1)^2``, as in Gretton et al. (2005) and ckatorch's
    ``hsic0``; some code divides by ``n^2`` instead (multiply by
    ``(n - 1)^2 / n^2`` to compare). Cost O(n p q) time and O(p q) memory
    from the feature product when ``p < n`` and ``q < n``; O(n^2 (p + q))
    from the Gram matrices otherwise (same value).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        HSIC in [0, inf); a dependence score (0 for a constant input or for
        uncorrelated centred features, larger = more dependent). Not
        normalised: it scales as ``a^2 b^2`` under ``X -> a X, Y -> b Y``.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.

    Notes
    -----
    No degenerate input: a constant ``X`` gives exactly 0, its true value
    (nothing is divided by a norm). The centred inputs are scaled to unit
    Frobenius norm before the fourth powers and the norms multiplied back, so
    large entries cannot overflow the intermediate ``||Xc^T Yc||^2``.

    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   False
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    ``c X`` multiplies HSIC by ``c^2``; ``X Q`` leaves ``K`` unchanged.

    References
    ----------
    .. [1] A. Gretton, O. Bousquet, A. Smola, B. Scholkopf, "Measuring
       statistical dependence with Hilbert-Schmidt norms", ALT 2005.
    .. [2] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019, Table 1.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(hsic_linear(X, X[:, :1]), 6)
    0.361111
    >>> round(hsic_linear(X, 2.0 * X[:, :1]) / hsic_linear(X, X[:, :1]), 12)  # not scale invariant
    4.0
    """
    func = "hsic_linear"
    Xa, Ya = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xa), _centre(Ya)
    nx, ny = float(np.linalg.norm(Xc)), float(np.linalg.norm(Yc))
    if nx == 0.0 or ny == 0.0:
        return 0.0
    Xn, Yn = Xc / nx, Yc / ny
    n, p, q = Xa.shape[0], Xa.shape[1], Ya.shape[1]
    if _use_features(n, p, q):
        tr = float(np.linalg.norm(Xn.T @ Yn) ** 2)
    else:
        tr = float(np.sum((Xn @ Xn.T) * (Yn @ Yn.T)))  # tr(K H L H) = <Kc, Lc>_F
    return (nx * nx) * (ny * ny) * tr / (n - 1) ** 2


def hsic_linear_unbiased(X: object, Y: object, /) -> float:
    r"""Unbiased HSIC with linear kernels (Song et al. 2012), a dependence score.

    .. math::

        \mathrm{HSIC}_1(X, Y) = \frac{1}{n(n-3)} \Big[
            \operatorname{tr}(\tilde K \tilde L)
            + \frac{1^\top \tilde K 1 \; 1^\top \tilde L 1}{(n-1)(n-2)}
            - \frac{2}{n-2} 1^\top \tilde K \tilde L 1 \Big]
        = \frac{\langle U(K), U(L) \rangle_F}{n(n-3)},

    with ``K~``, ``L~`` the linear kernels with zeroed diagonal and ``U`` the
    U-centring (module docstring). An unbiased estimator of the population
    HSIC (a U-statistic), hence it can be negative. Cost O(n (p q + p + q))
    from feature products when ``p < n`` and ``q < n`` (no n x n matrix);
    O(n^2 (p + q)) from the U-centred Gram matrices otherwise.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, ``n >= 4`` rows.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        Unbiased HSIC in (-inf, inf); a dependence score whose expectation
        is the population HSIC (>= 0). 0 for a constant input.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If ``n < 4``: ``n (n - 3) <= 0`` (and ``n - 2 = 0`` at ``n = 2``).

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   False
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    Translation changes ``K`` by ``X b 1^T + 1 b^T X^T + |b|^2 11^T``, which
    U-centring annihilates; the estimator is therefore computed from the
    centred inputs, exactly.

    References
    ----------
    .. [1] L. Song, A. Smola, A. Gretton, J. Bedo, K. Borgwardt, "Feature
       selection via dependence maximization", JMLR 13 (2012), eq. (5).
    .. [2] G. J. Szekely, M. L. Rizzo, "Partial distance correlation with
       methods for dissimilarities", Ann. Statist. 42 (2014) (U-centring).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(hsic_linear_unbiased(X, X[:, :1]), 6)
    0.266667
    """
    func = "hsic_linear_unbiased"
    Xa, Ya = _validate_pair(func, X, Y)
    _require_unbiased_rows(func, Xa, Ya)
    Xc, Yc = _centre(Xa), _centre(Ya)
    nx, ny = float(np.linalg.norm(Xc)), float(np.linalg.norm(Yc))
    if nx == 0.0 or ny == 0.0:
        return 0.0
    Xn, Yn = Xc / nx, Yc / ny
    n, p, q = Xa.shape[0], Xa.shape[1], Ya.shape[1]
    if _use_features(n, p, q):
        value = _hsic1_features(Xn, Yn)
    else:
        value = _hsic1_gram(_u_centre(Xn @ Xn.T), _u_centre(Yn @ Yn.T))
    return (nx * nx) * (ny * ny) * value / (n * (n - 3))


# --------------------------------------------------------------------------- CKA variants


def cka_debiased(X: object, Y: object, /) -> float:
    r"""Debiased linear CKA: unbiased HSIC in place of HSIC (Kornblith et al. 2019), a score.

    .. math::

        \mathrm{CKA}_1(X, Y) = \frac{\mathrm{HSIC}_1(K, L)}
            {\sqrt{\mathrm{HSIC}_1(K, K)\, \mathrm{HSIC}_1(L, L)}}
        = \frac{\langle U(K), U(L) \rangle_F}{\lVert U(K) \rVert_F \lVert U(L) \rVert_F},

    with linear kernels ``K = X X^T``, ``L = Y Y^T`` and ``U`` the U-centring
    (module docstring; the ``n (n - 3)`` factors cancel). It corrects the
    upward bias of :func:`metrics.representation.cka_linear` when ``p`` or
    ``q`` is large compared with ``n`` (two independent wide representations
    have linear CKA near 1 but debiased CKA near 0). Cost: O(n (p q + p^2 +
    q^2)) from feature products when ``p < n`` and ``q < n`` (no n x n
    matrix); O(n^2 (p + q)) from the U-centred Gram matrices otherwise.
    Both paths give the same value.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, ``n >= 4`` rows.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        Debiased CKA in [-1, 1], a similarity score (1 = the same U-centred
        kernel up to scale). It is negative when the sample alignment falls
        below what independent data would give; negative values are returned
        as they are (clamping them to 0 would bias the estimator). Clipped to
        [-1, 1] (a cosine; rounding can overshoot).

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If ``n < 4`` (the unbiased estimator is undefined), if every column
        of ``X`` (or ``Y``) is constant, or if ``U(K)`` (or ``U(L)``) is
        numerically zero, ``||U(K)||_F^2 <= 8 n eps ||H K H||_F^2``: then the
        score would be 0/0. ``U(K) = 0`` exactly when the squared distances
        are additive, ``d_ij^2 = w_i + w_j``: one-hot rows, a regular simplex,
        all rows but one equal.

    Notes
    -----
    Negative unbiased HSIC. The self terms are squared norms, so they are
    never negative in exact arithmetic; the feature path computes them as a
    difference of terms of size ``||H K H||_F^2`` and loses about
    ``n eps / 2`` of it, hence the relative threshold above, used on both
    paths. The square root is only ever taken of a product of two self terms
    that passed it. The cross term can be negative: that is the policy above.

    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    Translation: U-centring annihilates the change of ``K``. Scaling:
    ``U(c^2 K) = c^2 U(K)`` cancels in the cosine.

    References
    ----------
    .. [1] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019 (debiased CKA in the
       reference code, unbiased HSIC of Song et al.).
    .. [2] L. Song, A. Smola, A. Gretton, J. Bedo, K. Borgwardt, "Feature
       selection via dependence maximization", JMLR 13 (2012).
    .. [3] G. J. Szekely, M. L. Rizzo, "Partial distance correlation with
       methods for dissimilarities", Ann. Statist. 42 (2014).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(cka_debiased(X, 3.0 * X + 1.0), 12)
    1.0
    >>> round(cka_debiased(X, X @ np.diag([10.0, 1.0])), 6)
    0.594809
    """
    func = "cka_debiased"
    Xa, Ya = _validate_pair(func, X, Y)
    _require_unbiased_rows(func, Xa, Ya)
    Xc, Yc = _centre(Xa), _centre(Ya)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Xn, Yn = _unit_frobenius(Xc), _unit_frobenius(Yc)
    n, p, q = Xa.shape[0], Xa.shape[1], Ya.shape[1]
    if _use_features(n, p, q):
        terms = _debiased_from_features(Xn, Yn)
    else:
        terms = _debiased_from_gram(Xn @ Xn.T, Yn @ Yn.T)
    return _debiased_ratio(func, terms, n)


def cka_minibatch(X: object, Y: object, /, *, batch_size: int = DEFAULT_BATCH_SIZE) -> float:
    r"""Minibatch linear CKA (Nguyen, Raghu, Kornblith 2021), a score.

    The rows are split into consecutive batches ``B_1, ..., B_k`` of
    ``batch_size`` rows, in order (a remainder of fewer than 4 rows joins the
    last full batch, so no row is dropped), and

    .. math::

        \mathrm{CKA}_{mb}(X, Y) = \frac{\frac1k \sum_b \mathrm{HSIC}_1(K_b, L_b)}
            {\sqrt{\frac1k \sum_b \mathrm{HSIC}_1(K_b, K_b) \cdot
                   \frac1k \sum_b \mathrm{HSIC}_1(L_b, L_b)}},

    with ``K_b``, ``L_b`` the linear kernels of the rows in batch ``b`` and
    ``HSIC_1`` the unbiased estimator (:func:`hsic_linear_unbiased`). Each
    batch mean is an unbiased estimate of the population HSIC, so the ratio
    estimates population CKA without the whole n x n kernel. Batches are
    taken in order and are equally weighted (as in the paper); shuffle the
    rows first if their order carries structure. With one batch
    (``batch_size >= n``) it equals :func:`cka_debiased` exactly.

    Cost O(n (p q + p^2 + q^2)) time; working memory O(b (p + q) + p q +
    p^2 + q^2) per batch, constant in ``n`` (O(b^2) when ``p`` or ``q`` is at
    least the batch size: that batch uses its Gram matrices), besides one
    centred copy of each input.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, ``n >= 4`` rows.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.
    batch_size : int, default 256
        Rows per batch, at least 4.

    Returns
    -------
    float
        Minibatch CKA in [-1, 1] (a weighted cosine; Cauchy-Schwarz), a
        similarity score; negative values are returned as they are. Clipped
        to [-1, 1].

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric, or ``batch_size`` is not an integer.
    DegenerateInputError
        If ``n < 4``, if every column of ``X`` (or ``Y``) is constant, or if
        the summed self terms are numerically zero (the rule of
        :func:`cka_debiased`, with the largest batch size for ``n``).

    Notes
    -----
    Each batch is centred by its own column means; exact, because the
    unbiased estimator is translation invariant. The score depends on the
    order of the rows (through the batches), which is not one of the
    feature-axis invariances below.

    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    References
    ----------
    .. [1] T. Nguyen, M. Raghu, S. Kornblith, "Do wide and deep networks
       learn the same things? Uncovering how neural network representations
       vary with width and depth", ICLR 2021, Section 3.1.
    .. [2] L. Song, A. Smola, A. Gretton, J. Bedo, K. Borgwardt, "Feature
       selection via dependence maximization", JMLR 13 (2012).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0],
    ...               [2.0, 2.0], [3.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    >>> Y = X @ np.diag([10.0, 1.0])
    >>> round(cka_minibatch(X, Y, batch_size=5), 6)
    0.822969
    >>> bool(abs(cka_minibatch(X, Y, batch_size=10) - cka_debiased(X, Y)) < 1e-12)  # one batch
    True
    """
    func = "cka_minibatch"
    Xa, Ya = _validate_pair(func, X, Y)
    b = check_positive_int(func, "batch_size", batch_size, minimum=MIN_ROWS_UNBIASED)
    _require_unbiased_rows(func, Xa, Ya)
    Xc, Yc = _centre(Xa), _centre(Ya)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    # One global scale per input (CKA does not see it) keeps the fourth powers in range.
    Xs, Ys = Xc / np.linalg.norm(Xc), Yc / np.linalg.norm(Yc)
    p, q = Xa.shape[1], Ya.shape[1]
    total = np.zeros(5)  # cross, self X, self Y, scale X, scale Y; each weighted 1 / (m (m - 3))
    bounds = _batch_bounds(Xa.shape[0], b)
    for start, stop in bounds:
        Xb, Yb = _centre(Xs[start:stop]), _centre(Ys[start:stop])
        m = stop - start
        if _use_features(m, p, q):
            terms = _debiased_from_features(Xb, Yb)
        else:
            terms = _debiased_from_gram(Xb @ Xb.T, Yb @ Yb.T)
        total += np.asarray(terms) / (m * (m - 3))
    largest = max(stop - start for start, stop in bounds)
    return _debiased_ratio(func, (total[0], total[1], total[2], total[3], total[4]), largest)


def cka_rbf(
    X: object,
    Y: object,
    /,
    *,
    fraction: float = 1.0,
    median: Median = "offdiag",
    debiased: bool = False,
) -> float:
    r"""CKA with Gaussian (RBF) kernels and a median-distance bandwidth, a score.

    .. math::

        K_{ij} = \exp\!\Big(-\frac{\lVert x_i - x_j \rVert^2}{2 \sigma_X^2}\Big),
        \qquad \sigma_X^2 = \mathrm{fraction}^2 \cdot \operatorname{median} \lVert x_i - x_j \rVert^2,

        \mathrm{CKA}(X, Y) = \frac{\langle H K H, H L H \rangle_F}
            {\lVert H K H \rVert_F \lVert H L H \rVert_F}

    (or the U-centred cosine of :func:`cka_debiased` when ``debiased=True``),
    with ``sigma_Y`` from ``Y`` by the same rule. The bandwidth is a fraction
    of the median distance, as in Kornblith et al. (2019), whose reference
    code takes ``threshold=1.0`` by default (the paper also reports 0.2, 0.4
    and 0.8). The median is taken over squared distances (as in that code),
    so ``sigma`` is ``fraction`` times the square root of the median squared
    distance; ``np.median`` averages the two middle values of an even count.
    Cost O(n^2 (p + q)) time and O(n^2) memory: the RBF kernel needs the
    n x n matrices.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.
    fraction : float, default 1.0
        Bandwidth as a multiple of the median distance; > 0.
    median : {"offdiag", "all"}, default "offdiag"
        Which squared distances the median runs over. ``"offdiag"``: the
        ``n (n - 1) / 2`` distinct pairs ``i < j`` (the usual median
        heuristic; the median does not depend on the zero self-distances).
        ``"all"``: all ``n^2`` entries of the distance matrix, the ``n``
        zeros of its diagonal included, as Kornblith's reference code and
        ckatorch do (it lowers the median, by more for small ``n``).
    debiased : bool, default False
        Use the unbiased HSIC estimator (U-centring, needs ``n >= 4``) in
        place of the biased one, as :func:`cka_debiased` does.

    Returns
    -------
    float
        RBF CKA in [0, 1] (``debiased=False``: a cosine between two centred
        PSD matrices, so nonnegative) or in [-1, 1] (``debiased=True``), a
        similarity score. Clipped to that range.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        ``X`` and ``Y`` have different numbers of rows, ``fraction`` is not
        positive, or ``median`` is not ``"offdiag"`` or ``"all"``.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant, if the median
        squared distance is 0 (more than half of the pairs coincide, so the
        bandwidth would be 0), or, with ``debiased=True``, under the
        conditions of :func:`cka_debiased`.

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    Scaling invariance holds only because the bandwidth follows the median:
    ``c X`` multiplies every distance and ``sigma`` by ``|c|``, leaving ``K``
    unchanged. With a fixed ``sigma`` it would fail. Translations,
    orthogonal maps and permutations preserve every distance.

    References
    ----------
    .. [1] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019, Section 4 and Table 1.
    .. [2] A. Gretton, K. Fukumizu, C. H. Teo, L. Song, B. Scholkopf,
       A. Smola, "A kernel statistical test of independence", NIPS 2007
       (the median heuristic).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(cka_rbf(X, -5.0 * X[:, ::-1] + 2.0), 12)
    1.0
    >>> round(cka_rbf(X, X @ np.diag([10.0, 1.0])), 6)
    0.640717
    >>> round(cka_rbf(X, X @ np.diag([10.0, 1.0]), median="all"), 6)
    0.640538
    """
    func = "cka_rbf"
    Xa, Ya = _validate_pair(func, X, Y)
    frac = check_range(func, "fraction", fraction, low=0.0, high=np.inf, low_open=True)
    med = _check_median(func, median)
    if debiased:
        _require_unbiased_rows(func, Xa, Ya)
    _require_nonconstant(func, "X", _centre(Xa))
    _require_nonconstant(func, "Y", _centre(Ya))
    K = _rbf_kernel(func, "X", Xa, frac, med)
    L = _rbf_kernel(func, "Y", Ya, frac, med)
    if debiased:
        return _debiased_ratio(func, _debiased_from_gram(K, L), Xa.shape[0])
    Kc, Lc = _double_centre(K), _double_centre(L)
    cosine = float(np.sum(Kc * Lc) / (np.linalg.norm(Kc) * np.linalg.norm(Lc)))
    # Exact value in [0, 1] (cosine of two PSD matrices): clip the rounding overshoot.
    return min(max(cosine, 0.0), 1.0)


def _rbf_kernel(func: str, name: str, A: Matrix, fraction: float, median: Median) -> Matrix:
    """Gaussian kernel with ``sigma^2 = fraction^2 * median squared distance`` (raise if 0)."""
    D2 = _sq_distances(A)
    med = _median_sq_distance(D2, median)
    if not med > 0.0:
        fail(
            func,
            f"the median squared distance between the rows of {name} must be positive (it sets the "
            f"RBF bandwidth)",
            f"median={med!r} over the {'distinct pairs' if median == 'offdiag' else 'n^2 entries'} "
            f"({name}.shape={A.shape}): more than half of them are zero",
            'Remove duplicated rows, or use median="offdiag" (which ignores the zero diagonal).'
            if median == "all"
            else "Remove duplicated rows.",
            error=DegenerateInputError,
        )
    return np.exp(-D2 / (2.0 * fraction**2 * med))


def cka_angular(X: object, Y: object, /) -> float:
    r"""Angular linear CKA, ``arccos(CKA)``: the angle between centred Gram matrices (a distance).

    .. math::

        d(X, Y) = \arccos \mathrm{CKA}(X, Y)
        = \arccos \frac{\langle K_X, K_Y \rangle_F}{\lVert K_X \rVert_F \lVert K_Y \rVert_F},
        \qquad K_X = X_c X_c^\top,

    with ``CKA`` the linear CKA of :func:`metrics.representation.cka_linear`
    (same centring, feature path when ``p < n`` and ``q < n``: O(n (p q +
    p^2 + q^2)), Gram path otherwise: O(n^2 (p + q))). CKA is the cosine of
    the angle between the vectors ``K_X`` and ``K_Y`` of R^{n x n}; the angle
    between rays is the geodesic (great-circle) distance on the unit sphere,
    so ``d`` satisfies the triangle inequality, whereas CKA itself does not.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        ``d`` in [0, pi/2] (CKA >= 0 because both Gram matrices are PSD), a
        distance (0 = centred Gram matrices equal up to scale). CKA is
        clipped to [0, 1] before ``arccos``, because rounding can put it a
        few ulps above 1 and ``arccos`` would return NaN; near ``d = 0`` the
        result is accurate to about ``sqrt(eps) ~ 1e-8`` (arccos(1 - e) ~
        sqrt(2 e)).

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant (CKA would be 0/0).

    Notes
    -----
    Metric axioms: nonnegative, ``d(X, X) = 0``, symmetric, triangle
    inequality; ``d(X, Y) = 0`` also for ``Y = c X Q + 1 b^T`` (a
    pseudometric on representations, a metric on their equivalence classes).

    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    References
    ----------
    .. [1] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019.
    .. [2] A. H. Williams, E. Kunz, S. Kornblith, S. W. Linderman,
       "Generalized shape metrics on neural representations", NeurIPS 2021
       (angular metrics from normalised inner products).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(cka_angular(X, 2.0 * X + 1.0), 6)
    0.0
    >>> round(cka_angular(X, X @ np.diag([10.0, 1.0])), 6)
    1.060793
    """
    func = "cka_angular"
    Xa, Ya = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xa), _centre(Ya)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Xn, Yn = _unit_frobenius(Xc), _unit_frobenius(Yc)
    n, p, q = Xa.shape[0], Xa.shape[1], Ya.shape[1]
    cka = _cka_features(Xn, Yn) if _use_features(n, p, q) else _cka_gram(Xn, Yn)
    return float(np.arccos(min(max(cka, 0.0), 1.0)))


# --------------------------------------------------------------------------- alignment and distances


def kernel_alignment(X: object, Y: object, /) -> float:
    r"""Uncentred kernel alignment of linear kernels (Cristianini et al. 2002), a score.

    .. math::

        A(X, Y) = \frac{\langle K, L \rangle_F}{\lVert K \rVert_F \lVert L \rVert_F}
        = \frac{\lVert X^\top Y \rVert_F^2}{\lVert X^\top X \rVert_F \lVert Y^\top Y \rVert_F},
        \qquad K = X X^\top,\ L = Y Y^\top,

    on the raw (uncentred) inputs: CKA without the centring. Cost O(n (p q
    + p^2 + q^2)) from feature products when ``p < n`` and ``q < n``,
    O(n^2 (p + q)) from the Gram matrices otherwise.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        Alignment in [0, 1] (a cosine between PSD matrices, so nonnegative),
        a similarity score. Clipped to [0, 1].

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If ``X`` (or ``Y``) is the zero matrix (0/0). A constant nonzero
        input is not degenerate here: nothing is centred.

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               False
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    Not translation invariant: a large offset ``X + t 1 b^T`` drives ``K``
    towards ``t^2 |b|^2 11^T``, and the alignment of two inputs with large
    offsets towards 1 whatever their structure. That is why CKA centres.

    References
    ----------
    .. [1] N. Cristianini, J. Shawe-Taylor, A. Elisseeff, J. Kandola, "On
       kernel-target alignment", NIPS 2001 (2002).
    .. [2] C. Cortes, M. Mohri, A. Rostamizadeh, "Algorithms for learning
       kernels based on centered alignment", JMLR 13 (2012).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(kernel_alignment(X, -3.0 * X[:, ::-1]), 12)
    1.0
    >>> round(kernel_alignment(X, X + 1.0), 6)  # not translation invariant
    0.902907
    """
    func = "kernel_alignment"
    Xa, Ya = _validate_pair(func, X, Y)
    for name, A in (("X", Xa), ("Y", Ya)):
        if not np.any(A):
            fail(
                func,
                f"{name} must not be the zero matrix (its kernel would be zero, and the alignment 0/0)",
                f"{name} == 0 ({name}.shape={A.shape})",
                error=DegenerateInputError,
            )
    Xn, Yn = _unit_frobenius(Xa), _unit_frobenius(Ya)
    n, p, q = Xa.shape[0], Xa.shape[1], Ya.shape[1]
    value = _cka_features(Xn, Yn) if _use_features(n, p, q) else _cka_gram(Xn, Yn)
    return min(max(value, 0.0), 1.0)


def distance_correlation(X: object, Y: object, /, *, exponent: float = 1.0) -> float:
    r"""Distance correlation (Szekely, Rizzo, Bakirov 2007), the biased V-statistic; a score.

    .. math::

        \mathrm{dCor}(X, Y) = \sqrt{\frac{\mathrm{dCov}^2(X, Y)}{\sqrt{\mathrm{dVar}^2(X)\, \mathrm{dVar}^2(Y)}}},
        \qquad \mathrm{dCov}^2(X, Y) = \frac{1}{n^2} \sum_{ij} A_{ij} B_{ij},

    with ``A = H D_X H`` the double-centred matrix of Euclidean distances
    ``(D_X)_ij = ||x_i - x_j||^exponent`` (likewise ``B`` from ``Y``) and
    ``dVar^2(X) = dCov^2(X, X)``. This is ``R_n`` of Szekely et al. (the
    square root of the ratio), the value of ``dcor.distance_correlation``.
    Cost O(n^2 (p + q)) time and O(n^2) memory.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.
    exponent : float, default 1.0
        Power of the distances, in (0, 2]. For ``0 < exponent < 2`` the
        population dCor is 0 exactly under independence; at ``exponent = 2``
        it no longer characterises independence and ``dCor^2`` equals
        linear CKA (``H D^2 H = -2 Xc Xc^T``).

    Returns
    -------
    float
        dCor in [0, 1], a dependence/similarity score (1 = ``Y`` an
        orthogonal transform of ``X`` up to scale and translation; 0 =
        empirically independent). ``dCor^2`` is clipped at 0 before the
        square root: it is nonnegative in exact arithmetic (``A`` and ``B``
        are negative semidefinite) but rounding can make it a few ulps below.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        ``X`` and ``Y`` have different numbers of rows, or ``exponent`` is
        outside (0, 2].
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every row of ``X`` (or ``Y``) is the same (every column constant):
        ``dVar^2 = 0`` and dCor would be 0/0. Szekely et al. define dCor = 0
        there; we raise instead, as the other normalised scores do.

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    Distances are unchanged by translations, orthogonal maps and
    permutations; ``c X`` multiplies ``A`` by ``|c|^exponent``, which cancels
    between ``dCov^2`` and ``sqrt(dVar^2)`` (so dCor is scale invariant,
    contrary to one library's table). A non-orthogonal ``A`` changes the
    distances non-uniformly.

    References
    ----------
    .. [1] G. J. Szekely, M. L. Rizzo, N. K. Bakirov, "Measuring and testing
       dependence by correlation of distances", Ann. Statist. 35 (2007).
    .. [2] D. Sejdinovic, B. Sriperumbudur, A. Gretton, K. Fukumizu,
       "Equivalence of distance-based and RKHS-based statistics in hypothesis
       testing", Ann. Statist. 41 (2013).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(distance_correlation(X, -2.0 * X[:, ::-1] + 7.0), 12)
    1.0
    >>> round(distance_correlation(X, X[:, :1] ** 2), 6)
    0.740678
    """
    cosine = _distance_cosine("distance_correlation", X, Y, exponent)
    return float(np.sqrt(cosine))


def distance_alignment(X: object, Y: object, /, *, exponent: float = 1.0) -> float:
    r"""Distance alignment: the centred alignment of the two distance matrices (a score).

    .. math::

        \mathrm{DA}(X, Y) = \frac{\langle H D_X H, H D_Y H \rangle_F}
            {\lVert H D_X H \rVert_F \lVert H D_Y H \rVert_F},
        \qquad (D_X)_{ij} = \lVert x_i - x_j \rVert^{\mathrm{exponent}}.

    The distance-matrix counterpart of centred kernel alignment (CKA): by
    Sejdinovic et al. (2013), ``-H D_X H / 2`` is the centred Gram matrix of
    the distance-induced kernel ``k(x, x') = (|x|^b + |x'|^b - |x - x'|^b) /
    2``, so DA is the CKA of those kernels. It equals ``dCor^2`` of
    :func:`distance_correlation` (Szekely's ``R_n^2``,
    ``dcor.distance_correlation_sqr``), and at ``exponent = 2`` it equals
    linear CKA, because ``D = diag(K) 1^T + 1 diag(K)^T - 2 K`` gives
    ``H D H = -2 H K H``. (The uncentred cosine of raw distance matrices is
    the RSA comparison "cosine" of Euclidean RDMs, not this.) Cost
    O(n^2 (p + q)) time and O(n^2) memory.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.
    exponent : float, default 1.0
        Power of the distances, in (0, 2].

    Returns
    -------
    float
        DA in [0, 1], a similarity score; clipped to [0, 1] (nonnegative in
        exact arithmetic: both centred matrices are negative semidefinite).

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        ``X`` and ``Y`` have different numbers of rows, or ``exponent`` is
        outside (0, 2].
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every row of ``X`` (or ``Y``) is the same: ``H D H = 0`` and DA
        would be 0/0.

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    References
    ----------
    .. [1] G. J. Szekely, M. L. Rizzo, N. K. Bakirov, "Measuring and testing
       dependence by correlation of distances", Ann. Statist. 35 (2007).
    .. [2] D. Sejdinovic, B. Sriperumbudur, A. Gretton, K. Fukumizu,
       "Equivalence of distance-based and RKHS-based statistics in hypothesis
       testing", Ann. Statist. 41 (2013).
    .. [3] C. Cortes, M. Mohri, A. Rostamizadeh, "Algorithms for learning
       kernels based on centered alignment", JMLR 13 (2012).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(distance_alignment(X, X[:, :1] ** 2), 6)
    0.548604
    >>> from metrics.representation import cka_linear
    >>> bool(abs(distance_alignment(X, X[:, :1] ** 2, exponent=2.0) - cka_linear(X, X[:, :1] ** 2)) < 1e-12)
    True
    """
    return _distance_cosine("distance_alignment", X, Y, exponent)

