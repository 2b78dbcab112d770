"""Tests for the generalized shape metrics (metrics/shape.py, metrics/torch_shape.py).

numpy reference vs batched torch; the MEASURES.md identities (alpha = 0 is
the CCA angle, alpha = 1 is the Procrustes angle and distance); a faithful
re-implementation of netrep's LinearMetric (not on PyPI) and an explicit
alignment by scipy's orthogonal Procrustes solver as independent oracles;
the triangle inequality; every declared invariance shown and every declared
non-invariance refuted; degenerate inputs, messages and gradients.
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
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics import shape as S
from metrics import torch_shape as T
from metrics._validation import DegenerateInputError, SaturationWarning
from metrics.cca import canonical_correlations
from metrics.records import cca as records
from metrics.representation import cca_mean_corr, procrustes_distance, procrustes_similarity

TOL64 = 1e-10
TOL32 = 1e-4
#: arccos and sqrt near 0 are accurate to about sqrt(eps) only
NEAR_ZERO = 1e-7
INVARIANCE_TOL = 1e-9
REFUTE_MARGIN = 1e-2

FORMS = ["shape_angular_distance", "shape_euclidean_distance"]
WRAPPERS = ["shape_angular_a0", "shape_angular_a05", "shape_angular_a1", "shape_euclidean_a05", "shape_euclidean_a1"]
ALPHAS = [0.0, 0.25, 0.5, 1.0]
SHAPES = [(20, 3, 5), (20, 5, 3), (12, 4, 4), (10, 15, 4), (8, 12, 20), (7, 6, 1)]
SPECS = {r.name: r for r in records.RECORDS if r.numpy_path.startswith("metrics.shape:")}


# --------------------------------------------------------------------------- builders


def _pair(seed: int, n: int, p: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Related but not identical representations, with uneven column scales and an offset."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 10.0, p) + 5.0
    k = min(p, q)
    Y = X[:, :k] @ rng.standard_normal((k, q)) + 0.5 * rng.standard_normal((n, q))
    return X, Y


def _orthogonal(seed: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Q, Rm = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(Rm))


def _invertible(seed: int, d: int, *, cond: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return _orthogonal(seed + 1, d) @ np.diag(rng.uniform(1.0, cond, d)) @ _orthogonal(seed + 2, d)


def _call(fn: Callable[..., Any], X: object, Y: object, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        return fn(X, Y, **kw)


def _t(A: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.tensor(A, dtype=dtype)


def _close(a: float, b: float, tol: float = TOL64) -> bool:
    """Equal to ``tol`` (relative above 1), or both within the sqrt(eps) floor of 0."""
    return abs(a - b) <= tol * max(1.0, abs(a)) or (abs(a) <= NEAR_ZERO and abs(b) <= NEAR_ZERO)


# --------------------------------------------------------------------------- oracles


def _netrep_whiten(A: np.ndarray, alpha: float, eigval_tol: float = 1e-7) -> np.ndarray:
    """netrep.utils.whiten(A, alpha, preserve_variance=True), re-implemented line by line (A centred)."""
    if alpha > 1 - eigval_tol:
        return A
    lam, V = np.linalg.eigh(A.T @ A)
    lam = np.maximum(lam, eigval_tol)
    d = alpha + (1 - alpha) * lam ** (-1 / 2)
    new_var = np.sum(alpha**2 * lam + 2 * alpha * (1 - alpha) * lam**0.5 + (1 - alpha) ** 2 * np.ones_like(lam))
    d *= np.sqrt(np.sum(lam) / new_var)
    return A @ ((V * d[None, :]) @ V.T)


def _netrep_linear_metric(X: np.ndarray, Y: np.ndarray, alpha: float, score_method: str) -> float:
    """netrep.metrics.LinearMetric(alpha, center_columns=True, zero_pad=True, score_method).fit_score(X, Y)."""
    d = max(X.shape[1], Y.shape[1])
    X, Y = (np.pad(A, ((0, 0), (0, d - A.shape[1]))) for A in (X, Y))  # zero_pad before anything else
    Xw = _netrep_whiten(X - X.mean(0), alpha)
    Yw = _netrep_whiten(Y - Y.mean(0), alpha)
    U, _, Vt = np.linalg.svd(Xw.T @ Yw)
    tX, tY = Xw @ U, Yw @ Vt.T
    if score_method == "angular":
        corr = np.dot(tX.ravel(), tY.ravel()) / (np.linalg.norm(tX) * np.linalg.norm(tY))
        return float(np.arccos(np.clip(corr, -1.0, 1.0)))
    return float(np.linalg.norm(tX - tY))


# --------------------------------------------------------------------------- numpy vs torch


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("alpha", [0.0, 0.25, 1.0])
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
def test_torch_matches_numpy_float64(form: str, alpha: float, normalize: bool, shape: tuple[int, int, int]) -> None:
    X, Y = _pair(0, *shape)
    ref = _call(getattr(S, form), X, Y, alpha=alpha, normalize=normalize)
    got = _call(getattr(T, form), _t(X), _t(Y), alpha=alpha, normalize=normalize)
    assert got.dtype == torch.float64 and got.shape == ()
    assert _close(ref, float(got)), (ref, float(got))
    high = np.pi / 2 if form == "shape_angular_distance" else (np.sqrt(2.0) if normalize else np.inf)
    assert 0.0 <= ref <= high


@pytest.mark.parametrize("name", WRAPPERS)
def test_batched_and_broadcast_match_numpy(name: str) -> None:
    n, p, q = 15, 4, 6
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3, 2, n, p)) * rng.uniform(0.2, 5.0, p)
    Y = np.einsum("abnp,pq->abnq", X, rng.standard_normal((p, q))) + rng.standard_normal((3, 2, n, q))
    out = getattr(T, name)(_t(X), _t(Y))
    broadcast = getattr(T, name)(_t(X[:, :1]), _t(Y[:1, :]))
    assert out.shape == (3, 2) and broadcast.shape == (3, 2)
    ref = getattr(S, name)
    for i in range(3):
        for j in range(2):
            assert _close(float(out[i, j]), ref(X[i, j], Y[i, j]))
            assert _close(float(broadcast[i, j]), ref(X[i, 0], Y[0, j]))


def test_batch_mixing_ranks() -> None:
    rng = np.random.default_rng(8)
    a, b, c = rng.standard_normal((3, 20, 1))
    X = np.stack([np.hstack([a, b, a + b]), np.hstack([a, b, c])])  # ranks 2 and 3
    Y = np.hstack([a + 0.3 * rng.standard_normal((20, 1)), c])
    for alpha in (0.0, 0.5, 1.0):
        out = T.shape_angular_distance(_t(X), _t(Y), alpha=alpha)
        for i in range(2):
            assert _close(float(out[i]), S.shape_angular_distance(X[i], Y, alpha=alpha))


@pytest.mark.parametrize("name", WRAPPERS)
@pytest.mark.parametrize("shape", [(20, 3, 5), (10, 15, 4)], ids=["tall", "wide"])
def test_float32_in_float32_out(name: str, shape: tuple[int, int, int]) -> None:
    X, Y = _pair(3, *shape)
    value = _call(getattr(T, name), _t(X, torch.float32), _t(Y, torch.float32))
    assert value.dtype == torch.float32 and value.shape == ()
    assert abs(float(value) - _call(getattr(S, name), X, Y)) <= TOL32


@pytest.mark.parametrize("name", WRAPPERS)
def test_integer_inputs_become_float64(name: str) -> None:
    rng = np.random.default_rng(4)
    X, Y = rng.integers(-5, 6, size=(12, 3)), rng.integers(-5, 6, size=(12, 2))
    ref = getattr(S, name)(X.astype(np.float64), Y.astype(np.float64))
    assert getattr(S, name)(X, Y) == ref
    out = getattr(T, name)(torch.tensor(X), torch.tensor(Y))
    assert out.dtype == torch.float64 and _close(float(out), ref)


@pytest.mark.parametrize("name", ["shape_angular_a0", "shape_angular_a05", "shape_euclidean_a1"])
def test_no_n_by_n_matrix_when_p_q_below_n(name: str) -> None:
    """n = 200,000: an n x n float64 matrix would need 320 GB, so any such path fails loudly."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((200_000, 3))
    Y = X @ rng.standard_normal((3, 4)) + rng.standard_normal((200_000, 4))
    assert _close(float(getattr(T, name)(_t(X), _t(Y))), getattr(S, name)(X, Y))


# --------------------------------------------------------------------------- identities


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shape", [(20, 4, 4), (30, 2, 2), (9, 12, 12)], ids=["p=q", "p=q=2", "wide"])
def test_alpha_0_is_the_cca_angle_when_ranks_agree(seed: int, shape: tuple[int, int, int]) -> None:
    """MEASURES.md: the shape metric at alpha = 0 equals arccos(mean canonical correlation)."""
    X, Y = _pair(seed, *shape)
    expected = float(np.arccos(_call(cca_mean_corr, X, Y)))
    for normalize in (True, False):
        assert _close(_call(S.shape_angular_distance, X, Y, alpha=0.0, normalize=normalize), expected, 1e-9)
    assert _close(float(_call(T.shape_angular_a0, _t(X), _t(Y))), expected, 1e-9)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", [(20, 3, 5), (20, 6, 2), (10, 15, 4)], ids=["p<q", "p>q", "wide"])
def test_alpha_0_with_different_ranks_is_padded_cca(seed: int, shape: tuple[int, int, int]) -> None:
    """Zero-padding: cos = sum(rho) / sqrt(rank X rank Y), larger than the CCA angle when ranks differ."""
    n, p, q = shape
    X, Y = _pair(seed, *shape)
    rho = _call(canonical_correlations, X, Y)
    rx, ry = min(p, n - 1), min(q, n - 1)
    expected = float(np.arccos(rho.sum() / np.sqrt(rx * ry)))
    assert _close(_call(S.shape_angular_a0, X, Y), expected)
    assert _call(S.shape_angular_a0, X, Y) > float(np.arccos(rho.mean())) + REFUTE_MARGIN


def test_alpha_0_a_subspace_is_not_at_distance_zero_from_a_larger_one() -> None:
    """Identity of indiscernibles needs the padding: the CCA angle would call them equal."""
    rng = np.random.default_rng(9)
    Y = rng.standard_normal((30, 5))
    X = Y[:, :2] @ rng.standard_normal((2, 2))
    assert abs(np.arccos(cca_mean_corr(X, Y))) <= NEAR_ZERO
    assert abs(S.shape_angular_a0(X, Y) - np.arccos(2.0 / np.sqrt(10.0))) <= 1e-12


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shape", [(20, 3, 5), (20, 5, 3), (12, 4, 4), (8, 12, 5)], ids=["p<q", "p>q", "p=q", "wide"])
def test_alpha_1_is_procrustes(seed: int, shape: tuple[int, int, int]) -> None:
    """MEASURES.md: the shape metric at alpha = 1 equals the Procrustes angle; the Euclidean form
    equals the (Ding-normalised) Procrustes distance."""
    X, Y = _pair(seed, *shape)
    angle = float(np.arccos(procrustes_similarity(X, Y)))
    assert _close(S.shape_angular_a1(X, Y), angle)
    assert _close(float(T.shape_angular_a1(_t(X), _t(Y))), angle)
    assert _close(S.shape_euclidean_a1(X, Y), procrustes_distance(X, Y))
    assert _close(float(T.shape_euclidean_a1(_t(X), _t(Y))), procrustes_distance(X, Y))
    # netrep's convention changes nothing at alpha = 1 for the angle
    assert _close(S.shape_angular_distance(X, Y, alpha=1.0, normalize=False), angle)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_euclidean_is_the_chord_of_the_angle(alpha: float) -> None:
    X, Y = _pair(10, 20, 3, 5)
    theta = S.shape_angular_distance(X, Y, alpha=alpha)
    assert _close(S.shape_euclidean_distance(X, Y, alpha=alpha), 2.0 * np.sin(theta / 2.0))


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("shape", [(20, 4, 4), (20, 3, 5), (20, 6, 2), (10, 12, 12)], ids=["p=q", "p<q", "p>q", "wide"])
def test_normalize_false_matches_netrep_angular(alpha: float, shape: tuple[int, int, int]) -> None:
    """netrep (re-implemented from its source) with normalize=False: the angle agrees for every alpha,
    zero-padding included (its eigenvalue floor only touches the padded, zero, directions here)."""
    X, Y = _pair(11, *shape)
    ours = _call(S.shape_angular_distance, X, Y, alpha=alpha, normalize=False)
    assert _close(ours, _netrep_linear_metric(X, Y, alpha, "angular"), 1e-9)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_normalize_false_matches_netrep_euclidean_when_p_equals_q(alpha: float) -> None:
    X, Y = _pair(12, 20, 4, 4)
    ours = S.shape_euclidean_distance(X, Y, alpha=alpha, normalize=False)
    assert _close(ours, _netrep_linear_metric(X, Y, alpha, "euclidean"), 1e-9)


def test_netrep_euclidean_with_zero_padding_shrinks_the_whitened_norm() -> None:
    """Pinned convention difference: netrep's preserve_variance counts the floored eigenvalues (1e-7)
    of the padded zero columns in the whitened variance, so for p != q and alpha < 1 its whitened X
    has norm below ||Xc||_F and its Euclidean score differs from ours; at alpha = 1 both agree."""
    X, Y = _pair(13, 20, 2, 5)
    ours = S.shape_euclidean_distance(X, Y, alpha=0.5, normalize=False)
    theirs = _netrep_linear_metric(X, Y, 0.5, "euclidean")
    assert abs(ours - theirs) >= REFUTE_MARGIN
    Xp = np.pad(X - X.mean(0), ((0, 0), (0, 3)))
    assert np.linalg.norm(_netrep_whiten(Xp, 0.5)) < np.linalg.norm(X - X.mean(0)) * (1 - 1e-3)
    assert _close(S.shape_euclidean_distance(X, Y, alpha=1.0, normalize=False), _netrep_linear_metric(X, Y, 1.0, "euclidean"))


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("shape", [(20, 4, 4), (20, 3, 5)], ids=["p=q", "p<q"])
def test_default_is_netrep_on_unit_frobenius_inputs_aligned_by_scipy(alpha: float, shape: tuple[int, int, int]) -> None:
    """normalize=True = netrep's whitening of each centred input scaled to unit Frobenius norm, then the
    optimal rotation found explicitly by scipy.linalg.orthogonal_procrustes on the zero-padded matrices."""
    X, Y = _pair(14, *shape)
    d = max(X.shape[1], Y.shape[1])
    whitened = []
    for A in (X, Y):
        Ac = (A - A.mean(0)) / np.linalg.norm(A - A.mean(0))
        Aw = _netrep_whiten(Ac, alpha, eigval_tol=0.0)  # full rank: no floor needed
        whitened.append(np.pad(Aw / np.linalg.norm(Aw), ((0, 0), (0, d - A.shape[1]))))
    Xw, Yw = whitened
    Q, _ = scipy.linalg.orthogonal_procrustes(Xw, Yw)
    cosine = float(np.sum((Xw @ Q) * Yw))
    assert _close(S.shape_angular_distance(X, Y, alpha=alpha), float(np.arccos(cosine)))
    assert _close(S.shape_euclidean_distance(X, Y, alpha=alpha), float(np.linalg.norm(Xw @ Q - Yw)))


# --------------------------------------------------------------------------- triangle inequality


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_triangle_inequality_on_random_triples(form: str, alpha: float) -> None:
    d = getattr(S, form)
    worst = -np.inf
    for seed in range(15):
        rng = np.random.default_rng(seed)
        A, B, C = (rng.standard_normal((12, p)) @ rng.standard_normal((p, p)) for p in rng.integers(1, 6, 3))
        ab, bc, ac = d(A, B, alpha=alpha), d(B, C, alpha=alpha), d(A, C, alpha=alpha)
        worst = max(worst, ac - ab - bc)
    assert worst <= 1e-12


def test_triangle_inequality_is_tight_on_a_geodesic() -> None:
    """A hard case for alpha = 1: B on the great circle between A and its optimal alignment to C,
    where the triangle inequality holds with equality (up to rounding), never beyond."""
    rng = np.random.default_rng(15)
    A = rng.standard_normal((12, 3))
    C = A + 0.8 * rng.standard_normal((12, 3))
    Ac, Cc = ((M - M.mean(0)) / np.linalg.norm(M - M.mean(0)) for M in (A, C))
    Q, _ = scipy.linalg.orthogonal_procrustes(Ac, Cc)
    for t in (0.2, 0.5, 0.9):
        B = (1.0 - t) * Ac @ Q + t * Cc  # on the chord, hence on the great circle after normalising
        for d in (S.shape_angular_a1, lambda U, V: float(T.shape_angular_a1(_t(U), _t(V)))):
            gap = d(A, B) + d(B, C) - d(A, C)
            assert -1e-12 <= gap <= 1e-10


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    dims=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
    alpha=st.sampled_from(ALPHAS),
)
def test_triangle_inequality_property(seed: int, dims: tuple[int, int, int], alpha: float) -> None:
    rng = np.random.default_rng(seed)
    A, B, C = (rng.standard_normal((9, p)) for p in dims)
    for form in FORMS:
        d = getattr(S, form)
        assert d(A, C, alpha=alpha) <= d(A, B, alpha=alpha) + d(B, C, alpha=alpha) + 1e-12


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
        assert abs(f(a, b) - base) <= INVARIANCE_TOL
    assert abs(float(g(_t(X2), _t(Y2))) - base) <= INVARIANCE_TOL


@pytest.mark.parametrize(("name", "kind"), FAILS)
def test_declared_non_invariance_is_refuted(name: str, kind: str) -> None:
    """Stretch one feature of X tenfold: the whitening at alpha > 0 sees it."""
    assert kind == "invertible_linear"
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    A = np.diag([10.0, 1.0])
    spec = SPECS[name]
    assert abs(spec.numpy_fn(X @ A, X) - spec.numpy_fn(X, X)) >= REFUTE_MARGIN
    assert abs(float(spec.torch_fn(_t(X @ A), _t(X))) - spec.numpy_fn(X, X)) >= REFUTE_MARGIN
    assert abs(S.shape_angular_a0(X @ A, X)) <= NEAR_ZERO  # the positive control: alpha = 0 is blind to A


def test_every_declaration_is_exercised() -> None:
    assert len(HOLDS) + len(FAILS) == 5 * len(SPECS) == 25
    assert {name for name, _ in FAILS} == set(SPECS) - {"shape_angular_a0"}


@pytest.mark.parametrize("alpha", [0.25, 0.5, 0.75])
def test_netrep_convention_is_not_scale_invariant_for_partial_whitening(alpha: float) -> None:
    """MEASURES.md says the angular form is invariant to isotropic scaling for alpha > 0. With netrep's
    whitening of the raw covariance (normalize=False) that is refuted for 0 < alpha < 1: the mixture
    alpha * c * s + (1 - alpha) is not proportional to alpha * s + (1 - alpha). Normalising first
    (the default) restores it; at alpha = 0 and 1 both conventions are scale invariant."""
    X, Y = _pair(16, 20, 3, 3)
    X = (X - X.mean(0)) / np.linalg.norm(X - X.mean(0))  # total variance 1; scale it to 1e-4 and to 1e4
    raw = lambda A, B, a=alpha: S.shape_angular_distance(A, B, alpha=a, normalize=False)
    assert abs(raw(100.0 * X, Y) - raw(0.01 * X, Y)) >= REFUTE_MARGIN
    default = lambda A: S.shape_angular_distance(A, Y, alpha=alpha)
    assert abs(default(100.0 * X) - default(0.01 * X)) <= INVARIANCE_TOL
    for a in (0.0, 1.0):
        assert abs(raw(100.0 * X, Y, a) - raw(0.01 * X, Y, a)) <= INVARIANCE_TOL
    # the Euclidean form in netrep's units carries the size at every alpha
    e = lambda A, B: S.shape_euclidean_distance(A, B, alpha=1.0, normalize=False)
    assert abs(e(3.0 * X, 3.0 * Y) - 3.0 * e(X, Y)) <= 1e-9


# --------------------------------------------------------------------------- axioms


@pytest.mark.parametrize("name", list(SPECS))
def test_declared_axioms(name: str) -> None:
    spec = SPECS[name]
    assert spec.kind == "distance"
    f, g = spec.numpy_fn, spec.torch_fn
    X, Y = _pair(17, 20, 3, 5)
    low, high = spec.value_range
    assert low <= f(X, Y) <= high and spec.axioms.nonnegativity
    assert spec.axioms.identity and abs(f(X, X)) <= NEAR_ZERO and abs(float(g(_t(X), _t(X)))) <= NEAR_ZERO
    assert abs(f(X, 7.0 * X @ _orthogonal(1, 3) + 2.0)) <= NEAR_ZERO
    assert spec.axioms.symmetry and abs(f(X, Y) - f(Y, X)) <= 1e-12
    assert spec.axioms.triangle  # tested above on random triples for every alpha and both forms


# --------------------------------------------------------------------------- saturation, degenerate inputs, messages


def test_alpha_0_saturation_warning() -> None:
    rng = np.random.default_rng(18)
    X, Y = rng.standard_normal((10, 5)), rng.standard_normal((10, 5))
    expected = (
        "shape_angular_a0: the centred X and Y must satisfy rank(X) + rank(Y) <= n - 1 for every canonical "
        "correlation to depend on the data (it fails whenever p >= n or q >= n); got rank(X)=5, rank(Y)=5, n=10 "
        "(X.shape=(10, 5), Y.shape=(10, 5)): 1 of the 5 canonical correlations saturate at 1 by construction. "
        "Reduce the features first, use more samples, or set alpha > 0."
    )
    with pytest.warns(SaturationWarning) as rec:
        S.shape_angular_a0(X, Y)
    assert [str(w.message) for w in rec] == [expected] and rec[0].filename == __file__
    with pytest.warns(SaturationWarning, match=re.escape(expected)):
        T.shape_angular_a0(_t(X), _t(Y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # alpha > 0 does not saturate: no warning
        for name in ("shape_angular_a05", "shape_angular_a1", "shape_euclidean_a05", "shape_euclidean_a1"):
            getattr(S, name)(X, Y)
            getattr(T, name)(_t(X), _t(Y))


@pytest.mark.parametrize("name", WRAPPERS + FORMS)
@pytest.mark.parametrize("which", ["X", "Y"])
def test_constant_input_raises(name: str, which: str) -> None:
    rng = np.random.default_rng(19)
    good, bad = rng.standard_normal((6, 3)), np.zeros((6, 3))
    X, Y = (bad, good) if which == "X" else (good, bad)
    expected = (
        f"{name}: {which} must have at least one non-constant column (a constant {which} is the zero matrix once "
        f"centred, and the score would be 0/0); got every column of {which} constant ({which}.shape=(6, 3)). "
        "Drop constant representations before comparing them."
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(expected) + "$"):
        getattr(S, name)(X, Y)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(expected) + "$"):
        getattr(T, name)(_t(X), _t(Y))


def test_torch_degenerate_checked_per_batch_element() -> None:
    rng = np.random.default_rng(20)
    X = rng.standard_normal((2, 3, 8, 2))
    X[0, 1] = -1.0
    with pytest.raises(
        DegenerateInputError,
        match=re.escape("got every column of X[0, 1] constant (1 such matrices in the batch) (X.shape=(2, 3, 8, 2))"),
    ):
        T.shape_angular_a05(_t(X), _t(rng.standard_normal((8, 2))))


@pytest.mark.parametrize("module", [S, T], ids=["numpy", "torch"])
@pytest.mark.parametrize("form", FORMS)
def test_option_messages(module: Any, form: str) -> None:
    X, Y = _pair(21, 12, 3, 2)
    args = (X, Y) if module is S else (_t(X), _t(Y))
    fn = getattr(module, form)
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"alpha": 1.5}, ValueError, f"{form}: alpha must lie in [0.0, 1.0]; got alpha=1.5."),
        ({"alpha": -0.1}, ValueError, f"{form}: alpha must lie in [0.0, 1.0]; got alpha=-0.1."),
        ({"alpha": "0"}, TypeError, f"{form}: alpha must be a real number; got alpha='0' (str)."),
        ({"normalize": 1}, TypeError, f"{form}: normalize must be True or False; got normalize=1 (int)."),
    ]
    for kw, error, message in cases:
        with pytest.raises(error, match="^" + re.escape(message) + "$"):
            fn(*args, **kw)


@pytest.mark.parametrize("name", WRAPPERS + FORMS)
def test_input_messages_name_the_function(name: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(f"{name}: X and Y must have the same number of rows (samples); got X.shape=(5, 2) and Y.shape=(4, 2).") + "$"):
        getattr(S, name)(np.ones((5, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="^" + re.escape(f"{name}: X must have at least 2 rows; got X.shape=(1, 3).") + "$"):
        getattr(S, name)(np.ones((1, 3)), np.ones((1, 3)))
    with pytest.raises(ValueError, match="^" + re.escape(f"{name}: the batch dimensions of X and Y (all but the last two) must broadcast against each other; got X.shape=(2, 5, 2) and Y.shape=(3, 5, 2).") + "$"):
        getattr(T, name)(torch.ones(2, 5, 2), torch.ones(3, 5, 2))


# --------------------------------------------------------------------------- gradients


def _grad_inputs(seed: int, n: int, p: int, q: int, *, batch: tuple[int, ...] = ()) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    X = torch.tensor(rng.standard_normal((*batch, n, p)), requires_grad=True)
    Y = torch.tensor(rng.standard_normal((*batch, n, q)), requires_grad=True)
    return X, Y


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("shape", [(9, 3, 2), (6, 8, 3)], ids=["tall", "wide_X"])
def test_gradcheck(form: str, alpha: float, normalize: bool, shape: tuple[int, int, int]) -> None:
    X, Y = _grad_inputs(22, *shape)
    fn = getattr(T, form)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        assert torch.autograd.gradcheck(lambda a, b: fn(a, b, alpha=alpha, normalize=normalize), (X, Y))


@pytest.mark.parametrize("name", WRAPPERS)
def test_gradcheck_batched(name: str) -> None:
    X, Y = _grad_inputs(23, 8, 3, 2, batch=(2,))
    assert torch.autograd.gradcheck(getattr(T, name), (X, Y))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", WRAPPERS)
def test_cuda_keeps_device_and_agrees(name: str) -> None:
    X, Y = _pair(24, 15, 4, 3)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        out = getattr(T, name)(_t(X).cuda(), _t(Y).cuda())
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    assert out.device.type == "cuda" and out.dtype == torch.float64
    assert _close(float(out.cpu()), getattr(S, name)(X, Y))
