"""Representational geometry: RSA, RSM norm difference, Bures, Riemannian, summary statistics, EOS, GULP.

The float64 numpy reference (the oracle of :mod:`metrics.torch_geometry`),
written to be read. Every measure compares two representations of the same
``n`` stimuli, ``X`` (n, p) and ``Y`` (n, q), one row per stimulus; ``p`` and
``q`` may differ.

Families
--------
* RSA (Kriegeskorte et al. 2008): a representational dissimilarity matrix
  (RDM) per representation (:func:`rdm`), then a comparison of the upper
  triangles (:func:`rsa`), plus named registry variants
  (``rsa_correlation_spearman``, ...).
* Kernel geometry: :func:`rsm_norm_diff`, :func:`normalised_bures_similarity`,
  :func:`bures_distance`, :func:`riemannian_distance`.
* Summary statistics (ReSi, Klabunde et al. 2024): :func:`magnitude_difference`,
  :func:`concentricity_difference`, :func:`uniformity_difference`.
* Subspaces and prediction: :func:`eigenspace_overlap_score` (May et al.
  2019) and :func:`gulp_distance` (Boix-Adsera et al. 2022).

Shared conventions
------------------
* Centring and degenerate inputs follow :mod:`metrics.representation`: column
  means are subtracted (an exactly constant column becomes exactly zero), and
  an input that would make a measure 0/0 raises
  :class:`~metrics._validation.DegenerateInputError` (never a NaN, never a
  "perfect" score). Each docstring says which inputs are degenerate.
* Ties and constants are exact floating-point equalities: two RDM entries that
  are equal in exact arithmetic but differ by rounding are not tied.
* Values are clipped to their mathematical range before they are returned and
  before a square root or a logarithm; each place says why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import scipy.linalg
from numpy.typing import NDArray
from scipy.special import logsumexp
from scipy.stats import rankdata

from metrics._validation import DegenerateInputError, SaturationWarning, as_float_matrix, check_range, fail, warn
from metrics.representation import (
    _centre,
    _column_space_basis,
    _require_nonconstant,
    _row_space_coordinates,
    _unit_frobenius,
    _validate_pair,
)

__all__ = [
    "COMPARISONS",
    "RDM_KINDS",
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

Matrix = NDArray[np.float64]
Vector = NDArray[np.float64]
RdmKind = Literal["euclidean", "sqeuclidean", "correlation", "cosine"]
Comparison = Literal["pearson", "spearman", "kendall_tau_a", "kendall_tau_b", "cosine", "cosine_cov"]

#: The RDM kinds accepted by :func:`rdm` and :func:`rsa`.
RDM_KINDS: tuple[str, ...] = ("euclidean", "sqeuclidean", "correlation", "cosine")
#: The RDM comparisons accepted by :func:`rsa`.
COMPARISONS: tuple[str, ...] = ("pearson", "spearman", "kendall_tau_a", "kendall_tau_b", "cosine", "cosine_cov")

#: Rank comparisons treat RDM entries closer than ``TIE_ULPS * eps * max|entry|`` as tied
#: (about 5.7e-14 of the largest entry in float64); see :func:`rsa`.
TIE_ULPS = 256
#: Relative ridge of :func:`riemannian_distance_ridge` (the registry's regularised AIRM).
RIEMANNIAN_RIDGE_EPS = 1e-2
#: Default ridge of :func:`gulp_distance`, relative to unit total variance.
GULP_DEFAULT_LAM = 1e-2


# --------------------------------------------------------------------------- helpers


def _check_choice(func: str, name: str, value: object, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``; raise ValueError (TypeError for a non-string) otherwise."""
    allowed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        fail(func, f"{name} must be one of {allowed}", f"{name}={value!r} ({type(value).__name__})", error=TypeError)
    if value not in choices:
        fail(func, f"{name} must be one of {allowed}", f"{name}={value!r}")
    return str(value)


def _check_bool(func: str, name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        fail(func, f"{name} must be a bool", f"{name}={value!r} ({type(value).__name__})", error=TypeError)
    return bool(value)


def _pairwise_sq_distances(A: Matrix) -> Matrix:
    """Squared Euclidean distances between the rows, from explicit differences (no cancellation).

    Row by row, so the memory is O(n^2 + n p), never O(n^2 p).
    """
    n = A.shape[0]
    D = np.zeros((n, n))
    for i in range(n - 1):
        diff = A[i + 1 :] - A[i]
        D[i, i + 1 :] = np.einsum("ij,ij->i", diff, diff)
    return D + D.T


def _first_bad_row(func: str, name: str, bad: NDArray[np.bool_], rule: str, what: str, shape: tuple[int, ...], fix: str) -> None:
    """Raise DegenerateInputError naming the first offending row."""
    if np.any(bad):
        rows = np.flatnonzero(bad)
        fail(
            func,
            rule,
            f"row {int(rows[0])} of {name} {what} ({rows.size} such rows; {name}.shape={shape})",
            fix,
            error=DegenerateInputError,
        )


def _unit_rows(func: str, name: str, A: Matrix, *, centre_rows: bool, purpose: str) -> Matrix:
    """Rows scaled to unit norm (after subtracting each row's own mean when ``centre_rows``)."""
    if centre_rows:
        R = A - A.mean(axis=1, keepdims=True)
        # A row is constant when its centred norm is 0, including rows whose spread is so
        # small that the norm underflows (e.g. entries ~1e-277): both would give 0/0 below.
        constant = np.linalg.norm(R, axis=1) == 0
        _first_bad_row(
            func,
            name,
            constant,
            f"every row of {name} must vary across its columns for {purpose} "
            "(the correlation with a constant row is 0/0)",
            "constant",
            A.shape,
            "Drop constant rows, or use an RDM of kind 'euclidean' (p = 1 makes every row constant).",
        )
    else:
        zero = np.linalg.norm(A, axis=1) == 0  # exact zeros and norms that underflow to 0
        _first_bad_row(
            func,
            name,
            zero,
            f"every row of {name} must be nonzero for {purpose} (the cosine with a zero row is 0/0)",
            "zero",
            A.shape,
            "Drop all-zero rows, or use an RDM of kind 'euclidean'.",
        )
        R = A
    return R / np.linalg.norm(R, axis=1, keepdims=True)


def _rdm_matrix(func: str, name: str, A: Matrix, kind: str) -> Matrix:
    """The n x n RDM of the rows of ``A`` (symmetric, zero diagonal)."""
    if kind in ("euclidean", "sqeuclidean"):
        D = _pairwise_sq_distances(A)
        return D if kind == "sqeuclidean" else np.sqrt(D)
    purpose = f"a {kind} RDM"
    U = _unit_rows(func, name, A, centre_rows=(kind == "correlation"), purpose=purpose)
    # 1 - cos lies in [0, 2]; rounding can leave it a few ulps outside (e.g. -2e-16 for
    # identical rows), which would break the declared range and ties at 0.
    D = np.clip(1.0 - U @ U.T, 0.0, 2.0)
    D = np.triu(D, 1)
    return D + D.T


def _upper(D: Matrix) -> Vector:
    """The upper triangle (k = 1) of a square matrix, row by row: n (n - 1) / 2 entries."""
    i, j = np.triu_indices(D.shape[0], k=1)
    return D[i, j]


def _pearson(a: Vector, b: Vector) -> float:
    ac, bc = a - a.mean(), b - b.mean()
    ac, bc = ac / np.linalg.norm(ac), bc / np.linalg.norm(bc)
    # A correlation: rounding can put it a few ulps past +-1.
    return float(np.clip(ac @ bc, -1.0, 1.0))


def _cosine(a: Vector, b: Vector) -> float:
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    return float(np.clip(np.sum(a * b), -1.0, 1.0))


def _double_centre(D: Matrix) -> Matrix:
    """``H D H`` with ``H = I - 1 1^T / n``: subtract row and column means, add back the grand mean."""
    return D - D.mean(axis=0, keepdims=True) - D.mean(axis=1, keepdims=True) + D.mean()


def _tie_codes(v: Vector) -> NDArray[np.int64]:
    """0-based dense ranks of ``v`` in which entries within the tie tolerance share a rank.

    Sorted entries whose gap is at most ``TIE_ULPS * eps * max|v|`` join the
    same tie group (groups are chained, so a run of such gaps is one group).
    Entries that are equal in exact arithmetic, such as the distances of a
    symmetric configuration or the 0 / 2 entries of a correlation RDM of
    2-feature rows, differ by a few ulps once computed; without a tolerance
    their order, hence the rank comparisons, would be decided by rounding.
    """
    order = np.argsort(v, kind="stable")
    s = v[order]
    tol = TIE_ULPS * np.finfo(np.float64).eps * float(np.max(np.abs(v)))
    groups = np.concatenate([[0], np.cumsum(np.diff(s) > tol)]).astype(np.int64)
    codes = np.empty(v.size, dtype=np.int64)
    codes[order] = groups
    return codes


def _tied_pairs(codes: NDArray[np.int64]) -> int:
    """Number of pairs ``i < j`` with ``codes[i] == codes[j]``: sum of t (t - 1) / 2 over tie groups."""
    counts = np.unique(codes, return_counts=True)[1].astype(np.int64)
    return int(np.sum(counts * (counts - 1) // 2))


def _strict_inversions(seq: NDArray[np.int64], top: int) -> int:
    """Number of pairs ``i < j`` with ``seq[i] > seq[j]``, for integers in ``[0, top)``.

    Bottom-up merge counting, vectorised over blocks: at each level the
    sequence is cut into blocks of ``2 * size`` whose two halves are already
    sorted; every element of a right half is passed by the left-half elements
    greater than it, counted with one binary search (``searchsorted``). Block
    ``k`` is shifted by ``k * (top + 1)`` so that all left halves form one
    sorted array. The halves are then merged (sorted) and the size doubles.
    Padding with ``top`` (larger than every entry, placed last) adds no pair.
    O(m log^2 m) time, O(m) memory.
    """
    m = seq.size
    width = 1
    while width < m:
        width *= 2
    s = np.concatenate([seq.astype(np.int64), np.full(width - m, top, dtype=np.int64)])
    count = 0
    size = 1
    while size < width:
        blocks = s.reshape(-1, 2 * size)
        k = blocks.shape[0]
        shift = (np.arange(k, dtype=np.int64) * (top + 1))[:, None]
        left = (blocks[:, :size] + shift).ravel()
        right = (blocks[:, size:] + shift).ravel()
        at_most = np.searchsorted(left, right, side="right") - np.repeat(np.arange(k, dtype=np.int64) * size, size)
        count += int(np.sum(size - at_most))
        s = np.sort(blocks, axis=1).ravel()
        size *= 2
    return count


def _kendall_counts(ra: NDArray[np.int64], rb: NDArray[np.int64]) -> tuple[int, int, int, int]:
    """``(S, n0, n1, n2)`` for Kendall's tau of two dense-rank vectors, all exact integers.

    ``S = C - D`` (concordant minus discordant pairs), ``n0 = m (m - 1) / 2``
    pairs, ``n1`` / ``n2`` pairs tied in ``a`` / in ``b``. With ``n3`` the
    pairs tied in both, ``C + D = n0 - n1 - n2 + n3``, so ``S = n0 - n1 - n2 +
    n3 - 2 D``; ``D`` is the number of strict inversions of ``b`` once the
    pairs are sorted by ``a`` (ties in ``a`` broken by ``b``, so that pairs
    tied in ``a`` are never counted as inversions). Knight (1966).
    """
    m = ra.size
    order = np.lexsort((rb, ra))  # primary key ra, then rb
    discordant = _strict_inversions(rb[order], m)
    n0 = m * (m - 1) // 2
    n1, n2 = _tied_pairs(ra), _tied_pairs(rb)
    n3 = _tied_pairs(ra * m + rb)
    return n0 - n1 - n2 + n3 - 2 * discordant, n0, n1, n2


def _require_varying(func: str, name: str, v: Vector, comparison: str, shape: tuple[int, ...]) -> None:
    """Raise unless the RDM entries span more than the tie tolerance (one tie group = constant)."""
    if np.ptp(v) <= TIE_ULPS * np.finfo(np.float64).eps * float(np.max(np.abs(v))):
        fail(
            func,
            f"the RDM of {name} must not be constant for compare={comparison!r} (the comparison would be 0/0)",
            f"all {v.size} entries of the RDM of {name} equal to {float(v[0]):.6g} up to the tie tolerance "
            f"({name}.shape={shape})",
            "A constant RDM carries no ordering; compare='kendall_tau_a' scores it 0.",
            error=DegenerateInputError,
        )


def _require_nonzero_rdm(func: str, name: str, v: Vector, comparison: str, shape: tuple[int, ...]) -> None:
    if not np.any(v):
        fail(
            func,
            f"the RDM of {name} must not be zero for compare={comparison!r} (the cosine would be 0/0)",
            f"a zero RDM for {name}: every pair of rows at dissimilarity 0 ({name}.shape={shape})",
            "Drop constant representations before comparing them.",
            error=DegenerateInputError,
        )


def _compare_rdms(
    func: str, comparison: str, Dx: Matrix, Dy: Matrix, shapes: tuple[tuple[int, ...], tuple[int, ...]]
) -> float:
    """Compare two RDMs (full n x n matrices) by ``comparison``."""
    a, b = _upper(Dx), _upper(Dy)
    if comparison in ("cosine", "cosine_cov"):
        _require_nonzero_rdm(func, "X", a, comparison, shapes[0])
        _require_nonzero_rdm(func, "Y", b, comparison, shapes[1])
        if comparison == "cosine":
            return _cosine(a, b)
        return _cosine(_double_centre(Dx).ravel(), _double_centre(Dy).ravel())
    if comparison != "kendall_tau_a":
        _require_varying(func, "X", a, comparison, shapes[0])
        _require_varying(func, "Y", b, comparison, shapes[1])
    if comparison == "pearson":
        return _pearson(a, b)
    ra, rb = _tie_codes(a), _tie_codes(b)
    if comparison == "spearman":
        return _pearson(rankdata(ra, method="average"), rankdata(rb, method="average"))
    S, n0, n1, n2 = _kendall_counts(ra, rb)
    tau = S / n0 if comparison == "kendall_tau_a" else S / math.sqrt((n0 - n1) * (n0 - n2))
    return min(max(tau, -1.0), 1.0)  # exact integer ratios; the clip only guards the sqrt rounding


def _rsa(func: str, X: object, Y: object, kind: str, comparison: str) -> float:
    Xa, Ya = _validate_pair(func, X, Y)
    if Xa.shape[0] < 3:
        fail(
            func,
            "X and Y must have at least 3 rows (stimuli) for RSA (an RDM of n stimuli has n (n - 1) / 2 "
            "entries, and a comparison needs at least 2)",
            f"X.shape={Xa.shape} and Y.shape={Ya.shape}",
        )
    Dx, Dy = _rdm_matrix(func, "X", Xa, kind), _rdm_matrix(func, "Y", Ya, kind)
    return _compare_rdms(func, comparison, Dx, Dy, (Xa.shape, Ya.shape))


def _warn_saturation(func: str, rx: int, ry: int, n: int, *, centred: bool, shapes: tuple[tuple[int, ...], ...]) -> None:
    """SaturationWarning when two column spaces are forced to overlap (rank X + rank Y > ambient dimension)."""
    ambient = n - 1 if centred else n
    forced = rx + ry - ambient
    if forced > 0:
        space = "n - 1" if centred else "n"
        warn(
            func,
            f"X and Y must satisfy rank(X) + rank(Y) <= {space} for their column spaces to overlap only "
            "through the data (it fails whenever p or q reaches n)",
            f"rank(X)={rx}, rank(Y)={ry}, n={n} (X.shape={shapes[0]}, Y.shape={shapes[1]}): "
            f"the column spaces share at least {forced} directions by construction",
            "Reduce the features first (e.g. PCA) or use more samples.",
            category=SaturationWarning,
        )


# --------------------------------------------------------------------------- RSA


def rdm(X: object, /, *, kind: RdmKind = "correlation") -> Matrix:
    r"""Representational dissimilarity matrix of the rows (stimuli) of ``X``.

    .. math::

        D_{ij} = \begin{cases}
        \lVert x_i - x_j \rVert_2 & \text{euclidean} \\
        \lVert x_i - x_j \rVert_2^2 & \text{sqeuclidean} \\
        1 - r(x_i, x_j) & \text{correlation (Pearson r across the p features)} \\
        1 - \cos(x_i, x_j) & \text{cosine}
        \end{cases}

    Parameters
    ----------
    X : array_like, shape (n, p)
        One row per stimulus; integer and boolean arrays become float64.
    kind : {"correlation", "euclidean", "sqeuclidean", "cosine"}, keyword-only
        The dissimilarity. "euclidean" is the plain (not squared) distance, as
        in :func:`scipy.spatial.distance.pdist`; rsatoolbox's "euclidean" is
        the squared distance divided by p (``kind="sqeuclidean"`` up to a
        factor, which no comparison in :func:`rsa` sees).

    Returns
    -------
    numpy.ndarray, shape (n, n)
        Symmetric, zero diagonal, nonnegative; correlation and cosine entries
        are clipped to [0, 2] (rounding can leave ``1 - cos`` a few ulps
        outside). Cost O(n^2 p) time, O(n^2 + n p) memory.

    Raises
    ------
    ValueError, TypeError
        If ``X`` is not a finite real 2-D array with at least 2 rows, or
        ``kind`` is not one of the four.
    DegenerateInputError
        For ``kind="correlation"``, if a row of ``X`` is constant (always the
        case when p = 1); for ``kind="cosine"``, if a row is zero.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    >>> rdm(X, kind="euclidean")
    array([[ 0.,  5., 10.],
           [ 5.,  0.,  5.],
           [10.,  5.,  0.]])
    """
    func = "rdm"
    which = _check_choice(func, "kind", kind, RDM_KINDS)
    A = as_float_matrix(func, "X", X, min_rows=2)
    return _rdm_matrix(func, "X", A, which)


def rsa(X: object, Y: object, /, *, rdm: RdmKind = "correlation", compare: Comparison = "spearman") -> float:
    r"""Representational similarity analysis: compare the RDMs of X and Y (a score).

    .. math::

        \mathrm{RSA}(X, Y) = c\bigl(\operatorname{triu}(D_X), \operatorname{triu}(D_Y)\bigr),

    where :math:`D_X` is :func:`rdm` of ``X`` (of the chosen kind),
    :math:`\operatorname{triu}` the ``m = n (n - 1) / 2`` entries above the
    diagonal (``k = 1``), and ``c`` the comparison:

    * ``"pearson"``: Pearson correlation of the two vectors;
    * ``"spearman"``: Pearson correlation of their ranks, ties sharing the
      average rank;
    * ``"kendall_tau_a"``: :math:`(C - D) / (m (m - 1) / 2)`, concordant minus
      discordant pairs over all pairs (a tied pair counts as neither, so ties
      lower the score: an RDM with ties scores below 1 against itself);
    * ``"kendall_tau_b"``: :math:`(C - D) / \sqrt{(n_0 - n_1)(n_0 - n_2)}`,
      ties in either vector removed from the denominator (scipy's default);
    * ``"cosine"``: cosine of the two (nonnegative) vectors;
    * ``"cosine_cov"``: cosine of the double-centred full RDMs
      :math:`H D H` (diagonal included), rsatoolbox's "cosine_cov" without a
      noise covariance. With ``rdm="sqeuclidean"`` it equals linear CKA,
      because :math:`H D H = -2 X_c X_c^\top`.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus (``n >= 3``).
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.
    rdm : {"correlation", "euclidean", "sqeuclidean", "cosine"}, keyword-only
        The RDM of each representation (see :func:`rdm`). Default
        "correlation", the classic RSA of Kriegeskorte et al. (2008).
    compare : {"spearman", "pearson", "kendall_tau_a", "kendall_tau_b", "cosine", "cosine_cov"}, keyword-only
        The comparison of the two RDMs. Default "spearman".

    Returns
    -------
    float
        A similarity score: in [-1, 1] for the correlations, [0, 1] for
        "cosine" (RDM entries are nonnegative), [-1, 1] for "cosine_cov"
        ([0, 1] with ``rdm="sqeuclidean"``). 1 = the same RDM up to the
        comparison's invariance (a positive scale for the cosines, an affine
        map for Pearson, a monotone map for the rank comparisons). Pearson and
        cosine values are clipped to their range (rounding); Kendall's tau is
        an exact ratio of integer counts.

    Raises
    ------
    ValueError, TypeError
        Invalid arrays (as for :func:`metrics.representation.cka_linear`),
        fewer than 3 rows, or an unknown ``rdm`` / ``compare``.
    DegenerateInputError
        If an RDM cannot be built (see :func:`rdm`), if an RDM is constant up
        to the tie tolerance (pearson, spearman, kendall_tau_b: 0/0), or zero (cosine,
        cosine_cov: every stimulus identical). ``kendall_tau_a`` is defined
        for a constant RDM (it scores 0).

    Notes
    -----
    Ties. For the rank comparisons (spearman, kendall_tau_a, kendall_tau_b),
    RDM entries within ``TIE_ULPS * eps * max|entry|`` (about 5.7e-14 of the
    largest entry in float64; sorted entries chained through such gaps) are
    tied. Entries that are equal in exact arithmetic (a symmetric
    configuration; the 0 / 2 entries of the correlation RDM of 2-feature
    rows) differ by a few ulps once computed, so without a tolerance their
    order would be decided by rounding, differently in numpy and torch and
    after an orthogonal map of the features. An RDM whose entries all agree
    within the tolerance counts as constant. Entries further apart than that
    are distinct; peers (scipy, rsatoolbox) use exact equality, so they can
    differ from this function only on such near-ties.

    Cost: O(n^2 (p + q)) to build the RDMs (O(n^2) memory; the measure needs
    the n x n matrices); then O(m) for pearson and cosine, O(m log m) for
    spearman, O(m log^2 m) for Kendall's tau (exact merge counting of
    discordant pairs, Knight 1966), O(n^2) for cosine_cov.

    Invariances depend only on the RDM kind, since every comparison is
    unchanged when an RDM is multiplied by a positive number (for a map
    applied to ``X`` alone; symmetric in X and Y):

    ========================================  =========  ===========  ======
    invariance                                euclidean  correlation  cosine
    ========================================  =========  ===========  ======
    translation (``X + 1 b^T``)               True       False        False
    isotropic scaling (``c X``, ``c != 0``)   True       True         True
    orthogonal (``X Q``)                      True       False        True
    invertible linear (``X A``)               False      False        False
    feature permutation (``X P``)             True       True         True
    ========================================  =========  ===========  ======

    ("euclidean" covers "sqeuclidean".) The correlation RDM centres each
    *row* across features, which commutes with permuting features but not
    with a general rotation or a translation of the feature space; the cosine
    RDM sees only inner products between rows (rotation invariant) but not
    their offset from the origin.

    References
    ----------
    .. [1] N. Kriegeskorte, M. Mur, P. Bandettini, "Representational
       similarity analysis - connecting the branches of systems
       neuroscience", Front. Syst. Neurosci. 2 (2008).
    .. [2] H. Nili et al., "A toolbox for representational similarity
       analysis", PLoS Comput. Biol. 10 (2014) (Kendall's tau-a for RDMs).
    .. [3] W. R. Knight, "A computer method for calculating Kendall's tau
       with ungrouped data", JASA 61 (1966).
    .. [4] J. Diedrichsen et al., "Comparing representational geometries
       using whitened unbiased-distance-matrix similarity", NBDT (2021)
       (cosine_cov).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [2.0, 0.0], [1.0, 3.0], [4.0, 2.0], [3.0, 5.0]])
    >>> round(rsa(X, 2.0 * X @ np.array([[0.0, 1.0], [1.0, 0.0]]), rdm="euclidean", compare="pearson"), 12)
    1.0
    >>> Z = np.array([[0.3, 1.7, 2.2], [2.9, 0.4, 1.1], [1.3, 3.6, 0.2], [4.1, 2.5, 1.9], [3.3, 5.2, 2.8]])
    >>> round(rsa(Z, Z ** 2), 6)  # correlation RDMs, Spearman
    0.927273
    >>> line = np.array([[0.0], [1.0], [2.0]])  # distances 1, 2, 1: a tie
    >>> round(rsa(line, line, rdm="euclidean", compare="kendall_tau_a"), 6)
    0.666667
    """
    func = "rsa"
    kind = _check_choice(func, "rdm", rdm, RDM_KINDS)
    comparison = _check_choice(func, "compare", compare, COMPARISONS)
    return _rsa(func, X, Y, kind, comparison)


def rsa_correlation_spearman(X: object, Y: object, /) -> float:
    """RSA with correlation RDMs compared by Spearman's rho: ``rsa(X, Y, rdm="correlation", compare="spearman")``.

    The classic RSA of Kriegeskorte et al. (2008). See :func:`rsa`.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.3, 1.7, 2.2], [2.9, 0.4, 1.1], [1.3, 3.6, 0.2], [4.1, 2.5, 1.9], [3.3, 5.2, 2.8]])
    >>> round(rsa_correlation_spearman(X, X ** 2), 6)
    0.927273
    """
    return _rsa("rsa_correlation_spearman", X, Y, "correlation", "spearman")


def rsa_correlation_pearson(X: object, Y: object, /) -> float:
    """RSA with correlation RDMs compared by Pearson's r: ``rsa(X, Y, rdm="correlation", compare="pearson")``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.3, 1.7, 2.2], [2.9, 0.4, 1.1], [1.3, 3.6, 0.2], [4.1, 2.5, 1.9], [3.3, 5.2, 2.8]])
    >>> round(rsa_correlation_pearson(X, X[:, ::-1]), 12)  # permuting features
    1.0
    >>> round(rsa_correlation_pearson(X, X ** 2), 6)
    0.984766
    """
    return _rsa("rsa_correlation_pearson", X, Y, "correlation", "pearson")


def rsa_correlation_kendall_tau_b(X: object, Y: object, /) -> float:
    """RSA with correlation RDMs compared by Kendall's tau-b: ``rsa(X, Y, rdm="correlation", compare="kendall_tau_b")``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.3, 1.7, 2.2], [2.9, 0.4, 1.1], [1.3, 3.6, 0.2], [4.1, 2.5, 1.9], [3.3, 5.2, 2.8]])
    >>> round(rsa_correlation_kendall_tau_b(X, X ** 2), 6)
    0.822222
    """
    return _rsa("rsa_correlation_kendall_tau_b", X, Y, "correlation", "kendall_tau_b")


def rsa_euclidean_pearson(X: object, Y: object, /) -> float:
    """RSA with Euclidean (not squared) RDMs compared by Pearson's r: ``rsa(X, Y, rdm="euclidean", compare="pearson")``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [2.0, 0.0], [1.0, 3.0], [4.0, 2.0], [3.0, 5.0]])
    >>> round(rsa_euclidean_pearson(X, 3.0 * X + 1.0), 12)
    1.0
    """
    return _rsa("rsa_euclidean_pearson", X, Y, "euclidean", "pearson")


def rsa_euclidean_spearman(X: object, Y: object, /) -> float:
    """RSA with Euclidean RDMs compared by Spearman's rho: ``rsa(X, Y, rdm="euclidean", compare="spearman")``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [2.0, 0.0], [1.0, 3.0], [4.0, 2.0], [3.0, 5.0]])
    >>> round(rsa_euclidean_spearman(X, X ** 2), 6)
    0.796433
    """
    return _rsa("rsa_euclidean_spearman", X, Y, "euclidean", "spearman")


def rsa_euclidean_cosine(X: object, Y: object, /) -> float:
    """RSA with Euclidean RDMs compared by their cosine: ``rsa(X, Y, rdm="euclidean", compare="cosine")``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [2.0, 0.0], [1.0, 3.0], [4.0, 2.0], [3.0, 5.0]])
    >>> round(rsa_euclidean_cosine(X, X ** 2), 6)
    0.971386
    """
    return _rsa("rsa_euclidean_cosine", X, Y, "euclidean", "cosine")


def rsa_cosine_kendall_tau_a(X: object, Y: object, /) -> float:
    """RSA with cosine RDMs compared by Kendall's tau-a: ``rsa(X, Y, rdm="cosine", compare="kendall_tau_a")``.

    Tau-a penalises ties (Nili et al. 2014): an RDM with tied entries scores
    below 1 against itself, so the identity axiom fails for this variant.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])  # cosine distances 1, 2, 1
    >>> round(rsa_cosine_kendall_tau_a(X, X), 6)
    0.666667
    """
    return _rsa("rsa_cosine_kendall_tau_a", X, Y, "cosine", "kendall_tau_a")


def rsa_sqeuclidean_cosine_cov(X: object, Y: object, /) -> float:
    """RSA with squared-Euclidean RDMs compared by cosine_cov: ``rsa(X, Y, rdm="sqeuclidean", compare="cosine_cov")``.

    Equals linear CKA (:func:`metrics.representation.cka_linear`), since the
    double-centred squared-Euclidean RDM is ``-2 Xc Xc^T``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(rsa_sqeuclidean_cosine_cov(X, X @ np.diag([10.0, 1.0])), 6)  # = cka_linear
    0.48818
    """
    return _rsa("rsa_sqeuclidean_cosine_cov", X, Y, "sqeuclidean", "cosine_cov")


# --------------------------------------------------------------------------- kernel geometry


def _normalised_pair(func: str, X: object, Y: object) -> tuple[Matrix, Matrix]:
    """Centred, non-constant, unit-Frobenius X and Y."""
    Xa, Ya = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xa), _centre(Ya)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    return _unit_frobenius(Xc), _unit_frobenius(Yc)


def rsm_norm_diff(X: object, Y: object, /) -> float:
    r"""Frobenius distance between the linear RSMs of the normalised representations (a distance).

    .. math::

        d(X, Y) = \lVert K_X - K_Y \rVert_F,
        \qquad K_X = X_n X_n^\top, \quad X_n = X_c / \lVert X_c \rVert_F,

    the representational similarity matrix (RSM) being the linear kernel of
    the column-centred input scaled to unit Frobenius norm (so
    :math:`\operatorname{tr} K_X = 1`); the full matrices, diagonal included.
    When ``p < n`` and ``q < n`` it is computed from feature products,
    :math:`d^2 = \lVert X_n^\top X_n\rVert_F^2 + \lVert Y_n^\top Y_n\rVert_F^2
    - 2 \lVert X_n^\top Y_n\rVert_F^2` (O(n (p + q)^2), no n x n matrix),
    otherwise from the n x n kernels (O(n^2 (p + q))).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.

    Returns
    -------
    float
        ``d`` in [0, sqrt(2)] (``||K||_F <= tr K = 1`` and ``<K_X, K_Y> >= 0``),
        a distance. The feature route's ``d^2`` is clipped at 0 before the
        square root (it can round slightly negative for nearly equal RSMs);
        near 0 that route is accurate to about ``sqrt(eps) ~ 1e-8``.

    Raises
    ------
    ValueError, TypeError
        Invalid arrays (as for :func:`metrics.representation.cka_linear`).
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant: it cannot be
        normalised.

    Notes
    -----
    ReSi's ``rsm_norm_diff`` uses the Euclidean distance matrices of the raw
    (uncentred, unnormalised) representations instead; that variant is not
    scale invariant. Normalising each RSM to unit Frobenius norm instead of
    unit trace would make ``d = sqrt(2 - 2 CKA)``, a function of linear CKA;
    the unit-trace normalisation used here is not.

    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    It is a pseudometric on representations (the Frobenius distance between
    the matrices ``K_X``), so it satisfies the triangle inequality.

    References
    ----------
    .. [1] M. Klabunde, T. Schumacher, M. Strohmaier, F. Lemmerich,
       "Similarity of neural network models: a survey of functional and
       representational measures", ACM Comput. Surv. (2025), "RSM norm
       difference"; ReSi benchmark (ICLR 2025).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(rsm_norm_diff(X, 4.0 * X[:, ::-1] - 1.0), 6)
    0.0
    >>> round(rsm_norm_diff(X, X @ np.diag([10.0, 1.0])), 6)
    0.903465
    """
    func = "rsm_norm_diff"
    Xn, Yn = _normalised_pair(func, X, Y)
    n, p, q = Xn.shape[0], Xn.shape[1], Yn.shape[1]
    if p < n and q < n:
        sq = (
            np.linalg.norm(Xn.T @ Xn) ** 2
            + np.linalg.norm(Yn.T @ Yn) ** 2
            - 2.0 * np.linalg.norm(Xn.T @ Yn) ** 2
        )
    else:
        sq = np.linalg.norm(Xn @ Xn.T - Yn @ Yn.T) ** 2
    return float(np.sqrt(max(float(sq), 0.0)))


def _fidelity(Xs: Matrix, Ys: Matrix) -> float:
    """``tr (K^{1/2} L K^{1/2})^{1/2} = ||Xs^T Ys||_*`` for ``K = Xs Xs^T``, ``L = Ys Ys^T`` (see below)."""
    Xr, Yr = _row_space_coordinates(Xs), _row_space_coordinates(Ys)
    return float(np.linalg.svd(Xr.T @ Yr, compute_uv=False).sum())


def _procrustes_residual(Xs: Matrix, Ys: Matrix) -> float:
    """``min_Q ||Xs Q - Ys||_F`` over orthogonal Q (the narrower input padded with zero columns).

    Equal in exact arithmetic to ``sqrt(||Xs||_F^2 + ||Ys||_F^2 - 2 ||Xs^T Ys||_*)``,
    but computed as the norm of the residual at the optimal ``Q`` (Schonemann:
    ``Q = U V^T`` from the SVD ``U S V^T`` of the a x b product, ``a <= b``),
    so nothing cancels: near 0 the error is a few eps times ``||Xs||_F``
    (times the condition number of the inputs), not ``sqrt(eps)``. The
    narrower input is the one rotated: its ``U`` is square, so ``Xs Q`` keeps
    the whole of ``Xs`` (rotating the wider one would drop the part of it
    outside the narrower one's span). Wide inputs go to row-space
    coordinates first, as in :func:`_fidelity`.
    """
    Xr, Yr = _row_space_coordinates(Xs), _row_space_coordinates(Ys)
    if Xr.shape[1] > Yr.shape[1]:
        Xr, Yr = Yr, Xr  # the value is symmetric; rotate the narrower matrix
    U, _, Vt = np.linalg.svd(Xr.T @ Yr, full_matrices=False)  # U (a, a), Vt (a, b)
    return float(np.linalg.norm(Xr @ (U @ Vt) - Yr))


def normalised_bures_similarity(X: object, Y: object, /) -> float:
    r"""Normalised Bures similarity (NBS) of the centred linear kernels (a score).

    .. math::

        \mathrm{NBS}(X, Y) = \frac{\operatorname{tr}\bigl(K^{1/2} L K^{1/2}\bigr)^{1/2}}
                                  {\sqrt{\operatorname{tr} K \, \operatorname{tr} L}},
        \qquad K = X_c X_c^\top, \; L = Y_c Y_c^\top.

    Computed without the n x n kernels: with :math:`X_c = U S V^\top`,
    :math:`K^{1/2} L K^{1/2} = M M^\top` for :math:`M = U S U^\top Y_c`, whose
    singular values are those of :math:`X_c^\top Y_c`; hence the fidelity
    :math:`\operatorname{tr}(K^{1/2} L K^{1/2})^{1/2} = \lVert X_c^\top Y_c
    \rVert_*` (nuclear norm, a p x q SVD; O(n p q + min(p, q)^2 max(p, q))),
    and :math:`\operatorname{tr} K = \lVert X_c \rVert_F^2`. A wide input
    (``p > n``) is first replaced by its n row-space coordinates ``U S`` (an
    orthogonal change of feature basis, which NBS does not see).

    This is exactly the Procrustes similarity
    :func:`metrics.representation.procrustes_similarity`, and
    ``arccos(NBS)`` is the angular Procrustes metric.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.

    Returns
    -------
    float
        NBS in [0, 1], a similarity score (1 = ``Y`` is an orthogonal
        transform of ``X`` up to translation and scale). Clipped to [0, 1]
        because rounding can put it a few ulps above 1.

    Raises
    ------
    ValueError, TypeError
        Invalid arrays (as for :func:`metrics.representation.cka_linear`).
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant: the trace in the
        denominator is 0.

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    References
    ----------
    .. [1] D. Bures, "An extension of Kakutani's theorem on infinite product
       measures to the tensor product of semifinite w*-algebras", Trans. AMS
       135 (1969).
    .. [2] S. Tang, W. J. Maddox, C. Dickens, T. Diethe, A. Damianou,
       "Similarity of neural networks with gradients", arXiv:2003.11498 (2020).
    .. [3] A. H. Williams, E. Kunz, S. Kornblith, S. W. Linderman,
       "Generalized shape metrics on neural representations", NeurIPS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(normalised_bures_similarity(X, X @ np.diag([10.0, 1.0])), 6)
    0.702078
    """
    func = "normalised_bures_similarity"
    Xn, Yn = _normalised_pair(func, X, Y)
    # Exact value in [0, 1] (the nuclear/Frobenius Cauchy-Schwarz); clip the few-ulp overshoot.
    return min(max(_fidelity(Xn, Yn), 0.0), 1.0)


def bures_distance(X: object, Y: object, /, *, normalise: bool = False) -> float:
    r"""Bures distance between the centred linear-kernel covariance operators (a distance).

    .. math::

        d_B(X, Y) = \sqrt{\operatorname{tr} K + \operatorname{tr} L
                          - 2 \operatorname{tr}\bigl(K^{1/2} L K^{1/2}\bigr)^{1/2}},
        \qquad K = \tfrac{1}{n} X_c X_c^\top, \; L = \tfrac{1}{n} Y_c Y_c^\top.

    With the fidelity computed as :math:`\lVert X_c^\top Y_c \rVert_* / n` (see
    :func:`normalised_bures_similarity`), :math:`d_B^2 = \min_{Q^\top Q = I}
    \frac1n \lVert X_c Q - Y_c \rVert_F^2`: the root-mean-square residual per
    stimulus after the best rotation (the 2-Wasserstein distance between the
    centred Gaussians with these covariances, in stimulus space). It is
    computed in that second form, as the norm of the residual at the optimal
    rotation ``Q = U V^T`` (``U S V^T`` the SVD of :math:`X_c^\top Y_c`):
    the first form subtracts nearly equal traces and loses half the digits
    near 0 (``bures_distance(X, X)`` came out near ``1e-7``). No n x n
    matrix is built; cost as for :func:`normalised_bures_similarity`.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.
    normalise : bool, keyword-only
        False (default): the kernels as above, in the units of the data (not
        scale invariant). True: each kernel scaled to unit trace, which gives
        :math:`\sqrt{2 - 2\,\mathrm{NBS}}`, i.e.
        :func:`metrics.representation.procrustes_distance`.

    Returns
    -------
    float
        ``d_B`` in [0, inf) ([0, sqrt(2)] when normalised), a distance.
        Computed as a residual norm, never as a difference that could round
        negative: near 0 it is accurate to a few ``eps`` times the inputs'
        scale ``||X_c||_F / sqrt(n)`` (times the condition number of the
        centred inputs), so ``bures_distance(X, X)`` is 0 up to rounding.
        The normalised value is clipped to ``sqrt(2)``, which rounding can
        exceed by an ulp when the kernels are orthogonal.

    Raises
    ------
    ValueError, TypeError
        Invalid arrays, or ``normalise`` not a bool.
    DegenerateInputError
        With ``normalise=True`` only, if every column of ``X`` (or ``Y``) is
        constant. Unnormalised, a constant input is a zero kernel and the
        distance is well defined (``d_B(X, const) = ||Xc||_F / sqrt(n)``).

    Notes
    -----
    Invariances of the default (``normalise=False``; for a map applied to
    ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   False
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    (``normalise=True`` adds isotropic scaling.) ``d_B`` is a metric on
    positive semi-definite matrices, so it is a pseudometric on
    representations: symmetric, zero on ``d_B(X, X)``, triangle inequality.

    References
    ----------
    .. [1] R. Bhatia, T. Jain, Y. Lim, "On the Bures-Wasserstein distance
       between positive definite matrices", Expo. Math. 37 (2019).
    .. [2] A. H. Williams, E. Kunz, S. Kornblith, S. W. Linderman,
       "Generalized shape metrics on neural representations", NeurIPS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(bures_distance(X, X[:, ::-1] + 7.0), 6)  # a rotation and a shift
    0.0
    >>> round(bures_distance(X, 2.0 * X), 6)  # RMS norm of the centred rows
    1.213352
    """
    func = "bures_distance"
    flag = _check_bool(func, "normalise", normalise)
    if flag:
        Xn, Yn = _normalised_pair(func, X, Y)
        # Unit-Frobenius inputs: the exact value is at most sqrt(2); clip the ulp overshoot.
        return min(_procrustes_residual(Xn, Yn), math.sqrt(2.0))
    Xa, Ya = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xa), _centre(Ya)
    n = Xa.shape[0]
    # Work in units of the larger norm so that the products in the SVD cannot overflow or underflow.
    scale = max(float(np.linalg.norm(Xc)), float(np.linalg.norm(Yc)))
    if scale == 0.0:
        return 0.0
    return scale * _procrustes_residual(Xc / scale, Yc / scale) / math.sqrt(n)


def _helmert_basis(n: int) -> Matrix:
    """Orthonormal basis (n, n - 1) of the vectors orthogonal to 1 (Helmert contrasts).

    Column k (k = 1, ..., n - 1) is ``(1, ..., 1, -k, 0, ..., 0) / sqrt(k (k + 1))``
    with k leading ones.
    """
    H = np.zeros((n, n - 1))
    for k in range(1, n):
        H[:k, k - 1] = 1.0
        H[k, k - 1] = -float(k)
        H[:, k - 1] /= math.sqrt(k * (k + 1))
    return H


def _gram_factor(func: str, name: str, A: Matrix, H: Matrix, ridge: float) -> Matrix:
    """``F`` with ``F F^T = G + ridge * mean_eig(G) I`` for ``G = (H^T Ac)(H^T Ac)^T / p``; checks degeneracy."""
    n, p = A.shape
    Ac = _centre(A)
    Z = H.T @ Ac  # (n - 1, p): the centred rows in coordinates of the centred subspace
    if ridge == 0.0:
        s = np.linalg.svd(Z, compute_uv=False)
        tol = max(n, p) * np.finfo(np.float64).eps * s[0]
        rank = int(np.sum(s > tol)) if s[0] > 0 else 0
        if rank < n - 1:
            fail(
                func,
                f"the centred {name} must have rank n - 1 for its Gram matrix to be positive definite "
                "on the centred subspace (so it needs p >= n - 1 features), or eps must be > 0",
                f"rank({name})={rank}, n={n} ({name}.shape={A.shape})",
                "Pass eps > 0 (a ridge relative to the mean eigenvalue, e.g. eps=1e-2).",
                error=DegenerateInputError,
            )
        return Z / math.sqrt(p)
    _require_nonconstant(func, name, Ac)
    mean_eigenvalue = float(np.sum(Z * Z)) / (p * (n - 1))  # tr G / (n - 1)
    return np.hstack([Z / math.sqrt(p), math.sqrt(ridge * mean_eigenvalue) * np.eye(n - 1)])


def _riemannian(func: str, X: object, Y: object, ridge: float) -> float:
    """The AIRM distance of :func:`riemannian_distance` with a validated ridge.

    With ``A = F_X F_X^T`` and ``B = F_Y F_Y^T``: a QR of ``F_X^T`` gives
    ``A = R^T R`` (no product ``F F^T`` is formed, so no condition number is
    squared), and ``A^{-1/2} B A^{-1/2}`` is similar to ``W W^T`` with
    ``W = R^{-T} F_Y``: its eigenvalues are the squared singular values of ``W``.
    """
    Xa, Ya = _validate_pair(func, X, Y)
    H = _helmert_basis(Xa.shape[0])
    Fx = _gram_factor(func, "X", Xa, H, ridge)
    Fy = _gram_factor(func, "Y", Ya, H, ridge)
    Rx = np.asarray(scipy.linalg.qr(Fx.T, mode="r")[0])[: Fx.shape[0]]  # (n - 1, n - 1) upper triangular
    W = scipy.linalg.solve_triangular(Rx.T, Fy, lower=True)
    s = np.linalg.svd(W, compute_uv=False)
    # positive in exact arithmetic (A, B positive definite); clip before the logarithm
    s = np.maximum(s, np.finfo(np.float64).tiny)
    return float(np.sqrt(np.sum((2.0 * np.log(s)) ** 2)))


def riemannian_distance(X: object, Y: object, /, *, eps: float = 0.0) -> float:
    r"""Affine-invariant Riemannian distance between the stimulus Gram matrices (a distance).

    .. math::

        d(X, Y) = \bigl\lVert \log\bigl(A^{-1/2} B A^{-1/2}\bigr) \bigr\rVert_F
                = \Bigl(\sum_{i=1}^{n-1} \log^2 \lambda_i\Bigr)^{1/2},

    with :math:`\lambda_i` the eigenvalues of :math:`A^{-1/2} B A^{-1/2}` and

    .. math::

        A = G_X + \varepsilon\, \bar g_X I, \qquad
        G_X = \tfrac{1}{p} Z_X Z_X^\top, \quad Z_X = H^\top X, \quad
        \bar g_X = \operatorname{tr} G_X / (n - 1),

    where ``H`` (n x (n - 1)) is the orthonormal Helmert basis of the vectors
    orthogonal to ``1``. Centring the rows' Gram matrix
    (:math:`X_c X_c^\top / p`) makes it singular along ``1``; ``H`` restricts
    it to the (n - 1)-dimensional centred subspace where it can be positive
    definite (the distance does not depend on the choice of basis there).
    The ridge ``eps`` is relative to the mean eigenvalue :math:`\bar g_X`, so
    it has no units. Computed without forming ``A`` or ``B``: with ``A = F_X
    F_X^T`` (``F_X = [Z_X / sqrt(p), sqrt(eps g_X) I]``), a QR of ``F_X^T``
    gives ``A = R^T R``, and the :math:`\lambda_i` are the squared singular
    values of ``R^{-T} F_Y``; no condition number is squared, which matters
    for small ``eps`` (an eigendecomposition of ``A`` loses about 1e-6 relative
    accuracy at ``eps = 1e-6``). Cost O(n^2 (n + p + q)); the measure needs the
    n x n matrices (the torch version avoids them when ``eps > 0`` and
    ``p + q < n - 1``).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.
    eps : float, keyword-only
        Ridge, relative to the mean eigenvalue of each Gram matrix; >= 0.
        Default 0: the exact distance, which needs both centred Gram matrices
        to have full rank n - 1 (so ``p >= n - 1`` and ``q >= n - 1``).

    Returns
    -------
    float
        ``d`` in [0, inf), a distance (0 = the same Gram matrix). Singular
        values are clipped below at the smallest positive float before the
        logarithm (they are positive in exact arithmetic; rounding can make
        those of a nearly singular matrix zero).

    Raises
    ------
    ValueError, TypeError
        Invalid arrays, or ``eps`` not a finite number >= 0.
    DegenerateInputError
        With ``eps = 0``, if the centred ``X`` (or ``Y``) has numerical rank
        below n - 1 (singular values at or below ``max(n, p) * eps_mach *
        s_max``): the Gram matrix is singular and the distance infinite. With
        ``eps > 0``, only a constant input (zero Gram matrix) is degenerate.

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   False
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    Scaling ``X`` by ``c`` multiplies ``A`` by ``c^2`` and shifts every
    ``log lambda_i`` by ``-2 log|c|``. The affine invariance of the name is
    that of the metric on positive definite matrices,
    ``d(M A M^T, M B M^T) = d(A, B)`` for one invertible ``M`` acting on the
    *stimulus* axis of both; it is not an invariance to feature maps. The
    distance is a metric on positive definite matrices, and ``A`` depends on
    ``X`` alone, so it is a pseudometric on representations.

    References
    ----------
    .. [1] M. Shahbazi, A. Shirali, H. Aghajan, H. Nili, "Using distance on
       the Riemannian manifold to compare representations in brain and in
       models", NeuroImage 239 (2021).
    .. [2] X. Pennec, P. Fillard, N. Ayache, "A Riemannian framework for
       tensor computing", IJCV 66 (2006).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 2.0]])
    >>> round(riemannian_distance(X, X[:, ::-1] + 5.0), 6)
    0.0
    >>> round(riemannian_distance(X, 2.0 * X), 6)  # sqrt(n - 1) * log 4
    2.401132
    >>> round(riemannian_distance(X[:, :2], X, eps=0.1), 6)
    3.22493
    """
    func = "riemannian_distance"
    return _riemannian(func, X, Y, check_range(func, "eps", eps, low=0.0, high=math.inf))


def riemannian_distance_ridge(X: object, Y: object, /) -> float:
    """Regularised AIRM distance: ``riemannian_distance(X, Y, eps=1e-2)`` (registry default).

    The 1 % ridge (relative to the mean eigenvalue) makes every non-constant
    input admissible, whatever ``p``. See :func:`riemannian_distance`.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 2.0]])
    >>> round(riemannian_distance_ridge(X, X[:, ::-1]), 6)
    0.0
    """
    return _riemannian("riemannian_distance_ridge", X, Y, RIEMANNIAN_RIDGE_EPS)


# --------------------------------------------------------------------------- statistics


def _magnitude(A: Matrix, kind: str) -> float:
    if kind == "norm_of_mean":
        return float(np.linalg.norm(A.mean(axis=0)))
    return float(np.linalg.norm(A, axis=1).mean())


def magnitude_difference(X: object, Y: object, /, *, kind: Literal["norm_of_mean", "mean_norm"] = "norm_of_mean") -> float:
    r"""Absolute difference of the magnitudes of two representations (a distance).

    .. math::

        d(X, Y) = \lvert m(X) - m(Y) \rvert, \qquad
        m(X) = \Bigl\lVert \frac1n \sum_{i} x_i \Bigr\rVert_2 \;\;\text{("norm_of_mean")}
        \quad\text{or}\quad
        m(X) = \frac1n \sum_i \lVert x_i \rVert_2 \;\;\text{("mean_norm")}.

    The default is ReSi's ``magnitude_difference`` exactly (the norm of the
    mean row, no normalisation). The inputs are *not* centred: centring would
    make ``m(X) = 0``. ``p != q`` is allowed; rows are still paired stimuli,
    so ``X`` and ``Y`` must have the same number of rows. Cost O(n (p + q)).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.
    kind : {"norm_of_mean", "mean_norm"}, keyword-only
        Which magnitude (see above).

    Returns
    -------
    float
        ``d`` in [0, inf), a distance (0 = equal magnitudes).

    Raises
    ------
    ValueError, TypeError
        Invalid arrays or ``kind``. No input is degenerate.

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               False
    isotropic scaling (``c X``, ``c != 0``)   False
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    As the absolute difference of a scalar statistic it is a pseudometric:
    nonnegative, symmetric, zero on ``d(X, X)``, with the triangle
    inequality (many unrelated representations are at distance 0).

    References
    ----------
    .. [1] M. Klabunde, T. Schumacher, M. Strohmaier, F. Lemmerich,
       "Similarity of neural network models: a survey of functional and
       representational measures", ACM Comput. Surv. (2025), section on
       descriptive statistics; ReSi (ICLR 2025), ``magnitude_difference``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[3.0, 4.0], [3.0, 4.0], [-3.0, -4.0]])
    >>> round(magnitude_difference(X, np.zeros((3, 1))), 6)  # ||mean row|| = 5 / 3
    1.666667
    >>> round(magnitude_difference(X, np.zeros((3, 1)), kind="mean_norm"), 6)
    5.0
    """
    func = "magnitude_difference"
    which = _check_choice(func, "kind", kind, ("norm_of_mean", "mean_norm"))
    Xa, Ya = _validate_pair(func, X, Y)
    return abs(_magnitude(Xa, which) - _magnitude(Ya, which))


def _concentricity(func: str, name: str, A: Matrix) -> float:
    """Mean cosine between each row and the mean row."""
    n = A.shape[0]
    mean = A.mean(axis=0)
    # A mean row that is zero up to the rounding of the sum (|error| <= n eps ||A||_F) has no direction.
    if np.linalg.norm(mean) <= n * np.finfo(np.float64).eps * np.linalg.norm(A):
        fail(
            func,
            f"the mean row of {name} must be nonzero (concentricity is the cosine to the mean row, 0/0 otherwise)",
            f"||mean row of {name}||={float(np.linalg.norm(mean))!r}, at the rounding level of the sum "
            f"({name}.shape={A.shape})",
            "Column-centred representations have no concentricity; pass uncentred ones.",
            error=DegenerateInputError,
        )
    zero = ~np.any(A, axis=1)
    _first_bad_row(
        func,
        name,
        zero,
        f"every row of {name} must be nonzero (the cosine of a zero row to the mean row is 0/0)",
        "zero",
        A.shape,
        "Drop all-zero rows.",
    )
    cos = (A @ mean) / (np.linalg.norm(A, axis=1) * np.linalg.norm(mean))
    return float(np.clip(cos, -1.0, 1.0).mean())  # cosines: clip the few-ulp overshoot


def concentricity_difference(X: object, Y: object, /) -> float:
    r"""Absolute difference of the concentricities of two representations (a distance).

    .. math::

        d(X, Y) = \lvert \alpha(X) - \alpha(Y) \rvert, \qquad
        \alpha(X) = \frac1n \sum_{i=1}^n \cos(x_i, \bar x), \quad \bar x = \frac1n \sum_i x_i,

    ReSi's ``concentricity_difference`` exactly: the mean cosine similarity
    between each row and the mean row, on uncentred inputs (centring would
    make the mean row zero). ``p != q`` is allowed. Cost O(n (p + q)).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.

    Returns
    -------
    float
        ``d`` in [0, 2] (each ``alpha`` lies in [-1, 1]; it can be negative
        when rows with large norms point along the mean and many short rows
        point away from it), a distance. Each cosine is clipped to [-1, 1].

    Raises
    ------
    ValueError, TypeError
        Invalid arrays.
    DegenerateInputError
        If the mean row of ``X`` (or ``Y``) is zero to rounding
        (``||mean|| <= n eps ||X||_F``, e.g. column-centred data), or a row is
        exactly zero: the cosine is 0/0. (ReSi, through scikit-learn, scores
        such cosines 0 silently.)

    Notes
    -----
    Invariances (for a map applied to ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               False
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    ``c X`` with ``c < 0`` flips every row and the mean together, so each
    cosine is unchanged. A pseudometric (absolute difference of a scalar
    statistic): triangle inequality holds.

    References
    ----------
    .. [1] M. Klabunde et al., "Similarity of neural network models: a survey
       of functional and representational measures", ACM Comput. Surv.
       (2025); ReSi (ICLR 2025), ``concentricity_difference``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])  # each row at 45 degrees from the mean
    >>> round(concentricity_difference(X, np.ones((2, 3))), 6)
    0.292893
    """
    func = "concentricity_difference"
    Xa, Ya = _validate_pair(func, X, Y)
    return abs(_concentricity(func, "X", Xa) - _concentricity(func, "Y", Ya))


def _uniformity(func: str, name: str, A: Matrix, t: float, normalise: bool, include_self: bool) -> float:
    """``log mean exp(-t ||z_i - z_j||^2)`` over pairs, computed with logsumexp (no underflow)."""
    Z = _unit_rows(func, name, A, centre_rows=False, purpose="uniformity with normalise=True") if normalise else A
    n = Z.shape[0]
    logits = -t * _pairwise_sq_distances(Z)
    if include_self:
        return float(logsumexp(logits) - math.log(n * n))
    off_diagonal = ~np.eye(n, dtype=bool)
    return float(logsumexp(logits[off_diagonal]) - math.log(n * (n - 1)))


def uniformity_difference(
    X: object, Y: object, /, *, t: float = 2.0, normalise: bool = True, include_self: bool = False
) -> float:
    r"""Absolute difference of the Wang-Isola uniformities of two representations (a distance).

    .. math::

        d(X, Y) = \lvert U(X) - U(Y) \rvert, \qquad
        U(X) = \log \frac{1}{\lvert P \rvert} \sum_{(i, j) \in P} e^{-t \lVert z_i - z_j \rVert_2^2},

    with :math:`z_i = x_i / \lVert x_i \rVert` (``normalise=True``, rows on
    the unit sphere as in Wang and Isola 2020) or :math:`z_i = x_i`, and
    ``P`` the ordered pairs ``i != j`` (``include_self=False``, Wang and
    Isola's ``pdist``) or all ``n^2`` pairs. ReSi's ``uniformity_difference``
    is ``normalise=False, include_self=True`` (see
    :func:`uniformity_difference_resi`). Computed with logsumexp, so it never
    underflows to ``log 0``. ``p != q`` is allowed. Cost O(n^2 (p + q)) time,
    O(n^2) memory (every pair is needed).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.
    t : float, keyword-only
        Temperature, > 0 (default 2, as in both references).
    normalise : bool, keyword-only
        Project rows onto the unit sphere first (default True).
    include_self : bool, keyword-only
        Include the ``n`` pairs ``(i, i)`` (each contributes ``e^0 = 1``).

    Returns
    -------
    float
        ``d`` in [0, 4 t] when normalised (``U`` lies in [-4 t, 0]);
        [0, inf) otherwise; a distance.

    Raises
    ------
    ValueError, TypeError
        Invalid arrays, ``t <= 0``, or a non-bool flag.
    DegenerateInputError
        With ``normalise=True``, if a row is zero (it has no direction).

    Notes
    -----
    Invariances of the default (``normalise=True``; for a map applied to
    ``X`` alone; symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               False
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    With ``normalise=False`` the pairwise distances are translation
    invariant but scale with ``c``: translation True, isotropic scaling
    False. A pseudometric either way (absolute difference of a statistic).

    References
    ----------
    .. [1] T. Wang, P. Isola, "Understanding contrastive representation
       learning through alignment and uniformity on the hypersphere", ICML
       2020.
    .. [2] M. Klabunde et al., ACM Comput. Surv. (2025); ReSi (ICLR 2025),
       ``uniformity_difference``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [-1.0, 0.0]])  # antipodal: ||z_1 - z_2||^2 = 4
    >>> round(uniformity_difference(X, np.array([[1.0], [2.0]])), 6)  # U(X) = -8, U(Y) = 0
    8.0
    """
    func = "uniformity_difference"
    temperature = check_range(func, "t", t, low=0.0, high=math.inf, low_open=True)
    unit = _check_bool(func, "normalise", normalise)
    self_pairs = _check_bool(func, "include_self", include_self)
    Xa, Ya = _validate_pair(func, X, Y)
    ux = _uniformity(func, "X", Xa, temperature, unit, self_pairs)
    uy = _uniformity(func, "Y", Ya, temperature, unit, self_pairs)
    return abs(ux - uy)


def uniformity_difference_resi(X: object, Y: object, /) -> float:
    """ReSi's uniformity difference: raw rows, all n^2 pairs, ``t = 2``.

    ``uniformity_difference(X, Y, t=2.0, normalise=False, include_self=True)``:
    translation invariant, not scale invariant. See :func:`uniformity_difference`.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0]])
    >>> round(uniformity_difference_resi(X, X + 3.0), 6)
    0.0
    """
    func = "uniformity_difference_resi"
    Xa, Ya = _validate_pair(func, X, Y)
    return abs(_uniformity(func, "X", Xa, 2.0, False, True) - _uniformity(func, "Y", Ya, 2.0, False, True))


# --------------------------------------------------------------------------- subspaces and prediction


def _require_nonzero_matrix(func: str, name: str, A: Matrix) -> None:
    if not np.any(A):
        fail(
            func,
            f"{name} must not be the zero matrix (its column space is empty, and the score would be 0/0)",
            f"{name}.shape={A.shape}",
            error=DegenerateInputError,
        )


def eigenspace_overlap_score(X: object, Y: object, /, *, centre: bool = True) -> float:
    r"""Eigenspace overlap score (EOS) of May et al. (2019) (a score).

    .. math::

        \mathrm{EOS}(X, Y) = \frac{\lVert U_X^\top U_Y \rVert_F^2}{\max(r_X, r_Y)},

    with :math:`U_X` (n x r_X) the left singular vectors of (the centred)
    ``X`` with nonzero singular values, i.e. an orthonormal basis of its
    column space, and :math:`r_X` its numerical rank (as in
    :func:`metrics.representation.cca_mean_corr`: columns scaled to unit
    norm, singular values above ``max(n, p) * eps * s_max``). Equivalently
    :math:`\sum_i \rho_i^2 / \max(r_X, r_Y)` with :math:`\rho_i` the canonical
    correlations. Cost O(n (p^2 + q^2) + n p q), no n x n matrix.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.
    centre : bool, keyword-only
        Subtract column means first (default True, as every measure here).
        May et al. use the uncentred embedding matrices: ``centre=False``.

    Returns
    -------
    float
        EOS in [0, 1], a similarity score (1 = the same column space);
        clipped to [0, 1] (rounding).

    Raises
    ------
    ValueError, TypeError
        Invalid arrays or a non-bool ``centre``.
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant (``centre=True``) or
        ``X`` is the zero matrix (``centre=False``): rank 0, 0/0.

    Warns
    -----
    SaturationWarning
        When ``rank(X) + rank(Y) > n - 1`` (``n`` uncentred): the two column
        spaces must share that many directions whatever the data (as for CCA).

    Notes
    -----
    Invariances (default ``centre=True``; for a map applied to ``X`` alone;
    symmetric in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  True
    feature permutation (``X P``)             True
    ========================================  =====

    It depends only on the two column spaces (``X A`` spans what ``X``
    spans); ``centre=False`` loses translation invariance.

    References
    ----------
    .. [1] A. May, J. Zhang, T. Dao, C. Re, "On the downstream performance of
       compressed word embeddings", NeurIPS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(eigenspace_overlap_score(X, X @ np.array([[2.0, 1.0], [0.0, 3.0]])), 12)
    1.0
    >>> round(eigenspace_overlap_score(X, X[:, :1]), 6)  # one shared direction of two
    0.5
    """
    func = "eigenspace_overlap_score"
    centred = _check_bool(func, "centre", centre)
    Xa, Ya = _validate_pair(func, X, Y)
    if centred:
        Xc, Yc = _centre(Xa), _centre(Ya)
        _require_nonconstant(func, "X", Xc)
        _require_nonconstant(func, "Y", Yc)
    else:
        Xc, Yc = Xa, Ya
        _require_nonzero_matrix(func, "X", Xc)
        _require_nonzero_matrix(func, "Y", Yc)
    Qx, Qy = _column_space_basis(Xc), _column_space_basis(Yc)
    rx, ry = Qx.shape[1], Qy.shape[1]
    _warn_saturation(func, rx, ry, Xa.shape[0], centred=centred, shapes=(Xa.shape, Ya.shape))
    overlap = float(np.linalg.norm(Qx.T @ Qy) ** 2) / max(rx, ry)
    return min(max(overlap, 0.0), 1.0)


def _ridge_factors(A: Matrix, lam: float) -> tuple[Matrix, Vector]:
    """Left singular vectors U and shrinkage factors h = e / (e + lam) of a normalised representation.

    ``A`` is centred with ``||A||_F^2 = n`` (unit total variance); ``e = s^2 / n``
    are the eigenvalues of its covariance ``A^T A / n``, so the ridge hat matrix
    ``A (A^T A + n lam I)^{-1} A^T`` is ``U diag(h) U^T``.
    """
    n = A.shape[0]
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    e = s**2 / n
    return U, e / (e + lam)


def _gulp(func: str, X: object, Y: object, ridge: float) -> float:
    """The GULP distance of :func:`gulp_distance` with a validated ridge."""
    Xn, Yn = _normalised_pair(func, X, Y)
    n = Xn.shape[0]
    if ridge == 0.0:
        Qx, Qy = _column_space_basis(Xn), _column_space_basis(Yn)
        rx, ry = Qx.shape[1], Qy.shape[1]
        _warn_saturation(func, rx, ry, n, centred=True, shapes=(Xn.shape, Yn.shape))
        sq = rx + ry - 2.0 * float(np.linalg.norm(Qx.T @ Qy) ** 2)
    else:
        Ux, hx = _ridge_factors(Xn * math.sqrt(n), ridge)
        Uy, hy = _ridge_factors(Yn * math.sqrt(n), ridge)
        cross = float(hx @ (Ux.T @ Uy) ** 2 @ hy)
        sq = float(np.sum(hx**2) + np.sum(hy**2)) - 2.0 * cross
    return float(np.sqrt(max(sq, 0.0)))


def gulp_distance(X: object, Y: object, /, *, lam: float = GULP_DEFAULT_LAM) -> float:
    r"""GULP distance of Boix-Adsera et al. (2022) with ridge ``lam`` (a distance).

    Each representation is centred and scaled to unit total variance
    (:math:`\lVert X_n \rVert_F^2 = n`, so :math:`\operatorname{tr}\Sigma_X =
    1` for :math:`\Sigma_X = X_n^\top X_n / n`, GULP's own normalisation).
    With :math:`\Sigma_{XY} = X_n^\top Y_n / n` and
    :math:`\Sigma_X^{\lambda} = \Sigma_X + \lambda I`, the closed form is

    .. math::

        d_\lambda^2 = \operatorname{tr}\bigl((\Sigma_X^{\lambda})^{-1}\Sigma_X\bigr)^2
                    + \operatorname{tr}\bigl((\Sigma_Y^{\lambda})^{-1}\Sigma_Y\bigr)^2
                    - 2 \operatorname{tr}\bigl((\Sigma_X^{\lambda})^{-1}\Sigma_{XY}
                      (\Sigma_Y^{\lambda})^{-1}\Sigma_{YX}\bigr)
                    = \lVert M_X - M_Y \rVert_F^2,

    where :math:`M_X = X_n (X_n^\top X_n + n\lambda I)^{-1} X_n^\top` is the
    ridge hat matrix: :math:`d_\lambda^2` is the mean squared difference
    between the ridge predictions of every unit-norm linear target. Computed
    in feature space from thin SVDs, :math:`M_X = U_X \operatorname{diag}(h_X)
    U_X^\top` with :math:`h = e / (e + \lambda)`, so
    :math:`d^2 = \sum h_X^2 + \sum h_Y^2 - 2 \sum_{ij} h_{X,i} h_{Y,j}
    (U_X^\top U_Y)_{ij}^2` (O(n p min(n, p) + n q min(n, q) + n p q), no n x n
    matrix unless ``p`` or ``q`` reaches ``n``). ``lam = 0`` uses the
    pseudo-inverse: :math:`M_X` is the projector on the column space (with
    the rank tolerance of :func:`metrics.representation.cca_mean_corr`), and
    :math:`d_0^2 = r_X + r_Y - 2 \sum_i \rho_i^2`.

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same stimuli.
    lam : float, keyword-only
        Ridge, >= 0, relative to unit total variance (default 1e-2). Small
        ``lam`` approaches a CCA-like distance, large ``lam`` a CKA-like one.

    Returns
    -------
    float
        :math:`d_\lambda` in [0, inf) (at most ``sqrt(r_X + r_Y)``), a
        distance. GULP's reference code and ReSi return the square
        :math:`d_\lambda^2`; square this value to compare. ``d^2`` is clipped
        at 0 before the square root (rounding near identical inputs).

    Raises
    ------
    ValueError, TypeError
        Invalid arrays, or ``lam`` not a finite number >= 0.
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant: no normalisation.

    Warns
    -----
    SaturationWarning
        With ``lam = 0``, when ``rank(X) + rank(Y) > n - 1`` (as for CCA).

    Notes
    -----
    Invariances for ``lam > 0`` (for a map applied to ``X`` alone; symmetric
    in X and Y):

    ========================================  =====
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  False
    feature permutation (``X P``)             True
    ========================================  =====

    With ``lam = 0`` it is also invariant to invertible linear maps (it
    depends only on the column spaces; :func:`gulp_distance_lam0`). It is the
    Frobenius distance between the matrices ``M_X``, which depend on ``X``
    alone: a pseudometric with the triangle inequality. GULP's reference code
    uses the pseudo-inverse with no rank tolerance at ``lam = 0`` (so rounding
    noise in a rank-deficient input counts as signal); this one does not.

    References
    ----------
    .. [1] E. Boix-Adsera, H. Lawrence, G. Stepaniants, P. Rigollet, "GULP: a
       prediction-based metric between representations", NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(gulp_distance(X, -3.0 * X[:, ::-1] + 2.0), 12)
    0.0
    >>> round(gulp_distance(X, X @ np.diag([10.0, 1.0]), lam=0.1), 6)
    0.708204
    >>> round(gulp_distance(X, X @ np.diag([10.0, 1.0]), lam=0.0), 12)  # same column space
    0.0
    """
    func = "gulp_distance"
    return _gulp(func, X, Y, check_range(func, "lam", lam, low=0.0, high=math.inf))


def gulp_distance_lam0(X: object, Y: object, /) -> float:
    """GULP distance without ridge: ``gulp_distance(X, Y, lam=0.0)`` (invariant to invertible linear maps).

    See :func:`gulp_distance`.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(gulp_distance_lam0(X, X[:, :1]), 12)  # r_X + r_Y - 2 = 1
    1.0
    """
    return _gulp("gulp_distance_lam0", X, Y, 0.0)
