"""Tests for the CCA family (metrics/cca.py, metrics/torch_cca.py) and the records in metrics/records/cca.py.

numpy reference vs batched torch, the MEASURES.md identities (CCA via SVD =
via QR = Hotelling's eigenproblem = two-view MCCA; SVCCA = PCA then CCA),
every declared invariance shown and every declared non-invariance refuted,
saturation and degenerate-input policies, validation messages, gradients,
and differential tests against scikit-learn and cca-zoo.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.linalg
import torch

from metrics import cca as C
from metrics import torch_cca as T
from metrics._spec import AXIOMS, INVARIANCES
from metrics._validation import DegenerateInputError, SaturationWarning
from metrics.records import cca as records
from metrics.representation import cca_mean_corr

# float64: both implementations take the same route through different LAPACK
# drivers, observed gaps ~1e-15. float32 against the float64 oracle: ~1e-6.
TOL64 = 1e-10
TOL32 = 1e-4
INVARIANCE_TOL = 1e-10
REFUTE_MARGIN = 1e-2

SCORES = ["cca_mean_sq_corr", "cca_pillai_trace", "svcca", "pwcca", "pwcca_by_y"]
# (n, p, q): tall, p != q both ways, square, wide X, both wide, single feature.
SHAPES = [(20, 3, 5), (20, 5, 3), (12, 4, 4), (10, 15, 4), (8, 12, 20), (7, 6, 1)]
#: the records of this family, by registry name
SPECS = {r.name: r for r in records.RECORDS if r.numpy_path.startswith("metrics.cca:")}


# --------------------------------------------------------------------------- builders


def _pair(seed: int, n: int, p: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Related but not identical representations, with uneven column scales and an offset."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 10.0, p) + 5.0
    k = min(p, q)
    Y = X[:, :k] @ rng.standard_normal((k, q)) + 0.5 * rng.standard_normal((n, q))
    return X, Y


def _orthogonal(seed: int, d: int) -> np.ndarray:
    """Haar-random orthogonal matrix: QR of a Gaussian with the sign of R's diagonal fixed."""
    rng = np.random.default_rng(seed)
    Q, Rm = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(Rm))


def _invertible(seed: int, d: int, *, cond: float = 3.0) -> np.ndarray:
    """Invertible map with condition number at most ``cond``: U diag(s) V^T, s in [1, cond]."""
    rng = np.random.default_rng(seed)
    return _orthogonal(seed + 1, d) @ np.diag(rng.uniform(1.0, cond, d)) @ _orthogonal(seed + 2, d)


def _call(fn: Callable[..., Any], X: object, Y: object, **kw: Any) -> Any:
    """Call with saturation warnings silenced (tests that want them ask for them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        return fn(X, Y, **kw)


def _t(A: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.tensor(A, dtype=dtype)


# (name, options): every measure with its non-default options too
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("cca_mean_sq_corr", {}),
    ("cca_pillai_trace", {}),
    ("svcca", {}),
    ("svcca", {"threshold": 0.9}),
    ("svcca", {"keep": 2}),
    ("pwcca", {}),
    ("pwcca", {"weight_by": "Y"}),
    ("pwcca", {"weight_by": "fewer"}),
    ("pwcca_by_y", {}),
]
VARIANT_IDS = [name + "".join(f"-{k}={v}" for k, v in kw.items()) for name, kw in VARIANTS]


# --------------------------------------------------------------------------- numpy vs torch


@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1])
def test_torch_matches_numpy_float64(name: str, kw: dict[str, Any], shape: tuple[int, int, int], seed: int) -> None:
    X, Y = _pair(seed, *shape)
    ref = float(_call(getattr(C, name), X, Y, **kw))
    got = _call(getattr(T, name), _t(X), _t(Y), **kw)
    assert got.dtype == torch.float64 and got.shape == ()
    assert abs(ref - float(got)) <= TOL64 * max(1.0, abs(ref)), (ref, float(got))
    high = float(min(shape[0] - 1, shape[1], shape[2])) if name == "cca_pillai_trace" else 1.0
    assert 0.0 <= ref <= high + 1e-12


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
def test_canonical_correlations_numpy_vs_torch(shape: tuple[int, int, int]) -> None:
    n, p, q = shape
    X, Y = _pair(30, *shape)
    ref = _call(C.canonical_correlations, X, Y)
    got = _call(T.canonical_correlations, _t(X), _t(Y)).numpy()
    assert got.shape == (min(n - 1, p, q),)
    assert np.all(np.diff(ref) <= 0) and ref[0] <= 1.0 and ref[-1] >= 0.0
    # torch pads with zeros past m = min(rank X, rank Y); here every input has full rank
    np.testing.assert_allclose(got[: ref.size], ref, rtol=0, atol=TOL64)
    assert np.all(np.abs(got[ref.size :]) <= TOL64)


def test_canonical_correlations_torch_pads_rank_deficient_elements_with_zeros() -> None:
    rng = np.random.default_rng(31)
    a, b, c = rng.standard_normal((3, 25, 1))
    X = np.stack([np.hstack([a, b, a]), np.hstack([a, b, c])])  # ranks 2 and 3
    Y = np.hstack([a + rng.standard_normal((25, 1)), b, c + b])
    out = T.canonical_correlations(_t(X), _t(Y))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out[0, :2].numpy(), C.canonical_correlations(X[0], Y), atol=TOL64)
    assert abs(float(out[0, 2])) <= TOL64
    np.testing.assert_allclose(out[1].numpy(), C.canonical_correlations(X[1], Y), atol=TOL64)


@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
def test_batched_and_broadcast_match_numpy(name: str, kw: dict[str, Any]) -> None:
    n, p, q = 15, 4, 6
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3, 2, n, p)) * rng.uniform(0.2, 5.0, p)
    Y = np.einsum("abnp,pq->abnq", X, rng.standard_normal((p, q))) + rng.standard_normal((3, 2, n, q))
    fn = getattr(T, name)
    out = fn(_t(X), _t(Y), **kw)
    broadcast = fn(_t(X[:, :1]), _t(Y[:1, :]), **kw)  # (3, 1) with (1, 2) -> (3, 2)
    assert out.shape == (3, 2) and broadcast.shape == (3, 2)
    ref = getattr(C, name)
    for i in range(3):
        for j in range(2):
            assert abs(float(out[i, j]) - ref(X[i, j], Y[i, j], **kw)) <= TOL64
            assert abs(float(broadcast[i, j]) - ref(X[i, 0], Y[0, j], **kw)) <= TOL64


@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("shape", [(20, 3, 5), (10, 15, 4)], ids=["tall", "wide"])
def test_float32_in_float32_out(name: str, kw: dict[str, Any], shape: tuple[int, int, int]) -> None:
    X, Y = _pair(3, *shape)
    value = _call(getattr(T, name), _t(X, torch.float32), _t(Y, torch.float32), **kw)
    assert value.dtype == torch.float32 and value.shape == ()
    ref = float(_call(getattr(C, name), X, Y, **kw))
    assert abs(float(value) - ref) <= TOL32 * max(1.0, ref)


@pytest.mark.parametrize("name", [*SCORES, "canonical_correlations"])
def test_integer_inputs_become_float64(name: str) -> None:
    rng = np.random.default_rng(4)
    X = rng.integers(-5, 6, size=(12, 3))
    Y = rng.integers(-5, 6, size=(12, 2))
    ref = getattr(C, name)(X.astype(np.float64), Y.astype(np.float64))
    np.testing.assert_array_equal(getattr(C, name)(X, Y), ref)
    out = getattr(T, name)(torch.tensor(X), torch.tensor(Y))
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), ref, rtol=0, atol=TOL64)


@pytest.mark.parametrize("name", SCORES)
def test_no_n_by_n_matrix_when_p_q_below_n(name: str) -> None:
    """n = 200,000: an n x n float64 matrix would need 320 GB, so any such path fails loudly."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((200_000, 3))
    Y = X @ rng.standard_normal((3, 4)) + rng.standard_normal((200_000, 4))
    ref = getattr(C, name)(X, Y)
    assert abs(float(getattr(T, name)(_t(X), _t(Y))) - ref) <= TOL64


# --------------------------------------------------------------------------- identities


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("pq", [(3, 5), (4, 4), (6, 2)])
def test_canonical_correlations_svd_route_equals_qr_route(seed: int, pq: tuple[int, int]) -> None:
    """MEASURES.md: CCA via SVD equals CCA via QR (Bjorck-Golub with a plain thin QR on full-rank data)."""
    X, Y = _pair(seed, 40, *pq)
    Qx, _ = np.linalg.qr(X - X.mean(0))
    Qy, _ = np.linalg.qr(Y - Y.mean(0))
    via_qr = np.linalg.svd(Qx.T @ Qy, compute_uv=False)
    np.testing.assert_allclose(C.canonical_correlations(X, Y), via_qr, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("pq", [(3, 5), (4, 4), (6, 2)])
def test_canonical_correlations_equal_hotelling_and_two_view_mcca(seed: int, pq: tuple[int, int]) -> None:
    """rho_i are (a) sqrt of the eigenvalues of Sxx^-1 Sxy Syy^-1 Syx (Hotelling), (b) the top
    eigenvalues of the two-view generalized eigenproblem [[0, Sxy], [Syx, 0]] v = l diag(Sxx, Syy) v
    (MEASURES.md: two-view MCCA equals CCA), (c) such that 1 +- rho_i are the eigenvalues of the
    sum of the two column-space projectors (MAXVAR generalized CCA)."""
    p, q = pq
    X, Y = _pair(seed, 60, p, q)
    m = min(p, q)
    rho = C.canonical_correlations(X, Y)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    Sxx, Syy, Sxy = Xc.T @ Xc, Yc.T @ Yc, Xc.T @ Yc
    hotelling = np.sort(np.linalg.eigvals(np.linalg.solve(Sxx, Sxy) @ np.linalg.solve(Syy, Sxy.T)).real)[::-1][:m]
    np.testing.assert_allclose(rho, np.sqrt(np.clip(hotelling, 0.0, 1.0)), atol=1e-10)
    A = np.block([[np.zeros((p, p)), Sxy], [Sxy.T, np.zeros((q, q))]])
    B = scipy.linalg.block_diag(Sxx, Syy)
    gevp = scipy.linalg.eigh(A, B, eigvals_only=True)[::-1][:m]
    np.testing.assert_allclose(rho, gevp, atol=1e-10)
    Px = Xc @ np.linalg.pinv(Xc)
    Py = Yc @ np.linalg.pinv(Yc)
    maxvar = np.sort(np.linalg.eigvalsh(Px + Py))[::-1]
    np.testing.assert_allclose(maxvar[:m], 1.0 + rho, atol=1e-10)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", [(30, 3, 5), (30, 6, 2), (12, 20, 4)], ids=["p<q", "p>q", "wide"])
def test_summaries_of_the_canonical_correlations(seed: int, shape: tuple[int, int, int]) -> None:
    X, Y = _pair(seed, *shape)
    rho = _call(C.canonical_correlations, X, Y)
    assert abs(_call(cca_mean_corr, X, Y) - rho.mean()) <= 1e-12
    assert abs(_call(C.cca_mean_sq_corr, X, Y) - np.mean(rho**2)) <= 1e-12
    assert abs(_call(C.cca_pillai_trace, X, Y) - np.sum(rho**2)) <= 1e-12
    assert abs(_call(C.cca_pillai_trace, X, Y) / rho.size - _call(C.cca_mean_sq_corr, X, Y)) <= 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_pillai_trace_is_the_covariance_trace_and_r2_is_kornbliths(seed: int) -> None:
    """V = tr(Sxx^-1 Sxy Syy^-1 Syx) (Pillai 1955); R^2_CCA = ||Qy^T Qx||_F^2 / p1 (Kornblith 2019)."""
    X, Y = _pair(seed, 50, 3, 5)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    Sxx, Syy, Sxy = Xc.T @ Xc, Yc.T @ Yc, Xc.T @ Yc
    trace = float(np.trace(np.linalg.solve(Sxx, Sxy) @ np.linalg.solve(Syy, Sxy.T)))
    assert abs(C.cca_pillai_trace(X, Y) - trace) <= 1e-10
    Qx, _ = np.linalg.qr(Xc)
    Qy, _ = np.linalg.qr(Yc)
    assert abs(C.cca_mean_sq_corr(X, Y) - np.linalg.norm(Qy.T @ Qx) ** 2 / 3) <= 1e-12


def test_pillai_of_a_representation_with_itself_is_its_rank() -> None:
    rng = np.random.default_rng(32)
    a, b = rng.standard_normal((2, 20, 1))
    assert abs(C.cca_pillai_trace(np.hstack([a, b, a - b]), np.hstack([a, b])) - 2.0) <= 1e-12
    assert abs(C.cca_mean_sq_corr(np.hstack([a, b, a - b]), np.hstack([a, b])) - 1.0) <= 1e-12


def _pca_scores(A: np.ndarray, k: int) -> np.ndarray:
    """Explicit PCA: eigendecomposition of the sample covariance, projection on the top k axes."""
    Ac = A - A.mean(axis=0)
    w, V = np.linalg.eigh(np.cov(Ac, rowvar=False).reshape(A.shape[1], A.shape[1]))
    order = np.argsort(w)[::-1]
    return Ac @ V[:, order[:k]]


def _pca_k(A: np.ndarray, threshold: float) -> int:
    """Smallest k whose leading covariance eigenvalues explain the fraction ``threshold``."""
    w = np.sort(np.linalg.eigvalsh(np.cov(A - A.mean(0), rowvar=False).reshape(A.shape[1], A.shape[1])))[::-1]
    return int(np.searchsorted(np.cumsum(w) / w.sum(), threshold) + 1)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("threshold", [0.5, 0.9, 0.99])
def test_svcca_equals_pca_then_cca(seed: int, threshold: float) -> None:
    """MEASURES.md: SVCCA = PCA (kept by explained-variance fraction) then mean CCA."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 6)) @ np.diag([5.0, 3.0, 2.0, 1.0, 0.3, 0.1])
    Y = X[:, :4] @ rng.standard_normal((4, 5)) + 0.3 * rng.standard_normal((40, 5))
    kx, ky = _pca_k(X, threshold), _pca_k(Y, threshold)
    expected = cca_mean_corr(_pca_scores(X, kx), _pca_scores(Y, ky))
    assert abs(C.svcca(X, Y, threshold=threshold) - expected) <= 1e-12
    assert abs(float(T.svcca(_t(X), _t(Y), threshold=threshold)) - expected) <= 1e-12
    for keep in (1, 3, 5):
        expected = cca_mean_corr(_pca_scores(X, keep), _pca_scores(Y, keep))
        assert abs(C.svcca(X, Y, keep=keep) - expected) <= 1e-12


def test_svcca_keeping_everything_is_mean_cca() -> None:
    X, Y = _pair(33, 30, 4, 6)
    base = cca_mean_corr(X, Y)
    assert abs(C.svcca(X, Y, threshold=1.0) - base) <= 1e-12
    assert abs(C.svcca(X, Y, keep=100) - base) <= 1e-12  # keep is capped at the rank
    assert abs(float(T.svcca(_t(X), _t(Y), keep=100)) - base) <= 1e-12


def _svcca_absolute_threshold(X: np.ndarray, Y: np.ndarray, threshold: float = 0.99) -> float:
    """The bug named in MEASURES.md: the cumulative variance compared with an absolute threshold."""

    def basis(A: np.ndarray) -> np.ndarray:
        U, s, _ = np.linalg.svd(A - A.mean(0), full_matrices=False)
        k = int(np.searchsorted(np.cumsum(s**2), threshold) + 1)  # absolute, not a fraction
        return U[:, : min(k, s.size)]

    return float(np.mean(np.linalg.svd(basis(X).T @ basis(Y), compute_uv=False)))


def test_svcca_threshold_is_a_fraction_so_rescaling_across_one_changes_nothing() -> None:
    """Construction: rescale X so that its total variance crosses 1; the kept subspace must not move."""
    rng = np.random.default_rng(34)
    X = rng.standard_normal((50, 4)) @ np.diag([1.0, 0.8, 0.6, 0.4])
    Y = X @ rng.standard_normal((4, 4)) + 0.5 * rng.standard_normal((50, 4))
    Xs = [X * c / np.linalg.norm(X - X.mean(0)) for c in (1e-3, 0.5, 3.0, 1e3)]  # total variance c^2
    values = [C.svcca(A, Y) for A in Xs]
    assert max(values) - min(values) <= 1e-12
    buggy = [_svcca_absolute_threshold(A, Y) for A in Xs]
    assert max(buggy) - min(buggy) >= REFUTE_MARGIN  # the construction does catch the bug


def _pwcca_morcos(X: np.ndarray, Y: np.ndarray) -> float:
    """Independent PWCCA after Morcos et al.: Hotelling CCA by whitening, canonical variates h_i = Xc a_i,
    orthonormalised by QR, alpha_i = sum_j |<h_i, x_j>| over X's centred neurons, normalised."""
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)

    def inv_sqrt(S: np.ndarray) -> np.ndarray:
        w, V = np.linalg.eigh(S)
        return (V / np.sqrt(w)) @ V.T

    Wx, Wy = inv_sqrt(Xc.T @ Xc), inv_sqrt(Yc.T @ Yc)
    U, rho, _ = np.linalg.svd(Wx @ (Xc.T @ Yc) @ Wy, full_matrices=False)
    H, _ = np.linalg.qr(Xc @ Wx @ U)  # canonical variates of X
    alpha = np.abs(H.T @ Xc).sum(axis=1)
    return float(np.sum(alpha / alpha.sum() * rho))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("pq", [(3, 5), (4, 4), (6, 2)])
def test_pwcca_equals_morcos_recipe_and_direction_options(seed: int, pq: tuple[int, int]) -> None:
    X, Y = _pair(seed, 40, *pq)
    assert abs(C.pwcca(X, Y) - _pwcca_morcos(X, Y)) <= 1e-10
    assert abs(C.pwcca(X, Y, weight_by="Y") - _pwcca_morcos(Y, X)) <= 1e-10
    assert C.pwcca(X, Y, weight_by="Y") == C.pwcca_by_y(X, Y)
    assert abs(C.pwcca_by_y(X, Y) - C.pwcca(Y, X)) <= 1e-12
    fewer = C.pwcca(X, Y, weight_by="fewer")
    assert fewer == (C.pwcca(X, Y) if pq[0] <= pq[1] else C.pwcca_by_y(X, Y))
    rho = C.canonical_correlations(X, Y)
    assert rho.min() - 1e-12 <= C.pwcca(X, Y) <= rho.max() + 1e-12  # a convex combination


def test_pwcca_fewer_counts_non_constant_columns() -> None:
    """Google's rule drops dead neurons before counting: a constant column does not count."""
    X, Y = _pair(35, 30, 3, 3)
    X_dead = np.hstack([X, np.full((30, 2), 4.0)])  # 5 columns, 3 alive: still weighted by X
    assert abs(C.pwcca(X_dead, Y, weight_by="fewer") - C.pwcca(X, Y)) <= 1e-12
    out = T.pwcca(_t(np.stack([X_dead, np.hstack([X, Y[:, :2]])])), _t(Y), weight_by="fewer")
    assert abs(float(out[0]) - C.pwcca(X, Y)) <= 1e-12
    assert abs(float(out[1]) - C.pwcca_by_y(np.hstack([X, Y[:, :2]]), Y)) <= 1e-12


# --------------------------------------------------------------------------- invariances (from the records)


def _transform(kind: str, A: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = A.shape[1]
    if kind == "translation":
        return A + rng.normal(0.0, 100.0, d)
    if kind == "isotropic_scaling":
        return 37.5 * A
    if kind == "orthogonal":
        return A @ _orthogonal(seed, d)
    if kind == "permutation":
        return A[:, rng.permutation(d)]
    if kind == "invertible_linear":
        return A @ _invertible(seed, d)
    raise AssertionError(kind)


GROUPS = ("translation", "isotropic_scaling", "orthogonal", "invertible_linear", "permutation")
HOLDS = [(name, g) for name, s in SPECS.items() for g in GROUPS if s.invariances.as_dict()[g]]
FAILS = [(name, g) for name, s in SPECS.items() for g in GROUPS if not s.invariances.as_dict()[g]]


@pytest.mark.parametrize(("name", "kind"), HOLDS)
@pytest.mark.parametrize("seed", range(2))
def test_declared_invariance_holds(name: str, kind: str, seed: int) -> None:
    spec = SPECS[name]
    f, g = spec.numpy_fn, spec.torch_fn
    X, Y = _pair(seed, 20, 4, 3)
    base = f(X, Y)
    X2, Y2 = _transform(kind, X, seed + 100), _transform(kind, Y, seed + 200)
    for a, b in ((X2, Y), (X, Y2), (X2, Y2)):
        assert abs(f(a, b) - base) <= INVARIANCE_TOL * max(1.0, base)
    assert abs(float(g(_t(X2), _t(Y2))) - base) <= INVARIANCE_TOL * max(1.0, base)


def _stretch_counterexample(f: Callable[..., float]) -> tuple[float, float]:
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    Y = np.c_[X[:, 0] + 0.5 * X[:, 1] ** 2, X[:, 1]]
    return f(X, Y), f(X @ np.diag([10.0, 1.0]), Y)


def _svcca_subspace_swap(f: Callable[..., float]) -> tuple[float, float]:
    """X = [a, 0.01 b] keeps only a; X diag(0.01, 100) = [0.01 a, b] keeps only b, which is Y."""
    rng = np.random.default_rng(36)
    a, b = rng.standard_normal((2, 30))
    X, Y = np.c_[a, 0.01 * b], b[:, None]
    return f(X, Y), f(X @ np.diag([0.01, 100.0]), Y)


def _pwcca_rotation(f: Callable[..., float]) -> tuple[float, float]:
    """A 45-degree rotation of X mixes its neurons and changes the L1 projection weights."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 2))
    Y = np.c_[X[:, 0] + 0.1 * rng.standard_normal(30), rng.standard_normal(30)]
    c = np.sqrt(0.5)
    R = np.array([[c, -c], [c, c]])
    return f(X, Y), f(X @ R, Y)


def _pwcca_scaling_of_one_neuron(f: Callable[..., float]) -> tuple[float, float]:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 2))
    Y = np.c_[X[:, 0] + 0.1 * rng.standard_normal(30), rng.standard_normal(30)]
    return f(X, Y), f(X @ np.diag([10.0, 1.0]), Y)


def _swap(counterexample: Callable[[Callable[..., float]], tuple[float, float]]) -> Callable[..., Any]:
    """The same counterexample for a measure weighted by its second argument: swap the arguments."""
    return lambda f: counterexample(lambda A, B: f(B, A))


COUNTEREXAMPLES: dict[tuple[str, str], Callable[[Callable[..., float]], tuple[float, float]]] = {
    ("svcca", "invertible_linear"): _svcca_subspace_swap,
    ("pwcca", "orthogonal"): _pwcca_rotation,
    ("pwcca", "invertible_linear"): _pwcca_scaling_of_one_neuron,
    ("pwcca_by_y", "orthogonal"): _swap(_pwcca_rotation),
    ("pwcca_by_y", "invertible_linear"): _swap(_pwcca_scaling_of_one_neuron),
}


@pytest.mark.parametrize(("name", "kind"), FAILS)
def test_declared_non_invariance_is_refuted(name: str, kind: str) -> None:
    spec = SPECS[name]
    before, after = COUNTEREXAMPLES[(name, kind)](spec.numpy_fn)
    assert abs(after - before) >= REFUTE_MARGIN, (before, after)
    t_before, t_after = COUNTEREXAMPLES[(name, kind)](lambda A, B: float(spec.torch_fn(_t(A), _t(B))))
    assert abs(t_after - t_before) >= REFUTE_MARGIN


def test_every_declaration_is_exercised() -> None:
    assert len(HOLDS) + len(FAILS) == 5 * len(SPECS)
    assert set(FAILS) == set(COUNTEREXAMPLES)


@pytest.mark.parametrize("kind", ["orthogonal", "invertible_linear"])
def test_pwcca_is_invariant_in_its_unweighted_argument(kind: str) -> None:
    """Why the notes say 'fails for X only': Y enters PWCCA through its column space alone."""
    X, Y = _pair(37, 25, 3, 4)
    assert abs(C.pwcca(X, _transform(kind, Y, 1)) - C.pwcca(X, Y)) <= INVARIANCE_TOL
    assert abs(C.pwcca_by_y(_transform(kind, X, 2), Y) - C.pwcca_by_y(X, Y)) <= INVARIANCE_TOL


def test_svcca_invariant_to_invertible_maps_when_the_same_subspace_is_kept() -> None:
    """The Kornblith Table 1 condition: with everything kept, any invertible map is harmless."""
    X, Y = _pair(38, 30, 4, 3)
    A = _invertible(5, 4, cond=50.0)
    assert abs(C.svcca(X @ A, Y, keep=4) - C.svcca(X, Y, keep=4)) <= INVARIANCE_TOL


# --------------------------------------------------------------------------- axioms and ranges


@pytest.mark.parametrize("name", list(SPECS))
def test_declared_axioms(name: str) -> None:
    spec = SPECS[name]
    f = spec.numpy_fn
    X, Y = _pair(39, 20, 3, 5)
    value = f(X, Y)
    low, high = spec.value_range
    assert low <= value <= high
    assert (value >= 0.0) is spec.axioms.nonnegativity
    same = f(X, X)
    assert (abs(same - high) <= 1e-12) is spec.axioms.identity, same  # score: s(X, X) at the top
    assert (abs(f(X, Y) - f(Y, X)) <= 1e-12) is spec.axioms.symmetry
    assert spec.axioms.triangle is False  # scores never declare it
    assert spec.kind == "score"


# --------------------------------------------------------------------------- saturation


def test_saturation_warning_text_numpy() -> None:
    rng = np.random.default_rng(16)
    X, Y = rng.standard_normal((10, 5)), rng.standard_normal((10, 5))
    rule = (
        "the centred X and Y must satisfy rank(X) + rank(Y) <= n - 1 for every canonical correlation to depend "
        "on the data (it fails whenever p >= n or q >= n); got rank(X)=5, rank(Y)=5, n=10 (X.shape=(10, 5), "
        "Y.shape=(10, 5)): 1 of the 5 canonical correlations saturate at 1 by construction"
    )
    fix = " Reduce the features first (e.g. PCA, as SVCCA does) or use more samples."
    expected = {
        "canonical_correlations": f"canonical_correlations: {rule}.{fix}",
        "cca_mean_sq_corr": f"cca_mean_sq_corr: {rule}, so the score is at least 0.2.{fix}",
        "cca_pillai_trace": f"cca_pillai_trace: {rule}, so the trace is at least 1.{fix}",
        "pwcca": f"pwcca: {rule}.{fix}",
        "pwcca_by_y": f"pwcca_by_y: {rule}.{fix}",
    }
    for name, message in expected.items():
        with pytest.warns(SaturationWarning) as rec:
            getattr(C, name)(X, Y)
        assert [str(w.message) for w in rec] == [message]
        assert rec[0].filename == __file__  # the warning points at the caller
        with pytest.warns(SaturationWarning, match=re.escape(message)):
            getattr(T, name)(_t(X), _t(Y))


def test_saturated_scores_are_at_their_floor_on_unrelated_noise() -> None:
    rng = np.random.default_rng(15)
    X, Y = rng.standard_normal((10, 12)), rng.standard_normal((10, 3))
    with pytest.warns(SaturationWarning, match=re.escape("3 of the 3 canonical correlations saturate")):
        value = C.cca_mean_sq_corr(X, Y)
    assert abs(value - 1.0) <= 1e-12
    with pytest.warns(SaturationWarning):
        assert abs(C.cca_pillai_trace(X, Y) - 3.0) <= 1e-12


def test_svcca_saturation_counts_kept_components() -> None:
    rng = np.random.default_rng(17)
    X, Y = rng.standard_normal((10, 6)), rng.standard_normal((10, 6))
    expected = (
        "svcca: the numbers of kept principal components must satisfy k(X) + k(Y) <= n - 1 for every canonical "
        "correlation to depend on the data; got k(X)=6, k(Y)=6, n=10 (X.shape=(10, 6), Y.shape=(10, 6)): 3 of "
        "the 6 canonical correlations saturate at 1 by construction, so the score is at least 0.5. Keep fewer "
        "components (a lower threshold or keep) or use more samples."
    )
    with pytest.warns(SaturationWarning) as rec:
        C.svcca(X, Y, threshold=1.0)
    assert str(rec[0].message) == expected and rec[0].filename == __file__
    with pytest.warns(SaturationWarning, match=re.escape(expected)):
        T.svcca(_t(X), _t(Y), threshold=1.0)
    with warnings.catch_warnings():  # keeping 4 + 4 <= 9 components: no warning
        warnings.simplefilter("error")
        C.svcca(X, Y, keep=4)
        T.svcca(_t(X), _t(Y), keep=4)


def test_torch_batched_saturation_warning_counts_elements() -> None:
    rng = np.random.default_rng(18)
    X = np.stack([rng.standard_normal((10, 3)) @ rng.standard_normal((3, 9)), rng.standard_normal((10, 9))])
    for name in ("cca_mean_sq_corr", "pwcca", "canonical_correlations"):
        with pytest.warns(
            SaturationWarning, match=re.escape("got 1 of 2 batch elements with rank(X) + rank(Y) > n - 1 = 9")
        ):
            getattr(T, name)(_t(X), _t(rng.standard_normal((10, 2))))


def test_no_warning_below_saturation() -> None:
    rng = np.random.default_rng(19)
    X, Y = rng.standard_normal((10, 4)), rng.standard_normal((10, 5))  # 4 + 5 <= 9
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ["canonical_correlations", *SCORES]:
            getattr(C, name)(X, Y)
            getattr(T, name)(_t(X), _t(Y))


# --------------------------------------------------------------------------- degenerate inputs


@pytest.mark.parametrize("name", ["canonical_correlations", *SCORES])
@pytest.mark.parametrize("which", ["X", "Y"])
def test_constant_input_raises(name: str, which: str) -> None:
    rng = np.random.default_rng(20)
    good, bad = rng.standard_normal((6, 3)), np.full((6, 3), 0.1)
    X, Y = (bad, good) if which == "X" else (good, bad)
    func = name
    expected = (
        f"{func}: {which} must have at least one non-constant column (a constant {which} is the zero matrix once "
        f"centred, and the score would be 0/0); got every column of {which} constant ({which}.shape=(6, 3)). "
        "Drop constant representations before comparing them."
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(expected) + "$"):
        getattr(C, name)(X, Y)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(expected) + "$"):
        getattr(T, name)(_t(X), _t(Y))


@pytest.mark.parametrize("name", SCORES)
def test_torch_degenerate_checked_per_batch_element(name: str) -> None:
    rng = np.random.default_rng(21)
    X = rng.standard_normal((2, 3, 8, 2))
    X[1, 2] = 7.0
    with pytest.raises(
        DegenerateInputError,
        match=re.escape("got every column of X[1, 2] constant (1 such matrices in the batch) (X.shape=(2, 3, 8, 2))"),
    ):
        getattr(T, name)(_t(X), _t(rng.standard_normal((8, 2))))


def test_constant_columns_do_not_count() -> None:
    """A dead unit changes no CCA-family score (rank convention), in numpy and torch."""
    X, Y = _pair(22, 25, 3, 4)
    X_dead = np.hstack([X, np.full((25, 1), 3.0)])
    for name in SCORES:
        assert abs(getattr(C, name)(X_dead, Y) - getattr(C, name)(X, Y)) <= 1e-12, name
        assert abs(float(getattr(T, name)(_t(X_dead), _t(Y))) - getattr(C, name)(X, Y)) <= 1e-12, name


# --------------------------------------------------------------------------- validation messages


@pytest.mark.parametrize("module", [C, T], ids=["numpy", "torch"])
def test_option_messages(module: Any) -> None:
    X, Y = _pair(23, 12, 3, 2)
    args = (X, Y) if module is C else (_t(X), _t(Y))
    cases: list[tuple[Callable[[], object], type[Exception], str]] = [
        (
            lambda: module.svcca(*args, threshold=0.9, keep=2),
            ValueError,
            (
                "svcca: pass either threshold (an explained-variance fraction) or keep (a number of components), "
                "not both; got threshold=0.9 and keep=2."
            ),
        ),
        (lambda: module.svcca(*args, threshold=0.0), ValueError, "svcca: threshold must lie in (0.0, 1.0]; got threshold=0.0."),
        (lambda: module.svcca(*args, threshold=1.5), ValueError, "svcca: threshold must lie in (0.0, 1.0]; got threshold=1.5."),
        (lambda: module.svcca(*args, threshold="0.9"), TypeError, "svcca: threshold must be a real number; got threshold='0.9' (str)."),
        (lambda: module.svcca(*args, keep=0), ValueError, "svcca: keep must be >= 1; got keep=0."),
        (lambda: module.svcca(*args, keep=2.0), TypeError, "svcca: keep must be an integer; got keep=2.0 (float)."),
        (lambda: module.pwcca(*args, weight_by="x"), ValueError, "pwcca: weight_by must be 'X', 'Y' or 'fewer'; got weight_by='x'."),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match="^" + re.escape(message) + "$"):
            call()


@pytest.mark.parametrize("name", ["canonical_correlations", *SCORES])
def test_input_messages_name_the_function(name: str) -> None:
    func = name
    with pytest.raises(ValueError, match="^" + re.escape(f"{func}: X and Y must have the same number of rows (samples); got X.shape=(5, 2) and Y.shape=(4, 2).") + "$"):
        getattr(C, name)(np.ones((5, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="^" + re.escape(f"{func}: X must be a 2-D matrix; got X.shape=(5,). Use X.reshape(-1, 1) for a single feature.") + "$"):
        getattr(C, name)(np.arange(5.0), np.ones((5, 2)))
    with pytest.raises(TypeError, match="^" + re.escape(f"{func}: X and Y must have the same dtype (nothing is converted silently); got X.dtype=torch.float32 and Y.dtype=torch.float64. Cast one of them explicitly, e.g. Y.to(X.dtype).") + "$"):
        getattr(T, name)(torch.ones(5, 2), torch.ones(5, 2, dtype=torch.float64))
    with pytest.raises(TypeError, match="^" + re.escape(f"{func}: X must be a torch.Tensor; got ndarray.") + "$"):
        getattr(T, name)(np.ones((3, 2)), torch.ones(3, 2))


# --------------------------------------------------------------------------- gradients


def _grad_inputs(seed: int, n: int, p: int, q: int, *, batch: tuple[int, ...] = ()) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    X = torch.tensor(rng.standard_normal((*batch, n, p)), requires_grad=True)
    Y = torch.tensor(rng.standard_normal((*batch, n, q)), requires_grad=True)
    return X, Y


@pytest.mark.parametrize(("name", "kw"), VARIANTS, ids=VARIANT_IDS)
def test_gradcheck_full_rank(name: str, kw: dict[str, Any]) -> None:
    X, Y = _grad_inputs(24, 9, 3, 2)
    assert torch.autograd.gradcheck(lambda a, b: getattr(T, name)(a, b, **kw), (X, Y))


@pytest.mark.parametrize("name", ["cca_mean_sq_corr", "pwcca", "svcca"])
def test_gradcheck_batched(name: str) -> None:
    X, Y = _grad_inputs(25, 8, 3, 2, batch=(2,))
    assert torch.autograd.gradcheck(getattr(T, name), (X, Y))


def test_gradcheck_canonical_correlations() -> None:
    X, Y = _grad_inputs(26, 9, 3, 3)
    assert torch.autograd.gradcheck(T.canonical_correlations, (X, Y))


@pytest.mark.parametrize("name", SCORES)
def test_gradients_finite_on_random_inputs(name: str) -> None:
    X, Y = _grad_inputs(27, 12, 4, 3, batch=(3,))
    getattr(T, name)(X, Y).sum().backward()
    assert X.grad is not None and Y.grad is not None
    assert bool(torch.isfinite(X.grad).all()) and bool(torch.isfinite(Y.grad).all())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", SCORES)
def test_cuda_keeps_device_and_agrees(name: str) -> None:
    X, Y = _pair(28, 15, 4, 3)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # metrics are computed with TF32 off
    try:
        out = getattr(T, name)(_t(X).cuda(), _t(Y).cuda())
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    assert out.device.type == "cuda" and out.dtype == torch.float64
    assert abs(float(out.cpu()) - getattr(C, name)(X, Y)) <= TOL64


# --------------------------------------------------------------------------- peers


def _well_conditioned(seed: int, n: int, p: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    k = min(p, q)
    return X, X[:, :k] @ rng.standard_normal((k, q)) + rng.standard_normal((n, q))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("pq", [(4, 3), (3, 5)])
def test_peer_sklearn_cca(seed: int, pq: tuple[int, int]) -> None:
    """scikit-learn's CCA is iterative (NIPALS with deflation): its per-component score correlations
    reach the exact canonical correlations to its tolerance. With a tight tolerance they agree to 1e-8;
    with its defaults (tol=1e-6, max_iter=500) to 1e-4 on well-conditioned data."""
    cross_decomposition = pytest.importorskip("sklearn.cross_decomposition")
    X, Y = _well_conditioned(seed, 200, *pq)
    rho = C.canonical_correlations(X, Y)
    k = rho.size
    for kwargs, tol in (({"max_iter": 5000, "tol": 1e-12}, 1e-8), ({}, 1e-4)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn's ConvergenceWarning at default settings
            model = cross_decomposition.CCA(n_components=k, **kwargs).fit(X, Y)
        xs, ys = model.transform(X, Y)
        sk = np.array([np.corrcoef(xs[:, i], ys[:, i])[0, 1] for i in range(k)])
        np.testing.assert_allclose(np.abs(sk), rho, atol=tol)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("pq", [(4, 3), (3, 5), (5, 5)])
def test_peer_cca_zoo(seed: int, pq: tuple[int, int]) -> None:
    """cca-zoo (exact, eigen/SVD-based): CCA and two-view MCCA variates correlate at our rho_i, and
    CCA.score (mean correlation over the fitted components) is cca_mean_corr. cca-zoo floors the
    within-view covariance at 1e-6 of its largest eigenvalue, so the agreement is ~1e-9, not 1e-15."""
    linear = pytest.importorskip("cca_zoo.linear")
    X, Y = _well_conditioned(seed, 200, *pq)
    rho = C.canonical_correlations(X, Y)
    k = rho.size
    for model in (linear.CCA(n_components=k), linear.MCCA(n_components=k), linear.MCCA(n_components=k, pca=False)):
        a, b = model.fit([X, Y]).transform([X, Y])
        zoo = np.array([np.corrcoef(a[:, i], b[:, i])[0, 1] for i in range(k)])
        np.testing.assert_allclose(zoo, rho, atol=1e-9)
    assert abs(linear.CCA(n_components=k).fit([X, Y]).score([X, Y]) - cca_mean_corr(X, Y)) <= 1e-9


# --------------------------------------------------------------------------- records


def test_records_load_and_are_complete() -> None:
    names = [r.name for r in records.RECORDS]
    assert len(names) == len(set(names)) == 10
    for spec in records.RECORDS:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", spec.name)
        assert spec.compares == "representations" and spec.degenerate in ("raise", "nan-warn")
        inv = spec.invariances.as_dict()
        assert tuple(inv) == INVARIANCES and inv["identifiability"] is None
        assert all(type(inv[g]) is bool for g in GROUPS)
        assert tuple(spec.axioms.as_dict()) == AXIOMS
        assert all(type(v) is bool for v in spec.axioms.as_dict().values())
        assert isinstance(spec.value_range[0], float) and isinstance(spec.value_range[1], float)
        assert spec.numpy_fn.__module__ == spec.numpy_path.partition(":")[0]
        assert spec.torch_fn.__module__ == spec.torch_path.partition(":")[0]
        assert spec.numpy_fn.__name__ == spec.torch_fn.__name__
        if spec.kind == "score":
            assert spec.axioms.triangle is False
        if not spec.axioms.symmetry or spec.name == "cca_pillai":
            assert spec.notes  # every asymmetric or unusual declaration is explained


@pytest.mark.parametrize("spec", records.RECORDS, ids=lambda s: s.name)
def test_record_numpy_and_torch_agree_on_registry_shapes(spec: Any) -> None:
    """The generated consistency check of test_registry.py, run on these records before they are registered."""
    for seed, (n, p, q) in enumerate([(12, 3, 4), (20, 5, 2), (9, 1, 1), (30, 6, 6)]):
        rng = np.random.default_rng(1000 + seed)
        X, Y = rng.standard_normal((n, p)), rng.standard_normal((n, q))
        ref = spec.numpy_fn(X, Y)
        assert isinstance(ref, float)
        out = spec.torch_fn(_t(X), _t(Y))
        assert isinstance(out, torch.Tensor) and out.dtype == torch.float64 and out.shape == ()
        assert float(out) == pytest.approx(ref, rel=1e-9, abs=1e-12)
        assert spec.value_range[0] <= ref <= spec.value_range[1]
