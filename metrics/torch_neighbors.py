"""Neighbourhood measures in torch: batched mutual kNN, kNN Jaccard, rank similarity, second-order cosine.

The same measures, names, conventions (``k``, metric, tie grid, degenerate
inputs) and messages as the numpy reference :mod:`metrics.neighbors`, over
batches: ``X`` (..., n, p) and ``Y`` (..., n, q) with broadcasting batch
dimensions; each function returns a tensor of the broadcast batch shape.

* The neighbour search always runs in float64, on detached copies, whatever
  the input dtype: neighbourhoods are discrete, and float32 rounding (about
  ``p * 1e-7`` relative) would reorder near-ties that float64 resolves.
  Squared distances are rounded to the same grid as in numpy and ties are
  broken by index (``topk`` on the unique key ``rounded distance * n +
  index``), so both implementations select the same neighbours. The value is
  returned in the input dtype on the input device.
* Gradients. Mutual kNN, kNN Jaccard and rank similarity are piecewise
  constant functions of the inputs (counts and ranks): the torch versions
  compute the same values and return tensors without a gradient.
  :func:`second_order_cosine` is differentiable almost everywhere: its
  neighbourhoods are locally constant and its cosines are computed with
  autograd in the input dtype.
* Memory: one block of rows of the distance matrix (about 2**20 entries over
  the whole batch) at a time, never the full (..., n, n) tensor.
"""

from __future__ import annotations

import torch

from metrics._validation import DegenerateInputError, fail
from metrics.neighbors import (
    BLOCK_ENTRIES,
    TIE_BITS,
    Metric,
    Normalization,
    _all_ties_error,
    _check_metric,
    _check_normalization,
    _resolve_k,
    _zero_rows_error,
)
from metrics.torch_representation import _centre, _validate_pair

__all__ = [
    "knn_jaccard",
    "knn_jaccard_euclidean",
    "mutual_knn",
    "mutual_knn_euclidean",
    "rank_similarity",
    "rank_similarity_euclidean",
    "second_order_cosine",
]

#: Key of the stimulus itself: above every rounded squared distance (< 2**33).
_SELF_KEY = 2**34


# --------------------------------------------------------------------------- helpers


def _index(idx: torch.Tensor) -> str:
    return ", ".join(str(int(i)) for i in idx)


def _unit_rows(func: str, name: str, A: torch.Tensor, fix: str) -> torch.Tensor:
    """Rows scaled to unit norm (differentiable); a zero row anywhere in the batch raises."""
    norms = torch.linalg.vector_norm(A, dim=-1, keepdim=True)
    zero = norms[..., 0] == 0
    if bool(zero.any()):
        first = torch.nonzero(zero)[0]
        _zero_rows_error(func, name, _index(first), int(zero.sum()), tuple(A.shape), fix)
    return A / norms


def _batch_where(mask: torch.Tensor, name: str) -> str:
    """``"X"`` for an unbatched input, else ``"X[i, j]"`` for the first True batch element."""
    if mask.ndim == 0:
        return name
    return f"{name}[{_index(torch.nonzero(mask)[0])}]"


def _neighbours(func: str, name: str, A: torch.Tensor, k: int, metric: Metric) -> torch.Tensor:
    """(..., n, k) int64 indices of each stimulus's k nearest other stimuli, nearest first (float64, no grad)."""
    with torch.no_grad():
        Z = A.detach().to(torch.float64)
        if metric == "cosine":
            Z = _unit_rows(func, name, Z, "Drop the zero rows from both X and Y, or use metric='euclidean'.")
            scale = torch.ones(Z.shape[:-2], dtype=torch.float64, device=Z.device)
        else:
            Z = _centre(Z)
            scale = (Z * Z).sum(dim=-1).amax(dim=-1)
            if bool((scale == 0).any()):
                _all_ties_error(func, name, metric, _batch_where(scale == 0, name), tuple(A.shape))
        exponent = torch.frexp(3.0 * scale).exponent
        quantum = torch.ldexp(torch.ones_like(scale), exponent - TIE_BITS)[..., None, None]
        sq = (Z * Z).sum(dim=-1)
        n = Z.shape[-2]
        batch = Z.shape[:-2].numel()
        rows_per_block = max(1, BLOCK_ENTRIES // (n * max(batch, 1)))
        cols = torch.arange(n, device=Z.device)
        out = torch.empty((*Z.shape[:-1], k), dtype=torch.int64, device=Z.device)
        largest = torch.zeros(Z.shape[:-2], dtype=torch.int64, device=Z.device)
        for start in range(0, n, rows_per_block):
            stop = min(start + rows_per_block, n)
            d2 = Z[..., start:stop, :] @ Z.mT
            d2.mul_(-2.0).add_(sq[..., start:stop, None]).add_(sq[..., None, :]).clamp_(min=0.0).div_(quantum)
            keys = torch.round(d2).to(torch.int64)  # quantum is a power of two: the division is exact
            local = torch.arange(stop - start, device=Z.device)
            keys[..., local, start + local] = -1
            largest = torch.maximum(largest, keys.amax(dim=(-2, -1)))
            keys[..., local, start + local] = _SELF_KEY  # the stimulus itself is never its own neighbour
            composite = keys * n + cols  # unique per row: ties broken by index
            out[..., start:stop, :] = torch.topk(composite, k, dim=-1, largest=False, sorted=True).indices
        if bool((largest == 0).any()):
            _all_ties_error(func, name, metric, _batch_where(largest == 0, name), tuple(A.shape))
    return out


def _setup(
    func: str, X: object, Y: object, k: object, metric: object, *, saturates: bool
) -> tuple[torch.Tensor, torch.Tensor, int, Metric]:
    Xt, Yt = _validate_pair(func, X, Y)
    m = _check_metric(func, metric)
    kk = _resolve_k(func, k, Xt.shape[-2], saturates=saturates)
    return Xt, Yt, kk, m


def _matches(NX: torch.Tensor, NY: torch.Tensor) -> torch.Tensor:
    """(..., n, k, k) bool: ``[..., i, a, b]`` is True when X's a-th neighbour of i is Y's b-th."""
    return NX[..., :, :, None] == NY[..., :, None, :]


# --------------------------------------------------------------------------- measures


def mutual_knn(X: torch.Tensor, Y: torch.Tensor, /, *, k: int | None = None, metric: Metric = "cosine") -> torch.Tensor:
    r"""Mutual kNN alignment over a batch (see :func:`metrics.neighbors.mutual_knn`).

    :math:`\frac{1}{n}\sum_i |N_k^X(i) \cap N_k^Y(i)| / k`, same ``k``,
    metric and tie conventions as the numpy reference.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s); floating dtypes are kept, integer and
        boolean ones become float64.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    k : int, optional
        Neighbourhood size in ``[1, n - 1]``; default ``min(10, (n - 1) // 2)``.
    metric : {"cosine", "euclidean"}, default "cosine"

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1], input dtype and device; no gradient (a count).

    Raises
    ------
    ValueError, TypeError
        Invalid shapes, dtypes, devices, ``k`` or ``metric``.
    DegenerateInputError
        A zero row under the cosine metric, or a batch element whose pairwise
        distances are all 0.

    Warns
    -----
    SaturationWarning
        If ``k = n - 1`` (the score is then 1 whatever the data).

    Notes
    -----
    Invariances: cosine metric: translation False, isotropic scaling True,
    orthogonal True, invertible linear False, permutation True; Euclidean:
    translation True, the rest the same.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]], dtype=torch.float64)
    >>> float(mutual_knn(X, X @ torch.diag(torch.tensor([1.0, 20.0], dtype=torch.float64)), k=2, metric="euclidean"))
    0.75
    """
    Xt, Yt, kk, m = _setup("mutual_knn", X, Y, k, metric, saturates=True)
    NX, NY = _neighbours("mutual_knn", "X", Xt, kk, m), _neighbours("mutual_knn", "Y", Yt, kk, m)
    shared = _matches(NX, NY).sum(dim=(-2, -1)).to(torch.float64)
    return (shared.mean(dim=-1) / kk).to(Xt.dtype)


def knn_jaccard(X: torch.Tensor, Y: torch.Tensor, /, *, k: int | None = None, metric: Metric = "cosine") -> torch.Tensor:
    r"""Mean Jaccard index of the kNN sets over a batch (see :func:`metrics.neighbors.knn_jaccard`).

    Each stimulus contributes ``c / (2k - c)`` for an overlap of ``c`` neighbours.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    k : int, optional
        Neighbourhood size in ``[1, n - 1]``; default ``min(10, (n - 1) // 2)``.
    metric : {"cosine", "euclidean"}, default "cosine"

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1], input dtype and device; no gradient.

    Raises
    ------
    ValueError, TypeError, DegenerateInputError
        As for :func:`mutual_knn`.

    Warns
    -----
    SaturationWarning
        If ``k = n - 1``.

    Notes
    -----
    Invariances: as :func:`mutual_knn`.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]], dtype=torch.float64)
    >>> round(float(knn_jaccard(X, X @ torch.diag(torch.tensor([1.0, 20.0], dtype=torch.float64)), k=2, metric="euclidean")), 6)
    0.722222
    """
    Xt, Yt, kk, m = _setup("knn_jaccard", X, Y, k, metric, saturates=True)
    NX, NY = _neighbours("knn_jaccard", "X", Xt, kk, m), _neighbours("knn_jaccard", "Y", Yt, kk, m)
    shared = _matches(NX, NY).sum(dim=(-2, -1)).to(torch.float64)
    return (shared / (2 * kk - shared)).mean(dim=-1).to(Xt.dtype)


def rank_similarity(
    X: torch.Tensor,
    Y: torch.Tensor,
    /,
    *,
    k: int | None = None,
    metric: Metric = "cosine",
    normalization: Normalization = "intersection",
) -> torch.Tensor:
    r"""Rank similarity of the kNN lists over a batch (see :func:`metrics.neighbors.rank_similarity`).

    Each shared neighbour with ranks ``a`` in ``X`` and ``b`` in ``Y``
    contributes ``2 / ((1 + |a - b|)(a + b))``; the sum is divided by
    :math:`H_{|I_i|}` (``normalization="intersection"``) or :math:`H_k`
    (``"k"``), 0 for an empty overlap, and averaged over stimuli.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    k : int, optional
        Neighbourhood size in ``[1, n - 1]``; default ``min(10, (n - 1) // 2)``.
    metric : {"cosine", "euclidean"}, default "cosine"
    normalization : {"intersection", "k"}, default "intersection"

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1] (clipped against rounding), input dtype and device;
        no gradient (ranks are discrete).

    Raises
    ------
    ValueError, TypeError, DegenerateInputError
        As for :func:`mutual_knn`; also an unknown ``normalization``.

    Notes
    -----
    Invariances: as :func:`mutual_knn`.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]], dtype=torch.float64)
    >>> round(float(rank_similarity(X, X @ torch.diag(torch.tensor([1.0, 20.0], dtype=torch.float64)), k=3, metric="euclidean")), 6)
    0.827778
    """
    func = "rank_similarity"
    norm = _check_normalization(func, normalization)
    Xt, Yt, kk, m = _setup(func, X, Y, k, metric, saturates=False)
    NX, NY = _neighbours(func, "X", Xt, kk, m), _neighbours(func, "Y", Yt, kk, m)
    same = _matches(NX, NY)
    ranks = torch.arange(1, kk + 1, dtype=torch.float64, device=same.device)
    a, b = ranks[:, None], ranks[None, :]
    weight = 2.0 / ((1.0 + (a - b).abs()) * (a + b))  # (k, k): ranks a in X, b in Y
    total = (same.to(torch.float64) * weight).sum(dim=(-2, -1))
    shared = same.sum(dim=(-2, -1))
    harmonic = torch.cat([torch.ones(1, dtype=torch.float64, device=same.device), torch.cumsum(1.0 / ranks, 0)])
    v_max = harmonic[shared] if norm == "intersection" else harmonic[kk].expand_as(total)  # harmonic[0] = 1 unused
    per_stimulus = torch.where(shared > 0, total / v_max, torch.zeros_like(total))
    return per_stimulus.mean(dim=-1).clamp(0.0, 1.0).to(Xt.dtype)


def second_order_cosine(
    X: torch.Tensor, Y: torch.Tensor, /, *, k: int | None = None, metric: Metric = "cosine"
) -> torch.Tensor:
    r"""Second-order cosine similarity over a batch (see :func:`metrics.neighbors.second_order_cosine`).

    For each stimulus, the cosine between its vectors of first-order cosine
    similarities (raw rows) to the union of its neighbourhoods in ``X`` and
    ``Y``; averaged over stimuli.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    k : int, optional
        Neighbourhood size in ``[1, n - 1]``; default ``min(10, (n - 1) // 2)``.
    metric : {"cosine", "euclidean"}, default "cosine"
        The metric of the neighbour search only.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [-1, 1] (each cosine clipped), input dtype and device.
        Differentiable almost everywhere (the neighbourhoods are held fixed,
        as they are locally constant).

    Raises
    ------
    ValueError, TypeError
        As for :func:`mutual_knn`.
    DegenerateInputError
        A zero row, a batch element whose pairwise distances are all 0, or a
        stimulus whose similarity profile is zero.

    Notes
    -----
    Invariances: translation False, isotropic scaling True, orthogonal True,
    invertible linear False, permutation True (either metric). Cost
    O(n^2 (p + q)): the profiles are read off blocks of the cosine matrix.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]], dtype=torch.float64)
    >>> round(float(second_order_cosine(X, X @ torch.diag(torch.tensor([1.0, 20.0], dtype=torch.float64)), k=2)), 6)
    0.994696
    """
    func = "second_order_cosine"
    Xt, Yt, kk, m = _setup(func, X, Y, k, metric, saturates=False)
    fix = "Drop the zero rows from both X and Y."
    Ux, Uy = _unit_rows(func, "X", Xt, fix), _unit_rows(func, "Y", Yt, fix)
    NX, NY = _neighbours(func, "X", Xt, kk, m), _neighbours(func, "Y", Yt, kk, m)
    in_x = _matches(NX, NY).any(dim=-2)  # (..., n, k): Y's b-th neighbour is also one of X's
    batch = torch.broadcast_shapes(NX.shape[:-2], NY.shape[:-2])
    n = Xt.shape[-2]
    union = torch.cat([NX.expand(*batch, n, kk), NY.expand(*batch, n, kk)], dim=-1)  # (..., n, 2k)
    keep = torch.cat([torch.ones_like(in_x), ~in_x], dim=-1).expand(*batch, n, 2 * kk)
    rows_per_block = max(1, BLOCK_ENTRIES // (n * max(batch.numel(), 1)))
    profiles = []
    for U in (Ux, Uy):
        blocks = []
        for start in range(0, n, rows_per_block):
            stop = min(start + rows_per_block, n)
            cos = (U[..., start:stop, :] @ U.mT).expand(*batch, stop - start, n)
            blocks.append(torch.gather(cos, -1, union[..., start:stop, :]))
        s = torch.cat(blocks, dim=-2)
        profiles.append(torch.where(keep, s, torch.zeros_like(s)))
    sx, sy = profiles
    nx, ny = torch.linalg.vector_norm(sx, dim=-1), torch.linalg.vector_norm(sy, dim=-1)
    for name, norms in (("X", nx), ("Y", ny)):
        zero = norms == 0
        if bool(zero.any()):
            where = torch.nonzero(zero)[0]
            stimulus = int(where[-1])
            element = f" of batch element ({_index(where[:-1])})" if zero.ndim > 1 else ""
            size = int(keep[tuple(int(i) for i in where)].sum())
            fail(
                func,
                f"each stimulus must have a nonzero cosine to some neighbour in {name} (else its "
                "similarity profile is the zero vector and the outer cosine is 0/0)",
                f"stimulus {stimulus}{element} is orthogonal to all {size} of its union neighbours in {name}",
                "Use another k or metric, or drop that stimulus.",
                error=DegenerateInputError,
            )
    cosines = ((sx * sy).sum(dim=-1) / (nx * ny)).clamp(-1.0, 1.0)
    return cosines.mean(dim=-1)


# --------------------------------------------------------------------------- registry variants


def mutual_knn_euclidean(X: torch.Tensor, Y: torch.Tensor, /, *, k: int | None = None) -> torch.Tensor:
    """:func:`mutual_knn` with ``metric="euclidean"`` (a registry variant).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]], dtype=torch.float64)
    >>> float(mutual_knn_euclidean(X, X + 100.0, k=2))
    1.0
    """
    return mutual_knn(X, Y, k=k, metric="euclidean")


def knn_jaccard_euclidean(X: torch.Tensor, Y: torch.Tensor, /, *, k: int | None = None) -> torch.Tensor:
    """:func:`knn_jaccard` with ``metric="euclidean"`` (a registry variant).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]], dtype=torch.float64)
    >>> float(knn_jaccard_euclidean(X, X + 100.0, k=2))
    1.0
    """
    return knn_jaccard(X, Y, k=k, metric="euclidean")


def rank_similarity_euclidean(X: torch.Tensor, Y: torch.Tensor, /, *, k: int | None = None) -> torch.Tensor:
    """:func:`rank_similarity` with ``metric="euclidean"`` (a registry variant).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]], dtype=torch.float64)
    >>> float(rank_similarity_euclidean(X, X + 100.0, k=2))
    1.0
    """
    return rank_similarity(X, Y, k=k, metric="euclidean")
