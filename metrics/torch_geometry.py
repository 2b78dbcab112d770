"""Representational geometry in torch: batched RSA, RSM, Bures, Riemannian, statistics, EOS, GULP.

The same measures, with the same names, conventions and messages, as the
numpy reference :mod:`metrics.geometry`, over batches: ``X`` has shape
(..., n, p) and ``Y`` shape (..., n, q), the batch dimensions broadcast, and
every measure returns a tensor of the broadcast batch shape.

* dtype and device are kept (float32 in, float32 out); integer and boolean
  tensors become float64; ``X`` and ``Y`` must share dtype and device.
* Differentiable where the maths is: the Pearson and cosine RSA comparisons,
  the kernel measures, the statistics, GULP; see each function. Spearman and
  Kendall comparisons go through ranks and sorting: they return the same
  values, but carry no gradient (the result does not require grad).
* Degenerate inputs are checked per batch element and the error names the
  first offending index.
* TF32 is not touched here; compute metrics with it off on CUDA.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import torch

from metrics._validation import DegenerateInputError, SaturationWarning, as_float_tensor, check_range, fail, warn
from metrics.geometry import (
    COMPARISONS,
    GULP_DEFAULT_LAM,
    RDM_KINDS,
    RIEMANNIAN_RIDGE_EPS,
    TIE_ULPS,
    Comparison,
    RdmKind,
)
from metrics.torch_representation import (
    _centre,
    _column_space_basis,
    _require_nonconstant,
    _row_space_coordinates,
    _unit_frobenius,
    _validate_pair,
)

__all__ = [
    "bures_distance",
    "concentricity_difference",
    "eigenspace_overlap_score",
    "gulp_distance",
    "gulp_distance_lam0",
    "magnitude_difference",
    "normalised_bures_similarity",
    "rdm",
    "riemannian_distance",
    "riemannian_distance_ridge",
    "rsa",
    "rsa_correlation_kendall_tau_b",
    "rsa_correlation_pearson",
    "rsa_correlation_spearman",
    "rsa_cosine_kendall_tau_a",
    "rsa_euclidean_cosine",
    "rsa_euclidean_pearson",
    "rsa_euclidean_spearman",
    "rsa_sqeuclidean_cosine_cov",
    "rsm_norm_diff",
    "uniformity_difference",
    "uniformity_difference_resi",
]

Tensor = torch.Tensor


# --------------------------------------------------------------------------- helpers


def _check_choice(func: str, name: str, value: object, choices: Sequence[str]) -> str:
    allowed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        fail(func, f"{name} must be one of {allowed}", f"{name}={value!r} ({type(value).__name__})", error=TypeError)
    if value not in choices:
        fail(func, f"{name} must be one of {allowed}", f"{name}={value!r}")
    return str(value)


def _check_bool(func: str, name: str, value: object) -> bool:
    if not isinstance(value, bool):
        fail(func, f"{name} must be a bool", f"{name}={value!r} ({type(value).__name__})", error=TypeError)
    return bool(value)


def _located(name: str, mask: Tensor) -> tuple[str, int]:
    """``"X"`` for an unbatched mask, ``"X[1, 2]"`` (first True index) for a batched one; and the count."""
    if mask.ndim == 0:
        return name, int(mask)
    index = ", ".join(str(int(i)) for i in torch.nonzero(mask)[0])
    return f"{name}[{index}]", int(mask.sum())


def _batch_note(mask: Tensor, count: int) -> str:
    return "" if mask.ndim == 0 else f" ({count} such matrices in the batch)"


def _first_bad_row(func: str, name: str, bad: Tensor, rule: str, what: str, shape: tuple[int, ...], fix: str) -> None:
    """``bad`` (..., n): raise DegenerateInputError naming the first offending row (and batch element)."""
    if bool(bad.any()):
        per_matrix = bad.any(dim=-1)
        where, _ = _located(name, per_matrix)
        first = per_matrix.nonzero()[0] if per_matrix.ndim else ()
        rows = torch.nonzero(bad[tuple(int(i) for i in first)]).flatten()
        fail(
            func,
            rule,
            f"row {int(rows[0])} of {where} {what} ({int(rows.numel())} such rows; {name}.shape={shape})",
            fix,
            error=DegenerateInputError,
        )


def _unit_rows(func: str, name: str, A: Tensor, *, centre_rows: bool, purpose: str) -> Tensor:
    shape = tuple(A.shape)
    if centre_rows:
        R = A - A.mean(dim=-1, keepdim=True)
        # Constant rows and rows whose centred norm underflows to 0 (see the numpy version).
        constant = torch.linalg.vector_norm(R.detach(), dim=-1) == 0
        _first_bad_row(
            func,
            name,
            constant,
            f"every row of {name} must vary across its columns for {purpose} "
            "(the correlation with a constant row is 0/0)",
            "constant",
            shape,
            "Drop constant rows, or use an RDM of kind 'euclidean' (p = 1 makes every row constant).",
        )
    else:
        zero = torch.linalg.vector_norm(A.detach(), dim=-1) == 0  # exact zeros and underflowing norms
        _first_bad_row(
            func,
            name,
            zero,
            f"every row of {name} must be nonzero for {purpose} (the cosine with a zero row is 0/0)",
            "zero",
            shape,
            "Drop all-zero rows, or use an RDM of kind 'euclidean'.",
        )
        R = A
    return R / torch.linalg.vector_norm(R, dim=-1, keepdim=True)


def _pairwise_distances(A: Tensor) -> Tensor:
    """Euclidean distances between rows from explicit differences (no Gram-matrix cancellation)."""
    return torch.cdist(A, A, compute_mode="donot_use_mm_for_euclid_dist")


def _rdm_matrix(func: str, name: str, A: Tensor, kind: str) -> Tensor:
    if kind in ("euclidean", "sqeuclidean"):
        D = _pairwise_distances(A)
        D = D * D if kind == "sqeuclidean" else D
    else:
        U = _unit_rows(func, name, A, centre_rows=(kind == "correlation"), purpose=f"a {kind} RDM")
        # 1 - cos lies in [0, 2]; clip the few-ulp excursions (see metrics.geometry.rdm).
        D = (1.0 - U @ U.mT).clamp(0.0, 2.0)
    D = torch.triu(D, diagonal=1)
    return D + D.mT


def _upper(D: Tensor) -> Tensor:
    n = D.shape[-1]
    i, j = torch.triu_indices(n, n, offset=1, device=D.device)
    return D[..., i, j]


def _pearson(a: Tensor, b: Tensor) -> Tensor:
    ac = a - a.mean(dim=-1, keepdim=True)
    bc = b - b.mean(dim=-1, keepdim=True)
    ac = ac / torch.linalg.vector_norm(ac, dim=-1, keepdim=True)
    bc = bc / torch.linalg.vector_norm(bc, dim=-1, keepdim=True)
    return (ac * bc).sum(dim=-1).clamp(-1.0, 1.0)  # a correlation: clip the rounding past +-1


def _cosine(a: Tensor, b: Tensor, dims: tuple[int, ...] = (-1,)) -> Tensor:
    na = torch.sqrt((a * a).sum(dim=dims, keepdim=True))
    nb = torch.sqrt((b * b).sum(dim=dims, keepdim=True))
    return ((a / na) * (b / nb)).sum(dim=dims).clamp(-1.0, 1.0)


def _double_centre(D: Tensor) -> Tensor:
    return D - D.mean(dim=-2, keepdim=True) - D.mean(dim=-1, keepdim=True) + D.mean(dim=(-2, -1), keepdim=True)


def _tie_groups(v: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Sort ``v`` (..., m) and group entries within the tie tolerance (see metrics.geometry._tie_codes).

    Returns ``order`` (the sorting permutation), ``is_start`` (a tie group starts
    at this sorted position), and each sorted entry's group ``start`` and ``end``
    positions.
    """
    sorted_values, order = torch.sort(v, dim=-1, stable=True)
    tol = TIE_ULPS * torch.finfo(v.dtype).eps * v.abs().amax(dim=-1, keepdim=True)
    is_start = torch.ones_like(sorted_values, dtype=torch.bool)
    is_start[..., 1:] = (sorted_values[..., 1:] - sorted_values[..., :-1]) > tol
    start, end = _group_bounds(is_start)
    return order, is_start, start, end


def _group_bounds(is_start: Tensor) -> tuple[Tensor, Tensor]:
    """First and last sorted position of each entry's group, given where the groups start."""
    m = is_start.shape[-1]
    pos = torch.arange(m, device=is_start.device).expand(is_start.shape)
    is_end = torch.ones_like(is_start)
    is_end[..., :-1] = is_start[..., 1:]
    start = torch.where(is_start, pos, torch.zeros_like(pos)).cummax(dim=-1).values
    end = torch.where(is_end, pos, torch.full_like(pos, m - 1)).flip(-1).cummin(dim=-1).values.flip(-1)
    return start, end


def _average_ranks(v: Tensor) -> Tensor:
    """1-based ranks along the last dimension, tie groups sharing their average rank."""
    order, _, start, end = _tie_groups(v)
    ranks_sorted = (start + end).to(v.dtype) / 2.0 + 1.0
    return torch.empty_like(v).scatter_(-1, order, ranks_sorted)


def _dense_ranks(v: Tensor) -> tuple[Tensor, Tensor]:
    """0-based dense ranks (int64) of the tie groups, and the number of tied pairs (...)."""
    order, is_start, start, end = _tie_groups(v)
    dense_sorted = is_start.to(torch.int64).cumsum(dim=-1) - 1
    dense = torch.empty_like(dense_sorted).scatter_(-1, order, dense_sorted)
    # sum over entries of (group size - 1) = sum over groups of t (t - 1) = twice the tied pairs
    return dense, (end - start).sum(dim=-1) // 2


def _strict_inversions(seq: Tensor, top: int) -> Tensor:
    """Batched number of pairs i < j with seq[i] > seq[j] (int64 entries in [0, top)); see metrics.geometry."""
    batch = seq.shape[:-1]
    m = seq.shape[-1]
    width = 1
    while width < m:
        width *= 2
    pad = torch.full((*batch, width - m), top, dtype=torch.int64, device=seq.device)
    s = torch.cat([seq, pad], dim=-1)
    count = torch.zeros(batch, dtype=torch.int64, device=seq.device)
    size = 1
    while size < width:
        blocks = s.reshape(*batch, width // (2 * size), 2 * size)
        left = blocks[..., :size].contiguous()
        right = blocks[..., size:].contiguous()
        at_most = torch.searchsorted(left, right, right=True)  # left-half entries <= each right-half entry
        count = count + (size - at_most).sum(dim=(-2, -1))
        s = torch.sort(blocks, dim=-1).values.reshape(*batch, width)
        size *= 2
    return count


def _kendall(a: Tensor, b: Tensor, variant: str) -> Tensor:
    """Kendall's tau-a or tau-b along the last dimension, from exact int64 counts (no gradient)."""
    m = a.shape[-1]
    ra, n1 = _dense_ranks(a)
    rb, n2 = _dense_ranks(b)
    key_sorted, order = torch.sort(ra * m + rb, dim=-1)
    joint_start = torch.ones_like(key_sorted, dtype=torch.bool)
    joint_start[..., 1:] = key_sorted[..., 1:] != key_sorted[..., :-1]
    start, end = _group_bounds(joint_start)
    n3 = (end - start).sum(dim=-1) // 2
    discordant = _strict_inversions(torch.gather(rb, -1, order), m)
    n0 = m * (m - 1) // 2
    S = (n0 - n1 - n2 + n3 - 2 * discordant).to(a.dtype)
    if variant == "kendall_tau_a":
        return (S / n0).clamp(-1.0, 1.0)
    denominator = torch.sqrt(((n0 - n1) * (n0 - n2)).to(a.dtype))
    return (S / denominator).clamp(-1.0, 1.0)


def _require_varying(func: str, name: str, v: Tensor, comparison: str, shape: tuple[int, ...]) -> None:
    tol = TIE_ULPS * torch.finfo(v.dtype).eps * v.abs().amax(dim=-1)
    constant = (v.amax(dim=-1) - v.amin(dim=-1)) <= tol
    if bool(constant.any()):
        where, count = _located(name, constant)
        first = constant.nonzero()[0] if constant.ndim else ()
        value = float(v[tuple(int(i) for i in first)][0])
        fail(
            func,
            f"the RDM of {name} must not be constant for compare={comparison!r} (the comparison would be 0/0)",
            f"all {v.shape[-1]} entries of the RDM of {where} equal to {value:.6g} up to the tie tolerance"
            f"{_batch_note(constant, count)} ({name}.shape={shape})",
            "A constant RDM carries no ordering; compare='kendall_tau_a' scores it 0.",
            error=DegenerateInputError,
        )


def _require_nonzero_rdm(func: str, name: str, v: Tensor, comparison: str, shape: tuple[int, ...]) -> None:
    zero = (v == 0).all(dim=-1)
    if bool(zero.any()):
        where, count = _located(name, zero)
        fail(
            func,
            f"the RDM of {name} must not be zero for compare={comparison!r} (the cosine would be 0/0)",
            f"a zero RDM for {where}: every pair of rows at dissimilarity 0{_batch_note(zero, count)} ({name}.shape={shape})",
            "Drop constant representations before comparing them.",
            error=DegenerateInputError,
        )


def _rsa(func: str, X: object, Y: object, kind: str, comparison: str) -> Tensor:
    Xt, Yt = _validate_pair(func, X, Y)
    if Xt.shape[-2] < 3:
        fail(
            func,
            "X and Y must have at least 3 rows (stimuli) for RSA (an RDM of n stimuli has n (n - 1) / 2 "
            "entries, and a comparison needs at least 2)",
            f"X.shape={tuple(Xt.shape)} and Y.shape={tuple(Yt.shape)}",
        )
    sx, sy = tuple(Xt.shape), tuple(Yt.shape)
    Dx, Dy = _rdm_matrix(func, "X", Xt, kind), _rdm_matrix(func, "Y", Yt, kind)
    a, b = _upper(Dx), _upper(Dy)
    if comparison in ("cosine", "cosine_cov"):
        _require_nonzero_rdm(func, "X", a, comparison, sx)
        _require_nonzero_rdm(func, "Y", b, comparison, sy)
        if comparison == "cosine":
            return _cosine(a, b)
        Cx, Cy = torch.broadcast_tensors(_double_centre(Dx), _double_centre(Dy))
        return _cosine(Cx, Cy, dims=(-2, -1))
    if comparison != "kendall_tau_a":
        _require_varying(func, "X", a, comparison, sx)
        _require_varying(func, "Y", b, comparison, sy)
    if comparison == "pearson":
        return _pearson(a, b)
    with torch.no_grad():  # ranks: no gradient (documented)
        if comparison == "spearman":
            return _pearson(*torch.broadcast_tensors(_average_ranks(a), _average_ranks(b)))
        a_b, b_b = torch.broadcast_tensors(a, b)
        return _kendall(a_b.contiguous(), b_b.contiguous(), comparison)


def _saturation(func: str, rx: Tensor, ry: Tensor, n: int, *, centred: bool, shapes: tuple[tuple[int, ...], ...]) -> None:
    ambient = n - 1 if centred else n
    forced = rx + ry - ambient
    saturated = forced > 0
    if bool(saturated.any()):
        space = "n - 1" if centred else "n"
        if saturated.ndim == 0:
            got = f"rank(X)={int(rx)}, rank(Y)={int(ry)}, n={n}"
        else:
            got = f"{int(saturated.sum())} of {saturated.numel()} batch elements with rank(X) + rank(Y) > {space} = {ambient}"
        warn(
            func,
            f"X and Y must satisfy rank(X) + rank(Y) <= {space} for their column spaces to overlap only "
            "through the data (it fails whenever p or q reaches n)",
            f"{got} (X.shape={shapes[0]}, Y.shape={shapes[1]}): the column spaces share at least "
            f"{int(forced.max())} directions by construction",
            "Reduce the features first (e.g. PCA) or use more samples.",
            category=SaturationWarning,
        )


# --------------------------------------------------------------------------- RSA


def rdm(X: Tensor, /, *, kind: RdmKind = "correlation") -> Tensor:
    r"""Batched RDM of the rows of ``X`` (see :func:`metrics.geometry.rdm`).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        Representation(s); floating dtypes kept, integer and boolean become float64.
    kind : {"correlation", "euclidean", "sqeuclidean", "cosine"}, keyword-only
        The dissimilarity ("euclidean" is not squared).

    Returns
    -------
    torch.Tensor, shape (..., n, n)
        Symmetric with zero diagonal, same dtype and device. Euclidean
        distances come from explicit differences (``torch.cdist`` without the
        matrix-product shortcut), so they do not suffer its cancellation.
        Differentiable (the Euclidean distance has a kink where two rows
        coincide; torch's subgradient there is 0).

    Raises
    ------
    ValueError, TypeError
        Invalid tensor or ``kind``.
    DegenerateInputError
        A constant row (correlation) or a zero row (cosine), in any batch element.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]], dtype=torch.float64)
    >>> rdm(X, kind="euclidean")
    tensor([[ 0.,  5., 10.],
            [ 5.,  0.,  5.],
            [10.,  5.,  0.]], dtype=torch.float64)
    """
    func = "rdm"
    which = _check_choice(func, "kind", kind, RDM_KINDS)
    A: Tensor = as_float_tensor(func, "X", X, min_ndim=2)
    if A.shape[-2] < 2:
        fail(func, "X must have at least 2 rows (samples, the second-to-last dimension)", f"X.shape={tuple(A.shape)}")
    return _rdm_matrix(func, "X", A, which)


def rsa(X: Tensor, Y: Tensor, /, *, rdm: RdmKind = "correlation", compare: Comparison = "spearman") -> Tensor:
    r"""Batched RSA (see :func:`metrics.geometry.rsa` for the definitions and invariances).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s), ``n >= 3``.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    rdm : {"correlation", "euclidean", "sqeuclidean", "cosine"}, keyword-only
    compare : {"spearman", "pearson", "kendall_tau_a", "kendall_tau_b", "cosine", "cosine_cov"}, keyword-only

    Returns
    -------
    torch.Tensor, shape (...)
        Scores, same dtype and device. "pearson", "cosine" and "cosine_cov"
        are differentiable; "spearman" and the Kendall taus are computed from
        ranks and exact int64 pair counts (O(m log^2 m) batched merge
        counting, ``m = n (n - 1) / 2``) and carry no gradient.

    Raises
    ------
    ValueError, TypeError
        Invalid tensors, fewer than 3 rows, unknown ``rdm`` / ``compare``.
    DegenerateInputError
        As for the numpy reference, per batch element.

    Notes
    -----
    Invariances: see the table in :func:`metrics.geometry.rsa` (they depend
    only on the RDM kind).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.3, 1.7, 2.2], [2.9, 0.4, 1.1], [1.3, 3.6, 0.2], [4.1, 2.5, 1.9], [3.3, 5.2, 2.8]], dtype=torch.float64)
    >>> round(float(rsa(X, X ** 2)), 6)
    0.927273
    >>> rsa(torch.stack([X, X ** 2]), X, rdm="euclidean", compare="kendall_tau_b").shape
    torch.Size([2])
    """
    func = "rsa"
    kind = _check_choice(func, "rdm", rdm, RDM_KINDS)
    comparison = _check_choice(func, "compare", compare, COMPARISONS)
    return _rsa(func, X, Y, kind, comparison)


def rsa_correlation_spearman(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``rsa(X, Y, rdm="correlation", compare="spearman")`` (no gradient)."""
    return _rsa("rsa_correlation_spearman", X, Y, "correlation", "spearman")


def rsa_correlation_pearson(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``rsa(X, Y, rdm="correlation", compare="pearson")`` (differentiable)."""
    return _rsa("rsa_correlation_pearson", X, Y, "correlation", "pearson")


def rsa_correlation_kendall_tau_b(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``rsa(X, Y, rdm="correlation", compare="kendall_tau_b")`` (no gradient)."""
    return _rsa("rsa_correlation_kendall_tau_b", X, Y, "correlation", "kendall_tau_b")


def rsa_euclidean_pearson(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``rsa(X, Y, rdm="euclidean", compare="pearson")`` (differentiable)."""
    return _rsa("rsa_euclidean_pearson", X, Y, "euclidean", "pearson")


def rsa_euclidean_spearman(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``rsa(X, Y, rdm="euclidean", compare="spearman")`` (no gradient)."""
    return _rsa("rsa_euclidean_spearman", X, Y, "euclidean", "spearman")


def rsa_euclidean_cosine(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``rsa(X, Y, rdm="euclidean", compare="cosine")`` (differentiable)."""
    return _rsa("rsa_euclidean_cosine", X, Y, "euclidean", "cosine")


def rsa_cosine_kendall_tau_a(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``rsa(X, Y, rdm="cosine", compare="kendall_tau_a")`` (no gradient)."""
    return _rsa("rsa_cosine_kendall_tau_a", X, Y, "cosine", "kendall_tau_a")


def rsa_sqeuclidean_cosine_cov(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``rsa(X, Y, rdm="sqeuclidean", compare="cosine_cov")``, equal to linear CKA (differentiable)."""
    return _rsa("rsa_sqeuclidean_cosine_cov", X, Y, "sqeuclidean", "cosine_cov")


# --------------------------------------------------------------------------- kernel geometry


def _normalised_pair(func: str, X: object, Y: object) -> tuple[Tensor, Tensor]:
    Xt, Yt = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xt), _centre(Yt)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    return _unit_frobenius(Xc), _unit_frobenius(Yc)


def rsm_norm_diff(X: Tensor, Y: Tensor, /) -> Tensor:
    r"""Batched ``||K_X - K_Y||_F`` of the unit-trace linear RSMs (see :func:`metrics.geometry.rsm_norm_diff`).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
    Y : torch.Tensor, shape (..., n, q)

    Returns
    -------
    torch.Tensor, shape (...)
        Distances in [0, sqrt(2)], same dtype and device. From feature
        products (no n x n matrix) when ``p < n`` and ``q < n``; ``d^2`` is
        clipped at 0 before the square root. Differentiable where ``d > 0``.

    Raises
    ------
    ValueError, TypeError, DegenerateInputError
        As for the numpy reference.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(rsm_norm_diff(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.903465
    """
    func = "rsm_norm_diff"
    Xn, Yn = _normalised_pair(func, X, Y)
    n, p, q = Xn.shape[-2], Xn.shape[-1], Yn.shape[-1]
    if p < n and q < n:
        sq = (
            torch.linalg.matrix_norm(Xn.mT @ Xn) ** 2
            + torch.linalg.matrix_norm(Yn.mT @ Yn) ** 2
            - 2.0 * torch.linalg.matrix_norm(Xn.mT @ Yn) ** 2
        )
    else:
        sq = torch.linalg.matrix_norm(Xn @ Xn.mT - Yn @ Yn.mT) ** 2
    return torch.sqrt(sq.clamp(min=0.0))


def _fidelity(Xs: Tensor, Ys: Tensor) -> Tensor:
    Xr, Yr = _row_space_coordinates(Xs), _row_space_coordinates(Ys)
    return torch.linalg.svdvals(Xr.mT @ Yr).sum(dim=-1)


def _procrustes_residual(Xs: Tensor, Ys: Tensor) -> Tensor:
    """Batched ``min_Q ||Xs Q - Ys||_F`` as the norm of the residual (see :func:`metrics.geometry._procrustes_residual`).

    The optimal ``Q = U V^T`` is detached: at the minimum the derivative with
    respect to ``Q`` vanishes (Danskin's theorem), so the gradient is that of
    ``||Xs Q - Ys||_F`` at fixed ``Q``, and never goes through the singular
    vectors (whose derivatives blow up at repeated singular values).
    """
    Xr, Yr = _row_space_coordinates(Xs), _row_space_coordinates(Ys)
    if Xr.shape[-1] > Yr.shape[-1]:
        Xr, Yr = Yr, Xr  # the value is symmetric; rotate the narrower matrix
    with torch.no_grad():
        U, _, Vh = torch.linalg.svd(Xr.mT @ Yr, full_matrices=False)  # U (..., a, a), Vh (..., a, b)
        Q = U @ Vh
    return torch.linalg.matrix_norm(Xr @ Q - Yr)


def normalised_bures_similarity(X: Tensor, Y: Tensor, /) -> Tensor:
    r"""Batched normalised Bures similarity ``||Xn^T Yn||_*`` (see :func:`metrics.geometry.normalised_bures_similarity`).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
    Y : torch.Tensor, shape (..., n, q)

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1] (clipped), same dtype and device; differentiable
        where the singular values of ``Xn^T Yn`` are distinct and nonzero.

    Raises
    ------
    ValueError, TypeError, DegenerateInputError
        As for the numpy reference.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(normalised_bures_similarity(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.702078
    """
    func = "normalised_bures_similarity"
    Xn, Yn = _normalised_pair(func, X, Y)
    return _fidelity(Xn, Yn).clamp(0.0, 1.0)


def bures_distance(X: Tensor, Y: Tensor, /, *, normalise: bool = False) -> Tensor:
    r"""Batched Bures distance of the kernels ``Xc Xc^T / n`` (see :func:`metrics.geometry.bures_distance`).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
    Y : torch.Tensor, shape (..., n, q)
    normalise : bool, keyword-only
        Unit-trace kernels (then equal to the Procrustes distance).

    Returns
    -------
    torch.Tensor, shape (...)
        Distances, same dtype and device, computed as the norm of the
        residual ``Xc Q - Yc`` at the optimal rotation (no cancellation near
        0; the normalised value clipped to ``sqrt(2)``). Differentiable where
        ``d > 0`` and the optimal ``Q`` is unique (``Xc^T Yc`` of full rank);
        the gradient is taken at fixed ``Q`` (Danskin), not through the SVD.

    Raises
    ------
    ValueError, TypeError
        As for the numpy reference.
    DegenerateInputError
        With ``normalise=True``, a batch element with every column constant.

    Notes
    -----
    Invariances (default): translation True, isotropic scaling False,
    orthogonal True, invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(bures_distance(X, 2.0 * X)), 6)
    1.213352
    """
    func = "bures_distance"
    flag = _check_bool(func, "normalise", normalise)
    if flag:
        Xn, Yn = _normalised_pair(func, X, Y)
        # Unit-Frobenius inputs: the exact value is at most sqrt(2); clip the ulp overshoot.
        return _procrustes_residual(Xn, Yn).clamp(max=math.sqrt(2.0))
    Xt, Yt = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xt), _centre(Yt)
    n = Xt.shape[-2]
    nx = torch.linalg.matrix_norm(Xc, keepdim=True)
    ny = torch.linalg.matrix_norm(Yc, keepdim=True)
    scale = torch.maximum(nx, ny).detach()  # units only: the value does not depend on it
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    return scale[..., 0, 0] * _procrustes_residual(Xc / scale, Yc / scale) / math.sqrt(n)


def _helmert_coordinates(Ac: Tensor) -> Tensor:
    """``H^T Ac`` for the Helmert basis H (n, n - 1) of the centred subspace, in O(n p) by cumulative sums."""
    n = Ac.shape[-2]
    k = torch.arange(1, n, dtype=Ac.dtype, device=Ac.device)
    partial = Ac.cumsum(dim=-2)[..., :-1, :]  # sum of the first k rows
    return (partial - k[:, None] * Ac[..., 1:, :]) / torch.sqrt(k * (k + 1.0))[:, None]


def _numerical_rank(Z: Tensor, p: int) -> Tensor:
    n = Z.shape[-2] + 1
    s = torch.linalg.svdvals(Z)
    tol = max(n, p) * torch.finfo(Z.dtype).eps * s[..., :1]
    return ((s > tol) & (s[..., :1] > 0)).sum(dim=-1)


def _airm(Fx: Tensor, Fy: Tensor) -> Tensor:
    """``||log(A^{-1/2} B A^{-1/2})||_F`` for ``A = Fx Fx^T``, ``B = Fy Fy^T`` (r x r, positive definite).

    ``Fx^T = Q R`` gives ``A = R^T R`` without squaring the condition number;
    ``A^{-1/2} B A^{-1/2}`` is similar to ``W W^T`` with ``W = R^{-T} Fy``, so its
    eigenvalues are the squared singular values of ``W``.
    """
    _, R = torch.linalg.qr(Fx.mT)
    W = torch.linalg.solve_triangular(R.mT, Fy, upper=False)
    s = torch.linalg.svdvals(W)
    # positive in exact arithmetic (A, B positive definite); clip before the logarithm
    log_lam = 2.0 * torch.log(s.clamp(min=torch.finfo(s.dtype).tiny))
    return torch.sqrt((log_lam**2).sum(dim=-1))


def _riemannian(func: str, X: object, Y: object, ridge: float) -> Tensor:
    Xt, Yt = _validate_pair(func, X, Y)
    n, p, q = Xt.shape[-2], Xt.shape[-1], Yt.shape[-1]
    Xc, Yc = _centre(Xt), _centre(Yt)
    batch = torch.broadcast_shapes(Xc.shape[:-2], Yc.shape[:-2])
    if ridge == 0.0:
        for name, A in (("X", Xc), ("Y", Yc)):
            rank = _numerical_rank(_helmert_coordinates(A), A.shape[-1])
            low = rank < n - 1
            if bool(low.any()):
                where, count = _located(name, low)
                first = low.nonzero()[0] if low.ndim else ()
                fail(
                    func,
                    f"the centred {name} must have rank n - 1 for its Gram matrix to be positive definite "
                    "on the centred subspace (so it needs p >= n - 1 features), or eps must be > 0",
                    f"rank({where})={int(rank[tuple(int(i) for i in first)])}{_batch_note(low, count)}, n={n} "
                    f"({name}.shape={tuple(A.shape)})",
                    "Pass eps > 0 (a ridge relative to the mean eigenvalue, e.g. eps=1e-2).",
                    error=DegenerateInputError,
                )
        Fx = _helmert_coordinates(Xc) / math.sqrt(p)
        Fy = _helmert_coordinates(Yc) / math.sqrt(q)
        Fx, Fy = Fx.expand(*batch, *Fx.shape[-2:]), Fy.expand(*batch, *Fy.shape[-2:])
        return _airm(Fx, Fy)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    # mean eigenvalue of G = Xc Xc^T / p on the centred subspace: ||Xc||_F^2 / (p (n - 1))
    mx = torch.linalg.matrix_norm(Xc) ** 2 / (p * (n - 1))
    my = torch.linalg.matrix_norm(Yc) ** 2 / (q * (n - 1))
    Xb, Yb = Xc.expand(*batch, n, p), Yc.expand(*batch, n, q)
    mx, my = mx.expand(batch), my.expand(batch)
    if p + q < n - 1:
        # Both Gram matrices live in span[Xc, Yc] (dimension <= p + q); on its complement in the
        # centred subspace both are the ridge alone, each of the n - 1 - (p + q) directions adding
        # log^2(my / mx) (see metrics.geometry.riemannian_distance; checked against it in the tests).
        Q, _ = torch.linalg.qr(torch.cat([Xb, Yb], dim=-1))
        Zx, Zy, r = Q.mT @ Xb, Q.mT @ Yb, p + q
        outside = (n - 1 - r) * torch.log(my / mx) ** 2
    else:
        Zx, Zy, r = _helmert_coordinates(Xb), _helmert_coordinates(Yb), n - 1
        outside = torch.zeros_like(mx)
    eye = torch.eye(r, dtype=Xt.dtype, device=Xt.device)
    Fx = torch.cat([Zx / math.sqrt(p), torch.sqrt(ridge * mx)[..., None, None] * eye], dim=-1)
    Fy = torch.cat([Zy / math.sqrt(q), torch.sqrt(ridge * my)[..., None, None] * eye], dim=-1)
    inside = _airm(Fx, Fy)
    return torch.sqrt(inside**2 + outside)


def riemannian_distance(X: Tensor, Y: Tensor, /, *, eps: float = 0.0) -> Tensor:
    r"""Batched affine-invariant Riemannian distance of the centred stimulus Gram matrices.

    See :func:`metrics.geometry.riemannian_distance` for the definition
    (``A = G_X + eps * mean_eig(G_X) I`` on the centred subspace, ``G_X =
    Xc Xc^T / p``). Computed without squaring condition numbers: with ``A =
    F_X F_X^T``, a QR of ``F_X^T`` gives ``A = R^T R``, and the eigenvalues of
    ``A^{-1/2} B A^{-1/2}`` are the squared singular values of
    ``R^{-T} F_Y``. With ``eps > 0`` and ``p + q < n - 1`` the work is done in
    the span of ``[Xc, Yc]`` (O(n (p + q)^2 + (p + q)^3), no n x n matrix);
    otherwise in Helmert coordinates of the centred subspace (O(n^2 (n + p + q))).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
    Y : torch.Tensor, shape (..., n, q)
    eps : float, keyword-only
        Ridge relative to the mean eigenvalue, >= 0 (default 0: needs rank n - 1).

    Returns
    -------
    torch.Tensor, shape (...)
        Distances, same dtype and device; differentiable where ``d > 0``.

    Raises
    ------
    ValueError, TypeError
        Invalid tensors or ``eps``.
    DegenerateInputError
        ``eps = 0`` and a batch element of rank below ``n - 1``; ``eps > 0``
        and a constant batch element.

    Notes
    -----
    Invariances: translation True, isotropic scaling False, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 2.0]], dtype=torch.float64)
    >>> round(float(riemannian_distance(X, 2.0 * X)), 6)
    2.401132
    >>> round(float(riemannian_distance(X[:, :2], X, eps=0.1)), 6)
    3.22493
    """
    func = "riemannian_distance"
    return _riemannian(func, X, Y, check_range(func, "eps", eps, low=0.0, high=math.inf))


def riemannian_distance_ridge(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``riemannian_distance(X, Y, eps=1e-2)`` (the registry's regularised AIRM)."""
    return _riemannian("riemannian_distance_ridge", X, Y, RIEMANNIAN_RIDGE_EPS)


# --------------------------------------------------------------------------- statistics


def magnitude_difference(
    X: Tensor, Y: Tensor, /, *, kind: Literal["norm_of_mean", "mean_norm"] = "norm_of_mean"
) -> Tensor:
    r"""Batched ``|m(X) - m(Y)|`` (see :func:`metrics.geometry.magnitude_difference`).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
    Y : torch.Tensor, shape (..., n, q)
    kind : {"norm_of_mean", "mean_norm"}, keyword-only

    Returns
    -------
    torch.Tensor, shape (...)
        Distances, same dtype and device; differentiable where the two
        magnitudes differ and (for "norm_of_mean") the mean rows are nonzero.

    Notes
    -----
    Invariances: translation False, isotropic scaling False, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[3.0, 4.0], [3.0, 4.0], [-3.0, -4.0]], dtype=torch.float64)
    >>> round(float(magnitude_difference(X, torch.zeros(3, 1, dtype=torch.float64))), 6)
    1.666667
    """
    func = "magnitude_difference"
    which = _check_choice(func, "kind", kind, ("norm_of_mean", "mean_norm"))
    Xt, Yt = _validate_pair(func, X, Y)

    def magnitude(A: Tensor) -> Tensor:
        if which == "norm_of_mean":
            return torch.linalg.vector_norm(A.mean(dim=-2), dim=-1)
        return torch.linalg.vector_norm(A, dim=-1).mean(dim=-1)

    return (magnitude(Xt) - magnitude(Yt)).abs()


def _concentricity(func: str, name: str, A: Tensor) -> Tensor:
    n = A.shape[-2]
    mean = A.mean(dim=-2)
    mean_norm = torch.linalg.vector_norm(mean, dim=-1)
    small = mean_norm <= n * torch.finfo(A.dtype).eps * torch.linalg.matrix_norm(A)
    if bool(small.any()):
        where, count = _located(name, small)
        first = small.nonzero()[0] if small.ndim else ()
        fail(
            func,
            f"the mean row of {name} must be nonzero (concentricity is the cosine to the mean row, 0/0 otherwise)",
            f"||mean row of {where}||={float(mean_norm[tuple(int(i) for i in first)])!r}, at the rounding level "
            f"of the sum{_batch_note(small, count)} ({name}.shape={tuple(A.shape)})",
            "Column-centred representations have no concentricity; pass uncentred ones.",
            error=DegenerateInputError,
        )
    _first_bad_row(
        func,
        name,
        (A == 0).all(dim=-1),
        f"every row of {name} must be nonzero (the cosine of a zero row to the mean row is 0/0)",
        "zero",
        tuple(A.shape),
        "Drop all-zero rows.",
    )
    cos = (A @ mean[..., :, None])[..., 0] / (torch.linalg.vector_norm(A, dim=-1) * mean_norm[..., None])
    return cos.clamp(-1.0, 1.0).mean(dim=-1)


def concentricity_difference(X: Tensor, Y: Tensor, /) -> Tensor:
    r"""Batched ``|alpha(X) - alpha(Y)|``, alpha the mean cosine of rows to the mean row.

    See :func:`metrics.geometry.concentricity_difference`.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
    Y : torch.Tensor, shape (..., n, q)

    Returns
    -------
    torch.Tensor, shape (...)
        Distances in [0, 2], same dtype and device; differentiable where the
        two concentricities differ.

    Raises
    ------
    DegenerateInputError
        A mean row zero to rounding, or a zero row, in any batch element.

    Notes
    -----
    Invariances: translation False, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    >>> round(float(concentricity_difference(X, torch.ones(2, 3, dtype=torch.float64))), 6)
    0.292893
    """
    func = "concentricity_difference"
    Xt, Yt = _validate_pair(func, X, Y)
    return (_concentricity(func, "X", Xt) - _concentricity(func, "Y", Yt)).abs()


def _uniformity(func: str, name: str, A: Tensor, t: float, normalise: bool, include_self: bool) -> Tensor:
    Z = _unit_rows(func, name, A, centre_rows=False, purpose="uniformity with normalise=True") if normalise else A
    n = Z.shape[-2]
    D = _pairwise_distances(Z)
    logits = -t * D * D
    if include_self:
        return torch.logsumexp(logits.flatten(-2), dim=-1) - math.log(n * n)
    diagonal = torch.eye(n, dtype=torch.bool, device=A.device)
    logits = logits.masked_fill(diagonal, -math.inf)
    return torch.logsumexp(logits.flatten(-2), dim=-1) - math.log(n * (n - 1))


def uniformity_difference(
    X: Tensor, Y: Tensor, /, *, t: float = 2.0, normalise: bool = True, include_self: bool = False
) -> Tensor:
    r"""Batched ``|U(X) - U(Y)|`` of Wang-Isola uniformities (see :func:`metrics.geometry.uniformity_difference`).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
    Y : torch.Tensor, shape (..., n, q)
    t : float, keyword-only
        Temperature > 0.
    normalise, include_self : bool, keyword-only
        Rows on the unit sphere; include the pairs (i, i).

    Returns
    -------
    torch.Tensor, shape (...)
        Distances, same dtype and device; logsumexp (no underflow);
        differentiable where the two uniformities differ. O(n^2) memory.

    Notes
    -----
    Invariances (default): translation False, isotropic scaling True,
    orthogonal True, invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[1.0, 0.0], [-1.0, 0.0]], dtype=torch.float64)
    >>> round(float(uniformity_difference(X, torch.tensor([[1.0], [2.0]], dtype=torch.float64))), 6)
    8.0
    """
    func = "uniformity_difference"
    temperature = check_range(func, "t", t, low=0.0, high=math.inf, low_open=True)
    unit = _check_bool(func, "normalise", normalise)
    self_pairs = _check_bool(func, "include_self", include_self)
    Xt, Yt = _validate_pair(func, X, Y)
    ux = _uniformity(func, "X", Xt, temperature, unit, self_pairs)
    uy = _uniformity(func, "Y", Yt, temperature, unit, self_pairs)
    return (ux - uy).abs()


def uniformity_difference_resi(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ReSi uniformity difference (raw rows, all n^2 pairs, t = 2)."""
    func = "uniformity_difference_resi"
    Xt, Yt = _validate_pair(func, X, Y)
    return (_uniformity(func, "X", Xt, 2.0, False, True) - _uniformity(func, "Y", Yt, 2.0, False, True)).abs()


# --------------------------------------------------------------------------- subspaces and prediction


def _require_nonzero_matrix(func: str, name: str, A: Tensor) -> None:
    zero = (A == 0).flatten(-2).all(dim=-1)
    if bool(zero.any()):
        where, count = _located(name, zero)
        suffix = "" if zero.ndim == 0 else f" ({where} zero; {count} such matrices in the batch)"
        fail(
            func,
            f"{name} must not be the zero matrix (its column space is empty, and the score would be 0/0)",
            f"{name}.shape={tuple(A.shape)}{suffix}",
            error=DegenerateInputError,
        )


def eigenspace_overlap_score(X: Tensor, Y: Tensor, /, *, centre: bool = True) -> Tensor:
    r"""Batched eigenspace overlap score ``||U_X^T U_Y||_F^2 / max(r_X, r_Y)``.

    See :func:`metrics.geometry.eigenspace_overlap_score`.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
    Y : torch.Tensor, shape (..., n, q)
    centre : bool, keyword-only

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1] (clipped), same dtype and device; differentiable for
        full-rank inputs with distinct singular values.

    Warns
    -----
    SaturationWarning
        ``rank(X) + rank(Y) > n - 1`` in some batch element.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear True, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(eigenspace_overlap_score(X, X[:, :1])), 6)
    0.5
    """
    func = "eigenspace_overlap_score"
    centred = _check_bool(func, "centre", centre)
    Xt, Yt = _validate_pair(func, X, Y)
    if centred:
        Xc, Yc = _centre(Xt), _centre(Yt)
        _require_nonconstant(func, "X", Xc)
        _require_nonconstant(func, "Y", Yc)
    else:
        Xc, Yc = Xt, Yt
        _require_nonzero_matrix(func, "X", Xc)
        _require_nonzero_matrix(func, "Y", Yc)
    Qx, rx = _column_space_basis(Xc)
    Qy, ry = _column_space_basis(Yc)
    _saturation(func, rx, ry, Xt.shape[-2], centred=centred, shapes=(tuple(Xt.shape), tuple(Yt.shape)))
    overlap = (Qx.mT @ Qy).square().sum(dim=(-2, -1)) / torch.maximum(rx, ry).to(Qx.dtype)
    return overlap.clamp(0.0, 1.0)


def _hat_trace_terms_features(Xs: Tensor, Ys: Tensor, lam: float) -> Tensor:
    """``||M_X - M_Y||_F^2`` from p x p, q x q and p x q covariances (Cholesky solves, no n x n matrix)."""
    n = Xs.shape[-2]
    Sx, Sy, Sxy = Xs.mT @ Xs / n, Ys.mT @ Ys / n, Xs.mT @ Ys / n
    Cx = torch.linalg.cholesky(Sx + lam * torch.eye(Sx.shape[-1], dtype=Sx.dtype, device=Sx.device))
    Cy = torch.linalg.cholesky(Sy + lam * torch.eye(Sy.shape[-1], dtype=Sy.dtype, device=Sy.device))
    Px = torch.cholesky_solve(Sx, Cx)  # (Sx + lam)^{-1} Sx
    Py = torch.cholesky_solve(Sy, Cy)
    Ax = torch.cholesky_solve(Sxy, Cx)  # (Sx + lam)^{-1} Sxy
    By = torch.cholesky_solve(Sxy.mT, Cy)  # (Sy + lam)^{-1} Syx
    t1 = (Px * Px.mT).sum(dim=(-2, -1))
    t2 = (Py * Py.mT).sum(dim=(-2, -1))
    t3 = (Ax * By.mT).sum(dim=(-2, -1))
    return t1 + t2 - 2.0 * t3


def _hat_gram(Xs: Tensor, lam: float) -> Tensor:
    """``M = K (K + lam I)^{-1}`` for ``K = Xs Xs^T / n`` (n x n; K and its resolvent commute)."""
    n = Xs.shape[-2]
    K = Xs @ Xs.mT / n
    C = torch.linalg.cholesky(K + lam * torch.eye(n, dtype=K.dtype, device=K.device))
    return torch.cholesky_solve(K, C)


def _gulp(func: str, X: object, Y: object, ridge: float) -> Tensor:
    Xn, Yn = _normalised_pair(func, X, Y)
    n, p, q = Xn.shape[-2], Xn.shape[-1], Yn.shape[-1]
    if ridge == 0.0:
        Qx, rx = _column_space_basis(Xn)
        Qy, ry = _column_space_basis(Yn)
        _saturation(func, rx, ry, n, centred=True, shapes=(tuple(Xn.shape), tuple(Yn.shape)))
        sq = (rx + ry).to(Xn.dtype) - 2.0 * (Qx.mT @ Qy).square().sum(dim=(-2, -1))
    else:
        Xs, Ys = Xn * math.sqrt(n), Yn * math.sqrt(n)  # unit total variance
        if p < n and q < n:
            sq = _hat_trace_terms_features(Xs, Ys, ridge)
        else:
            sq = torch.linalg.matrix_norm(_hat_gram(Xs, ridge) - _hat_gram(Ys, ridge)) ** 2
    return torch.sqrt(sq.clamp(min=0.0))


def gulp_distance(X: Tensor, Y: Tensor, /, *, lam: float = GULP_DEFAULT_LAM) -> Tensor:
    r"""Batched GULP distance ``||M_X - M_Y||_F`` of the ridge hat matrices (see :func:`metrics.geometry.gulp_distance`).

    For ``lam > 0`` computed by Cholesky solves: from the p x p, q x q and
    p x q covariances when ``p < n`` and ``q < n`` (no n x n matrix), from the
    n x n kernels otherwise; for ``lam = 0`` from orthonormal bases of the
    column spaces.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
    Y : torch.Tensor, shape (..., n, q)
    lam : float, keyword-only
        Ridge >= 0 relative to unit total variance (default 1e-2).

    Returns
    -------
    torch.Tensor, shape (...)
        Distances (the square root of GULP's ``d^2``), same dtype and device;
        ``d^2`` clipped at 0. Differentiable for ``lam > 0`` where ``d > 0``
        (smooth: no eigenvector gauge); for ``lam = 0`` where the ranks are
        full and the singular values distinct.

    Warns
    -----
    SaturationWarning
        ``lam = 0`` and ``rank(X) + rank(Y) > n - 1``.

    Notes
    -----
    Invariances (``lam > 0``): translation True, isotropic scaling True,
    orthogonal True, invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(gulp_distance(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)), lam=0.1)), 6)
    0.708204
    """
    func = "gulp_distance"
    return _gulp(func, X, Y, check_range(func, "lam", lam, low=0.0, high=math.inf))


def gulp_distance_lam0(X: Tensor, Y: Tensor, /) -> Tensor:
    """Batched ``gulp_distance(X, Y, lam=0.0)`` (invariant to invertible linear maps)."""
    return _gulp("gulp_distance_lam0", X, Y, 0.0)
