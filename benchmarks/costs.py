"""Operation counts of the cheapest exact algorithm for every registry measure.

``cost(name, n, p, q)`` returns the floating-point operations (``flops``) and
the bytes that must be read at least once (``bytes``) by the cheapest exact
algorithm known for the measure, and a short cost class (``cls``). For a model
distance the three sizes are ``N, K, M`` (inputs, labels, representation
dimension). :func:`benchmarks.floor.floor_seconds` turns a :class:`Cost` into
the floor time that the benchmark divides every measured time by.

Conventions
-----------
* Counts are the standard ones (Golub and Van Loan, *Matrix Computations*,
  4th ed.): a product ``(m x k) @ (k x n)`` is ``2 m k n``; a symmetric Gram
  ``A^T A`` of an ``n x p`` matrix is ``n p^2`` (half the product, as a SYRK);
  a Householder QR of an ``m x k`` matrix (``m >= k``, R only) is
  ``2 m k^2 - 2 k^3 / 3``; singular values of an ``m x k`` matrix cost
  ``min(4 m k^2 - 4 k^3 / 3, 2 m k^2 + 2 k^3)`` and a thin SVD with both
  singular-vector sets ``min(14 m k^2 + 8 k^3, 6 m k^2 + 20 k^3)``.
* Whitening measures (CCA family, shape metrics with ``alpha < 1``, SVCCA,
  PWCCA, GULP, regression) are counted on the QR route (R factors, the
  ``p x q`` cross product, small triangular solves), the cheapest
  backward-stable exact route. The Gram/Cholesky route halves the ``n p^2``
  terms but squares the condition number and loses half the digits exactly
  where these scores are close to 1, so it is not the reference here.
* Measures defined by Gram matrices (linear CKA, HSIC, RSM differences) are
  counted on the cheaper of the feature route (``p x q``, ``p x p``,
  ``q x q`` products) and the Gram route (``n x n`` products).
* Only arithmetic is counted in ``flops``: sorting (ranks, Kendall's tau),
  selection (k nearest neighbours, medians), assignment and transport solvers
  add comparisons the floor does not see; their class says so.
* ``bytes`` is a lower bound: every input read once, plus any ``n x n``
  matrix that an exact algorithm must store (distances that are ranked or
  whose median is taken are written once and read once).
* Where the cheapest exact algorithm is not known, the count is a lower
  bound and the class says ``lower bound``.

:func:`working_set_bytes` is something else: an estimate of the peak memory
of the *implementations* in :mod:`metrics` (not of the cheapest algorithm),
used by the runner to skip sizes that would not fit in memory.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Cost", "cost", "cost_class", "size_names", "working_set_bytes"]


@dataclass(frozen=True)
class Cost:
    """Operation count of one measure at one size.

    Attributes
    ----------
    flops : float
        Floating-point operations of the cheapest exact algorithm.
    bytes : float
        Bytes it must move at least (inputs read once, stored ``n x n`` matrices).
    cls : str
        Cost class in the sizes, e.g. ``"O(n p q + n p^2 + n q^2)"``.
    """

    flops: float
    bytes: float
    cls: str


# ----------------------------------------------------------------------------- kernels (GvL counts)


def _gemm(m: float, k: float, n: float) -> float:
    return 2.0 * m * k * n


def _qr(m: float, k: float) -> float:
    """Householder QR (R only) of an m x k matrix; a wide matrix is factored as an LQ."""
    a, b = max(m, k), min(m, k)
    return 2.0 * a * b * b - 2.0 * b**3 / 3.0


def _svdvals(m: float, k: float) -> float:
    a, b = max(m, k), min(m, k)
    return min(4.0 * a * b * b - 4.0 * b**3 / 3.0, 2.0 * a * b * b + 2.0 * b**3)


def _svd_full(m: float, k: float) -> float:
    """Thin SVD with U and V (Golub-Reinsch or R-SVD, whichever is cheaper)."""
    a, b = max(m, k), min(m, k)
    return min(14.0 * a * b * b + 8.0 * b**3, 6.0 * a * b * b + 20.0 * b**3)


def _svd_u_square(r: float) -> float:
    """Singular values and left vectors of a square r x r matrix (Golub-Reinsch: 4 r^3 + 8 r^3)."""
    return 12.0 * r**3


# ----------------------------------------------------------------------------- representation families
# Each returns (flops, extra bytes in units of itemsize beyond the n (p + q) inputs, class).

Family = Callable[[float, float, float], tuple[float, float, str]]


def _vec(n: float, p: float, q: float, times: float = 3.0) -> float:
    """Centring, norms and scalings: a few passes over the inputs."""
    return times * n * (p + q)


def _cca_core(n: float, p: float, q: float) -> float:
    """R factors of both centred inputs, the cross product in R coordinates, two triangular solves."""
    rp, rq = min(n, p), min(n, q)
    return _qr(n, p) + _qr(n, q) + _gemm(n, rp, rq) + rp * rp * rq + rp * rq * rq + _vec(n, p, q)


_CCA = "O(n p^2 + n q^2 + n p q)"


def _cca(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _cca_core(n, p, q) + _svdvals(min(n, p), min(n, q)), 0.0, _CCA


def _cca_frobenius(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _cca_core(n, p, q), 0.0, _CCA


def _pwcca(n: float, p: float, q: float) -> tuple[float, float, str]:
    rp, rq = min(n, p), min(n, q)
    # Canonical directions from the SVD of the cross product; the weights |H^T Xc| = |U^T R_x| are p x p.
    return _cca_core(n, p, q) + _svd_full(rp, rq) + rp * rp * min(rp, rq), 0.0, _CCA


def _whitened(n: float, p: float, q: float, *, nuclear: bool = True) -> float:
    """Partial whitening: the CCA core plus the SVD (with vectors) of each R factor and the rotations."""
    rp, rq = min(n, p), min(n, q)
    extra = _svd_u_square(rp) + _svd_u_square(rq) + 2.0 * rp * rp * rq + 2.0 * rp * rq * rq
    return _cca_core(n, p, q) + extra + (_svdvals(rp, rq) if nuclear else 0.0)


def _shape_partial(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _whitened(n, p, q), 0.0, _CCA + " + O(p^3 + q^3)"


def _gulp(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _whitened(n, p, q, nuclear=False), 0.0, _CCA + " + O(p^3 + q^3)"


def _svcca(n: float, p: float, q: float) -> tuple[float, float, str]:
    # PCA of each view (QR, then the SVD of R with its left vectors), then CCA of the kept
    # components. The number kept, k, depends on the data; it is taken as the rank (random
    # inputs keep nearly every component at the 99% threshold).
    return _whitened(n, p, q), 0.0, _CCA + " + O(p^3 + q^3) (k kept components taken = rank)"


def _nuclear_cross(n: float, p: float, q: float) -> float:
    """Nuclear norm of Xc^T Yc: reduce a side wider than n to n coordinates (LQ), cross product, singular values."""
    rp, rq = min(n, p), min(n, q)
    reduce = (_qr(n, p) if p > n else 0.0) + (_qr(n, q) if q > n else 0.0)
    return reduce + _gemm(n, rp, rq) + _svdvals(rp, rq) + _vec(n, p, q)


def _procrustes(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _nuclear_cross(n, p, q), 0.0, "O(n p q + p q min(p, q))"


def _aligned_cosine(n: float, p: float, q: float) -> tuple[float, float, str]:
    # Q = U V^T from X^T Y; the mean row cosine is tr(Q^T X^T D Y) with D = diag(1 / (|x_i| |y_i|))
    # (|x_i Q| = |x_i| for the zero-padded orthogonal Q): two n p q products and one full p x q SVD.
    return 2.0 * _gemm(n, p, q) + _svd_full(p, q) + _vec(n, p, q), 0.0, "O(n p q + p q min(p, q))"


def _gram_or_features(n: float, p: float, q: float, features: float, gram_extra: float) -> float:
    return min(features, n * n * (p + q) + gram_extra * n * n)


def _cka(n: float, p: float, q: float) -> tuple[float, float, str]:
    f = _gram_or_features(n, p, q, _gemm(n, p, q) + n * p * p + n * q * q, 6.0)
    return f + _vec(n, p, q), 0.0, "O(min(n p q + n p^2 + n q^2, n^2 (p + q)))"


def _hsic(n: float, p: float, q: float) -> tuple[float, float, str]:
    f = _gram_or_features(n, p, q, _gemm(n, p, q), 2.0)
    return f + _vec(n, p, q), 0.0, "O(min(n p q, n^2 (p + q)))"


def _hsic_unbiased(n: float, p: float, q: float) -> tuple[float, float, str]:
    f = _gram_or_features(n, p, q, _gemm(n, p, q) + 2.0 * n * (p + q), 10.0)
    return f + _vec(n, p, q), 0.0, "O(min(n p q, n^2 (p + q)))"


def _cka_debiased(n: float, p: float, q: float) -> tuple[float, float, str]:
    f = _gram_or_features(n, p, q, _gemm(n, p, q) + n * p * p + n * q * q + 4.0 * n * (p + q), 20.0)
    return f + _vec(n, p, q), 0.0, "O(min(n p q + n p^2 + n q^2, n^2 (p + q)))"


MINIBATCH = 256  # metrics.kernel.DEFAULT_BATCH_SIZE


def _cka_minibatch(n: float, p: float, q: float) -> tuple[float, float, str]:
    m = min(float(MINIBATCH), n)
    per_batch = min(_gemm(m, p, q) + m * p * p + m * q * q + 4.0 * m * (p + q), m * m * (p + q) + 20.0 * m * m)
    return (n / m) * per_batch + _vec(n, p, q), 0.0, f"O(n min(p q + p^2 + q^2, b (p + q))), b = {MINIBATCH}"


def _pairwise(n: float, p: float, q: float, per_entry: float) -> float:
    """Both symmetric n x n distance or kernel matrices from Gram products, plus elementwise work."""
    return n * n * (p + q) + per_entry * n * n + _vec(n, p, q)


_N2 = "O(n^2 (p + q))"


def _kernel_stored(n: float, p: float, q: float) -> tuple[float, float, str]:
    # RBF bandwidth = median distance: both distance matrices are stored (n^2 / 2 entries each,
    # written once and read once); the median is a linear-time selection (not counted).
    return _pairwise(n, p, q, 12.0), 2.0 * n * n, _N2 + " + O(n^2) selection"


def _distance_stored(n: float, p: float, q: float) -> tuple[float, float, str]:
    # Euclidean distances (sqrt), double centring (row means: a second pass over stored distances).
    return _pairwise(n, p, q, 10.0), 2.0 * n * n, _N2


def _rsa_values(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _pairwise(n, p, q, 6.0), 2.0 * n * n, _N2


def _rsa_ranks(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _pairwise(n, p, q, 6.0), 2.0 * n * n, _N2 + " + O(n^2 log n) sorting (not counted)"


def _uniformity(n: float, p: float, q: float) -> tuple[float, float, str]:
    # Streamed: log-sum-exp over blocks of pairwise distances, no n x n matrix stored.
    return _pairwise(n, p, q, 6.0), 0.0, _N2 + " (streamed)"


# Exact kNN in high dimension: no method is known to beat brute force (every pair examined) in the worst case.
_KNN = _N2 + " (brute-force exact kNN; selection not counted)"


def _knn(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _pairwise(n, p, q, 4.0), 0.0, _KNN


def _second_order(n: float, p: float, q: float) -> tuple[float, float, str]:
    k = min(10.0, max(1.0, (n - 1) // 2))  # metrics.neighbors.DEFAULT_K
    return _pairwise(n, p, q, 4.0) + 2.0 * n * (2.0 * k) * (p + q), 0.0, _KNN


def _riemannian(n: float, p: float, q: float) -> tuple[float, float, str]:
    # A = Zx Zx^T / p + c I and B = Zy Zy^T / q + d I on the (n-1)-dim centred space: every vector
    # orthogonal to span(Zx, Zy) is a generalised eigenvector with eigenvalue d / c, so only an
    # s x s problem remains, s = min(p + q, n - 1): QR of [Zx, Zy], then a generalised symmetric
    # eigenproblem (Cholesky, two triangular solves, eigenvalues: about 4 s^3).
    s = min(p + q, n - 1.0)
    return _qr(n, p + q) + 4.0 * s**3 + _vec(n, p, q), 0.0, (
        "O(n (p + q)^2 + (p + q)^3) (low rank plus ridge; the n x n implementation is O(n^3))"
    )


def _magnitude(n: float, p: float, q: float) -> tuple[float, float, str]:
    return 2.0 * n * (p + q), 0.0, "O(n (p + q)) (bandwidth-bound)"


def _concentricity(n: float, p: float, q: float) -> tuple[float, float, str]:
    return 6.0 * n * (p + q), 0.0, "O(n (p + q)) (bandwidth-bound)"


def _linreg(n: float, p: float, q: float) -> tuple[float, float, str]:
    """Predictor p columns, target q columns: R of the predictor, cross product, triangular solve."""
    rp = min(n, p)
    return _qr(n, p) + _gemm(n, rp, q) + rp * rp * q + _vec(n, p, q), 0.0, "O(n p^2 + n p q)"


FOLDS = 5  # metrics.predictive.DEFAULT_FOLDS


def _ridge_cv(n: float, p: float, q: float) -> tuple[float, float, str]:
    """Predictor p, target q; fold Grams by downdating the full Gram, one Cholesky solve per fold."""
    f = float(FOLDS)
    train = n * (f - 1.0) / f
    primal = n * p * p + _gemm(n, p, q) + f * (p**3 / 3.0 + 2.0 * p * p * q) + _gemm(n, p, q)
    dual = n * n * p + f * (train**3 / 3.0 + 2.0 * train * train * q) + _gemm(n, train, q)
    return min(primal, dual) + _vec(n, p, q), 0.0, f"O(min(n p^2 + n p q + p^3, n^2 p + n^2 q + n^3)), {FOLDS} folds"


STITCH_COMPONENTS = 10  # metrics.predictive.DEFAULT_COMPONENTS


def _stitching(n: float, p: float, q: float) -> tuple[float, float, str]:
    """Stitched p columns into the kept q: top-k principal directions of the kept side, projection on the other."""
    rp, rq = min(n, p), min(n, q)
    k = min(float(STITCH_COMPONENTS), rq)
    flops = _qr(n, q) + _svd_u_square(rq) + _gemm(n, rq, k) + _qr(n, p) + _gemm(n, rp, k) + rp * rp * k
    return flops + _vec(n, p, q), 0.0, "O(n p^2 + n q^2)"


def _permutation(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _gemm(n, p, q) + _vec(n, p, q, 4.0) + p * q * min(p, q), 0.0, (
        "O(n p q + p q min(p, q)) (assignment counted at its worst case)"
    )


def _soft_matching(n: float, p: float, q: float) -> tuple[float, float, str]:
    return _gemm(n, p, q) + _vec(n, p, q) + p * q * min(p, q), 0.0, (
        "O(n p q) + exact OT on p x q (lower bound: the transport LP is counted as p q min(p, q))"
    )


def _swap_class(cls: str) -> str:
    """Exchange p and q in a class string (``y_to_x`` measures predict X from Y)."""
    return re.sub(r"\b[pq]\b", lambda m: "q" if m.group(0) == "p" else "p", cls)


def _swap(family: Family) -> Family:
    """The same family with the roles of X and Y exchanged (``y_to_x`` measures), class string included."""

    def swapped(n: float, p: float, q: float) -> tuple[float, float, str]:
        flops, moved, cls = family(n, q, p)
        return flops, moved, _swap_class(cls)

    return swapped


_REPRESENTATIONS: dict[str, Family] = {
    "mcca": _cca,
    "cca_r2": _cca,
    "cca_pillai": _cca,
    "shape_angular_a0": _cca,
    "svcca": _svcca,
    "pwcca": _pwcca,
    "pwcca_by_y": _pwcca,
    "eigenspace_overlap_score": _cca_frobenius,
    "gulp_lam0": _cca_frobenius,
    "shape_angular_a05": _shape_partial,
    "shape_euclidean_a05": _shape_partial,
    "gulp": _gulp,
    "procrustes": _procrustes,
    "shape_angular_a1": _procrustes,
    "shape_euclidean_a1": _procrustes,
    "normalised_bures_similarity": _procrustes,
    "bures_distance": _procrustes,
    "aligned_cosine": _aligned_cosine,
    "cka_linear": _cka,
    "cka_angular": _cka,
    "kernel_alignment": _cka,
    "rsm_norm_diff": _cka,
    # cosine of double-centred squared-Euclidean RDMs = linear CKA (H D H = -2 K): same cost.
    "rsa_sqeuclidean_cosine_cov": _cka,
    "hsic_linear": _hsic,
    "hsic_linear_unbiased": _hsic_unbiased,
    "cka_debiased": _cka_debiased,
    "cka_minibatch": _cka_minibatch,
    "cka_rbf": _kernel_stored,
    "dcor": _distance_stored,
    "distance_alignment": _distance_stored,
    "rsa_correlation_pearson": _rsa_values,
    "rsa_euclidean_pearson": _rsa_values,
    "rsa_euclidean_cosine": _rsa_values,
    "rsa_correlation_spearman": _rsa_ranks,
    "rsa_correlation_kendall_tau_b": _rsa_ranks,
    "rsa_euclidean_spearman": _rsa_ranks,
    "rsa_cosine_kendall_tau_a": _rsa_ranks,
    "riemannian_ridge": _riemannian,
    "magnitude_difference": _magnitude,
    "concentricity_difference": _concentricity,
    "uniformity_difference": _uniformity,
    "uniformity_difference_resi": _uniformity,
    "mutual_knn": _knn,
    "mutual_knn_euclidean": _knn,
    "knn_jaccard": _knn,
    "knn_jaccard_euclidean": _knn,
    "rank_similarity": _knn,
    "rank_similarity_euclidean": _knn,
    "second_order_cosine": _second_order,
    "linreg_r2_x_to_y": _linreg,
    "linreg_r2_y_to_x": _swap(_linreg),
    "ridge_cv_r2_x_to_y": _ridge_cv,
    "ridge_cv_r2_y_to_x": _swap(_ridge_cv),
    "stitching_loss_x_to_y": _stitching,
    "stitching_loss_y_to_x": _swap(_stitching),
    "permutation_corr": _permutation,
    "soft_matching": _soft_matching,
}


# ----------------------------------------------------------------------------- model distances (N, K, M)

LLV_NUM_SAMPLES = 200  # metrics._pivots.DEFAULT_NUM_SAMPLES
FG_MAX_SUBSETS = 1000  # metrics._pivots.DEFAULT_MAX_SUBSETS
REP_SAMPLES = 100  # metrics._pivots.DEFAULT_REP_SAMPLES


def _logits(N: float, K: float, M: float) -> float:
    """The logits GEMM of both models (2 N K M each) and one exponential per logit (log-partitions)."""
    return 2.0 * _gemm(N, M, K) + 2.0 * N * K


def _divergence(N: float, K: float, M: float) -> tuple[float, float, str]:
    return _logits(N, K, M), 0.0, "O(N K M) (logits GEMMs of both models) + O(N K) exponentials"


def _logit(N: float, K: float, M: float) -> tuple[float, float, str]:
    # clr p(.|x) = G_c f(x): R factor of the centred [G, G'] (K x 2M), then the explicit N x 2M
    # difference (kept explicit for accuracy near 0; a triangular and a dense block: 5 N M^2).
    return _qr(K, 2.0 * M) + 5.0 * N * M * M, 0.0, "O((N + K) M^2) (no logits needed)"


def _llv_flops(N: float, K: float, M: float) -> float:
    d = 2.0 * M + 2.0
    tuples = min(float(LLV_NUM_SAMPLES), math.floor(N / (M + 1.0)))
    factors = _qr(N, d) + _qr(K, 2.0 * M)  # joint input features; label features for the input-set search
    label_vectors = _gemm(K, M, M) + _gemm(K, M, 2.0 * M + 1.0)
    pivot_search = 2.0 * K * K * (5.0 * M + 2.0)  # exhaustive over (y0, y): three K x K x M Gram blocks + one K x K x d
    input_search = tuples * (M + 1.0) * 8.0 * M * M
    return _logits(N, K, M) + factors + label_vectors + pivot_search + input_search


_LLV = "O(N K M + K^2 M + (N + K) M^2) (exhaustive pivot search as defined; no cheaper exact search known: lower bound)"


def _llv(N: float, K: float, M: float) -> tuple[float, float, str]:
    return _llv_flops(N, K, M), 0.0, _LLV


def _fg(N: float, K: float, M: float) -> tuple[float, float, str]:
    subsets = float(min(FG_MAX_SUBSETS, math.comb(max(int(K) - 2, 0), int(M))))  # every M-subset, or a seeded sample
    per_subset = _gemm(M, M, M) + _gemm(2.0 * M + 1.0, M, M) + _svdvals(2.0 * M + 1.0, M)
    unembedding_side = 2.0 * _gemm(M + 1.0, M, K)
    flops = _llv_flops(N, K, M) + subsets * per_subset + unembedding_side
    return flops, 0.0, _LLV.replace(" (exhaustive", f" + S M^3, S <= {FG_MAX_SUBSETS} subsets (exhaustive")


def _rep(N: float, K: float, M: float) -> tuple[float, float, str]:
    # R factor of [F, F'] (N x 2M), then per sampled subset: conditioning (two M x M singular-value
    # problems), one M x M solve with M right-hand sides, and the 2M x M residual.
    per_sample = 2.0 * _svdvals(M, M) + (2.0 / 3.0 * M**3 + 2.0 * M**3) + _gemm(2.0 * M, M, M)
    return _qr(N, 2.0 * M) + REP_SAMPLES * per_sample, 0.0, f"O(N M^2 + S M^3), S = {REP_SAMPLES} sampled subsets"


_MODELS: dict[str, Family] = {
    "kl": _divergence,
    "kl_reverse": _divergence,
    "js": _divergence,
    "tv": _divergence,
    "hellinger": _divergence,
    "chi2": _divergence,
    "logit": _logit,
    "llv": _llv,
    "d_fg": _fg,
    "d_rep": _rep,
}


def _family(name: str) -> tuple[Family, bool]:
    if name in _REPRESENTATIONS:
        return _REPRESENTATIONS[name], False
    if name in _MODELS:
        return _MODELS[name], True
    from metrics.registry import REGISTRY, _did_you_mean

    if name in REGISTRY:
        raise KeyError(f"cost: name must have a cost model; got {name!r}, a registry measure without one. Add it to benchmarks/costs.py.")
    raise KeyError(f"cost: name must be a registered measure; got {name!r}.{_did_you_mean(name, list(REGISTRY))}")


def size_names(name: str) -> tuple[str, str, str]:
    """``("n", "p", "q")`` for a representation measure, ``("N", "K", "M")`` for a model distance."""
    return ("N", "K", "M") if _family(name)[1] else ("n", "p", "q")


def cost(name: str, n: int, p: int, q: int, *, itemsize: int = 8) -> Cost:
    """Operation count of the cheapest exact algorithm for measure ``name``.

    Parameters
    ----------
    name : str
        A registry name (:mod:`metrics.registry`).
    n, p, q : int
        Rows and columns of X (n x p) and Y (n x q); for a model distance, N
        (inputs), K (labels) and M (representation dimension).
    itemsize : int
        Bytes per number (8 for float64, 4 for float32).

    Returns
    -------
    Cost

    Raises
    ------
    KeyError
        If ``name`` is not registered, or has no cost model.
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> c = cost("cka_linear", 1000, 10, 20)
    >>> c.flops == 2 * 1000 * 10 * 20 + 1000 * 10**2 + 1000 * 20**2 + 3 * 1000 * 30
    True
    >>> cost("kl", 100, 50, 8).cls
    'O(N K M) (logits GEMMs of both models) + O(N K) exponentials'
    """
    family, is_model = _family(name)
    for label, v in zip(size_names(name), (n, p, q), strict=True):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"cost: {label} must be a positive integer; got {label}={v!r}.")
    n, p, q = int(n), int(p), int(q)
    flops, extra, cls = family(float(n), float(p), float(q))
    inputs = 2.0 * (n + p) * q if is_model else n * (p + q)  # F, F' (N x M) and G, G' (K x M)
    return Cost(flops=float(flops), bytes=float(itemsize) * (inputs + extra), cls=cls)


def cost_class(name: str) -> str:
    """The cost class of ``name`` (independent of the sizes)."""
    return cost(name, 1000, 64, 64).cls if not _family(name)[1] else cost(name, 1000, 1000, 16).cls


# ----------------------------------------------------------------------------- implementations' memory

#: n x n arrays the implementations hold at their peak (the numpy references' tracemalloc peak at n = 2000,
#: rounded up; used for both implementations, since the torch versions follow the same routes).
_N2_ARRAYS = {
    "rsa": 8.5, "cka_rbf": 5.5, "dcor": 4.5, "distance_alignment": 4.5, "riemannian_ridge": 5.5,
    "uniformity_difference": 7.5, "uniformity_difference_resi": 6.5,
}
_GRAM_ROUTE = {"cka_linear", "cka_angular", "kernel_alignment", "rsm_norm_diff", "hsic_linear", "hsic_linear_unbiased", "cka_debiased"}


def working_set_bytes(name: str, n: int, p: int, q: int, *, impl: str = "numpy", itemsize: int = 8) -> float:
    """Estimated peak memory of the ``impl`` implementation of ``name`` at this size (inputs included).

    Only the terms that grow faster than the inputs are modelled: ``n x n``
    matrices of the RDM, kernel, distance and Riemannian measures (and of the
    Gram route of linear kernels once ``max(p, q) >= n``), and the ``K x N``
    log-likelihood matrices of the numpy model distances (the torch ones
    stream them in blocks of 256 MiB). An estimate, used to skip sizes that
    would not fit in a memory budget; not a measurement.
    """
    _, is_model = _family(name)
    if is_model:
        N, K, M = n, p, q
        inputs = 2.0 * (N + K) * M * itemsize
        if impl == "numpy" and name not in ("logit", "d_rep"):
            return inputs + 6.0 * N * K * 8
        return inputs + (2.0 * 256 * 2**20 if name not in ("logit", "d_rep") else 0.0)
    inputs = float(n) * (p + q) * itemsize
    arrays = _N2_ARRAYS.get("rsa" if name.startswith("rsa_") else name, 0.0)
    if name in _GRAM_ROUTE and max(p, q) >= n:
        arrays = max(arrays, 4.0)
    return 2.0 * inputs + arrays * float(n) * n * (8 if impl == "numpy" else itemsize)
