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

__all__ = ["KL_VANISHING_SIGMA", "ModelPairConstruction", "identifiability", "kl_vanishing"]

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
