"""Deterministic model-pair constructions with known answers (MATH.md section 6).

Each builder takes keyword-only parameters and a seed, draws every random
number from ``np.random.default_rng(seed)`` and returns a frozen
:class:`ModelPairConstruction`: the two models, the parameters, a description
and the claim that the construction makes (the values expected, or the
property it breaks), so that tests and reports can check it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from metrics._validation import check_positive_int, check_range, fail
from metrics.models import SoftmaxModel

__all__ = [
    "BOUND_NOISE_SCALE",
    "KL_VANISHING_SIGMA",
    "SVCCA_ABSOLUTE_THRESHOLD",
    "ModelPairConstruction",
    "RepresentationPairConstruction",
    "arccos_near_one",
    "bound_illustration",
    "cca_saturation",
    "cka_outlier",
    "cka_subset_translation",
    "hsic_small_n",
    "identifiability",
    "kl_vanishing",
    "kl_vanishing_general",
    "knn_ties",
    "rank_deficient_predictor",
    "rotated_pair",
    "svcca_absolute_threshold",
    "svcca_threshold_rescale",
    "swapped_unembeddings",
]

#: The relabelling of Theorem 3.1's reference instance: sigma(k) = (2k + 5) mod 7.
KL_VANISHING_SIGMA: tuple[int, ...] = tuple((2 * k + 5) % 7 for k in range(7))


@dataclass(frozen=True, eq=False)
class ModelPairConstruction:
    """A pair of softmax models built to make a claim about the distances between them.

    Attributes
    ----------
    name : str
        The builder's name.
    p, q : SoftmaxModel
        The two models (same N, K, M).
    params : dict
        Every parameter that determined the pair, the seed included.
    description : str
        How the pair is built.
    claim : str
        What the pair demonstrates: the values expected, or the property it
        breaks.

    Equality is identity (the models hold arrays).
    """

    name: str
    p: SoftmaxModel
    q: SoftmaxModel
    params: dict[str, Any]
    description: str
    claim: str


def _unit(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """``u(t) = (cos t, sin t)`` along a new last axis."""
    return np.stack([np.cos(t), np.sin(t)], axis=-1)


def kl_vanishing(*, rho: float = 3.0, per_label: int = 500, seed: int = 0) -> ModelPairConstruction:
    """Theorem 3.1's reference instance: small d_KL, unrelated representations.

    M = 2, K = 7, ``theta_k = 2 pi k / 7``, ``u(t) = (cos t, sin t)``; the
    N = 7 * per_label inputs are ordered cluster by cluster (row
    ``k * per_label + i`` is input i of cluster k).

    * Model p: ``g(y_k) = rho u(theta_k)``; ``f(x_{k,i}) = r_{k,i} u(theta_k + delta_{k,i})``.
    * Model q relabels with ``sigma(k) = (2k + 5) mod 7 = [5, 0, 2, 4, 6, 1, 3]``:
      ``g'(y_k) = rho u(theta_sigma(k))``;
      ``f'(x_{k,i}) = r_{k,i} u(theta_sigma(k) + delta_{sigma(k), i})``
      (radii not permuted; jitter taken from cluster sigma(k)).

    Random draws, in this order from ``np.random.default_rng(seed)``:
    ``delta ~ Uniform(-pi/64, pi/64)`` of shape (7, per_label), then
    ``xi ~ N(0, 1)`` of shape (7, per_label), ``r = 2 + |0.01 xi|``.

    Both models put most mass on label k for every input of cluster k, and
    ever more so as rho grows, so d_KL -> 0 exponentially in rho; but the
    second model's angles are ``theta_sigma(k) = 2 theta_k + 10 pi / 7``
    (an angle doubling), so its embeddings are not a linear function of the
    first model's: mCCA stays near 0 and max d_SVD near 1 for every rho.

    Parameters
    ----------
    rho : float, default 3.0
        Length of the unembeddings (> 0).
    per_label : int, default 500
        Inputs per cluster (>= 1).
    seed : int, default 0
        Seed of the jitter and radii.

    Returns
    -------
    ModelPairConstruction

    Raises
    ------
    ValueError, TypeError
        On ``rho <= 0`` or non-finite, ``per_label < 1``, a negative or
        non-integer seed.

    References
    ----------
    Nielsen et al., arXiv:2506.03784, Theorem 3.1 and Table 1.

    Examples
    --------
    >>> c = kl_vanishing(rho=3.0, per_label=2)
    >>> c.p.F.shape, c.q.G.shape
    ((14, 2), (7, 2))
    """
    func = "kl_vanishing"
    rho = check_range(func, "rho", rho, low=0.0, high=math.inf, low_open=True)
    per_label = check_positive_int(func, "per_label", per_label)
    seed = check_positive_int(func, "seed", seed, minimum=0)
    K = 7
    rng = np.random.default_rng(seed)
    delta = rng.uniform(-math.pi / 64, math.pi / 64, size=(K, per_label))
    r = 2.0 + np.abs(0.01 * rng.standard_normal((K, per_label)))

    theta = 2 * math.pi * np.arange(K) / K
    sigma = np.array(KL_VANISHING_SIGMA)
    G_p = rho * _unit(theta)
    F_p = (r[..., None] * _unit(theta[:, None] + delta)).reshape(K * per_label, 2)
    G_q = rho * _unit(theta[sigma])
    F_q = (r[..., None] * _unit(theta[sigma][:, None] + delta[sigma])).reshape(K * per_label, 2)

    return ModelPairConstruction(
        name="kl_vanishing",
        p=SoftmaxModel(F_p, G_p, name="kl_vanishing.p"),
        q=SoftmaxModel(F_q, G_q, name="kl_vanishing.q"),
        params={"rho": rho, "per_label": per_label, "seed": seed, "M": 2, "K": K, "sigma": list(KL_VANISHING_SIGMA)},
        description=(
            "Theorem 3.1 reference instance: 7 labels on a circle of radius rho, 7 input clusters on radius ~2 "
            "with angular jitter U(-pi/64, pi/64); model q relabels labels and clusters by sigma(k) = (2k+5) mod 7 "
            "(jitter from cluster sigma(k), radii kept)."
        ),
        claim=(
            "d_KL -> 0 exponentially as rho grows (published: 0.887 at rho=3, ~0.020 at rho=10, ~1e-4 at rho=18) "
            "while d_LLV stays ~1.318, mCCA ~0.001 and max d_SVD ~0.9995 for every rho: small KL does not "
            "imply similar representations."
        ),
    )


def _orthogonal(rng: np.random.Generator, M: int) -> NDArray[np.float64]:
    """A Haar-random orthogonal matrix: QR of a Gaussian matrix with the sign fix."""
    Q, R = np.linalg.qr(rng.standard_normal((M, M)))
    signs = np.sign(np.diag(R))
    signs[signs == 0] = 1.0
    return np.asarray(Q * signs)


def identifiability(
    *, N: int = 200, K: int = 10, M: int = 3, cond: float = 1e3, seed: int = 0
) -> ModelPairConstruction:
    """A random model and a member of its identifiability class (Thm. 2.2).

    ``F, G`` are standard Gaussian (N x M, K x M). ``A = U diag(s) V^T`` with
    ``U, V`` Haar orthogonal (QR with sign fix) and ``s`` log-spaced from 1 to
    ``cond``, so ``cond(A) = cond`` exactly (up to rounding); ``c`` is a
    standard Gaussian M-vector. The second model is ``F' = F A^T``,
    ``G' = G A^{-1} + 1 c^T`` with ``A^{-1} = V diag(1/s) U^T``.

    Random draws, in this order from ``np.random.default_rng(seed)``: F, G,
    the Gaussian matrix behind U, the one behind V, c.

    Parameters
    ----------
    N, K, M : int, default 200, 10, 3
        Inputs, labels, dimension; ``M >= 1``, ``K >= M + 1``, ``N >= M + 1``.
    cond : float, default 1e3
        Condition number of A (>= 1; must be 1 when M = 1).
    seed : int, default 0

    Returns
    -------
    ModelPairConstruction
        Its claim: the conditionals are equal, so every distribution distance,
        d_LLV, d_{f,g} and d_rep are 0 and mCCA is 1, up to rounding.

    Raises
    ------
    ValueError, TypeError
        On invalid sizes, ``cond < 1`` or non-finite, a negative seed.

    Examples
    --------
    >>> c = identifiability(N=5, K=4, M=2, cond=10.0)
    >>> round(float(np.linalg.cond(c.params["A"])), 9)
    10.0
    """
    func = "identifiability"
    M = check_positive_int(func, "M", M)
    K = check_positive_int(func, "K", K, minimum=2)
    N = check_positive_int(func, "N", N, minimum=2)
    cond = check_range(func, "cond", cond, low=1.0, high=math.inf)
    seed = check_positive_int(func, "seed", seed, minimum=0)
    if K < M + 1:
        fail(func, "the diversity condition needs K >= M + 1 labels", f"K={K}, M={M}")
    if N < M + 1:
        fail(func, "the diversity condition needs N >= M + 1 inputs", f"N={N}, M={M}")
    if M == 1 and cond != 1.0:
        fail(func, "a 1 x 1 matrix has condition number 1, so cond must be 1 when M = 1", f"cond={cond!r}, M=1")

    rng = np.random.default_rng(seed)
    F = rng.standard_normal((N, M))
    G = rng.standard_normal((K, M))
    U = _orthogonal(rng, M)
    V = _orthogonal(rng, M)
    c = rng.standard_normal(M)
    s = np.logspace(0.0, math.log10(cond), M)
    A = U @ np.diag(s) @ V.T
    A_inv = V @ np.diag(1.0 / s) @ U.T

    return ModelPairConstruction(
        name="identifiability",
        p=SoftmaxModel(F, G, name="identifiability.p"),
        q=SoftmaxModel(F @ A.T, G @ A_inv + c[None, :], name="identifiability.q"),
        params={"N": N, "K": K, "M": M, "cond": cond, "seed": seed, "A": A, "c": c},
        description=(
            "Gaussian F, G and the member F' = F A^T, G' = G A^{-1} + 1 c^T of their identifiability class, "
            f"with cond(A) = {cond:g} (A = U diag(logspace(1, cond)) V^T, U, V Haar orthogonal)."
        ),
        claim=(
            "Equal conditionals: every distribution distance, the logit distance, d_LLV, d_{f,g} and d_rep are 0 "
            "and mCCA(F, F') is 1, up to rounding that grows with cond(A)."
        ),
    )


# ===========================================================================
# Adversarial constructions: the known failure modes of MEASURES.md and the
# remaining examples of MATH.md section 6.
# ===========================================================================


@dataclass(frozen=True, eq=False)
class RepresentationPairConstruction:
    """A pair of representations of the same n stimuli built to make a claim about a measure.

    Attributes
    ----------
    name : str
        The builder's name.
    x : ndarray, shape (n, p)
        First representation (read-only).
    y : ndarray, shape (n, q)
        Second representation of the same stimuli (read-only).
    params : dict
        Every parameter that determined the pair, the seed included.
    description : str
        How the pair is built.
    claim : str
        What the pair demonstrates: the values expected, or the property it breaks.

    Equality is identity (the record holds arrays).
    """

    name: str
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    params: dict[str, Any]
    description: str
    claim: str


def _frozen(a: NDArray[Any]) -> NDArray[np.float64]:
    """A read-only float64 copy of ``a``."""
    out = np.array(a, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


def _seed(func: str, seed: Any) -> int:
    return check_positive_int(func, "seed", seed, minimum=0)


def cca_saturation(*, n: int = 20, p: int = 25, q: int = 3, seed: int = 0) -> RepresentationPairConstruction:
    """Unrelated X (n x p, p >= n) and Y (n x q): every canonical correlation is 1.

    ``X`` and ``Y`` are independent standard Gaussian matrices (drawn in that
    order). With ``p >= n`` the centred ``X`` spans the whole (n - 1)-dimensional
    space of centred vectors, which contains every centred column of ``Y``, so
    each canonical correlation is 1 whatever the data: CCA, SVCCA without
    reduction, PWCCA and the CCA-based R^2 saturate.

    Parameters
    ----------
    n : int, default 20
        Stimuli (>= 3).
    p : int, default 25
        Features of X (>= n).
    q : int, default 3
        Features of Y (1 <= q <= n - 2, so that Y alone does not saturate).
    seed : int, default 0

    Returns
    -------
    RepresentationPairConstruction

    Raises
    ------
    ValueError, TypeError
        On ``n < 3``, ``p < n``, ``q`` outside ``[1, n - 2]``, a negative seed.

    Examples
    --------
    >>> c = cca_saturation(n=5, p=6, q=2)
    >>> c.x.shape, c.y.shape
    ((5, 6), (5, 2))
    """
    func = "cca_saturation"
    n = check_positive_int(func, "n", n, minimum=3)
    p = check_positive_int(func, "p", p)
    q = check_positive_int(func, "q", q)
    seed = _seed(func, seed)
    if p < n:
        fail(func, "the construction needs p >= n features in X (that is what saturates CCA)", f"p={p}, n={n}")
    if q > n - 2:
        fail(func, "q must be at most n - 2 so that Y alone does not saturate", f"q={q}, n={n}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Y = rng.standard_normal((n, q))
    return RepresentationPairConstruction(
        name="cca_saturation",
        x=_frozen(X),
        y=_frozen(Y),
        params={"n": n, "p": p, "q": q, "seed": seed},
        description=f"independent standard Gaussian X ({n} x {p}) and Y ({n} x {q}); p >= n.",
        claim=(
            "mean CCA = 1 (every canonical correlation is 1) although X and Y are unrelated; "
            "metrics.representation.cca_mean_corr warns with SaturationWarning."
        ),
    )


def _random_unit(rng: np.random.Generator, p: int) -> NDArray[np.float64]:
    v = rng.standard_normal(p)
    return np.asarray(v / np.linalg.norm(v))


def cka_outlier(*, n: int = 100, p: int = 10, magnitude: float = 1e3, seed: int = 0) -> RepresentationPairConstruction:
    """Y = X except that one row is moved far away: linear CKA drops from 1 to near 0 (Davari et al. 2023).

    ``X`` is standard Gaussian (n x p); ``v`` a random unit p-vector (drawn
    after X) and ``Y = X`` with ``Y[0] = X[0] + magnitude * v``. For
    ``magnitude`` much larger than ``sqrt(n p)`` the centred ``Y`` is
    dominated by a rank-one spike along ``v``, whose Gram matrix is nearly
    orthogonal to ``X``'s, so linear CKA falls towards 0 (0.0199 at the
    defaults; 1 for ``magnitude -> 0``).

    Parameters
    ----------
    n : int, default 100
        Stimuli (>= 3).
    p : int, default 10
        Features (>= 1).
    magnitude : float, default 1e3
        Distance the outlier moves (> 0, finite).
    seed : int, default 0

    Returns
    -------
    RepresentationPairConstruction

    Raises
    ------
    ValueError, TypeError
        On invalid sizes, a non-positive or non-finite magnitude, a negative seed.

    References
    ----------
    Davari et al., "Reliability of CKA as a similarity measure in deep learning", ICLR 2023.

    Examples
    --------
    >>> c = cka_outlier(n=5, p=2)
    >>> int((c.x != c.y).any(axis=1).sum())
    1
    """
    func = "cka_outlier"
    n = check_positive_int(func, "n", n, minimum=3)
    p = check_positive_int(func, "p", p)
    magnitude = check_range(func, "magnitude", magnitude, low=0.0, high=math.inf, low_open=True)
    seed = _seed(func, seed)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    v = _random_unit(rng, p)
    Y = X.copy()
    Y[0] += magnitude * v
    return RepresentationPairConstruction(
        name="cka_outlier",
        x=_frozen(X),
        y=_frozen(Y),
        params={"n": n, "p": p, "magnitude": magnitude, "seed": seed},
        description=(
            f"standard Gaussian X ({n} x {p}); Y = X with row 0 moved by {magnitude:g} along a random unit vector."
        ),
        claim=(
            "linear CKA(X, X) = 1 but CKA(X, Y) falls far below 1 (about 0.02 at the defaults) although "
            f"Y differs from X in one row of {n}: one outlier can move CKA almost anywhere."
        ),
    )


def cka_subset_translation(
    *, n: int = 100, p: int = 10, fraction: float = 0.2, shift: float = 20.0, seed: int = 0
) -> RepresentationPairConstruction:
    """Y = X with a subset of rows translated by one vector: linear CKA moves a lot (Davari et al. 2023).

    ``X`` is standard Gaussian (n x p); ``v`` a random unit p-vector (drawn
    after X); the first ``m = round(fraction * n)`` rows of ``Y = X`` are
    translated by ``shift * v``. A translation of every row leaves CKA at 1;
    translating only a subset adds a rank-one "cluster" direction that
    dominates the centred Gram matrix of Y.

    Parameters
    ----------
    n : int, default 100
        Stimuli (>= 3).
    p : int, default 10
        Features (>= 1).
    fraction : float, default 0.2
        Fraction of rows translated, in (0, 1); ``1 <= m <= n - 1`` is required.
    shift : float, default 20.0
        Length of the translation (> 0, finite).
    seed : int, default 0

    Returns
    -------
    RepresentationPairConstruction

    Raises
    ------
    ValueError, TypeError
        On invalid sizes, a fraction giving no row or every row, a non-positive shift, a negative seed.

    Examples
    --------
    >>> c = cka_subset_translation(n=10, p=2, fraction=0.3)
    >>> int((c.x != c.y).any(axis=1).sum())
    3
    """
    func = "cka_subset_translation"
    n = check_positive_int(func, "n", n, minimum=3)
    p = check_positive_int(func, "p", p)
    fraction = check_range(func, "fraction", fraction, low=0.0, high=1.0, low_open=True, high_open=True)
    shift = check_range(func, "shift", shift, low=0.0, high=math.inf, low_open=True)
    seed = _seed(func, seed)
    m = round(fraction * n)
    if not 1 <= m <= n - 1:
        fail(func, "round(fraction * n) must lie in [1, n - 1] (translate some rows, not all)", f"fraction={fraction!r}, n={n}: {m} rows")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    v = _random_unit(rng, p)
    Y = X.copy()
    Y[:m] += shift * v
    return RepresentationPairConstruction(
        name="cka_subset_translation",
        x=_frozen(X),
        y=_frozen(Y),
        params={"n": n, "p": p, "fraction": fraction, "shift": shift, "rows_translated": m, "seed": seed},
        description=(
            f"standard Gaussian X ({n} x {p}); Y = X with its first {m} rows translated by {shift:g} along a "
            "random unit vector."
        ),
        claim=(
            "linear CKA(X, X + 1 c^T) = 1 for a translation of every row, but translating "
            f"{m} of the {n} rows drops CKA(X, Y) far below 1 (about 0.06 at the defaults)."
        ),
    )


#: The (buggy) absolute-variance threshold of the SVCCA variant that :func:`svcca_threshold_rescale` exposes.
SVCCA_ABSOLUTE_THRESHOLD = 0.99


def svcca_absolute_threshold(X: NDArray[np.float64], Y: NDArray[np.float64], threshold: float = SVCCA_ABSOLUTE_THRESHOLD) -> float:
    """The known-buggy SVCCA: keep the leading PCs whose cumulative *absolute* variance reaches ``threshold``.

    Reference for :func:`svcca_threshold_rescale` only (not a measure of the
    suite). ``k`` is the smallest number of leading components whose summed
    variances (divisor n - 1) reach ``threshold``, or every component when the
    total variance is below it: a variance compared with a fraction, so the
    result changes when ``X`` is rescaled. Then the mean canonical correlation
    of the kept principal subspaces.
    """
    def basis(A: NDArray[np.float64]) -> NDArray[np.float64]:
        Ac = A - A.mean(axis=0)
        U, s, _ = np.linalg.svd(Ac, full_matrices=False)
        rank = int(np.sum(s > max(Ac.shape) * np.finfo(np.float64).eps * s[0]))
        var = s[:rank] ** 2 / (A.shape[0] - 1)
        k = min(1 + int(np.sum(np.cumsum(var) < threshold)), rank)
        return np.asarray(U[:, :k])

    Qx, Qy = basis(np.asarray(X, dtype=np.float64)), basis(np.asarray(Y, dtype=np.float64))
    rho = np.clip(np.linalg.svd(Qx.T @ Qy, compute_uv=False), 0.0, 1.0)
    return float(rho.mean())


def svcca_threshold_rescale(*, n: int = 200, seed: int = 0) -> RepresentationPairConstruction:
    """A pair on which an absolute-variance-threshold SVCCA changes under rescaling of X.

    ``Z`` (n x 4) and ``E`` (n x 1) are standard Gaussian (drawn in that
    order). ``X = Z diag(sqrt(v))`` with column variances
    ``v = (0.6, 0.25, 0.1, 0.05)`` (total 1: the scale where an absolute
    threshold of 0.99 starts to bite); ``Y = [Z_0 + 0.5 E, Z_2]`` shares the
    first and third latent directions with ``X``.

    * Relative threshold (``metrics.cca.svcca``, 0.99 of the *fraction* of
      variance): X keeps all 4 components at every scale, so
      ``svcca(c X, Y)`` is the same for every ``c > 0``.
    * Absolute threshold (:func:`svcca_absolute_threshold`): at ``c = 0.5``
      the total variance is 0.25 < 0.99, so all 4 components are kept; at
      ``c = 2`` the first component alone has variance ~2.4 >= 0.99, so only
      one is kept, and the score changes.

    Parameters
    ----------
    n : int, default 200
        Stimuli (>= 10).
    seed : int, default 0

    Returns
    -------
    RepresentationPairConstruction
        ``params["scales"] = (0.5, 2.0)``: the two rescalings of X compared.

    Raises
    ------
    ValueError, TypeError
        On ``n < 10`` or a negative seed.
    """
    func = "svcca_threshold_rescale"
    n = check_positive_int(func, "n", n, minimum=10)
    seed = _seed(func, seed)
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, 4))
    E = rng.standard_normal((n, 1))
    v = np.array([0.6, 0.25, 0.1, 0.05])
    X = Z * np.sqrt(v)
    Y = np.column_stack([Z[:, 0] + 0.5 * E[:, 0], Z[:, 2]])
    return RepresentationPairConstruction(
        name="svcca_threshold_rescale",
        x=_frozen(X),
        y=_frozen(Y),
        params={"n": n, "seed": seed, "variances": v.tolist(), "scales": (0.5, 2.0), "absolute_threshold": SVCCA_ABSOLUTE_THRESHOLD},
        description=(
            "X = Z diag(sqrt(0.6, 0.25, 0.1, 0.05)) (total variance ~1), Y = [Z_0 + 0.5 e, Z_2], Z and e standard "
            "Gaussian; compared at X scaled by 0.5 and by 2."
        ),
        claim=(
            "SVCCA with an absolute variance threshold of 0.99 (the known bug) gives different values for 0.5 X and "
            "2 X (all 4 PCs kept vs 1), while metrics.cca.svcca (a relative threshold: a fraction of the total "
            "variance) gives the same value for both."
        ),
    )


def hsic_small_n(*, n: int = 3, p: int = 2, seed: int = 0) -> RepresentationPairConstruction:
    """Fewer than 4 stimuli: the unbiased HSIC estimator is undefined ((n - 2)(n - 3) <= 0).

    ``X`` and ``Y`` are independent standard Gaussian (n x p), drawn in that order.

    Parameters
    ----------
    n : int, default 3
        Stimuli, 2 or 3.
    p : int, default 2
        Features (>= 1).
    seed : int, default 0

    Returns
    -------
    RepresentationPairConstruction

    Raises
    ------
    ValueError, TypeError
        On ``n`` outside [2, 3], ``p < 1``, a negative seed.
    """
    func = "hsic_small_n"
    n = check_positive_int(func, "n", n, minimum=2)
    p = check_positive_int(func, "p", p)
    seed = _seed(func, seed)
    if n > 3:
        fail(func, "n must be 2 or 3 (the unbiased HSIC is defined from n = 4)", f"n={n}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Y = rng.standard_normal((n, p))
    return RepresentationPairConstruction(
        name="hsic_small_n",
        x=_frozen(X),
        y=_frozen(Y),
        params={"n": n, "p": p, "seed": seed},
        description=f"independent standard Gaussian X and Y ({n} x {p}).",
        claim=(
            "the unbiased HSIC divides by n (n - 3) and by (n - 2): metrics.kernel.hsic_linear_unbiased (and "
            "cka_debiased) raise DegenerateInputError instead of returning inf, NaN or a negative value under a sqrt."
        ),
    )


def knn_ties(*, n: int = 12, seed: int = 0) -> RepresentationPairConstruction:
    """Points on an integer grid (X) and a regular polygon (Y): many exactly tied neighbour distances.

    ``X`` holds the points of an ``a x b`` integer grid (``a`` the largest
    divisor of n not above sqrt(n), ``b = n / a``), centred and shifted by
    (0.5, 0.5)  so that no row is zero (the cosine metric needs that), in the
    row order ``perm = rng.permutation(n)``; squared Euclidean distances
    between grid points are small integers, so ties are exact. ``Y`` holds
    the vertices of the regular n-gon on the unit circle in order
    (``(cos 2 pi i / n, sin 2 pi i / n)``): each vertex has two neighbours at
    the same distance (equal up to rounding, which the suite's tie grid
    absorbs).

    Parameters
    ----------
    n : int, default 12
        Stimuli (>= 4).
    seed : int, default 0
        Seed of the row permutation of X (the pairing of grid points with vertices).

    Returns
    -------
    RepresentationPairConstruction

    Raises
    ------
    ValueError, TypeError
        On ``n < 4`` or a negative seed.
    """
    func = "knn_ties"
    n = check_positive_int(func, "n", n, minimum=4)
    seed = _seed(func, seed)
    a = max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)
    b = n // a
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    ii, jj = np.divmod(np.arange(n), b)
    grid = np.column_stack([ii - (a - 1) / 2.0 + 0.5, jj - (b - 1) / 2.0 + 0.5])
    X = grid[perm]
    t = 2.0 * math.pi * np.arange(n) / n
    Y = np.column_stack([np.cos(t), np.sin(t)])
    return RepresentationPairConstruction(
        name="knn_ties",
        x=_frozen(X),
        y=_frozen(Y),
        params={"n": n, "seed": seed, "grid": (a, b), "perm": perm.tolist()},
        description=(
            f"X: the {a} x {b} integer grid shifted by (0.5, 0.5) from centred, rows permuted by the seed; "
            f"Y: the vertices of the regular {n}-gon on the unit circle."
        ),
        claim=(
            "many kNN distances tie exactly (grid) or up to rounding (polygon); metrics.neighbors.mutual_knn is "
            "deterministic (ties broken by index) and metrics.torch_neighbors.mutual_knn returns the same value in "
            "float64, for both metrics and every k."
        ),
    )


def arccos_near_one(*, n: int = 50, p: int = 8, eps: float = 1e-7, seed: int = 0) -> RepresentationPairConstruction:
    """Y = X + tiny noise: linear CKA is within float32 rounding of 1, where an unclipped arccos gives NaN.

    ``X`` and ``E`` are standard Gaussian (n x p), drawn in that order;
    ``Y = X + eps E``. In float64 ``1 - CKA(X, Y)`` is of order ``eps^2``,
    far below float32's resolution, so a float32 CKA rounds to 1 or to a value
    a few ulps above it; ``arccos`` of the latter is NaN unless clipped first.

    Parameters
    ----------
    n : int, default 50
        Stimuli (>= 3).
    p : int, default 8
        Features (>= 1).
    eps : float, default 1e-7
        Noise scale, in (0, 1e-3].
    seed : int, default 0

    Returns
    -------
    RepresentationPairConstruction

    Raises
    ------
    ValueError, TypeError
        On invalid sizes, ``eps`` outside (0, 1e-3], a negative seed.
    """
    func = "arccos_near_one"
    n = check_positive_int(func, "n", n, minimum=3)
    p = check_positive_int(func, "p", p)
    eps = check_range(func, "eps", eps, low=0.0, high=1e-3, low_open=True)
    seed = _seed(func, seed)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Y = X + eps * rng.standard_normal((n, p))
    return RepresentationPairConstruction(
        name="arccos_near_one",
        x=_frozen(X),
        y=_frozen(Y),
        params={"n": n, "p": p, "eps": eps, "seed": seed},
        description=f"standard Gaussian X ({n} x {p}) and Y = X + {eps:g} N(0, 1).",
        claim=(
            "1 - CKA(X, Y) ~ eps^2 is below float32 rounding: the naive float32 CKA <K_X, K_Y> / (|K_X| |K_Y|) "
            "of the centred Grams rounds above 1 (1 + 1.2e-7 at seed 0), so an unclipped arccos gives NaN, while "
            "metrics.torch_kernel.cka_angular in float32 clips and stays finite, within ~3e-4 of the float64 angle."
        ),
    )


def rank_deficient_predictor(*, n: int = 50, p: int = 6, rank: int = 2, seed: int = 0) -> RepresentationPairConstruction:
    """A predictor X of rank ``rank`` < p built from duplicated and collinear columns.

    ``B`` (n x rank), ``W`` (rank x 2), ``E`` (n x 2) and ``C`` (rank x
    (p - 2 rank)) are standard Gaussian, drawn in that order. ``X`` has
    columns ``[B, B, B C]`` truncated to p (exact duplicates, then linear
    combinations) -- so its column space is that of ``B``; ``Y = B W + 0.5 E``.
    Inverse square roots of ``X_c^T X_c`` (naive CCA or regression code) blow up.

    Parameters
    ----------
    n : int, default 50
        Stimuli; ``n >= p + 2``.
    p : int, default 6
        Columns of X; ``p > rank``.
    rank : int, default 2
        Rank of X (>= 1).
    seed : int, default 0

    Returns
    -------
    RepresentationPairConstruction
        ``params["basis"]``: the full-rank predictor B, for comparison.

    Raises
    ------
    ValueError, TypeError
        On ``rank >= p``, ``n < p + 2``, a negative seed.
    """
    func = "rank_deficient_predictor"
    p = check_positive_int(func, "p", p, minimum=2)
    rank = check_positive_int(func, "rank", rank)
    n = check_positive_int(func, "n", n, minimum=3)
    seed = _seed(func, seed)
    if rank >= p:
        fail(func, "rank must be below p (the predictor must be rank-deficient)", f"rank={rank}, p={p}")
    if n < p + 2:
        fail(func, "n must be at least p + 2 so that the rank deficiency is not caused by too few rows", f"n={n}, p={p}")
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((n, rank))
    W = rng.standard_normal((rank, 2))
    E = rng.standard_normal((n, 2))
    extra = max(p - 2 * rank, 0)
    C = rng.standard_normal((rank, extra))
    X = np.column_stack([B, B, B @ C])[:, :p]
    Y = B @ W + 0.5 * E
    return RepresentationPairConstruction(
        name="rank_deficient_predictor",
        x=_frozen(X),
        y=_frozen(Y),
        params={"n": n, "p": p, "rank": rank, "seed": seed, "basis": _frozen(B)},
        description=(
            f"X ({n} x {p}) of rank {rank}: columns [B, B, B C] truncated to {p} (duplicates, then combinations) of a "
            f"Gaussian B ({n} x {rank}); Y = B W + 0.5 E."
        ),
        claim=(
            "metrics.predictive.linreg_r2(X, Y) is finite and equals linreg_r2(B, Y) (the full-rank predictor with "
            "the same column space) up to rounding; no inverse of the singular X_c^T X_c is taken."
        ),
    )


def kl_vanishing_general(*, M: int = 4, rho: float = 3.0, per_label: int = 200, seed: int = 0) -> ModelPairConstruction:
    """Theorem 3.1 for any even M: M/2 independent 2-D blocks, labels as tuples.

    With ``B = M / 2`` blocks, the labels are the ``K = 7^B`` tuples
    ``t = (t_1, ..., t_B)`` in lexicographic order (block 1 most significant);
    ``g(y_t) = (rho u(theta_{t_1}), ..., rho u(theta_{t_B}))``. There are
    ``per_label`` inputs per tuple, ordered tuple by tuple; block b of input i
    of tuple t is ``r_{t,i,b} u(theta_{t_b} + delta_{t,i,b})``. Model q
    relabels componentwise with ``sigma(k) = (2k + 5) mod 7``:
    ``g'(y_t) = g(y_{sigma(t)})`` and block b of ``f'(x_{t,i})`` is
    ``r_{t,i,b} u(theta_{sigma(t_b)} + delta_{sigma(t),i,b})``.

    Random draws from ``np.random.default_rng(seed)``: ``delta ~ U(-pi/64,
    pi/64)`` of shape (K, per_label, B), then ``xi ~ N(0, 1)`` of the same
    shape, ``r = 2 + |0.01 xi|``. With M = 2 this is exactly
    :func:`kl_vanishing` (same draws, same arrays).

    What it achieves: the logits are sums over blocks, and the logsumexp over
    tuple labels is the sum of the per-block logsumexps, so each model's
    conditional is the product of its blocks' conditionals and d_KL is the sum
    of the B per-block d_KL (each a Theorem 3.1 instance): it still vanishes
    exponentially in rho, about B times the 2-D value. The blocks' angles are
    independent and each is an angle doubling of the other model's, so the
    embeddings stay linearly unrelated: mCCA over all M dimensions stays
    near 0 for every rho. The cost is K = 7^(M/2) labels, so keep M and
    per_label small.

    Parameters
    ----------
    M : int, default 4
        Even dimension (>= 2).
    rho : float, default 3.0
        Length of each block of the unembeddings (> 0).
    per_label : int, default 200
        Inputs per tuple label (>= 1); N = 7^(M/2) per_label.
    seed : int, default 0

    Returns
    -------
    ModelPairConstruction

    Raises
    ------
    ValueError, TypeError
        On odd or non-positive M, ``M > 8`` (K > 2401), ``rho <= 0``,
        ``per_label < 1``, a negative seed.

    Examples
    --------
    >>> c = kl_vanishing_general(M=4, per_label=1)
    >>> c.p.F.shape, c.p.G.shape
    ((49, 4), (49, 4))
    """
    func = "kl_vanishing_general"
    M = check_positive_int(func, "M", M, minimum=2)
    rho = check_range(func, "rho", rho, low=0.0, high=math.inf, low_open=True)
    per_label = check_positive_int(func, "per_label", per_label)
    seed = _seed(func, seed)
    if M % 2:
        fail(func, "M must be even (the construction stacks 2-D blocks)", f"M={M}")
    if M > 8:
        fail(func, "M must be at most 8 (K = 7^(M/2) labels grows fast)", f"M={M} (K would be {7 ** (M // 2)})")
    B = M // 2
    base = 7
    K = base**B
    rng = np.random.default_rng(seed)
    delta = rng.uniform(-math.pi / 64, math.pi / 64, size=(K, per_label, B))
    r = 2.0 + np.abs(0.01 * rng.standard_normal((K, per_label, B)))

    theta = 2 * math.pi * np.arange(base) / base
    sigma = np.array(KL_VANISHING_SIGMA)
    tuples = np.stack(np.unravel_index(np.arange(K), (base,) * B), axis=1)  # (K, B), lexicographic
    weights = base ** np.arange(B - 1, -1, -1)
    sigma_index = (sigma[tuples] * weights).sum(axis=1)  # index of the tuple sigma(t)

    ang_g = theta[tuples]  # (K, B)
    G_p = (rho * _unit(ang_g)).reshape(K, M)
    G_q = G_p[sigma_index]
    ang_f = ang_g[:, None, :] + delta  # (K, per_label, B)
    F_p = (r[..., None] * _unit(ang_f)).reshape(K * per_label, M)
    ang_fq = ang_g[sigma_index][:, None, :] + delta[sigma_index]
    F_q = (r[..., None] * _unit(ang_fq)).reshape(K * per_label, M)

    return ModelPairConstruction(
        name="kl_vanishing_general",
        p=SoftmaxModel(F_p, G_p, name="kl_vanishing_general.p"),
        q=SoftmaxModel(F_q, G_q, name="kl_vanishing_general.q"),
        params={"M": M, "rho": rho, "per_label": per_label, "seed": seed, "K": K, "blocks": B, "sigma": list(KL_VANISHING_SIGMA)},
        description=(
            f"Theorem 3.1 in M = {M}: {B} independent 2-D blocks of the 7-label circle construction; labels are the "
            f"{K} tuples of per-block labels, {per_label} inputs per tuple; model q relabels every block by "
            "sigma(k) = (2k + 5) mod 7."
        ),
        claim=(
            "the conditionals factorise over blocks, so d_KL is the sum of the per-block d_KL and -> 0 exponentially "
            "as rho grows (M = 4: ~1.8 at rho = 3, ~0.04 at rho = 10), while mCCA of the embeddings stays near 0 "
            "for every rho."
        ),
    )


def _clusters(
    rng: np.random.Generator, angles: NDArray[np.float64], per_label: int
) -> NDArray[np.float64]:
    """Theorem 3.1-style input clusters: r u(angle + delta), delta ~ U(-pi/64, pi/64), r = 2 + |0.01 xi|."""
    c = angles.shape[0]
    delta = rng.uniform(-math.pi / 64, math.pi / 64, size=(c, per_label))
    r = 2.0 + np.abs(0.01 * rng.standard_normal((c, per_label)))
    return np.asarray((r[..., None] * _unit(angles[:, None] + delta)).reshape(c * per_label, 2))


def swapped_unembeddings(*, K: int = 8, rho: float = 3.5, per_label: int = 100, seed: int = 0) -> ModelPairConstruction:
    """Identical embeddings, two pairs of rarely chosen unembeddings swapped: small KL, large logit distance.

    M = 2. ``g(y_k) = rho u(2 pi k / K)``. The inputs form Theorem 3.1-style
    clusters (``per_label`` each, ``r = 2 + |0.01 xi|``, angular jitter
    ``U(-pi/64, pi/64)``) around the directions of labels 0 and 1 only. With
    ``h = K // 2``, model q has the same F and G with the rows of labels
    ``h - 1 <-> h + 1`` and ``h <-> h + 2`` swapped; for ``K >= 8`` each of
    these is at least 90 degrees from both clusters, so rarely chosen. The swapped labels' probabilities are tiny
    under both models, so d_KL is small, but their log-probabilities differ by
    O(rho r), so the logit distance (and d_LLV) is large.

    Parameters
    ----------
    K : int, default 8
        Labels (>= 8).
    rho : float, default 3.5
        Length of the unembeddings (> 0); larger makes d_KL smaller and the
        logit distance larger.
    per_label : int, default 100
        Inputs per cluster (>= 1); N = 2 per_label.
    seed : int, default 0

    Returns
    -------
    ModelPairConstruction

    Raises
    ------
    ValueError, TypeError
        On ``K < 8``, ``rho <= 0``, ``per_label < 1``, a negative seed.

    References
    ----------
    Nielsen et al., arXiv:2602.15438 (the follow-up), example (a).
    """
    func = "swapped_unembeddings"
    K = check_positive_int(func, "K", K, minimum=8)
    rho = check_range(func, "rho", rho, low=0.0, high=math.inf, low_open=True)
    per_label = check_positive_int(func, "per_label", per_label)
    seed = _seed(func, seed)
    rng = np.random.default_rng(seed)
    theta = 2 * math.pi * np.arange(K) / K
    h = K // 2
    pairs = [(h - 1, h + 1), (h, h + 2)]
    F = _clusters(rng, theta[:2], per_label)
    G = rho * _unit(theta)
    swap = np.arange(K)
    for i, j in pairs:
        swap[[i, j]] = swap[[j, i]]
    return ModelPairConstruction(
        name="swapped_unembeddings",
        p=SoftmaxModel(F, G, name="swapped_unembeddings.p"),
        q=SoftmaxModel(F, G[swap], name="swapped_unembeddings.q"),
        params={"K": K, "rho": rho, "per_label": per_label, "seed": seed, "M": 2, "swapped": pairs},
        description=(
            f"M = 2, {K} unembeddings of length {rho:g} on a circle, inputs clustered around labels 0 and 1 only; "
            f"model q swaps the unembeddings of labels {h - 1} <-> {h + 1} and {h} <-> {h + 2}."
        ),
        claim=(
            "identical embeddings: d_KL is small (about 0.0051 at the defaults; the follow-up reports ~0.0045) while "
            "the logit distance is large (about 9.9 at the defaults): KL barely sees rare labels."
        ),
    )


def _rotation(deg: float) -> NDArray[np.float64]:
    t = math.radians(deg)
    return np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])


def rotated_pair(*, K: int = 5, rho: float = 19.0, per_label: int = 100, seed: int = 0) -> ModelPairConstruction:
    """Embeddings rotated by +45 degrees and unembeddings by -45 degrees: mCCA = 1, distributions far apart.

    M = 2. ``g(y_k) = rho u(2 pi k / K)``; Theorem 3.1-style clusters
    (``per_label`` each) around every label direction. Model q:
    ``F' = F R(45)^T``, ``G' = G R(-45)^T`` (rows rotated). Both sides are
    linear maps of the originals, so mCCA(F, F') = mCCA(G, G') = 1; but the
    logits ``F' G'^T = F R(-90) G^T`` are those of a 90-degree relative
    rotation, so every input's most likely label changes and d_KL is large.
    ``R(-45)`` is not ``R(45)^{-T} = R(45)``, so q is not in p's
    identifiability class.

    Parameters
    ----------
    K : int, default 5
        Labels (>= 3).
    rho : float, default 19.0
        Length of the unembeddings (> 0); d_KL grows about linearly with it
        (the default puts it near the follow-up's ~36).
    per_label : int, default 100
        Inputs per cluster (>= 1); N = K per_label.
    seed : int, default 0

    Returns
    -------
    ModelPairConstruction

    Raises
    ------
    ValueError, TypeError
        On ``K < 3``, ``rho <= 0``, ``per_label < 1``, a negative seed.

    References
    ----------
    Nielsen et al., arXiv:2602.15438 (the follow-up), example (b).
    """
    func = "rotated_pair"
    K = check_positive_int(func, "K", K, minimum=3)
    rho = check_range(func, "rho", rho, low=0.0, high=math.inf, low_open=True)
    per_label = check_positive_int(func, "per_label", per_label)
    seed = _seed(func, seed)
    rng = np.random.default_rng(seed)
    theta = 2 * math.pi * np.arange(K) / K
    F = _clusters(rng, theta, per_label)
    G = rho * _unit(theta)
    return ModelPairConstruction(
        name="rotated_pair",
        p=SoftmaxModel(F, G, name="rotated_pair.p"),
        q=SoftmaxModel(F @ _rotation(45.0).T, G @ _rotation(-45.0).T, name="rotated_pair.q"),
        params={"K": K, "rho": rho, "per_label": per_label, "seed": seed, "M": 2},
        description=(
            f"M = 2, {K} unembeddings of length {rho:g} on a circle with input clusters around each; model q rotates "
            "the embeddings by +45 degrees and the unembeddings by -45 degrees."
        ),
        claim=(
            "mCCA(F, F') = mCCA(G, G') = 1, yet d_KL is large (about 26 at the defaults; the follow-up reports ~36) "
            "and so are d_logit and d_LLV: mCCA is blind to the change."
        ),
    )


#: Noise scale s of App. F.6 by number of labels K.
BOUND_NOISE_SCALE: dict[int, float] = {4: 0.005, 5: 0.004, 6: 0.004, 10: 0.0025, 18: 0.002}


def bound_illustration(*, K: int = 4, per_label: int = 500, index: int = 0, seed: int = 0) -> ModelPairConstruction:
    """App. F.6: a model and a noisy copy of its embeddings, for which d_{f,g} <= 2 M d_LLV (Thm. 4.6).

    Interpretation of "unembedding length 20, minimum embedding length 5"
    (M = 2, as in Theorem 3.1's figures): ``g(y_k) = 20 u(2 pi k / K)``; input
    i of cluster k is ``f = r u(2 pi k / K + delta)`` with
    ``delta ~ U(-pi/64, pi/64)`` and ``r = 5 + |xi|``, ``xi ~ N(0, 1)``, so
    every embedding has length at least 5. Model q keeps G and adds
    ``(index + 1) s N(0, 1)`` noise to every embedding coordinate, with
    ``s = BOUND_NOISE_SCALE[K]``.

    Random draws from ``np.random.default_rng(seed)``, in order: delta
    (K, per_label), xi (K, per_label), the noise (N, 2). The noise is drawn
    as a standard normal and then scaled, so the same seed gives the same
    direction of noise for every index.

    Parameters
    ----------
    K : int, default 4
        Labels, one of 4, 5, 6, 10, 18.
    per_label : int, default 500
        Inputs per cluster (>= 2).
    index : int, default 0
        Noise level i in [0, 249].
    seed : int, default 0

    Returns
    -------
    ModelPairConstruction

    Raises
    ------
    ValueError, TypeError
        On a K without a published noise scale, ``per_label < 2``, ``index``
        outside [0, 249], a negative seed.
    """
    func = "bound_illustration"
    K = check_positive_int(func, "K", K)
    per_label = check_positive_int(func, "per_label", per_label, minimum=2)
    index = check_positive_int(func, "index", index, minimum=0)
    seed = _seed(func, seed)
    if K not in BOUND_NOISE_SCALE:
        fail(func, "K must be one of the App. F.6 sizes 4, 5, 6, 10, 18", f"K={K}")
    if index > 249:
        fail(func, "index must lie in [0, 249] (App. F.6 used 250 noise levels)", f"index={index}")
    s = BOUND_NOISE_SCALE[K]
    rng = np.random.default_rng(seed)
    theta = 2 * math.pi * np.arange(K) / K
    delta = rng.uniform(-math.pi / 64, math.pi / 64, size=(K, per_label))
    r = 5.0 + np.abs(rng.standard_normal((K, per_label)))
    F = (r[..., None] * _unit(theta[:, None] + delta)).reshape(K * per_label, 2)
    G = 20.0 * _unit(theta)
    noise = rng.standard_normal(F.shape)
    sd = (index + 1) * s
    return ModelPairConstruction(
        name="bound_illustration",
        p=SoftmaxModel(F, G, name="bound_illustration.p"),
        q=SoftmaxModel(F + sd * noise, G, name="bound_illustration.q"),
        params={"K": K, "per_label": per_label, "index": index, "seed": seed, "M": 2, "s": s, "noise_sd": sd},
        description=(
            f"M = 2, {K} unembeddings of length 20 on a circle, {per_label} inputs per label at length 5 + |N(0,1)| "
            f"with angular jitter U(-pi/64, pi/64); model q adds N(0, {sd:g}^2) noise to every embedding coordinate."
        ),
        claim="Theorem 4.6: d_{f,g}(p, q) <= 2 M d_LLV(p, q) = 4 d_LLV with d_LLV's pivots and input set.",
    )
