"""Seeded choices shared by the numpy reference and the torch implementation.

d_LLV, d_{f,g} and d_rep make random choices (input tuples, label subsets,
pivots). Both implementations draw them here, from ``np.random.default_rng(seed)``
only, so that the same seed gives the same choices whatever computes the
distances.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import NDArray

from metrics._validation import check_positive_int, fail

__all__ = [
    "DEFAULT_LAM",
    "DEFAULT_MAX_SUBSETS",
    "DEFAULT_NUM_SAMPLES",
    "DEFAULT_REP_SAMPLES",
    "REP_COND_RTOL",
    "REP_MAX_COND",
    "SD_RTOL",
    "TIE_RTOL",
    "improves",
    "input_tuples",
    "label_subsets",
    "rep_conditioning",
    "rep_pivots",
    "sd_floor",
]

#: Default weight lambda of the scale terms T3, T4 of d_LLV (the paper's value).
DEFAULT_LAM = 1e-5
#: Default number of random (M+1)-tuples tried for the input set of d_LLV.
DEFAULT_NUM_SAMPLES = 200
#: Default cap on the number of label subsets on the embedding side of d_{f,g}.
DEFAULT_MAX_SUBSETS = 1000
#: Default number of sampled (y_0, S) pairs for d_rep.
DEFAULT_REP_SAMPLES = 100
#: Relative rounding error that d_rep accepts from one sampled (y_0, S) in float64:
#: ``eps * kappa <= REP_COND_RTOL`` (see :func:`rep_conditioning`). The solve for A amplifies the
#: rounding of the stored unembeddings (relative size eps = 2.2e-16) by kappa, and the residual
#: f - A f' by a further cond(A) between the two models: measured, one term's error on an exactly
#: equivalent pair stays below ~5 eps kappa cond(A) times the RMS size of f. With 1e-10 that is
#: 5e-8 at cond(A) = 100 (the largest the property strategies draw) in the worst case, far below
#: the 1e-7 to which the property checks hold d_rep = 0 on an identifiability class; a targeted
#: Hypothesis search found at most 3e-10 (cond(A) <= 100) and 5e-9 (cond(A) <= 1e3). The old
#: cut-off, cond(L_S) <= 1e12, let a near-collinear subset (kappa ~1e8) give d_rep ~3e-3.
REP_COND_RTOL = 1e-10
#: d_rep skips a sampled (y_0, S) whose ``kappa`` (:func:`rep_conditioning`) exceeds this in
#: either model: ``REP_COND_RTOL / eps(float64)``, about 4.5e5. The same cut-off serves the
#: float32 torch path (its choices are made in float64), so both dtypes average the same terms.
REP_MAX_COND = REP_COND_RTOL / float(np.finfo(np.float64).eps)
#: A standard deviation (sigma or tau of Def. 4.4) counts as zero below SD_RTOL * sd_floor scale.
SD_RTOL = 1e-12
#: Relative gap below which two candidate values (T1 of pivot pairs, T2 of input tuples) tie.
#: Exact ties are built into Def. 4.4 (h(y, y0) = h(y0, y)) and into symmetric constructions;
#: two implementations computing the same value with different rounding must break them alike.
TIE_RTOL = 1e-9


def improves(candidate: float, incumbent: float) -> bool:
    """True when ``candidate`` beats ``incumbent`` by more than the tie tolerance.

    Searches scan candidates in their stated order and replace the incumbent
    only on improvement, so among values within ``TIE_RTOL`` of each other
    the earliest (lowest index) wins.
    """
    if math.isinf(incumbent):
        return candidate < incumbent
    return candidate < incumbent - TIE_RTOL * abs(incumbent)


def sd_floor(F: NDArray[np.float64], G: NDArray[np.float64]) -> float:
    """Threshold below which a log-odds standard deviation of one model counts as zero.

    ``SD_RTOL * max_n ||f(x_n)|| * max_k ||g(y_k)||``: the scale of the logits,
    times a relative tolerance. A sigma or tau of Def. 4.4 at or below it
    means the distance would divide by (numerical) zero.
    """
    fmax = float(np.sqrt((np.asarray(F) ** 2).sum(axis=1).max()))
    gmax = float(np.sqrt((np.asarray(G) ** 2).sum(axis=1).max()))
    return SD_RTOL * max(fmax * gmax, np.finfo(np.float64).tiny)


def input_tuples(N: int, M: int, num_samples: int, seed: int | None) -> NDArray[np.int64]:
    """Disjoint random (M+1)-tuples of distinct inputs: the candidates for d_LLV's input set.

    One permutation of ``range(N)`` from ``np.random.default_rng(seed)``, cut
    into consecutive (M+1)-tuples; the first ``min(num_samples, N // (M+1))``
    are returned (entry 0 of each tuple is x_0).

    Returns
    -------
    ndarray of int64, shape (S, M + 1)
    """
    func = "input_tuples"
    num_samples = check_positive_int(func, "num_samples", num_samples)
    if N < M + 1:
        fail(func, "an input set needs N >= M + 1 inputs", f"N={N}, M={M}")
    count = min(num_samples, N // (M + 1))
    perm = np.random.default_rng(seed).permutation(N)
    return perm[: count * (M + 1)].reshape(count, M + 1).astype(np.int64)


def label_subsets(
    K: int, exclude: tuple[int, ...], M: int, max_subsets: int, seed: int | None
) -> tuple[NDArray[np.int64], bool]:
    """M-subsets of the labels not in ``exclude``: all of them, or a seeded sample.

    If there are at most ``max_subsets`` subsets, all are returned in
    lexicographic order and the flag is True. Otherwise ``max_subsets``
    subsets are drawn (each sorted, drawn without replacement within a
    subset, independently across subsets) from ``np.random.default_rng(seed)``
    and the flag is False.

    Returns
    -------
    subsets : ndarray of int64, shape (S, M)
    exhaustive : bool
    """
    func = "label_subsets"
    max_subsets = check_positive_int(func, "max_subsets", max_subsets)
    rest = np.array([k for k in range(K) if k not in set(exclude)], dtype=np.int64)
    if rest.size < M:
        fail(func, f"the embedding side needs at least M={M} labels besides the pivot and the left-out label", f"K={K}")
    total = math.comb(int(rest.size), M)
    if total <= max_subsets:
        subs = np.array(list(itertools.combinations(rest.tolist(), M)), dtype=np.int64).reshape(total, M)
        return subs, True
    rng = np.random.default_rng(seed)
    subs = np.stack([np.sort(rng.choice(rest, size=M, replace=False)) for _ in range(max_subsets)])
    return subs.astype(np.int64), False


def rep_pivots(K: int, M: int, num_samples: int, seed: int | None) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Seeded (y_0, S) pairs for d_rep: a pivot label and an M-subset of the other labels.

    Returns
    -------
    pivots : ndarray of int64, shape (S,)
    subsets : ndarray of int64, shape (S, M), each row sorted
    """
    func = "rep_pivots"
    num_samples = check_positive_int(func, "num_samples", num_samples)
    if K < M + 1:
        fail(func, "d_rep needs K >= M + 1 labels", f"K={K}, M={M}")
    rng = np.random.default_rng(seed)
    pivots = np.empty(num_samples, dtype=np.int64)
    subsets = np.empty((num_samples, M), dtype=np.int64)
    for s in range(num_samples):
        y0 = int(rng.integers(K))
        others = np.delete(np.arange(K), y0)
        pivots[s] = y0
        subsets[s] = np.sort(rng.choice(others, size=M, replace=False))
    return pivots, subsets


def rep_conditioning(G: NDArray[np.float64], pivot: int, subset: NDArray[np.int64]) -> float:
    """Condition number of one d_rep term with respect to rounding of the unembeddings.

    ``kappa = max(sigma_max(L_S), max_k ||g(y_k)||_2) / sigma_min(L_S)``, with
    ``L_S`` the M x M matrix of rows ``g(y_i) - g(y_0)`` (i in ``subset``)
    and k over ``y_0`` and ``subset``; ``inf`` when ``L_S`` is singular.

    It is the larger of two amplifications of the rounding (relative size
    eps) of the stored rows in the solve ``A = L_S^{-1} L'_S``:
    ``cond(L_S)``, large when the M + 1 labels are nearly affinely dependent
    (one ``g`` close to the affine hull of the others), and
    ``max ||g|| / sigma_min``, large when the differences cancel, i.e. the
    rows are nearly equal relative to their size (a common shift, or M = 1,
    where ``cond(L_S)`` is always 1 but ``g(y_1) - g(y_0)`` can be pure
    rounding). d_rep keeps a term only when ``kappa <= REP_MAX_COND`` in both
    models; the torch implementation computes the same quantity, batched.
    """
    rows = np.asarray(G, dtype=np.float64)
    L = rows[subset] - rows[pivot]
    s = np.linalg.svd(L, compute_uv=False)
    if not s[-1] > 0.0:
        return math.inf
    norms = np.sqrt((rows[[pivot, *subset]] ** 2).sum(axis=1))
    return float(max(float(s[0]), float(norms.max())) / s[-1])
