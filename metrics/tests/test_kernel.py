"""Tests for the kernel and independence measures (metrics/kernel.py, metrics/torch_kernel.py):
numpy reference vs batched torch, identities, invariances and their counterexamples, metric
axioms, degenerate inputs, messages, gradients, records, and peer libraries."""

from __future__ import annotations

import inspect
import itertools
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from scipy.spatial.distance import pdist

from metrics import kernel as R
from metrics import torch_kernel as T
from metrics._validation import DegenerateInputError
from metrics.records import kernel as records
from metrics.representation import cka_linear

# Tolerances by dtype. float64: numpy and torch take the same route (feature or Gram) with
# different BLAS reductions; observed gaps ~1e-15. float32: the unbiased estimators subtract
# terms of size ||HKH||^2, observed gaps against the float64 oracle ~1e-5 for n <= 50.
TOL64 = 1e-10
TOL32 = 1e-3
INVARIANCE_TOL = 1e-10
REFUTE_MARGIN = 1e-2

NAMES = [
    "hsic_linear",
    "hsic_linear_unbiased",
    "cka_debiased",
    "cka_minibatch",
    "cka_rbf",
    "cka_angular",
    "kernel_alignment",
    "distance_correlation",
    "distance_alignment",
]
#: Measures that never build an n x n matrix when p, q < n.
LINEAR = ["hsic_linear", "hsic_linear_unbiased", "cka_debiased", "cka_minibatch", "cka_angular", "kernel_alignment"]
#: Measures normalised by a norm of the centred input (a constant input is 0/0).
NORMALISED = ["cka_debiased", "cka_minibatch", "cka_rbf", "cka_angular", "distance_correlation", "distance_alignment"]
RANGES = {
    "hsic_linear": (0.0, math.inf),
    "hsic_linear_unbiased": (-math.inf, math.inf),
    "cka_debiased": (-1.0, 1.0),
    "cka_minibatch": (-1.0, 1.0),
    "cka_rbf": (0.0, 1.0),
    "cka_angular": (0.0, math.pi / 2),
    "kernel_alignment": (0.0, 1.0),
    "distance_correlation": (0.0, 1.0),
    "distance_alignment": (0.0, 1.0),
}
#: Options that make the tests exercise several minibatches (and the remainder merge).
OPTIONS: dict[str, dict[str, Any]] = {"cka_minibatch": {"batch_size": 6}}
# (n, p, q): tall, p != q both ways, square, wide X, both wide, single feature, odd n.
SHAPES = [(20, 3, 5), (20, 5, 3), (12, 4, 4), (10, 15, 4), (8, 12, 20), (7, 6, 1), (21, 2, 3)]

#: A small deterministic example (the doctests' X) and a 10-row one for the minibatch.
X6 = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
X10 = np.vstack([X6, [[2.0, 2.0], [3.0, 0.0], [0.0, 2.0], [3.0, 3.0]]])


# --------------------------------------------------------------------------- builders


def _pair(seed: int, n: int, p: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Related but not identical representations, with uneven column scales and an offset."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 10.0, p) + 5.0
    k = min(p, q)
    Y = X[:, :k] @ rng.standard_normal((k, q)) + 0.5 * rng.standard_normal((n, q))
    Y[:, 0] += 5.0 * np.tanh(X[:, 0] - X[:, 0].mean())  # a nonlinear component: kernel measures differ
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


def _t(A: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.tensor(A, dtype=dtype)


def _np(name: str, X: object, Y: object, **kw: Any) -> float:
    return float(getattr(R, name)(X, Y, **{**OPTIONS.get(name, {}), **kw}))


def _torch(name: str, X: torch.Tensor, Y: torch.Tensor, **kw: Any) -> torch.Tensor:
    out: torch.Tensor = getattr(T, name)(X, Y, **{**OPTIONS.get(name, {}), **kw})
    return out


def _close(a: float, b: float, tol: float) -> bool:
    """Absolute tolerance for bounded scores, relative for the unbounded HSIC values."""
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def raises_exactly(error: type[Exception], message: str) -> Any:
    return pytest.raises(error, match=f"^{re.escape(message)}$")


# --------------------------------------------------------------------------- numpy vs torch


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1])
def test_torch_matches_numpy_float64(name: str, shape: tuple[int, int, int], seed: int) -> None:
    X, Y = _pair(seed, *shape)
    ref = _np(name, X, Y)
    out = _torch(name, _t(X), _t(Y))
    assert out.dtype == torch.float64 and out.shape == ()
    assert _close(ref, float(out), TOL64), (ref, float(out))
    lo, hi = RANGES[name]
    assert lo <= ref <= hi


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(15, 4, 6), (9, 12, 3)], ids=["tall", "wide"])
def test_batched_and_broadcast_match_unbatched_numpy(name: str, shape: tuple[int, int, int]) -> None:
    n, p, q = shape
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3, 2, n, p))
    Y = np.einsum("abnp,pq->abnq", X, rng.standard_normal((p, q))) + rng.standard_normal((3, 2, n, q))
    out = _torch(name, _t(X), _t(Y))
    broadcast = _torch(name, _t(X[:, :1]), _t(Y[:1, :]))  # (3, 1) with (1, 2) -> (3, 2)
    assert out.shape == (3, 2) and broadcast.shape == (3, 2)
    for a, b in itertools.product(range(3), range(2)):
        assert _close(float(out[a, b]), _np(name, X[a, b], Y[a, b]), TOL64)
        assert _close(float(broadcast[a, b]), _np(name, X[a, 0], Y[0, b]), TOL64)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(20, 3, 5), (10, 15, 4)], ids=["tall", "wide"])
def test_float32_in_float32_out(name: str, shape: tuple[int, int, int]) -> None:
    X, Y = _pair(3, *shape)
    out = _torch(name, _t(X, torch.float32), _t(Y, torch.float32))
    assert out.dtype == torch.float32 and out.shape == ()
    assert _close(float(out), _np(name, X, Y), TOL32)


@pytest.mark.parametrize("name", NAMES)
def test_integer_inputs_become_float64(name: str) -> None:
    rng = np.random.default_rng(4)
    X = rng.integers(-5, 6, size=(12, 3))
    Y = rng.integers(-5, 6, size=(12, 2))
    ref = _np(name, X.astype(np.float64), Y.astype(np.float64))
    assert _np(name, X, Y) == ref
    out = _torch(name, torch.tensor(X), torch.tensor(Y))
    assert out.dtype == torch.float64
    assert _close(float(out), ref, TOL64)


@pytest.mark.parametrize("name", LINEAR)
def test_no_n_by_n_matrix_when_p_q_below_n(name: str) -> None:
    """n = 200,000: an n x n float64 matrix would need 320 GB, so any such path fails loudly."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((200_000, 3))
    Y = X @ rng.standard_normal((3, 4)) + rng.standard_normal((200_000, 4))
    kw = {"batch_size": 50_000} if name == "cka_minibatch" else {}
    ref = _np(name, X, Y, **kw)
    assert _close(float(_torch(name, _t(X), _t(Y), **kw)), ref, TOL64)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_keeps_device_and_agrees(name: str) -> None:
    X, Y = _pair(26, 15, 4, 3)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # metrics are computed with TF32 off
    try:
        out = _torch(name, _t(X).cuda(), _t(Y).cuda())
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    assert out.device.type == "cuda" and out.dtype == torch.float64
    assert _close(float(out.cpu()), _np(name, X, Y), TOL64)


# --------------------------------------------------------------------------- HSIC: independent checks


def _grams(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return X @ X.T, Y @ Y.T


@pytest.mark.parametrize("shape", [(12, 3, 5), (9, 14, 4)], ids=["tall", "wide"])
def test_hsic_linear_is_trace_khlh_over_n_minus_1_squared(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(30, *shape)
    K, L = _grams(X, Y)
    n = X.shape[0]
    H = np.eye(n) - np.ones((n, n)) / n
    expected = float(np.trace(K @ H @ L @ H)) / (n - 1) ** 2
    assert R.hsic_linear(X, Y) == pytest.approx(expected, rel=1e-11)
    # the V-statistic (1/n^2 normalisation) is the same trace over n^2
    v_stat = (np.mean(K * L) + K.mean() * L.mean() - 2 * np.mean(K.mean(1) * L.mean(1)))
    assert R.hsic_linear(X, Y) * (n - 1) ** 2 / n**2 == pytest.approx(v_stat, rel=1e-10)


@pytest.mark.parametrize("shape", [(12, 3, 5), (9, 14, 4), (6, 2, 2)], ids=["tall", "wide", "tiny"])
def test_hsic_unbiased_equals_song_formula(shape: tuple[int, int, int]) -> None:
    """Song et al. (2012) eq. (5), literally, on the uncentred kernels with zeroed diagonals."""
    X, Y = _pair(31, *shape)
    K, L = _grams(X, Y)
    n = X.shape[0]
    np.fill_diagonal(K, 0.0)
    np.fill_diagonal(L, 0.0)
    one = np.ones(n)
    song = (
        np.trace(K @ L) + (one @ K @ one) * (one @ L @ one) / ((n - 1) * (n - 2)) - 2.0 / (n - 2) * one @ K @ L @ one
    ) / (n * (n - 3))
    assert R.hsic_linear_unbiased(X, Y) == pytest.approx(float(song), rel=1e-9)


def test_hsic_unbiased_is_the_u_statistic() -> None:
    """Enumerate every ordered 4-tuple of distinct indices: the U-statistic of the HSIC kernel
    h = k_ij l_ij + k_ij l_qr - 2 k_ij l_iq, an unbiased estimator by construction."""
    X, Y = _pair(32, 6, 2, 3)
    K, L = _grams(X, Y)
    total, count = 0.0, 0
    for i, j, q, r in itertools.permutations(range(6), 4):
        total += K[i, j] * L[i, j] + K[i, j] * L[q, r] - 2.0 * K[i, j] * L[i, q]
        count += 1
    assert R.hsic_linear_unbiased(X, Y) == pytest.approx(total / count, rel=1e-10)


@pytest.mark.parametrize("shape", [(30, 4, 6), (12, 20, 5), (10, 15, 25)], ids=["tall", "wide", "both_wide"])
def test_unbiased_feature_path_equals_gram_path(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(33, *shape)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    features = R._hsic1_features(Xc, Yc)
    gram = R._hsic1_gram(R._u_centre(X @ X.T), R._u_centre(Y @ Y.T))  # uncentred: U-centring removes it
    assert features == pytest.approx(gram, rel=1e-10)
    tXc, tYc = _t(Xc), _t(Yc)
    assert float(T._hsic1_features(tXc, tYc)) == pytest.approx(gram, rel=1e-10)
    assert float((T._u_centre(_t(X @ X.T)) * T._u_centre(_t(Y @ Y.T))).sum()) == pytest.approx(gram, rel=1e-10)


@pytest.mark.parametrize("shape", [(30, 4, 6), (12, 20, 5), (10, 15, 25)], ids=["tall", "wide", "both_wide"])
def test_debiased_cka_feature_path_equals_gram_path(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(34, *shape)
    n = X.shape[0]
    Xn, Yn = (A - A.mean(0) for A in (X, Y))
    Xn, Yn = Xn / np.linalg.norm(Xn), Yn / np.linalg.norm(Yn)
    features = R._debiased_ratio("t", R._debiased_from_features(Xn, Yn), n)
    gram = R._debiased_ratio("t", R._debiased_from_gram(Xn @ Xn.T, Yn @ Yn.T), n)
    assert abs(features - gram) <= 1e-12
    assert abs(R.cka_debiased(X, Y) - gram) <= 1e-12
    tX, tY = _t(Xn), _t(Yn)
    assert abs(float(T._debiased_ratio("t", T._debiased_from_features(tX, tY), n)) - gram) <= 1e-12
    assert abs(float(T._debiased_ratio("t", T._debiased_from_gram(tX @ tX.T, tY @ tY.T), n)) - gram) <= 1e-12


def test_debiased_cka_is_the_u_centred_cosine_of_kornblith() -> None:
    """Kornblith's reference code: centre_gram(unbiased=True), then the cosine of the results."""
    X, Y = _pair(35, 15, 3, 4)
    Ux, Uy = R._u_centre(X @ X.T), R._u_centre(Y @ Y.T)
    cosine = float(np.sum(Ux * Uy) / (np.linalg.norm(Ux) * np.linalg.norm(Uy)))
    assert abs(R.cka_debiased(X, Y) - cosine) <= 1e-12


def test_debiased_cka_removes_the_bias_of_linear_cka_for_wide_independent_inputs() -> None:
    rng = np.random.default_rng(36)
    X, Y = rng.standard_normal((40, 400)), rng.standard_normal((40, 400))
    assert cka_linear(X, Y) > 0.85  # biased: independent wide inputs look similar
    assert abs(R.cka_debiased(X, Y)) < 0.1


# --------------------------------------------------------------------------- CKA identities


@pytest.mark.parametrize("shape", [(20, 3, 5), (10, 15, 4), (8, 12, 20)], ids=["tall", "wide", "both_wide"])
def test_angular_is_arccos_of_cka_linear(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(40, *shape)
    assert abs(R.cka_angular(X, Y) - math.acos(cka_linear(X, Y))) <= 1e-12
    from metrics import torch_representation as TR

    expected = torch.arccos(TR.cka_linear(_t(X), _t(Y)))
    assert abs(float(T.cka_angular(_t(X), _t(Y))) - float(expected)) <= 1e-12


def test_angular_clips_before_arccos_near_one() -> None:
    """arccos of a CKA a few ulps above 1 would be NaN; X against 3X lands on exactly 0."""
    X, _ = _pair(41, 30, 5, 5)
    for dtype in (torch.float64, torch.float32):
        out = T.cka_angular(_t(X, dtype), _t(3.0 * X, dtype))
        assert bool(torch.isfinite(out)) and 0.0 <= float(out) <= (1e-7 if dtype == torch.float64 else 1e-3)
    assert 0.0 <= R.cka_angular(X, 3.0 * X) <= 1e-7  # the sqrt(eps) floor of arccos near 1


@pytest.mark.parametrize("seed", range(4))
def test_angular_triangle_inequality(seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((12, 3))
    A, B, C = (base @ rng.standard_normal((3, p)) + 0.5 * rng.standard_normal((12, p)) for p in (3, 4, 2))
    d = R.cka_angular
    for x, y, z in itertools.permutations((A, B, C)):
        assert d(x, z) <= d(x, y) + d(y, z) + 1e-12


def test_one_minus_cka_is_not_a_metric_but_the_angle_is() -> None:
    """Why the angle: on three collinear Gram 'directions' 1 - cos breaks the triangle inequality."""
    rng = np.random.default_rng(42)
    Z = rng.standard_normal((20, 2))
    A, C = Z[:, :1], Z[:, 1:]
    B = A + C
    one_minus = [1.0 - cka_linear(x, y) for x, y in ((A, C), (A, B), (B, C))]
    assert one_minus[0] > one_minus[1] + one_minus[2]  # violated by 1 - CKA
    assert R.cka_angular(A, C) <= R.cka_angular(A, B) + R.cka_angular(B, C) + 1e-12


def test_kernel_alignment_of_centred_inputs_is_cka_linear() -> None:
    X, Y = _pair(43, 18, 3, 4)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    assert abs(R.kernel_alignment(Xc, Yc) - cka_linear(X, Y)) <= 1e-12
    K, L = _grams(X, Y)
    assert abs(R.kernel_alignment(X, Y) - float(np.sum(K * L) / (np.linalg.norm(K) * np.linalg.norm(L)))) <= 1e-12


@pytest.mark.parametrize("shape", [(15, 3, 4), (9, 12, 5)], ids=["tall", "wide"])
def test_rbf_cka_tends_to_linear_cka_for_a_wide_bandwidth(shape: tuple[int, int, int]) -> None:
    """exp(-d^2 / 2 s^2) = 1 - d^2 / 2 s^2 + O(s^-4), and H D^2 H = -2 H K H: as s -> inf the
    centred RBF kernel is a multiple of the centred linear kernel (to relative O(s^-2))."""
    X, Y = _pair(44, *shape)
    assert abs(R.cka_rbf(X, Y, fraction=1e4) - cka_linear(X, Y)) <= 1e-6
    assert abs(R.cka_rbf(X, Y, fraction=1e4, debiased=True) - R.cka_debiased(X, Y)) <= 1e-6


def test_rbf_cka_against_an_explicit_kernel() -> None:
    X, Y = _pair(45, 11, 3, 2)

    def kernel(A: np.ndarray, median: str, fraction: float) -> np.ndarray:
        D2 = np.array([[np.sum((a - b) ** 2) for b in A] for a in A])
        values = D2[np.triu_indices(len(A), 1)] if median == "offdiag" else D2.ravel()
        return np.exp(-D2 / (2.0 * fraction**2 * np.median(values)))

    n = X.shape[0]
    H = np.eye(n) - np.ones((n, n)) / n
    for median, fraction in (("offdiag", 1.0), ("all", 0.4)):
        K, L = H @ kernel(X, median, fraction) @ H, H @ kernel(Y, median, fraction) @ H
        expected = float(np.sum(K * L) / (np.linalg.norm(K) * np.linalg.norm(L)))
        assert abs(R.cka_rbf(X, Y, fraction=fraction, median=median) - expected) <= 1e-12  # type: ignore[arg-type]


def test_rbf_median_conventions_differ() -> None:
    """'all' includes the n zero self-distances, so its median is lower: a narrower kernel."""
    X, Y = _pair(46, 10, 3, 3)
    D2 = R._sq_distances(X)
    assert R._median_sq_distance(D2, "all") < R._median_sq_distance(D2, "offdiag")
    assert abs(R.cka_rbf(X, Y, median="all") - R.cka_rbf(X, Y, median="offdiag")) > 1e-3


# --------------------------------------------------------------------------- minibatch CKA


@pytest.mark.parametrize(
    ("n", "b", "expected"),
    [
        (10, 4, [(0, 4), (4, 10)]),  # remainder 2 < 4 joins the last full batch
        (12, 4, [(0, 4), (4, 8), (8, 12)]),
        (14, 5, [(0, 5), (5, 10), (10, 14)]),  # remainder 4 is a batch of its own
        (13, 5, [(0, 5), (5, 13)]),
        (7, 256, [(0, 7)]),
        (4, 4, [(0, 4)]),
    ],
)
def test_batch_bounds(n: int, b: int, expected: list[tuple[int, int]]) -> None:
    assert R._batch_bounds(n, b) == expected


@pytest.mark.parametrize("shape", [(20, 3, 5), (9, 12, 4)], ids=["tall", "wide"])
def test_minibatch_with_one_batch_is_debiased_cka(shape: tuple[int, int, int]) -> None:
    """With batch_size >= n there is one batch: the ratio of means is the ratio itself."""
    X, Y = _pair(50, *shape)
    n = X.shape[0]
    for b in (n, n + 1, 256):
        assert abs(R.cka_minibatch(X, Y, batch_size=b) - R.cka_debiased(X, Y)) <= 1e-12
        assert abs(float(T.cka_minibatch(_t(X), _t(Y), batch_size=b)) - R.cka_debiased(X, Y)) <= 1e-12


@pytest.mark.parametrize(("n", "b"), [(24, 6), (26, 6), (27, 6), (30, 7)])
def test_minibatch_is_ratio_of_mean_unbiased_hsic_over_batches(n: int, b: int) -> None:
    X, Y = _pair(51, n, 3, 4)
    h = R.hsic_linear_unbiased
    xy = xx = yy = 0.0
    for start, stop in R._batch_bounds(n, b):
        Xb, Yb = X[start:stop], Y[start:stop]
        xy, xx, yy = xy + h(Xb, Yb), xx + h(Xb, Xb), yy + h(Yb, Yb)
    assert abs(R.cka_minibatch(X, Y, batch_size=b) - xy / math.sqrt(xx * yy)) <= 1e-12


def test_minibatch_depends_on_row_order() -> None:
    X, Y = _pair(52, 24, 3, 3)
    order = np.random.default_rng(0).permutation(24)
    a = R.cka_minibatch(X, Y, batch_size=6)
    assert abs(a - R.cka_minibatch(X[order], Y[order], batch_size=6)) > 1e-4
    # one batch: a permutation of the samples is invisible to the U-statistic
    assert abs(R.cka_minibatch(X[order], Y[order], batch_size=24) - R.cka_minibatch(X, Y, batch_size=24)) <= 1e-12


# --------------------------------------------------------------------------- distance measures


def test_distances_and_kernels_are_two_views_of_one_matrix() -> None:
    """D = diag(K) 1^T + 1 diag(K)^T - 2 K (squared distances), hence H D H = -2 H K H."""
    X, _ = _pair(60, 9, 3, 3)
    K = X @ X.T
    d = np.diag(K)
    D = R._sq_distances(X)
    assert np.allclose(D, d[:, None] + d[None, :] - 2 * K, rtol=0, atol=1e-10)
    assert np.allclose(R._double_centre(D), -2 * R._double_centre(K), rtol=0, atol=1e-9)


@pytest.mark.parametrize("shape", [(15, 3, 4), (9, 12, 5)], ids=["tall", "wide"])
def test_distance_alignment_identities(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(61, *shape)
    for exponent in (0.5, 1.0, 1.5):
        dcor = R.distance_correlation(X, Y, exponent=exponent)
        assert abs(R.distance_alignment(X, Y, exponent=exponent) - dcor**2) <= 1e-12
    # exponent 2: the centred squared-distance matrices are -2 x the centred linear kernels
    assert abs(R.distance_alignment(X, Y, exponent=2.0) - cka_linear(X, Y)) <= 1e-12
    assert abs(float(T.distance_alignment(_t(X), _t(Y), exponent=2.0)) - cka_linear(X, Y)) <= 1e-12


def test_distance_correlation_against_the_definition() -> None:
    """Szekely et al. (2007): a_kl = |x_k - x_l| - row mean - column mean + grand mean."""
    X, Y = _pair(62, 10, 2, 3)
    n = 10
    a = np.array([[np.linalg.norm(X[k] - X[l]) for l in range(n)] for k in range(n)])
    b = np.array([[np.linalg.norm(Y[k] - Y[l]) for l in range(n)] for k in range(n)])
    A = a - a.mean(0) - a.mean(1)[:, None] + a.mean()
    B = b - b.mean(0) - b.mean(1)[:, None] + b.mean()
    dcov2, dvarx, dvary = (np.mean(M * N) for M, N in ((A, B), (A, A), (B, B)))
    assert abs(R.distance_correlation(X, Y) - math.sqrt(dcov2 / math.sqrt(dvarx * dvary))) <= 1e-12


def test_distance_correlation_of_independent_noise_is_small_and_of_a_function_is_large() -> None:
    rng = np.random.default_rng(63)
    x = rng.uniform(-1, 1, (400, 1))
    assert R.distance_correlation(x, rng.standard_normal((400, 1))) < 0.15
    assert R.distance_correlation(x, x**2) > 0.4  # Pearson correlation of x and x^2 is ~0
    assert abs(np.corrcoef(x[:, 0], x[:, 0] ** 2)[0, 1]) < 0.15


def test_duplicated_rows_are_exact_zeros_in_torch() -> None:
    """torch.cdist without the matrix-product shortcut: coincident rows are at distance 0 exactly,
    so the torch value agrees with pdist's to rounding, and the gradients stay finite."""
    X, Y = _pair(64, 30, 3, 2)
    X[5] = X[4]
    X[17] = X[4]
    tX = _t(X).requires_grad_(True)
    out = T.distance_correlation(tX, _t(Y), exponent=0.5)
    assert abs(float(out.detach()) - R.distance_correlation(X, Y, exponent=0.5)) <= TOL64
    out.backward()
    assert tX.grad is not None and bool(torch.isfinite(tX.grad).all())


# --------------------------------------------------------------------------- invariances


def _transform(kind: str, X: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = X.shape[1]
    if kind == "translation":
        return X + rng.normal(0.0, 100.0, p)
    if kind == "isotropic_scaling":
        return -37.5 * X
    if kind == "orthogonal":
        return X @ _orthogonal(seed, p)
    if kind == "permutation":
        return X[:, rng.permutation(p)]
    if kind == "invertible_linear":
        return X @ _invertible(seed, p)
    raise AssertionError(kind)


GROUPS = ("translation", "isotropic_scaling", "orthogonal", "invertible_linear", "permutation")
#: measure -> its registry record (the declarations under test).
RECORD_OF = {r.numpy_path.partition(":")[2]: r for r in records.RECORDS}
HOLDS = [(m, g) for m, r in RECORD_OF.items() for g in GROUPS if r.invariances.as_dict()[g]]
FAILS = [(m, g) for m, r in RECORD_OF.items() for g in GROUPS if not r.invariances.as_dict()[g]]


@pytest.mark.parametrize(("name", "kind"), HOLDS)
@pytest.mark.parametrize("seed", range(2))
def test_declared_invariance_holds(name: str, kind: str, seed: int) -> None:
    X, Y = _pair(seed, 20, 4, 3)
    base = _np(name, X, Y)
    TX, TY = _transform(kind, X, seed + 100), _transform(kind, Y, seed + 200)
    assert _close(_np(name, TX, Y), base, INVARIANCE_TOL)
    assert _close(_np(name, X, TY), base, INVARIANCE_TOL)
    assert _close(_np(name, TX, TY), base, INVARIANCE_TOL)
    assert _close(float(_torch(name, _t(TX), _t(TY))), base, INVARIANCE_TOL)


#: A concrete counterexample for every declared non-invariance: the map applied to X10.
COUNTEREXAMPLES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "invertible_linear": lambda X: X @ np.diag([10.0, 1.0]),  # stretch one feature tenfold
    "isotropic_scaling": lambda X: 2.0 * X,  # HSIC scales by 4
    "translation": lambda X: X + np.array([3.0, -1.0]),  # uncentred kernels see the offset
}


@pytest.mark.parametrize(("name", "kind"), FAILS)
def test_declared_non_invariance_is_refuted(name: str, kind: str) -> None:
    Y = np.column_stack([X10[:, 0] ** 2, X10[:, 1] - X10[:, 0]])
    base = _np(name, X10, Y, **({"batch_size": 5} if name == "cka_minibatch" else {}))
    moved = _np(name, COUNTEREXAMPLES[kind](X10), Y, **({"batch_size": 5} if name == "cka_minibatch" else {}))
    assert abs(moved - base) >= REFUTE_MARGIN * max(1.0, abs(base)), (base, moved)


def test_rbf_scale_invariance_needs_the_median_bandwidth() -> None:
    """The positive control: the same CKA with sigma fixed (at X's median distance) changes under X -> 3 X."""
    X, Y = _pair(70, 15, 3, 3)
    sigma2 = {id(X): float(np.median(pdist(X, "sqeuclidean"))), id(Y): float(np.median(pdist(Y, "sqeuclidean")))}

    def fixed(A: np.ndarray, key: np.ndarray) -> np.ndarray:
        return R._double_centre(np.exp(-R._sq_distances(A) / (2.0 * sigma2[id(key)])))

    def cos(K: np.ndarray, L: np.ndarray) -> float:
        return float(np.sum(K * L) / (np.linalg.norm(K) * np.linalg.norm(L)))

    assert abs(cos(fixed(3.0 * X, X), fixed(Y, Y)) - cos(fixed(X, X), fixed(Y, Y))) > REFUTE_MARGIN
    assert abs(R.cka_rbf(3.0 * X, Y) - R.cka_rbf(X, Y)) <= INVARIANCE_TOL


def test_every_declaration_is_exercised() -> None:
    assert len(HOLDS) + len(FAILS) == len(RECORD_OF) * len(GROUPS)
    assert {k for _, k in FAILS} <= set(COUNTEREXAMPLES)


# --------------------------------------------------------------------------- axioms and ranges


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", range(2))
def test_symmetric(name: str, seed: int) -> None:
    X, Y = _pair(seed, 15, 3, 5)
    assert RECORD_OF[name].axioms.symmetry
    assert _close(_np(name, X, Y), _np(name, Y, X), 1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_identity_axiom_as_declared(name: str) -> None:
    X, _ = _pair(14, 15, 4, 4)
    spec = RECORD_OF[name]
    value = _np(name, X, X)
    if spec.axioms.identity:
        expected = 0.0 if spec.kind == "distance" else spec.value_range[1]
        assert abs(value - expected) <= 1e-7  # distance: sqrt(eps) floor of arccos near 1
    else:  # HSIC is unbounded: HSIC(X, X) is beaten by HSIC(X, 2X)
        assert _np(name, X, 2.0 * X) > value


def test_unbiased_estimators_go_negative_as_declared() -> None:
    """nonnegativity False for the unbiased family: independent inputs give negative values."""
    rng = np.random.default_rng(71)
    seen = {"hsic_linear_unbiased": False, "cka_debiased": False, "cka_minibatch": False}
    for _ in range(20):
        X, Y = rng.standard_normal((12, 3)), rng.standard_normal((12, 2))
        for name in seen:
            value = _np(name, X, Y)
            assert not math.isnan(value)
            seen[name] |= value < 0
    assert all(seen.values()), seen
    assert all(not RECORD_OF[name].axioms.nonnegativity for name in seen)


@pytest.mark.parametrize("name", [n for n in NAMES if RECORD_OF[n].axioms.nonnegativity])
def test_declared_nonnegative_on_independent_inputs(name: str) -> None:
    rng = np.random.default_rng(72)
    for _ in range(10):
        assert _np(name, rng.standard_normal((10, 3)), rng.standard_normal((10, 2))) >= 0.0


def test_records_match_docstring_tables() -> None:
    """Every numpy docstring's invariance table states the registry's declarations."""
    labels = {
        "translation": "translation",
        "isotropic scaling": "isotropic_scaling",
        "orthogonal": "orthogonal",
        "invertible linear": "invertible_linear",
        "feature permutation": "permutation",
    }
    for name, spec in RECORD_OF.items():
        doc = inspect.getdoc(getattr(R, name)) or ""
        table = {}
        for line in doc.splitlines():
            for label, group in labels.items():
                if line.startswith(label + " (") and line.split()[-1] in ("True", "False"):
                    table[group] = line.split()[-1] == "True"
        assert table == {g: spec.invariances.as_dict()[g] for g in GROUPS}, name
        torch_doc = inspect.getdoc(getattr(T, name)) or ""
        assert "Invariances:" in torch_doc, name


def test_records_load_and_resolve() -> None:
    assert len(records.RECORDS) == 9
    assert len({r.name for r in records.RECORDS}) == 9
    for spec in records.RECORDS:
        assert spec.numpy_fn.__module__ == "metrics.kernel"
        assert spec.torch_fn.__module__ == "metrics.torch_kernel"
        assert spec.compares == "representations" and spec.invariances.identifiability is None
        assert spec.kind == "score" or spec.axioms.triangle  # the one distance is a metric
        assert not (spec.kind == "score" and spec.axioms.triangle)
        X, Y = _pair(73, 10, 3, 2)
        value = spec.numpy_fn(X, Y)
        assert isinstance(value, float) and spec.value_range[0] <= value <= spec.value_range[1]
        assert spec.torch_fn(_t(X), _t(Y)).shape == ()


# --------------------------------------------------------------------------- degenerate inputs


def _constant_message(name: str, which: str) -> str:
    return (
        f"{name}: {which} must have at least one non-constant column (a constant {which} is the zero matrix once "
        f"centred, and the score would be 0/0); got every column of {which} constant ({which}.shape=(6, 3)). "
        "Drop constant representations before comparing them."
    )


@pytest.mark.parametrize("name", NORMALISED)
@pytest.mark.parametrize("which", ["X", "Y"])
@pytest.mark.parametrize("fill", [0.0, 0.1], ids=["zero", "constant"])
def test_constant_input_raises(name: str, which: str, fill: float) -> None:
    rng = np.random.default_rng(19)
    good, bad = rng.standard_normal((6, 3)), np.full((6, 3), fill)
    X, Y = (bad, good) if which == "X" else (good, bad)
    with raises_exactly(DegenerateInputError, _constant_message(name, which)):
        _np(name, X, Y)
    with raises_exactly(DegenerateInputError, _constant_message(name, which)):
        _torch(name, _t(X), _t(Y))


@pytest.mark.parametrize("name", ["hsic_linear", "hsic_linear_unbiased"])
def test_hsic_of_a_constant_input_is_zero(name: str) -> None:
    rng = np.random.default_rng(20)
    X = rng.standard_normal((8, 3))
    for C in (np.zeros((8, 2)), np.full((8, 2), 4.0)):
        assert _np(name, X, C) == 0.0 and _np(name, C, X) == 0.0
        out = _torch(name, _t(C).requires_grad_(True), _t(X))
        assert float(out.detach()) == 0.0
        out.backward()  # the detached rescaling keeps the gradient finite at a constant input


def test_kernel_alignment_zero_raises_but_constant_is_fine() -> None:
    rng = np.random.default_rng(21)
    X = rng.standard_normal((6, 3))
    message = (
        "kernel_alignment: Y must not be the zero matrix (its kernel would be zero, and the alignment 0/0); "
        "got Y == 0 (Y.shape=(6, 2))."
    )
    with raises_exactly(DegenerateInputError, message):
        R.kernel_alignment(X, np.zeros((6, 2)))
    with raises_exactly(DegenerateInputError, message):
        T.kernel_alignment(_t(X), torch.zeros(6, 2, dtype=torch.float64))
    # a constant nonzero input is a valid uncentred kernel (all ones): no error
    assert 0.0 <= R.kernel_alignment(X, np.ones((6, 2))) <= 1.0
    batch = torch.zeros(2, 6, 2, dtype=torch.float64)
    batch[0] = 1.0
    with pytest.raises(DegenerateInputError, match=re.escape("got Y[1] == 0 (Y.shape=(2, 6, 2); 1 such matrices")):
        T.kernel_alignment(_t(X), batch)


UNBIASED = ["hsic_linear_unbiased", "cka_debiased", "cka_minibatch"]


@pytest.mark.parametrize("name", UNBIASED + ["cka_rbf"])
@pytest.mark.parametrize("n", [2, 3])
def test_fewer_than_four_rows_raise_for_the_unbiased_estimator(name: str, n: int) -> None:
    rng = np.random.default_rng(22)
    X, Y = rng.standard_normal((n, 2)), rng.standard_normal((n, 3))
    kw = {"debiased": True} if name == "cka_rbf" else {}
    message = (
        f"{name}: X and Y must have at least 4 rows (samples) for the unbiased HSIC estimator, whose "
        f"normalisation divides by n (n - 3) and by (n - 2); got n={n} (X.shape=({n}, 2), Y.shape=({n}, 3)). "
        "Use more samples, or the biased estimator (hsic_linear, cka_linear)."
    )
    with raises_exactly(DegenerateInputError, message):
        _np(name, X, Y, **kw)
    with raises_exactly(DegenerateInputError, message):
        _torch(name, _t(X), _t(Y), **kw)


def _zero_u_inputs() -> dict[str, np.ndarray]:
    """Inputs whose U-centred linear kernel is zero (additive squared distances)."""
    rng = np.random.default_rng(23)
    outlier = np.zeros((30, 4))
    outlier[7] = rng.standard_normal(4)  # all rows equal but one: feature path (p < n)
    rays = np.zeros((30, 5))
    rays[:3, :3] = np.diag([1.0, 2.0, 0.5])  # points on orthogonal rays from a common point
    rays = rays @ _orthogonal(1, 5) + 3.0  # rotated and shifted: the rounding is not trivial
    return {"outlier": outlier, "rays": rays, "one_hot": np.eye(9)[:, :9]}  # one-hot: Gram path (p = n)


@pytest.mark.parametrize("case", ["outlier", "rays", "one_hot"])
@pytest.mark.parametrize("name", ["cka_debiased", "cka_minibatch"])
def test_zero_u_centred_kernel_raises(case: str, name: str) -> None:
    X = _zero_u_inputs()[case]
    Y = np.random.default_rng(24).standard_normal((X.shape[0], 3))
    rule = (
        f"{name}: X must have a nonzero U-centred kernel matrix U(K) (the debiased score divides by "
        "||U(K)||_F, the square root of the unbiased self-HSIC); it vanishes exactly when the "
        "off-diagonal kernel entries are additive, K_ij = a_i + a_j (linear kernel: squared distances "
        "d_ij^2 = w_i + w_j, e.g. one-hot rows, a regular simplex, all rows but one equal); got ||U(K)||^2 / ||H K H||^2 = "
    )
    kw = {"batch_size": 256} if name == "cka_minibatch" else {}
    with pytest.raises(DegenerateInputError, match="^" + re.escape(rule)) as info:
        _np(name, X, Y, **kw)
    assert str(info.value).endswith(
        f"for X (n={X.shape[0]}). Use a biased estimator (cka_linear, or cka_rbf with debiased=False) for such a "
        "representation."
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(rule)):
        _torch(name, _t(X), _t(Y), **kw)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(rule)):
        _torch(name, _t(X, torch.float32), _t(Y, torch.float32), **kw)
    # Y degenerate: the message names Y
    with pytest.raises(DegenerateInputError, match=re.escape(f"{name}: Y must have a nonzero U-centred kernel")):
        _np(name, Y, X, **kw)


def test_near_degenerate_inputs_do_not_raise() -> None:
    """A one-hot code plus small noise is legitimate: the threshold is relative rounding, not data."""
    rng = np.random.default_rng(25)
    X = np.eye(12)[:, :6] + 1e-3 * rng.standard_normal((12, 6))
    Y = rng.standard_normal((12, 3))
    value = R.cka_debiased(X, Y)
    assert -1.0 <= value <= 1.0
    assert abs(float(T.cka_debiased(_t(X), _t(Y))) - value) <= 1e-9


def test_zero_u_centred_rbf_kernel_raises_when_debiased() -> None:
    """Equidistant points (one-hot rows): every off-diagonal RBF entry is equal, U(K) = 0."""
    X = np.eye(8)
    Y = np.random.default_rng(26).standard_normal((8, 3))
    assert 0.0 <= R.cka_rbf(X, Y) <= 1.0  # the biased estimator is defined
    with pytest.raises(DegenerateInputError, match=re.escape("cka_rbf: X must have a nonzero U-centred kernel")):
        R.cka_rbf(X, Y, debiased=True)
    with pytest.raises(DegenerateInputError, match=re.escape("cka_rbf: X must have a nonzero U-centred kernel")):
        T.cka_rbf(_t(X), _t(Y), debiased=True)


def test_torch_zero_u_checked_per_batch_element() -> None:
    X = np.stack([_pair(27, 30, 4, 4)[0], _zero_u_inputs()["outlier"]])
    Y = np.random.default_rng(27).standard_normal((30, 3))
    with pytest.raises(DegenerateInputError, match=re.escape("for X[1] (n=30, 1 such elements in the batch)")):
        T.cka_debiased(_t(X), _t(Y))


def test_rbf_zero_median_raises() -> None:
    rng = np.random.default_rng(28)
    Y = rng.standard_normal((8, 2))
    X = np.vstack([np.zeros((6, 2)), rng.standard_normal((2, 2))])  # 15 of 28 pairs coincide
    message = (
        "cka_rbf: the median squared distance between the rows of X must be positive (it sets the RBF "
        "bandwidth); got median=0.0 over the distinct pairs (X.shape=(8, 2)): more than half of them are zero. "
        "Remove duplicated rows."
    )
    with raises_exactly(DegenerateInputError, message):
        R.cka_rbf(X, Y)
    with pytest.raises(DegenerateInputError, match=re.escape("got median=0 for X over the distinct pairs")):
        T.cka_rbf(_t(X), _t(Y))


def test_rbf_median_all_can_vanish_where_offdiag_does_not() -> None:
    """Rows [a, a, b]: one pair in three coincides (offdiag median > 0), but 5 of the 9 entries of
    the full distance matrix are zero (three on the diagonal), so the 'all' median is 0."""
    X = np.array([[0.0, 1.0], [0.0, 1.0], [2.0, 0.0]])
    Y = np.array([[1.0], [2.0], [4.0]])
    assert 0.0 <= R.cka_rbf(X, Y, median="offdiag") <= 1.0
    with pytest.raises(DegenerateInputError, match=re.escape('use median="offdiag" (which ignores the zero diagonal)')):
        R.cka_rbf(X, Y, median="all")
    with pytest.raises(DegenerateInputError, match=re.escape("got median=0 for X over the n^2 entries")):
        T.cka_rbf(_t(X), _t(Y), median="all")


def test_torch_constant_checked_per_batch_element() -> None:
    rng = np.random.default_rng(29)
    X = rng.standard_normal((2, 3, 6, 4))
    X[1, 2] = 7.0
    for name in NORMALISED:
        with pytest.raises(DegenerateInputError, match=re.escape("got every column of X[1, 2] constant")):
            _torch(name, _t(X), _t(rng.standard_normal((6, 2))))


# --------------------------------------------------------------------------- validation messages


NUMPY_MESSAGES = [
    ("1-D", np.arange(5.0), np.ones((5, 2)), ValueError,
     "{f}: X must be a 2-D matrix; got X.shape=(5,). Use X.reshape(-1, 1) for a single feature."),
    ("rows", np.ones((5, 2)), np.ones((4, 2)), ValueError,
     "{f}: X and Y must have the same number of rows (samples); got X.shape=(5, 2) and Y.shape=(4, 2)."),
    ("complex", np.ones((3, 2)), np.ones((3, 2), dtype=complex), TypeError,
     "{f}: Y must be real-valued; got Y.dtype=complex128. Pass the real part explicitly if that is what you mean."),
    ("one-row", np.ones((1, 3)), np.ones((1, 3)), ValueError, "{f}: X must have at least 2 rows; got X.shape=(1, 3)."),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("case", "X", "Y", "error", "template"), NUMPY_MESSAGES, ids=[c[0] for c in NUMPY_MESSAGES])
def test_numpy_validation_messages(name: str, case: str, X: object, Y: object, error: type[Exception], template: str) -> None:
    with raises_exactly(error, template.format(f=name)):
        getattr(R, name)(X, Y)


def test_numpy_nan_message() -> None:
    X = np.array([[0.0, 1.0], [np.nan, 2.0], [3.0, 1.0], [1.0, 1.0]])
    pattern = r"^cka_debiased: X must contain only finite values; got X\[1, 0\]=(nan|np\.float64\(nan\)) \(1 non-finite entry\)\.$"
    with pytest.raises(ValueError, match=pattern):
        R.cka_debiased(X, np.ones((4, 1)))


TORCH_MESSAGES = [
    ("not-tensor", np.ones((3, 2)), torch.ones(3, 2), TypeError, "{f}: X must be a torch.Tensor; got ndarray."),
    ("rows", torch.ones(2, 5, 2), torch.ones(4, 2), ValueError,
     "{f}: X and Y must have the same number of rows (samples, the second-to-last dimension); got X.shape=(2, 5, 2) and Y.shape=(4, 2)."),
    ("batch", torch.ones(2, 5, 2), torch.ones(3, 5, 2), ValueError,
     "{f}: the batch dimensions of X and Y (all but the last two) must broadcast against each other; got X.shape=(2, 5, 2) and Y.shape=(3, 5, 2)."),
    ("dtype", torch.ones(5, 2), torch.ones(5, 2, dtype=torch.float64), TypeError,
     "{f}: X and Y must have the same dtype (nothing is converted silently); got X.dtype=torch.float32 and Y.dtype=torch.float64. Cast one of them explicitly, e.g. Y.to(X.dtype)."),
    ("NaN", torch.tensor([[0.0, 1.0], [float("nan"), 2.0], [3.0, 1.0]]), torch.ones(3, 1), ValueError,
     "{f}: X must contain only finite values; got 1 non-finite entry in X."),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("case", "X", "Y", "error", "template"), TORCH_MESSAGES, ids=[c[0] for c in TORCH_MESSAGES])
def test_torch_validation_messages(name: str, case: str, X: object, Y: object, error: type[Exception], template: str) -> None:
    with raises_exactly(error, template.format(f=name)):
        getattr(T, name)(X, Y)


OPTION_MESSAGES = [
    ("cka_rbf", {"fraction": 0.0}, ValueError, "cka_rbf: fraction must lie in (0.0, inf); got fraction=0.0."),
    ("cka_rbf", {"fraction": -1}, ValueError, "cka_rbf: fraction must lie in (0.0, inf); got fraction=-1."),
    ("cka_rbf", {"fraction": "1"}, TypeError, "cka_rbf: fraction must be a real number; got fraction='1' (str)."),
    ("cka_rbf", {"median": "mean"}, ValueError, "cka_rbf: median must be \"offdiag\" or \"all\"; got median='mean'."),
    ("cka_minibatch", {"batch_size": 3}, ValueError, "cka_minibatch: batch_size must be >= 4; got batch_size=3."),
    ("cka_minibatch", {"batch_size": 8.0}, TypeError, "cka_minibatch: batch_size must be an integer; got batch_size=8.0 (float)."),
    ("distance_correlation", {"exponent": 0.0}, ValueError,
     "distance_correlation: exponent must lie in (0.0, 2.0]; got exponent=0.0."),
    ("distance_correlation", {"exponent": 2.5}, ValueError,
     "distance_correlation: exponent must lie in (0.0, 2.0]; got exponent=2.5."),
    ("distance_alignment", {"exponent": -1.0}, ValueError,
     "distance_alignment: exponent must lie in (0.0, 2.0]; got exponent=-1.0."),
]


@pytest.mark.parametrize(("name", "kw", "error", "message"), OPTION_MESSAGES)
def test_option_messages(name: str, kw: dict[str, Any], error: type[Exception], message: str) -> None:
    X, Y = _pair(80, 8, 2, 2)
    with raises_exactly(error, message):
        getattr(R, name)(X, Y, **kw)
    with raises_exactly(error, message):
        getattr(T, name)(_t(X), _t(Y), **kw)


def test_options_are_keyword_only() -> None:
    """A positional option is a TypeError from Python itself (the options follow ``*``)."""
    X, Y = _pair(81, 8, 2, 2)
    for module, arrays in ((R, (X, Y)), (T, (_t(X), _t(Y)))):
        for name in ("cka_rbf", "cka_minibatch", "distance_correlation", "distance_alignment"):
            fn: Callable[..., Any] = getattr(module, name)
            with pytest.raises(TypeError, match="positional argument"):
                fn(*arrays, 8)


# --------------------------------------------------------------------------- gradients


def _grad_inputs(seed: int, n: int, p: int, q: int, *, batch: tuple[int, ...] = ()) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    X = torch.tensor(rng.standard_normal((*batch, n, p)), requires_grad=True)
    Y = torch.tensor(rng.standard_normal((*batch, n, q)), requires_grad=True)
    return X, Y


GRAD_CASES = [
    ("hsic_linear", {}),
    ("hsic_linear_unbiased", {}),
    ("cka_debiased", {}),
    ("cka_minibatch", {"batch_size": 4}),
    ("cka_rbf", {}),
    ("cka_rbf", {"median": "all", "fraction": 0.7}),
    ("cka_rbf", {"debiased": True}),
    ("cka_angular", {}),
    ("kernel_alignment", {}),
    ("distance_correlation", {}),
    ("distance_alignment", {"exponent": 0.5}),
]


@pytest.mark.parametrize(("name", "kw"), GRAD_CASES, ids=[f"{n}-{k}" for n, k in GRAD_CASES])
@pytest.mark.parametrize("shape", [(9, 3, 2), (6, 8, 3)], ids=["tall", "wide"])
def test_gradcheck(name: str, kw: dict[str, Any], shape: tuple[int, int, int]) -> None:
    X, Y = _grad_inputs(90, *shape)
    assert torch.autograd.gradcheck(lambda A, B: getattr(T, name)(A, B, **kw), (X, Y))


@pytest.mark.parametrize("name", ["cka_debiased", "cka_rbf", "distance_correlation"])
def test_gradcheck_batched(name: str) -> None:
    X, Y = _grad_inputs(91, 7, 3, 2, batch=(2,))
    assert torch.autograd.gradcheck(getattr(T, name), (X, Y))


# --------------------------------------------------------------------------- peers


def test_peer_dcor_distance_correlation() -> None:
    """dcor (pip install dcor): the biased V-statistic, R_n; exact agreement expected."""
    dcor = pytest.importorskip("dcor")
    for seed, (n, p, q) in enumerate([(20, 3, 5), (31, 1, 1), (12, 15, 2)]):
        X, Y = _pair(100 + seed, n, p, q)
        assert abs(R.distance_correlation(X, Y) - float(dcor.distance_correlation(X, Y))) <= 1e-12
        for exponent in (0.5, 1.5):
            expected = float(dcor.distance_correlation_sqr(X, Y, exponent=exponent))
            assert abs(R.distance_alignment(X, Y, exponent=exponent) - expected) <= 1e-12
            assert abs(float(T.distance_alignment(_t(X), _t(Y), exponent=exponent)) - expected) <= 1e-12


def test_peer_ckatorch_linear_and_debiased() -> None:
    """ckatorch (pip install ckatorch), adapted from Kornblith's reference code: hsic0 is the biased
    HSIC with 1/(n-1)^2, hsic1 the unbiased one, cka_base(unbiased=True) the U-centred cosine."""
    ckatorch = pytest.importorskip("ckatorch")
    for seed, (n, p, q) in enumerate([(20, 3, 5), (13, 20, 4)]):
        X, Y = _pair(110 + seed, n, p, q)
        tX, tY = _t(X), _t(Y)
        K, L = tX @ tX.T, tY @ tY.T
        assert abs(R.cka_debiased(X, Y) - float(ckatorch.cka_base(tX, tY, unbiased=True))) <= 1e-12
        assert R.hsic_linear(X, Y) == pytest.approx(float(ckatorch.hsic0(K, L)), rel=1e-11)
        assert R.hsic_linear_unbiased(X, Y) == pytest.approx(float(ckatorch.hsic1(K[None], L[None])), rel=1e-9)


def test_peer_ckatorch_minibatch() -> None:
    """ckatorch.cka_batch takes the batches as a (k, b, p) tensor; with n = k b the two agree."""
    ckatorch = pytest.importorskip("ckatorch")
    X, Y = _pair(120, 40, 3, 5)
    expected = float(ckatorch.cka_batch(_t(X).reshape(4, 10, 3), _t(Y).reshape(4, 10, 5)))
    assert abs(R.cka_minibatch(X, Y, batch_size=10) - expected) <= 1e-12


def test_peer_ckatorch_rbf_median_convention() -> None:
    """ckatorch (as Kornblith's code) takes the median over all n^2 squared distances, our
    median="all". Its torch.median returns the LOWER middle value of an even count where numpy
    (and we) average the two middle values: identical for odd n (n^2 odd), different for even n.
    The difference is pinned exactly: rescaling fraction by sqrt(lower / average median)
    reproduces ckatorch's kernel."""
    ckatorch = pytest.importorskip("ckatorch")
    X, Y = _pair(130, 21, 3, 2)  # n odd
    for fraction, debiased in ((1.0, False), (0.5, True)):
        expected = float(ckatorch.cka_base(_t(X), _t(Y), kernel="rbf", threshold=fraction, unbiased=debiased))
        assert abs(R.cka_rbf(X, Y, fraction=fraction, median="all", debiased=debiased) - expected) <= 1e-12
    X, Y = _pair(131, 20, 3, 2)  # n even
    theirs = float(ckatorch.cka_base(_t(X), _t(Y), kernel="rbf"))
    assert abs(R.cka_rbf(X, Y, median="all") - theirs) > 1e-6  # the documented difference
    # ...and it is only the median: the same value once each bandwidth uses the lower middle value
    def lower_over_average(A: np.ndarray) -> float:
        values = np.sort(R._sq_distances(A).ravel())
        m = len(values)
        return float(values[(m - 1) // 2] / np.median(values))

    assert lower_over_average(X) != 1.0
    n = X.shape[0]
    H = np.eye(n) - 1.0 / n
    Ks = []
    for A in (X, Y):
        D2 = R._sq_distances(A)
        Ks.append(H @ np.exp(-D2 / (2.0 * np.median(D2) * lower_over_average(A))) @ H)
    pinned = float(np.sum(Ks[0] * Ks[1]) / (np.linalg.norm(Ks[0]) * np.linalg.norm(Ks[1])))
    assert abs(pinned - theirs) <= 1e-12


def test_peer_torch_cka_unbiased_hsic() -> None:
    """torch-cka (pip install torch-cka): CKA._HSIC is Nguyen et al.'s eq. (3) on kernels whose
    diagonal the caller has zeroed; it builds float32 ones, so it only accepts float32 kernels."""
    torch_cka = pytest.importorskip("torch_cka")

    class _Device:
        device = "cpu"

    X, Y = _pair(140, 25, 3, 4)
    K, L = _t(X @ X.T, torch.float32), _t(Y @ Y.T, torch.float32)
    K.fill_diagonal_(0.0)
    L.fill_diagonal_(0.0)
    theirs = torch_cka.CKA._HSIC(_Device(), K, L)
    assert theirs == pytest.approx(R.hsic_linear_unbiased(X, Y), rel=1e-4)  # float32 arithmetic
