"""The fast routes of issue 5 against the plain ones they replace (metrics/representation.py and users).

* CCA family and shape metrics: the Cholesky QR2 route (``_frames``: bases
  never formed) must give the values of the SVD route (explicit n x r bases)
  up to rounding, in numpy and torch, with constant columns, ranks that the
  SVD route would truncate, and batches that mix them; it must step aside
  (return None) for rank deficient, very ill-conditioned or wide inputs.
* CKA, HSIC, Procrustes and d_SVD normalise small products instead of the
  data: huge and tiny scales must take the guarded route and agree.
* Validation: a finite sum proves finiteness; an overflowing sum of finite
  entries must still be accepted.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
import torch

from metrics import (
    cca,
    kernel,
    model_distances,
    representation,
    shape,
    torch_cca,
    torch_kernel,
    torch_model_distances,
    torch_representation,
    torch_shape,
)
from metrics._validation import SaturationWarning, as_float_matrix, as_float_tensor

RTOL = 1e-12  # well-conditioned inputs: the two routes differ by rounding only

NUMPY_MEASURES: dict[str, Callable[..., Any]] = {
    "cca_mean_corr": representation.cca_mean_corr,
    "cca_mean_sq_corr": cca.cca_mean_sq_corr,
    "cca_pillai_trace": cca.cca_pillai_trace,
    "svcca": cca.svcca,
    "svcca_keep3": lambda X, Y: cca.svcca(X, Y, keep=3),
    "pwcca": cca.pwcca,
    "pwcca_by_y": cca.pwcca_by_y,
    "pwcca_fewer": lambda X, Y: cca.pwcca(X, Y, weight_by="fewer"),
    "shape_angular_a0": shape.shape_angular_a0,
    "shape_angular_a05": shape.shape_angular_a05,
    "shape_euclidean_a05": shape.shape_euclidean_a05,
    "shape_angular_a03_raw": lambda X, Y: shape.shape_angular_distance(X, Y, alpha=0.3, normalize=False),
    "shape_euclidean_a0_raw": lambda X, Y: shape.shape_euclidean_distance(X, Y, alpha=0.0, normalize=False),
}
TORCH_MEASURES: dict[str, Callable[..., Any]] = {
    "cca_mean_corr": torch_representation.cca_mean_corr,
    "cca_mean_sq_corr": torch_cca.cca_mean_sq_corr,
    "cca_pillai_trace": torch_cca.cca_pillai_trace,
    "svcca": torch_cca.svcca,
    "svcca_keep3": lambda X, Y: torch_cca.svcca(X, Y, keep=3),
    "pwcca": torch_cca.pwcca,
    "pwcca_by_y": torch_cca.pwcca_by_y,
    "pwcca_fewer": lambda X, Y: torch_cca.pwcca(X, Y, weight_by="fewer"),
    "shape_angular_a0": torch_shape.shape_angular_a0,
    "shape_angular_a05": torch_shape.shape_angular_a05,
    "shape_euclidean_a05": torch_shape.shape_euclidean_a05,
    "shape_angular_a03_raw": lambda X, Y: torch_shape.shape_angular_distance(X, Y, alpha=0.3, normalize=False),
    "shape_euclidean_a0_raw": lambda X, Y: torch_shape.shape_euclidean_distance(X, Y, alpha=0.0, normalize=False),
}
#: modules that import ``_frames`` by name, per implementation
NUMPY_USERS = (representation, cca, shape)
TORCH_USERS = (torch_representation, torch_cca, torch_shape)


def _pair(seed: int, n: int, p: int, q: int, *, constant: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Related inputs with uneven column scales and offsets; ``constant`` dead columns appended to X."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 10.0, p) + rng.uniform(-5.0, 5.0, p)
    k = min(p, q)
    Y = X[:, :k] @ rng.standard_normal((k, q)) + 0.5 * rng.standard_normal((n, q)) + 3.0
    if constant:
        X = np.hstack([X, np.full((n, constant), 4.0)])
    return X, Y


@contextmanager
def _svd_route(monkeypatch: pytest.MonkeyPatch, users: tuple[Any, ...]) -> Iterator[None]:
    """Force the SVD route: ``_frames`` returns None in every module that uses it."""
    with monkeypatch.context() as m:
        for module in users:
            m.setattr(module, "_frames", lambda *args: None)
        yield


def _quiet(fn: Callable[..., Any], X: Any, Y: Any) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        return float(fn(X, Y))


def _frames_of(X: np.ndarray, Y: np.ndarray) -> Any:
    Xc, cx = representation._centre_mask(X)
    Yc, cy = representation._centre_mask(Y)
    return representation._frames(Xc, Yc, cx, cy)


# --------------------------------------------------------------------------- Cholesky QR2 vs SVD


@pytest.mark.parametrize("name", sorted(NUMPY_MEASURES))
@pytest.mark.parametrize(("seed", "n", "p", "q", "constant"), [(0, 60, 5, 3, 0), (1, 40, 4, 4, 2), (2, 200, 12, 20, 1)])
def test_numpy_fast_route_equals_svd_route(
    monkeypatch: pytest.MonkeyPatch, name: str, seed: int, n: int, p: int, q: int, constant: int
) -> None:
    X, Y = _pair(seed, n, p, q, constant=constant)
    assert _frames_of(X, Y) is not None  # the fast route is the one under test
    fast = _quiet(NUMPY_MEASURES[name], X, Y)
    with _svd_route(monkeypatch, NUMPY_USERS):
        slow = _quiet(NUMPY_MEASURES[name], X, Y)
    assert fast == pytest.approx(slow, rel=RTOL, abs=RTOL)


@pytest.mark.parametrize("name", sorted(TORCH_MEASURES))
def test_torch_fast_route_equals_svd_route_and_numpy(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """A batch mixing a dead column, a full-rank element and p != q: per element as numpy."""
    X0, Y = _pair(3, 50, 4, 6, constant=1)
    X1, _ = _pair(4, 50, 5, 6)
    Xb = torch.tensor(np.stack([X0, X1]))
    Yt = torch.tensor(Y)
    fast = TORCH_MEASURES[name](Xb, Yt)
    with _svd_route(monkeypatch, TORCH_USERS):
        slow = TORCH_MEASURES[name](Xb, Yt)
    torch.testing.assert_close(fast, slow, rtol=RTOL, atol=RTOL)
    expected = [_quiet(NUMPY_MEASURES[name], A, Y) for A in (X0, X1)]
    np.testing.assert_allclose(fast.numpy(), expected, rtol=1e-10, atol=1e-10)


def test_torch_batch_takes_the_fast_route_with_mixed_constant_columns() -> None:
    X0, Y = _pair(5, 30, 3, 3, constant=2)
    X1, _ = _pair(6, 30, 5, 3)
    Xb = torch.tensor(np.stack([X0, X1]))
    Xc, cx = torch_representation._centre_mask(Xb)
    Yc, cy = torch_representation._centre_mask(torch.tensor(Y))
    frames = torch_representation._frames(Xc, Yc, cx, cy)
    assert frames is not None
    fx, _, C = frames
    # constant columns: zero columns and rows in R, zero rows in C
    assert torch.all(fx.Rz[0, :, 3:] == 0) and torch.all(fx.Rz[0, 3:, :] == 0)
    assert torch.all(C[0, 3:, :] == 0)


def test_fast_route_bases_are_orthonormal_and_reproduce_the_data() -> None:
    """Q R = Xc to O(eps) and Q^T Q = I to O(eps): the accuracy of a Householder QR."""
    rng = np.random.default_rng(7)
    n, p = 300, 8
    # condition number 1e5 after column scaling: the first pass alone would lose ~eps cond^2 = 1e-6
    U, _ = np.linalg.qr(rng.standard_normal((n, p)))
    V, _ = np.linalg.qr(rng.standard_normal((p, p)))
    X = U @ np.diag(np.logspace(0, -5, p)) @ V.T + 2.0
    Xc, cx = representation._centre_mask(X)
    Xkeep = Xc.copy()
    Yc, cy = representation._centre_mask(rng.standard_normal((n, 3)))
    frames = representation._frames(Xc, Yc, cx, cy)
    assert frames is not None
    fx = frames[0]
    # Q = Xc R^{-1} (R = Rz * d): check with explicit formation in this test only
    Q = np.linalg.solve(fx.R.T, Xkeep.T).T
    assert np.linalg.norm(Q.T @ Q - np.eye(p)) <= 1e3 * np.finfo(float).eps * 1e5  # via the explicit solve
    s_fast = np.linalg.svd(fx.Rz, compute_uv=False)
    s_ref = np.linalg.svd(Xkeep / np.linalg.norm(Xkeep, axis=0), compute_uv=False)
    np.testing.assert_allclose(s_fast, s_ref, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("case", ["duplicate_column", "cond_1e12", "wide", "p_equals_n"])
def test_fast_route_steps_aside(case: str) -> None:
    rng = np.random.default_rng(8)
    n = 40
    X = rng.standard_normal((n, 5))
    Y = rng.standard_normal((n, 3))
    if case == "duplicate_column":
        X = np.hstack([X, X[:, :1]])
    elif case == "cond_1e12":
        X = X @ np.diag(np.logspace(0, -12, 5)) @ np.linalg.qr(rng.standard_normal((5, 5)))[0]
    elif case == "wide":
        X = rng.standard_normal((n, n + 3))
    else:  # centred data have rank <= n - 1 < p
        X = rng.standard_normal((n, n))
    assert _frames_of(X, Y) is None
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    Xc, cx = torch_representation._centre_mask(Xt)
    Yc, cy = torch_representation._centre_mask(Yt)
    assert torch_representation._frames(Xc, Yc, cx, cy) is None


def test_ill_conditioned_fast_route_matches_svd_route(monkeypatch: pytest.MonkeyPatch) -> None:
    """cond 1e6 (column-scaled): still the fast route, within cond * eps of the SVD route."""
    rng = np.random.default_rng(9)
    n, p = 500, 6
    U, _ = np.linalg.qr(rng.standard_normal((n, p)))
    V, _ = np.linalg.qr(rng.standard_normal((p, p)))
    X = U @ np.diag(np.logspace(0, -6, p)) @ V.T
    Y = X[:, :3] + 1e-3 * rng.standard_normal((n, 3))
    assert _frames_of(X, Y) is not None
    fast = cca.canonical_correlations(X, Y)
    with _svd_route(monkeypatch, NUMPY_USERS):
        slow = cca.canonical_correlations(X, Y)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e6 * 1e3 * np.finfo(float).eps)


def test_full_rank_proof() -> None:
    R = np.triu(np.random.default_rng(10).standard_normal((6, 6))) + 5.0 * np.eye(6)
    assert representation._full_rank(R, 100, 6)
    R_singular = R.copy()
    R_singular[3, 3] = 1e-300
    assert not representation._full_rank(R_singular, 100, 6)
    R_zero = R.copy()
    R_zero[2, 2] = 0.0
    assert not representation._full_rank(R_zero, 100, 6)


def test_rank_truncation_inside_the_fast_route() -> None:
    """The SVD of R decides the rank when the norm bound cannot prove it full.

    In float64 that needs n of order 1e8 (the rank tolerance grows with n,
    and Cholesky QR2 only accepts cond <~ 1e7), so ``n`` is passed directly.
    """
    rng = np.random.default_rng(11)
    n, p = 400, 5
    X = rng.standard_normal((n, p))
    X[:, 4] = X[:, 0] + 1e-6 * rng.standard_normal(n)  # column-scaled cond ~ 1e6
    frames = _frames_of(X, rng.standard_normal((n, 3)))
    assert frames is not None
    fx = frames[0]
    assert representation._full_rank(fx.Rz, n, p)
    big_n = 10**12  # tolerance 1e12 * eps ~ 2e-4 of s_max: the smallest direction goes
    assert not representation._full_rank(fx.Rz, big_n, p)
    B = representation._cca_coordinates(fx, big_n, p)
    assert B is not None and B.shape == (p, p - 1)
    np.testing.assert_allclose(B.T @ B, np.eye(p - 1), atol=1e-12)
    s = np.linalg.svd(fx.Rz, compute_uv=False)
    assert s[-1] < big_n * np.finfo(float).eps * s[0] < s[-2]


# --------------------------------------------------------------------------- normalising products, not data


SCALE_INVARIANT_NUMPY: dict[str, Callable[..., Any]] = {
    "cka_linear": representation.cka_linear,
    "cka_debiased": kernel.cka_debiased,
    "procrustes_distance": representation.procrustes_distance,
    "shape_angular_a1": shape.shape_angular_a1,
    "cca_mean_corr": representation.cca_mean_corr,
    "shape_angular_a05": shape.shape_angular_a05,
    "svd_similarity": model_distances.svd_similarity,
}
SCALE_INVARIANT_TORCH: dict[str, Callable[..., Any]] = {
    "cka_linear": torch_representation.cka_linear,
    "cka_debiased": torch_kernel.cka_debiased,
    "procrustes_distance": torch_representation.procrustes_distance,
    "shape_angular_a1": torch_shape.shape_angular_a1,
    "cca_mean_corr": torch_representation.cca_mean_corr,
    "shape_angular_a05": torch_shape.shape_angular_a05,
    "svd_similarity": torch_model_distances.svd_similarity,
}


@pytest.mark.parametrize("scale", [1e-200, 1e-90, 1e90, 1e200])
@pytest.mark.parametrize("name", sorted(SCALE_INVARIANT_NUMPY))
def test_extreme_scales_take_the_guarded_route(name: str, scale: float) -> None:
    X, Y = _pair(12, 50, 4, 4)
    ref = _quiet(SCALE_INVARIANT_NUMPY[name], X, Y)
    assert _quiet(SCALE_INVARIANT_NUMPY[name], scale * X, Y) == pytest.approx(ref, rel=1e-12, abs=1e-13)
    Xt, Yt = torch.tensor(scale * X), torch.tensor(Y)
    assert float(SCALE_INVARIANT_TORCH[name](Xt, Yt)) == pytest.approx(ref, rel=1e-10, abs=1e-11)


@pytest.mark.parametrize("scale", [1e-120, 1e120])
def test_hsic_scales_as_the_product_of_squared_norms(scale: float) -> None:
    X, Y = _pair(13, 30, 3, 2)
    for fn in (kernel.hsic_linear, kernel.hsic_linear_unbiased):
        assert fn(scale * X, Y / scale) == pytest.approx(fn(X, Y), rel=1e-12)
    for tfn in (torch_kernel.hsic_linear, torch_kernel.hsic_linear_unbiased):
        got = float(tfn(torch.tensor(scale * X), torch.tensor(Y / scale)))
        assert got == pytest.approx(float(tfn(torch.tensor(X), torch.tensor(Y))), rel=1e-10)


def test_constant_column_check_of_svd_similarity_is_exact() -> None:
    """A column constant up to rounding of a huge mean is caught; a varying one next to it is not."""
    rng = np.random.default_rng(14)
    Z = rng.standard_normal((20, 3))
    Zp = rng.standard_normal((20, 3))
    Z[:, 1] = 1e8 + 1e-9 * rng.standard_normal(20)  # sd 1e-9 <= 1e-12 * 1e8: counts as constant
    with pytest.raises(ValueError, match=r"constant column\(s\) \[1\]"):
        model_distances.svd_similarity(Z, Zp)
    with pytest.raises(ValueError, match=r"constant column\(s\) \[1\]"):
        torch_model_distances.svd_similarity(torch.tensor(Z), torch.tensor(Zp))
    Z[:, 1] = 1e8 + 1e-3 * rng.standard_normal(20)  # sd 1e-3 > 1e-4: varies
    assert 0.0 <= model_distances.svd_similarity(Z, Zp) <= 1.0


# --------------------------------------------------------------------------- validation


def test_overflowing_sum_of_finite_entries_is_accepted() -> None:
    A = np.full((3, 2), 1e308)
    assert as_float_matrix("f", "X", A) is not None
    assert as_float_tensor("f", "X", torch.tensor(A)) is not None
    A[1, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        as_float_matrix("f", "X", A)
    with pytest.raises(ValueError, match="finite"):
        as_float_tensor("f", "X", torch.tensor(A))


def test_one_thread_without_threadpoolctl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(representation, "_CONTROLLER", [None])
    X, Y = _pair(15, 30, 3, 3)
    assert 0.0 <= representation.cca_mean_corr(X, Y) <= 1.0
