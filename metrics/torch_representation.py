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

import math
from typing import NamedTuple

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
    return _centre_mask(A)[0]


def _centre_mask(A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`_centre` and the (..., p) mask of the constant (now exactly zero) columns.

    A non-constant column is nonzero once centred, so the mask also tells
    which centred columns are zero. Without constant columns no residue is
    subtracted (one pass over the data less).
    """
    Ac = A - A.mean(dim=-2, keepdim=True)
    constant = A.amax(dim=-2) == A.amin(dim=-2)
    if bool(constant.any()):
        residue = torch.where(constant.unsqueeze(-2), Ac, torch.zeros_like(Ac)).detach()
        Ac = Ac - residue
    return Ac, constant


def _require_nonconstant(func: str, name: str, Ac: torch.Tensor, constant: torch.Tensor | None = None) -> None:
    """Raise DegenerateInputError if any batch element of the centred input is the zero matrix.

    ``constant`` (from :func:`_centre_mask`) decides it without another pass over ``Ac``.
    """
    zero = (Ac == 0).flatten(-2).all(dim=-1) if constant is None else constant.all(dim=-1)
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


def _max_scaled(A: torch.Tensor, dim: int | tuple[int, int] = (-2, -1)) -> torch.Tensor:
    """``A`` divided by its largest absolute entry per matrix (``dim=-2``: per column), zeros kept.

    The divisor is detached: every use is scale-invariant, so the gradient
    is unchanged, and no square of the result overflows or underflows.
    """
    m = A.detach().abs().amax(dim=dim, keepdim=True)
    return A / torch.where(m > 0, m, torch.ones_like(m))


def _robust_norm(A: torch.Tensor) -> torch.Tensor:
    """Frobenius norm of each matrix without overflow or underflow in the squares."""
    m = A.detach().abs().amax(dim=(-2, -1))
    m = torch.where(m > 0, m, torch.ones_like(m))
    return m * torch.linalg.matrix_norm(A / m[..., None, None])


def _unit_frobenius(Ac: torch.Tensor) -> torch.Tensor:
    """Scale each (nonzero) matrix of the batch to unit Frobenius norm (no overflow or underflow)."""
    B = _max_scaled(Ac)
    return B / torch.linalg.matrix_norm(B, keepdim=True)


def _column_space_basis(Ac: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Masked orthonormal basis (..., n, k) of each column space, and each numerical rank (...).

    As in the numpy reference: columns scaled to unit norm, then the left
    singular vectors whose singular value exceeds ``max(n, p) * eps * s_max``;
    the others are multiplied by 0, so a batch can mix ranks.
    """
    B = _max_scaled(Ac, dim=-2)  # no square overflows or underflows
    norms = torch.linalg.vector_norm(B, dim=-2, keepdim=True)
    Z = B / torch.where(norms > 0, norms, torch.ones_like(norms))
    U, s, _ = torch.linalg.svd(Z, full_matrices=False)
    tol = max(Z.shape[-2], Z.shape[-1]) * torch.finfo(Z.dtype).eps * s[..., :1]
    keep = s > tol
    return U * keep.unsqueeze(-2).to(U.dtype), keep.sum(dim=-1)


def _gram_range(dtype: torch.dtype) -> tuple[float, float]:
    """Squared column norms for which products of the unscaled data neither overflow nor lose
    accuracy to underflow: [sqrt(tiny), sqrt(max)] of the dtype (as in the numpy reference)."""
    info = torch.finfo(dtype)
    return math.sqrt(info.tiny), math.sqrt(info.max)


#: Cholesky QR2 is trusted when the first pass's basis Q1 satisfies ||Q1^T Q1 - I||_F <= this.
CHOLQR2_MAX_DEPARTURE = 0.5


class _Frame(NamedTuple):
    """A batch of centred matrices ``A`` (..., n, p) held as ``A = Q R`` with ``Q`` (..., n, p) implicit.

    As :class:`metrics.representation._Frame`, with every column kept: a
    constant (zero) column has a zero column in ``Q``, ``R`` and ``Rz``, so
    a batch can mix them.
    """

    nonconstant: torch.Tensor  #: (..., p) bool
    d: torch.Tensor  #: (..., p) column norms (1 for the constant columns)
    Rz: torch.Tensor  #: (..., p, p) upper triangular: ``A / d = Q Rz``

    @property
    def R(self) -> torch.Tensor:
        """``Q^T A``, the R factor of the unscaled columns."""
        return self.Rz * self.d.unsqueeze(-2)


def _cholesky_qr_pass(A: torch.Tensor, constant: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None:
    """First Cholesky QR pass, batched: ``(d, R1, Q1)`` with ``A / d = Q1 R1``, or None (see numpy).

    Constant columns get an identity row and column in the scaled Gram
    matrix, hence a zero column in ``Q1``.
    """
    n, p = A.shape[-2], A.shape[-1]
    if int((~constant).sum(dim=-1).max()) > n - 1:
        return None
    G = A.mT @ A
    g = G.diagonal(dim1=-2, dim2=-1)
    low, high = _gram_range(A.dtype)
    gd = g.detach()
    if not bool((((gd >= low) & (gd <= high)) | constant).all()):  # also False on NaN
        return None
    d = torch.sqrt(torch.where(constant, torch.ones_like(g), g))
    eye = torch.eye(p, dtype=A.dtype, device=A.device)
    both = ~(constant.unsqueeze(-1) | constant.unsqueeze(-2))
    Gs = torch.where(both, G / (d.unsqueeze(-1) * d.unsqueeze(-2)), eye)
    R1, info = torch.linalg.cholesky_ex(Gs, upper=True)
    if bool((info != 0).any()):
        return None
    # Q1 = A (R1 D)^{-1}, solved as Q1^T = (R1 D)^{-T} A^T: A^T is already column-major, so
    # LAPACK's layout needs no transposed copy of the data (and Q1 comes back row-major).
    Q1 = torch.linalg.solve_triangular((R1 * d.unsqueeze(-2)).mT, A.mT, upper=False).mT
    return d, R1, Q1


def _second_pass(Q1: torch.Tensor, constant: torch.Tensor) -> torch.Tensor | None:
    """Upper ``R2`` with ``Q1 = Q R2``, or None when ``||Q1^T Q1 - I||_F`` exceeds the departure bound."""
    p = Q1.shape[-1]
    eye = torch.eye(p, dtype=Q1.dtype, device=Q1.device)
    both = ~(constant.unsqueeze(-1) | constant.unsqueeze(-2))
    G2 = torch.where(both, Q1.mT @ Q1, eye)
    if not bool((torch.linalg.matrix_norm(G2.detach() - eye) <= CHOLQR2_MAX_DEPARTURE).all()):
        return None
    R2, info = torch.linalg.cholesky_ex(G2, upper=True)
    return None if bool((info != 0).any()) else R2


def _frames(
    Xc: torch.Tensor, Yc: torch.Tensor, cx: torch.Tensor, cy: torch.Tensor
) -> tuple[_Frame, _Frame, torch.Tensor] | None:
    """Cholesky QR2 of both batches and ``C = Qx^T Qy`` (..., p, q), or None (the algorithm of
    :func:`metrics.representation._frames`; a single untrusted element sends the whole batch to
    the SVD route). Differentiable: Cholesky, triangular solves and products."""
    out = []
    for A, constant in ((Xc, cx), (Yc, cy)):
        first = _cholesky_qr_pass(A, constant)
        if first is None:
            return None
        d, R1, Q1 = first
        R2 = _second_pass(Q1, constant)
        if R2 is None:
            return None
        out.append((d, R1, Q1, R2))
    (dx, R1x, Q1x, R2x), (dy, R1y, Q1y, R2y) = out
    T = torch.linalg.solve_triangular(R2x.mT, Q1x.mT @ Q1y, upper=False)  # R2x^{-T} (Q1x^T Q1y)
    C = torch.linalg.solve_triangular(R2y, T, upper=True, left=False)  # ... R2y^{-1}
    fx = _Frame(~cx, dx, (R2x @ R1x) * (~cx).unsqueeze(-2).to(Xc.dtype))
    fy = _Frame(~cy, dy, (R2y @ R1y) * (~cy).unsqueeze(-2).to(Yc.dtype))
    return fx, fy, C


def _full_rank(R: torch.Tensor, nonconstant: torch.Tensor, n: int) -> torch.Tensor:
    """(...) bool: every singular value of the non-constant block of ``R`` provably exceeds the rank tolerance.

    ``s_max <= ||R||_F`` and ``s_min >= 1 / ||R^{-1}||_F``, with the
    constant columns' zero rows and columns replaced by the identity (which
    only makes the bound more conservative); factor 2 to spare.
    """
    p = R.shape[-1]
    eps = torch.finfo(R.dtype).eps
    eye = torch.eye(p, dtype=R.dtype, device=R.device)
    Rd = R.detach() + torch.diag_embed((~nonconstant).to(R.dtype))
    Rinv = torch.linalg.solve_triangular(Rd, eye.expand_as(Rd), upper=True)
    bound = 2.0 * max(n, p) * eps * torch.linalg.matrix_norm(R.detach()) * torch.linalg.matrix_norm(Rinv)
    return bound < 1.0  # False on inf or NaN


def _cca_coordinates(f: _Frame, n: int) -> tuple[torch.Tensor | None, torch.Tensor]:
    """Masked coordinates in ``Q`` of the CCA basis (None: all of ``Q``) and the ranks (...).

    The tolerance of :func:`_column_space_basis` on the singular values of
    ``Rz`` (those of the column-scaled input); no SVD when every element is
    provably of full rank.
    """
    p = f.Rz.shape[-1]
    if bool(_full_rank(f.Rz, f.nonconstant, n).all()):
        return None, f.nonconstant.sum(dim=-1)
    U, s, _ = torch.linalg.svd(f.Rz)
    keep = s > max(n, p) * torch.finfo(s.dtype).eps * s[..., :1]
    return U * keep.unsqueeze(-2).to(U.dtype), keep.sum(dim=-1)


def _between(C: torch.Tensor, Bx: torch.Tensor | None, By: torch.Tensor | None) -> torch.Tensor:
    """``Bx^T C By``, a None basis standing for the identity."""
    M = C if Bx is None else Bx.mT @ C
    return M if By is None else M @ By


def _cka_features(Xc: torch.Tensor, Yc: torch.Tensor) -> torch.Tensor:
    """Linear CKA from the p x q, p x p and q x q feature products (no n x n matrix)."""
    num = torch.linalg.matrix_norm(Yc.mT @ Xc) ** 2
    den = torch.linalg.matrix_norm(Xc.mT @ Xc) * torch.linalg.matrix_norm(Yc.mT @ Yc)
    return num / den


def _in_gram_range(*squared_norms: torch.Tensor) -> bool:
    """Whether every element's squared Frobenius norm lies in :func:`_gram_range` (no pass to normalise)."""
    low, high = _gram_range(squared_norms[0].dtype)
    return all(bool(((t.detach() >= low) & (t.detach() <= high)).all()) for t in squared_norms)


def _cka_features_unscaled(Xc: torch.Tensor, Yc: torch.Tensor) -> torch.Tensor | None:
    """:func:`_cka_features` of the unit-norm inputs from the unscaled ones (``||Xc||_F^2 = tr(Xc^T Xc)``),
    or None when a norm is out of :func:`_gram_range` (as in the numpy reference)."""
    Gx, Gy = Xc.mT @ Xc, Yc.mT @ Yc
    tx = Gx.diagonal(dim1=-2, dim2=-1).sum(dim=-1)
    ty = Gy.diagonal(dim1=-2, dim2=-1).sum(dim=-1)
    if not _in_gram_range(tx, ty):
        return None
    num = torch.linalg.matrix_norm((Yc.mT @ Xc) / torch.sqrt(tx * ty)[..., None, None]) ** 2
    den = torch.linalg.matrix_norm(Gx / tx[..., None, None]) * torch.linalg.matrix_norm(Gy / ty[..., None, None])
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
    return _procrustes_nuclear_of(func, Xt, Yt)[0]


def _procrustes_nuclear_of(func: str, Xt: torch.Tensor, Yt: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Validated batches -> (``||Xn^T Yn||_*`` clipped to [0, 1], ``||Xc||_F``, ``||Yc||_F``).

    As in the numpy reference: when ``p, q <= n`` and both squared norms are
    in :func:`_gram_range` the product of the unscaled centred inputs is
    divided by the norms afterwards (no pass over the data to normalise).
    """
    Xc, cx = _centre_mask(Xt)
    Yc, cy = _centre_mask(Yt)
    _require_nonconstant(func, "X", Xc, cx)
    _require_nonconstant(func, "Y", Yc, cy)
    nx, ny = torch.linalg.matrix_norm(Xc), torch.linalg.matrix_norm(Yc)
    n, p, q = Xt.shape[-2], Xt.shape[-1], Yt.shape[-1]
    if p <= n and q <= n and _in_gram_range(nx * nx, ny * ny):
        M = (Xc.mT @ Yc) / (nx * ny)[..., None, None]
    else:
        nx, ny = _robust_norm(Xc), _robust_norm(Yc)
        M = _row_space_coordinates(_unit_frobenius(Xc)).mT @ _row_space_coordinates(_unit_frobenius(Yc))
    nuclear = torch.linalg.svdvals(M).sum(dim=-1)
    # Exact value in [0, 1]; clip the few-ulp overshoot so 2 - 2 * nuclear stays >= 0.
    return nuclear.clamp(0.0, 1.0), nx, ny


# --------------------------------------------------------------------------- measures


def cca_mean_corr(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Mean canonical correlation over a batch (see :func:`metrics.representation.cca_mean_corr`).

    :math:`\bar\rho = \frac{1}{m}\sum_i \sigma_i(Q_X^\top Q_Y)`, with
    :math:`Q_X, Q_Y` orthonormal bases of the centred column spaces and
    ``m = min(rank Xc, rank Yc)`` per batch element (the same rank-deficiency
    convention and tolerance as the numpy reference). The bases come from
    Cholesky QR2 and are never formed, as in the numpy reference, with the
    masked SVD bases of each element as the fallback.

    Cost: 3 n p^2 + 3 n q^2 + 2 n p q flops per batch element (level-3) plus
    O(p^3 + q^3 + p q min(p, q)); O(n p min(n, p) + n q min(n, q)) when some
    element takes the SVD route (rank deficient, very ill-conditioned,
    ``p`` or ``q >= n``).

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
    Xc, cx = _centre_mask(Xt)
    Yc, cy = _centre_mask(Yt)
    _require_nonconstant(func, "X", Xc, cx)
    _require_nonconstant(func, "Y", Yc, cy)
    n = Xt.shape[-2]
    frames = _frames(Xc, Yc, cx, cy)
    if frames is not None:  # Cholesky QR2, as in the numpy reference
        fx, fy, C = frames
        (Bx, rx), (By, ry) = _cca_coordinates(fx, n), _cca_coordinates(fy, n)
        M = _between(C, Bx, By)
    else:
        Qx, rx = _column_space_basis(Xc)
        Qy, ry = _column_space_basis(Yc)
        M = Qx.mT @ Qy
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
    rho = torch.linalg.svdvals(M).clamp(0.0, 1.0)  # masked directions give zeros
    return rho.sum(dim=-1) / m.to(rho.dtype)


def cka_linear(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Linear CKA over a batch (see :func:`metrics.representation.cka_linear`).

    :math:`\lVert Y_c^\top X_c\rVert_F^2 / (\lVert X_c^\top X_c\rVert_F \lVert Y_c^\top Y_c\rVert_F)`
    from feature products when ``p < n`` and ``q < n`` (no n x n matrix), from
    the n x n Gram matrices otherwise.

    Cost: 2 n p q + n p^2 + n q^2 flops per batch element plus O(n (p + q))
    when ``p, q < n`` (the products, not the data, are normalised);
    O(n^2 (p + q)) flops and O(n^2) memory otherwise.

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
    Xc, cx = _centre_mask(Xt)
    Yc, cy = _centre_mask(Yt)
    _require_nonconstant(func, "X", Xc, cx)
    _require_nonconstant(func, "Y", Yc, cy)
    n, p, q = Xt.shape[-2], Xt.shape[-1], Yt.shape[-1]
    value = _cka_features_unscaled(Xc, Yc) if (p < n and q < n) else None
    if value is None:
        Xc, Yc = _unit_frobenius(Xc), _unit_frobenius(Yc)
        value = _cka_features(Xc, Yc) if (p < n and q < n) else _cka_gram(Xc, Yc)
    # A cosine between Gram matrices: clip the few-ulp overshoot past 1.
    return value.clamp(0.0, 1.0)


def procrustes_similarity(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Procrustes similarity :math:`\lVert X_n^\top Y_n\rVert_*` over a batch.

    See :func:`metrics.representation.procrustes_similarity`; ``Xn`` is the
    centred ``X`` scaled to unit Frobenius norm. A wide input (``p > n``) is
    first replaced by its n coordinates ``U S`` in its row space (an
    orthogonal change of feature basis), so the product is at most n x n.

    Cost: 2 n p q flops per batch element plus a p x q SVD and O(n (p + q))
    for centring (the product, not the data, is normalised); O(n^2 p) more
    for an input wider than ``n``.

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

    Cost: that of :func:`procrustes_similarity`, 2 n p q flops plus a p x q SVD.

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

    Cost: O(n w^2 + w^3) flops, w = max(p, q): the narrower input is
    zero-padded to w columns, then two n x w x w products and a full w x w
    SVD (O(n p q + p q min(p, q)) when p = q); O(n w + w^2) memory per batch
    element, no n x n matrix.

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
