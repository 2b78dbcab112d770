"""Tests of the float64 reference model distances (metrics/model_distances.py).

Every check compares against an independent computation (scipy, mpmath, a
naive loop over the definition with ``statistics.stdev``) or a property that
the mathematics guarantees; every error message is asserted on its text.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.spatial.distance import jensenshannon
from scipy.special import log_softmax, rel_entr

from constructions import identifiability
from metrics._pivots import REP_MAX_COND, input_tuples, rep_conditioning, rep_pivots
from metrics._validation import DegenerateInputError
from metrics.model_distances import (
    chi2_divergence,
    fg_dissimilarity,
    hellinger_distance,
    js_divergence,
    kl_divergence,
    llv,
    llv_distance,
    logit_distance,
    model_distances,
    rep_distance,
    reverse_kl_divergence,
    svd_dissimilarity,
    svd_similarity,
    tv_distance,
)
from metrics.models import FGResult, LLVResult, ModelDistances, SoftmaxModel

Arr = NDArray[np.float64]

DISTRIBUTION_DISTANCES: dict[str, Callable[[SoftmaxModel, SoftmaxModel], float]] = {
    "kl_divergence": kl_divergence,
    "reverse_kl_divergence": reverse_kl_divergence,
    "js_divergence": js_divergence,
    "tv_distance": tv_distance,
    "hellinger_distance": hellinger_distance,
    "chi2_divergence": chi2_divergence,
    "logit_distance": logit_distance,
}
SYMMETRIC = ("js_divergence", "tv_distance", "hellinger_distance", "logit_distance")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def local_cca_mean_corr(X: Arr, Y: Arr) -> float:
    """Mean canonical correlation via QR of the centred matrices and SVD (test-only fallback)."""
    qx, _ = np.linalg.qr(X - X.mean(axis=0))
    qy, _ = np.linalg.qr(Y - Y.mean(axis=0))
    return float(np.clip(np.linalg.svd(qx.T @ qy, compute_uv=False), 0.0, 1.0).mean())


def mcca(X: Arr, Y: Arr) -> float:
    """The suite's cca_mean_corr when it exists, else the local QR + SVD computation."""
    try:
        from metrics.representation import cca_mean_corr
    except ImportError:
        return local_cca_mean_corr(X, Y)
    return float(cca_mean_corr(X, Y))


@pytest.fixture
def cca_available(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make ``metrics.representation.cca_mean_corr`` importable (a local stub if it is not written yet)."""
    try:
        import metrics.representation  # noqa: F401
    except ImportError:
        stub = types.ModuleType("metrics.representation")
        stub.cca_mean_corr = local_cca_mean_corr  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "metrics.representation", stub)
    yield


def random_pair(
    seed: int, *, N: int = 30, K: int = 5, M: int = 2, noise: float = 1.0
) -> tuple[SoftmaxModel, SoftmaxModel]:
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((N, M))
    G = rng.standard_normal((K, M))
    return SoftmaxModel(F, G), SoftmaxModel(
        F + noise * rng.standard_normal((N, M)), G + noise * rng.standard_normal((K, M))
    )


def ell(m: SoftmaxModel) -> Arr:
    """K x N log-likelihoods, computed independently of SoftmaxModel.log_likelihoods."""
    return np.asarray(log_softmax(m.F @ m.G.T, axis=1).T)


def _mp_log_probs(m: SoftmaxModel, n: int) -> list[mpmath.mpf]:
    """log p(.|x_n) at the current mpmath precision, from the exact float64 entries of F and G."""
    logits = [
        mpmath.fsum(mpmath.mpf(float(m.F[n, j])) * mpmath.mpf(float(m.G[k, j])) for j in range(m.M)) for k in range(m.K)
    ]
    lse = mpmath.log(mpmath.fsum(mpmath.exp(z) for z in logits))
    return [z - lse for z in logits]


def mp_distances(p: SoftmaxModel, q: SoftmaxModel) -> dict[str, float]:
    """Distribution distances with 50-digit arithmetic from the exact float64 inputs."""
    with mpmath.workdps(50):
        out = {k: mpmath.mpf(0) for k in ("kl", "js", "tv", "hellinger", "chi2", "logit2")}
        for n in range(p.N):
            lp, lq = _mp_log_probs(p, n), _mp_log_probs(q, n)
            P, Q = [mpmath.exp(v) for v in lp], [mpmath.exp(v) for v in lq]
            Mx = [(a + b) / 2 for a, b in zip(P, Q, strict=True)]
            out["kl"] += mpmath.fsum(a * (x - y) for a, x, y in zip(P, lp, lq, strict=True))
            out["js"] += mpmath.fsum(
                (a * mpmath.log(a / m) + b * mpmath.log(b / m)) / 2 for a, b, m in zip(P, Q, Mx, strict=True)
            )
            out["tv"] += mpmath.fsum(abs(a - b) for a, b in zip(P, Q, strict=True)) / 2
            out["hellinger"] += mpmath.sqrt(
                mpmath.fsum((mpmath.sqrt(a) - mpmath.sqrt(b)) ** 2 for a, b in zip(P, Q, strict=True)) / 2
            )
            out["chi2"] += mpmath.fsum((a - b) ** 2 / b for a, b in zip(P, Q, strict=True))
            mp_, mq_ = mpmath.fsum(lp) / p.K, mpmath.fsum(lq) / q.K
            out["logit2"] += mpmath.fsum((x - mp_ - y + mq_) ** 2 for x, y in zip(lp, lq, strict=True))
        res = {k: float(v / p.N) for k, v in out.items()}
    res["logit"] = math.sqrt(res.pop("logit2"))
    return res


def naive_label_side(lp: Arr, lq: Arr, y0: int, ylo: int) -> tuple[float, float]:
    """T1 and T3 for fixed pivots, from the definition, with statistics.stdev (divisor n - 1)."""
    t1 = t3 = 0.0
    for y in range(lp.shape[0]):
        if y in (y0, ylo):
            continue
        sp = statistics.stdev((lp[y] - lp[y0]).tolist())
        sq = statistics.stdev((lq[y] - lq[y0]).tolist())
        a = statistics.stdev([u / sp - v / sq for u, v in zip(lp[y], lq[y], strict=True)])
        b = statistics.stdev([u / sp - v / sq for u, v in zip(lp[y0], lq[y0], strict=True)])
        t1, t3 = max(t1, a, b), max(t3, abs(sp - sq))
    return t1, t3


def naive_input_side(lp: Arr, lq: Arr, tup: tuple[int, ...]) -> tuple[float, float]:
    """T2 and T4 for a fixed input tuple (x_0 first), from the definition."""
    x0, t2, t4 = tup[0], 0.0, 0.0
    for xi in tup[1:]:
        tp = statistics.stdev((lp[:, xi] - lp[:, x0]).tolist())
        tq = statistics.stdev((lq[:, xi] - lq[:, x0]).tolist())
        c = statistics.stdev([u / tp - v / tq for u, v in zip(lp[:, xi], lq[:, xi], strict=True)])
        e = statistics.stdev([u / tp - v / tq for u, v in zip(lp[:, x0], lq[:, x0], strict=True)])
        t2, t4 = max(t2, c, e), max(t4, abs(tp - tq))
    return t2, t4


def corr_m_svd(Z: Arr, Zp: Arr) -> float:
    """m_SVD from np.corrcoef (an independent route to the cross-correlation matrix)."""
    M = Z.shape[1]
    R = np.corrcoef(Z.T, Zp.T)[:M, M:]
    return float(np.linalg.svd(R, compute_uv=False).sum() / M)


# ---------------------------------------------------------------------------
# distribution distances: brute force against scipy and mpmath
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_distribution_distances_match_scipy_brute_force(seed: int) -> None:
    p, q = random_pair(seed, N=20, K=6, M=3, noise=0.7)
    P, Q = np.exp(ell(p)), np.exp(ell(q))
    lp, lq = ell(p), ell(q)
    assert kl_divergence(p, q) == pytest.approx(rel_entr(P, Q).sum(axis=0).mean(), rel=1e-12)
    assert reverse_kl_divergence(p, q) == pytest.approx(rel_entr(Q, P).sum(axis=0).mean(), rel=1e-12)
    assert js_divergence(p, q) == pytest.approx((jensenshannon(P, Q, axis=0) ** 2).mean(), rel=1e-10)
    assert tv_distance(p, q) == pytest.approx((0.5 * np.abs(P - Q).sum(axis=0)).mean(), rel=1e-12)
    assert hellinger_distance(p, q) == pytest.approx(
        np.sqrt(0.5 * ((np.sqrt(P) - np.sqrt(Q)) ** 2).sum(axis=0)).mean(), rel=1e-12
    )
    assert chi2_divergence(p, q) == pytest.approx(((P - Q) ** 2 / Q).sum(axis=0).mean(), rel=1e-12)
    clr = (lp - lp.mean(axis=0)) - (lq - lq.mean(axis=0))
    assert logit_distance(p, q) == pytest.approx(math.sqrt(np.mean(np.sum(clr**2, axis=0))), rel=1e-12)


@pytest.mark.parametrize("noise", [1.0, 1e-3, 1e-7])
def test_distribution_distances_match_50_digit_arithmetic(noise: float) -> None:
    # At noise 1e-7 the divergences are ~1e-14: a textbook sum p log(p/q) loses most digits there.
    p, q = random_pair(7, N=4, K=4, M=2, noise=noise)
    ref = mp_distances(p, q)
    assert kl_divergence(p, q) == pytest.approx(ref["kl"], rel=1e-7)
    assert reverse_kl_divergence(q, p) == pytest.approx(ref["kl"], rel=1e-7)
    assert js_divergence(p, q) == pytest.approx(ref["js"], rel=1e-7)
    assert tv_distance(p, q) == pytest.approx(ref["tv"], rel=1e-7)
    assert hellinger_distance(p, q) == pytest.approx(ref["hellinger"], rel=1e-7)
    assert chi2_divergence(p, q) == pytest.approx(ref["chi2"], rel=1e-7)
    assert logit_distance(p, q) == pytest.approx(ref["logit"], rel=1e-7)


def test_extreme_logits_do_not_overflow() -> None:
    # |log p - log q| reaches ~2000: e^(log p - log q) overflows float64, the divergences must not.
    F = np.array([[1000.0, 0.0], [0.0, 1000.0], [500.0, 500.0]])
    G = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    p, q = SoftmaxModel(F, G), SoftmaxModel(F, -G)
    ref = mp_distances(p, q)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert kl_divergence(p, q) == pytest.approx(ref["kl"], rel=1e-12)
        assert reverse_kl_divergence(q, p) == pytest.approx(ref["kl"], rel=1e-12)
        assert js_divergence(p, q) == pytest.approx(math.log(2.0), rel=1e-12)
        assert tv_distance(p, q) == pytest.approx(1.0, rel=1e-12)
        assert hellinger_distance(p, q) == pytest.approx(1.0, rel=1e-12)
        assert logit_distance(p, q) == pytest.approx(ref["logit"], rel=1e-12)
        assert chi2_divergence(p, q) == math.inf  # exceeds float64: the documented overflow, not NaN
    assert np.max(p.log_likelihoods() - q.log_likelihoods()) > 710.0  # e^d would overflow


# ---------------------------------------------------------------------------
# distribution distances: properties
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_symmetric_distances_are_exactly_symmetric(seed: int) -> None:
    p, q = random_pair(seed, noise=0.5 + seed)
    for name in SYMMETRIC:
        fn = DISTRIBUTION_DISTANCES[name]
        assert fn(p, q) == fn(q, p), name


@pytest.mark.parametrize("seed", range(6))
def test_kl_is_asymmetric_and_reverse_kl_swaps(seed: int) -> None:
    p, q = random_pair(seed)
    assert reverse_kl_divergence(p, q) == kl_divergence(q, p)
    assert kl_divergence(p, q) != pytest.approx(kl_divergence(q, p), rel=1e-3)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("noise", [3.0, 1e-4, 1e-12])
def test_ranges_and_non_negativity(seed: int, noise: float) -> None:
    p, q = random_pair(seed, noise=noise)
    vals = {name: fn(p, q) for name, fn in DISTRIBUTION_DISTANCES.items()}
    assert all(v >= 0.0 for v in vals.values()), vals
    assert vals["js_divergence"] <= math.log(2.0)
    assert vals["tv_distance"] <= 1.0
    assert vals["hellinger_distance"] <= 1.0
    # Standard inequalities between them (a wrong formula or factor of 2 breaks one of these).
    assert vals["hellinger_distance"] ** 2 <= vals["tv_distance"] + 1e-15  # H^2 <= TV per input, averaged
    # Pinsker (KL >= 2 TV^2 per input) and Jensen give mean KL >= 2 (mean TV)^2, at every scale.
    assert vals["kl_divergence"] * (1 + 1e-3) >= 2 * vals["tv_distance"] ** 2 > 0.0


@pytest.mark.parametrize("seed", range(3))
def test_distance_to_itself_is_zero(seed: int) -> None:
    p, _ = random_pair(seed)
    for name, fn in DISTRIBUTION_DISTANCES.items():
        assert fn(p, p) == 0.0, name
    assert llv(p, p).value == 0.0
    assert fg_dissimilarity(p, p).value == pytest.approx(0.0, abs=1e-15)
    assert rep_distance(p, p) == pytest.approx(0.0, abs=1e-13)  # A = L^{-1} L = I up to rounding


def test_kl_precise_on_a_tiny_difference_where_the_textbook_formula_is_not() -> None:
    p, q = random_pair(3, N=4, K=4, M=2, noise=1e-8)
    ref = mp_distances(p, q)["kl"]
    lp, lq = p.log_likelihoods(), q.log_likelihoods()
    textbook = float((np.exp(lp) * (lp - lq)).sum(axis=0).mean())
    assert kl_divergence(p, q) == pytest.approx(ref, rel=1e-6)
    # The claim of precision is not vacuous: the textbook form is far off at this scale.
    assert abs(textbook - ref) > 1e-3 * ref


# ---------------------------------------------------------------------------
# d_LLV
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_llv_pivot_search_matches_naive_triple_loop(seed: int) -> None:
    p, q = random_pair(seed, N=25, K=5, M=2, noise=0.8)
    lp, lq = ell(p), ell(q)
    best = None
    for y0 in range(p.K):
        for ylo in range(p.K):
            if y0 != ylo:
                t1, _ = naive_label_side(lp, lq, y0, ylo)
                if best is None or t1 < best[0] - 1e-12:  # strict: earliest wins (near-)ties
                    best = (t1, y0, ylo)
    assert best is not None
    res = llv(p, q)
    assert (res.label_pivot, res.left_out) == best[1:]
    assert res.t1 == pytest.approx(best[0], rel=1e-10)
    assert res.t3 == pytest.approx(naive_label_side(lp, lq, best[1], best[2])[1], rel=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_llv_input_set_search_matches_naive_loop(seed: int) -> None:
    p, q = random_pair(seed, N=40, K=6, M=3, noise=0.8)
    lp, lq = ell(p), ell(q)
    best = None
    for cand in input_tuples(p.N, p.M, 7, seed):
        tup = tuple(int(i) for i in cand)
        t2, t4 = naive_input_side(lp, lq, tup)
        if best is None or t2 < best[0] - 1e-12:
            best = (t2, t4, tup)
    assert best is not None
    res = llv(p, q, num_samples=7, seed=seed)
    assert res.input_set == best[2]
    assert res.t2 == pytest.approx(best[0], rel=1e-10)
    assert res.t4 == pytest.approx(best[1], rel=1e-10)


def test_llv_with_every_choice_fixed_matches_definition_and_weights_scale_terms() -> None:
    p, q = random_pair(11, N=30, K=6, M=2, noise=0.6)
    lp, lq = ell(p), ell(q)
    t1, t3 = naive_label_side(lp, lq, 4, 1)
    t2, t4 = naive_input_side(lp, lq, (5, 17, 2))
    for lam in (1e-5, 1.0, 100.0):
        res = llv(p, q, label_pivot=4, left_out=1, input_set=[5, 17, 2], lam=lam)
        assert (res.t1, res.t2, res.t3, res.t4) == pytest.approx((t1, t2, t3, t4), rel=1e-10)
        assert res.value == pytest.approx(max(t1, t2, lam * t3, lam * t4), rel=1e-10)
        assert (res.label_pivot, res.left_out, res.input_set, res.lam) == (4, 1, (5, 17, 2), lam)
        assert llv_distance(p, q, label_pivot=4, left_out=1, input_set=[5, 17, 2], lam=lam) == res.value
    assert llv(p, q, label_pivot=4, left_out=1, input_set=[5, 17, 2], lam=100.0).value > max(t1, t2)


def test_llv_one_pivot_fixed_searches_the_other() -> None:
    p, q = random_pair(2, N=25, K=6, M=2, noise=0.8)
    lp, lq = ell(p), ell(q)
    by_left_out = min((naive_label_side(lp, lq, 3, ylo)[0], ylo) for ylo in range(6) if ylo != 3)
    by_pivot = min((naive_label_side(lp, lq, y0, 2)[0], y0) for y0 in range(6) if y0 != 2)
    r1 = llv(p, q, label_pivot=3)
    r2 = llv(p, q, left_out=2)
    assert (r1.label_pivot, r1.left_out) == (3, by_left_out[1])
    assert r1.t1 == pytest.approx(by_left_out[0], rel=1e-10)
    assert (r2.label_pivot, r2.left_out) == (by_pivot[1], 2)
    assert r2.t1 == pytest.approx(by_pivot[0], rel=1e-10)


def test_llv_ties_go_to_lowest_pivot_then_lowest_left_out() -> None:
    p, _ = random_pair(0, N=10, K=4, M=2)
    res = llv(p, p, num_samples=3)  # T1 = T2 = 0 exactly for every choice
    assert (res.label_pivot, res.left_out) == (0, 1)
    assert res.input_set == tuple(int(i) for i in input_tuples(10, 2, 3, 0)[0])  # the earliest tuple


def _naive_best_pair(lp: Arr, lq: Arr, pairs: list[tuple[int, int]]) -> tuple[float, int, int]:
    best = None
    for y0, ylo in pairs:  # pairs in (y0, ylo) lexicographic order
        t1, _ = naive_label_side(lp, lq, y0, ylo)
        if best is None or t1 < best[0] - 1e-12:
            best = (t1, y0, ylo)
    assert best is not None
    return best


def test_llv_search_skips_degenerate_labels() -> None:
    # Labels 0 and 1 have identical unembeddings in both models: sigma(1) = 0 against pivot 0 and
    # vice versa, so a pair with y_0 in {0, 1} is admissible only if it leaves the other one out.
    rng = np.random.default_rng(5)
    G, Gq = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
    G[1], Gq[1] = G[0], Gq[0]
    F = rng.standard_normal((20, 2))
    p, q = SoftmaxModel(F, G), SoftmaxModel(F + 0.3 * rng.standard_normal((20, 2)), Gq)
    admissible = [
        (y0, ylo) for y0 in range(5) for ylo in range(5) if y0 != ylo and (y0 > 1 or ylo == 1 - y0)
    ]  # fmt: skip
    t1, y0, ylo = _naive_best_pair(ell(p), ell(q), admissible)
    res = llv(p, q)
    assert (res.label_pivot, res.left_out) == (y0, ylo)
    assert res.t1 == pytest.approx(t1, rel=1e-10)
    # Forcing the pivot to 0 forces left_out = 1.
    assert llv(p, q, label_pivot=0).left_out == 1


@pytest.mark.parametrize("seed", range(3))
def test_llv_depends_only_on_the_conditionals(seed: int) -> None:
    # Replacing q by a member of its identifiability class leaves every term unchanged.
    p, q = random_pair(seed, N=30, K=6, M=3)
    idc = identifiability(N=30, K=6, M=3, cond=50.0, seed=seed)
    A, c = idc.params["A"], idc.params["c"]
    q2 = SoftmaxModel(q.F @ A.T, q.G @ np.linalg.inv(A) + c)
    r, r2 = llv(p, q), llv(p, q2)
    assert (r.label_pivot, r.left_out, r.input_set) == (r2.label_pivot, r2.left_out, r2.input_set)
    assert (r.t1, r.t2, r.value) == pytest.approx((r2.t1, r2.t2, r2.value), rel=1e-8)


# ---------------------------------------------------------------------------
# d_SVD, d_{f,g}, d_rep
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_svd_similarity_matches_corrcoef_and_is_affine_invariant_per_column(seed: int) -> None:
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((40, 3))
    Zp = Z @ rng.standard_normal((3, 3)) + 0.5 * rng.standard_normal((40, 3))
    m = svd_similarity(Z, Zp)
    assert m == pytest.approx(corr_m_svd(Z, Zp), rel=1e-12)
    assert 0.0 < m < 1.0
    assert svd_dissimilarity(Z, Zp) == pytest.approx(1.0 - m, rel=1e-12)
    scaled = Zp * np.array([3.0, -0.01, 7.0]) + np.array([1.0, -5.0, 100.0])
    assert svd_similarity(Z, scaled) == pytest.approx(m, rel=1e-10)
    assert svd_dissimilarity(Z, Z) == pytest.approx(0.0, abs=1e-15)
    assert 0.0 <= svd_dissimilarity(Z, rng.standard_normal((40, 3))) <= 1.0


@pytest.mark.parametrize("seed", range(3))
def test_fg_matches_brute_force_over_all_subsets(seed: int) -> None:
    p, q = random_pair(seed, N=30, K=6, M=2, noise=0.5)
    res = llv(p, q)
    fg = fg_dissimilarity(p, q, llv_result=res)
    y0, ylo = res.label_pivot, res.left_out
    rest = [y for y in range(6) if y not in (y0, ylo)]
    d_by_subset = {
        S: 1.0 - corr_m_svd(p.F @ (p.G[list(S)] - p.G[y0]).T, q.F @ (q.G[list(S)] - q.G[y0]).T)
        for S in itertools.combinations(rest, 2)
    }
    worst = max(d_by_subset, key=lambda S: d_by_subset[S])
    assert fg.d_svd_f == pytest.approx(d_by_subset[worst], rel=1e-10)
    assert fg.worst_subset == worst
    assert (fg.num_subsets, fg.exhaustive) == (math.comb(4, 2), True)
    x0, xs = res.input_set[0], list(res.input_set[1:])
    d_g = 1.0 - corr_m_svd(p.G @ (p.F[xs] - p.F[x0]).T, q.G @ (q.F[xs] - q.F[x0]).T)
    assert fg.d_svd_g == pytest.approx(d_g, rel=1e-10)
    assert fg.value == max(fg.d_svd_f, fg.d_svd_g)
    # Computing llv inside gives the same result for the same seed and options.
    assert fg_dissimilarity(p, q) == fg


def test_fg_samples_subsets_when_there_are_too_many() -> None:
    p, q = random_pair(1, N=30, K=9, M=3, noise=0.5)
    full = fg_dissimilarity(p, q)
    sampled = fg_dissimilarity(p, q, max_subsets=5)
    assert (full.num_subsets, full.exhaustive) == (math.comb(7, 3), True)
    assert (sampled.num_subsets, sampled.exhaustive) == (5, False)
    assert sampled.d_svd_f <= full.d_svd_f


@pytest.mark.parametrize("seed", range(4))
def test_fg_obeys_theorem_4_6_bound_for_close_models(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = SoftmaxModel(rng.standard_normal((300, 2)) * 2, rng.standard_normal((5, 2)) * 2)
    q = SoftmaxModel(p.F + 1e-3 * rng.standard_normal(p.F.shape), p.G)
    res = llv(p, q)
    assert res.value < 1 / (2 * p.M)  # the bound is informative
    fg = fg_dissimilarity(p, q, llv_result=res)
    assert 0.0 < fg.value <= 2 * p.M * res.value


@pytest.mark.parametrize("seed", range(3))
def test_rep_distance_matches_brute_force(seed: int) -> None:
    p, q = random_pair(seed, N=20, K=5, M=2, noise=0.5)
    pivots, subsets = rep_pivots(5, 2, 13, seed)
    terms = []
    for y0, S in zip(pivots, subsets, strict=True):
        A = np.linalg.inv(p.G[S] - p.G[y0]) @ (q.G[S] - q.G[y0])
        terms.append(np.mean([np.sum((p.F[n] - A @ q.F[n]) ** 2) for n in range(20)]))
    assert rep_distance(p, q, num_samples=13, seed=seed) == pytest.approx(math.sqrt(np.mean(terms)), rel=1e-10)


def test_rep_distance_direction() -> None:
    # q = p with G doubled: A = 2 I maps q into p, so d_rep(p, q) = rms ||f - 2f|| and d_rep(q, p) = rms ||f - f/2||.
    p, _ = random_pair(4, N=20, K=5, M=2)
    q = SoftmaxModel(p.F, 2 * p.G)
    rms = math.sqrt(np.mean(np.sum(p.F**2, axis=1)))
    assert rep_distance(p, q) == pytest.approx(rms, rel=1e-10)
    assert rep_distance(q, p) == pytest.approx(rms / 2, rel=1e-10)


def test_rep_distance_skips_ill_conditioned_subsets() -> None:
    rng = np.random.default_rng(0)
    G = rng.standard_normal((6, 2))
    G[2] = G[1]  # a subset with labels 1 and 2 has a repeated row when the pivot is elsewhere
    G[3] = G[0] + 2 * (G[1] - G[0])  # collinear with labels 0, 1: a singular L_S for S = {1, 3}, y_0 = 0
    p = SoftmaxModel(rng.standard_normal((15, 2)), G)
    q = SoftmaxModel(p.F @ np.array([[2.0, 1.0], [0.0, 1.0]]).T, G @ np.linalg.inv(np.array([[2.0, 1.0], [0.0, 1.0]])))
    pivots, subsets = rep_pivots(6, 2, 100, 0)
    singular = sum(np.linalg.cond(G[S] - G[y0]) > 1e12 for y0, S in zip(pivots, subsets, strict=True))
    assert singular > 0  # the test exercises the skip
    assert rep_distance(p, q) < 1e-10  # skipped, not an inf/NaN average


def near_collinear_pair(seed: int, *, delta: float = 1e-8, cond: float = 1e3) -> tuple[SoftmaxModel, SoftmaxModel]:
    """An exactly equivalent pair whose label 1 lies within ``delta`` of the line through labels 0 and 2 (M = 2).

    ``p`` is the identifiability builder's model with ``g(y_1)`` moved; ``q = (F A^T, G A^{-1} + 1 c^T)``
    with the builder's A (cond(A) = ``cond``) and c. Sampled subsets containing labels 0, 1 and 2 have
    cond(L_S) ~ 1 / delta.
    """
    c = identifiability(N=40, K=6, M=2, cond=cond, seed=seed)
    G = c.p.G.copy()
    d = G[2] - G[0]
    G[1] = G[0] + 0.4 * d + delta * np.array([-d[1], d[0]]) / np.linalg.norm(d)
    A, shift = c.params["A"], c.params["c"]
    return SoftmaxModel(c.p.F, G), SoftmaxModel(c.q.F, G @ np.linalg.inv(A) + shift)


def _rms(F: Arr) -> float:
    return math.sqrt(float(np.mean(np.sum(F**2, axis=1))))


def _rep_old_cutoff(p: SoftmaxModel, q: SoftmaxModel) -> float:
    """d_rep as computed before the fix: only subsets with cond(L_S) or cond(L'_S) > 1e12 skipped."""
    terms = []
    for y0, S in zip(*rep_pivots(p.K, p.M, 100, 0), strict=True):
        L, Lq = p.G[S] - p.G[y0], q.G[S] - q.G[y0]
        if max(np.linalg.cond(L), np.linalg.cond(Lq)) <= 1e12:
            A = np.linalg.solve(L, Lq)
            terms.append(np.mean(np.sum((p.F - q.F @ A.T) ** 2, axis=1)))
    return math.sqrt(float(np.mean(terms)))


@pytest.mark.parametrize("seed", range(3))
def test_rep_distance_vanishes_with_a_near_collinear_label_subset(seed: int) -> None:
    """Regression: a subset with cond(L_S) ~ 1e8 passed the old cut-off (1e12) and, times cond(A) = 1e3, turned
    rounding into d_rep ~ 1e-4..3e-3 on an exactly equivalent pair; the kappa cut-off skips it."""
    p, q = near_collinear_pair(seed)
    assert kl_divergence(p, q) <= 1e-20  # really equivalent
    kappas = [rep_conditioning(p.G, y0, S) for y0, S in zip(*rep_pivots(p.K, p.M, 100, 0), strict=True)]
    assert any(REP_MAX_COND < k <= 1e12 for k in kappas)  # a subset the old cut-off kept and the new one skips
    assert max(_rep_old_cutoff(p, q), _rep_old_cutoff(q, p)) > 1e-6  # the bug, reproduced
    for a, b in ((p, q), (q, p)):
        d = rep_distance(a, b)
        assert 0.0 <= d <= 1e-9, (seed, a is p, d)
        assert d <= 1e-11 * _rms(a.F)  # relative to the size of the embeddings it is measured in
    # a clearly non-equivalent pair with the same geometry still gives a clearly positive distance
    rng = np.random.default_rng(seed)
    q_far = SoftmaxModel(q.F, q.G + 0.1 * rng.standard_normal(q.G.shape) * np.abs(q.G).max())
    assert rep_distance(p, q_far) > 1e-2 * _rms(p.F)
    assert rep_distance(q_far, p) > 1e-2 * _rms(q_far.F)


def test_rep_distance_vanishes_when_two_labels_differ_by_rounding_in_one_dimension() -> None:
    """Found with the fix: for M = 1, cond(L_S) is always 1, yet g(y_1) - g(y_0) can be pure rounding. The old
    cut-off kept it (d_rep 5e-4 and 1.6e-2 on an exactly equivalent pair); kappa = max |g| / |g(y_1) - g(y_0)|
    skips it."""
    rng = np.random.default_rng(0)
    F = rng.standard_normal((20, 1))
    G = rng.standard_normal((5, 1)) + 3.0
    G[1] = G[0] * (1.0 + 1e-12)
    p, q = SoftmaxModel(F, G), SoftmaxModel(30.0 * F, G / 30.0 + 2.5)
    assert kl_divergence(p, q) <= 1e-20
    assert rep_conditioning(G, 0, np.array([1])) > REP_MAX_COND
    assert max(_rep_old_cutoff(p, q), _rep_old_cutoff(q, p)) > 1e-4
    assert rep_distance(p, q) <= 1e-9 and rep_distance(q, p) <= 1e-9


def test_rep_conditioning() -> None:
    G = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    # L_S = [[1, 0], [0, 2]]: cond 2, row norms up to 2, sigma_min 1
    assert rep_conditioning(G, 0, np.array([1, 2])) == pytest.approx(2.0, rel=1e-15)
    # a common shift leaves cond(L_S) but raises max ||g|| / sigma_min
    assert rep_conditioning(G + 1e3, 0, np.array([1, 2])) == pytest.approx(math.hypot(1e3, 1e3 + 2.0), rel=1e-12)
    collinear = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    assert rep_conditioning(collinear, 0, np.array([1, 2])) == math.inf  # singular L_S
    assert REP_MAX_COND == pytest.approx(1e-10 / np.finfo(np.float64).eps)


# ---------------------------------------------------------------------------
# the identifiability class
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("cond", [1.0, 10.0, 1e3])
@pytest.mark.parametrize("seed", range(3))
def test_every_distance_vanishes_on_the_identifiability_class(cond: float, seed: int, cca_available: None) -> None:
    c = identifiability(N=120, K=8, M=3, cond=cond, seed=seed)
    d = model_distances(c.p, c.q)
    for name in ("kl", "kl_reverse", "js", "tv", "hellinger", "chi2", "logit", "d_rep"):
        assert 0.0 <= getattr(d, name) < 1e-6, (name, getattr(d, name))
    assert 0.0 <= d.llv.value < 1e-6
    assert 0.0 <= d.fg.value < 1e-6
    assert d.mcca == pytest.approx(1.0, abs=1e-6)
    assert mcca(c.p.F, c.q.F) == pytest.approx(1.0, abs=1e-6)


def test_model_distances_agrees_with_the_individual_functions(cca_available: None) -> None:
    p, q = random_pair(9, N=40, K=6, M=2, noise=0.7)
    d = model_distances(p, q, seed=3, num_samples=5, max_subsets=4, rep_samples=7, lam=0.5)
    assert isinstance(d, ModelDistances)
    assert d.kl == kl_divergence(p, q) and d.kl_reverse == reverse_kl_divergence(p, q)
    assert (d.js, d.tv, d.hellinger, d.chi2, d.logit) == (
        js_divergence(p, q), tv_distance(p, q), hellinger_distance(p, q), chi2_divergence(p, q), logit_distance(p, q),
    )  # fmt: skip
    r = llv(p, q, seed=3, num_samples=5, lam=0.5)
    assert d.llv == r
    assert d.fg == fg_dissimilarity(p, q, llv_result=r, max_subsets=4, seed=3)
    assert d.d_rep == rep_distance(p, q, num_samples=7, seed=3)
    assert d.mcca == pytest.approx(mcca(p.F, q.F), rel=1e-12)
    out = d.to_dict()
    assert out["llv"]["input_set"] == list(r.input_set)
    assert out["bound"] == 2 * 2 * r.value


def test_integer_arrays_are_converted() -> None:
    F = np.array([[1, 0], [0, 1], [1, 1], [2, -1]])
    G = np.array([[1, 0], [0, 1], [0, 0], [-1, 1]])
    pi, qi = SoftmaxModel(F, G), SoftmaxModel(F[::-1], G)
    pf, qf = SoftmaxModel(F.astype(float), G.astype(float)), SoftmaxModel(F[::-1].astype(float), G.astype(float))
    assert pi.F.dtype == np.float64 and pi.G.dtype == np.float64
    for fn in DISTRIBUTION_DISTANCES.values():
        assert fn(pi, qi) == fn(pf, qf)
    assert llv(pi, qi) == llv(pf, qf)
    Z = np.array([[1, 0], [0, 1], [1, 1], [2, -1], [3, 3]])
    assert svd_similarity(Z, Z[::-1]) == svd_similarity(Z.astype(float), Z[::-1].astype(float))


# ---------------------------------------------------------------------------
# error messages
# ---------------------------------------------------------------------------

ALL_PAIR_FUNCTIONS: dict[str, Callable[..., object]] = {
    **DISTRIBUTION_DISTANCES,
    "llv": llv,
    "llv_distance": llv_distance,
    "fg_dissimilarity": fg_dissimilarity,
    "rep_distance": rep_distance,
    "model_distances": model_distances,
}


def _raises(exc: type[Exception], *fragments: str) -> AbstractContextManager[Any]:
    return pytest.raises(exc, match=".*".join(re.escape(f) for f in fragments))


@pytest.mark.parametrize("name", sorted(ALL_PAIR_FUNCTIONS))
@pytest.mark.parametrize(
    ("shapes", "what"),
    [
        (((10, 2), (5, 2), (11, 2), (5, 2)), "inputs N (rows of F)"),
        (((10, 2), (5, 2), (10, 2), (6, 2)), "labels K (rows of G)"),
        (((10, 2), (5, 2), (10, 3), (5, 3)), "dimension M (columns of F and G)"),
    ],
)
def test_mismatched_models_name_the_function_and_the_shapes(
    name: str, shapes: tuple[tuple[int, int], ...], what: str
) -> None:
    p = SoftmaxModel(np.ones(shapes[0]), np.ones(shapes[1]))
    q = SoftmaxModel(np.ones(shapes[2]), np.ones(shapes[3]))
    with _raises(
        ValueError,
        f"{name}: p and q must have the same number of {what}; got p: F{shapes[0]}, G{shapes[1]} and q: F{shapes[2]}, G{shapes[3]}.",
    ):
        ALL_PAIR_FUNCTIONS[name](p, q)


@pytest.mark.parametrize("name", sorted(ALL_PAIR_FUNCTIONS))
def test_non_models_are_rejected(name: str) -> None:
    p = SoftmaxModel(np.eye(3), np.eye(3))
    with _raises(
        TypeError,
        f"{name}: p and q must be SoftmaxModel instances; got SoftmaxModel and ndarray.",
        "SoftmaxModel(F, G)",
    ):
        ALL_PAIR_FUNCTIONS[name](p, np.eye(3))


@pytest.mark.parametrize(
    ("F", "G", "exc", "fragments"),
    [
        (
            [[1.0, np.nan], [0.0, 1.0]],
            [[1.0, 0.0]],
            ValueError,
            ("F must contain only finite values; got F[0, 1]=nan (1 non-finite entry).",),
        ),
        ([[1.0, 0.0]], [[np.inf, 0.0]], ValueError, ("G must contain only finite values; got G[0, 0]=inf",)),
        ([1.0, 2.0, 3.0], [[1.0]], ValueError, ("F must be a 2-D matrix; got F.shape=(3,).", "F.reshape(-1, 1)")),
        ([[1.0]], np.ones((2, 1, 1)), ValueError, ("G must be a 2-D matrix; got G.shape=(2, 1, 1).",)),
        (
            [[1.0, 0.0]],
            [[1.0, 0.0, 0.0]],
            ValueError,
            ("F and G must have the same number of columns", "F.shape=(1, 2) and G.shape=(1, 3)"),
        ),
        (np.ones((2, 2), dtype=complex), [[1.0, 0.0]], TypeError, ("F must be real-valued; got F.dtype=complex128.",)),
        (
            [[1.0, 0.0]],
            np.array([[1, "a"]], dtype=object),
            TypeError,
            ("G must be a numeric (integer, boolean or floating) array; got G.dtype=object.",),
        ),
    ],
)
def test_model_array_errors(F: object, G: object, exc: type[Exception], fragments: tuple[str, ...]) -> None:
    with _raises(exc, "SoftmaxModel: ", *fragments):
        SoftmaxModel(F, G)  # type: ignore[arg-type]


def test_load_reports_missing_arrays(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    np.savez(path, F=np.eye(3))
    with _raises(
        ValueError,
        "SoftmaxModel.load: the .npz file must contain arrays named 'F'",
        "'G'",
        "missing ['G']",
        "np.savez(path, F=F, G=G)",
    ):
        SoftmaxModel.load(path)
    np.savez(path, G=np.eye(3))
    with _raises(ValueError, "missing ['F']"):
        SoftmaxModel.load(path)
    p, q = random_pair(0)
    p.save(path)
    loaded = SoftmaxModel.load(path)
    assert np.array_equal(loaded.F, p.F) and np.array_equal(loaded.G, p.G)
    assert kl_divergence(loaded, q) == kl_divergence(p, q)


def test_llv_needs_diversity_and_three_labels() -> None:
    with _raises(ValueError, "llv: the diversity condition needs K >= M + 1 labels; got K=3, M=3.", "Use more labels"):
        llv(SoftmaxModel(np.eye(5, 3), np.eye(3)), SoftmaxModel(np.eye(5, 3), np.eye(3)))
    with _raises(ValueError, "llv: the diversity condition needs N >= M + 1 inputs; got N=2, M=2."):
        llv(SoftmaxModel(np.eye(2), np.eye(4, 2)), SoftmaxModel(np.eye(2), np.eye(4, 2)))
    p = SoftmaxModel(np.array([[1.0], [2.0], [3.0]]), np.array([[1.0], [-1.0]]))
    with _raises(
        ValueError, "llv: d_LLV needs K >= 3 labels (a pivot, a left-out label and at least one more); got K=2."
    ):
        llv(p, p)
    with _raises(ValueError, "fg_dissimilarity: the diversity condition needs K >= M + 1 labels; got K=3, M=3."):
        fg_dissimilarity(SoftmaxModel(np.eye(5, 3), np.eye(3)), SoftmaxModel(np.eye(5, 3), np.eye(3)))


def _models_with_constant_label(in_q: bool) -> tuple[SoftmaxModel, SoftmaxModel]:
    rng = np.random.default_rng(1)
    F = rng.standard_normal((12, 2))
    G = rng.standard_normal((5, 2))
    Gc = G.copy()
    Gc[3] = Gc[0]  # label 3's log-odds against label 0 are constant (sigma = 0)
    return (SoftmaxModel(F, G), SoftmaxModel(F, Gc)) if in_q else (SoftmaxModel(F, Gc), SoftmaxModel(F, G))


@pytest.mark.parametrize("in_q", [False, True])
def test_llv_explicit_pivots_with_zero_sigma_name_label_and_model(in_q: bool) -> None:
    p, q = _models_with_constant_label(in_q)
    model = "q" if in_q else "p"
    with _raises(
        DegenerateInputError,
        f"llv: sigma_{model}(y) = sd over inputs of log {model}(y|x) - log {model}(y_0|x) must be positive",
        f"got sigma_{model}(y=3) = ",
        f"in model {model} (label_pivot=0, left_out=1; zero for labels [3]).",
        "Label 3's log-odds against label 0 are constant",
    ):
        llv(p, q, label_pivot=0, left_out=1)
    # Leaving that label out, or searching, is fine.
    assert math.isfinite(llv(p, q, label_pivot=0, left_out=3).value)
    res = llv(p, q)
    if res.label_pivot in (0, 3):  # the search only returns admissible pairs
        assert res.left_out == 3 - res.label_pivot


def test_llv_search_without_admissible_pair() -> None:
    F = np.ones((6, 2))  # every input identical: every log-odds is constant
    p = SoftmaxModel(F, np.random.default_rng(0).standard_normal((4, 2)))
    with _raises(
        DegenerateInputError,
        "llv: d_LLV needs a label pivot y_0 and a left-out label",
        "got no admissible pair among label_pivot in [0, 1, 2, 3], left_out in [0, 1, 2, 3]; zero sigma for (y_0, y) = [(0, 1) in p,",
    ):
        llv(p, p)
    with _raises(DegenerateInputError, "no admissible pair among label_pivot in [2], left_out in [0, 1, 2, 3]"):
        llv(p, p, label_pivot=2)


def test_llv_input_side_degeneracy() -> None:
    rng = np.random.default_rng(3)
    N, M = 8, 1
    tuples = input_tuples(N, M, 100, 0)  # all N // 2 disjoint pairs
    F = np.empty((N, 1))
    for j, (a, b) in enumerate(tuples):
        F[a] = F[b] = j + 1.0  # each candidate pair holds two identical inputs: tau = 0
    p = SoftmaxModel(F, rng.standard_normal((4, 1)))
    with _raises(
        DegenerateInputError,
        "llv: the input set needs inputs x_1..x_M whose log-likelihoods differ from x_0's by more than a constant",
        "got all 4 candidate tuples (num_samples=200, seed=0) degenerate.",
        "Pass input_set explicitly",
    ):
        llv(p, p)
    a, b = (int(i) for i in tuples[0])
    with _raises(
        DegenerateInputError, "llv: tau_p(x_i) = sd over labels", f"for x_i in [{b}] with x_0={a} in model p."
    ):
        llv(p, p, input_set=[a, b])
    other = int(tuples[1][0])
    assert llv(p, p, input_set=[a, other]).value == 0.0


@pytest.mark.parametrize(
    ("kwargs", "exc", "fragments"),
    [
        (
            {"label_pivot": 2, "left_out": 2},
            ValueError,
            ("llv: label_pivot and left_out must be different labels; got label_pivot=2 and left_out=2.",),
        ),
        (
            {"label_pivot": 5},
            ValueError,
            ("llv: label_pivot must be a label index in [0, 4] (5 labels); got label_pivot=5.",),
        ),
        ({"left_out": -1}, ValueError, ("llv: left_out must be >= 0; got left_out=-1.",)),
        ({"label_pivot": 1.0}, TypeError, ("llv: label_pivot must be an integer; got label_pivot=1.0 (float).",)),
        (
            {"input_set": [0, 1, 30]},
            ValueError,
            (
                "llv: every index in input_set must lie in [0, 29] (30 inputs); got input_set=[0, 1, 30] (out of range: [30]).",
            ),
        ),
        (
            {"input_set": [4, 7, 4]},
            ValueError,
            ("llv: the indices in input_set must be distinct; got input_set=[4, 7, 4] (repeated: [4]).",),
        ),
        (
            {"input_set": [0, 1]},
            ValueError,
            ("llv: input_set must have exactly 3 entries; got 2 entries: input_set=[0, 1].",),
        ),
        (
            {"input_set": [0, 1.5, 2]},
            TypeError,
            ("llv: input_set must contain integer indices; got input_set=[0, 1.5, 2].",),
        ),
        ({"input_set": 3}, TypeError, ("llv: input_set must be a sequence of input indices; got input_set=3.",)),
        ({"lam": -1.0}, ValueError, ("llv: lam must lie in [0.0, inf); got lam=-1.0.",)),
        ({"lam": math.nan}, ValueError, ("llv: lam must lie in [0.0, inf); got lam=nan.",)),
        ({"num_samples": 0}, ValueError, ("llv: num_samples must be >= 1; got num_samples=0.",)),
        ({"seed": -3}, ValueError, ("llv: seed must be >= 0; got seed=-3.",)),
    ],
)
def test_llv_option_errors(kwargs: dict[str, object], exc: type[Exception], fragments: tuple[str, ...]) -> None:
    p, q = random_pair(0, N=30, K=5, M=2)
    with _raises(exc, *fragments):
        llv(p, q, **kwargs)  # type: ignore[arg-type]
    with _raises(exc, *(f.replace("llv: ", "llv_distance: ") for f in fragments)):
        llv_distance(p, q, **kwargs)  # type: ignore[arg-type]
    if "input_set" in kwargs:  # an explicit input_set is validated inside model_distances too
        with _raises(exc, *fragments):
            model_distances(p, q, **kwargs)  # type: ignore[arg-type]


def test_fg_option_errors() -> None:
    p, q = random_pair(0, N=30, K=5, M=2)
    res = llv(p, q)
    with _raises(
        TypeError,
        "fg_dissimilarity: options for llv apply only when llv_result is None; got llv_result and ['label_pivot'].",
        "Pass either",
    ):
        fg_dissimilarity(p, q, llv_result=res, label_pivot=1)
    with _raises(TypeError, "fg_dissimilarity: llv_result must be an LLVResult (from llv(p, q)); got dict."):
        fg_dissimilarity(p, q, llv_result=res.to_dict())  # type: ignore[arg-type]
    bad = LLVResult(**{**res.to_dict(), "label_pivot": 9, "input_set": res.input_set})
    with _raises(
        ValueError,
        "fg_dissimilarity: llv_result.label_pivot must be a label index in [0, 4] (5 labels); got llv_result.label_pivot=9.",
    ):
        fg_dissimilarity(p, q, llv_result=bad)
    bad = LLVResult(**{**res.to_dict(), "input_set": (0, 1)})
    with _raises(ValueError, "fg_dissimilarity: llv_result.input_set must have exactly 3 entries"):
        fg_dissimilarity(p, q, llv_result=bad)
    with _raises(ValueError, "fg_dissimilarity: max_subsets must be >= 1; got max_subsets=0."):
        fg_dissimilarity(p, q, max_subsets=0)
    with _raises(ValueError, "llv: num_samples must be >= 1; got num_samples=0."):
        fg_dissimilarity(p, q, num_samples=0)
    with _raises(TypeError, "unexpected keyword argument 'bogus'"):
        fg_dissimilarity(p, q, bogus=1)


def test_rep_distance_errors() -> None:
    p, q = random_pair(0, N=30, K=5, M=2)
    with _raises(ValueError, "rep_distance: num_samples must be >= 1; got num_samples=0."):
        rep_distance(p, q, num_samples=0)
    flat = SoftmaxModel(p.F, np.ones((5, 2)))  # every g(y_i) - g(y_0) is zero
    with _raises(
        DegenerateInputError,
        "rep_distance: d_rep needs label subsets whose differences g(y_i) - g(y_0) are well conditioned "
        "(kappa = max(sigma_max, max ||g||) / sigma_min <= 4.5e+05) in both models; "
        "got all 100 sampled (y_0, S) pairs ill-conditioned (seed=0). "
        "Check that the unembeddings G of both models span M dimensions after removing a common shift, "
        "with differences well above rounding relative to their norms.",
    ):
        rep_distance(p, flat)


@pytest.mark.parametrize("fn", [svd_similarity, svd_dissimilarity])
@pytest.mark.parametrize(
    ("Z", "Zp", "exc", "fragments"),
    [
        (
            np.ones((5, 2)),
            np.ones((4, 2)),
            ValueError,
            ("Z and Zp must have the same shape (n samples x M); got Z.shape=(5, 2) and Zp.shape=(4, 2).",),
        ),
        (
            [[1.0, np.nan], [2.0, 3.0]],
            [[1.0, 2.0], [2.0, 3.0]],
            ValueError,
            ("Z must contain only finite values; got Z[0, 1]=nan",),
        ),
        (
            [[1.0, 2.0], [2.0, 3.0]],
            [[1.0, 2.0], [np.inf, 3.0]],
            ValueError,
            ("Zp must contain only finite values; got Zp[1, 0]=inf",),
        ),
        (
            [1.0, 2.0, 3.0],
            [1.0, 2.0, 3.0],
            ValueError,
            ("Z must be a 2-D matrix; got Z.shape=(3,).", "Z.reshape(-1, 1)"),
        ),
        (np.ones((3, 2, 1)), np.ones((3, 2, 1)), ValueError, ("Z must be a 2-D matrix; got Z.shape=(3, 2, 1).",)),
        ([[1.0, 2.0]], [[1.0, 2.0]], ValueError, ("Z must have at least 2 rows; got Z.shape=(1, 2).",)),
        (
            np.ones((3, 2), dtype=complex),
            np.ones((3, 2)),
            TypeError,
            ("Z must be real-valued; got Z.dtype=complex128.",),
        ),
        (
            np.ones((3, 2)),
            np.array([[1, 2]] * 3, dtype=object),
            TypeError,
            ("Zp must be a numeric (integer, boolean or floating) array; got Zp.dtype=object.",),
        ),
        (
            [[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]],
            [[1.0, 2.0], [2.0, 1.0], [0.0, 3.0]],
            DegenerateInputError,
            (
                "every column of Z must vary (d_SVD standardises the columns); got constant column(s) [1] in Z (shape (3, 2)).",
            ),
        ),
        (
            [[1.0, 2.0], [2.0, 1.0], [0.0, 3.0]],
            [[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]],
            DegenerateInputError,
            ("constant column(s) [0] in Zp",),
        ),
    ],
)
def test_svd_errors(
    fn: Callable[..., float], Z: object, Zp: object, exc: type[Exception], fragments: tuple[str, ...]
) -> None:
    with _raises(exc, f"{fn.__name__}: ", *fragments):
        fn(Z, Zp)


def test_result_types() -> None:
    p, q = random_pair(0)
    r = llv(p, q)
    assert isinstance(r, LLVResult) and all(isinstance(v, float) for v in (r.value, r.t1, r.t2, r.t3, r.t4))
    assert isinstance(r.label_pivot, int) and all(isinstance(i, int) for i in r.input_set)
    fg = fg_dissimilarity(p, q, llv_result=r)
    assert isinstance(fg, FGResult) and all(isinstance(i, int) for i in fg.worst_subset)
    for fn in DISTRIBUTION_DISTANCES.values():
        assert type(fn(p, q)) is float
