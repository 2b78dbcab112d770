"""Tests for the geometry family (metrics/geometry.py, metrics/torch_geometry.py, metrics/records/geometry.py):
numpy reference vs batched torch, exact rank statistics, identities, peers (scipy, rsatoolbox, pyriemann,
the GULP and ReSi formulas), invariances and their counterexamples generated from the records, axioms,
degenerate inputs, messages and gradients."""

from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import torch
from scipy.spatial.distance import pdist, squareform

from metrics import geometry as G
from metrics import representation as R
from metrics import torch_geometry as T
from metrics._spec import MeasureSpec
from metrics._validation import DegenerateInputError, SaturationWarning
from metrics.records import geometry as records

# Tolerances by dtype. float64: the two implementations take different routes (LAPACK drivers,
# Cholesky vs SVD, QR vs eigh for the AIRM); observed gaps ~1e-13 relative. float32: observed
# gaps against the float64 oracle ~1e-5; rank statistics can merge near-ties differently.
TOL64 = 1e-9
TOL32 = 2e-3
INVARIANCE_TOL = 1e-9
REFUTE_MARGIN = 1e-3

# (n, p, q): tall, p != q both ways, square, wide X, both wide, single feature.
SHAPES = [(20, 3, 5), (20, 5, 3), (12, 4, 4), (10, 15, 4), (8, 12, 20), (7, 6, 1)]
GROUPS = ("translation", "isotropic_scaling", "orthogonal", "invertible_linear", "permutation")

SPECS: dict[str, MeasureSpec] = {spec.name: spec for spec in records.RECORDS}


# --------------------------------------------------------------------------- builders


def _pair(seed: int, n: int, p: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Related but not identical representations, with uneven column scales and an offset."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.uniform(1.0, 3.0, p)
    k = min(p, q)
    Y = X[:, :k] @ rng.standard_normal((k, q)) + 0.7 * rng.standard_normal((n, q)) + 1.0
    return X, Y


def _orthogonal(seed: int, d: int) -> np.ndarray:
    """Haar-random orthogonal matrix: QR of a Gaussian with the sign of R's diagonal fixed."""
    rng = np.random.default_rng(seed)
    Q, Rm = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(Rm))


def _invertible(seed: int, d: int, *, cond: float = 10.0) -> np.ndarray:
    """Invertible map U diag(s) V^T with s in [1, cond] (both ends attained when d >= 2)."""
    rng = np.random.default_rng(seed)
    s = np.concatenate([[1.0, cond], rng.uniform(1.0, cond, max(d - 2, 0))])[:d]
    return _orthogonal(seed + 1, d) @ np.diag(s) @ _orthogonal(seed + 2, d)


def _t(A: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.tensor(A, dtype=dtype)


def _quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        return fn(*args, **kwargs)


def _close(ref: float, got: float, tol: float = TOL64) -> bool:
    # distances with a sqrt(eps) floor near 0 (saturated GULP_0): absolute 1e-7 there
    return abs(ref - got) <= tol * max(1.0, abs(ref)) or (abs(ref) < 1e-6 and abs(got) < 1e-6)


# measure id -> (numpy function, torch function): every record, plus the options the records do not cover
def _both(name: str, **kwargs: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    return functools.partial(getattr(G, name), **kwargs), functools.partial(getattr(T, name), **kwargs)


MEASURES: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    **{name: (spec.numpy_fn, spec.torch_fn) for name, spec in SPECS.items()},
    "bures_distance_normalised": _both("bures_distance", normalise=True),
    "riemannian_eps_0.3": _both("riemannian_distance", eps=0.3),
    "gulp_lam_1": _both("gulp_distance", lam=1.0),
    "magnitude_mean_norm": _both("magnitude_difference", kind="mean_norm"),
    "uniformity_t1_raw_distinct": _both("uniformity_difference", t=1.0, normalise=False, include_self=False),
    "eos_uncentred": _both("eigenspace_overlap_score", centre=False),
}


def _agree(name: str, X: np.ndarray, Y: np.ndarray) -> None:
    """numpy and torch agree in float64, or raise the same DegenerateInputError."""
    _agree_fns(*MEASURES[name], X, Y)


def _agree_fns(f: Callable[..., Any], g: Callable[..., Any], X: np.ndarray, Y: np.ndarray) -> None:
    name = getattr(f, "__name__", repr(f))
    try:
        ref = float(_quiet(f, X, Y))
    except DegenerateInputError as exc:
        with pytest.raises(DegenerateInputError, match=re.escape(str(exc))):
            _quiet(g, _t(X), _t(Y))
        return
    out = _quiet(g, _t(X), _t(Y))
    assert out.dtype == torch.float64 and out.shape == ()
    assert _close(ref, float(out)), (name, ref, float(out))


# --------------------------------------------------------------------------- numpy vs torch


@pytest.mark.parametrize("name", list(MEASURES))
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
def test_torch_matches_numpy_float64(name: str, shape: tuple[int, int, int]) -> None:
    for seed in (0, 1):
        _agree(name, *_pair(seed, *shape))


@pytest.mark.parametrize("kind", G.RDM_KINDS)
@pytest.mark.parametrize("compare", G.COMPARISONS)
def test_rsa_every_rdm_and_comparison_agrees(kind: str, compare: str) -> None:
    f = functools.partial(G.rsa, rdm=kind, compare=compare)
    g = functools.partial(T.rsa, rdm=kind, compare=compare)
    for shape in [(15, 4, 6), (9, 12, 3), (6, 2, 2), (7, 3, 1)]:
        for seed in (3, 4):
            _agree_fns(f, g, *_pair(seed, *shape))


@pytest.mark.parametrize("shape", [(6, 5, 7), (5, 9, 4), (8, 7, 7)], ids=str)
def test_exact_riemannian_agrees_when_full_rank(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(4, *shape)
    ref = G.riemannian_distance(X, Y)
    assert _close(ref, float(T.riemannian_distance(_t(X), _t(Y))))


@pytest.mark.parametrize("eps", [1e-6, 1e-2, 1.0])
@pytest.mark.parametrize("shape", [(30, 2, 3), (12, 5, 6), (9, 4, 3)], ids=str)
def test_riemannian_reduced_and_full_routes_agree(eps: float, shape: tuple[int, int, int]) -> None:
    """p + q < n - 1 runs the span[Xc, Yc] route in torch; the numpy oracle always uses all n - 1 dimensions."""
    X, Y = _pair(5, *shape)
    assert _close(G.riemannian_distance(X, Y, eps=eps), float(T.riemannian_distance(_t(X), _t(Y), eps=eps)))


@pytest.mark.parametrize("name", list(MEASURES))
@pytest.mark.parametrize("shape", [(15, 4, 6), (9, 12, 3)], ids=["tall", "wide"])
def test_batched_matches_unbatched_numpy(name: str, shape: tuple[int, int, int]) -> None:
    n, p, q = shape
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3, 2, n, p)) + 1.5
    Y = np.einsum("abnp,pq->abnq", X, rng.standard_normal((p, q))) + rng.standard_normal((3, 2, n, q)) + 1.0
    f, g = MEASURES[name]
    out = _quiet(g, _t(X), _t(Y))
    broadcast = _quiet(g, _t(X[:, :1]), _t(Y[:1, :]))  # (3, 1) with (1, 2) -> (3, 2)
    assert out.shape == (3, 2) and broadcast.shape == (3, 2)
    for a in range(3):
        for b in range(2):
            assert _close(float(_quiet(f, X[a, b], Y[a, b])), float(out[a, b]))
            assert _close(float(_quiet(f, X[a, 0], Y[0, b])), float(broadcast[a, b]))


@pytest.mark.parametrize("name", list(MEASURES))
def test_float32_in_float32_out(name: str) -> None:
    X, Y = _pair(8, 20, 3, 5)
    f, g = MEASURES[name]
    value = _quiet(g, _t(X, torch.float32), _t(Y, torch.float32))
    assert value.dtype == torch.float32 and value.shape == ()
    ref = float(_quiet(f, X, Y))
    assert abs(float(value) - ref) <= TOL32 * max(1.0, abs(ref)), (ref, float(value))


@pytest.mark.parametrize("name", list(MEASURES))
def test_integer_inputs_become_float64(name: str) -> None:
    rng = np.random.default_rng(9)
    X = np.stack([rng.permutation(4) for _ in range(12)]) + rng.integers(0, 3, size=(12, 1))  # no constant row
    Y = np.stack([rng.permutation(3) for _ in range(12)]) * rng.integers(1, 4, size=(12, 1))
    f, g = MEASURES[name]
    ref = float(_quiet(f, X.astype(np.float64), Y.astype(np.float64)))
    assert float(_quiet(f, X, Y)) == ref
    out = _quiet(g, torch.tensor(X), torch.tensor(Y))
    assert out.dtype == torch.float64 and _close(ref, float(out))


def test_torch_rdm_matches_numpy_and_keeps_dtype() -> None:
    X = np.random.default_rng(10).standard_normal((2, 7, 4))
    for kind in G.RDM_KINDS:
        out = T.rdm(_t(X), kind=kind)  # type: ignore[arg-type]
        assert out.shape == (2, 7, 7)
        for b in range(2):
            assert np.allclose(out[b].numpy(), G.rdm(X[b], kind=kind), rtol=1e-12, atol=1e-13)  # type: ignore[arg-type]
        assert T.rdm(_t(X, torch.float32), kind=kind).dtype == torch.float32  # type: ignore[arg-type]


# names whose numpy reference never builds an n x n matrix when p, q << n
FEATURE_SPACE = [
    "rsm_norm_diff",
    "normalised_bures_similarity",
    "bures_distance",
    "magnitude_difference",
    "concentricity_difference",
    "eigenspace_overlap_score",
    "gulp",
    "gulp_lam0",
]


@pytest.mark.parametrize("name", FEATURE_SPACE)
def test_no_n_by_n_matrix_when_p_q_below_n(name: str) -> None:
    """n = 200,000: an n x n float64 matrix would need 320 GB, so any such path fails loudly."""
    rng = np.random.default_rng(11)
    X = rng.standard_normal((200_000, 3)) + 1.0
    Y = X @ rng.standard_normal((3, 4)) + rng.standard_normal((200_000, 4)) + 1.0
    f, g = MEASURES[name]
    assert _close(float(f(X, Y)), float(g(_t(X), _t(Y))))


def test_torch_riemannian_ridge_no_n_by_n_matrix_when_p_plus_q_below_n() -> None:
    rng = np.random.default_rng(12)
    X = rng.standard_normal((200_000, 3))
    Y = X @ rng.standard_normal((3, 2)) + rng.standard_normal((200_000, 2))
    value = float(T.riemannian_distance_ridge(_t(X), _t(Y)))
    assert math.isfinite(value) and value > 0.0


# --------------------------------------------------------------------------- exact rank statistics


def _tau_brute(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Kendall tau-a and tau-b from the definition, O(m^2)."""
    m = a.size
    S = n1 = n2 = 0
    for i in range(m):
        for j in range(i + 1, m):
            sa, sb = np.sign(a[i] - a[j]), np.sign(b[i] - b[j])
            S += int(sa * sb)
            n1 += int(sa == 0)
            n2 += int(sb == 0)
    n0 = m * (m - 1) // 2
    tau_b = S / math.sqrt((n0 - n1) * (n0 - n2)) if (n0 - n1) * (n0 - n2) > 0 else float("nan")
    return S / n0, tau_b


@pytest.mark.parametrize("m", [2, 3, 5, 8, 17, 33, 64])
@pytest.mark.parametrize("levels", [3, 10, 1000], ids=lambda k: f"levels{k}")
def test_kendall_counts_equal_the_definition(m: int, levels: int) -> None:
    """Integer vectors with many ties (3 levels), some (10) or almost none (1000); numpy and batched torch."""
    rng = np.random.default_rng(m * levels)
    A = rng.integers(0, levels, size=(4, m)).astype(np.float64)
    B = (A + rng.integers(-levels // 2 - 1, levels // 2 + 2, size=(4, m))).astype(np.float64)
    got_a = T._kendall(_t(A), _t(B), "kendall_tau_a")
    got_b = T._kendall(_t(A), _t(B), "kendall_tau_b")
    for k in range(4):
        tau_a, tau_b = _tau_brute(A[k], B[k])
        S, n0, n1, n2 = G._kendall_counts(G._tie_codes(A[k]), G._tie_codes(B[k]))
        assert S / n0 == pytest.approx(tau_a, abs=1e-15)
        assert float(got_a[k]) == pytest.approx(tau_a, abs=1e-15)
        if math.isfinite(tau_b):
            assert S / math.sqrt((n0 - n1) * (n0 - n2)) == pytest.approx(tau_b, abs=1e-15)
            assert float(got_b[k]) == pytest.approx(tau_b, abs=1e-15)
            assert float(got_b[k]) == pytest.approx(scipy.stats.kendalltau(A[k], B[k]).statistic, abs=1e-12)


@pytest.mark.parametrize("m", [0, 1, 2, 7, 16, 31, 100])
def test_strict_inversions_equal_the_definition(m: int) -> None:
    rng = np.random.default_rng(m)
    seqs = rng.integers(0, max(m, 1), size=(3, m))
    got_t = T._strict_inversions(torch.tensor(seqs), max(m, 1))
    for k in range(3):
        s = seqs[k]
        brute = sum(int(s[i] > s[j]) for i in range(m) for j in range(i + 1, m))
        assert G._strict_inversions(s, max(m, 1)) == brute
        assert int(got_t[k]) == brute


def test_spearman_uses_average_ranks_like_scipy() -> None:
    rng = np.random.default_rng(13)
    a = rng.integers(0, 6, size=40).astype(np.float64)
    b = a + rng.integers(-3, 4, size=40)
    expected = scipy.stats.spearmanr(a, b).statistic
    assert G._pearson(scipy.stats.rankdata(G._tie_codes(a)), scipy.stats.rankdata(G._tie_codes(b))) == pytest.approx(
        expected, abs=1e-14
    )
    ranks = T._average_ranks(_t(np.stack([a, b])))
    assert np.array_equal(ranks.numpy(), np.stack([scipy.stats.rankdata(a), scipy.stats.rankdata(b)]))


@pytest.mark.parametrize("kind", ["euclidean", "correlation", "cosine"])
def test_rsa_rank_comparisons_equal_scipy_without_near_ties(kind: str) -> None:
    X, Y = _pair(14, 12, 5, 4)
    metric = {"euclidean": "euclidean", "correlation": "correlation", "cosine": "cosine"}[kind]
    a, b = pdist(X, metric), pdist(Y, metric)
    assert G.rsa(X, Y, rdm=kind, compare="spearman") == pytest.approx(scipy.stats.spearmanr(a, b).statistic, abs=1e-12)  # type: ignore[arg-type]
    assert G.rsa(X, Y, rdm=kind, compare="kendall_tau_b") == pytest.approx(  # type: ignore[arg-type]
        scipy.stats.kendalltau(a, b).statistic, abs=1e-12
    )
    assert G.rsa(X, Y, rdm=kind, compare="pearson") == pytest.approx(scipy.stats.pearsonr(a, b).statistic, abs=1e-12)  # type: ignore[arg-type]


def test_kendall_on_exact_ties_grid() -> None:
    """A 3 x 3 grid: many equal distances (ties). tau-a < 1 against itself, tau-b = 1; brute force agrees."""
    grid = np.array([[i, j] for i in range(3) for j in range(3)], dtype=np.float64)
    a = pdist(grid)
    tau_a, tau_b = _tau_brute(a, a)
    assert tau_b == 1.0 and tau_a < 1.0
    assert G.rsa(grid, grid, rdm="euclidean", compare="kendall_tau_a") == pytest.approx(tau_a, abs=1e-15)
    assert G.rsa(grid, grid, rdm="euclidean", compare="kendall_tau_b") == 1.0
    assert float(T.rsa(_t(grid), _t(grid), rdm="euclidean", compare="kendall_tau_a")) == pytest.approx(tau_a, abs=1e-15)


def test_tie_tolerance_makes_ties_survive_a_rotation() -> None:
    """Rotating the grid perturbs equal distances by ulps; ties (hence tau-a) must not depend on it."""
    grid = np.array([[i, j, 0.0] for i in range(3) for j in range(3)], dtype=np.float64)
    rotated = grid @ _orthogonal(15, 3)
    raw = pdist(rotated)
    assert len(np.unique(raw)) > len(np.unique(pdist(grid)))  # rounding broke some exact ties
    base = G.rsa(grid, grid, rdm="euclidean", compare="kendall_tau_a")
    assert G.rsa(rotated, rotated, rdm="euclidean", compare="kendall_tau_a") == base
    assert float(T.rsa(_t(rotated), _t(grid), rdm="euclidean", compare="kendall_tau_a")) == base
    assert G.rsa(rotated, grid, rdm="euclidean", compare="spearman") == pytest.approx(1.0, abs=1e-15)


def test_two_feature_correlation_rdm_is_binary_and_agrees() -> None:
    """With p = 2 every row correlation is +-1: the RDM is 0/2 up to rounding, so ranks are tie groups."""
    X, Y = _pair(16, 10, 2, 5)
    D = G.rdm(X, kind="correlation")
    off = D[np.triu_indices(10, 1)]
    assert np.all(np.minimum(np.abs(off), np.abs(off - 2.0)) < 1e-12)
    for compare in ("spearman", "kendall_tau_a", "kendall_tau_b"):
        ref = G.rsa(X, Y, compare=compare)  # type: ignore[arg-type]
        assert ref == float(T.rsa(_t(X), _t(Y), compare=compare))  # type: ignore[arg-type]
        assert ref == G.rsa(X[:, ::-1], Y, compare=compare)  # type: ignore[arg-type]


def test_rank_comparisons_carry_no_gradient_and_pearson_does() -> None:
    X = torch.tensor(np.random.default_rng(17).standard_normal((8, 3)), requires_grad=True)
    Y = torch.tensor(np.random.default_rng(18).standard_normal((8, 4)))
    for compare in ("spearman", "kendall_tau_a", "kendall_tau_b"):
        assert not T.rsa(X, Y, compare=compare).requires_grad  # type: ignore[arg-type]
    assert T.rsa(X, Y, compare="pearson").requires_grad


# --------------------------------------------------------------------------- RDMs and peers


@pytest.mark.parametrize(("kind", "metric"), [("euclidean", "euclidean"), ("sqeuclidean", "sqeuclidean"), ("correlation", "correlation"), ("cosine", "cosine")])
def test_rdm_equals_scipy_pdist(kind: str, metric: str) -> None:
    X = np.random.default_rng(19).standard_normal((9, 4)) + 0.3
    D = G.rdm(X, kind=kind)  # type: ignore[arg-type]
    assert np.allclose(D, squareform(pdist(X, metric)), rtol=1e-12, atol=1e-14)
    assert np.array_equal(D, D.T) and np.all(np.diag(D) == 0.0)


@pytest.mark.parametrize("shape", [(10, 3, 5), (6, 9, 2)], ids=["tall", "wide"])
def test_rdm_kernel_identity(shape: tuple[int, int, int]) -> None:
    """MEASURES.md identity: the squared-Euclidean RDM is diag(K) 1^T + 1 diag(K)^T - 2 K for K = X X^T."""
    X, _ = _pair(20, *shape)
    for A in (X, X - X.mean(axis=0)):
        K = A @ A.T
        d = np.diag(K)
        expected = d[:, None] + d[None, :] - 2.0 * K
        assert np.allclose(G.rdm(A, kind="sqeuclidean"), expected, rtol=1e-10, atol=1e-10)
        assert np.allclose(T.rdm(_t(A), kind="sqeuclidean").numpy(), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("shape", [(25, 3, 6), (10, 14, 4)], ids=["tall", "wide"])
def test_cosine_cov_of_sqeuclidean_rdms_is_linear_cka(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(21, *shape)
    cka = R.cka_linear(X, Y)
    assert G.rsa(X, Y, rdm="sqeuclidean", compare="cosine_cov") == pytest.approx(cka, abs=1e-12)
    assert G.rsa_sqeuclidean_cosine_cov(X, Y) == pytest.approx(cka, abs=1e-12)
    assert float(T.rsa_sqeuclidean_cosine_cov(_t(X), _t(Y))) == pytest.approx(cka, abs=1e-12)


rsatoolbox_mapping = [
    ("pearson", "corr"),
    ("spearman", "spearman"),
    ("kendall_tau_a", "tau-a"),
    ("kendall_tau_b", "kendall"),
    ("cosine", "cosine"),
    ("cosine_cov", "cosine_cov"),
]


def _rsatoolbox_rdm(X: np.ndarray, method: str) -> Any:
    data = pytest.importorskip("rsatoolbox.data")
    rdm_module = pytest.importorskip("rsatoolbox.rdm")
    return rdm_module.calc_rdm(data.Dataset(X), method=method)


@pytest.mark.parametrize(("ours", "theirs"), rsatoolbox_mapping)
@pytest.mark.parametrize("kind", ["sqeuclidean", "correlation"])
def test_rsa_equals_rsatoolbox(ours: str, theirs: str, kind: str) -> None:
    """rsatoolbox's "euclidean" RDM is the squared distance / p: every comparison ignores the factor."""
    rdm_module = pytest.importorskip("rsatoolbox.rdm")
    X, Y = _pair(22, 11, 4, 6)
    method = "euclidean" if kind == "sqeuclidean" else "correlation"
    rx, ry = _rsatoolbox_rdm(X, method), _rsatoolbox_rdm(Y, method)
    expected = float(rdm_module.compare(rx, ry, method=theirs)[0, 0])
    assert G.rsa(X, Y, rdm=kind, compare=ours) == pytest.approx(expected, abs=1e-10)  # type: ignore[arg-type]
    assert float(T.rsa(_t(X), _t(Y), rdm=kind, compare=ours)) == pytest.approx(expected, abs=1e-10)  # type: ignore[arg-type]
    if kind == "sqeuclidean":
        assert np.allclose(rx.get_vectors()[0] * X.shape[1], pdist(X, "sqeuclidean"), rtol=1e-12)


def test_bures_equals_rsatoolbox() -> None:
    """rsatoolbox's 'bures' (NBS) and 'bures_metric' (squared Bures) act on G = -H D H / 2 = Xc Xc^T / p."""
    rdm_module = pytest.importorskip("rsatoolbox.rdm")
    X, Y = _pair(23, 10, 3, 5)
    rx, ry = _rsatoolbox_rdm(X, "euclidean"), _rsatoolbox_rdm(Y, "euclidean")
    nbs = float(rdm_module.compare(rx, ry, method="bures")[0, 0])
    # rsatoolbox takes eigh-based square roots of singular n x n kernels: ~1e-8 accurate
    assert G.normalised_bures_similarity(X, Y) == pytest.approx(nbs, abs=1e-7)
    metric_sq = float(rdm_module.compare(rx, ry, method="bures_metric")[0, 0])
    n = X.shape[0]
    ours = G.bures_distance(X / math.sqrt(X.shape[1]), Y / math.sqrt(Y.shape[1]))
    assert n * ours**2 == pytest.approx(metric_sq, rel=1e-7)


def test_kendall_tau_a_with_ties_equals_rsatoolbox() -> None:
    """The grid's tied distances: rsatoolbox's tau-a counts them the same way."""
    rdm_module = pytest.importorskip("rsatoolbox.rdm")
    grid = np.array([[i, j] for i in range(3) for j in range(3)], dtype=np.float64)
    other = grid + np.random.default_rng(24).integers(0, 2, size=grid.shape)
    rx, ry = _rsatoolbox_rdm(grid, "euclidean"), _rsatoolbox_rdm(other, "euclidean")
    expected = float(rdm_module.compare(rx, ry, method="tau-a")[0, 0])
    assert G.rsa(grid, other, rdm="sqeuclidean", compare="kendall_tau_a") == pytest.approx(expected, abs=1e-14)


# --------------------------------------------------------------------------- kernel identities and peers


@pytest.mark.parametrize("shape", [(15, 3, 5), (8, 12, 5), (6, 9, 11)], ids=["tall", "wide", "both_wide"])
def test_nbs_is_procrustes_similarity_and_the_kernel_formula(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(25, *shape)
    nbs = G.normalised_bures_similarity(X, Y)
    assert nbs == pytest.approx(R.procrustes_similarity(X, Y), abs=1e-12)
    assert float(T.normalised_bures_similarity(_t(X), _t(Y))) == pytest.approx(nbs, abs=1e-12)
    # the literal n x n formula with principal matrix square roots
    Kx, Ky = ((A - A.mean(0)) @ (A - A.mean(0)).T for A in (X, Y))
    Sx = np.real(scipy.linalg.sqrtm(Kx))
    fidelity = float(np.trace(np.real(scipy.linalg.sqrtm(Sx @ Ky @ Sx))))
    assert nbs == pytest.approx(fidelity / math.sqrt(np.trace(Kx) * np.trace(Ky)), abs=1e-6)  # sqrtm of singular PSD


@pytest.mark.parametrize("shape", [(15, 3, 5), (8, 12, 5)], ids=["tall", "wide"])
def test_bures_distance_identities(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(26, *shape)
    assert G.bures_distance(X, Y, normalise=True) == pytest.approx(R.procrustes_distance(X, Y), abs=1e-12)
    # unnormalised: the RMS residual of the best rotation (pad the narrower input with zero columns)
    d = max(X.shape[1], Y.shape[1])
    Xc, Yc = (np.pad(A - A.mean(0), ((0, 0), (0, d - A.shape[1]))) for A in (X, Y))
    Q, _ = scipy.linalg.orthogonal_procrustes(Xc, Yc)
    expected = float(np.linalg.norm(Xc @ Q - Yc)) / math.sqrt(X.shape[0])
    assert G.bures_distance(X, Y) == pytest.approx(expected, rel=1e-10)


def test_bures_distance_of_a_constant_input_is_defined() -> None:
    X, _ = _pair(27, 9, 3, 3)
    const = np.full((9, 2), 4.0)
    expected = float(np.linalg.norm(X - X.mean(0))) / 3.0
    assert G.bures_distance(X, const) == pytest.approx(expected, rel=1e-12)
    assert float(T.bures_distance(_t(X), _t(const))) == pytest.approx(expected, rel=1e-12)
    assert G.bures_distance(const, const) == 0.0


def _bures_trace_formula(X: np.ndarray, Y: np.ndarray) -> float:
    """The textbook ``sqrt((tr K + tr L - 2 ||Xc^T Yc||_*) / n)``: exact in theory, cancels near 0."""
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    sq = np.linalg.norm(Xc) ** 2 + np.linalg.norm(Yc) ** 2 - 2.0 * np.linalg.norm(Xc.T @ Yc, "nuc")
    return float(np.sqrt(max(sq, 0.0) / X.shape[0]))


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
@pytest.mark.parametrize("offset", [0.0, 2.0, 1e3])
@pytest.mark.parametrize("shape", [(10, 3), (6, 9)], ids=["tall", "wide"])
def test_bures_distance_to_itself_is_zero_at_every_scale(scale: float, offset: float, shape: tuple[int, int]) -> None:
    """Regression: the trace formula gave bures_distance(X, X) = 1.8e-7 at scale 1 (seed 33; torch 1.7e-7 at
    seed 60), above the identity axiom's 1e-7; the residual ``||Xc Q - Yc||_F`` at the optimal rotation is 0
    up to a few ulps of the scale (~2e-14 at scale 1)."""
    for seed in (33, 60, 0, 1):
        rng = np.random.default_rng(seed)
        X = scale * (rng.standard_normal(shape) * np.linspace(1, 5, shape[1]) + offset)
        assert G.bures_distance(X, X) <= 1e-12 * scale, seed
        assert float(T.bures_distance(_t(X), _t(X))) <= 1e-12 * scale, seed
        assert G.bures_distance(X, X, normalise=True) <= 1e-12, seed
        assert float(T.bures_distance(_t(X), _t(X), normalise=True)) <= 1e-12, seed
        # The same kernel, rotated and shifted: rounding X @ Q perturbs it by ~eps * |offset| (observed
        # up to 6e-13 * scale at offset 1e3), inherent in the data, hence the (1 + offset) allowance.
        rot = X @ _orthogonal(seed, shape[1]) + 7.0 * scale
        tol = 1e-12 * (1.0 + offset)
        assert G.bures_distance(X, rot) <= tol * scale, seed
        assert float(T.bures_distance(_t(X), _t(rot))) <= tol * scale, seed
        assert G.bures_distance(X, rot, normalise=True) <= tol, seed
        assert float(T.bures_distance(_t(X), _t(rot), normalise=True)) <= tol, seed


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", range(3))
def test_bures_distance_agrees_with_the_trace_formula_away_from_zero(shape: tuple[int, int, int], seed: int) -> None:
    X, Y = _pair(200 + seed, *shape)
    expected = _bures_trace_formula(X, Y)
    assert expected > 0.1  # far from 0, where the trace formula is accurate to ~eps / d
    assert G.bures_distance(X, Y) == pytest.approx(expected, rel=1e-12)
    assert float(T.bures_distance(_t(X), _t(Y))) == pytest.approx(expected, rel=1e-12)
    normalised = math.sqrt(2.0 - 2.0 * G.normalised_bures_similarity(X, Y))
    assert G.bures_distance(X, Y, normalise=True) == pytest.approx(normalised, rel=1e-12)
    assert float(T.bures_distance(_t(X), _t(Y), normalise=True)) == pytest.approx(normalised, rel=1e-12)
    assert G.bures_distance(Y, X) == pytest.approx(G.bures_distance(X, Y), rel=1e-12)  # symmetric


def test_rsm_norm_diff_equals_the_n_by_n_definition() -> None:
    X, Y = _pair(28, 14, 3, 5)

    def rsm(A: np.ndarray) -> np.ndarray:
        Ac = A - A.mean(0)
        Ac = Ac / np.linalg.norm(Ac)
        return Ac @ Ac.T

    assert G.rsm_norm_diff(X, Y) == pytest.approx(float(np.linalg.norm(rsm(X) - rsm(Y))), rel=1e-10)


def _helmert_gram(A: np.ndarray, eps: float) -> np.ndarray:
    n = A.shape[0]
    Z = G._helmert_basis(n).T @ (A - A.mean(0))
    Gm = Z @ Z.T / A.shape[1]
    return Gm + eps * np.trace(Gm) / (n - 1) * np.eye(n - 1)


def test_helmert_basis_and_coordinates() -> None:
    H = G._helmert_basis(7)
    assert np.allclose(H.T @ H, np.eye(6), atol=1e-14) and np.allclose(H.T @ np.ones(7), 0.0, atol=1e-14)
    A = np.random.default_rng(29).standard_normal((2, 7, 3))
    assert np.allclose(T._helmert_coordinates(_t(A)).numpy(), np.einsum("nk,bnp->bkp", H, A), atol=1e-13)


@pytest.mark.parametrize(("shape", "eps"), [((6, 5, 7), 0.0), ((10, 3, 4), 0.05), ((7, 8, 2), 1.0)], ids=str)
def test_riemannian_equals_pyriemann_and_logm(shape: tuple[int, int, int], eps: float) -> None:
    distance = pytest.importorskip("pyriemann.geometry.distance")
    X, Y = _pair(30, *shape)
    A, B = _helmert_gram(X, eps), _helmert_gram(Y, eps)
    ours = G.riemannian_distance(X, Y, eps=eps)
    assert ours == pytest.approx(float(distance.distance_riemann(A, B)), rel=1e-9)
    Ai = np.real(scipy.linalg.inv(scipy.linalg.sqrtm(A)))
    assert ours == pytest.approx(float(np.linalg.norm(np.real(scipy.linalg.logm(Ai @ B @ Ai)))), rel=1e-8)


@pytest.mark.parametrize(("shape", "eps"), [((12, 2, 3), 1e-6), ((9, 3, 2), 1e-3), ((6, 5, 7), 0.0)], ids=str)
def test_riemannian_equals_a_40_digit_reference(shape: tuple[int, int, int], eps: float) -> None:
    """Small ridges make A ill-conditioned (cond ~ 1/eps): an eigendecomposition of A loses ~1e-6 at eps = 1e-6."""
    mpmath = pytest.importorskip("mpmath")
    X, Y = _pair(54, *shape)
    n = X.shape[0]
    with mpmath.workdps(40):

        def gram(A: np.ndarray) -> Any:
            Ac = A - A.mean(axis=0)  # float64 centring (exact enough), the rest in 40 digits
            H = mpmath.matrix(G._helmert_basis(n).tolist())
            Z = H.T * mpmath.matrix(Ac.tolist())
            Gm = Z * Z.T / A.shape[1]
            trace = sum(Gm[i, i] for i in range(n - 1))
            return Gm + eps * trace / (n - 1) * mpmath.eye(n - 1)

        L = mpmath.cholesky(gram(X))
        Li = L**-1
        lam = mpmath.eigsy(Li * gram(Y) * Li.T, eigvals_only=True)
        expected = float(mpmath.sqrt(sum(mpmath.log(v) ** 2 for v in lam)))
    assert G.riemannian_distance(X, Y, eps=eps) == pytest.approx(expected, rel=1e-10)
    assert float(T.riemannian_distance(_t(X), _t(Y), eps=eps)) == pytest.approx(expected, rel=1e-10)


def test_riemannian_of_a_scaled_input_is_sqrt_n_minus_1_log_c_squared() -> None:
    X, _ = _pair(31, 6, 7, 7)
    for c in (0.5, 3.0, -2.0):
        expected = math.sqrt(5) * abs(math.log(c * c))
        assert G.riemannian_distance(X, c * X) == pytest.approx(expected, rel=1e-10)
        assert float(T.riemannian_distance(_t(X), _t(c * X))) == pytest.approx(expected, rel=1e-10)


def _gulp_reference_squared(X: np.ndarray, Y: np.ndarray, lam: float) -> float:
    """GULP's closed form as its reference code evaluates it (features x samples, eigh of A A^T)."""

    def prep(M: np.ndarray) -> np.ndarray:
        n = M.shape[0]
        A = (M - M.mean(0)).T
        return math.sqrt(n) * A / np.linalg.norm(A)

    A, B = prep(X), prep(Y)
    n = A.shape[1]
    ea, va = np.linalg.eigh(A @ A.T)
    eb, vb = np.linalg.eigh(B @ B.T)
    ea, eb = np.maximum(ea, 0.0) / n, np.maximum(eb, 0.0) / n
    inv_a, inv_b = 1.0 / (ea + lam), 1.0 / (eb + lam)
    t1, t2 = np.sum((ea * inv_a) ** 2), np.sum((eb * inv_b) ** 2)
    cov = A @ B.T / n
    Ra, Rb = va @ np.diag(inv_a) @ va.T, vb @ np.diag(inv_b) @ vb.T
    t3 = np.trace(Ra @ cov @ Rb @ cov.T)
    return float(t1 + t2 - 2.0 * t3)


@pytest.mark.parametrize("lam", [1e-3, 1e-2, 1.0, 100.0])
@pytest.mark.parametrize("shape", [(30, 3, 5), (12, 4, 4)], ids=["p<q", "p=q"])
def test_gulp_equals_the_reference_formula(lam: float, shape: tuple[int, int, int]) -> None:
    X, Y = _pair(32, *shape)
    expected = _gulp_reference_squared(X, Y, lam)
    assert G.gulp_distance(X, Y, lam=lam) ** 2 == pytest.approx(expected, rel=1e-9, abs=1e-13)


def test_gulp_lam0_is_the_cca_projector_distance_and_the_small_lam_limit() -> None:
    X, Y = _pair(33, 40, 3, 5)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    Sxx, Syy, Sxy = Xc.T @ Xc, Yc.T @ Yc, Xc.T @ Yc
    rho_sq = np.linalg.eigvals(np.linalg.solve(Sxx, Sxy) @ np.linalg.solve(Syy, Sxy.T)).real
    expected = math.sqrt(3 + 5 - 2.0 * float(np.sum(rho_sq)))
    assert G.gulp_distance_lam0(X, Y) == pytest.approx(expected, rel=1e-10)
    assert G.gulp_distance(X, Y, lam=1e-9) == pytest.approx(expected, rel=1e-6)
    # and EOS = sum rho^2 / max rank
    assert G.eigenspace_overlap_score(X, Y) == pytest.approx(float(np.sum(rho_sq)) / 5, rel=1e-10)


def test_eos_uncentred_equals_may_et_al() -> None:
    X, Y = _pair(34, 25, 4, 6)
    Ux = np.linalg.svd(X, full_matrices=False)[0]
    Uy = np.linalg.svd(Y, full_matrices=False)[0]
    expected = float(np.linalg.norm(Ux.T @ Uy) ** 2) / 6
    assert G.eigenspace_overlap_score(X, Y, centre=False) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- statistics and peers


def test_statistics_equal_the_resi_formulas() -> None:
    """ReSi's magnitude, concentricity and uniformity differences, rewritten with numpy/scipy."""
    X, Y = _pair(35, 15, 4, 3)
    magnitude = abs(float(np.linalg.norm(X.mean(axis=0)) - np.linalg.norm(Y.mean(axis=0))))
    assert G.magnitude_difference(X, Y) == pytest.approx(magnitude, rel=1e-13)

    def concentricity(A: np.ndarray) -> float:
        return float((1.0 - scipy.spatial.distance.cdist(A, A.mean(axis=0, keepdims=True), metric="cosine")).mean())

    assert G.concentricity_difference(X, Y) == pytest.approx(abs(concentricity(X) - concentricity(Y)), rel=1e-12)

    def uniformity(A: np.ndarray, t: float = 2.0) -> float:
        D = squareform(pdist(A, metric="sqeuclidean"))
        return float(np.log(np.exp(-t * D).sum() / A.shape[0] ** 2))

    Xs, Ys = 0.3 * X, 0.3 * Y  # small enough that ReSi's direct exp does not underflow
    assert G.uniformity_difference_resi(Xs, Ys) == pytest.approx(abs(uniformity(Xs) - uniformity(Ys)), rel=1e-10)


def test_uniformity_equals_wang_isola() -> None:
    """Wang and Isola's code: ``torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()`` on unit rows."""
    X, Y = _pair(36, 12, 5, 3)

    def wang_isola(A: np.ndarray, t: float = 2.0) -> float:
        z = torch.nn.functional.normalize(_t(A), dim=1)
        return float(torch.pdist(z, p=2).pow(2).mul(-t).exp().mean().log())

    assert G.uniformity_difference(X, Y) == pytest.approx(abs(wang_isola(X) - wang_isola(Y)), rel=1e-10)


def test_uniformity_never_underflows() -> None:
    """Raw rows 100 apart: exp(-2 * 1e4) underflows to 0, logsumexp does not."""
    X = np.array([[0.0], [100.0], [200.0]])
    value = G.uniformity_difference(X, X / 100.0, normalise=False)
    assert math.isfinite(value) and value > 1e3
    assert float(T.uniformity_difference(_t(X), _t(X / 100.0), normalise=False)) == pytest.approx(value, rel=1e-12)


def test_magnitude_and_concentricity_allow_different_widths() -> None:
    X, Y = _pair(37, 10, 2, 7)
    for f, g in (MEASURES["magnitude_difference"], MEASURES["concentricity_difference"]):
        assert _close(f(X, Y), float(g(_t(X), _t(Y))))


def test_concentricity_can_be_negative() -> None:
    X = np.array([[100.0, 0.0], [-1.0, 0.0], [-1.0, 0.0]])
    assert G._concentricity("f", "X", X) == pytest.approx(-1.0 / 3.0, abs=1e-15)


# --------------------------------------------------------------------------- invariances from the records


def _transform(group: str, A: np.ndarray, seed: int, *, negative: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = A.shape[1]
    if group == "translation":
        return A + rng.normal(0.0, 3.0, d)
    if group == "isotropic_scaling":
        return (-1.7 if negative else 2.5) * A
    if group == "orthogonal":
        return A @ _orthogonal(seed, d)
    if group == "permutation":
        return A[:, rng.permutation(d)]
    if group == "invertible_linear":
        return A @ _invertible(seed, d)
    raise AssertionError(group)


HOLDS = [(name, g) for name, spec in SPECS.items() for g, v in spec.invariances.as_dict().items() if v is True]
FAILS = [(name, g) for name, spec in SPECS.items() for g, v in spec.invariances.as_dict().items() if v is False]


@pytest.mark.parametrize(("name", "group"), HOLDS)
def test_declared_invariance_holds(name: str, group: str) -> None:
    spec = SPECS[name]
    f = spec.numpy_fn
    for seed in (0, 1):
        X, Y = _pair(seed, 14, 4, 3)
        base = float(_quiet(f, X, Y))
        for negative in (False, True) if group == "isotropic_scaling" else (False,):
            TX = _transform(group, X, seed + 100, negative=negative)
            TY = _transform(group, Y, seed + 200, negative=negative)
            assert abs(float(_quiet(f, TX, Y)) - base) <= INVARIANCE_TOL * max(1.0, abs(base)), (name, group)
            assert abs(float(_quiet(f, X, TY)) - base) <= INVARIANCE_TOL * max(1.0, abs(base)), (name, group)
            assert abs(float(_quiet(f, TX, TY)) - base) <= INVARIANCE_TOL * max(1.0, abs(base)), (name, group)
            got = float(_quiet(spec.torch_fn, _t(TX), _t(TY)))
            assert abs(got - base) <= INVARIANCE_TOL * max(1.0, abs(base)), (name, group, "torch")


@pytest.mark.parametrize(("name", "group"), FAILS)
def test_declared_non_invariance_is_refuted(name: str, group: str) -> None:
    """A concrete counterexample: one of three seeded transforms of X moves the value by at least 1e-3.

    (A single transform can leave a rank statistic unchanged by coincidence: seed 100 maps the cosine RDM
    of this X to one with the same Kendall tau-a against Y.)
    """
    f = SPECS[name].numpy_fn
    X, Y = _pair(0, 14, 4, 3)
    base = float(_quiet(f, X, Y))
    moves = [abs(float(_quiet(f, _transform(group, X, seed), Y)) - base) for seed in (100, 101, 102)]
    assert max(moves) >= REFUTE_MARGIN, (name, group, base, moves)


def test_every_invariance_is_declared_and_exercised() -> None:
    assert len(HOLDS) + len(FAILS) == 5 * len(SPECS)
    assert {name for name, _ in FAILS} == set(SPECS) - {"eigenspace_overlap_score", "gulp_lam0"}


# documented invariances of the options (not registry entries)
OPTION_INVARIANCES = {
    "bures_distance_normalised": {"translation": True, "isotropic_scaling": True, "orthogonal": True, "invertible_linear": False, "permutation": True},
    "gulp_lam_1": {"translation": True, "isotropic_scaling": True, "orthogonal": True, "invertible_linear": False, "permutation": True},
    "magnitude_mean_norm": {"translation": False, "isotropic_scaling": False, "orthogonal": True, "invertible_linear": False, "permutation": True},
    "uniformity_t1_raw_distinct": {"translation": True, "isotropic_scaling": False, "orthogonal": True, "invertible_linear": False, "permutation": True},
    "eos_uncentred": {"translation": False, "isotropic_scaling": True, "orthogonal": True, "invertible_linear": True, "permutation": True},
    "riemannian_eps_0.3": {"translation": True, "isotropic_scaling": False, "orthogonal": True, "invertible_linear": False, "permutation": True},
}


@pytest.mark.parametrize("name", list(OPTION_INVARIANCES))
def test_option_invariances(name: str) -> None:
    f = MEASURES[name][0]
    X, Y = _pair(2, 14, 4, 3)
    base = float(_quiet(f, X, Y))
    for group, holds in OPTION_INVARIANCES[name].items():
        moved = float(_quiet(f, _transform(group, X, 300), Y))
        if holds:
            assert abs(moved - base) <= INVARIANCE_TOL * max(1.0, abs(base)), (name, group)
        else:
            assert abs(moved - base) >= REFUTE_MARGIN, (name, group)


def test_rsa_invariance_table_in_the_docstring_matches_the_records() -> None:
    doc = G.rsa.__doc__ or ""
    table = {
        "euclidean": SPECS["rsa_euclidean_pearson"].invariances,
        "correlation": SPECS["rsa_correlation_pearson"].invariances,
        "cosine": SPECS["rsa_cosine_kendall_tau_a"].invariances,
    }
    rows = {
        "translation": "translation (``X + 1 b^T``)",
        "isotropic_scaling": "isotropic scaling (``c X``, ``c != 0``)",
        "orthogonal": "orthogonal (``X Q``)",
        "invertible_linear": "invertible linear (``X A``)",
        "permutation": "feature permutation (``X P``)",
    }
    for group, label in rows.items():
        line = next(line for line in doc.splitlines() if line.strip().startswith(label))
        words = line.split()[-3:]
        assert words == [str(getattr(table[k], group)) for k in ("euclidean", "correlation", "cosine")], group


#: record -> the numpy function whose docstring holds its invariance table (the default options)
TABLE_SOURCES = {
    "rsm_norm_diff": G.rsm_norm_diff,
    "normalised_bures_similarity": G.normalised_bures_similarity,
    "bures_distance": G.bures_distance,
    "riemannian_ridge": G.riemannian_distance,
    "magnitude_difference": G.magnitude_difference,
    "concentricity_difference": G.concentricity_difference,
    "uniformity_difference": G.uniformity_difference,
    "eigenspace_overlap_score": G.eigenspace_overlap_score,
    "gulp": G.gulp_distance,
}
TABLE_LABELS = {
    "translation": "translation (``X + 1 b^T``)",
    "isotropic_scaling": "isotropic scaling (``c X``, ``c != 0``)",
    "orthogonal": "orthogonal (``X Q``, ``Q^T Q = I``)",
    "invertible_linear": "invertible linear (``X A``, ``A`` p x p)",
    "permutation": "feature permutation (``X P``)",
}


@pytest.mark.parametrize("name", list(TABLE_SOURCES))
def test_docstring_invariance_tables_match_the_records(name: str) -> None:
    lines = (TABLE_SOURCES[name].__doc__ or "").splitlines()
    for group, label in TABLE_LABELS.items():
        row = next(line for line in lines if line.strip().startswith(label))
        assert row.split()[-1] == str(getattr(SPECS[name].invariances, group)), (name, group)


# --------------------------------------------------------------------------- axioms from the records


@pytest.mark.parametrize("name", list(SPECS))
def test_declared_axioms(name: str) -> None:
    spec = SPECS[name]
    f = spec.numpy_fn
    X, Y = _pair(38, 12, 4, 3)
    _, Z = _pair(39, 12, 4, 5)
    value = float(_quiet(f, X, Y))
    low, high = spec.value_range
    assert low <= value <= high
    assert abs(float(_quiet(f, Y, X)) - value) <= 1e-12 * max(1.0, abs(value))  # every geometry measure is symmetric
    assert spec.axioms.symmetry
    same = float(_quiet(f, X, X))
    top = 0.0 if spec.kind == "distance" else 1.0
    if spec.axioms.identity:
        assert abs(same - top) <= 1e-7, (name, same)  # sqrt(eps) floor of the distances near 0
    if spec.axioms.nonnegativity:
        assert value >= 0.0
    if spec.axioms.triangle:
        assert spec.kind == "distance"
        for A, B, C in ((X, Y, Z), (Y, Z, X), (Z, X, Y)):
            assert float(_quiet(f, A, C)) <= float(_quiet(f, A, B)) + float(_quiet(f, B, C)) + 1e-12


def test_refuted_axioms_have_counterexamples() -> None:
    # identity of rsa_cosine_kendall_tau_a: cosine distances 1, 2, 1 (a tie) score 2/3 against themselves
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    assert G.rsa_cosine_kendall_tau_a(X, X) == pytest.approx(2.0 / 3.0, abs=1e-15)
    assert not SPECS["rsa_cosine_kendall_tau_a"].axioms.identity
    # nonnegativity of the correlation-type scores: unrelated random representations score below 0 somewhere
    for name, spec in SPECS.items():
        if not spec.axioms.nonnegativity:
            rng = np.random.default_rng(53)
            values = [float(spec.numpy_fn(rng.standard_normal((6, 3)), rng.standard_normal((6, 3)))) for _ in range(20)]
            assert min(values) < -0.05, name


# --------------------------------------------------------------------------- saturation


def test_eos_and_gulp0_warn_on_saturation() -> None:
    rng = np.random.default_rng(40)
    X, Y = rng.standard_normal((10, 9)), rng.standard_normal((10, 3))
    expected = (
        "{f}: X and Y must satisfy rank(X) + rank(Y) <= n - 1 for their column spaces to overlap only through "
        "the data (it fails whenever p or q reaches n); got rank(X)=9, rank(Y)=3, n=10 (X.shape=(10, 9), "
        "Y.shape=(10, 3)): the column spaces share at least 3 directions by construction. Reduce the features "
        "first (e.g. PCA) or use more samples."
    )
    for f in ("eigenspace_overlap_score", "gulp_distance_lam0"):
        with pytest.warns(SaturationWarning, match="^" + re.escape(expected.format(f=f)) + "$"):
            getattr(G, f)(X, Y)
        with pytest.warns(SaturationWarning, match="^" + re.escape(expected.format(f=f)) + "$"):
            getattr(T, f)(_t(X), _t(Y))
    # noise saturates: the centred X spans the whole centred space, so it contains Y's 3 directions
    assert _quiet(G.eigenspace_overlap_score, X, Y) == pytest.approx(3.0 / 9.0, abs=1e-12)
    assert _quiet(G.gulp_distance_lam0, X, Y) == pytest.approx(math.sqrt(9 + 3 - 2 * 3), abs=1e-7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        G.gulp_distance(X, Y)  # the ridge version does not warn
        G.eigenspace_overlap_score(X[:, :4], Y)


# --------------------------------------------------------------------------- degenerate inputs


def _raises_same(name: str, X: np.ndarray, Y: np.ndarray, message: str, **kwargs: Any) -> None:
    with pytest.raises(DegenerateInputError, match="^" + re.escape(message) + "$"):
        getattr(G, name)(X, Y, **kwargs)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(message) + "$"):
        getattr(T, name)(_t(X), _t(Y), **kwargs)


def test_correlation_rdm_rejects_constant_rows() -> None:
    X, Y = _pair(41, 6, 3, 2)
    X[2] = 1.5
    _raises_same(
        "rsa_correlation_pearson",
        X,
        Y,
        "rsa_correlation_pearson: every row of X must vary across its columns for a correlation RDM (the correlation "
        "with a constant row is 0/0); got row 2 of X constant (1 such rows; X.shape=(6, 3)). Drop constant rows, "
        "or use an RDM of kind 'euclidean' (p = 1 makes every row constant).",
    )


def test_cosine_rdm_rejects_zero_rows() -> None:
    X, Y = _pair(42, 6, 3, 2)
    Y[4] = 0.0
    _raises_same(
        "rsa_cosine_kendall_tau_a",
        X,
        Y,
        "rsa_cosine_kendall_tau_a: every row of Y must be nonzero for a cosine RDM (the cosine with a zero row is "
        "0/0); got row 4 of Y zero (1 such rows; Y.shape=(6, 2)). Drop all-zero rows, or use an RDM of kind "
        "'euclidean'.",
    )


@pytest.mark.parametrize("compare", ["pearson", "spearman", "kendall_tau_b"])
def test_constant_rdm_raises_for_correlations(compare: str) -> None:
    """An equilateral triangle: three distances equal up to rounding count as a constant RDM."""
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, math.sqrt(3.0) / 2.0]])
    Y = np.array([[0.0], [1.0], [3.0]])
    message = (
        f"rsa: the RDM of X must not be constant for compare={compare!r} (the comparison would be 0/0); got all 3 "
        "entries of the RDM of X equal to 1 up to the tie tolerance (X.shape=(3, 2)). A constant RDM carries no "
        "ordering; compare='kendall_tau_a' scores it 0."
    )
    _raises_same("rsa", X, Y, message, rdm="euclidean", compare=compare)
    assert G.rsa(X, Y, rdm="euclidean", compare="kendall_tau_a") == 0.0
    assert float(T.rsa(_t(X), _t(Y), rdm="euclidean", compare="kendall_tau_a")) == 0.0


@pytest.mark.parametrize("compare", ["cosine", "cosine_cov"])
def test_zero_rdm_raises_for_cosines(compare: str) -> None:
    X, Y = np.ones((4, 2)), np.arange(8.0).reshape(4, 2) ** 2
    message = (
        f"rsa: the RDM of X must not be zero for compare={compare!r} (the cosine would be 0/0); got a zero RDM for X: "
        "every pair of rows at dissimilarity 0 (X.shape=(4, 2)). Drop constant representations before comparing them."
    )
    _raises_same("rsa", X, Y, message, rdm="euclidean", compare=compare)


def test_torch_rsa_degenerate_checked_per_batch_element() -> None:
    rng = np.random.default_rng(43)
    X = rng.standard_normal((2, 3, 5, 4))
    X[1, 2] = 7.0
    with pytest.raises(DegenerateInputError, match=re.escape("got a zero RDM for X[1, 2]: every pair of rows at dissimilarity 0 (1 such matrices in the batch) (X.shape=(2, 3, 5, 4))")):
        T.rsa(_t(X), _t(rng.standard_normal((5, 2))), rdm="euclidean", compare="cosine")
    with pytest.raises(DegenerateInputError, match=re.escape("got row 0 of X[1, 2] constant (5 such rows; X.shape=(2, 3, 5, 4))")):
        T.rsa(_t(X), _t(rng.standard_normal((5, 2))))


NORMALISED = ["rsm_norm_diff", "normalised_bures_similarity", "gulp_distance", "gulp_distance_lam0", "eigenspace_overlap_score"]


@pytest.mark.parametrize("name", NORMALISED)
@pytest.mark.parametrize("which", ["X", "Y"])
def test_constant_input_raises_for_normalised_measures(name: str, which: str) -> None:
    good, bad = np.random.default_rng(44).standard_normal((6, 3)), np.full((6, 3), 0.25)
    X, Y = (bad, good) if which == "X" else (good, bad)
    message = (
        f"{name}: {which} must have at least one non-constant column (a constant {which} is the zero matrix once "
        f"centred, and the score would be 0/0); got every column of {which} constant ({which}.shape=(6, 3)). "
        "Drop constant representations before comparing them."
    )
    _raises_same(name, X, Y, message)


def test_riemannian_rank_deficient_without_eps_raises() -> None:
    X, Y = _pair(45, 8, 3, 9)
    message = (
        "riemannian_distance: the centred X must have rank n - 1 for its Gram matrix to be positive definite on the "
        "centred subspace (so it needs p >= n - 1 features), or eps must be > 0; got rank(X)=3, n=8 "
        "(X.shape=(8, 3)). Pass eps > 0 (a ridge relative to the mean eigenvalue, e.g. eps=1e-2)."
    )
    _raises_same("riemannian_distance", X, Y, message)
    assert math.isfinite(G.riemannian_distance(X, Y, eps=1e-2))
    # collinear stimuli: p is large enough but the rank is not
    W = np.vstack([Y[:7], Y[6:7] * 1.0])  # a repeated stimulus: rank 6 < n - 1 = 7 once centred
    with pytest.raises(DegenerateInputError, match=re.escape("got rank(X)=6, n=8")):
        G.riemannian_distance(W, Y)
    with pytest.raises(DegenerateInputError, match=re.escape("got rank(X[1])=6 (1 such matrices in the batch), n=8")):
        T.riemannian_distance(_t(np.stack([Y, W])), _t(Y))


def test_riemannian_ridge_rejects_a_constant_input() -> None:
    X, _ = _pair(46, 8, 3, 3)
    message = (
        "riemannian_distance_ridge: Y must have at least one non-constant column (a constant Y is the zero matrix "
        "once centred, and the score would be 0/0); got every column of Y constant (Y.shape=(8, 2)). Drop constant "
        "representations before comparing them."
    )
    _raises_same("riemannian_distance_ridge", X, np.ones((8, 2)), message)


def test_concentricity_rejects_centred_data_and_zero_rows() -> None:
    X, Y = _pair(47, 6, 3, 2)
    Xc = X - X.mean(axis=0)
    with pytest.raises(DegenerateInputError, match=re.escape("concentricity_difference: the mean row of X must be nonzero")):
        G.concentricity_difference(Xc, Y)
    with pytest.raises(DegenerateInputError, match=re.escape("concentricity_difference: the mean row of X must be nonzero")):
        T.concentricity_difference(_t(Xc), _t(Y))
    Y[3] = 0.0
    _raises_same(
        "concentricity_difference",
        X,
        Y,
        "concentricity_difference: every row of Y must be nonzero (the cosine of a zero row to the mean row is 0/0); "
        "got row 3 of Y zero (1 such rows; Y.shape=(6, 2)). Drop all-zero rows.",
    )


def test_uniformity_normalised_rejects_zero_rows_raw_does_not() -> None:
    X, Y = _pair(48, 6, 3, 2)
    X[0] = 0.0
    _raises_same(
        "uniformity_difference",
        X,
        Y,
        "uniformity_difference: every row of X must be nonzero for uniformity with normalise=True (the cosine with a "
        "zero row is 0/0); got row 0 of X zero (1 such rows; X.shape=(6, 3)). Drop all-zero rows, or use an RDM of "
        "kind 'euclidean'.",
    )
    assert math.isfinite(G.uniformity_difference(X, Y, normalise=False))


def test_eos_uncentred_rejects_the_zero_matrix() -> None:
    _raises_same(
        "eigenspace_overlap_score",
        np.zeros((5, 2)),
        np.ones((5, 2)),
        "eigenspace_overlap_score: X must not be the zero matrix (its column space is empty, and the score would be "
        "0/0); got X.shape=(5, 2).",
        centre=False,
    )
    assert G.eigenspace_overlap_score(np.ones((5, 1)), np.ones((5, 1)), centre=False) == 1.0  # uncentred: rank 1


def test_magnitude_has_no_degenerate_input() -> None:
    zeros = np.zeros((4, 3))
    assert G.magnitude_difference(zeros, zeros) == 0.0
    assert float(T.magnitude_difference(_t(zeros), _t(zeros))) == 0.0


# --------------------------------------------------------------------------- validation messages


OPTION_MESSAGES: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("rsa", {"rdm": "manhattan"}, ValueError, "rsa: rdm must be one of 'euclidean', 'sqeuclidean', 'correlation', 'cosine'; got rdm='manhattan'."),
    ("rsa", {"compare": "kendall"}, ValueError, "rsa: compare must be one of 'pearson', 'spearman', 'kendall_tau_a', 'kendall_tau_b', 'cosine', 'cosine_cov'; got compare='kendall'."),
    ("rsa", {"compare": 3}, TypeError, "rsa: compare must be one of 'pearson', 'spearman', 'kendall_tau_a', 'kendall_tau_b', 'cosine', 'cosine_cov'; got compare=3 (int)."),
    ("bures_distance", {"normalise": 1}, TypeError, "bures_distance: normalise must be a bool; got normalise=1 (int)."),
    ("riemannian_distance", {"eps": -0.1}, ValueError, "riemannian_distance: eps must lie in [0.0, inf); got eps=-0.1."),
    ("riemannian_distance", {"eps": "big"}, TypeError, "riemannian_distance: eps must be a real number; got eps='big' (str)."),
    ("gulp_distance", {"lam": float("nan")}, ValueError, "gulp_distance: lam must lie in [0.0, inf); got lam=nan."),
    ("uniformity_difference", {"t": 0.0}, ValueError, "uniformity_difference: t must lie in (0.0, inf); got t=0.0."),
    ("uniformity_difference", {"include_self": "yes"}, TypeError, "uniformity_difference: include_self must be a bool; got include_self='yes' (str)."),
    ("magnitude_difference", {"kind": "max"}, ValueError, "magnitude_difference: kind must be one of 'norm_of_mean', 'mean_norm'; got kind='max'."),
    ("eigenspace_overlap_score", {"centre": None}, TypeError, "eigenspace_overlap_score: centre must be a bool; got centre=None (NoneType)."),
]


@pytest.mark.parametrize(("name", "kwargs", "error", "message"), OPTION_MESSAGES, ids=[f"{m[0]}-{next(iter(m[1]))}" for m in OPTION_MESSAGES])
def test_option_validation_messages(name: str, kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    X, Y = _pair(49, 6, 3, 2)
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        getattr(G, name)(X, Y, **kwargs)
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        getattr(T, name)(_t(X), _t(Y), **kwargs)


def test_rdm_kind_message() -> None:
    message = "rdm: kind must be one of 'euclidean', 'sqeuclidean', 'correlation', 'cosine'; got kind='l1'."
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        G.rdm(np.ones((3, 2)), kind="l1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        T.rdm(torch.ones(3, 2), kind="l1")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [n for n in SPECS if n.startswith("rsa_")])
def test_rsa_needs_three_rows(name: str) -> None:
    message = (
        f"{name}: X and Y must have at least 3 rows (stimuli) for RSA (an RDM of n stimuli has n (n - 1) / 2 entries, "
        "and a comparison needs at least 2); got X.shape=(2, 3) and Y.shape=(2, 2)."
    )
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        SPECS[name].numpy_fn(np.eye(2, 3), np.eye(2))
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        SPECS[name].torch_fn(torch.eye(2, 3), torch.eye(2))


@pytest.mark.parametrize("name", list(SPECS))
def test_shared_validation_messages(name: str) -> None:
    """The shared pair validation of metrics.representation, named after each geometry measure."""
    spec = SPECS[name]
    func = spec.numpy_path.partition(":")[2]
    rows = f"{func}: X and Y must have the same number of rows (samples); got X.shape=(5, 2) and Y.shape=(4, 2)."
    with pytest.raises(ValueError, match="^" + re.escape(rows) + "$"):
        spec.numpy_fn(np.ones((5, 2)), np.ones((4, 2)))
    dtype = (
        f"{func}: X and Y must have the same dtype (nothing is converted silently); got X.dtype=torch.float32 and "
        "Y.dtype=torch.float64. Cast one of them explicitly, e.g. Y.to(X.dtype)."
    )
    with pytest.raises(TypeError, match="^" + re.escape(dtype) + "$"):
        spec.torch_fn(torch.ones(5, 2), torch.ones(5, 2, dtype=torch.float64))
    nan = f"{func}: X must contain only finite values; got 1 non-finite entry in X."
    with pytest.raises(ValueError, match="^" + re.escape(nan) + "$"):
        spec.torch_fn(torch.tensor([[0.0, 1.0], [float("nan"), 2.0], [3.0, 1.0]]), torch.ones(3, 1))


# --------------------------------------------------------------------------- gradients


def _grad_inputs(seed: int, n: int, p: int, q: int, *, offset: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    X = torch.tensor(rng.standard_normal((n, p)) + offset, requires_grad=True)
    Y = torch.tensor(rng.standard_normal((n, q)) + offset, requires_grad=True)
    return X, Y


GRADCHECK: list[tuple[str, Callable[..., torch.Tensor], tuple[int, int, int], float]] = [
    ("rsa_euclidean_pearson", T.rsa_euclidean_pearson, (7, 3, 2), 0.0),
    ("rsa_correlation_pearson", T.rsa_correlation_pearson, (6, 4, 3), 0.0),
    ("rsa_euclidean_cosine", T.rsa_euclidean_cosine, (6, 3, 2), 0.0),
    ("rsa_cosine_cosine_cov", functools.partial(T.rsa, rdm="cosine", compare="cosine_cov"), (6, 3, 4), 0.0),
    ("rsa_sqeuclidean_cosine_cov", T.rsa_sqeuclidean_cosine_cov, (6, 3, 2), 0.0),
    ("rsm_norm_diff_tall", T.rsm_norm_diff, (7, 3, 2), 0.0),
    ("rsm_norm_diff_wide", T.rsm_norm_diff, (5, 7, 3), 0.0),
    ("nbs", T.normalised_bures_similarity, (7, 3, 2), 0.0),
    ("bures", T.bures_distance, (7, 3, 2), 0.0),
    ("bures_normalised", functools.partial(T.bures_distance, normalise=True), (5, 8, 3), 0.0),
    ("riemannian_exact", T.riemannian_distance, (4, 5, 6), 0.0),
    ("riemannian_reduced", functools.partial(T.riemannian_distance, eps=0.1), (9, 2, 3), 0.0),
    ("riemannian_full", functools.partial(T.riemannian_distance, eps=0.1), (5, 3, 4), 0.0),
    ("magnitude", T.magnitude_difference, (6, 3, 2), 1.0),
    ("magnitude_mean_norm", functools.partial(T.magnitude_difference, kind="mean_norm"), (6, 3, 2), 1.0),
    ("concentricity", T.concentricity_difference, (6, 3, 2), 1.0),
    ("uniformity", T.uniformity_difference, (6, 3, 2), 0.0),
    ("uniformity_resi", T.uniformity_difference_resi, (6, 3, 2), 0.0),
    ("eos", T.eigenspace_overlap_score, (8, 3, 2), 0.0),
    ("gulp_features", T.gulp_distance, (8, 3, 2), 0.0),
    ("gulp_gram", functools.partial(T.gulp_distance, lam=0.5), (5, 6, 3), 0.0),
    ("gulp_lam0", T.gulp_distance_lam0, (8, 3, 2), 0.0),
]


@pytest.mark.parametrize(("label", "fn", "shape", "offset"), GRADCHECK, ids=[g[0] for g in GRADCHECK])
def test_gradcheck(label: str, fn: Callable[..., torch.Tensor], shape: tuple[int, int, int], offset: float) -> None:
    X, Y = _grad_inputs(50, *shape, offset=offset)
    assert torch.autograd.gradcheck(fn, (X, Y))


def test_gradcheck_batched() -> None:
    rng = np.random.default_rng(51)
    X = torch.tensor(rng.standard_normal((2, 6, 3)), requires_grad=True)
    Y = torch.tensor(rng.standard_normal((6, 2)), requires_grad=True)
    for fn in (T.rsa_euclidean_pearson, T.gulp_distance, T.riemannian_distance_ridge, T.normalised_bures_similarity):
        assert torch.autograd.gradcheck(fn, (X, Y))


# --------------------------------------------------------------------------- records


def test_records_load_and_resolve() -> None:
    assert len(records.RECORDS) == len(SPECS) == 19
    for spec in records.RECORDS:
        assert spec.compares == "representations" and spec.invariances.identifiability is None
        assert callable(spec.numpy_fn) and callable(spec.torch_fn)
        assert spec.numpy_fn.__name__ == spec.torch_fn.__name__
        assert spec.kind == "distance" or not spec.axioms.triangle


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", list(MEASURES))
def test_cuda_keeps_device_and_agrees(name: str) -> None:
    X, Y = _pair(52, 15, 4, 3)
    f, g = MEASURES[name]
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # metrics are computed with TF32 off
    try:
        out = _quiet(g, _t(X).cuda(), _t(Y).cuda())
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    assert out.device.type == "cuda" and out.dtype == torch.float64
    assert _close(float(_quiet(f, X, Y)), float(out.cpu()))


@pytest.mark.parametrize("fn_name", ["uniformity_difference", "rsa_correlation_pearson", "rsa_correlation_spearman", "rsa_cosine_kendall_tau_a"])
def test_rows_whose_norm_underflows_raise_instead_of_nan(fn_name: str) -> None:
    """A row with entries ~1e-277 is not exactly zero or constant, but its norm underflows to 0:
    it must take the declared DegenerateInputError route, never return NaN (found by the
    registry property search)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))
    X[2] = [6e-277, 0.0, 6e-277]  # neither zero nor constant, yet its (centred) norm underflows to 0
    Y = rng.normal(size=(8, 4))
    with pytest.raises(DegenerateInputError, match=r"row 2 of X"):
        getattr(G, fn_name)(X, Y)
    with pytest.raises(DegenerateInputError, match=r"row 2 of X"):
        getattr(T, fn_name)(torch.tensor(X), torch.tensor(Y))
