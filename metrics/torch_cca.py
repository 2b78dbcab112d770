"""The CCA family in torch: batched canonical correlations, Yanai's R^2, Pillai, SVCCA, PWCCA.

The same measures, names, conventions and messages as the numpy reference
:mod:`metrics.cca`, over batches: ``X`` has shape (..., n, p) and ``Y``
shape (..., n, q), the leading (batch) dimensions broadcast against each
other, and every score is a tensor of the broadcast batch shape (a 0-d tensor
for plain matrices).

* dtype and device are kept (float32 in, float32 out); integer and boolean
  tensors become float64, as in numpy.
* Ranks, and SVCCA's numbers of kept components, are decided per batch
  element; the bases are masked (unused directions multiplied by 0) so that
  a batch can mix them.
* Differentiable through ``torch.linalg`` where the maths is: where the
  inputs have full column rank and the singular values involved are
  distinct (SVCCA also away from a change in the number of kept
  components, which is piecewise constant).
* No n x n matrix is built when ``p < n`` and ``q < n``.
* Degenerate inputs raise per batch element, naming the index.
"""

from __future__ import annotations

import torch

from metrics._validation import SaturationWarning, check_positive_int, check_range, fail, warn
from metrics.cca import SVCCA_DEFAULT_THRESHOLD, WeightBy
from metrics.torch_representation import _centre, _column_space_basis, _require_nonconstant, _validate_pair

__all__ = [
    "canonical_correlations",
    "cca_mean_sq_corr",
    "cca_pillai_trace",
    "pwcca",
    "pwcca_by_y",
    "svcca",
]


# --------------------------------------------------------------------------- helpers


def _centred_pair(func: str, X: object, Y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Validated, column-centred batches; raise DegenerateInputError on an all-constant element."""
    Xt, Yt = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xt), _centre(Yt)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    return Xc, Yc


def _warn_if_saturated(
    func: str,
    kx: torch.Tensor,
    ky: torch.Tensor,
    shapes: tuple[tuple[int, ...], tuple[int, ...]],
    *,
    sizes: str = "rank",
    floor: str = "",
    fix: str = "Reduce the features first (e.g. PCA, as SVCCA does) or use more samples.",
    stacklevel: int = 5,
) -> None:
    """SaturationWarning when ``kx + ky > n - 1`` for some batch element (message as in numpy)."""
    n = shapes[0][-2]
    forced = kx + ky - (n - 1)
    saturated = forced > 0
    if not bool(saturated.any()):
        return
    if sizes == "rank":
        rule = (
            "the centred X and Y must satisfy rank(X) + rank(Y) <= n - 1 for every canonical "
            "correlation to depend on the data (it fails whenever p >= n or q >= n)"
        )
    else:
        rule = (
            f"the numbers of kept principal components must satisfy {sizes}(X) + {sizes}(Y) <= n - 1 "
            "for every canonical correlation to depend on the data"
        )
    if saturated.ndim == 0:
        f, m = int(forced), int(torch.minimum(kx, ky))
        got = f"{sizes}(X)={int(kx)}, {sizes}(Y)={int(ky)}, n={n}"
        detail = (
            f"{f} of the {m} canonical correlations saturate at 1 by construction"
            f"{floor.format(forced=f, m=m, ratio=f / m)}"
        )
    else:
        got = (
            f"{int(saturated.sum())} of {saturated.numel()} batch elements with "
            f"{sizes}(X) + {sizes}(Y) > n - 1 = {n - 1}"
        )
        detail = f"up to {int(forced.max())} canonical correlations per element saturate at 1 by construction"
    warn(
        func,
        rule,
        f"{got} (X.shape={shapes[0]}, Y.shape={shapes[1]}): {detail}",
        fix,
        category=SaturationWarning,
        stacklevel=stacklevel,
    )


def _cca_bases(
    func: str, X: object, Y: object, *, floor: str = "", stacklevel: int = 5
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Centred batches, masked orthonormal bases of their column spaces and their ranks."""
    Xc, Yc = _centred_pair(func, X, Y)
    Qx, rx = _column_space_basis(Xc)
    Qy, ry = _column_space_basis(Yc)
    _warn_if_saturated(func, rx, ry, (tuple(Xc.shape), tuple(Yc.shape)), floor=floor, stacklevel=stacklevel)
    return Xc, Yc, Qx, rx, Qy, ry


def _check_weight_by(func: str, weight_by: object) -> None:
    if weight_by not in ("X", "Y", "fewer"):
        fail(func, "weight_by must be 'X', 'Y' or 'fewer'", f"weight_by={weight_by!r}")


def _svcca_options(func: str, threshold: object, keep: object) -> tuple[float, int | None]:
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


def _principal_subspace(Ac: torch.Tensor, threshold: float, keep: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Masked basis (..., n, min(n, p)) of the top-k principal components and k (...) per element.

    As in the numpy reference: k is the smallest number of leading components
    explaining the fraction ``threshold`` of the variance, or
    ``min(keep, rank)``; never more than the numerical rank. The choice of k
    is made on detached singular values (it is piecewise constant).
    """
    U, s, _ = torch.linalg.svd(Ac, full_matrices=False)
    sd = s.detach()
    tol = max(Ac.shape[-2], Ac.shape[-1]) * torch.finfo(sd.dtype).eps * sd[..., :1]
    above = sd > tol
    rank = above.sum(dim=-1)
    if keep is not None:
        k = rank.clamp(max=keep)
    else:
        variance = torch.where(above, sd**2, torch.zeros_like(sd))
        fraction = variance.cumsum(dim=-1) / variance.sum(dim=-1, keepdim=True)  # relative: scale-free
        k = torch.minimum(1 + (fraction < threshold).sum(dim=-1), rank)
    mask = torch.arange(s.shape[-1], device=s.device) < k.unsqueeze(-1)
    return U * mask.unsqueeze(-2).to(U.dtype), k


# --------------------------------------------------------------------------- measures


def canonical_correlations(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""The canonical correlations over a batch (see :func:`metrics.cca.canonical_correlations`).

    :math:`\rho_i = \sigma_i(Q_X^\top Q_Y)` with :math:`Q_X, Q_Y` masked
    orthonormal bases of the centred column spaces.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s); floating dtypes are kept, integer and
        boolean ones become float64.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (..., min(n - 1, p, q))
        Correlations in decreasing order, each clipped to [0, 1], same dtype
        and device as the inputs. The length is the largest possible number
        of canonical correlations; an element with
        ``m = min(rank Xc, rank Yc)`` below it has zeros in the last places,
        so for full-rank inputs with ``p, q < n`` this equals the numpy
        vector.

    Raises
    ------
    ValueError, TypeError
        As for :func:`metrics.torch_representation.cca_mean_corr`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Warns
    -----
    SaturationWarning
        If ``rank(Xc) + rank(Yc) > n - 1`` for some batch element.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> canonical_correlations(X, torch.stack([X[:, 0], X[:, 1] ** 2], dim=1)).round(decimals=6)
    tensor([1.0000, 0.9508], dtype=torch.float64)
    """
    Xc, Yc, Qx, _, Qy, _ = _cca_bases("canonical_correlations", X, Y)
    n, p, q = Xc.shape[-2], Xc.shape[-1], Yc.shape[-1]
    rho = torch.linalg.svdvals(Qx.mT @ Qy).clamp(0.0, 1.0)
    return rho[..., : min(n - 1, p, q)]


def cca_mean_sq_corr(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Yanai's :math:`R^2_{\mathrm{CCA}}` over a batch (see :func:`metrics.cca.cca_mean_sq_corr`).

    :math:`\frac{1}{m}\sum_i \rho_i^2` with ``m = min(rank Xc, rank Yc)`` per
    batch element.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1], same dtype and device as the inputs.

    Raises
    ------
    ValueError, TypeError
        As for :func:`metrics.torch_representation.cca_mean_corr`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Warns
    -----
    SaturationWarning
        If ``rank(Xc) + rank(Yc) > n - 1`` for some batch element.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear True, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(cca_mean_sq_corr(X, torch.stack([X[:, 0], X[:, 1] ** 2], dim=1))), 6)
    0.951995
    """
    _, _, Qx, rx, Qy, ry = _cca_bases("cca_mean_sq_corr", X, Y, floor=", so the score is at least {ratio:.3g}")
    rho = torch.linalg.svdvals(Qx.mT @ Qy).clamp(0.0, 1.0)  # masked directions give zeros
    return (rho**2).sum(dim=-1) / torch.minimum(rx, ry).to(rho.dtype)


def cca_pillai_trace(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Pillai's trace :math:`\sum_i \rho_i^2` over a batch (see :func:`metrics.cca.cca_pillai_trace`).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        Traces in [0, min(rank Xc, rank Yc)] (not normalised), same dtype and
        device as the inputs.

    Raises
    ------
    ValueError, TypeError
        As for :func:`metrics.torch_representation.cca_mean_corr`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Warns
    -----
    SaturationWarning
        If ``rank(Xc) + rank(Yc) > n - 1`` for some batch element.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear True, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(cca_pillai_trace(X, torch.stack([X[:, 0], X[:, 1] ** 2], dim=1))), 6)
    1.903991
    """
    _, _, Qx, _, Qy, _ = _cca_bases("cca_pillai_trace", X, Y, floor=", so the trace is at least {forced}")
    rho = torch.linalg.svdvals(Qx.mT @ Qy).clamp(0.0, 1.0)
    return (rho**2).sum(dim=-1)


def svcca(
    X: torch.Tensor, Y: torch.Tensor, /, *, threshold: float | None = None, keep: int | None = None
) -> torch.Tensor:
    r"""SVCCA over a batch (see :func:`metrics.cca.svcca`).

    Per batch element and view, keep the leading principal components that
    explain the fraction ``threshold`` (default 0.99) of the variance, or
    ``keep`` of them, then average the canonical correlations of the kept
    subspaces over ``min(k_X, k_Y)``.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    threshold : float in (0, 1], optional
        Explained-variance fraction (0.99 when neither option is given).
    keep : int >= 1, optional
        Fixed number of leading components per view instead.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1], same dtype and device as the inputs.

    Raises
    ------
    ValueError, TypeError
        As for :func:`metrics.cca.svcca`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Warns
    -----
    SaturationWarning
        If ``k_X + k_Y > n - 1`` for some batch element.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False (a different subspace may be kept), feature
    permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> Y = torch.stack([X[:, 1] ** 2, 0.01 * X[:, 0]], dim=1)
    >>> round(float(svcca(X, Y)), 6), round(float(svcca(X, Y, keep=2)), 6)
    (0.951972, 0.975392)
    """
    func = "svcca"
    threshold, keep = _svcca_options(func, threshold, keep)
    Xc, Yc = _centred_pair(func, X, Y)
    Bx, kx = _principal_subspace(Xc, threshold, keep)
    By, ky = _principal_subspace(Yc, threshold, keep)
    _warn_if_saturated(
        func,
        kx,
        ky,
        (tuple(Xc.shape), tuple(Yc.shape)),
        sizes="k",
        floor=", so the score is at least {ratio:.3g}",
        fix="Keep fewer components (a lower threshold or keep) or use more samples.",
        stacklevel=4,
    )
    rho = torch.linalg.svdvals(Bx.mT @ By).clamp(0.0, 1.0)  # masked directions give zeros
    return rho.sum(dim=-1) / torch.minimum(kx, ky).to(rho.dtype)


def pwcca(X: torch.Tensor, Y: torch.Tensor, /, *, weight_by: WeightBy = "X") -> torch.Tensor:
    r"""Projection-weighted CCA over a batch (see :func:`metrics.cca.pwcca`).

    :math:`\sum_i \alpha_i \rho_i / \sum_i \alpha_i` with
    :math:`\alpha_i = \sum_j |\langle h_i, x_j\rangle|`, :math:`h_i` the
    canonical variates of the weighting argument and :math:`x_j` its centred
    neurons; only the ``m = min(rank Xc, rank Yc)`` genuine canonical pairs
    of each batch element count.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    weight_by : {"X", "Y", "fewer"}, default "X"
        Whose canonical variates and neurons weight the correlations
        (``"fewer"``: the argument with fewer non-constant columns, per batch
        element, ``X`` on a tie).

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1], same dtype and device as the inputs.
        Differentiable where the canonical correlations are distinct and
        nonzero and no projection :math:`\langle h_i, x_j\rangle` is 0;
        where correlations are tied (e.g. saturated inputs, all equal to 1)
        the canonical variates are not unique and the gradient through the
        SVD is not finite.

    Raises
    ------
    ValueError, TypeError
        As for :func:`metrics.cca.pwcca`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Warns
    -----
    SaturationWarning
        If ``rank(Xc) + rank(Yc) > n - 1`` for some batch element.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal False,
    invertible linear False (both fail for the weighting argument only),
    feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(pwcca(X, torch.stack([X[:, 0], X[:, 1] ** 2], dim=1))), 6)
    0.974869
    """
    return _pwcca("pwcca", X, Y, weight_by)


def _pwcca(func: str, X: object, Y: object, weight_by: object) -> torch.Tensor:
    """PWCCA over a batch, reporting errors and warnings as ``func``."""
    _check_weight_by(func, weight_by)
    Xc, Yc, Qx, rx, Qy, ry = _cca_bases(func, X, Y, stacklevel=6)
    U, rho, Vh = torch.linalg.svd(Qx.mT @ Qy, full_matrices=False)
    rho = rho.clamp(0.0, 1.0)
    genuine = torch.arange(rho.shape[-1], device=rho.device) < torch.minimum(rx, ry).unsqueeze(-1)
    genuine = genuine.to(rho.dtype)

    def weighted(H: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
        alpha = (H.mT @ A).abs().sum(dim=-1) * genuine  # alpha_i = sum_j |<h_i, a_j>|
        return (alpha * rho).sum(dim=-1) / alpha.sum(dim=-1)

    if weight_by == "X":
        return weighted(Qx @ U, Xc)
    if weight_by == "Y":
        return weighted(Qy @ Vh.mT, Yc)
    px = (Xc != 0).any(dim=-2).sum(dim=-1)
    py = (Yc != 0).any(dim=-2).sum(dim=-1)
    return torch.where(px <= py, weighted(Qx @ U, Xc), weighted(Qy @ Vh.mT, Yc))


def pwcca_by_y(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""PWCCA weighted by the second argument over a batch: ``pwcca(X, Y, weight_by="Y")``.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); their canonical variates and neurons weight.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1], same dtype and device as the inputs.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(pwcca_by_y(X, torch.stack([X[:, 0], X[:, 1] ** 2], dim=1))), 6)
    0.96421
    """
    return _pwcca("pwcca_by_y", X, Y, "Y")
