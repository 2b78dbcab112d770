"""Tests for the representation measures: numpy reference vs batched torch, identities,
invariances and their counterexamples, degenerate inputs, messages and gradients."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import scipy.linalg
import torch
from scipy.spatial.distance import pdist, squareform

from metrics import representation as R
from metrics import torch_representation as T
from metrics._validation import DegenerateInputError, SaturationWarning

# Tolerances by dtype. float64: the two implementations take the same route with
# different LAPACK drivers; observed gaps are ~1e-14. float32: ~1e3 ulps at 1;
# observed gaps against the float64 oracle are ~2e-6.
TOL64 = 1e-10
TOL32 = 1e-4
# An invariance holds to rounding; a counterexample must miss by far more than that.
INVARIANCE_TOL = 1e-10
REFUTE_MARGIN = 1e-2

NAMES = ["cca_mean_corr", "cka_linear", "procrustes_distance", "procrustes_similarity"]
RANGES = {
    "cca_mean_corr": (0.0, 1.0),
    "cka_linear": (0.0, 1.0),
    "procrustes_distance": (0.0, float(np.sqrt(2.0))),
    "procrustes_similarity": (0.0, 1.0),
}
# (n, p, q): tall, p != q both ways, square, wide X, both wide, single feature.
SHAPES = [(20, 3, 5), (20, 5, 3), (12, 4, 4), (10, 15, 4), (8, 12, 20), (7, 6, 1)]


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
    s = rng.uniform(1.0, cond, d)
    return _orthogonal(seed + 1, d) @ np.diag(s) @ _orthogonal(seed + 2, d)


def _call(fn: Callable[..., object], X: object, Y: object) -> float:
    """Call a measure with saturation warnings silenced (tests that want them ask for them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        return float(fn(X, Y))  # type: ignore[arg-type]


def _t(A: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.tensor(A, dtype=dtype)


# --------------------------------------------------------------------------- numpy vs torch


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_torch_matches_numpy_float64(name: str, shape: tuple[int, int, int], seed: int) -> None:
    X, Y = _pair(seed, *shape)
    ref = _call(getattr(R, name), X, Y)
    got = _call(getattr(T, name), _t(X), _t(Y))
    assert abs(ref - got) <= TOL64, (ref, got)
    lo, hi = RANGES[name]
    assert lo <= ref <= hi


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(15, 4, 6), (9, 12, 3)], ids=["tall", "wide"])
def test_batched_matches_unbatched_numpy(name: str, shape: tuple[int, int, int]) -> None:
    n, p, q = shape
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3, 2, n, p))
    Y = np.einsum("abnp,pq->abnq", X, rng.standard_normal((p, q))) + rng.standard_normal((3, 2, n, q))
    got = getattr(T, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        out = got(_t(X), _t(Y))
        broadcast = got(_t(X[:, :1]), _t(Y[:1, :]))  # (3, 1) with (1, 2) -> (3, 2)
    assert out.shape == (3, 2) and broadcast.shape == (3, 2)
    for a in range(3):
        for b in range(2):
            assert abs(float(out[a, b]) - _call(getattr(R, name), X[a, b], Y[a, b])) <= TOL64
            assert abs(float(broadcast[a, b]) - _call(getattr(R, name), X[a, 0], Y[0, b])) <= TOL64


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(20, 3, 5), (10, 15, 4)], ids=["tall", "wide"])
def test_float32_in_float32_out(name: str, shape: tuple[int, int, int]) -> None:
    X, Y = _pair(3, *shape)
    out = getattr(T, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        value = out(_t(X, torch.float32), _t(Y, torch.float32))
    assert value.dtype == torch.float32 and value.shape == ()
    assert abs(float(value) - _call(getattr(R, name), X, Y)) <= TOL32


@pytest.mark.parametrize("name", NAMES)
def test_integer_inputs_become_float64(name: str) -> None:
    rng = np.random.default_rng(4)
    X = rng.integers(-5, 6, size=(12, 3))
    Y = rng.integers(-5, 6, size=(12, 2))
    ref = _call(getattr(R, name), X.astype(np.float64), Y.astype(np.float64))
    assert _call(getattr(R, name), X, Y) == ref
    out = getattr(T, name)(torch.tensor(X), torch.tensor(Y))
    assert out.dtype == torch.float64
    assert abs(float(out) - ref) <= TOL64


@pytest.mark.parametrize("name", NAMES)
def test_no_n_by_n_matrix_when_p_q_below_n(name: str) -> None:
    """n = 200,000: an n x n float64 matrix would need 320 GB, so any such path fails loudly."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((200_000, 3))
    Y = X @ rng.standard_normal((3, 4)) + rng.standard_normal((200_000, 4))
    ref = _call(getattr(R, name), X, Y)
    assert abs(float(getattr(T, name)(_t(X), _t(Y))) - ref) <= TOL64


# --------------------------------------------------------------------------- independent checks


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("pq", [(3, 5), (4, 4), (6, 2)])
def test_cca_equals_eigenvalue_route(seed: int, pq: tuple[int, int]) -> None:
    """rho_i^2 are the eigenvalues of Sxx^-1 Sxy Syy^-1 Syx (Hotelling), on well-conditioned data."""
    p, q = pq
    X, Y = _pair(seed, 200, p, q)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    Sxx, Syy, Sxy = Xc.T @ Xc, Yc.T @ Yc, Xc.T @ Yc
    M = np.linalg.solve(Sxx, Sxy) @ np.linalg.solve(Syy, Sxy.T)
    eig = np.sort(np.linalg.eigvals(M).real)[::-1][: min(p, q)]
    expected = float(np.mean(np.sqrt(np.clip(eig, 0.0, 1.0))))
    assert abs(R.cca_mean_corr(X, Y) - expected) <= 1e-10


@pytest.mark.parametrize("seed", range(3))
def test_cca_equals_plain_qr_route_on_full_rank(seed: int) -> None:
    """Bjorck-Golub with a thin QR (no rank decision) agrees when both inputs have full rank."""
    X, Y = _pair(seed, 30, 4, 7)
    Qx, _ = np.linalg.qr(X - X.mean(0))
    Qy, _ = np.linalg.qr(Y - Y.mean(0))
    expected = float(np.mean(np.clip(np.linalg.svd(Qx.T @ Qy, compute_uv=False), 0.0, 1.0)))
    assert abs(R.cca_mean_corr(X, Y) - expected) <= 1e-12


def test_cca_rank_convention_mean_over_min_rank() -> None:
    """Convention: the mean runs over min(rank Xc, rank Yc), so only column spaces matter."""
    rng = np.random.default_rng(8)
    a, b, c = (rng.standard_normal((25, 1)) for _ in range(3))
    Y = np.hstack([a + 0.3 * c, b, c])
    base = R.cca_mean_corr(np.hstack([a, b]), Y)
    # a duplicated feature, a linear combination, a dead (constant) unit: same column space
    for X in (np.hstack([a, b, a]), np.hstack([a, b, a - 2 * b]), np.hstack([a, b, np.full((25, 1), 0.1)])):
        assert abs(R.cca_mean_corr(X, Y) - base) <= 1e-12
        assert abs(float(T.cca_mean_corr(_t(X), _t(Y))) - base) <= 1e-12
        # identity of indiscernibles survives rank deficiency (min(p, q) would give 2/3)
        assert abs(R.cca_mean_corr(X, X) - 1.0) <= 1e-12
    # [a, a] against [a, b]: one correlation, equal to 1 (min(p, q) would give 0.5)
    assert abs(R.cca_mean_corr(np.hstack([a, a]), np.hstack([a, b])) - 1.0) <= 1e-12


def test_cca_rank_convention_in_a_mixed_torch_batch() -> None:
    rng = np.random.default_rng(9)
    a, b = rng.standard_normal((2, 25, 1))
    Y = np.hstack([a + rng.standard_normal((25, 1)), b])
    X = np.stack([np.hstack([a, b, a]), np.hstack([a, rng.standard_normal((25, 2))])])  # ranks 2 and 3
    out = T.cca_mean_corr(_t(X), _t(Y))
    for i in range(2):
        assert abs(float(out[i]) - R.cca_mean_corr(X[i], Y)) <= TOL64


@pytest.mark.parametrize("shape", [(30, 4, 6), (12, 20, 5), (10, 15, 25)], ids=["tall", "wide", "both_wide"])
def test_cka_feature_path_equals_gram_path(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(10, *shape)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    features, gram = R._cka_features(Xc, Yc), R._cka_gram(Xc, Yc)
    assert abs(features - gram) <= 1e-12
    assert abs(R.cka_linear(X, Y) - gram) <= 1e-12
    tX, tY = _t(Xc), _t(Yc)
    assert abs(float(T._cka_features(tX, tY)) - gram) <= 1e-12
    assert abs(float(T._cka_gram(tX, tY)) - gram) <= 1e-12


@pytest.mark.parametrize("shape", [(25, 3, 6), (10, 14, 4)], ids=["tall", "wide"])
def test_cka_equals_cosine_of_centred_sq_euclidean_rdms(shape: tuple[int, int, int]) -> None:
    """MEASURES.md identity: double-centred squared-Euclidean RDMs are -2 x the centred Grams."""
    X, Y = _pair(11, *shape)
    n = X.shape[0]
    H = np.eye(n) - np.ones((n, n)) / n
    Dx = H @ squareform(pdist(X, "sqeuclidean")) @ H
    Dy = H @ squareform(pdist(Y, "sqeuclidean")) @ H
    cosine = float(np.sum(Dx * Dy) / (np.linalg.norm(Dx) * np.linalg.norm(Dy)))
    assert abs(R.cka_linear(X, Y) - cosine) <= 1e-12


@pytest.mark.parametrize(
    "shape", [(20, 4, 4), (20, 3, 6), (20, 6, 2), (8, 12, 5)], ids=["square", "p<q", "p>q", "wide"]
)
def test_procrustes_equals_scipy_orthogonal_procrustes(shape: tuple[int, int, int]) -> None:
    """Pad the narrower input with zero columns, solve explicitly, measure the residual."""
    X, Y = _pair(12, *shape)
    d = max(X.shape[1], Y.shape[1])
    pad = [np.pad(A - A.mean(0), ((0, 0), (0, d - A.shape[1]))) for A in (X, Y)]
    Xn, Yn = (A / np.linalg.norm(A) for A in pad)
    Q, _ = scipy.linalg.orthogonal_procrustes(Xn, Yn)
    assert np.allclose(Q.T @ Q, np.eye(d), atol=1e-12)
    expected = float(np.linalg.norm(Xn @ Q - Yn))
    assert abs(R.procrustes_distance(X, Y) - expected) <= 1e-10
    assert abs(R.procrustes_similarity(X, Y) - (1.0 - expected**2 / 2.0)) <= 1e-10


@pytest.mark.parametrize("shape", [(15, 3, 5), (8, 12, 5)], ids=["tall", "wide"])
def test_procrustes_similarity_is_normalised_bures_similarity(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(13, *shape)
    Kx, Ky = ((A - A.mean(0)) @ (A - A.mean(0)).T for A in (X, Y))

    def psd_sqrt(K: np.ndarray) -> np.ndarray:
        w, V = np.linalg.eigh((K + K.T) / 2)
        return (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T

    Sx = psd_sqrt(Kx)
    fidelity = float(np.trace(psd_sqrt(Sx @ Ky @ Sx)))
    nbs = fidelity / np.sqrt(np.trace(Kx) * np.trace(Ky))
    assert abs(R.procrustes_similarity(X, Y) - nbs) <= 1e-7  # eigh-based square roots of singular PSD matrices


@pytest.mark.parametrize("seed", range(5))
def test_procrustes_distance_triangle_inequality(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A, B, C = (rng.standard_normal((10, p)) for p in (3, 4, 2))
    d = R.procrustes_distance
    assert d(A, C) <= d(A, B) + d(B, C) + 1e-12


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", range(3))
def test_symmetric(name: str, seed: int) -> None:
    X, Y = _pair(seed, 15, 3, 5)
    f = getattr(R, name)
    assert abs(f(X, Y) - f(Y, X)) <= 1e-12


@pytest.mark.parametrize("name", NAMES)
def test_identical_inputs(name: str) -> None:
    X, _ = _pair(14, 15, 4, 4)
    expected = 0.0 if name == "procrustes_distance" else 1.0
    assert abs(getattr(R, name)(X, X) - expected) <= 1e-7  # distance: sqrt(eps) floor near 0


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


# measure -> invariance -> declared (the docstrings' tables)
_ALL_BUT_LINEAR = {"translation": True, "isotropic_scaling": True, "orthogonal": True, "permutation": True}
DECLARED = {
    "cca_mean_corr": {**_ALL_BUT_LINEAR, "invertible_linear": True},
    "cka_linear": {**_ALL_BUT_LINEAR, "invertible_linear": False},
    "procrustes_distance": {**_ALL_BUT_LINEAR, "invertible_linear": False},
    "procrustes_similarity": {**_ALL_BUT_LINEAR, "invertible_linear": False},
}
HOLDS = [(m, k) for m, inv in DECLARED.items() for k, v in inv.items() if v]
FAILS = [(m, k) for m, inv in DECLARED.items() for k, v in inv.items() if not v]


@pytest.mark.parametrize(("name", "kind"), HOLDS)
@pytest.mark.parametrize("seed", range(3))
def test_declared_invariance_holds(name: str, kind: str, seed: int) -> None:
    X, Y = _pair(seed, 20, 4, 3)
    f = getattr(R, name)
    base = f(X, Y)
    assert abs(f(_transform(kind, X, seed + 100), Y) - base) <= INVARIANCE_TOL
    assert abs(f(X, _transform(kind, Y, seed + 200)) - base) <= INVARIANCE_TOL
    got = float(getattr(T, name)(_t(_transform(kind, X, seed + 100)), _t(Y)))
    assert abs(got - base) <= INVARIANCE_TOL


@pytest.mark.parametrize(("name", "kind"), FAILS)
def test_declared_non_invariance_is_refuted(name: str, kind: str) -> None:
    """Concrete counterexample: stretch one feature of X tenfold and compare with X itself."""
    assert kind == "invertible_linear"
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    A = np.diag([10.0, 1.0])
    f = getattr(R, name)
    assert abs(f(X @ A, X) - f(X, X)) >= REFUTE_MARGIN
    # the same map leaves CCA untouched (the positive control)
    assert abs(R.cca_mean_corr(X @ A, X) - 1.0) <= 1e-12


def test_every_declaration_is_exercised() -> None:
    assert len(HOLDS) + len(FAILS) == 4 * 5 and len(FAILS) == 3


# --------------------------------------------------------------------------- saturation


@pytest.mark.parametrize("p", [10, 12, 9], ids=["p=n", "p>n", "p=n-1"])
def test_cca_saturates_and_warns_when_p_reaches_n(p: int) -> None:
    rng = np.random.default_rng(15)
    X, Y = rng.standard_normal((10, p)), rng.standard_normal((10, 3))
    msg = "cca_mean_corr: the centred X and Y must satisfy rank(X) + rank(Y) <= n - 1"
    with pytest.warns(SaturationWarning, match=re.escape(msg)) as rec:
        value = R.cca_mean_corr(X, Y)
    assert "3 of the 3 canonical correlations saturate at 1 by construction" in str(rec[0].message)
    assert abs(value - 1.0) <= 1e-12  # unrelated noise scores 1
    with pytest.warns(SaturationWarning, match=re.escape(msg)):
        out = T.cca_mean_corr(_t(X), _t(Y))
    assert abs(float(out) - 1.0) <= 1e-12


def test_cca_partial_saturation_warning_states_the_floor() -> None:
    rng = np.random.default_rng(16)
    X, Y = rng.standard_normal((10, 5)), rng.standard_normal((10, 5))
    expected = (
        "cca_mean_corr: the centred X and Y must satisfy rank(X) + rank(Y) <= n - 1 for every canonical "
        "correlation to depend on the data (it fails whenever p >= n or q >= n); got rank(X)=5, rank(Y)=5, "
        "n=10 (X.shape=(10, 5), Y.shape=(10, 5)): 1 of the 5 canonical correlations saturate at 1 by "
        "construction, so the score is at least 0.2. Reduce the features first (e.g. PCA, as SVCCA does) "
        "or use more samples."
    )
    with pytest.warns(SaturationWarning) as rec:
        R.cca_mean_corr(X, Y)
    assert str(rec[0].message) == expected


def test_cca_no_warning_below_saturation_or_for_rank_deficient_wide_input() -> None:
    rng = np.random.default_rng(17)
    a = rng.standard_normal((10, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        R.cca_mean_corr(rng.standard_normal((10, 4)), rng.standard_normal((10, 5)))  # 4 + 5 <= 9
        wide_but_rank_one = np.repeat(a, 12, axis=1) * np.arange(1, 13)  # p = 12 >= n, rank 1
        R.cca_mean_corr(wide_but_rank_one, rng.standard_normal((10, 2)))
        T.cca_mean_corr(_t(wide_but_rank_one), _t(rng.standard_normal((10, 2))))


def test_torch_cca_batched_saturation_warning_counts_elements() -> None:
    rng = np.random.default_rng(18)
    X = np.stack(
        [rng.standard_normal((10, 3)) @ rng.standard_normal((3, 9)), rng.standard_normal((10, 9))]
    )  # ranks 3, 9
    with pytest.warns(
        SaturationWarning, match=re.escape("got 1 of 2 batch elements with rank(X) + rank(Y) > n - 1 = 9")
    ):
        T.cca_mean_corr(_t(X), _t(rng.standard_normal((10, 2))))


# --------------------------------------------------------------------------- degenerate inputs


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("which", ["X", "Y"])
@pytest.mark.parametrize("fill", [0.0, 0.1], ids=["zero", "constant"])
def test_constant_input_raises(name: str, which: str, fill: float) -> None:
    rng = np.random.default_rng(19)
    good, bad = rng.standard_normal((6, 3)), np.full((6, 3), fill)
    X, Y = (bad, good) if which == "X" else (good, bad)
    expected = (
        f"{name}: {which} must have at least one non-constant column (a constant {which} is the zero matrix once "
        f"centred, and the score would be 0/0); got every column of {which} constant ({which}.shape=(6, 3)). "
        "Drop constant representations before comparing them."
    )
    with pytest.raises(DegenerateInputError, match=re.escape(expected)):
        getattr(R, name)(X, Y)
    with pytest.raises(DegenerateInputError, match=re.escape(expected)):
        getattr(T, name)(_t(X), _t(Y))


@pytest.mark.parametrize("name", NAMES)
def test_torch_degenerate_checked_per_batch_element(name: str) -> None:
    rng = np.random.default_rng(20)
    X = rng.standard_normal((2, 3, 6, 4))
    X[1, 2] = 7.0
    with pytest.raises(
        DegenerateInputError,
        match=re.escape("got every column of X[1, 2] constant (1 such matrices in the batch) (X.shape=(2, 3, 6, 4))"),
    ):
        getattr(T, name)(_t(X), _t(rng.standard_normal((6, 2))))


# --------------------------------------------------------------------------- validation messages


NUMPY_MESSAGES = [
    (
        "1-D",
        np.arange(5.0),
        np.ones((5, 2)),
        ValueError,
        "{f}: X must be a 2-D matrix; got X.shape=(5,). Use X.reshape(-1, 1) for a single feature.",
    ),
    (
        "rows",
        np.ones((5, 2)),
        np.ones((4, 2)),
        ValueError,
        "{f}: X and Y must have the same number of rows (samples); got X.shape=(5, 2) and Y.shape=(4, 2).",
    ),
    # the value prints as nan or np.float64(nan) depending on the numpy scalar repr in _validation
    (
        "NaN",
        np.array([[0.0, 1.0], [np.nan, 2.0], [3.0, 1.0]]),
        np.ones((3, 1)),
        ValueError,
        "{f}: X must contain only finite values; got X[1, 0]=<nan> (1 non-finite entry).",
    ),
    (
        "complex",
        np.ones((3, 2)),
        np.ones((3, 2), dtype=complex),
        TypeError,
        "{f}: Y must be real-valued; got Y.dtype=complex128. Pass the real part explicitly if that is what you mean.",
    ),
    (
        "object",
        np.array([[1, "a"], [2, "b"]], dtype=object),
        np.ones((2, 2)),
        TypeError,
        "{f}: X must be a numeric (integer, boolean or floating) array; got X.dtype=object.",
    ),
    ("one-row", np.ones((1, 3)), np.ones((1, 3)), ValueError, "{f}: X must have at least 2 rows; got X.shape=(1, 3)."),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("case", "X", "Y", "error", "template"), NUMPY_MESSAGES, ids=[c[0] for c in NUMPY_MESSAGES])
def test_numpy_validation_messages(
    name: str, case: str, X: object, Y: object, error: type[Exception], template: str
) -> None:
    pattern = re.escape(template.format(f=name)).replace(re.escape("<nan>"), r"(nan|np\.float64\(nan\))")
    with pytest.raises(error, match="^" + pattern + "$"):
        getattr(R, name)(X, Y)


TORCH_MESSAGES = [
    ("not-tensor", np.ones((3, 2)), torch.ones(3, 2), TypeError, "{f}: X must be a torch.Tensor; got ndarray."),
    ("1-D", torch.ones(5), torch.ones(5, 2), ValueError, "{f}: X must have at least 2 dimensions; got X.shape=(5,)."),
    (
        "rows",
        torch.ones(2, 5, 2),
        torch.ones(4, 2),
        ValueError,
        "{f}: X and Y must have the same number of rows (samples, the second-to-last dimension); got X.shape=(2, 5, 2) and Y.shape=(4, 2).",
    ),
    (
        "batch",
        torch.ones(2, 5, 2),
        torch.ones(3, 5, 2),
        ValueError,
        "{f}: the batch dimensions of X and Y (all but the last two) must broadcast against each other; got X.shape=(2, 5, 2) and Y.shape=(3, 5, 2).",
    ),
    (
        "dtype",
        torch.ones(5, 2),
        torch.ones(5, 2, dtype=torch.float64),
        TypeError,
        "{f}: X and Y must have the same dtype (nothing is converted silently); got X.dtype=torch.float32 and Y.dtype=torch.float64. Cast one of them explicitly, e.g. Y.to(X.dtype).",
    ),
    (
        "NaN",
        torch.tensor([[0.0, 1.0], [float("nan"), 2.0], [3.0, 1.0]]),
        torch.ones(3, 1),
        ValueError,
        "{f}: X must contain only finite values; got 1 non-finite entry in X.",
    ),
    (
        "complex",
        torch.ones(3, 2),
        torch.ones(3, 2, dtype=torch.complex64),
        TypeError,
        "{f}: Y must be real-valued; got Y.dtype=torch.complex64.",
    ),
    (
        "one-row",
        torch.ones(1, 3),
        torch.ones(1, 3),
        ValueError,
        "{f}: X must have at least 2 rows (samples, the second-to-last dimension); got X.shape=(1, 3).",
    ),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("case", "X", "Y", "error", "template"), TORCH_MESSAGES, ids=[c[0] for c in TORCH_MESSAGES])
def test_torch_validation_messages(
    name: str, case: str, X: object, Y: object, error: type[Exception], template: str
) -> None:
    with pytest.raises(error, match="^" + re.escape(template.format(f=name)) + "$"):
        getattr(T, name)(X, Y)


# --------------------------------------------------------------------------- gradients


def _grad_inputs(
    seed: int, n: int, p: int, q: int, *, batch: tuple[int, ...] = ()
) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    X = torch.tensor(rng.standard_normal((*batch, n, p)), requires_grad=True)
    Y = torch.tensor(rng.standard_normal((*batch, n, q)), requires_grad=True)
    return X, Y


@pytest.mark.parametrize("name", ["cka_linear", "procrustes_distance", "procrustes_similarity"])
@pytest.mark.parametrize("shape", [(7, 3, 2), (5, 8, 3), (5, 7, 9)], ids=["tall", "wide_X", "both_wide"])
def test_gradcheck(name: str, shape: tuple[int, int, int]) -> None:
    X, Y = _grad_inputs(21, *shape)
    assert torch.autograd.gradcheck(getattr(T, name), (X, Y))


@pytest.mark.parametrize("name", ["cka_linear", "procrustes_distance"])
def test_gradcheck_batched(name: str) -> None:
    X, Y = _grad_inputs(22, 6, 3, 2, batch=(2,))
    assert torch.autograd.gradcheck(getattr(T, name), (X, Y))


def test_gradcheck_cca_full_rank() -> None:
    X, Y = _grad_inputs(23, 9, 3, 2)
    assert torch.autograd.gradcheck(T.cca_mean_corr, (X, Y))


@pytest.mark.parametrize("name", ["cka_linear", "procrustes_similarity"])
def test_gradcheck_at_a_constant_column(name: str) -> None:
    """Exactly zeroing a constant column must not break the derivative there.

    Perturbing a constant column by eps changes CKA and the nuclear norm only at
    order eps^2 (its row of Xc^T Yc and its Gram terms are O(eps)), so the exact
    gradient on that column is 0, and the finite differences of gradcheck agree.
    (With q >= p the dead column drops the rank of Xn^T Yn below min(p, q): the
    nuclear norm then has a kink there, so this case uses q < p.)
    """
    X, Y = _grad_inputs(24, 7, 3, 2)
    with torch.no_grad():
        X[:, 1] = 0.5
    assert torch.autograd.gradcheck(getattr(T, name), (X, Y))
    getattr(T, name)(X, Y).backward()
    assert X.grad is not None and bool(torch.isfinite(X.grad).all())
    assert float(X.grad[:, 1].abs().max()) <= 1e-12 < float(X.grad[:, 0].abs().max())


@pytest.mark.parametrize("name", NAMES)
def test_gradients_finite_on_random_inputs(name: str) -> None:
    X, Y = _grad_inputs(25, 12, 4, 3, batch=(3,))
    getattr(T, name)(X, Y).sum().backward()
    assert X.grad is not None and Y.grad is not None
    assert bool(torch.isfinite(X.grad).all()) and bool(torch.isfinite(Y.grad).all())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_keeps_device_and_agrees(name: str) -> None:
    X, Y = _pair(26, 15, 4, 3)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # metrics are computed with TF32 off
    try:
        out = getattr(T, name)(_t(X).cuda(), _t(Y).cuda())
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    assert out.device.type == "cuda" and out.dtype == torch.float64
    assert abs(float(out.cpu()) - _call(getattr(R, name), X, Y)) <= TOL64


def test_procrustes_squared_is_dings_convention() -> None:
    """``squared=True`` returns Ding et al.'s 2 - 2 ||Xn^T Yn||_*, in numpy and torch alike."""
    import torch

    from metrics import representation as R
    from metrics import torch_representation as TR

    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(40, 5)), rng.normal(size=(40, 3))
    s = R.procrustes_similarity(X, Y)
    assert R.procrustes_distance(X, Y, squared=True) == pytest.approx(2 - 2 * s, rel=1e-12)
    assert R.procrustes_distance(X, Y, squared=True) == pytest.approx(R.procrustes_distance(X, Y) ** 2, rel=1e-12)
    got = TR.procrustes_distance(torch.tensor(X), torch.tensor(Y), squared=True)
    assert float(got) == pytest.approx(2 - 2 * s, rel=1e-10)
