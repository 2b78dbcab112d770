"""Representational similarity: the float64 numpy reference (CCA, linear CKA, Procrustes).

Every measure compares two representations of the same ``n`` stimuli: ``X``
(n, p) and ``Y`` (n, q), one row per stimulus, with ``p`` and ``q`` free to
differ. This module is the oracle that the batched torch implementation in
:mod:`metrics.torch_representation` is checked against; it is written to be
read, step by step, in float64.

Shared conventions
------------------
* Centring. Every measure here first subtracts each column's mean. A column
  whose entries are all equal is set to exactly zero: subtracting a rounded
  mean would leave residue of order ``eps * |mean|`` that a normalising
  measure would blow up into a meaningless score.
* Degenerate inputs. A matrix whose columns are all constant is the zero
  matrix once centred; every score below would be 0/0 on it, so each
  measure raises :class:`~metrics._validation.DegenerateInputError` (never a
  NaN, never a "perfect" score).
* Clipping. Scores are clipped to their mathematical range before they are
  returned (and before a square root): rounding can push a cosine or a
  canonical correlation a few ulps past 1, which would otherwise break the
  declared range and turn ``sqrt``/``arccos`` of a derived distance into NaN.
* Speed. No n x n matrix is formed when ``p, q < n``, the data are read a
  few times at most (validation, centring) and every O(n) flop is a
  level-3 BLAS call: the CCA bases come from Cholesky QR2 (:func:`_frames`,
  as accurate as a Householder QR, with an SVD fallback for rank deficient
  or very ill-conditioned inputs), and normalisations are applied to the
  small p x q products rather than to the n x p data. Small p x p
  factorisations run on one BLAS thread (:func:`_one_thread`).
"""

from __future__ import annotations

import contextlib
from typing import Any, NamedTuple

import numpy as np
import scipy.linalg
from numpy.typing import NDArray

from metrics._validation import (
    DegenerateInputError,
    SaturationWarning,
    as_float_matrix,
    check_same_rows,
    fail,
    warn,
)

__all__ = ["aligned_cosine_similarity", "cca_mean_corr", "cka_linear", "procrustes_distance", "procrustes_similarity"]

Matrix = NDArray[np.float64]


# --------------------------------------------------------------------------- helpers


def _validate_pair(func: str, X: object, Y: object) -> tuple[Matrix, Matrix]:
    """Both inputs as finite float64 matrices with the same number (>= 2) of rows."""
    Xa = as_float_matrix(func, "X", X, min_rows=2)
    Ya = as_float_matrix(func, "Y", Y, min_rows=2)
    check_same_rows(func, ("X", "Y"), (Xa.shape, Ya.shape))
    return Xa, Ya


def _centre(A: Matrix) -> Matrix:
    """Subtract column means; columns that are exactly constant become exactly zero."""
    return _centre_mask(A)[0]


def _centre_mask(A: Matrix) -> tuple[Matrix, NDArray[np.bool_]]:
    """:func:`_centre` and the mask of the constant (now exactly zero) columns.

    A column is constant when every entry equals the first (the same test as
    ``ptp == 0`` for finite input, in one pass instead of two). A
    non-constant column is nonzero once centred (``x - m == 0`` only if
    ``x == m``), so the mask also tells which centred columns are zero.
    """
    Ac = A - A.mean(axis=0)
    constant = (A == A[0]).all(axis=0)
    if constant.any():
        Ac[:, constant] = 0.0
    return Ac, constant


def _require_nonconstant(func: str, name: str, Ac: Matrix, constant: NDArray[np.bool_] | None = None) -> None:
    """Raise DegenerateInputError when the centred matrix is zero (every column constant).

    ``constant`` (from :func:`_centre_mask`) decides it without another pass over ``Ac``.
    """
    if not (np.any(Ac) if constant is None else not constant.all()):
        fail(
            func,
            f"{name} must have at least one non-constant column (a constant {name} is the zero "
            f"matrix once centred, and the score would be 0/0)",
            f"every column of {name} constant ({name}.shape={Ac.shape})",
            "Drop constant representations before comparing them.",
            error=DegenerateInputError,
        )


def _column_space_basis(Ac: Matrix) -> Matrix:
    """Orthonormal basis (n, r) of the column space of a centred matrix; r is its numerical rank.

    CCA does not see a rescaling of any single column, so the columns are
    first scaled to unit norm: the rank decision then does not depend on the
    units of the features. The basis is the left singular vectors whose
    singular value exceeds ``max(n, p) * eps * s_max`` (the relative
    tolerance of :func:`numpy.linalg.matrix_rank`); a thin QR would return
    garbage directions for a rank-deficient matrix, the SVD does not.
    Each column is divided by its largest entry before its norm is taken, so
    that no square overflows or underflows whatever the units.
    """
    B = _max_scaled(Ac, axis=0)
    norms = np.linalg.norm(B, axis=0)
    Z = B / np.where(norms > 0, norms, 1.0)
    U, s, _ = np.linalg.svd(Z, full_matrices=False)
    tol = max(Z.shape) * np.finfo(np.float64).eps * s[0]
    return U[:, s > tol]


_CONTROLLER: list[Any] = []  # the threadpoolctl controller, built on first use (None without threadpoolctl)


def _one_thread() -> contextlib.AbstractContextManager[Any]:
    """Context in which BLAS and LAPACK run on one thread: for the small (p x p) factorisations.

    A p x p Cholesky or SVD with p in the hundreds gains nothing from a
    second thread, but each of its many synchronisation points waits for
    both threads: on a machine whose cores are shared with other processes
    a 2-thread 256 x 256 Cholesky was measured at 100 to 1000 times its
    serial time. Uses threadpoolctl when it is installed (scikit-learn
    depends on it), and does nothing otherwise. The limit is process-wide
    while it lasts, which only affects speed.
    """
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - optional
            _CONTROLLER.append(None)
        else:
            _CONTROLLER.append(ThreadpoolController())
    controller = _CONTROLLER[0]
    return contextlib.nullcontext() if controller is None else controller.limit(limits=1, user_api="blas")


def _svdvals(A: Matrix) -> Matrix:
    """Singular values of a small matrix, descending (one BLAS thread)."""
    with _one_thread():
        s = np.linalg.svd(A, compute_uv=False)
    return s.astype(np.float64, copy=False)


def _svd(A: Matrix) -> tuple[Matrix, Matrix, Matrix]:
    """Thin SVD ``U, s, Vt`` of a small matrix (one BLAS thread)."""
    with _one_thread():
        U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return U, s, Vt


#: Range of squared column norms (Gram diagonals) for which products of the unscaled data neither
#: overflow nor lose accuracy to underflow: sqrt(tiny) to sqrt(max) of float64 (about 1e-154, 1e154).
_GRAM_LOW = float(np.sqrt(np.finfo(np.float64).tiny))
_GRAM_HIGH = float(np.sqrt(np.finfo(np.float64).max))
#: Cholesky QR2 is trusted when the first pass's basis Q1 satisfies ||Q1^T Q1 - I||_F <= this.
CHOLQR2_MAX_DEPARTURE = 0.5


class _Frame(NamedTuple):
    """A centred matrix ``A`` (n, p) held as ``A[:, cols] = Q @ Rz * d`` with ``Q`` (n, k) orthonormal.

    ``Q`` itself is never formed: every measure needs only ``Rz`` and the
    cross products ``Qx^T Qy`` (see :func:`_frames`). ``Rz`` (k, k) is the
    upper triangular R factor of the column-scaled ``A[:, cols] / d``.
    """

    cols: NDArray[np.intp]  #: the k non-constant columns (the others are zero once centred)
    d: Matrix  #: their Euclidean norms, shape (k,)
    Rz: Matrix  #: (k, k) upper triangular: ``A[:, cols] / d = Q Rz``

    @property
    def R(self) -> Matrix:
        """``Q^T A[:, cols]``: the R factor of the unscaled non-constant columns."""
        return self.Rz * self.d


def _cholesky(A: Matrix) -> Matrix | None:
    """Upper Cholesky factor of a symmetric matrix, or None when it is not (numerically) positive definite."""
    try:
        with _one_thread():
            return scipy.linalg.cholesky(A, lower=False, check_finite=False)
    except np.linalg.LinAlgError:
        return None


def _gram(At: Matrix) -> Matrix:
    """``At At^T`` (k, k) for a Fortran-ordered (k, n) ``At``, i.e. ``A^T A`` of the C-ordered ``A = At^T``.

    BLAS ``dsyrk`` (half the flops of a general product), both triangles filled.
    """
    G = scipy.linalg.blas.dsyrk(1.0, At)  # the upper triangle
    return G + np.triu(G, 1).T


def _cholesky_qr_pass(A: Matrix, constant: NDArray[np.bool_]) -> tuple[NDArray[np.intp], Matrix, Matrix, Matrix] | None:
    """First Cholesky QR pass on the non-constant columns of a centred matrix (overwrites ``A``).

    Returns ``(cols, d, R1, Q1t)`` with ``A[:, cols] / d = Q1 R1`` (``Q1``
    only nearly orthonormal) and ``Q1t = Q1^T`` Fortran-ordered (k, n), or
    None when the Gram matrix is out of range or not positive definite. The
    Gram matrix is scaled to unit diagonal before the Cholesky factorisation
    (CCA does not see column scales), and ``Q1`` is a triangular solve,
    which is backward stable row by row (``Q1 (R1 D + E_i) = A`` with
    ``|E_i| <= k eps |R1 D|`` for row i).
    """
    n, p = A.shape
    cols = np.flatnonzero(~constant)
    if cols.size > n - 1:  # centred data have rank <= n - 1: the Gram matrix is singular
        return None
    B = A if cols.size == p else A[:, cols]  # a copy only when there are constant columns
    Bt = B.T  # Fortran-ordered (k, n): BLAS reads and overwrites it without a copy
    G = _gram(Bt)
    g = np.diag(G)
    if not (np.all(g >= _GRAM_LOW) and np.all(g <= _GRAM_HIGH)):  # also False on NaN
        return None
    d = np.sqrt(g)
    R1 = _cholesky(G / np.outer(d, d))
    if R1 is None:
        return None
    # Q1^T = (R1 diag(d))^{-T} B^T, in place
    Q1t = scipy.linalg.blas.dtrsm(1.0, R1 * d, Bt, side=0, lower=0, trans_a=1, overwrite_b=1)
    return cols, d, R1, Q1t


def _frames(Xc: Matrix, Yc: Matrix, cx: NDArray[np.bool_], cy: NDArray[np.bool_]) -> tuple[_Frame, _Frame, Matrix] | None:
    """Implicit orthonormal bases of both centred column spaces and their cross product, by Cholesky QR2.

    Returns ``(fx, fy, C)`` with ``C = Qx^T Qy`` (kx, ky), or None when the
    factorisation cannot be trusted: a Gram matrix out of range or not
    positive definite (rank deficient or very ill-conditioned input, more
    columns than n - 1), or a first-pass basis ``Q1`` with
    ``||Q1^T Q1 - I||_F > 1/2``. ``Xc`` and ``Yc`` are overwritten either way.

    Accuracy. Cholesky QR2 (Yamamoto et al. 2015; Fukaya et al. 2020)
    factors ``Z = Q1 R1`` from ``chol(Z^T Z)``, then ``Q1 = Q R2`` from
    ``chol(Q1^T Q1)``: the first pass alone loses orthogonality as
    ``eps cond(Z)^2``, but once ``Q1`` is well conditioned (the check
    above: its singular values lie in [0.70, 1.23]) the second pass
    restores it to ``O(eps)``, and the first pass's triangular solve is
    backward stable, so ``Z = Q R`` holds to ``O(eps ||Z||)``: the accuracy
    of a Householder QR (what an SVD of a tall matrix does first). A single
    Cholesky QR would not have it. The big products and the solve all use
    scipy's BLAS: alternating two BLAS libraries (numpy and scipy each ship
    one) makes each wait for the other's idle threads.

    Cost: ``3 n k^2`` flops per input (two Gram matrices, ``dsyrk``, and
    one triangular solve; ``Q = Q1 R2^{-1}`` stays implicit) plus
    ``2 n kx ky`` for ``Q1x^T Q1y``, all level-3 BLAS; O(k^3) on the side.
    """
    first = []
    for A, constant in ((Xc, cx), (Yc, cy)):
        out = _cholesky_qr_pass(A, constant)
        if out is None:
            return None
        first.append(out)
    (colx, dx, R1x, Q1xt), (coly, dy, R1y, Q1yt) = first
    R2 = []
    for Q1t in (Q1xt, Q1yt):
        G2 = _gram(Q1t)
        departure = float(np.sqrt(np.sum((G2 - np.eye(G2.shape[0])) ** 2)))
        if not departure <= CHOLQR2_MAX_DEPARTURE:  # also False on NaN
            return None
        R = _cholesky(G2)
        if R is None:
            return None
        R2.append(R)
    R2x, R2y = R2
    C1 = scipy.linalg.blas.dgemm(1.0, Q1xt, Q1yt, trans_b=1)  # Q1x^T Q1y
    with _one_thread():  # C = Qx^T Qy = R2x^{-T} (Q1x^T Q1y) R2y^{-1}
        T = scipy.linalg.solve_triangular(R2x, C1, trans="T", lower=False, check_finite=False)
        C = scipy.linalg.solve_triangular(R2y, T.T, trans="T", lower=False, check_finite=False).T
        fx = _Frame(colx, dx, R2x @ R1x)  # the product of two upper triangular matrices is upper triangular
        fy = _Frame(coly, dy, R2y @ R1y)
    return fx, fy, C


def _full_rank(R: Matrix, n: int, p: int) -> bool:
    """Whether every singular value of the triangular ``R`` provably exceeds ``max(n, p) * eps * s_max``.

    The rank tolerance of :func:`_column_space_basis` for an (n, p) matrix
    with R factor ``R``, decided without an SVD: ``s_max <= ||R||_F`` and
    ``s_min >= 1 / ||R^{-1}||_F``, with a factor 2 to spare for rounding.
    False means "not proven", not "rank deficient".
    """
    with _one_thread():
        Rinv, info = scipy.linalg.lapack.dtrtri(R, lower=0)
    if info != 0:
        return False
    with np.errstate(over="ignore", invalid="ignore"):
        bound = 2.0 * max(n, p) * np.finfo(np.float64).eps * np.linalg.norm(R) * np.linalg.norm(Rinv)
    return bool(bound < 1.0)


def _cca_coordinates(f: _Frame, n: int, p: int) -> Matrix | None:
    """Coordinates in ``Q`` of the CCA basis of :func:`_column_space_basis`; None for all of ``Q``.

    The basis is spanned by the left singular vectors of the column-scaled
    matrix whose singular values exceed the rank tolerance; those are
    ``Q U`` for the SVD ``Rz = U S V^T``. When ``Rz`` is provably of full
    rank that is all of ``Q`` and no SVD is needed.
    """
    if _full_rank(f.Rz, n, p):
        return None
    U, s, _ = _svd(f.Rz)
    return U[:, s > max(n, p) * np.finfo(np.float64).eps * s[0]]


def _rank(f: _Frame, coords: Matrix | None) -> int:
    return f.cols.size if coords is None else coords.shape[1]


def _between(C: Matrix, Bx: Matrix | None, By: Matrix | None) -> Matrix:
    """``Bx^T C By``, a None basis standing for the identity."""
    M = C if Bx is None else Bx.T @ C
    return M if By is None else M @ By


def _max_scaled(A: Matrix, axis: int | None = None) -> Matrix:
    """``A`` divided by its largest absolute entry (per column with ``axis=0``; zero columns kept).

    Norms of the result lie in [1, sqrt(size)]: no square overflows or
    underflows, whatever the units of ``A``.
    """
    m = np.max(np.abs(A), axis=axis, keepdims=axis is not None)
    return A / np.where(m > 0, m, 1.0)


def _robust_norm(A: Matrix) -> float:
    """Frobenius norm without overflow or underflow in the squares (one more pass than ``np.linalg.norm``)."""
    m = float(np.max(np.abs(A)))
    return 0.0 if m == 0.0 else m * float(np.linalg.norm(A / m))


def _unit_frobenius(Ac: Matrix) -> Matrix:
    """Scale a nonzero matrix to unit Frobenius norm (first by its largest entry: no overflow or underflow)."""
    B = _max_scaled(Ac)
    return B / np.linalg.norm(B)


def _cka_features(Xc: Matrix, Yc: Matrix) -> float:
    """Linear CKA from the p x q, p x p and q x q feature products (no n x n matrix)."""
    num = np.linalg.norm(Yc.T @ Xc) ** 2
    den = np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc)
    return float(num / den)


def _cka_features_unscaled(Xc: Matrix, Yc: Matrix) -> float | None:
    """:func:`_cka_features` of the unit-Frobenius inputs, scaling the small products instead of the data.

    ``||Xc||_F^2 = tr(Xc^T Xc)``, so the three products of the unscaled
    inputs carry the norms: no pass over the data to normalise them. None
    when a squared norm lies outside [sqrt(tiny), sqrt(max)], where the
    products could overflow or underflow (then scale the data first).
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # out of range is handled below
        Gx, Gy = Xc.T @ Xc, Yc.T @ Yc
    tx, ty = float(np.trace(Gx)), float(np.trace(Gy))
    if not (_GRAM_LOW <= tx <= _GRAM_HIGH and _GRAM_LOW <= ty <= _GRAM_HIGH):
        return None
    num = np.linalg.norm((Yc.T @ Xc) / np.sqrt(tx * ty)) ** 2
    den = np.linalg.norm(Gx / tx) * np.linalg.norm(Gy / ty)
    return float(num / den)


def _cka_gram(Xc: Matrix, Yc: Matrix) -> float:
    """Linear CKA from the n x n Gram matrices ``Kx = Xc Xc^T`` (already centred) and ``Ky``."""
    Kx, Ky = Xc @ Xc.T, Yc @ Yc.T
    return float(np.sum(Kx * Ky) / (np.linalg.norm(Kx) * np.linalg.norm(Ky)))


def _row_space_coordinates(A: Matrix) -> Matrix:
    """A wide matrix (p > n) in n coordinates: ``A = U S V^T -> A V = U S``.

    ``V`` has orthonormal columns, so this is an orthogonal change of feature
    basis, which the Procrustes measures do not see; it keeps the p x q
    product below n x n when both p and q exceed n.
    """
    n, p = A.shape
    if p <= n:
        return A
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    return U * s


def _procrustes_nuclear(func: str, X: object, Y: object) -> float:
    """``||Xn^T Yn||_*`` for centred, unit-Frobenius Xn and Yn, clipped to [0, 1]."""
    Xa, Ya = _validate_pair(func, X, Y)
    return _procrustes_nuclear_of(func, Xa, Ya)[0]


def _procrustes_nuclear_of(func: str, Xa: Matrix, Ya: Matrix) -> tuple[float, float, float]:
    """Validated inputs -> (``||Xn^T Yn||_*`` clipped to [0, 1], ``||Xc||_F``, ``||Yc||_F``).

    When ``p, q <= n`` and both norms lie in [sqrt(sqrt(tiny)), sqrt(sqrt(max))]
    (about 1e-77 to 1e77, so that no product overflows or underflows) the
    p x q product of the unscaled centred inputs is divided by the two norms
    afterwards: one pass over the data less than normalising them first.
    """
    Xc, cx = _centre_mask(Xa)
    Yc, cy = _centre_mask(Ya)
    _require_nonconstant(func, "X", Xc, cx)
    _require_nonconstant(func, "Y", Yc, cy)
    with np.errstate(over="ignore", under="ignore"):  # out of range is handled below
        nx, ny = float(np.linalg.norm(Xc)), float(np.linalg.norm(Yc))
    n, p, q = Xa.shape[0], Xa.shape[1], Ya.shape[1]
    low, high = np.sqrt(_GRAM_LOW), np.sqrt(_GRAM_HIGH)
    if p <= n and q <= n and low <= nx <= high and low <= ny <= high:
        M = (Xc.T @ Yc) / (nx * ny)
    else:
        nx, ny = _robust_norm(Xc), _robust_norm(Yc)
        M = _row_space_coordinates(_unit_frobenius(Xc)).T @ _row_space_coordinates(_unit_frobenius(Yc))
    nuclear = float(_svdvals(M).sum())
    # Exact value lies in [0, 1] (Cauchy-Schwarz for the nuclear/Frobenius pair):
    # clip the few-ulp overshoot so that 2 - 2 * nuclear is never negative.
    return min(max(nuclear, 0.0), 1.0), nx, ny


# --------------------------------------------------------------------------- measures


def cca_mean_corr(X: object, Y: object, /) -> float:
    r"""Mean canonical correlation :math:`\bar\rho` between two representations (a score).

    .. math::

        \bar\rho(X, Y) = \frac{1}{m} \sum_{i=1}^{m} \rho_i,
        \qquad \rho_i = \sigma_i(Q_X^\top Q_Y),
        \qquad m = \min(\operatorname{rank} X_c, \operatorname{rank} Y_c),

    where :math:`X_c, Y_c` are the column-centred inputs, :math:`Q_X, Q_Y`
    orthonormal bases of their column spaces and :math:`\rho_i \in [0, 1]` the
    canonical correlations, i.e. the cosines of the principal angles between
    the two column spaces (Bjorck and Golub 1973). This is exact (no
    iterative solver): centre, orthonormal bases from a QR factorisation
    (Cholesky QR2, never formed: only :math:`Q_X^\top Q_Y` is), singular
    values of :math:`Q_X^\top Q_Y`; an SVD of each input when the
    factorisation cannot be trusted.

    Cost: 3 n p^2 + 3 n q^2 + 2 n p q flops (level-3 BLAS) plus
    O(p^3 + q^3 + p q min(p, q)) and O(n (p + q)) memory; no n x n matrix.
    Rank deficient or very ill-conditioned inputs (and ``p`` or ``q >= n``)
    take the SVD route instead, O(n p min(n, p) + n q min(n, q)) flops.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation: one row per stimulus, one column per feature.
        Integer and boolean arrays are converted to float64.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli (``q`` may differ from ``p``).

    Returns
    -------
    float
        :math:`\bar\rho \in [0, 1]`; a similarity score (1 = identical column
        spaces after centring, 0 = orthogonal ones). Each :math:`\rho_i` is
        clipped to [0, 1] because rounding can put the top singular value of
        :math:`Q_X^\top Q_Y` a few ulps above 1.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or of ``Y``) is constant: there is no
        canonical correlation to average.

    Warns
    -----
    SaturationWarning
        When ``rank(Xc) + rank(Yc) > n - 1``. Centred data live in an
        (n - 1)-dimensional space, so two column spaces whose dimensions add
        up to more than n - 1 must share ``rank(Xc) + rank(Yc) - (n - 1)``
        directions: that many canonical correlations equal 1 whatever the
        data. In particular every correlation is 1 once ``p >= n - 1`` for
        full-rank ``X``, which covers every generic ``p >= n``.

    Notes
    -----
    Rank-deficiency convention: the mean runs over
    ``m = min(rank Xc, rank Yc)`` correlations, not over ``min(p, q)``. The
    two agree for full-rank inputs (the usual case, and the mCCA of Nielsen et
    al. 2025 with ``p = q = M``). With ``min(p, q)`` the missing correlations
    would have to count as 0, so a representation with a duplicated feature
    or a dead (constant) unit would score below 1 against itself; with the
    rank, :math:`\bar\rho` depends only on the two column spaces, and
    ``cca_mean_corr(X, X) == 1`` for every non-constant ``X``. Ranks are
    numerical: after scaling each centred column to unit norm, singular
    values at or below ``max(n, p) * eps * s_max`` count as zero.

    Invariances (of the score, for a map applied to ``X`` alone; the same
    holds for ``Y`` by symmetry, and the measure is symmetric):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  True
    feature permutation (``X P``)             True
    ========================================  =====

    It is invariant to invertible linear maps because ``X A`` has the same
    column space as ``X``; the price is saturation once ``p >= n - 1``.

    References
    ----------
    .. [1] H. Hotelling, "Relations between two sets of variates",
       Biometrika 28 (1936).
    .. [2] A. Bjorck and G. H. Golub, "Numerical methods for computing angles
       between linear subspaces", Math. Comp. 27 (1973).
    .. [3] M. Raghu, J. Gilmer, J. Yosinski, J. Sohl-Dickstein, "SVCCA",
       NeurIPS 2017.
    .. [4] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019, Table 1.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(cca_mean_corr(X, X @ np.array([[2.0, 1.0], [0.0, 3.0]])), 12)  # invertible map: same span
    1.0
    >>> round(cca_mean_corr(X, X[:, :1] ** 2), 6)
    0.938493
    """
    func = "cca_mean_corr"
    Xa, Ya = _validate_pair(func, X, Y)
    return float(_canonical_correlations(func, Xa, Ya).mean())


def _canonical_correlations(func: str, Xa: Matrix, Ya: Matrix) -> Matrix:
    """Validated inputs -> the min(rank X, rank Y) canonical correlations, clipped to [0, 1]; warns on saturation."""
    Xc, cx = _centre_mask(Xa)
    Yc, cy = _centre_mask(Ya)
    _require_nonconstant(func, "X", Xc, cx)
    _require_nonconstant(func, "Y", Yc, cy)
    (n, p), q = Xa.shape, Ya.shape[1]
    frames = _frames(Xc, Yc, cx, cy)
    if frames is not None:  # the fast path: Cholesky QR2, bases never formed
        fx, fy, C = frames
        Bx, By = _cca_coordinates(fx, n, p), _cca_coordinates(fy, n, q)
        rx, ry = _rank(fx, Bx), _rank(fy, By)
        with _one_thread():
            M = _between(C, Bx, By)
    else:  # rank deficient or ill-conditioned: explicit SVD bases (Xc, Yc were overwritten)
        Xc, Yc = _centre(Xa), _centre(Ya)
        Qx, Qy = _column_space_basis(Xc), _column_space_basis(Yc)
        rx, ry = Qx.shape[1], Qy.shape[1]
        M = Qx.T @ Qy
    _warn_saturated_rank(func, rx, ry, n, Xa.shape, Ya.shape)
    rho = _svdvals(M)  # min(rx, ry) values
    return np.clip(rho, 0.0, 1.0)


def _warn_saturated_rank(func: str, rx: int, ry: int, n: int, xshape: tuple[int, ...], yshape: tuple[int, ...]) -> None:
    m = min(rx, ry)
    forced = rx + ry - (n - 1)
    if forced > 0:
        warn(
            func,
            "the centred X and Y must satisfy rank(X) + rank(Y) <= n - 1 for every canonical "
            "correlation to depend on the data (it fails whenever p >= n or q >= n)",
            f"rank(X)={rx}, rank(Y)={ry}, n={n} (X.shape={xshape}, Y.shape={yshape}): "
            f"{forced} of the {m} canonical correlations saturate at 1 by construction, "
            f"so the score is at least {forced / m:.3g}",
            "Reduce the features first (e.g. PCA, as SVCCA does) or use more samples.",
            category=SaturationWarning,
            stacklevel=5,
        )


def cka_linear(X: object, Y: object, /) -> float:
    r"""Linear centred kernel alignment (CKA, biased HSIC) between two representations (a score).

    .. math::

        \mathrm{CKA}(X, Y)
        = \frac{\lVert Y_c^\top X_c \rVert_F^2}
               {\lVert X_c^\top X_c \rVert_F \, \lVert Y_c^\top Y_c \rVert_F}
        = \frac{\langle K_X, K_Y \rangle_F}{\lVert K_X \rVert_F \, \lVert K_Y \rVert_F},
        \qquad K_X = X_c X_c^\top,

    with :math:`X_c, Y_c` the column-centred inputs (so :math:`K_X` is the
    centred linear kernel). Computed from the p x q, p x p and q x q feature
    products when ``p < n`` and ``q < n`` (memory O(p^2 + q^2 + pq), no n x n
    matrix), and from the n x n Gram matrices otherwise (once ``max(p, q) >=
    n`` the Gram route never costs more flops). Both routes give the same
    value. The products are divided by the squared Frobenius norms of the
    centred inputs (their traces; CKA does not see the scale) before any
    fourth power is formed; when a norm is so large or small that the
    products themselves could overflow or underflow, the centred inputs are
    scaled to unit norm first.

    Cost: 2 n p q + n p^2 + n q^2 flops for the three feature products plus
    O(p^2 + q^2 + p q), and O(n (p + q)) for validation and centring, when
    ``p, q < n``; O(n^2 (p + q)) flops and O(n^2) memory on the Gram route.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        CKA in [0, 1], a similarity score (1 = the same centred Gram matrix up
        to scale). Clipped to [0, 1] because rounding can put the ratio a few
        ulps above 1 (it is a cosine between two Gram matrices).

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant, the zero matrix
        included: CKA would be 0/0.

    Notes
    -----
    CKA also equals the cosine between the double-centred squared-Euclidean
    RDMs of ``X`` and ``Y`` (``H D H = -2 K``), the "cosine_cov" comparison of
    rsatoolbox. It is not a metric; ``arccos(CKA)`` is.

    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    A non-orthogonal invertible map changes :math:`K_X = X_c A A^\top X_c^\top`
    beyond a scale factor, hence the score (e.g. stretching one feature of
    ``X`` tenfold lowers ``cka_linear(X A, X)`` below 1).

    References
    ----------
    .. [1] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019.
    .. [2] A. Gretton, O. Bousquet, A. Smola, B. Scholkopf, "Measuring
       statistical dependence with Hilbert-Schmidt norms", ALT 2005.
    .. [3] C. Cortes, M. Mohri, A. Rostamizadeh, "Algorithms for learning
       kernels based on centered alignment", JMLR 13 (2012).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(cka_linear(X, 3.0 * X + 1.0), 12)
    1.0
    >>> round(cka_linear(X, X @ np.diag([10.0, 1.0])), 6)  # not invariant to invertible maps
    0.48818
    """
    func = "cka_linear"
    Xa, Ya = _validate_pair(func, X, Y)
    Xc, cx = _centre_mask(Xa)
    Yc, cy = _centre_mask(Ya)
    _require_nonconstant(func, "X", Xc, cx)
    _require_nonconstant(func, "Y", Yc, cy)
    n, p, q = Xa.shape[0], Xa.shape[1], Ya.shape[1]
    value = _cka_features_unscaled(Xc, Yc) if (p < n and q < n) else None
    if value is None:
        Xc, Yc = _unit_frobenius(Xc), _unit_frobenius(Yc)
        value = _cka_features(Xc, Yc) if (p < n and q < n) else _cka_gram(Xc, Yc)
    return min(max(value, 0.0), 1.0)


def procrustes_similarity(X: object, Y: object, /) -> float:
    r"""Procrustes similarity: the nuclear norm of :math:`X_n^\top Y_n` (a score).

    .. math::

        s(X, Y) = \lVert X_n^\top Y_n \rVert_*
        = \max_{Q^\top Q = I} \langle X_n Q, Y_n \rangle_F,
        \qquad X_n = X_c / \lVert X_c \rVert_F,

    with :math:`X_c, Y_c` the column-centred inputs and :math:`\lVert\cdot\rVert_*`
    the sum of singular values. When ``p != q`` the smaller matrix is
    conceptually padded with zero columns; the nuclear norm of the p x q
    product already accounts for it. It equals the normalised Bures
    similarity of the centred linear kernels
    :math:`\operatorname{tr}(K_X^{1/2} K_Y K_X^{1/2})^{1/2} / \sqrt{\operatorname{tr}K_X \operatorname{tr}K_Y}`,
    and ``arccos(s)`` is the angular Procrustes (shape) metric. Related to
    :func:`procrustes_distance` by ``d = sqrt(2 - 2 s)``.

    Cost: 2 n p q flops for ``Xc^T Yc`` (divided by the two norms afterwards),
    O(p q min(p, q)) for its singular values and O(n (p + q)) for
    validation and centring; an input wider than ``n`` is first reduced to
    its n row-space coordinates, O(n^2 p).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        ``s`` in [0, 1], a similarity score (1 = ``Y`` is an orthogonal
        transform of ``X`` up to translation and scale). Clipped to [0, 1]
        because rounding can put it a few ulps above 1.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant, the zero matrix
        included: the normalisation would divide by zero.

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

    (``c < 0`` is covered because ``-I`` is orthogonal.)

    References
    ----------
    .. [1] P. H. Schonemann, "A generalized solution of the orthogonal
       Procrustes problem", Psychometrika 31 (1966).
    .. [2] F. Ding, J.-S. Denain, J. Steinhardt, "Grounding representation
       similarity through statistical testing", NeurIPS 2021.
    .. [3] A. H. Williams, E. Kunz, S. Kornblith, S. W. Linderman,
       "Generalized shape metrics on neural representations", NeurIPS 2021.
    .. [4] S. Tang et al., "Similarity of neural networks with gradients"
       (arXiv 2003.11498, 2020), for the normalised Bures similarity.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(procrustes_similarity(X, -2.0 * X[:, ::-1]), 12)  # flip, swap, rescale
    1.0
    >>> round(procrustes_similarity(X, X @ np.diag([10.0, 1.0])), 6)
    0.702078
    """
    return _procrustes_nuclear("procrustes_similarity", X, Y)


def procrustes_distance(X: object, Y: object, /, *, squared: bool = False) -> float:
    r"""Orthogonal Procrustes distance with the normalisation of Ding et al. (2021) (a distance).

    .. math::

        d(X, Y) = \min_{Q^\top Q = I} \lVert X_n Q - Y_n \rVert_F
        = \sqrt{2 - 2 \lVert X_n^\top Y_n \rVert_*},
        \qquad X_n = X_c / \lVert X_c \rVert_F,

    with :math:`X_c, Y_c` the column-centred inputs (the smaller one padded
    with zero columns when ``p != q``; the nuclear norm accounts for it).
    Ding et al. report the squared value ``2 - 2 ||Xn^T Yn||_*``; its square
    root, returned here, is the Euclidean Procrustes shape metric of Williams
    et al. (2021) and satisfies the triangle inequality. ``squared=True``
    returns Ding et al.'s value instead (in [0, 2]; not a metric).

    Cost: that of :func:`procrustes_similarity`: 2 n p q flops plus a p x q
    SVD (singular values only) and O(n (p + q)) for centring.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.
    squared : bool, default False
        Return ``d^2 = 2 - 2 ||Xn^T Yn||_*`` (Ding et al.'s convention).

    Returns
    -------
    float
        ``d`` in [0, sqrt(2)], a distance (0 = ``Y`` is an orthogonal
        transform of ``X`` up to translation and scale). ``d^2`` is clipped at
        0 before the square root because rounding can make ``2 - 2 s``
        slightly negative when the two are nearly identical; near 0 the
        result is accurate to about ``sqrt(eps) ~ 1e-8`` in absolute terms.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant, the zero matrix
        included: the normalisation would divide by zero.

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
    .. [1] P. H. Schonemann, "A generalized solution of the orthogonal
       Procrustes problem", Psychometrika 31 (1966).
    .. [2] F. Ding, J.-S. Denain, J. Steinhardt, "Grounding representation
       similarity through statistical testing", NeurIPS 2021.
    .. [3] A. H. Williams, E. Kunz, S. Kornblith, S. W. Linderman,
       "Generalized shape metrics on neural representations", NeurIPS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(procrustes_distance(X, 5.0 * X + 2.0), 6)
    0.0
    >>> round(procrustes_distance(X, X @ np.diag([10.0, 1.0])), 6)
    0.771909
    """
    similarity = _procrustes_nuclear("procrustes_distance", X, Y)
    d2 = max(2.0 - 2.0 * similarity, 0.0)
    return float(d2 if squared else np.sqrt(d2))


def aligned_cosine_similarity(X: object, Y: object, /) -> float:
    r"""Aligned cosine similarity: mean row cosine after the best orthogonal alignment (a score).

    .. math::

        s(X, Y) = \frac{1}{n} \sum_i \cos\big( (X Q)_i, Y_i \big),
        \qquad Q = \arg\min_{Q^\top Q = I} \lVert X Q - Y \rVert_F = U V^\top,

    with ``X^T Y = U S V^T`` (the narrower input padded with zero columns when
    ``p != q``). The inputs are not centred, as in Hamilton et al. (2016) and
    ReSi: each row is compared as a vector from the origin.

    Cost: O(n w^2 + w^3) flops, w = max(p, q): the narrower input is
    zero-padded to w columns, then two n x w x w products and a full w x w
    SVD (O(n p q + p q min(p, q)) when p = q); O(n w + w^2) memory, no n x n
    matrix.

    Parameters
    ----------
    X : array_like, shape (n, p)
    Y : array_like, shape (n, q)

    Returns
    -------
    float
        ``s`` in [-1, 1], a similarity score (1 when ``Y`` is an orthogonal
        transform of a positive rescaling of ``X``, row by row).

    Raises
    ------
    ValueError, TypeError
        As for :func:`cca_mean_corr`.
    DegenerateInputError
        If a row of ``X`` or ``Y`` is zero (its cosine is undefined).

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               False
    isotropic scaling (``c X``, ``c > 0``)    True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    Isotropic scaling: ``Q`` is the polar factor of ``c X^T Y``, the same for
    every ``c > 0``, and a cosine ignores the length of its arguments. One
    library flags this measure as not scale invariant; the flag is wrong.

    References
    ----------
    .. [1] W. L. Hamilton, J. Leskovec, D. Jurafsky, "Diachronic word
       embeddings reveal statistical laws of semantic change", ACL 2016.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]])
    >>> rot = np.array([[0.0, -1.0], [1.0, 0.0]])
    >>> round(aligned_cosine_similarity(X, 3.0 * X @ rot), 12)
    1.0
    """
    func = "aligned_cosine_similarity"
    Xa, Ya = _validate_pair(func, X, Y)
    width = max(Xa.shape[1], Ya.shape[1])
    Xp = np.pad(Xa, ((0, 0), (0, width - Xa.shape[1])))
    Yp = np.pad(Ya, ((0, 0), (0, width - Ya.shape[1])))
    for name, A in (("X", Xp), ("Y", Yp)):
        zero = np.flatnonzero(np.linalg.norm(A, axis=1) == 0)
        if zero.size:
            fail(func, f"every row of {name} must be non-zero (a cosine needs a direction)",
                 f"zero rows {zero[:5].tolist()}", error=DegenerateInputError)
    U, _, Vt = np.linalg.svd(Xp.T @ Yp)
    Xq = Xp @ (U @ Vt)
    cos = (Xq * Yp).sum(axis=1) / (np.linalg.norm(Xq, axis=1) * np.linalg.norm(Yp, axis=1))
    # Clip: rounding can put a cosine a few ulps outside [-1, 1].
    return float(np.clip(cos.mean(), -1.0, 1.0))
