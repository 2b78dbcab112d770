"""Predictive measures: the float64 numpy reference (linear regression R^2, cross-validated ridge, stitching).

Each measure asks how well one representation predicts the other through a
linear map, so each is asymmetric: ``f(X, Y)`` uses ``X`` (n, p) as the
predictor and ``Y`` (n, q) as the target, and a ``*_y_to_x`` twin swaps the
roles (the registry holds both directions). :mod:`metrics.torch_predictive`
is the batched torch implementation checked against this module.

Shared conventions
------------------
* Intercept. Every fit has an intercept: both inputs are column-centred
  first (on the training rows, for the cross-validated measure), with exactly
  constant columns set to exactly zero as in :mod:`metrics.representation`.
  This is why the measures are translation invariant (one library flags
  linear-regression R^2 as not translation invariant; with an intercept it
  is, and the tests show it).
* Rank-deficient predictors. The least-squares fits never invert
  ``X^T X``: they project onto an orthonormal basis of the column space of the
  centred predictor, from an SVD of that matrix with each column scaled to
  unit norm (so the rank decision does not depend on the units of the
  features); singular values at or below ``rcond * s_max`` count as zero,
  ``rcond=None`` meaning ``max(n, p) * eps`` (the default of
  :func:`numpy.linalg.matrix_rank`). Duplicated or collinear columns, and
  dead units, change nothing. Ridge needs no rank decision (its penalty is
  positive).
* Multi-output R^2 is variance-weighted: ``1 - sum of squared errors / sum
  of squared deviations`` over all output columns (scikit-learn's
  ``multioutput="variance_weighted"``), so a target column weighs in
  proportion to its variance; this is Kornblith et al.'s R^2_LR.
* Degenerate inputs. A constant target ``Y`` raises
  :class:`~metrics._validation.DegenerateInputError` (R^2 would be 0/0). A
  constant predictor is not degenerate: it predicts the mean, R^2 = 0.
  A predictor whose centred rank reaches ``n - 1`` fits any target exactly
  (R^2 = 1, stitching loss 0): :class:`~metrics._validation.SaturationWarning`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from metrics._validation import (
    DegenerateInputError,
    SaturationWarning,
    as_float_matrix,
    check_positive_int,
    check_range,
    check_same_rows,
    fail,
    warn,
)
from metrics.representation import _centre, _require_nonconstant

__all__ = [
    "linreg_r2",
    "linreg_r2_y_to_x",
    "ridge_cv_r2",
    "ridge_cv_r2_y_to_x",
    "stitching_loss_change",
    "stitching_loss_change_y_to_x",
]

Matrix = NDArray[np.float64]
Aggregate = Literal["pooled", "mean"]

#: Default number of folds of ridge_cv_r2.
DEFAULT_FOLDS = 5
#: Default relative ridge penalty (lambda = alpha * mean nonzero eigenvalue of the training scatter).
DEFAULT_ALPHA = 0.1
#: Default number of principal directions of Y read out by the stitching measure.
DEFAULT_COMPONENTS = 10
#: Singular values s_r, s_{r+1} closer than PC_GAP_RTOL * s_1 leave the top-r subspace undefined.
PC_GAP_RTOL = 1e-8


# --------------------------------------------------------------------------- shared helpers
# (also used by metrics.torch_predictive, so that both take the same decisions)


def _validate(func: str, X: object, Y: object) -> tuple[Matrix, Matrix]:
    Xa = as_float_matrix(func, "X", X, min_rows=2)
    Ya = as_float_matrix(func, "Y", Y, min_rows=2)
    check_same_rows(func, ("X", "Y"), (Xa.shape, Ya.shape))
    return Xa, Ya


def _check_rcond(func: str, rcond: object) -> float | None:
    if rcond is None:
        return None
    return check_range(func, "rcond", rcond, low=0.0, high=1.0, high_open=True)


def _saturation_warning(func: str, name: str, got: str) -> None:
    warn(
        func,
        f"the centred predictor {name} must have rank below n - 1 for the fit to depend on the data "
        f"(it fails whenever {name} has n - 1 or more generic columns)",
        f"{got}: {name} fits every target exactly",
        "Reduce the predictor's features first (e.g. PCA) or use more samples.",
        category=SaturationWarning,
    )


def _predictor_basis(Xc: Matrix, rcond: float | None) -> Matrix:
    """Orthonormal basis (n, r) of the column space of the centred predictor (r = numerical rank)."""
    norms = np.linalg.norm(Xc, axis=0)
    Z = Xc / np.where(norms > 0, norms, 1.0)
    U, s, _ = np.linalg.svd(Z, full_matrices=False)
    if s[0] == 0.0:  # every column constant: the empty basis
        return U[:, :0]
    tol = (max(Z.shape) * np.finfo(np.float64).eps if rcond is None else rcond) * s[0]
    return U[:, s > tol]


def fold_indices(n: int, folds: int, seed: int | None) -> list[NDArray[np.intp]]:
    """The test rows of each fold: ``folds`` contiguous blocks of sizes differing by at most one.

    With ``seed=None`` the blocks are contiguous in the given row order
    (``numpy.array_split(arange(n), folds)``, scikit-learn's ``KFold()``);
    with an integer seed, of the permutation
    ``numpy.random.default_rng(seed).permutation(n)``.
    """
    order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
    return [np.asarray(block, dtype=np.intp) for block in np.array_split(order, folds)]


def _check_cv(func: str, n: int, folds: object, alpha: object, seed: object, aggregate: object) -> tuple[int, float, int | None, Aggregate]:
    f = check_positive_int(func, "folds", folds, minimum=2)
    if f > n:
        fail(func, f"folds must be at most n = {n} (every fold needs a test row)", f"folds={f}", "Pass fewer folds.")
    a = check_range(func, "alpha", alpha, low=0.0, high=np.inf, low_open=True)
    s = None if seed is None else check_positive_int(func, "seed", seed, minimum=0)
    if aggregate not in ("pooled", "mean"):
        fail(func, "aggregate must be 'pooled' or 'mean'", f"aggregate={aggregate!r}")
    return f, a, s, aggregate


def _check_components(func: str, components: object, q: int, name: str) -> int | None:
    if components is None:
        return None
    c = check_positive_int(func, "components", components)
    if c > q:
        fail(func, f"components must be at most the number of columns of {name}, {q}", f"components={c}")
    return c


def _pc_gap_error(func: str, name: str, r: int, upper: float, lower: float, where: str = "") -> None:
    fail(
        func,
        f"the top {r} principal directions of the centred {name} must be unique (a gap between "
        f"singular values s_{r} and s_{r + 1}, relative to s_1, above {PC_GAP_RTOL:g})",
        f"s_{r}={upper!r} and s_{r + 1}={lower!r}{where}",
        "Pass components= at a gap in the spectrum, or an explicit readout=.",
        error=DegenerateInputError,
    )


# --------------------------------------------------------------------------- measures


def linreg_r2(X: object, Y: object, /, *, rcond: float | None = None) -> float:
    r"""Linear-regression R^2 of predicting ``Y`` from ``X`` (Kornblith et al.'s R^2_LR; a score).

    .. math::

        R^2_{LR}(X \to Y) = 1 - \frac{\min_B \lVert Y_c - X_c B \rVert_F^2}{\lVert Y_c \rVert_F^2}
        = \frac{\lVert Q_X^\top Y_c \rVert_F^2}{\lVert Y_c \rVert_F^2},

    with :math:`X_c, Y_c` the column-centred inputs (an intercept) and
    :math:`Q_X` an orthonormal basis of the column space of :math:`X_c`: the
    least-squares fit is the orthogonal projection of each column of
    :math:`Y_c` onto that space. It is the variance-weighted mean of the R^2
    of each target column.

    Parameters
    ----------
    X : array_like, shape (n, p)
        The predictor, one row per stimulus. Integer and boolean arrays are
        converted to float64.
    Y : array_like, shape (n, q)
        The target, the same ``n`` stimuli.
    rcond : float, optional
        Relative cutoff in [0, 1) for the numerical rank of the predictor
        (module notes); default ``max(n, p) * eps``.

    Returns
    -------
    float
        R^2 in [0, 1] (clipped against rounding), a score: 1 when ``Y`` is an
        affine function of ``X``; 0 when ``X`` is constant or uncorrelated
        with every column of ``Y``.

    Raises
    ------
    ValueError
        An input not 2-D, with NaN or inf, fewer than 2 rows, different row
        counts, or ``rcond`` outside [0, 1).
    TypeError
        A complex or non-numeric input.
    DegenerateInputError
        If every column of ``Y`` is constant (R^2 would be 0/0).

    Warns
    -----
    SaturationWarning
        If the centred ``X`` has rank ``n - 1``: it then fits any target and
        R^2 = 1 whatever the data.

    Notes
    -----
    Cost O(n p min(n, p) + n p q) time, O(n (p + q)) memory; no n x n matrix.
    Equal to ``1 - stitching_loss_change(X, Y, components=q)`` (stitching
    with the full principal readout).

    Invariances. The measure is asymmetric; a map applied to ``X`` (the
    predictor) and one applied to ``Y`` (the target):

    ========================================  =========  ======  ========
    group                                     X side     Y side  declared
    ========================================  =========  ======  ========
    translation (``+ 1 b^T``)                 True       True    True
    isotropic scaling (``c X``, ``c != 0``)   True       True    True
    orthogonal (``X Q``)                      True       True    True
    invertible linear (``X A``)               True       False   False
    feature permutation (``X P``)             True       True    True
    ========================================  =========  ======  ========

    ``X A`` has the column space of ``X`` (any invertible ``A``). On the
    target side, :math:`\lVert Q^\top Y_c A \rVert_F / \lVert Y_c A \rVert_F`
    changes with a non-orthogonal ``A``: it reweights the target columns
    (scaling up a badly predicted column lowers R^2). As in Kornblith et al.
    (2019, Table 1: invariant to invertible maps "only of the predictor").

    References
    ----------
    .. [1] S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural
       network representations revisited", ICML 2019, section 3 and Table 1.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(linreg_r2(X, X @ np.array([[2.0, 1.0], [0.0, 3.0]]) + 5.0), 12)
    1.0
    >>> round(linreg_r2(X[:, :1], X), 6)  # the first feature predicts itself, not the second
    0.36071
    """
    func = "linreg_r2"
    Xa, Ya = _validate(func, X, Y)
    return _linreg_r2(func, (Xa, "X"), (Ya, "Y"), _check_rcond(func, rcond))


def _linreg_r2(func: str, predictor: tuple[Matrix, str], target: tuple[Matrix, str], rcond: float | None) -> float:
    (P, pname), (T, tname) = predictor, target
    Pc, Tc = _centre(P), _centre(T)
    _require_nonconstant(func, tname, Tc)
    Q = _predictor_basis(Pc, rcond)
    if Q.shape[1] >= P.shape[0] - 1:
        _saturation_warning(func, pname, f"rank({pname})={Q.shape[1]}, n={P.shape[0]} ({pname}.shape={P.shape})")
    Tn = Tc / np.linalg.norm(Tc)
    r2 = float(np.linalg.norm(Q.T @ Tn) ** 2)
    return min(max(r2, 0.0), 1.0)


def ridge_cv_r2(
    X: object,
    Y: object,
    /,
    *,
    alpha: float = DEFAULT_ALPHA,
    folds: int = DEFAULT_FOLDS,
    seed: int | None = None,
    aggregate: Aggregate = "pooled",
) -> float:
    r"""Cross-validated ridge predictivity of ``Y`` from ``X``: out-of-fold R^2 (a score).

    The rows are split into ``folds`` folds (:func:`fold_indices`). For each
    fold, a ridge regression with intercept is fitted on the other rows,

    .. math::

        B = \arg\min_B \lVert Y_t - X_t B \rVert_F^2 + \lambda \lVert B \rVert_F^2,
        \qquad \lambda = \alpha\, \frac{\lVert X_t \rVert_F^2}{\min(p,\, n_t - 1)},

    (:math:`X_t, Y_t` the training rows centred by their training means,
    :math:`n_t` their number), and predicts the held-out rows:
    :math:`\hat Y = (X_{\rm test} - \bar x_t) B + \bar y_t`. The penalty is
    relative: ``alpha`` times the mean nonzero eigenvalue of the training
    scatter :math:`X_t^\top X_t` (generically), so rescaling ``X`` does not
    change the fit. The score is

    * ``aggregate="pooled"`` (default): :math:`1 - \sum_i \lVert y_i - \hat y_i
      \rVert^2 / \sum_i \lVert y_i - \bar y \rVert^2` over all rows, each
      predicted by the fold that held it out (scikit-learn's
      ``r2_score(Y, cross_val_predict(...), multioutput="variance_weighted")``);
    * ``aggregate="mean"``: the mean over folds of each test fold's R^2 with
      the test fold's own mean (``cross_val_score`` with a variance-weighted
      R^2 scorer); it needs every test fold to have a non-constant ``Y``.

    Parameters
    ----------
    X : array_like, shape (n, p)
        The predictor, one row per stimulus.
    Y : array_like, shape (n, q)
        The target, the same ``n`` stimuli.
    alpha : float, default 0.1
        Relative ridge penalty, > 0 (there is no inner search over penalties).
    folds : int, default 5
        Number of folds, ``2 <= folds <= n``.
    seed : int, optional
        ``None`` (default): contiguous folds in the given row order (so sort
        order matters: shuffle first, or pass a seed, if the rows are grouped);
        an integer: folds of a seeded permutation of the rows.
    aggregate : {"pooled", "mean"}, default "pooled"
        How the held-out errors become one R^2 (above).

    Returns
    -------
    float
        Out-of-fold R^2 in (-inf, 1], a score: 1 when every held-out row is
        predicted exactly; negative when the predictions are worse than the
        mean of ``Y``. Even ``ridge_cv_r2(X, X) < 1`` (shrinkage, held-out rows).

    Raises
    ------
    ValueError
        Invalid arrays (as :func:`linreg_r2`), ``folds`` outside ``[2, n]``,
        ``alpha <= 0``, a negative ``seed`` or an unknown ``aggregate``.
    TypeError
        A complex or non-numeric input, or a non-integer ``folds``/``seed``.
    DegenerateInputError
        If every column of ``Y`` is constant; with ``aggregate="mean"``, also
        if ``Y`` is constant on some test fold (a one-row fold included).

    Notes
    -----
    Cost O(folds * n p min(n, p) + folds * n p q): each fold solves the
    p x p primal system when ``p <= n_t``, else the n_t x n_t dual one
    (:math:`B = X_t^\top (X_t X_t^\top + \lambda I)^{-1} Y_t`). A training
    fold whose ``X`` is constant gets ``B = 0`` (it predicts the training mean).

    Invariances (asymmetric; declared True only when both sides hold):

    ========================================  =========  ======  ========
    group                                     X side     Y side  declared
    ========================================  =========  ======  ========
    translation (``+ 1 b^T``)                 True       True    True
    isotropic scaling (``c X``, ``c != 0``)   True       True    True
    orthogonal (``X Q``)                      True       True    True
    invertible linear (``X A``)               False      False   False
    feature permutation (``X P``)             True       True    True
    ========================================  =========  ======  ========

    Scaling ``X`` by ``c`` scales :math:`\lambda` by ``c^2`` and ``B`` by
    ``1/c``: the predictions do not move (with an absolute penalty they
    would, and this would be False). The penalty :math:`\lVert B\rVert_F^2`
    is invariant to ``B -> Q^T B`` but not to ``B -> A^{-1} B``, so invertible
    maps of ``X`` change the fit; on the ``Y`` side, they reweight the
    target columns as for :func:`linreg_r2`.

    References
    ----------
    .. [1] A. E. Hoerl, R. W. Kennard, "Ridge regression: biased estimation
       for nonorthogonal problems", Technometrics 12 (1970).
    .. [2] D. L. K. Yamins et al., "Performance-optimized hierarchical models
       predict neural responses in higher visual cortex", PNAS 111 (2014)
       (cross-validated linear predictivity).
    .. [3] M. Schrimpf et al., "Brain-Score", bioRxiv 407007 (2018).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).standard_normal((20, 3))
    >>> Y = X @ np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]])
    >>> round(ridge_cv_r2(X, Y), 6)  # shrinkage costs a little
    0.988637
    >>> round(ridge_cv_r2(X, Y, alpha=1e-8), 6)
    1.0
    >>> round(ridge_cv_r2(X, X[:, :1] ** 2), 6)  # worse than predicting the mean
    -0.742597
    """
    func = "ridge_cv_r2"
    Xa, Ya = _validate(func, X, Y)
    return _ridge_cv_r2(func, (Xa, "X"), (Ya, "Y"), _check_cv(func, Xa.shape[0], folds, alpha, seed, aggregate))


def _ridge_cv_r2(
    func: str,
    predictor: tuple[Matrix, str],
    target: tuple[Matrix, str],
    options: tuple[int, float, int | None, Aggregate],
) -> float:
    (P, _), (T, tname) = predictor, target
    folds, alpha, seed, aggregate = options
    n, p = P.shape
    _require_nonconstant(func, tname, _centre(T))
    sse_total, fold_r2 = 0.0, []
    for f, test in enumerate(fold_indices(n, folds, seed)):
        train = np.setdiff1d(np.arange(n), test)
        p_mean, t_mean = P[train].mean(axis=0), T[train].mean(axis=0)
        Pt, Tt = _centre(P[train]), _centre(T[train])
        scatter = float(np.sum(Pt * Pt))
        lam = alpha * scatter / max(1, min(p, len(train) - 1)) if scatter > 0 else 1.0  # Pt = 0 gives B = 0
        if p <= len(train):
            B = np.linalg.solve(Pt.T @ Pt + lam * np.eye(p), Pt.T @ Tt)
        else:
            B = Pt.T @ np.linalg.solve(Pt @ Pt.T + lam * np.eye(len(train)), Tt)
        prediction = (P[test] - p_mean) @ B + t_mean
        sse = float(np.sum((T[test] - prediction) ** 2))
        sse_total += sse
        if aggregate == "mean":
            Tf = _centre(T[test])
            if not np.any(Tf):
                _constant_fold_error(func, tname, f, test)
            fold_r2.append(1.0 - sse / float(np.sum(Tf * Tf)))
    if aggregate == "mean":
        return float(np.mean(fold_r2))
    Tc = _centre(T)
    return 1.0 - sse_total / float(np.sum(Tc * Tc))


def _constant_fold_error(func: str, name: str, fold: int, test: NDArray[np.intp], where: str | None = None) -> None:
    """``where``: the name with a batch index (``"Y[1]"``) in the torch version."""
    rows = ", ".join(str(int(i)) for i in test[:5]) + (", ..." if len(test) > 5 else "")
    fail(
        func,
        f"with aggregate='mean', {name} must be non-constant on every test fold (each fold's R^2 "
        "divides by its own variance)",
        f"{where or name} constant on fold {fold} ({len(test)} {'row' if len(test) == 1 else 'rows'}: {rows})",
        "Use aggregate='pooled', fewer folds, or seeded folds (seed=0).",
        error=DegenerateInputError,
    )


def stitching_loss_change(
    X: object,
    Y: object,
    /,
    *,
    readout: ArrayLike | None = None,
    components: int | None = None,
    rcond: float | None = None,
) -> float:
    r"""Model-stitching loss change: how much a linear readout of ``Y`` moves when ``X`` is stitched in (a distance).

    A linear stitching layer :math:`A` maps ``X`` into ``Y``'s space by least
    squares (with intercept), and a fixed linear readout ``W`` (q, r) of
    ``Y`` (the "head") is applied to the stitched representation. The value
    is the head's squared output error relative to its own output:

    .. math::

        \ell(X \to Y) = \frac{\lVert (X_c A - Y_c) W \rVert_F^2}{\lVert Y_c W \rVert_F^2},
        \qquad A = \arg\min_A \lVert X_c A - Y_c \rVert_F^2,

    i.e. the increase of the head's relative squared error (its own input
    scores 0). Since :math:`X_c A = Q_X Q_X^\top Y_c`, it is
    :math:`\lVert (I - Q_X Q_X^\top) Y_c W \rVert_F^2 / \lVert Y_c W\rVert_F^2`:
    a closed form, no training. Without a given ``readout``, ``W`` is ``Y``'s
    top ``components`` principal directions (right singular vectors of
    :math:`Y_c`), so the head reads the dominant directions of ``Y`` weighted
    by their variance. With all of them (``components >= rank(Y_c)``) the
    loss is ``1 - linreg_r2(X, Y)``.

    Parameters
    ----------
    X : array_like, shape (n, p)
        The representation stitched in (the predictor).
    Y : array_like, shape (n, q)
        The representation whose head is kept.
    readout : array_like, shape (q, r), optional
        An explicit head ``W`` (e.g. a trained linear classifier's weights).
        Excludes ``components``.
    components : int, optional
        Number of principal directions of ``Y`` in the default head, in
        ``[1, q]``; default ``min(10, rank(Y_c))``.
    rcond : float, optional
        Relative rank cutoff for ``X`` in [0, 1), as in :func:`linreg_r2`.

    Returns
    -------
    float
        The loss in [0, 1] (clipped against rounding), a distance: 0 when the
        stitched head reproduces the head exactly, 1 when ``X`` explains none
        of the head's output (e.g. a constant ``X``).

    Raises
    ------
    ValueError
        As for :func:`linreg_r2`; also ``readout`` with a row count other
        than ``q``, ``components`` outside ``[1, q]``, or both given.
    TypeError
        A complex or non-numeric input.
    DegenerateInputError
        If every column of ``Y`` is constant, if ``Y_c W`` is zero for the
        given readout, or if the top ``components`` principal directions are
        not unique (tied singular values at the cut; the value would depend on
        an arbitrary choice of directions).

    Warns
    -----
    SaturationWarning
        If the centred ``X`` has rank ``n - 1`` (the loss is then 0 whatever
        the data).

    Notes
    -----
    Cost O(n p min(n, p) + n q min(n, q) + n p r). The original stitching
    experiments (Lenc and Vedaldi; Bansal et al.) train the stitching layer
    on the task loss; this closed form replaces the task by the head's own
    output, which makes it deterministic.

    Invariances, for the default principal-direction head (asymmetric):

    ========================================  =========  ======  ========
    group                                     X side     Y side  declared
    ========================================  =========  ======  ========
    translation (``+ 1 b^T``)                 True       True    True
    isotropic scaling (``c X``, ``c != 0``)   True       True    True
    orthogonal (``X Q``)                      True       True    True
    invertible linear (``X A``)               True       False   False
    feature permutation (``X P``)             True       True    True
    ========================================  =========  ======  ========

    The principal directions of ``Y Q`` are ``Q^T`` times those of ``Y``, so
    the head's output :math:`Y_c W` is unchanged by an orthogonal ``Q``; an
    invertible ``A`` changes the principal directions and their weights. With
    a fixed explicit ``readout``, the ``Y``-side orthogonal invariance is lost.

    References
    ----------
    .. [1] K. Lenc, A. Vedaldi, "Understanding image representations by
       measuring their equivariance and equivalence", CVPR 2015.
    .. [2] Y. Bansal, P. Nakkiran, B. Barak, "Revisiting model stitching to
       compare neural representations", NeurIPS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(stitching_loss_change(X[:, :1], X), 6)  # == 1 - linreg_r2(X[:, :1], X)
    0.63929
    >>> round(stitching_loss_change(X[:, :1], X, components=1), 6)  # head: Y's top direction only
    0.82851
    """
    func = "stitching_loss_change"
    Xa, Ya = _validate(func, X, Y)
    return _stitching(func, (Xa, "X"), (Ya, "Y"), readout, components, _check_rcond(func, rcond))


def _stitching(
    func: str,
    stitched: tuple[Matrix, str],
    kept: tuple[Matrix, str],
    readout: ArrayLike | None,
    components: object,
    rcond: float | None,
) -> float:
    (P, pname), (T, tname) = stitched, kept
    q = T.shape[1]
    r = _check_components(func, components, q, tname)
    if readout is not None and r is not None:
        fail(func, "pass readout or components, not both", f"readout of shape {np.shape(readout)} and components={r}")
    Pc, Tc = _centre(P), _centre(T)
    _require_nonconstant(func, tname, Tc)
    if readout is not None:
        W = as_float_matrix(func, "readout", readout)
        if W.shape[0] != q:
            fail(func, f"readout must have {q} rows (one per column of {tname})", f"readout.shape={W.shape}")
        head = Tc @ W
        if not np.any(head):
            fail(
                func,
                f"the head's output (centred {tname}) @ readout must be nonzero (the loss divides by its norm)",
                f"a zero output for readout.shape={W.shape}",
                error=DegenerateInputError,
            )
    else:
        U, s, _ = np.linalg.svd(Tc, full_matrices=False)
        rank = int(np.sum(s > max(Tc.shape) * np.finfo(np.float64).eps * s[0]))
        keep = min(DEFAULT_COMPONENTS if r is None else r, rank)
        if keep < rank:
            if s[keep - 1] - s[keep] <= PC_GAP_RTOL * s[0]:
                _pc_gap_error(func, tname, keep, float(s[keep - 1]), float(s[keep]))
            head = U[:, :keep] * s[:keep]  # = Tc @ V[:, :keep], the top principal directions as readout
        else:
            head = Tc  # all principal directions: Tc V has the residual norms and the norm of Tc
    Q = _predictor_basis(Pc, rcond)
    if Q.shape[1] >= P.shape[0] - 1:
        _saturation_warning(func, pname, f"rank({pname})={Q.shape[1]}, n={P.shape[0]} ({pname}.shape={P.shape})")
    head = head / np.linalg.norm(head)
    residual = head - Q @ (Q.T @ head)
    return min(max(float(np.linalg.norm(residual) ** 2), 0.0), 1.0)


# --------------------------------------------------------------------------- the other direction


def linreg_r2_y_to_x(X: object, Y: object, /, *, rcond: float | None = None) -> float:
    """:func:`linreg_r2` predicting ``X`` from ``Y`` (``linreg_r2(Y, X)``; a registry direction).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(linreg_r2_y_to_x(X, X[:, :1]), 6)
    0.36071
    """
    func = "linreg_r2_y_to_x"
    Xa, Ya = _validate(func, X, Y)
    return _linreg_r2(func, (Ya, "Y"), (Xa, "X"), _check_rcond(func, rcond))


def ridge_cv_r2_y_to_x(
    X: object,
    Y: object,
    /,
    *,
    alpha: float = DEFAULT_ALPHA,
    folds: int = DEFAULT_FOLDS,
    seed: int | None = None,
    aggregate: Aggregate = "pooled",
) -> float:
    """:func:`ridge_cv_r2` predicting ``X`` from ``Y`` (``ridge_cv_r2(Y, X, ...)``; a registry direction).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).standard_normal((20, 3))
    >>> round(ridge_cv_r2_y_to_x(X @ np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]]), X, alpha=1e-8), 6)
    1.0
    """
    func = "ridge_cv_r2_y_to_x"
    Xa, Ya = _validate(func, X, Y)
    return _ridge_cv_r2(func, (Ya, "Y"), (Xa, "X"), _check_cv(func, Xa.shape[0], folds, alpha, seed, aggregate))


def stitching_loss_change_y_to_x(
    X: object, Y: object, /, *, readout: ArrayLike | None = None, components: int | None = None, rcond: float | None = None
) -> float:
    """:func:`stitching_loss_change` stitching ``Y`` into ``X``'s head (a registry direction).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(stitching_loss_change_y_to_x(X, X[:, :1]), 6)
    0.63929
    """
    func = "stitching_loss_change_y_to_x"
    Xa, Ya = _validate(func, X, Y)
    return _stitching(func, (Ya, "Y"), (Xa, "X"), readout, components, _check_rcond(func, rcond))
