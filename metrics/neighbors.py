"""Neighbourhood measures: the float64 numpy reference.

Mutual k-nearest neighbours (platonic-rep), kNN Jaccard, rank similarity and
second-order cosine similarity compare two representations ``X`` (n, p) and
``Y`` (n, q) of the same ``n`` stimuli through the k-nearest-neighbour sets of
each stimulus, computed separately in ``X`` and in ``Y``. This module is the
oracle that :mod:`metrics.torch_neighbors` is checked against: the
neighbourhood search is vectorised, the measures themselves are written
stimulus by stimulus, as in their definitions.

Shared conventions
------------------
* ``k`` (keyword). Each stimulus's neighbourhood :math:`N_k(i)` is the set of
  its ``k`` nearest *other* stimuli: the stimulus itself is excluded, even
  when a duplicate of it sits at distance 0 (the duplicate counts as a
  neighbour, the stimulus does not). ``1 <= k <= n - 1``. The default
  ``k=None`` means ``min(10, (n - 1) // 2)``: the usual k = 10 once
  ``n >= 21``, and never the saturated ``k = n - 1`` on small inputs (it
  needs ``n >= 3``).
* ``metric`` (keyword). ``"cosine"`` (the default, as in platonic-rep and
  ReSi): neighbours by cosine similarity of the raw rows; equivalently by the
  squared Euclidean distance ``2 - 2 cos`` between the rows scaled to unit
  norm, which is how it is computed (it is better conditioned than
  ``1 - cos``). ``"euclidean"``: by Euclidean distance between the rows,
  computed on the column-centred rows (the distances are the same; centring
  only reduces cancellation).
* Ties. Distances are compared on a grid: each squared distance is rounded to
  the nearest multiple of ``quantum = 2**(e - 32)``, where ``2**(e - 1) <= 3 s
  < 2**e`` and ``s`` is the largest squared row norm of the centred (or unit)
  rows, so every squared distance (at most ``4 s``) is resolved to about
  ``1e-9 s``. Squared distances closer than that are ties, and ties are broken
  by stimulus index (lower index first): the order is that of a stable sort
  on ``(rounded distance, index)``. The grid makes exact ties of the
  mathematics (duplicated stimuli, symmetric point sets) exact ties of the
  computation, whatever rounding the matrix products of numpy or torch
  introduce (their error, about ``p * eps * s``, is far below the grid
  step), so both implementations pick the same neighbours. Consequences: with
  many ties (duplicated or discrete stimuli) the neighbourhoods, hence the
  score, depend on the order of the stimuli; and two distances that differ by
  less than the grid step count as equal.
* Cost. O(n^2 (p + q)) time for all pairwise distances (every measure here
  needs them) plus O(n^2 log n) for the sorts; memory O(n (p + q)) plus one
  block of rows of the distance matrix at a time (about 2**20 entries, and
  its sort order), never the whole n x n matrix.
* Degenerate inputs raise :class:`~metrics._validation.DegenerateInputError`:
  a zero row under the cosine metric (its cosine is undefined), a
  representation whose pairwise distances are all 0 (every neighbourhood
  would be a pure tie-break by index), and, for the second-order cosine, a
  stimulus whose vector of first-order cosines is zero. ``k = n - 1`` makes
  mutual kNN and kNN Jaccard equal to 1 whatever the data: they warn
  :class:`~metrics._validation.SaturationWarning`.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from metrics._validation import (
    DegenerateInputError,
    SaturationWarning,
    as_float_matrix,
    check_positive_int,
    check_same_rows,
    fail,
    warn,
)
from metrics.representation import _centre

__all__ = [
    "knn_jaccard",
    "knn_jaccard_euclidean",
    "mutual_knn",
    "mutual_knn_euclidean",
    "rank_similarity",
    "rank_similarity_euclidean",
    "second_order_cosine",
]

Matrix = NDArray[np.float64]
Metric = Literal["cosine", "euclidean"]
Normalization = Literal["intersection", "k"]

#: The default k once n >= 21 (smaller inputs get (n - 1) // 2).
DEFAULT_K = 10
#: Squared distances are rounded to multiples of 2**(e - TIE_BITS), 2**(e-1) <= 3 s < 2**e.
TIE_BITS = 32
#: Entries of one block of the distance matrix (rows per block = BLOCK_ENTRIES // n).
BLOCK_ENTRIES = 2**20
_METRICS = ("cosine", "euclidean")


# --------------------------------------------------------------------------- shared helpers
# (also used by metrics.torch_neighbors, so that both take the same decisions)


def _check_metric(func: str, metric: object) -> Metric:
    if metric not in _METRICS:
        fail(func, "metric must be 'cosine' or 'euclidean'", f"metric={metric!r}")
    return metric  # type: ignore[return-value]


def _resolve_k(func: str, k: object, n: int, *, saturates: bool) -> int:
    """The number of neighbours: ``min(10, (n - 1) // 2)`` for None, else ``k`` checked against n."""
    if n < 3:
        fail(
            func,
            "X and Y must have at least 3 rows (stimuli): with 2, each stimulus's only other "
            "stimulus is its neighbour whatever the data",
            f"n={n}",
        )
    if k is None:
        return min(DEFAULT_K, (n - 1) // 2)
    kk = check_positive_int(func, "k", k)
    if kk > n - 1:
        fail(
            func,
            f"k must be at most n - 1 = {n - 1} (each stimulus has n - 1 other stimuli; itself is excluded)",
            f"k={kk} with n={n}",
            "Pass a smaller k.",
        )
    if saturates and kk == n - 1:
        warn(
            func,
            "k must be below n - 1 for the neighbourhoods to depend on the data",
            f"k={kk} with n={n}: every neighbourhood is all other stimuli, so the score is 1 by construction",
            "Pass a smaller k.",
            category=SaturationWarning,
        )
    return kk


def _check_normalization(func: str, normalization: object) -> Normalization:
    if normalization not in ("intersection", "k"):
        fail(func, "normalization must be 'intersection' or 'k'", f"normalization={normalization!r}")
    return normalization


def tie_quantum(scale: float) -> float:
    """The grid step ``2**(e - TIE_BITS)`` for squared distances, ``2**(e-1) <= 3 scale < 2**e``.

    The factor 3 keeps the usual "nice" scales (1, 2, 4, ...), whose computed
    value may be off by an ulp, away from a power of two, where the exponent
    (and so the grid) would jump.
    """
    _, e = math.frexp(3.0 * scale)
    return math.ldexp(1.0, e - TIE_BITS)


def _zero_rows_error(func: str, name: str, first: str, count: int, shape: tuple[int, ...], fix: str) -> None:
    """``first``: the index of the first zero row, e.g. ``"3"`` or ``"1, 3"`` in a batch."""
    fail(
        func,
        f"every row (stimulus) of {name} must be nonzero (the cosine of a zero vector is undefined)",
        f"{name}[{first}] = 0 ({count} zero {'row' if count == 1 else 'rows'}; {name}.shape={shape})",
        fix,
        error=DegenerateInputError,
    )


def _all_ties_error(func: str, name: str, metric: str, where: str, shape: tuple[int, ...]) -> None:
    fail(
        func,
        f"{name} must have two stimuli at a nonzero {metric} distance (if every pairwise distance "
        "is 0, every neighbourhood is a tie-break by index)",
        f"every pairwise {metric} distance in {where} is 0 ({name}.shape={shape})",
        "Drop constant representations before comparing them.",
        error=DegenerateInputError,
    )


def _unit_rows(func: str, name: str, A: Matrix, fix: str) -> Matrix:
    """Rows scaled to unit Euclidean norm; a zero row raises DegenerateInputError."""
    norms = np.linalg.norm(A, axis=1)
    zero = np.flatnonzero(norms == 0)
    if zero.size:
        _zero_rows_error(func, name, str(int(zero[0])), int(zero.size), A.shape, fix)
    return A / norms[:, None]


def _neighbours(func: str, name: str, A: Matrix, k: int, metric: Metric) -> NDArray[np.intp]:
    """(n, k) indices of each stimulus's k nearest other stimuli, nearest first.

    Row by row: squared distances to all stimuli (one block of rows at a
    time), rounded to the tie grid, the stimulus itself set to +inf, then a
    stable sort, which breaks ties by index.
    """
    if metric == "cosine":
        Z = _unit_rows(func, name, A, "Drop the zero rows from both X and Y, or use metric='euclidean'.")
        scale = 1.0  # unit rows
    else:
        Z = _centre(A)
        scale = float(np.max(np.einsum("ij,ij->i", Z, Z)))
        if scale == 0.0:
            _all_ties_error(func, name, metric, name, A.shape)
    quantum = tie_quantum(scale)
    sq = np.einsum("ij,ij->i", Z, Z)
    n = Z.shape[0]
    rows_per_block = max(1, BLOCK_ENTRIES // n)
    out = np.empty((n, k), dtype=np.intp)
    largest = 0.0
    for start in range(0, n, rows_per_block):
        stop = min(start + rows_per_block, n)
        keys = Z[start:stop] @ Z.T  # becomes the rounded squared distances, in place (one block in memory)
        keys *= -2.0
        keys += sq[start:stop, None]
        keys += sq[None, :]  # ||z_i||^2 + ||z_j||^2 - 2 z_i . z_j
        np.maximum(keys, 0.0, out=keys)
        keys /= quantum  # exact: quantum is a power of two
        np.rint(keys, out=keys)
        local = np.arange(stop - start)
        keys[local, start + local] = -1.0
        largest = max(largest, float(keys.max()))
        keys[local, start + local] = np.inf  # the stimulus itself is never its own neighbour
        out[start:stop] = np.argsort(keys, axis=1, kind="stable")[:, :k]
    if largest == 0.0:
        _all_ties_error(func, name, metric, name, A.shape)
    return out


def _validate(func: str, X: object, Y: object) -> tuple[Matrix, Matrix]:
    Xa = as_float_matrix(func, "X", X)
    Ya = as_float_matrix(func, "Y", Y)
    check_same_rows(func, ("X", "Y"), (Xa.shape, Ya.shape))
    return Xa, Ya


def _both_neighbourhoods(
    func: str, X: object, Y: object, k: object, metric: object, *, saturates: bool
) -> tuple[NDArray[np.intp], NDArray[np.intp], int]:
    Xa, Ya = _validate(func, X, Y)
    m = _check_metric(func, metric)
    kk = _resolve_k(func, k, Xa.shape[0], saturates=saturates)
    return _neighbours(func, "X", Xa, kk, m), _neighbours(func, "Y", Ya, kk, m), kk


# --------------------------------------------------------------------------- measures


def mutual_knn(X: object, Y: object, /, *, k: int | None = None, metric: Metric = "cosine") -> float:
    r"""Mutual k-nearest-neighbour alignment (platonic-rep) between two representations (a score).

    .. math::

        m_k(X, Y) = \frac{1}{n} \sum_{i=1}^{n} \frac{|N_k^X(i) \cap N_k^Y(i)|}{k},

    where :math:`N_k^X(i)` is the set of the ``k`` nearest other stimuli of
    stimulus ``i`` in ``X`` (see the module notes for the ``k`` convention,
    the metric and the tie rule).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation: one row per stimulus. Integer and boolean arrays
        are converted to float64.
    Y : array_like, shape (n, q)
        Second representation of the same ``n >= 3`` stimuli.
    k : int, optional
        Neighbourhood size, ``1 <= k <= n - 1``; default ``min(10, (n - 1) // 2)``.
    metric : {"cosine", "euclidean"}, default "cosine"
        Distance for the neighbour search (platonic-rep uses cosine: it
        L2-normalises the features, then ranks inner products).

    Returns
    -------
    float
        A score in [0, 1]: 1 when every stimulus has the same k neighbours in
        ``X`` and ``Y``; about ``k / (n - 1)`` for unrelated representations.

    Raises
    ------
    ValueError
        An input not 2-D, with NaN or inf, fewer than 3 rows, different row
        counts, ``k`` outside ``[1, n - 1]`` or an unknown ``metric``.
    TypeError
        A complex or non-numeric input, or a non-integer ``k``.
    DegenerateInputError
        A zero row under the cosine metric, or a representation whose
        pairwise distances are all 0.

    Warns
    -----
    SaturationWarning
        If ``k = n - 1``: every neighbourhood is all other stimuli and the
        score is 1 whatever the data.

    Notes
    -----
    Cost O(n^2 (p + q) + n^2 log n) time, O(n (p + q)) memory plus one block
    of distance rows. Not differentiable (a count of set overlaps).

    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  ======  =========
    group                                     cosine  euclidean
    ========================================  ======  =========
    translation (``X + 1 b^T``)               False   True
    isotropic scaling (``c X``, ``c > 0``)    True    True
    orthogonal (``X Q``, ``Q^T Q = I``)       True    True
    invertible linear (``X A``, ``A`` p x p)  False   False
    feature permutation (``X P``)             True    True
    ========================================  ======  =========

    Orthogonal maps and scalings preserve every distance ratio, hence the
    neighbourhoods. Translation moves the angles between rows (adding a large
    offset makes every row nearly parallel to it), so the cosine
    neighbourhoods change; Euclidean distances do not. A non-orthogonal
    invertible map reorders distances (stretch one feature tenfold).

    References
    ----------
    .. [1] M. Huh, B. Cheung, T. Wang, P. Isola, "The platonic representation
       hypothesis", ICML 2024 (``mutual_knn`` in its reference code).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]])
    >>> mutual_knn(X, 3.0 * X, k=2)
    1.0
    >>> mutual_knn(X, X @ np.diag([1.0, 20.0]), k=2, metric="euclidean")  # stretch a feature
    0.75
    """
    NX, NY, kk = _both_neighbourhoods("mutual_knn", X, Y, k, metric, saturates=True)
    shared = [len(set(NX[i].tolist()) & set(NY[i].tolist())) for i in range(NX.shape[0])]
    return float(np.mean(shared) / kk)


def knn_jaccard(X: object, Y: object, /, *, k: int | None = None, metric: Metric = "cosine") -> float:
    r"""Mean Jaccard index of the k-nearest-neighbour sets (a score).

    .. math::

        J_k(X, Y) = \frac{1}{n} \sum_{i=1}^{n}
        \frac{|N_k^X(i) \cap N_k^Y(i)|}{|N_k^X(i) \cup N_k^Y(i)|},

    with the neighbourhoods of :func:`mutual_knn` (module notes: ``k``,
    metric, ties). Since both sets have ``k`` elements, each term is
    ``c / (2k - c)`` for an overlap ``c``: a monotone function of the mutual
    kNN overlap, so the two measures rank pairs of stimuli alike but average
    differently.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n >= 3`` stimuli.
    k : int, optional
        Neighbourhood size, ``1 <= k <= n - 1``; default ``min(10, (n - 1) // 2)``.
    metric : {"cosine", "euclidean"}, default "cosine"
        Distance for the neighbour search (ReSi's default is cosine).

    Returns
    -------
    float
        A score in [0, 1]; 1 when all neighbourhoods agree.

    Raises
    ------
    ValueError, TypeError, DegenerateInputError
        As for :func:`mutual_knn`.

    Warns
    -----
    SaturationWarning
        If ``k = n - 1`` (the score is then 1 whatever the data).

    Notes
    -----
    Cost as :func:`mutual_knn`. Not differentiable.

    Invariances (symmetric in X and Y): the table of :func:`mutual_knn`
    (cosine: translation False, isotropic scaling True, orthogonal True,
    invertible linear False, permutation True; Euclidean: translation True,
    the rest the same), for the same reasons.

    References
    ----------
    .. [1] C. Wang, W. Rao, W. Guo, P. Wang, J. Liu, X. Guan, "Towards
       understanding the instability of network embedding", IEEE TKDE 34 (2022).
    .. [2] M. Klabunde, T. Schumacher, M. Strohmaier, F. Lemmerich,
       "Similarity of neural network models: a survey of functional and
       representational measures", ACM Computing Surveys (2025), section 4.4.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]])
    >>> round(knn_jaccard(X, X @ np.diag([1.0, 20.0]), k=2, metric="euclidean"), 6)
    0.722222
    """
    NX, NY, _ = _both_neighbourhoods("knn_jaccard", X, Y, k, metric, saturates=True)
    ratios = []
    for i in range(NX.shape[0]):
        a, b = set(NX[i].tolist()), set(NY[i].tolist())
        ratios.append(len(a & b) / len(a | b))
    return float(np.mean(ratios))


def rank_similarity(
    X: object,
    Y: object,
    /,
    *,
    k: int | None = None,
    metric: Metric = "cosine",
    normalization: Normalization = "intersection",
) -> float:
    r"""Rank similarity of the k-nearest-neighbour lists (Wang et al. 2022, as in ReSi) (a score).

    For stimulus ``i`` let :math:`r^X_i(j) \in \{1, \dots, k\}` be the rank of
    ``j`` in the neighbour list of ``i`` in ``X`` (1 = nearest; ties by index),
    :math:`I_i = N_k^X(i) \cap N_k^Y(i)` the shared neighbours. Then

    .. math::

        \mathrm{RS}_i = \frac{1}{v_i} \sum_{j \in I_i}
            \frac{2}{\bigl(1 + |r^X_i(j) - r^Y_i(j)|\bigr)\bigl(r^X_i(j) + r^Y_i(j)\bigr)},
        \qquad
        \mathrm{RS}(X, Y) = \frac{1}{n} \sum_{i=1}^{n} \mathrm{RS}_i,

    with :math:`\mathrm{RS}_i = 0` when :math:`I_i = \emptyset`. A shared
    neighbour counts more when it is near (small ranks) and when it holds the
    same rank in both lists. The normaliser is the largest value the sum can
    take: :math:`v_i = H_{|I_i|} = \sum_{t=1}^{|I_i|} 1/t` for
    ``normalization="intersection"`` (Wang et al., ReSi, the default), reached
    when the shared neighbours hold ranks 1, 2, ... in both lists; or
    :math:`v_i = H_k` for ``normalization="k"``, which also penalises a small
    overlap (each term is at most ``1 / max(r^X, r^Y)``, so the sum is at most
    :math:`H_{|I_i|} \le H_k`).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n >= 3`` stimuli.
    k : int, optional
        Neighbourhood size, ``1 <= k <= n - 1``; default ``min(10, (n - 1) // 2)``.
        (``k = n - 1`` does not saturate this measure: ranks still differ.)
    metric : {"cosine", "euclidean"}, default "cosine"
        Distance for the neighbour search.
    normalization : {"intersection", "k"}, default "intersection"
        The normaliser :math:`v_i` above.

    Returns
    -------
    float
        A score in [0, 1] (clipped: the per-stimulus bound holds exactly, the
        clip only absorbs rounding of the harmonic sums); 1 when all
        neighbour lists agree rank for rank.

    Raises
    ------
    ValueError, TypeError, DegenerateInputError
        As for :func:`mutual_knn`; also an unknown ``normalization``.

    Notes
    -----
    With ``normalization="intersection"`` a single shared neighbour holding
    rank 1 in both lists already gives :math:`\mathrm{RS}_i = 1`: the measure
    scores the agreement of the ranks of the shared neighbours, not how many
    there are (use :func:`knn_jaccard` or ``normalization="k"`` for that).
    Cost as :func:`mutual_knn`. Not differentiable.

    Invariances (symmetric in X and Y): the table of :func:`mutual_knn`
    (cosine: translation False, isotropic scaling True, orthogonal True,
    invertible linear False, permutation True; Euclidean: translation True,
    the rest the same): the ranks change only when the order of distances does.

    References
    ----------
    .. [1] C. Wang, W. Rao, W. Guo, P. Wang, J. Liu, X. Guan, "Towards
       understanding the instability of network embedding", IEEE TKDE 34 (2022).
    .. [2] M. Klabunde, T. Wald, T. Schumacher, K. Maier-Hein, M. Strohmaier,
       F. Lemmerich, "ReSi: a comprehensive benchmark for representational
       similarity measures", ICLR 2025.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]])
    >>> rank_similarity(X, -2.0 * X, k=3, metric="euclidean")
    1.0
    >>> round(rank_similarity(X, X @ np.diag([1.0, 20.0]), k=3, metric="euclidean"), 6)
    0.827778
    """
    func = "rank_similarity"
    norm = _check_normalization(func, normalization)
    NX, NY, kk = _both_neighbourhoods(func, X, Y, k, metric, saturates=False)
    scores = []
    for i in range(NX.shape[0]):
        rank_x = {int(j): r + 1 for r, j in enumerate(NX[i])}
        rank_y = {int(j): r + 1 for r, j in enumerate(NY[i])}
        shared = rank_x.keys() & rank_y.keys()
        if not shared:
            scores.append(0.0)
            continue
        total = sum(
            2.0 / ((1 + abs(rank_x[j] - rank_y[j])) * (rank_x[j] + rank_y[j])) for j in shared
        )
        size = len(shared) if norm == "intersection" else kk
        v_max = sum(1.0 / t for t in range(1, size + 1))
        scores.append(total / v_max)
    return min(max(float(np.mean(scores)), 0.0), 1.0)


def second_order_cosine(X: object, Y: object, /, *, k: int | None = None, metric: Metric = "cosine") -> float:
    r"""Second-order cosine similarity (Hamilton et al. 2016) (a score).

    For stimulus ``i``, take the union :math:`U_i = N_k^X(i) \cup N_k^Y(i)`
    of its neighbourhoods in the two representations, and the vectors of its
    first-order cosine similarities to those stimuli,

    .. math::

        s^X_i = \bigl(\cos(x_i, x_j)\bigr)_{j \in U_i}, \qquad
        s^Y_i = \bigl(\cos(y_i, y_j)\bigr)_{j \in U_i};

    then

    .. math::

        \mathrm{SOC}(X, Y) = \frac{1}{n} \sum_{i=1}^{n} \cos(s^X_i, s^Y_i).

    The first-order similarities are cosines of the raw (uncentred) rows,
    as in Hamilton et al.; ``metric`` only chooses the neighbourhoods (see the
    module notes for ``k`` and ties).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n >= 3`` stimuli.
    k : int, optional
        Neighbourhood size, ``1 <= k <= n - 1``; default ``min(10, (n - 1) // 2)``.
    metric : {"cosine", "euclidean"}, default "cosine"
        Distance for the neighbour search (Hamilton et al. use cosine).

    Returns
    -------
    float
        A score in [-1, 1] (each cosine clipped to [-1, 1], which rounding can
        overshoot by an ulp); 1 when every stimulus has proportional
        similarity profiles in ``X`` and ``Y``. It is negative when the
        profiles are anti-aligned (e.g. three rows at 60 degrees from each
        other against three at 120 degrees).

    Raises
    ------
    ValueError, TypeError
        As for :func:`mutual_knn`.
    DegenerateInputError
        A zero row in ``X`` or ``Y`` (whatever the metric: the first-order
        cosines need nonzero rows), a representation whose pairwise distances
        are all 0, or a stimulus whose vector :math:`s^X_i` or :math:`s^Y_i`
        is zero (all its union neighbours orthogonal to it, e.g. one-hot
        rows), where the outer cosine is 0/0.

    Notes
    -----
    Cost O(n k (p + q)) for the profiles on top of the neighbour search of
    :func:`mutual_knn`. The torch version is differentiable almost
    everywhere: the neighbourhoods are locally constant, the cosines smooth.

    Invariances (symmetric in X and Y; the same for both metrics):

    ========================================  =====
    translation (``X + 1 b^T``)               False
    isotropic scaling (``c X``, ``c > 0``)    True
    orthogonal (``X Q``, ``Q^T Q = I``)       True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    Translation is False even with Euclidean neighbourhoods, because the
    first-order cosines move.

    References
    ----------
    .. [1] W. L. Hamilton, J. Leskovec, D. Jurafsky, "Cultural shift or
       linguistic drift? Comparing two computational measures of semantic
       change", EMNLP 2016.
    .. [2] M. Klabunde, T. Wald, T. Schumacher, K. Maier-Hein, M. Strohmaier,
       F. Lemmerich, "ReSi: a comprehensive benchmark for representational
       similarity measures", ICLR 2025.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]])
    >>> round(second_order_cosine(X, 4.0 * X, k=2), 12)
    1.0
    >>> round(second_order_cosine(X, X @ np.diag([1.0, 20.0]), k=2), 6)
    0.994696
    """
    func = "second_order_cosine"
    Xa, Ya = _validate(func, X, Y)
    m = _check_metric(func, metric)
    kk = _resolve_k(func, k, Xa.shape[0], saturates=False)
    fix = "Drop the zero rows from both X and Y."
    Ux, Uy = _unit_rows(func, "X", Xa, fix), _unit_rows(func, "Y", Ya, fix)
    NX, NY = _neighbours(func, "X", Xa, kk, m), _neighbours(func, "Y", Ya, kk, m)
    cosines = []
    for i in range(Xa.shape[0]):
        union = sorted(set(NX[i].tolist()) | set(NY[i].tolist()))
        sx, sy = Ux[union] @ Ux[i], Uy[union] @ Uy[i]
        nx, ny = float(np.linalg.norm(sx)), float(np.linalg.norm(sy))
        if nx == 0.0 or ny == 0.0:
            name = "X" if nx == 0.0 else "Y"
            fail(
                func,
                f"each stimulus must have a nonzero cosine to some neighbour in {name} (else its "
                "similarity profile is the zero vector and the outer cosine is 0/0)",
                f"stimulus {i} is orthogonal to all {len(union)} of its union neighbours in {name}",
                "Use another k or metric, or drop that stimulus.",
                error=DegenerateInputError,
            )
        cosines.append(min(max(float(sx @ sy) / (nx * ny), -1.0), 1.0))
    return float(np.mean(cosines))


# --------------------------------------------------------------------------- registry variants


def mutual_knn_euclidean(X: object, Y: object, /, *, k: int | None = None) -> float:
    """:func:`mutual_knn` with ``metric="euclidean"`` (a registry variant; translation invariant).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]])
    >>> mutual_knn_euclidean(X, X + 100.0, k=2)
    1.0
    """
    return mutual_knn(X, Y, k=k, metric="euclidean")


def knn_jaccard_euclidean(X: object, Y: object, /, *, k: int | None = None) -> float:
    """:func:`knn_jaccard` with ``metric="euclidean"`` (a registry variant; translation invariant).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]])
    >>> knn_jaccard_euclidean(X, X + 100.0, k=2)
    1.0
    """
    return knn_jaccard(X, Y, k=k, metric="euclidean")


def rank_similarity_euclidean(X: object, Y: object, /, *, k: int | None = None) -> float:
    """:func:`rank_similarity` with ``metric="euclidean"`` (a registry variant; translation invariant).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [5.0, 2.0], [6.0, 2.0], [9.0, 0.5]])
    >>> rank_similarity_euclidean(X, X + 100.0, k=2)
    1.0
    """
    return rank_similarity(X, Y, k=k, metric="euclidean")
