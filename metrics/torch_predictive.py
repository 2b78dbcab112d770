"""Predictive measures in torch: batched linear-regression R^2, cross-validated ridge and stitching.

The same measures, names, conventions and messages as the numpy reference
:mod:`metrics.predictive`, over batches: ``X`` (..., n, p) and ``Y`` (..., n, q)
with broadcasting batch dimensions; every function returns a tensor of the
broadcast batch shape, in the input dtype and on the input device.

* Differentiable: the fits are projections onto the column space of the
  centred predictor (an SVD with a rank mask, differentiable where the rank
  is locally constant and the singular values distinct, as for CCA), ridge
  solves of positive definite systems (differentiable everywhere), and, for
  the stitching head, a truncated SVD of the target (differentiable where the
  kept singular values are distinct).
* The folds of :func:`ridge_cv_r2` are drawn by the numpy helper
  :func:`metrics.predictive.fold_indices`, so both implementations use the
  same rows; the loop over folds is a Python loop, each fold batched.
* Ranks are numerical with the tolerance of the input dtype
  (``max(n, p) * eps`` by default), so float32 may decide a nearly
  rank-deficient predictor differently from float64.
* Degenerate inputs are checked per batch element, naming the element.
"""

from __future__ import annotations

import torch

from metrics._validation import DegenerateInputError, as_float_tensor, fail
from metrics.predictive import (
    DEFAULT_ALPHA,
    DEFAULT_COMPONENTS,
    DEFAULT_FOLDS,
    PC_GAP_RTOL,
    Aggregate,
    _check_components,
    _check_cv,
    _check_rcond,
    _constant_fold_error,
    _pc_gap_error,
    _saturation_warning,
    fold_indices,
)
from metrics.torch_representation import _centre, _require_nonconstant, _validate_pair

__all__ = [
    "linreg_r2",
    "linreg_r2_y_to_x",
    "ridge_cv_r2",
    "ridge_cv_r2_y_to_x",
    "stitching_loss_change",
    "stitching_loss_change_y_to_x",
]

Named = tuple[torch.Tensor, str]


# --------------------------------------------------------------------------- helpers


def _index(idx: torch.Tensor) -> str:
    return ", ".join(str(int(i)) for i in idx)


def _predictor_basis(Pc: torch.Tensor, rcond: float | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Masked orthonormal basis (..., n, m) of each centred predictor's column space, and each rank (...)."""
    norms = torch.linalg.vector_norm(Pc, dim=-2, keepdim=True)
    Z = Pc / torch.where(norms > 0, norms, torch.ones_like(norms))
    U, s, _ = torch.linalg.svd(Z, full_matrices=False)
    rel = max(Z.shape[-2], Z.shape[-1]) * torch.finfo(Z.dtype).eps if rcond is None else rcond
    keep = s > rel * s[..., :1]  # all False for a zero matrix
    return U * keep.unsqueeze(-2).to(U.dtype), keep.sum(dim=-1)


def _warn_saturated(func: str, name: str, rank: torch.Tensor, shape: tuple[int, ...]) -> None:
    n = shape[-2]
    saturated = rank >= n - 1
    if not bool(saturated.any()):
        return
    if saturated.ndim == 0:
        got = f"rank({name})={int(rank)}, n={n} ({name}.shape={shape})"
    else:
        got = f"{int(saturated.sum())} of {saturated.numel()} batch elements with rank({name}) = n - 1 = {n - 1} ({name}.shape={shape})"
    _saturation_warning(func, name, got)


# --------------------------------------------------------------------------- linear regression


def _linreg_r2(func: str, predictor: Named, target: Named, rcond: float | None) -> torch.Tensor:
    (P, pname), (T, tname) = predictor, target
    Pc, Tc = _centre(P), _centre(T)
    _require_nonconstant(func, tname, Tc)
    Q, rank = _predictor_basis(Pc, rcond)
    _warn_saturated(func, pname, rank, tuple(P.shape))
    Tn = Tc / torch.linalg.matrix_norm(Tc, keepdim=True)
    # A squared norm of a projection of a unit-norm matrix: clip the ulp overshoot past 1.
    return (torch.linalg.matrix_norm(Q.mT @ Tn) ** 2).clamp(0.0, 1.0)


def linreg_r2(X: torch.Tensor, Y: torch.Tensor, /, *, rcond: float | None = None) -> torch.Tensor:
    r"""Linear-regression R^2 of predicting ``Y`` from ``X`` over a batch (see :func:`metrics.predictive.linreg_r2`).

    :math:`\lVert Q_X^\top Y_c \rVert_F^2 / \lVert Y_c \rVert_F^2`, with
    :math:`Q_X` an orthonormal basis of the centred predictor's column space.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        The predictor(s); floating dtypes are kept, integer and boolean ones
        become float64.
    Y : torch.Tensor, shape (..., n, q)
        The target(s); batch dimensions broadcast against ``X``'s.
    rcond : float, optional
        Relative rank cutoff in [0, 1); default ``max(n, p) * eps`` of the dtype.

    Returns
    -------
    torch.Tensor, shape (...)
        R^2 in [0, 1] (clipped), input dtype and device; differentiable.

    Raises
    ------
    ValueError, TypeError
        Invalid shapes, dtypes, devices or ``rcond``.
    DegenerateInputError
        If some batch element of ``Y`` has every column constant.

    Warns
    -----
    SaturationWarning
        If some batch element of the centred ``X`` has rank ``n - 1``.

    Notes
    -----
    Invariances (asymmetric): translation True, isotropic scaling True,
    orthogonal True, invertible linear False (True of the predictor ``X``
    only), permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(linreg_r2(X[:, :1], X)), 6)
    0.36071
    """
    func = "linreg_r2"
    Xt, Yt = _validate_pair(func, X, Y)
    return _linreg_r2(func, (Xt, "X"), (Yt, "Y"), _check_rcond(func, rcond))


def linreg_r2_y_to_x(X: torch.Tensor, Y: torch.Tensor, /, *, rcond: float | None = None) -> torch.Tensor:
    """:func:`linreg_r2` predicting ``X`` from ``Y`` over a batch (a registry direction).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(linreg_r2_y_to_x(X, X[:, :1])), 6)
    0.36071
    """
    func = "linreg_r2_y_to_x"
    Xt, Yt = _validate_pair(func, X, Y)
    return _linreg_r2(func, (Yt, "Y"), (Xt, "X"), _check_rcond(func, rcond))


# --------------------------------------------------------------------------- ridge


def _ridge_cv_r2(
    func: str, predictor: Named, target: Named, options: tuple[int, float, int | None, Aggregate]
) -> torch.Tensor:
    (P, _), (T, tname) = predictor, target
    folds, alpha, seed, aggregate = options
    n, p = P.shape[-2], P.shape[-1]
    Tc_all = _centre(T)
    _require_nonconstant(func, tname, Tc_all)
    batch = torch.broadcast_shapes(P.shape[:-2], T.shape[:-2])
    sse_total = torch.zeros(batch, dtype=P.dtype, device=P.device)
    fold_r2 = []
    for f, test_np in enumerate(fold_indices(n, folds, seed)):
        test = torch.as_tensor(test_np, device=P.device)
        mask = torch.ones(n, dtype=torch.bool, device=P.device)
        mask[test] = False
        train = torch.nonzero(mask)[:, 0]
        n_train = int(train.numel())
        P_train, T_train = P.index_select(-2, train), T.index_select(-2, train)
        p_mean, t_mean = P_train.mean(dim=-2, keepdim=True), T_train.mean(dim=-2, keepdim=True)
        Pt, Tt = _centre(P_train), _centre(T_train)
        scatter = (Pt * Pt).sum(dim=(-2, -1))
        lam = torch.where(
            scatter > 0, alpha * scatter / max(1, min(p, n_train - 1)), torch.ones_like(scatter)
        )[..., None, None]  # Pt = 0 gives B = 0
        if p <= n_train:
            eye = torch.eye(p, dtype=P.dtype, device=P.device)
            B = torch.linalg.solve(Pt.mT @ Pt + lam * eye, Pt.mT @ Tt)
        else:
            eye = torch.eye(n_train, dtype=P.dtype, device=P.device)
            B = Pt.mT @ torch.linalg.solve(Pt @ Pt.mT + lam * eye, Tt)
        prediction = (P.index_select(-2, test) - p_mean) @ B + t_mean
        T_test = T.index_select(-2, test)
        sse = ((T_test - prediction) ** 2).sum(dim=(-2, -1))
        sse_total = sse_total + sse
        if aggregate == "mean":
            Tf = _centre(T_test)
            sst = (Tf * Tf).sum(dim=(-2, -1))
            zero = sst == 0
            if bool(zero.any()):
                where = None if zero.ndim == 0 else f"{tname}[{_index(torch.nonzero(zero)[0])}]"
                _constant_fold_error(func, tname, f, test_np, where)
            fold_r2.append(1.0 - sse / sst)
    if aggregate == "mean":
        return torch.stack(fold_r2).mean(dim=0)
    return 1.0 - sse_total / (Tc_all * Tc_all).sum(dim=(-2, -1))


def ridge_cv_r2(
    X: torch.Tensor,
    Y: torch.Tensor,
    /,
    *,
    alpha: float = DEFAULT_ALPHA,
    folds: int = DEFAULT_FOLDS,
    seed: int | None = None,
    aggregate: Aggregate = "pooled",
) -> torch.Tensor:
    r"""Cross-validated ridge predictivity of ``Y`` from ``X`` over a batch (see :func:`metrics.predictive.ridge_cv_r2`).

    K-fold out-of-fold R^2 of a ridge regression with intercept and relative
    penalty :math:`\lambda = \alpha \lVert X_t\rVert_F^2 / \min(p, n_t - 1)`,
    on the folds of :func:`metrics.predictive.fold_indices`.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        The predictor(s).
    Y : torch.Tensor, shape (..., n, q)
        The target(s); batch dimensions broadcast against ``X``'s.
    alpha : float, default 0.1
        Relative ridge penalty, > 0.
    folds : int, default 5
        Number of folds in ``[2, n]``.
    seed : int, optional
        ``None``: contiguous folds; an integer: folds of a seeded permutation.
    aggregate : {"pooled", "mean"}, default "pooled"
        Pooled out-of-fold R^2, or the mean of the per-fold R^2.

    Returns
    -------
    torch.Tensor, shape (...)
        Out-of-fold R^2 in (-inf, 1], input dtype and device; differentiable
        (the systems solved are positive definite).

    Raises
    ------
    ValueError, TypeError
        Invalid shapes, dtypes, devices or options.
    DegenerateInputError
        A constant ``Y`` in some batch element; with ``aggregate="mean"``, a
        ``Y`` constant on some test fold.

    Notes
    -----
    Invariances (asymmetric): translation True, isotropic scaling True (the
    penalty is relative), orthogonal True, invertible linear False,
    permutation True.

    Examples
    --------
    >>> import numpy as np, torch
    >>> X = torch.tensor(np.random.default_rng(0).standard_normal((20, 3)))
    >>> Y = X @ torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]], dtype=torch.float64)
    >>> round(float(ridge_cv_r2(X, Y)), 6)
    0.988637
    """
    func = "ridge_cv_r2"
    Xt, Yt = _validate_pair(func, X, Y)
    options = _check_cv(func, Xt.shape[-2], folds, alpha, seed, aggregate)
    return _ridge_cv_r2(func, (Xt, "X"), (Yt, "Y"), options)


def ridge_cv_r2_y_to_x(
    X: torch.Tensor,
    Y: torch.Tensor,
    /,
    *,
    alpha: float = DEFAULT_ALPHA,
    folds: int = DEFAULT_FOLDS,
    seed: int | None = None,
    aggregate: Aggregate = "pooled",
) -> torch.Tensor:
    """:func:`ridge_cv_r2` predicting ``X`` from ``Y`` over a batch (a registry direction).

    Examples
    --------
    >>> import numpy as np, torch
    >>> X = torch.tensor(np.random.default_rng(0).standard_normal((20, 3)))
    >>> Y = X @ torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]], dtype=torch.float64)
    >>> round(float(ridge_cv_r2_y_to_x(Y, X, alpha=1e-8)), 6)
    1.0
    """
    func = "ridge_cv_r2_y_to_x"
    Xt, Yt = _validate_pair(func, X, Y)
    options = _check_cv(func, Xt.shape[-2], folds, alpha, seed, aggregate)
    return _ridge_cv_r2(func, (Yt, "Y"), (Xt, "X"), options)


# --------------------------------------------------------------------------- stitching


def _head(func: str, Tc: torch.Tensor, tname: str, readout: object, r: int | None) -> torch.Tensor:
    """The head's output ``Tc W``: explicit readout, or the top principal directions of ``Tc``."""
    q = Tc.shape[-1]
    if readout is not None:
        W: torch.Tensor = as_float_tensor(func, "readout", readout, min_ndim=2)
        if W.dtype != Tc.dtype:
            fail(
                func,
                f"readout must have the dtype of {tname} (nothing is converted silently)",
                f"readout.dtype={W.dtype} and {tname}.dtype={Tc.dtype}",
                f"Cast it explicitly, e.g. readout.to({tname}.dtype).",
                error=TypeError,
            )
        if W.device != Tc.device:
            fail(func, f"readout must be on the device of {tname}", f"readout.device={W.device} and {tname}.device={Tc.device}")
        if W.shape[-2] != q:
            fail(func, f"readout must have {q} rows (one per column of {tname})", f"readout.shape={tuple(W.shape)}")
        head = Tc @ W
        zero = (head == 0).flatten(-2).all(dim=-1)
        if bool(zero.any()):
            where = "" if zero.ndim == 0 else f" in batch element ({_index(torch.nonzero(zero)[0])})"
            fail(
                func,
                f"the head's output (centred {tname}) @ readout must be nonzero (the loss divides by its norm)",
                f"a zero output for readout.shape={tuple(W.shape)}{where}",
                error=DegenerateInputError,
            )
        return head
    with torch.no_grad():
        s_all = torch.linalg.svdvals(Tc)
        tol = max(Tc.shape[-2], q) * torch.finfo(Tc.dtype).eps * s_all[..., :1]
        rank = (s_all > tol).sum(dim=-1)
        keep = rank.clamp(max=DEFAULT_COMPONENTS if r is None else r)
        truncated = keep < rank
    if not bool(truncated.any()):
        return Tc  # all principal directions: the residual norms and the norm of Tc V are those of Tc
    idx = (keep - 1).clamp(min=0).unsqueeze(-1)
    upper = s_all.gather(-1, idx)[..., 0]
    lower = s_all.gather(-1, (idx + 1).clamp(max=s_all.shape[-1] - 1))[..., 0]
    tied = truncated & (upper - lower <= PC_GAP_RTOL * s_all[..., 0])
    if bool(tied.any()):
        first = torch.nonzero(tied)[0]  # empty for an unbatched input
        at = tuple(int(i) for i in first)
        where = "" if tied.ndim == 0 else f" in {tname}[{_index(first)}]"
        _pc_gap_error(func, tname, int(keep[at]), float(upper[at]), float(lower[at]), where)
    U, s, _ = torch.linalg.svd(Tc, full_matrices=False)
    columns = torch.arange(s.shape[-1], device=s.device)
    weights = torch.where(columns < keep.unsqueeze(-1), s, torch.zeros_like(s))
    # Tc V_keep padded with zero columns; where keep = rank (not truncated) it is Tc V_rank,
    # which has the norm and residual norms of Tc.
    return U * weights.unsqueeze(-2)


def _stitching(
    func: str, stitched: Named, kept: Named, readout: object, components: object, rcond: float | None
) -> torch.Tensor:
    (P, pname), (T, tname) = stitched, kept
    r = _check_components(func, components, T.shape[-1], tname)
    if readout is not None and r is not None:
        fail(func, "pass readout or components, not both", f"readout of shape {tuple(getattr(readout, 'shape', ()))} and components={r}")
    Pc, Tc = _centre(P), _centre(T)
    _require_nonconstant(func, tname, Tc)
    head = _head(func, Tc, tname, readout, r)
    Q, rank = _predictor_basis(Pc, rcond)
    _warn_saturated(func, pname, rank, tuple(P.shape))
    head = head / torch.linalg.matrix_norm(head, keepdim=True)
    residual = head - Q @ (Q.mT @ head)
    return (torch.linalg.matrix_norm(residual) ** 2).clamp(0.0, 1.0)


def stitching_loss_change(
    X: torch.Tensor,
    Y: torch.Tensor,
    /,
    *,
    readout: torch.Tensor | None = None,
    components: int | None = None,
    rcond: float | None = None,
) -> torch.Tensor:
    r"""Model-stitching loss change over a batch (see :func:`metrics.predictive.stitching_loss_change`).

    :math:`\lVert (I - Q_X Q_X^\top) Y_c W \rVert_F^2 / \lVert Y_c W \rVert_F^2`
    with ``W`` the given readout or ``Y``'s top ``components`` principal
    directions (default ``min(10, rank)``).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        The representation(s) stitched in.
    Y : torch.Tensor, shape (..., n, q)
        The representation(s) whose head is kept; batch dimensions broadcast.
    readout : torch.Tensor, shape (..., q, r), optional
        An explicit head (same dtype and device as ``Y``); excludes ``components``.
    components : int, optional
        Principal directions of ``Y`` in the default head, in ``[1, q]``.
    rcond : float, optional
        Relative rank cutoff for ``X`` in [0, 1).

    Returns
    -------
    torch.Tensor, shape (...)
        Loss in [0, 1] (clipped), input dtype and device; differentiable where
        the singular values involved are distinct.

    Raises
    ------
    ValueError, TypeError
        Invalid shapes, dtypes, devices or options.
    DegenerateInputError
        A constant ``Y``, a zero head output, or tied singular values at the
        cut of the principal directions, in some batch element.

    Warns
    -----
    SaturationWarning
        If some batch element of the centred ``X`` has rank ``n - 1``.

    Notes
    -----
    Invariances (asymmetric, default head): translation True, isotropic
    scaling True, orthogonal True, invertible linear False (True of ``X``
    only), permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(stitching_loss_change(X[:, :1], X, components=1)), 6)
    0.82851
    """
    func = "stitching_loss_change"
    Xt, Yt = _validate_pair(func, X, Y)
    return _stitching(func, (Xt, "X"), (Yt, "Y"), readout, components, _check_rcond(func, rcond))


def stitching_loss_change_y_to_x(
    X: torch.Tensor,
    Y: torch.Tensor,
    /,
    *,
    readout: torch.Tensor | None = None,
    components: int | None = None,
    rcond: float | None = None,
) -> torch.Tensor:
    """:func:`stitching_loss_change` stitching ``Y`` into ``X``'s head over a batch (a registry direction).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(stitching_loss_change_y_to_x(X, X[:, :1])), 6)
    0.63929
    """
    func = "stitching_loss_change_y_to_x"
    Xt, Yt = _validate_pair(func, X, Y)
    return _stitching(func, (Yt, "Y"), (Xt, "X"), readout, components, _check_rcond(func, rcond))
