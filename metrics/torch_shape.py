"""Generalized shape metrics in torch: batched angular and Euclidean forms with partial whitening.

The same measures, names, conventions and messages as the numpy reference
:mod:`metrics.shape`, over batches: ``X`` (..., n, p) and ``Y`` (..., n, q)
with broadcasting batch dimensions; every distance is a tensor of the
broadcast batch shape. dtype and device are kept (integer and boolean
tensors become float64); ranks are decided per batch element and the unused
directions masked. Differentiable where the singular values involved are
distinct and the distance is positive (at ``d = 0`` the arccos and the
square root have infinite slope). No n x n matrix is built when ``p, q < n``.
"""

from __future__ import annotations

import torch

from metrics.shape import _check_options
from metrics.torch_cca import _centred_pair, _warn_if_saturated

__all__ = [
    "shape_angular_a0",
    "shape_angular_a05",
    "shape_angular_a1",
    "shape_angular_distance",
    "shape_euclidean_a05",
    "shape_euclidean_a1",
    "shape_euclidean_distance",
]


# --------------------------------------------------------------------------- helpers


def _whitened_coordinates(
    Ac: torch.Tensor, alpha: float, normalize: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Masked ``U diag(g) / ||g||`` (..., n, min(n, p)), the size (...) and the rank (...) per element.

    ``g = alpha * s + (1 - alpha)`` on the singular values ``s`` above the
    rank tolerance ``max(n, p) * eps * s_max``, 0 beyond; size 1 when
    normalised, else ``||Ac||_F``.
    """
    size = torch.linalg.matrix_norm(Ac)
    As = Ac / size[..., None, None] if normalize else Ac
    U, s, _ = torch.linalg.svd(As, full_matrices=False)
    tol = max(As.shape[-2], As.shape[-1]) * torch.finfo(s.dtype).eps * s[..., :1].detach()
    keep = s.detach() > tol
    g = torch.where(keep, alpha * s + (1.0 - alpha), torch.zeros_like(s))
    g = g / torch.linalg.vector_norm(g, dim=-1, keepdim=True)
    return U * g.unsqueeze(-2), (torch.ones_like(size) if normalize else size), keep.sum(dim=-1)


def _shape_cosine(
    func: str, X: object, Y: object, alpha: float, normalize: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``cos(theta)`` clipped to [0, 1] per batch element, and the sizes of the whitened inputs."""
    Xc, Yc = _centred_pair(func, X, Y)
    Wx, a, rx = _whitened_coordinates(Xc, alpha, normalize)
    Wy, b, ry = _whitened_coordinates(Yc, alpha, normalize)
    if alpha == 0.0:  # full whitening is CCA, and saturates like it
        _warn_if_saturated(
            func,
            rx,
            ry,
            (tuple(Xc.shape), tuple(Yc.shape)),
            fix="Reduce the features first, use more samples, or set alpha > 0.",
            stacklevel=6,
        )
    nuclear = torch.linalg.svdvals(Wx.mT @ Wy).sum(dim=-1)
    # Exact value in [0, 1]: clip the few-ulp overshoot so arccos and sqrt stay defined.
    return nuclear.clamp(0.0, 1.0), a, b


# --------------------------------------------------------------------------- measures


def shape_angular_distance(
    X: torch.Tensor, Y: torch.Tensor, /, *, alpha: float = 1.0, normalize: bool = True
) -> torch.Tensor:
    r"""Angular shape metric over a batch (see :func:`metrics.shape.shape_angular_distance`).

    :math:`\arccos(\lVert W_X^\top W_Y \rVert_*)` with
    :math:`W = U \operatorname{diag}(g) / \lVert g \rVert`,
    :math:`g = \alpha s + (1 - \alpha)` from the SVD of each centred (and, by
    default, unit-Frobenius) input.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s); floating dtypes are kept, integer and
        boolean ones become float64.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    alpha : float in [0, 1], default 1.0
        Partial whitening: 0 is the CCA angle, 1 the Procrustes angle.
    normalize : bool, default True
        Scale each centred input to unit Frobenius norm before whitening
        (``False``: netrep's convention).

    Returns
    -------
    torch.Tensor, shape (...)
        Angles in [0, pi/2], same dtype and device as the inputs (cosine
        clipped to [0, 1] before the arccos; accurate to about ``sqrt(eps)``
        near 0: ~1e-8 in float64, ~3e-4 in float32).

    Raises
    ------
    ValueError, TypeError
        As for :func:`metrics.shape.shape_angular_distance`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Warns
    -----
    SaturationWarning
        At ``alpha = 0`` if ``rank(Xc) + rank(Yc) > n - 1`` for some element.

    Notes
    -----
    Invariances (``normalize=True``): translation True, isotropic scaling
    True, orthogonal True, invertible linear True only at ``alpha = 0``,
    feature permutation True. A metric (triangle inequality holds).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> A = torch.tensor([[10.0, 1.0], [0.0, 1.0]], dtype=torch.float64)
    >>> round(float(shape_angular_distance(X, X @ A, alpha=0.5)), 6)
    0.330062
    """
    return _angular("shape_angular_distance", X, Y, alpha, normalize)


def _angular(func: str, X: object, Y: object, alpha: object, normalize: object) -> torch.Tensor:
    alpha = _check_options(func, alpha, normalize)
    cosine, _, _ = _shape_cosine(func, X, Y, alpha, bool(normalize))
    return torch.arccos(cosine)


def shape_euclidean_distance(
    X: torch.Tensor, Y: torch.Tensor, /, *, alpha: float = 1.0, normalize: bool = True
) -> torch.Tensor:
    r"""Euclidean shape metric over a batch (see :func:`metrics.shape.shape_euclidean_distance`).

    :math:`\sqrt{a^2 + b^2 - 2 a b \cos\theta}` with :math:`\theta` the
    angular shape distance and ``a``, ``b`` the sizes of the whitened inputs
    (1 when normalised, else the Frobenius norms of the centred inputs).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    alpha : float in [0, 1], default 1.0
        Partial whitening.
    normalize : bool, default True
        Scale each centred input to unit Frobenius norm first.

    Returns
    -------
    torch.Tensor, shape (...)
        Distances in [0, sqrt(2)] (``normalize=True``), same dtype and
        device as the inputs; ``d^2`` clipped at 0 before the square root.

    Raises
    ------
    ValueError, TypeError
        As for :func:`metrics.shape.shape_euclidean_distance`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Warns
    -----
    SaturationWarning
        At ``alpha = 0`` if ``rank(Xc) + rank(Yc) > n - 1`` for some element.

    Notes
    -----
    Invariances (``normalize=True``): translation True, isotropic scaling
    True, orthogonal True, invertible linear True only at ``alpha = 0``,
    feature permutation True. A metric.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> D = torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64))
    >>> round(float(shape_euclidean_distance(X, X @ D)), 6), round(float(shape_euclidean_distance(X, X @ D, alpha=0.5)), 6)
    (0.771909, 0.329234)
    """
    return _euclidean("shape_euclidean_distance", X, Y, alpha, normalize)


def _euclidean(func: str, X: object, Y: object, alpha: object, normalize: object) -> torch.Tensor:
    alpha = _check_options(func, alpha, normalize)
    cosine, a, b = _shape_cosine(func, X, Y, alpha, bool(normalize))
    # law of cosines; rounding can make it slightly negative for nearly equal inputs
    return torch.sqrt((a * a + b * b - 2.0 * a * b * cosine).clamp(min=0.0))


# --------------------------------------------------------------------------- registry entries


def shape_angular_a0(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    """``shape_angular_distance(X, Y, alpha=0.0)`` over a batch (registry entry ``shape_angular_a0``).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(shape_angular_a0(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.0
    """
    return _angular("shape_angular_a0", X, Y, 0.0, True)


def shape_angular_a05(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    """``shape_angular_distance(X, Y, alpha=0.5)`` over a batch (registry entry ``shape_angular_a05``).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(shape_angular_a05(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.33074
    """
    return _angular("shape_angular_a05", X, Y, 0.5, True)


def shape_angular_a1(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    """``shape_angular_distance(X, Y, alpha=1.0)`` over a batch (registry entry ``shape_angular_a1``).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(shape_angular_a1(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.792485
    """
    return _angular("shape_angular_a1", X, Y, 1.0, True)


def shape_euclidean_a05(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    """``shape_euclidean_distance(X, Y, alpha=0.5)`` over a batch (registry entry ``shape_euclidean_a05``).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(shape_euclidean_a05(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.329234
    """
    return _euclidean("shape_euclidean_a05", X, Y, 0.5, True)


def shape_euclidean_a1(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    """``shape_euclidean_distance(X, Y, alpha=1.0)`` over a batch (registry entry ``shape_euclidean_a1``).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(shape_euclidean_a1(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.771909
    """
    return _euclidean("shape_euclidean_a1", X, Y, 1.0, True)
