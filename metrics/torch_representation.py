"""Representational similarity in torch: batched CCA, linear CKA and Procrustes.

The same measures, with the same names, conventions and messages, as the
numpy reference :mod:`metrics.representation`, over batches: ``X`` has shape
(..., n, p) and ``Y`` shape (..., n, q), the leading (batch) dimensions
broadcast against each other, and every function returns a tensor of the
broadcast batch shape (a 0-d tensor for plain matrices).

* dtype and device are kept: float32 in, float32 out; nothing is cast
  silently. Integer and boolean tensors become float64 (as in numpy), and
  ``X`` and ``Y`` must then share a dtype and a device.
* Differentiable through ``torch.linalg`` where the maths is: CKA
  everywhere off degenerate inputs, the Procrustes measures where the
  singular values involved are distinct (``procrustes_distance`` not at
  ``d = 0``, where it has a kink like ``|x|``), CCA where the inputs have
  full column rank and distinct singular values.
* No n x n matrix is built when ``p < n`` and ``q < n``.
* Degenerate inputs are checked per batch element: one constant matrix in
  the batch raises :class:`~metrics._validation.DegenerateInputError`
  naming its index.
"""

from __future__ import annotations

import torch

from metrics._validation import (
    DegenerateInputError,
    SaturationWarning,
    as_float_tensor,
    fail,
    warn,
)

__all__ = ["aligned_cosine_similarity", "cca_mean_corr", "cka_linear", "procrustes_distance", "procrustes_similarity"]


# --------------------------------------------------------------------------- helpers


def _validate_pair(func: str, X: object, Y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Check shapes, dtypes and devices of a batched pair; return the (converted) tensors."""
    Xt: torch.Tensor = as_float_tensor(func, "X", X, min_ndim=2)
    Yt: torch.Tensor = as_float_tensor(func, "Y", Y, min_ndim=2)
    shapes = f"X.shape={tuple(Xt.shape)} and Y.shape={tuple(Yt.shape)}"
    if Xt.shape[-2] != Yt.shape[-2]:
        fail(func, "X and Y must have the same number of rows (samples, the second-to-last dimension)", shapes)
    for name, A in (("X", Xt), ("Y", Yt)):
        if A.shape[-2] < 2:
            fail(
                func,
                f"{name} must have at least 2 rows (samples, the second-to-last dimension)",
                f"{name}.shape={tuple(A.shape)}",
            )
        if A.shape[-1] < 1:
            fail(
                func,
                f"{name} must have at least 1 column (feature, the last dimension)",
                f"{name}.shape={tuple(A.shape)}",
            )
    try:
        torch.broadcast_shapes(Xt.shape[:-2], Yt.shape[:-2])
    except RuntimeError:
        fail(func, "the batch dimensions of X and Y (all but the last two) must broadcast against each other", shapes)
    if Xt.dtype != Yt.dtype:
        fail(
            func,
            "X and Y must have the same dtype (nothing is converted silently)",
            f"X.dtype={Xt.dtype} and Y.dtype={Yt.dtype}",
            "Cast one of them explicitly, e.g. Y.to(X.dtype).",
            error=TypeError,
        )
    if Xt.device != Yt.device:
        fail(
            func,
            "X and Y must be on the same device",
            f"X.device={Xt.device} and Y.device={Yt.device}",
            "Move one of them, e.g. Y.to(X.device).",
        )
    return Xt, Yt


def _centre(A: torch.Tensor) -> torch.Tensor:
    """Subtract column means; columns that are exactly constant become exactly zero.

    The constant columns are zeroed by subtracting their own (detached)
    residue, so the value is exactly 0 while the gradient still flows
    through the centring, as it should (moving one entry of a constant
    column does change the centred matrix).
    """
    Ac = A - A.mean(dim=-2, keepdim=True)
    constant = A.amax(dim=-2, keepdim=True) == A.amin(dim=-2, keepdim=True)
    residue = torch.where(constant, Ac, torch.zeros_like(Ac)).detach()
    return Ac - residue


def _require_nonconstant(func: str, name: str, Ac: torch.Tensor) -> None:
    """Raise DegenerateInputError if any batch element of the centred input is the zero matrix."""
    zero = (Ac == 0).flatten(-2).all(dim=-1)
    if bool(zero.any()):
        count = int(zero.sum())
        if zero.ndim == 0:
            where = f"every column of {name} constant"
        else:
            index = ", ".join(str(int(i)) for i in torch.nonzero(zero)[0])
            where = f"every column of {name}[{index}] constant ({count} such matrices in the batch)"
        fail(
            func,
            f"{name} must have at least one non-constant column (a constant {name} is the zero "
            f"matrix once centred, and the score would be 0/0)",
            f"{where} ({name}.shape={tuple(Ac.shape)})",
            "Drop constant representations before comparing them.",
            error=DegenerateInputError,
        )


def _unit_frobenius(Ac: torch.Tensor) -> torch.Tensor:
    """Scale each (nonzero) matrix of the batch to unit Frobenius norm."""
    return Ac / torch.linalg.matrix_norm(Ac, keepdim=True)


def _column_space_basis(Ac: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Masked orthonormal basis (..., n, k) of each column space, and each numerical rank (...).

    As in the numpy reference: columns scaled to unit norm, then the left
    singular vectors whose singular value exceeds ``max(n, p) * eps * s_max``;
    the others are multiplied by 0, so a batch can mix ranks.
    """
    norms = torch.linalg.vector_norm(Ac, dim=-2, keepdim=True)
    Z = Ac / torch.where(norms > 0, norms, torch.ones_like(norms))
    U, s, _ = torch.linalg.svd(Z, full_matrices=False)
    tol = max(Z.shape[-2], Z.shape[-1]) * torch.finfo(Z.dtype).eps * s[..., :1]
    keep = s > tol
    return U * keep.unsqueeze(-2).to(U.dtype), keep.sum(dim=-1)


def _cka_features(Xc: torch.Tensor, Yc: torch.Tensor) -> torch.Tensor:
    """Linear CKA from the p x q, p x p and q x q feature products (no n x n matrix)."""
    num = torch.linalg.matrix_norm(Yc.mT @ Xc) ** 2
    den = torch.linalg.matrix_norm(Xc.mT @ Xc) * torch.linalg.matrix_norm(Yc.mT @ Yc)
    return num / den


def _cka_gram(Xc: torch.Tensor, Yc: torch.Tensor) -> torch.Tensor:
    """Linear CKA from the n x n Gram matrices ``Kx = Xc Xc^T`` (already centred) and ``Ky``."""
    Kx, Ky = Xc @ Xc.mT, Yc @ Yc.mT
    num = (Kx * Ky).sum(dim=(-2, -1))
    return num / (torch.linalg.matrix_norm(Kx) * torch.linalg.matrix_norm(Ky))


def _row_space_coordinates(A: torch.Tensor) -> torch.Tensor:
    """A wide matrix (p > n) in n coordinates, ``A = U S V^T -> U S`` (an orthogonal change of basis)."""
    if A.shape[-1] <= A.shape[-2]:
        return A
    U, s, _ = torch.linalg.svd(A, full_matrices=False)
    return U * s.unsqueeze(-2)


def _procrustes_nuclear(func: str, X: object, Y: object) -> torch.Tensor:
    """``||Xn^T Yn||_*`` per batch element, clipped to [0, 1]."""
    Xt, Yt = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xt), _centre(Yt)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Xn = _row_space_coordinates(_unit_frobenius(Xc))
    Yn = _row_space_coordinates(_unit_frobenius(Yc))
    nuclear = torch.linalg.svdvals(Xn.mT @ Yn).sum(dim=-1)
    # Exact value in [0, 1]; clip the few-ulp overshoot so 2 - 2 * nuclear stays >= 0.
    return nuclear.clamp(0.0, 1.0)


# --------------------------------------------------------------------------- measures


def cca_mean_corr(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Mean canonical correlation over a batch (see :func:`metrics.representation.cca_mean_corr`).

    :math:`\bar\rho = \frac{1}{m}\sum_i \sigma_i(Q_X^\top Q_Y)`, with
    :math:`Q_X, Q_Y` orthonormal bases of the centred column spaces and
    ``m = min(rank Xc, rank Yc)`` per batch element (the same rank-deficiency
    convention and tolerance as the numpy reference).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s); floating dtypes are kept, integer and
        boolean ones become float64.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1] (each correlation clipped to [0, 1]), same dtype and
        device as the inputs.

    Raises
    ------
    ValueError
        Mismatched rows, fewer than 2 rows, non-broadcasting batch shapes,
        different devices, or non-finite entries.
    TypeError
        Not a tensor, complex dtype, or ``X`` and ``Y`` of different dtypes.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Warns
    -----
    SaturationWarning
        If ``rank(Xc) + rank(Yc) > n - 1`` for some batch element (e.g.
        ``p >= n``): that many canonical correlations equal 1 by construction.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear True, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(cca_mean_corr(X, X[:, :1] ** 2)), 6)
    0.938493
    >>> cca_mean_corr(torch.stack([X, 2.0 * X]), X).shape
    torch.Size([2])
    """
    func = "cca_mean_corr"
    Xt, Yt = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xt), _centre(Yt)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Qx, rx = _column_space_basis(Xc)
    Qy, ry = _column_space_basis(Yc)
    n = Xt.shape[-2]
    m = torch.minimum(rx, ry)
    forced = rx + ry - (n - 1)
    saturated = forced > 0
    if bool(saturated.any()):
        if saturated.ndim == 0:
            got = f"rank(X)={int(rx)}, rank(Y)={int(ry)}, n={n}"
            detail = f"{int(forced)} of the {int(m)} canonical correlations saturate at 1 by construction"
        else:
            got = (
                f"{int(saturated.sum())} of {saturated.numel()} batch elements with rank(X) + rank(Y) > n - 1 = {n - 1}"
            )
            detail = f"up to {int(forced.max())} canonical correlations per element saturate at 1 by construction"
        warn(
            func,
            "the centred X and Y must satisfy rank(X) + rank(Y) <= n - 1 for every canonical "
            "correlation to depend on the data (it fails whenever p >= n or q >= n)",
            f"{got} (X.shape={tuple(Xt.shape)}, Y.shape={tuple(Yt.shape)}): {detail}",
            "Reduce the features first (e.g. PCA, as SVCCA does) or use more samples.",
            category=SaturationWarning,
        )
    rho = torch.linalg.svdvals(Qx.mT @ Qy).clamp(0.0, 1.0)  # masked directions give zeros
    return rho.sum(dim=-1) / m.to(rho.dtype)


def cka_linear(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Linear CKA over a batch (see :func:`metrics.representation.cka_linear`).

    :math:`\lVert Y_c^\top X_c\rVert_F^2 / (\lVert X_c^\top X_c\rVert_F \lVert Y_c^\top Y_c\rVert_F)`
    from feature products when ``p < n`` and ``q < n`` (no n x n matrix), from
    the n x n Gram matrices otherwise.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s); floating dtypes are kept, integer and
        boolean ones become float64.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1] (clipped), same dtype and device as the inputs;
        differentiable.

    Raises
    ------
    ValueError, TypeError
        As for :func:`cca_mean_corr`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(cka_linear(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.48818
    """
    func = "cka_linear"
    Xt, Yt = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xt), _centre(Yt)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Xc, Yc = _unit_frobenius(Xc), _unit_frobenius(Yc)
    n, p, q = Xt.shape[-2], Xt.shape[-1], Yt.shape[-1]
    value = _cka_features(Xc, Yc) if (p < n and q < n) else _cka_gram(Xc, Yc)
    # A cosine between Gram matrices: clip the few-ulp overshoot past 1.
    return value.clamp(0.0, 1.0)


def procrustes_similarity(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Procrustes similarity :math:`\lVert X_n^\top Y_n\rVert_*` over a batch.

    See :func:`metrics.representation.procrustes_similarity`; ``Xn`` is the
    centred ``X`` scaled to unit Frobenius norm. A wide input (``p > n``) is
    first replaced by its n coordinates ``U S`` in its row space (an
    orthogonal change of feature basis), so the product is at most n x n.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1] (clipped), same dtype and device as the inputs.

    Raises
    ------
    ValueError, TypeError
        As for :func:`cca_mean_corr`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(procrustes_similarity(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.702078
    """
    return _procrustes_nuclear("procrustes_similarity", X, Y)


def procrustes_distance(X: torch.Tensor, Y: torch.Tensor, /, *, squared: bool = False) -> torch.Tensor:
    r"""Orthogonal Procrustes distance ``sqrt(2 - 2 ||Xn^T Yn||_*)`` over a batch.

    See :func:`metrics.representation.procrustes_distance` (Ding et al. 2021
    normalisation; the square root of their value, a metric).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    squared : bool, default False
        Return ``2 - 2 ||Xn^T Yn||_*`` (Ding et al.'s convention, in [0, 2]).

    Returns
    -------
    torch.Tensor, shape (...)
        Distances in [0, sqrt(2)], same dtype and device as the inputs.
        ``d^2`` is clipped at 0 before the square root (rounding can make it
        slightly negative for nearly identical inputs); near 0 the result is
        accurate to about ``sqrt(eps)``: ~1e-8 in float64, ~3e-4 in float32.
        Differentiable where ``d > 0``; at ``d = 0`` the gradient of the
        square root is infinite.

    Raises
    ------
    ValueError, TypeError
        As for :func:`cca_mean_corr`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(procrustes_distance(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.771909
    """
    similarity = _procrustes_nuclear("procrustes_distance", X, Y)
    d2 = (2.0 - 2.0 * similarity).clamp(min=0.0)
    return d2 if squared else torch.sqrt(d2)


def aligned_cosine_similarity(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    """Aligned cosine similarity over a batch (see :func:`metrics.representation.aligned_cosine_similarity`).

    ``Q = U V^T`` from the SVD of ``X^T Y`` (zero-padded to a common width),
    then the mean row cosine of ``X Q`` and ``Y``. Returns a (...) tensor in
    [-1, 1] with the inputs' dtype and device; differentiable where the
    singular values of ``X^T Y`` are distinct.

    Notes
    -----
    Invariances: translation False, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]], dtype=torch.float64)
    >>> rot = torch.tensor([[0.0, -1.0], [1.0, 0.0]], dtype=torch.float64)
    >>> round(float(aligned_cosine_similarity(X, 3.0 * X @ rot)), 12)
    1.0
    """
    func = "aligned_cosine_similarity"
    Xt, Yt = _validate_pair(func, X, Y)
    width = max(Xt.shape[-1], Yt.shape[-1])
    Xp = torch.nn.functional.pad(Xt, (0, width - Xt.shape[-1]))
    Yp = torch.nn.functional.pad(Yt, (0, width - Yt.shape[-1]))
    Xp, Yp = torch.broadcast_tensors(Xp, Yp)
    for name, A in (("X", Xp), ("Y", Yp)):
        zero = (A.detach().norm(dim=-1) == 0).any(dim=-1)
        if bool(zero.any()):
            fail(func, f"every row of {name} must be non-zero (a cosine needs a direction)",
                 f"a zero row in {int(zero.sum())} batch element(s)", error=DegenerateInputError)
    U, _, Vh = torch.linalg.svd(Xp.transpose(-1, -2) @ Yp)
    Xq = Xp @ (U @ Vh)
    cos = (Xq * Yp).sum(dim=-1) / (Xq.norm(dim=-1) * Yp.norm(dim=-1))
    # Clip: rounding can put a cosine a few ulps outside [-1, 1].
    return cos.mean(dim=-1).clamp(-1.0, 1.0)
