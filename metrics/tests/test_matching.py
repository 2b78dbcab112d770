"""Tests for the neuron-matching measures: numpy reference vs batched torch, POT (ot.emd2) as a
peer for the soft matching, brute force over permutations, the exact transport plan, invariances
and their counterexamples, metric axioms, degenerate inputs, messages and gradients."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
import torch
from scipy.optimize import linprog
from scipy.spatial.distance import cdist

from metrics import matching as M
from metrics import torch_matching as T
from metrics._validation import DegenerateInputError

NAMES = ["permutation_corr", "soft_matching_distance"]
TOL64 = 1e-12
TOL32 = 1e-4
INVARIANCE_TOL = 1e-10
REFUTE_MARGIN = 1e-2
# (n, p, q): p == q, p < q, p > q, a divisor pair, a coprime pair, single units, wide.
SHAPES = [(20, 4, 4), (20, 3, 5), (25, 6, 2), (15, 3, 6), (12, 5, 7), (10, 1, 1), (6, 9, 9)]


def _pair(seed: int, n: int, p: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Y's units: noisy, rescaled, shifted copies of some of X's units, plus new ones."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.normal(0.0, 3.0, p)
    Y = X[:, rng.integers(0, p, q)] * rng.uniform(0.5, 2.0, q) + 0.6 * rng.standard_normal((n, q)) + 1.0
    return X, Y


def _orthogonal(seed: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Q, Rm = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(Rm))


def _t(A: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.tensor(A, dtype=dtype)


def _centre(A: np.ndarray) -> np.ndarray:
    return A - A.mean(axis=0)


# --------------------------------------------------------------------------- numpy vs torch


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1])
def test_torch_matches_numpy_float64(name: str, shape: tuple[int, int, int], seed: int) -> None:
    X, Y = _pair(seed, *shape)
    ref = getattr(M, name)(X, Y)
    got = getattr(T, name)(_t(X), _t(Y))
    assert got.dtype == torch.float64 and got.shape == ()
    assert abs(float(got) - ref) <= TOL64 * max(1.0, ref), (ref, float(got))
    if name == "permutation_corr":
        assert -1.0 <= ref <= 1.0
    else:
        assert ref >= 0.0


@pytest.mark.parametrize("name", NAMES)
def test_batched_and_broadcast_match_unbatched_numpy(name: str) -> None:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 2, 12, 4))
    Y = rng.standard_normal((3, 2, 12, 6)) + np.concatenate([X, X[..., :2]], axis=-1)
    f = getattr(T, name)
    out, broadcast = f(_t(X), _t(Y)), f(_t(X[:, :1]), _t(Y[:1, :]))
    assert out.shape == (3, 2) and broadcast.shape == (3, 2)
    ref = getattr(M, name)
    for a in range(3):
        for b in range(2):
            assert abs(float(out[a, b]) - ref(X[a, b], Y[a, b])) <= TOL64 * 10
            assert abs(float(broadcast[a, b]) - ref(X[a, 0], Y[0, b])) <= TOL64 * 10


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(20, 4, 4), (20, 3, 5)])
def test_float32_in_float32_out(name: str, shape: tuple[int, int, int]) -> None:
    X, Y = _pair(3, *shape)
    value = getattr(T, name)(_t(X, torch.float32), _t(Y, torch.float32))
    assert value.dtype == torch.float32 and value.shape == ()
    ref = getattr(M, name)(X, Y)
    assert abs(float(value) - ref) <= TOL32 * max(1.0, ref)


@pytest.mark.parametrize("name", NAMES)
def test_integer_inputs_become_float64(name: str) -> None:
    rng = np.random.default_rng(4)
    X, Y = rng.integers(-5, 6, size=(12, 3)), rng.integers(-5, 6, size=(12, 4))
    ref = getattr(M, name)(X.astype(np.float64), Y.astype(np.float64))
    assert getattr(M, name)(X, Y) == ref
    out = getattr(T, name)(torch.tensor(X), torch.tensor(Y))
    assert out.dtype == torch.float64 and abs(float(out) - ref) <= TOL64 * max(1.0, ref)


# --------------------------------------------------------------------------- peers and brute force


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
def test_soft_matching_equals_pot_emd2(shape: tuple[int, int, int]) -> None:
    """POT's exact network simplex on the same cost (squared distances between centred units)."""
    ot = pytest.importorskip("ot")
    X, Y = _pair(5, *shape)
    p, q = X.shape[1], Y.shape[1]
    cost = cdist(_centre(X).T, _centre(Y).T, "sqeuclidean")
    expected = float(np.sqrt(ot.emd2(np.full(p, 1.0 / p), np.full(q, 1.0 / q), cost)))
    assert abs(M.soft_matching_distance(X, Y) - expected) <= 1e-10 * max(1.0, expected)
    raw = float(np.sqrt(ot.emd2(np.full(p, 1.0 / p), np.full(q, 1.0 / q), cdist(X.T, Y.T, "sqeuclidean"))))
    assert abs(M.soft_matching_distance(X, Y, centre=False) - raw) <= 1e-10 * max(1.0, raw)


@pytest.mark.parametrize("seed", range(3))
def test_transport_plan_is_feasible_and_optimal(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p, q in ((4, 6), (5, 3), (7, 7), (3, 8)):
        cost = rng.uniform(0.0, 10.0, (p, q))
        rows, cols, weights = M.transport_plan(cost)
        plan = np.zeros((p, q))
        plan[rows, cols] = weights
        assert np.all(weights > 0) and len(weights) <= p + q - 1
        assert np.allclose(plan.sum(axis=1), 1.0 / p, atol=1e-15, rtol=0)
        assert np.allclose(plan.sum(axis=0), 1.0 / q, atol=1e-15, rtol=0)
        A_eq = np.vstack([np.kron(np.eye(p), np.ones((1, q))), np.kron(np.ones((1, p)), np.eye(q))])
        b_eq = np.concatenate([np.full(p, 1.0 / p), np.full(q, 1.0 / q)])
        lp = linprog(cost.ravel(), A_eq=A_eq, b_eq=b_eq, bounds=(0, None))  # a second, independent solve
        assert abs(float(np.sum(plan * cost)) - float(lp.fun)) <= 1e-9


@pytest.mark.parametrize("shape", [(10, 3, 3), (10, 4, 4), (10, 2, 4), (10, 4, 3)])
def test_permutation_corr_equals_brute_force(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(6, *shape)
    C = np.corrcoef(X.T, Y.T)[: X.shape[1], X.shape[1] :]
    p, q = C.shape
    if p <= q:
        best = max(np.mean([C[i, j] for i, j in enumerate(perm)]) for perm in itertools.permutations(range(q), p))
    else:
        best = max(np.mean([C[i, j] for j, i in enumerate(perm)]) for perm in itertools.permutations(range(p), q))
    assert abs(M.permutation_corr(X, Y) - best) <= 1e-12


@pytest.mark.parametrize("p", [3, 4])
def test_soft_matching_equals_permutation_metric_when_p_equals_q(p: int) -> None:
    """p == q: d = min over permutations of ||Xc - Yc P||_F / sqrt(p) (Williams et al.'s metric / sqrt(p))."""
    X, Y = _pair(7, 15, p, p)
    Xc, Yc = _centre(X), _centre(Y)
    best = min(float(np.linalg.norm(Xc - Yc[:, list(perm)])) for perm in itertools.permutations(range(p)))
    assert abs(M.soft_matching_distance(X, Y) - best / np.sqrt(p)) <= 1e-12


# --------------------------------------------------------------------------- invariances


def _transform(kind: str, A: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = A.shape[1]
    if kind == "translation":
        return A + rng.normal(0.0, 100.0, d)
    if kind == "isotropic_scaling":
        return 3.5 * A
    if kind == "orthogonal":
        return A @ _orthogonal(seed, d)
    if kind == "permutation":
        return A[:, rng.permutation(d)]
    if kind == "invertible_linear":
        return A @ (_orthogonal(seed, d) @ np.diag(rng.uniform(1.0, 4.0, d)))
    raise AssertionError(kind)


DECLARED = {
    "permutation_corr": {
        "translation": True, "isotropic_scaling": True, "orthogonal": False, "invertible_linear": False, "permutation": True,
    },
    "soft_matching_distance": {
        "translation": True, "isotropic_scaling": False, "orthogonal": False, "invertible_linear": False, "permutation": True,
    },
}
REGISTRY = {"permutation_corr": "permutation_corr", "soft_matching": "soft_matching_distance"}
HOLDS = [(m, k) for m, inv in DECLARED.items() for k, v in inv.items() if v]
FAILS = [(m, k) for m, inv in DECLARED.items() for k, v in inv.items() if not v]


def test_declarations_match_the_registry_records() -> None:
    from metrics.records import matching as records

    assert {spec.name for spec in records.RECORDS} == set(REGISTRY)
    for spec in records.RECORDS:
        function = REGISTRY[spec.name]
        inv = spec.invariances.as_dict()
        assert {k: inv[k] for k in DECLARED[function]} == DECLARED[function]
        assert spec.numpy_fn is getattr(M, function) and spec.torch_fn is getattr(T, function)


@pytest.mark.parametrize(("name", "kind"), HOLDS)
@pytest.mark.parametrize("seed", range(2))
def test_declared_invariance_holds(name: str, kind: str, seed: int) -> None:
    X, Y = _pair(seed, 20, 4, 3)
    f = getattr(M, name)
    base = f(X, Y)
    assert abs(f(_transform(kind, X, seed + 100), Y) - base) <= INVARIANCE_TOL * max(1.0, base)
    assert abs(f(X, _transform(kind, Y, seed + 200)) - base) <= INVARIANCE_TOL * max(1.0, base)
    got = float(getattr(T, name)(_t(_transform(kind, X, seed + 100)), _t(Y)))
    assert abs(got - base) <= INVARIANCE_TOL * max(1.0, base)


@pytest.mark.parametrize(("name", "kind"), FAILS)
def test_declared_non_invariance_is_refuted(name: str, kind: str) -> None:
    """Compare X with a transformed copy of itself: the invariant value would be the perfect one."""
    X, _ = _pair(8, 20, 4, 4)
    f = getattr(M, name)
    perfect = 1.0 if name == "permutation_corr" else 0.0
    assert abs(f(X, X) - perfect) <= 1e-12
    assert abs(f(_transform(kind, X, 9), X) - perfect) >= REFUTE_MARGIN


def test_soft_matching_without_centring_is_not_translation_invariant() -> None:
    X, Y = _pair(10, 20, 3, 4)
    moved = X + np.array([1.0, -2.0, 3.0])
    assert abs(M.soft_matching_distance(moved, Y) - M.soft_matching_distance(X, Y)) <= 1e-10
    assert abs(M.soft_matching_distance(moved, Y, centre=False) - M.soft_matching_distance(X, Y, centre=False)) >= REFUTE_MARGIN
    assert abs(float(T.soft_matching_distance(_t(moved), _t(Y), centre=False)) - M.soft_matching_distance(moved, Y, centre=False)) <= 1e-10


def test_permutation_corr_ignores_per_unit_positive_scales() -> None:
    X, Y = _pair(11, 20, 4, 5)
    assert abs(M.permutation_corr(X * np.array([0.1, 2.0, 30.0, 4.0]), Y) - M.permutation_corr(X, Y)) <= 1e-12


def test_every_declaration_is_exercised() -> None:
    assert len(HOLDS) + len(FAILS) == 2 * 5 and len(FAILS) == 2 + 3


# --------------------------------------------------------------------------- axioms


@pytest.mark.parametrize("seed", range(5))
def test_soft_matching_triangle_inequality(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A, B, C = (rng.standard_normal((8, p)) * rng.uniform(0.2, 3.0) for p in (3, 5, 2))
    d = M.soft_matching_distance
    assert d(A, C) <= d(A, B) + d(B, C) + 1e-12


@pytest.mark.parametrize("name", NAMES)
def test_symmetry_and_identity(name: str) -> None:
    X, Y = _pair(12, 15, 3, 5)
    f = getattr(M, name)
    assert abs(f(X, Y) - f(Y, X)) <= 1e-12
    assert f(X, X) == pytest.approx(1.0 if name == "permutation_corr" else 0.0, abs=1e-12)


def test_soft_matching_is_a_pseudometric_on_matrices() -> None:
    """Duplicating every unit keeps the distribution of units: distance 0 between different matrices."""
    X, _ = _pair(13, 10, 3, 3)
    assert M.soft_matching_distance(X, np.hstack([X, X[:, ::-1]])) == pytest.approx(0.0, abs=1e-12)
    assert float(T.soft_matching_distance(_t(X), _t(np.hstack([X, X])))) == pytest.approx(0.0, abs=1e-12)


def test_permutation_corr_can_be_negative() -> None:
    x = np.arange(6.0)[:, None] ** 1.5
    assert M.permutation_corr(x, -x) == pytest.approx(-1.0, abs=1e-12)
    assert float(T.permutation_corr(_t(x), _t(-x))) == pytest.approx(-1.0, abs=1e-12)


def test_soft_matching_zero_matrices() -> None:
    """No degenerate inputs: zero matrices are ordinary points."""
    Y = _pair(14, 8, 2, 3)[1]
    assert M.soft_matching_distance(np.zeros((8, 2)), np.zeros((8, 5))) == 0.0
    expected = float(np.sqrt(np.mean(np.sum(_centre(Y) ** 2, axis=0))))  # every unit travels to the origin
    assert M.soft_matching_distance(np.zeros((8, 2)), Y) == pytest.approx(expected, abs=1e-12)
    assert float(T.soft_matching_distance(torch.zeros(8, 2, dtype=torch.float64), _t(Y))) == pytest.approx(expected, abs=1e-12)


# --------------------------------------------------------------------------- degenerate inputs and messages


def test_permutation_corr_constant_unit_raises() -> None:
    X, Y = _pair(15, 8, 3, 2)
    Y[:, 1] = 2.5
    msg = (
        "permutation_corr: every column (unit) of Y must be non-constant (a constant unit's correlation with any "
        "other unit is 0/0); got Y[:, 1] constant (1 constant column; Y.shape=(8, 2)). Drop dead (constant) units "
        "before matching."
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        M.permutation_corr(X, Y)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        T.permutation_corr(_t(X), _t(Y))
    Xb = np.stack([X, X])
    Xb[1, :, 0] = 0.0
    Xb[1, :, 2] = 0.0
    with pytest.raises(DegenerateInputError, match=re.escape("got X[1][:, 0] constant (2 constant columns; X.shape=(2, 8, 3))")):
        T.permutation_corr(_t(Xb), _t(_pair(15, 8, 3, 2)[1]))


@pytest.mark.parametrize("name", NAMES)
def test_input_messages(name: str) -> None:
    rows = f"{name}: X and Y must have the same number of rows (samples); got X.shape=(5, 2) and Y.shape=(4, 2)."
    with pytest.raises(ValueError, match="^" + re.escape(rows) + "$"):
        getattr(M, name)(np.ones((5, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="^" + re.escape(rows.replace("(samples)", "(samples, the second-to-last dimension)")) + "$"):
        getattr(T, name)(torch.ones(5, 2), torch.ones(4, 2))
    one = f"{name}: X must have at least 2 rows; got X.shape=(1, 3)."
    with pytest.raises(ValueError, match="^" + re.escape(one) + "$"):
        getattr(M, name)(np.ones((1, 3)), np.ones((1, 3)))
    obj = f"{name}: X must be a numeric (integer, boolean or floating) array; got X.dtype=object."
    with pytest.raises(TypeError, match="^" + re.escape(obj) + "$"):
        getattr(M, name)(np.array([[1, "a"], [2, "b"]], dtype=object), np.ones((2, 2)))
    nan = f"{name}: X must contain only finite values; got 1 non-finite entry in X."
    with pytest.raises(ValueError, match="^" + re.escape(nan) + "$"):
        getattr(T, name)(torch.tensor([[0.0], [float("nan")], [2.0]]), torch.ones(3, 1))


def test_centre_must_be_bool() -> None:
    msg = "soft_matching_distance: centre must be a bool; got centre=1 (int)."
    with pytest.raises(TypeError, match="^" + re.escape(msg) + "$"):
        M.soft_matching_distance(np.eye(3), np.eye(3), centre=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^" + re.escape(msg) + "$"):
        T.soft_matching_distance(torch.eye(3), torch.eye(3), centre=1)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(7, 3, 3), (7, 2, 5), (6, 4, 3)])
def test_gradcheck_at_a_unique_optimum(name: str, shape: tuple[int, int, int]) -> None:
    """Danskin: away from ties the optimal pairing/plan is locally constant, the value smooth."""
    n, p, q = shape
    rng = np.random.default_rng(16)
    X = torch.tensor(rng.standard_normal((n, p)), requires_grad=True)
    Y = torch.tensor(rng.standard_normal((n, q)), requires_grad=True)
    assert torch.autograd.gradcheck(getattr(T, name), (X, Y))


def test_gradcheck_batched() -> None:
    rng = np.random.default_rng(17)
    X = torch.tensor(rng.standard_normal((2, 6, 3)), requires_grad=True)
    Y = torch.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    for name in NAMES:
        assert torch.autograd.gradcheck(getattr(T, name), (X, Y))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_keeps_device_and_agrees(name: str) -> None:
    X, Y = _pair(18, 15, 4, 3)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        out = getattr(T, name)(_t(X).cuda(), _t(Y).cuda())
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    assert out.device.type == "cuda" and out.dtype == torch.float64
    assert abs(float(out.cpu()) - getattr(M, name)(X, Y)) <= TOL64 * 10
