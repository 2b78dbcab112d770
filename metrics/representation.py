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
"""

from __future__ import annotations

import numpy as np
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
    Ac = A - A.mean(axis=0)
    Ac[:, np.ptp(A, axis=0) == 0] = 0.0
    return Ac


def _require_nonconstant(func: str, name: str, Ac: Matrix) -> None:
    """Raise DegenerateInputError when the centred matrix is zero (every column constant)."""
    if not np.any(Ac):
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
    """
    norms = np.linalg.norm(Ac, axis=0)
    Z = Ac / np.where(norms > 0, norms, 1.0)
    U, s, _ = np.linalg.svd(Z, full_matrices=False)
    tol = max(Z.shape) * np.finfo(np.float64).eps * s[0]
    return U[:, s > tol]


def _unit_frobenius(Ac: Matrix) -> Matrix:
    """Scale a nonzero matrix to unit Frobenius norm."""
    return Ac / np.linalg.norm(Ac)


def _cka_features(Xc: Matrix, Yc: Matrix) -> float:
    """Linear CKA from the p x q, p x p and q x q feature products (no n x n matrix)."""
    num = np.linalg.norm(Yc.T @ Xc) ** 2
    den = np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc)
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
    Xc, Yc = _centre(Xa), _centre(Ya)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Xn = _row_space_coordinates(_unit_frobenius(Xc))
    Yn = _row_space_coordinates(_unit_frobenius(Yc))
    nuclear = float(np.linalg.svd(Xn.T @ Yn, compute_uv=False).sum())
    # Exact value lies in [0, 1] (Cauchy-Schwarz for the nuclear/Frobenius pair):
    # clip the few-ulp overshoot so that 2 - 2 * nuclear is never negative.
    return min(max(nuclear, 0.0), 1.0)


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
    iterative solver): centre, orthonormal basis from an SVD, singular values
    of :math:`Q_X^\top Q_Y`.

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
    Xc, Yc = _centre(Xa), _centre(Ya)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Qx, Qy = _column_space_basis(Xc), _column_space_basis(Yc)
    n, rx, ry = Xa.shape[0], Qx.shape[1], Qy.shape[1]
    m = min(rx, ry)
    forced = rx + ry - (n - 1)
    if forced > 0:
        warn(
            func,
            "the centred X and Y must satisfy rank(X) + rank(Y) <= n - 1 for every canonical "
            "correlation to depend on the data (it fails whenever p >= n or q >= n)",
            f"rank(X)={rx}, rank(Y)={ry}, n={n} (X.shape={Xa.shape}, Y.shape={Ya.shape}): "
            f"{forced} of the {m} canonical correlations saturate at 1 by construction, "
            f"so the score is at least {forced / m:.3g}",
            "Reduce the features first (e.g. PCA, as SVCCA does) or use more samples.",
            category=SaturationWarning,
        )
    rho = np.linalg.svd(Qx.T @ Qy, compute_uv=False)  # min(rx, ry) values
    rho = np.clip(rho, 0.0, 1.0)
    return float(rho.mean())


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
    value. The centred inputs are first scaled to unit Frobenius norm (CKA
    does not see it), so that large or tiny entries cannot overflow or
    underflow the fourth powers.

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
    Xc, Yc = _centre(Xa), _centre(Ya)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Xc, Yc = _unit_frobenius(Xc), _unit_frobenius(Yc)
    n, p, q = Xa.shape[0], Xa.shape[1], Ya.shape[1]
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

    Parameters
    ----------
    X : array_like, shape (n, p)
    Y : array_like, shape (n, q)

    Returns
    -------
    float
        ``s`` in [-1, 1], a similarity score (1 when ``Y`` is an orthogonal
        transform of a positive rescaling of ``X``, row by row). Cost
        O(n p q + min(p, q)^2 max(p, q)); no n x n matrix.

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
