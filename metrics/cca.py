"""The CCA family, float64 numpy reference: canonical correlations, Yanai's R^2, Pillai, SVCCA, PWCCA.

Every measure compares two representations of the same ``n`` stimuli: ``X``
(n, p) and ``Y`` (n, q), one row per stimulus, ``p`` and ``q`` free to differ.
This module is the oracle that the batched torch implementation in
:mod:`metrics.torch_cca` is checked against, written to be read in float64.

Shared conventions (those of :func:`metrics.representation.cca_mean_corr`)
---------------------------------------------------------------------------
* Exact, not iterative. Centre the columns, take an orthonormal basis of each
  column space from an SVD (after scaling each centred column to unit norm,
  so that the rank decision does not depend on the units of the features),
  and read the canonical correlations as the singular values of
  :math:`Q_X^\\top Q_Y` (Bjorck and Golub 1973). Cost O(n p^2 + n q^2 + n p q),
  memory O(n (p + q)); no n x n matrix is formed.
* Rank deficiency. There are ``m = min(rank Xc, rank Yc)`` canonical
  correlations, not ``min(p, q)``: a duplicated feature or a dead unit does
  not add a correlation of 0, so every score depends on the column spaces
  only and scores 1 against itself.
* Saturation. Centred data live in an (n - 1)-dimensional space, so when
  ``rank Xc + rank Yc > n - 1`` that many canonical correlations equal 1
  whatever the data: every measure here warns with
  :class:`~metrics._validation.SaturationWarning` (SVCCA counts its kept
  components instead of the ranks).
* Degenerate inputs. A matrix whose columns are all constant is the zero
  matrix once centred and has no canonical correlation: every measure raises
  :class:`~metrics._validation.DegenerateInputError`.
* Clipping. Each canonical correlation is clipped to [0, 1]: rounding can put
  the top singular value of :math:`Q_X^\\top Q_Y` a few ulps above 1.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from metrics._validation import SaturationWarning, check_positive_int, check_range, fail, warn
from metrics.representation import _centre, _column_space_basis, _require_nonconstant, _validate_pair

__all__ = [
    "canonical_correlations",
    "cca_mean_sq_corr",
    "cca_pillai_trace",
    "pwcca",
    "pwcca_by_y",
    "svcca",
]

Matrix = NDArray[np.float64]
WeightBy = Literal["X", "Y", "fewer"]

#: Default explained-variance fraction of SVCCA (Raghu et al. 2017).
SVCCA_DEFAULT_THRESHOLD = 0.99


# --------------------------------------------------------------------------- helpers


def _centred_pair(func: str, X: object, Y: object) -> tuple[Matrix, Matrix]:
    """Validated, column-centred inputs; raise DegenerateInputError on an all-constant input."""
    Xa, Ya = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xa), _centre(Ya)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    return Xc, Yc


def _warn_if_saturated(
    func: str,
    kx: int,
    ky: int,
    shapes: tuple[tuple[int, ...], tuple[int, ...]],
    *,
    sizes: str = "rank",
    floor: str = "",
    fix: str = "Reduce the features first (e.g. PCA, as SVCCA does) or use more samples.",
    stacklevel: int = 5,
) -> None:
    """SaturationWarning when ``kx + ky > n - 1`` (``k`` = rank, or SVCCA's kept components).

    ``floor`` is a format string with fields ``forced``, ``m`` and ``ratio``
    (= forced / m) that states what the forced correlations imply for the
    value (e.g. a lower bound). ``stacklevel`` points the warning at the
    user's call (5 through :func:`_cca_bases`, 4 from a measure itself).
    """
    (n, _), _ = shapes
    m, forced = min(kx, ky), kx + ky - (n - 1)
    if forced <= 0:
        return
    if sizes == "rank":
        rule = (
            "the centred X and Y must satisfy rank(X) + rank(Y) <= n - 1 for every canonical "
            "correlation to depend on the data (it fails whenever p >= n or q >= n)"
        )
        got = f"rank(X)={kx}, rank(Y)={ky}, n={n}"
    else:
        rule = (
            f"the numbers of kept principal components must satisfy {sizes}(X) + {sizes}(Y) <= n - 1 "
            "for every canonical correlation to depend on the data"
        )
        got = f"{sizes}(X)={kx}, {sizes}(Y)={ky}, n={n}"
    warn(
        func,
        rule,
        f"{got} (X.shape={shapes[0]}, Y.shape={shapes[1]}): {forced} of the {m} canonical correlations "
        f"saturate at 1 by construction{floor.format(forced=forced, m=m, ratio=forced / m)}",
        fix,
        category=SaturationWarning,
        stacklevel=stacklevel,
    )


def _cca_bases(
    func: str, X: object, Y: object, *, floor: str = "", stacklevel: int = 5
) -> tuple[Matrix, Matrix, Matrix, Matrix]:
    """Centred inputs and orthonormal bases of their column spaces (warns on saturation)."""
    Xc, Yc = _centred_pair(func, X, Y)
    Qx, Qy = _column_space_basis(Xc), _column_space_basis(Yc)
    _warn_if_saturated(func, Qx.shape[1], Qy.shape[1], (Xc.shape, Yc.shape), floor=floor, stacklevel=stacklevel)
    return Xc, Yc, Qx, Qy


def _correlations(Qx: Matrix, Qy: Matrix) -> Matrix:
    """Canonical correlations: singular values of ``Qx^T Qy``, descending, clipped to [0, 1]."""
    rho = np.linalg.svd(Qx.T @ Qy, compute_uv=False)  # min(rank X, rank Y) values
    return np.clip(rho, 0.0, 1.0)


def _check_weight_by(func: str, weight_by: object) -> None:
    if weight_by not in ("X", "Y", "fewer"):
        fail(func, "weight_by must be 'X', 'Y' or 'fewer'", f"weight_by={weight_by!r}")


def _principal_subspace(Ac: Matrix, threshold: float, keep: int | None) -> Matrix:
    """Orthonormal basis (n, k) of the top-k principal components of a centred matrix.

    ``k`` is the smallest number of leading components whose share of the
    total variance reaches ``threshold`` (a fraction, compared with a
    fraction), or ``min(keep, rank)``. Only components above the numerical
    rank tolerance ``max(n, p) * eps * s_max`` count, so ``k <= rank``.
    """
    U, s, _ = np.linalg.svd(Ac, full_matrices=False)
    rank = int(np.sum(s > max(Ac.shape) * np.finfo(np.float64).eps * s[0]))
    variance = s[:rank] ** 2  # variance along each principal axis (times n)
    if keep is not None:
        k = min(keep, rank)
    else:
        fraction = np.cumsum(variance) / variance.sum()  # relative: scale-free
        k = min(1 + int(np.sum(fraction < threshold)), rank)
    return U[:, :k]


def _svcca_options(func: str, threshold: object, keep: object) -> tuple[float, int | None]:
    """Validate SVCCA's options: at most one of ``threshold`` and ``keep``; default threshold 0.99."""
    if threshold is not None and keep is not None:
        fail(
            func,
            "pass either threshold (an explained-variance fraction) or keep (a number of components), not both",
            f"threshold={threshold!r} and keep={keep!r}",
        )
    if keep is not None:
        return 1.0, check_positive_int(func, "keep", keep)  # keep decides; the threshold is not used
    if threshold is None:
        return SVCCA_DEFAULT_THRESHOLD, None
    return check_range(func, "threshold", threshold, low=0.0, high=1.0, low_open=True), None


# --------------------------------------------------------------------------- measures


def canonical_correlations(X: object, Y: object, /) -> Matrix:
    r"""The canonical correlations between two representations, in decreasing order.

    .. math::

        \rho_i = \sigma_i(Q_X^\top Q_Y), \qquad i = 1, \dots, m = \min(\operatorname{rank} X_c, \operatorname{rank} Y_c),

    where :math:`X_c, Y_c` are the column-centred inputs and :math:`Q_X, Q_Y`
    orthonormal bases of their column spaces: the cosines of the principal
    angles between the two column spaces (Bjorck and Golub 1973), computed
    exactly (centre, SVD basis, SVD). Cost O(n p^2 + n q^2 + n p q), no
    n x n matrix. Not a similarity measure itself: every CCA score in this
    module is a summary of this vector.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation: one row per stimulus, one column per feature.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    numpy.ndarray, shape (m,)
        :math:`1 \ge \rho_1 \ge \dots \ge \rho_m \ge 0`, float64, each clipped
        to [0, 1] (rounding can put the top singular value a few ulps above 1).

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or of ``Y``) is constant.

    Warns
    -----
    SaturationWarning
        When ``rank(Xc) + rank(Yc) > n - 1``: that many correlations equal 1
        by construction.

    Notes
    -----
    The vector is invariant to translation, isotropic scaling, orthogonal and
    invertible linear maps and feature permutations of either input: it
    depends on the two centred column spaces only.

    References
    ----------
    .. [1] H. Hotelling, "Relations between two sets of variates",
       Biometrika 28 (1936).
    .. [2] A. Bjorck and G. H. Golub, "Numerical methods for computing angles
       between linear subspaces", Math. Comp. 27 (1973).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> canonical_correlations(X, np.c_[X[:, 0], X[:, 1] ** 2]).round(6)
    array([1.      , 0.950784])
    """
    _, _, Qx, Qy = _cca_bases("canonical_correlations", X, Y)
    return _correlations(Qx, Qy)


def cca_mean_sq_corr(X: object, Y: object, /) -> float:
    r"""Mean squared canonical correlation, Yanai's :math:`R^2_{\mathrm{CCA}}` (a score).

    .. math::

        R^2_{\mathrm{CCA}}(X, Y) = \frac{1}{m} \sum_{i=1}^{m} \rho_i^2
        = \frac{\lVert Q_X^\top Q_Y \rVert_F^2}{m},
        \qquad m = \min(\operatorname{rank} X_c, \operatorname{rank} Y_c),

    with :math:`\rho_i` the canonical correlations (see
    :func:`canonical_correlations`). It is Yanai's generalized coefficient of
    determination (GCD) and Pillai's trace divided by ``m``; Kornblith et al.
    (2019) write it :math:`\lVert Q_Y^\top Q_X \rVert_F^2 / p_1`. Cost
    O(n p^2 + n q^2 + n p q), no n x n matrix.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        :math:`R^2_{\mathrm{CCA}} \in [0, 1]`, a similarity score (1 = the same
        centred column space, or one contained in the other). Each
        :math:`\rho_i` is clipped to [0, 1] before squaring.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or of ``Y``) is constant.

    Warns
    -----
    SaturationWarning
        When ``rank(Xc) + rank(Yc) > n - 1``; the score is then at least
        ``(rank(Xc) + rank(Yc) - n + 1) / m``.

    Notes
    -----
    The normaliser is ``m = min(rank Xc, rank Yc)`` (the convention of
    :func:`metrics.representation.cca_mean_corr`), equal to Kornblith's
    ``p_1 = min(p, q)`` for full-rank inputs with ``p, q < n``.

    Invariances (for a map applied to ``X`` alone; the same holds for ``Y``
    by symmetry, and the measure is symmetric):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  True
    feature permutation (``X P``)             True
    ========================================  =====

    All hold because ``X A`` has the same column space as ``X`` for every
    invertible ``A``; the price is saturation once ``p >= n - 1``.

    References
    ----------
    .. [1] H. Yanai, "Unification of various techniques of multivariate
       analysis by means of generalized coefficient of determination",
       Kodo Keiryogaku 1 (1974).
    .. [2] J. O. Ramsay, J. ten Berge, G. P. H. Styan, "Matrix correlation",
       Psychometrika 49 (1984).
    .. [3] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019 (R^2_CCA, Table 1).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(cca_mean_sq_corr(X, X @ np.array([[2.0, 1.0], [0.0, 3.0]])), 12)
    1.0
    >>> round(cca_mean_sq_corr(X, np.c_[X[:, 0], X[:, 1] ** 2]), 6)
    0.951995
    """
    floor = ", so the score is at least {ratio:.3g}"
    _, _, Qx, Qy = _cca_bases("cca_mean_sq_corr", X, Y, floor=floor)
    rho = _correlations(Qx, Qy)
    return float(np.mean(rho**2))


def cca_pillai_trace(X: object, Y: object, /) -> float:
    r"""Pillai's trace: the sum of the squared canonical correlations (a score, not normalised).

    .. math::

        V(X, Y) = \sum_{i=1}^{m} \rho_i^2 = \lVert Q_X^\top Q_Y \rVert_F^2
        = \operatorname{tr}\bigl(S_{XX}^{+} S_{XY} S_{YY}^{+} S_{YX}\bigr),

    with :math:`\rho_i` the ``m = min(rank Xc, rank Yc)`` canonical
    correlations and :math:`S` the covariance blocks of the centred inputs.
    This is the MANOVA statistic of Pillai (1955), kept unnormalised as in
    statistics: its maximum ``m`` carries the dimension of the shared space.
    Divided by ``m`` it is Yanai's :func:`cca_mean_sq_corr`. Cost
    O(n p^2 + n q^2 + n p q), no n x n matrix.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.

    Returns
    -------
    float
        :math:`V \in [0, m] \subseteq [0, \min(p, q, n - 1)]`, a similarity
        score (higher = more shared variance); ``V(X, X) = rank(Xc)``, so the
        top value depends on the dimension and scores of different sizes do
        not compare. Each :math:`\rho_i` is clipped to [0, 1] before squaring.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        or ``X`` and ``Y`` have different numbers of rows.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or of ``Y``) is constant.

    Warns
    -----
    SaturationWarning
        When ``rank(Xc) + rank(Yc) > n - 1``; the trace is then at least
        ``rank(Xc) + rank(Yc) - n + 1``.

    Notes
    -----
    Normalisation: none (the statistical definition). Some representation
    similarity libraries use the name for other quantities: repsim's
    ``"pillai"`` summary is :math:`\sum_i \rho_i / \min(p, q)`, the mean
    canonical correlation (:func:`metrics.representation.cca_mean_corr`).

    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  True
    feature permutation (``X P``)             True
    ========================================  =====

    References
    ----------
    .. [1] K. C. S. Pillai, "Some new test criteria in multivariate
       analysis", Ann. Math. Statist. 26 (1955).
    .. [2] J. O. Ramsay, J. ten Berge, G. P. H. Styan, "Matrix correlation",
       Psychometrika 49 (1984).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(cca_pillai_trace(X, X), 12)  # the rank of X
    2.0
    >>> round(cca_pillai_trace(X, np.c_[X[:, 0], X[:, 1] ** 2]), 6)
    1.903991
    """
    floor = ", so the trace is at least {forced}"
    _, _, Qx, Qy = _cca_bases("cca_pillai_trace", X, Y, floor=floor)
    rho = _correlations(Qx, Qy)
    return float(np.sum(rho**2))


def svcca(X: object, Y: object, /, *, threshold: float | None = None, keep: int | None = None) -> float:
    r"""Singular vector CCA (Raghu et al. 2017): PCA of each view, then mean canonical correlation (a score).

    .. math::

        \mathrm{SVCCA}(X, Y) = \frac{1}{\min(k_X, k_Y)} \sum_{i} \sigma_i(U_{X,k_X}^\top U_{Y,k_Y}),

    where :math:`X_c = U_X S_X V_X^\top` is the SVD of the column-centred
    ``X`` and :math:`U_{X,k}` its first ``k`` left singular vectors (the
    principal component scores :math:`X_c V_{X,k} = U_{X,k} S_{X,k}` span the
    same space, and CCA only sees the span). By default :math:`k_X` is the
    smallest ``k`` whose leading components explain at least the fraction
    ``threshold`` of the total variance:

    .. math::

        k_X = \min\Bigl\{k : \sum_{j \le k} s_j^2 \Big/ \sum_j s_j^2 \ge \text{threshold}\Bigr\},

    a cumulative variance *fraction* compared with a fraction, so rescaling
    ``X`` never changes ``k_X``. Cost O(n p min(n, p) + n q min(n, q)), no
    n x n matrix when ``p, q < n``.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.
    threshold : float in (0, 1], optional
        Fraction of the variance of each view that the kept components must
        explain; 0.99 (Raghu et al.) when neither ``threshold`` nor ``keep``
        is given. ``1.0`` keeps every component above the rank tolerance.
    keep : int >= 1, optional
        Instead of a threshold, keep this fixed number of leading components
        per view (``min(keep, rank)`` when a view has lower rank), as Google's
        SVCCA tutorial does with 20 or 50 directions.

    Returns
    -------
    float
        SVCCA in [0, 1], a similarity score (1 = the kept principal subspaces
        coincide, or one contains the other). Each correlation is clipped to
        [0, 1].

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        ``X`` and ``Y`` have different numbers of rows, ``threshold`` is not
        in (0, 1], ``keep < 1``, or both ``threshold`` and ``keep`` are given.
    TypeError
        If an input is complex or not numeric, or ``keep`` is not an integer.
    DegenerateInputError
        If every column of ``X`` (or of ``Y``) is constant.

    Warns
    -----
    SaturationWarning
        When ``k_X + k_Y > n - 1``: that many canonical correlations equal 1
        by construction.

    Notes
    -----
    Variance is the squared singular value of the centred data; components
    below the numerical rank tolerance ``max(n, p) * eps * s_max`` never
    count. A threshold sitting exactly on a cumulative fraction is decided by
    rounding. One published implementation compares the cumulative variance
    with the threshold as an absolute number, so that it keeps a single
    component whenever the total variance exceeds about 1 and its score
    changes when an input is rescaled; comparing fractions avoids that.

    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    An orthogonal map keeps the singular values and the left singular
    vectors, hence the kept subspace. A non-orthogonal invertible map keeps
    the column space but changes the spectrum, so a different subspace can be
    kept: SVCCA is invariant to ``A`` only when the same subspace is kept
    (Kornblith et al. 2019, Table 1). With ``keep >= rank`` (or
    ``threshold=1.0``) it reduces to :func:`~metrics.representation.cca_mean_corr`
    and is invariant to every invertible map.

    References
    ----------
    .. [1] M. Raghu, J. Gilmer, J. Yosinski, J. Sohl-Dickstein, "SVCCA:
       Singular vector canonical correlation analysis for deep learning
       dynamics and interpretability", NeurIPS 2017.
    .. [2] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019, Table 1.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> Y = np.c_[X[:, 1] ** 2, 0.01 * X[:, 0]]  # the second feature explains < 1% of Y's variance
    >>> round(svcca(X, Y), 6)  # X keeps 2 components, Y keeps 1
    0.951972
    >>> round(svcca(X, Y, keep=2), 6)  # plain mean CCA of the two column spaces
    0.975392
    """
    func = "svcca"
    threshold, keep = _svcca_options(func, threshold, keep)
    Xc, Yc = _centred_pair(func, X, Y)
    Bx = _principal_subspace(Xc, threshold, keep)
    By = _principal_subspace(Yc, threshold, keep)
    _warn_if_saturated(
        func,
        Bx.shape[1],
        By.shape[1],
        (Xc.shape, Yc.shape),
        sizes="k",
        floor=", so the score is at least {ratio:.3g}",
        fix="Keep fewer components (a lower threshold or keep) or use more samples.",
        stacklevel=4,
    )
    rho = _correlations(Bx, By)
    return float(np.mean(rho))


def pwcca(X: object, Y: object, /, *, weight_by: WeightBy = "X") -> float:
    r"""Projection-weighted CCA (Morcos et al. 2018): a weighted mean of canonical correlations (a score).

    .. math::

        \mathrm{PWCCA}(X, Y) = \sum_{i=1}^{m} \frac{\alpha_i}{\sum_k \alpha_k} \rho_i,
        \qquad \alpha_i = \sum_{j=1}^{p} \lvert \langle h_i, x_j \rangle \rvert,

    where :math:`\rho_i` are the canonical correlations, :math:`h_i = Q_X u_i`
    the unit-norm canonical variates of ``X`` (:math:`Q_X^\top Q_Y = U
    \operatorname{diag}(\rho) V^\top`) and :math:`x_j` the centred columns
    (neurons) of ``X``: a canonical direction counts in proportion to how
    much of ``X``'s own activity it accounts for. The weights come from one
    argument, so the measure is asymmetric. Cost
    O(n p^2 + n q^2 + n p q), no n x n matrix.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus; its canonical variates
        and neurons give the weights by default.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.
    weight_by : {"X", "Y", "fewer"}, default "X"
        Whose canonical variates and neurons weight the correlations.
        ``"X"`` follows Morcos et al. (weights from the representation being
        compared, the first argument); ``"Y"`` weights by the second
        argument, so ``pwcca(X, Y, weight_by="Y") == pwcca(Y, X)``;
        ``"fewer"`` weights by the argument with fewer non-constant columns
        (``X`` on a tie), the rule of Google's reference ``compute_pwcca``.

    Returns
    -------
    float
        PWCCA in [0, 1], a similarity score (1 = the same centred column
        space). Each correlation is clipped to [0, 1]; the weights are
        positive (each :math:`h_i` lies in the column space of ``X``, so it
        meets some neuron) and sum to 1.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        ``X`` and ``Y`` have different numbers of rows, or ``weight_by`` is
        not one of the three options.
    TypeError
        If an input is complex or not numeric.
    DegenerateInputError
        If every column of ``X`` (or of ``Y``) is constant.

    Warns
    -----
    SaturationWarning
        When ``rank(Xc) + rank(Yc) > n - 1``.

    Notes
    -----
    Conventions. The activity is centred before the projections are taken
    (Google's reference code projects the uncentred activations, which makes
    its weights, and its value, change when a neuron's mean changes), and the
    canonical correlations are exact (no ``epsilon`` regularisation and no
    dropped low-variance neurons). When canonical correlations are tied the
    canonical variates inside the tied block are not unique and neither are
    the weights; PWCCA is then defined only up to that choice.

    Invariances (declared for maps applied to either argument; with
    ``weight_by="X"``):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        False
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    ``Y`` enters only through its column space, so every map of ``Y`` alone
    leaves the value unchanged; the two False entries fail for ``X``: a
    rotation mixes the neurons :math:`x_j` and changes the L1 sums
    :math:`\alpha_i` (only signed permutations keep them), as does an
    invertible map. Scaling multiplies every :math:`\alpha_i` by ``|c|``,
    which the normalisation removes. (Kornblith et al. 2019, Table 1.)

    References
    ----------
    .. [1] A. S. Morcos, M. Raghu, S. Bengio, "Insights on representational
       similarity in neural networks with canonical correlation",
       NeurIPS 2018.
    .. [2] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019, Table 1.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> Y = np.c_[X[:, 0], X[:, 1] ** 2]
    >>> round(pwcca(X, Y), 6), round(pwcca(X, Y, weight_by="Y"), 6)
    (0.974869, 0.96421)
    """
    return _pwcca("pwcca", X, Y, weight_by)


def _pwcca(func: str, X: object, Y: object, weight_by: object) -> float:
    """PWCCA, reporting errors and warnings as ``func`` (``pwcca`` or ``pwcca_by_y``)."""
    _check_weight_by(func, weight_by)
    Xc, Yc, Qx, Qy = _cca_bases(func, X, Y, stacklevel=6)
    U, rho, Vt = np.linalg.svd(Qx.T @ Qy, full_matrices=False)  # m canonical pairs
    rho = np.clip(rho, 0.0, 1.0)
    if weight_by == "fewer":
        px, py = (int(np.count_nonzero(np.any(A != 0.0, axis=0))) for A in (Xc, Yc))
        weight_by = "X" if px <= py else "Y"
    if weight_by == "X":
        H, A = Qx @ U, Xc  # canonical variates of X (n, m), unit norm, and X's neurons
    else:
        H, A = Qy @ Vt.T, Yc
    alpha = np.abs(H.T @ A).sum(axis=1)  # alpha_i = sum_j |<h_i, a_j>|, all > 0
    return float(np.sum(alpha * rho) / np.sum(alpha))


def pwcca_by_y(X: object, Y: object, /) -> float:
    r"""PWCCA weighted by the second argument: ``pwcca(X, Y, weight_by="Y")`` (a score).

    The registry's second direction of the asymmetric :func:`pwcca`; equal to
    ``pwcca(Y, X)``. Same range ([0, 1]), errors, warnings, cost and
    invariances (translation True, isotropic scaling True, orthogonal False,
    invertible linear False, feature permutation True; here the False
    entries fail for ``Y`` and every map of ``X`` alone is harmless).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation.
    Y : array_like, shape (n, q)
        Second representation; its canonical variates and neurons weight the
        correlations.

    Returns
    -------
    float
        PWCCA in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(pwcca_by_y(X, np.c_[X[:, 0], X[:, 1] ** 2]), 6)
    0.96421
    """
    return _pwcca("pwcca_by_y", X, Y, "Y")
