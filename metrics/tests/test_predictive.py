"""Tests for the predictive measures: numpy reference vs batched torch, scikit-learn as a peer
(LinearRegression, Ridge, KFold), the translation question settled, rank-deficient predictors,
identities, invariances per side and their counterexamples, axioms, degenerate inputs,
messages and gradients."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch

from metrics import predictive as P
from metrics import torch_predictive as T
from metrics._validation import DegenerateInputError, SaturationWarning

NAMES = [
    "linreg_r2",
    "linreg_r2_y_to_x",
    "ridge_cv_r2",
    "ridge_cv_r2_y_to_x",
    "stitching_loss_change",
    "stitching_loss_change_y_to_x",
]
# The two implementations take the same route (SVD projections, the same linear solves);
# observed float64 gaps are ~1e-15.
TOL64 = 1e-10
TOL32 = 2e-4
INVARIANCE_TOL = 1e-9
REFUTE_MARGIN = 1e-2
# (n, p, q): tall, p != q both ways, p > n (wide predictor), single features.
SHAPES = [(30, 3, 5), (25, 6, 2), (14, 20, 3), (12, 1, 1), (40, 12, 12)]


# --------------------------------------------------------------------------- builders


def _pair(seed: int, n: int, p: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Related but not identical representations with uneven column scales and an offset."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 10.0, p) + 5.0
    k = min(p, q)
    Y = X[:, :k] @ rng.standard_normal((k, q)) + 0.5 * rng.standard_normal((n, q)) * rng.uniform(0.5, 5.0, q)
    return X, Y


def _orthogonal(seed: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Q, Rm = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(Rm))


def _invertible(seed: int, d: int, *, cond: float = 10.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return _orthogonal(seed + 1, d) @ np.diag(rng.uniform(1.0, cond, d)) @ _orthogonal(seed + 2, d)


def _t(A: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.tensor(A, dtype=dtype)


def _quiet(fn: Callable[..., object], *args: object, **kwargs: object) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        return float(fn(*args, **kwargs))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- numpy vs torch


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1])
def test_torch_matches_numpy_float64(name: str, shape: tuple[int, int, int], seed: int) -> None:
    X, Y = _pair(seed, *shape)
    ref = _quiet(getattr(P, name), X, Y)
    out = getattr(T, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        got = out(_t(X), _t(Y))
    assert got.dtype == torch.float64 and got.shape == ()
    assert abs(float(got) - ref) <= TOL64 * max(1.0, abs(ref)), (ref, float(got))
    assert ref <= 1.0 + 1e-15
    if not name.startswith("ridge"):
        assert 0.0 <= ref <= 1.0


OPTIONS: list[tuple[str, dict[str, object]]] = [
    ("linreg_r2", {"rcond": 1e-3}),
    ("ridge_cv_r2", {"alpha": 3.0}),
    ("ridge_cv_r2", {"folds": 3, "seed": 7}),
    ("ridge_cv_r2", {"aggregate": "mean", "folds": 4}),
    ("ridge_cv_r2_y_to_x", {"aggregate": "mean", "seed": 0}),
    ("stitching_loss_change", {"components": 2}),
    ("stitching_loss_change_y_to_x", {"components": 1}),
    ("stitching_loss_change", {"rcond": 1e-2}),
]


@pytest.mark.parametrize(("name", "kwargs"), OPTIONS, ids=[f"{n}-{sorted(k)}" for n, k in OPTIONS])
def test_torch_matches_numpy_with_options(name: str, kwargs: dict[str, object]) -> None:
    X, Y = _pair(2, 26, 5, 4)
    ref = getattr(P, name)(X, Y, **kwargs)
    assert abs(float(getattr(T, name)(_t(X), _t(Y), **kwargs)) - ref) <= TOL64


def test_torch_matches_numpy_with_explicit_readout() -> None:
    X, Y = _pair(3, 20, 4, 5)
    W = np.random.default_rng(3).standard_normal((5, 2))
    ref = P.stitching_loss_change(X, Y, readout=W)
    assert abs(float(T.stitching_loss_change(_t(X), _t(Y), readout=_t(W))) - ref) <= TOL64
    back = P.stitching_loss_change_y_to_x(Y, X, readout=W)
    assert abs(back - ref) <= 1e-12
    Wb = np.stack([W, 2.0 * W[:, ::-1]])  # a batch of readouts broadcasts against unbatched X, Y
    out = T.stitching_loss_change(_t(X), _t(Y), readout=_t(Wb))
    assert out.shape == (2,)
    assert abs(float(out[1]) - P.stitching_loss_change(X, Y, readout=Wb[1])) <= TOL64


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(15, 4, 6), (9, 12, 3)], ids=["tall", "wide"])
def test_batched_and_broadcast_match_unbatched_numpy(name: str, shape: tuple[int, int, int]) -> None:
    n, p, q = shape
    rng = np.random.default_rng(4)
    X = rng.standard_normal((3, 2, n, p))
    Y = np.einsum("abnp,pq->abnq", X, rng.standard_normal((p, q))) + rng.standard_normal((3, 2, n, q))
    f = getattr(T, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        out = f(_t(X), _t(Y))
        broadcast = f(_t(X[:, :1]), _t(Y[:1, :]))
    assert out.shape == (3, 2) and broadcast.shape == (3, 2)
    ref = getattr(P, name)
    for a in range(3):
        for b in range(2):
            assert abs(float(out[a, b]) - _quiet(ref, X[a, b], Y[a, b])) <= TOL64
            assert abs(float(broadcast[a, b]) - _quiet(ref, X[a, 0], Y[0, b])) <= TOL64


@pytest.mark.parametrize("name", NAMES)
def test_float32_in_float32_out(name: str) -> None:
    X, Y = _pair(5, 30, 4, 3)
    X, Y = X - X.mean(0), Y - Y.mean(0)  # float32 centring of an offset of 5 would cost digits
    value = getattr(T, name)(_t(X, torch.float32), _t(Y, torch.float32))
    assert value.dtype == torch.float32 and value.shape == ()
    assert abs(float(value) - getattr(P, name)(X, Y)) <= TOL32


@pytest.mark.parametrize("name", NAMES)
def test_integer_inputs_become_float64(name: str) -> None:
    rng = np.random.default_rng(6)
    X, Y = rng.integers(-5, 6, size=(20, 3)), rng.integers(-5, 6, size=(20, 2))
    ref = getattr(P, name)(X.astype(np.float64), Y.astype(np.float64))
    assert getattr(P, name)(X, Y) == ref
    out = getattr(T, name)(torch.tensor(X), torch.tensor(Y))
    assert out.dtype == torch.float64 and abs(float(out) - ref) <= TOL64


def test_no_n_by_n_matrix() -> None:
    """n = 200,000: an n x n float64 matrix would need 320 GB, so any such path fails loudly."""
    X, Y = _pair(7, 200_000, 3, 4)
    for name in ("linreg_r2", "stitching_loss_change", "ridge_cv_r2"):
        ref = getattr(P, name)(X, Y)
        assert abs(float(getattr(T, name)(_t(X), _t(Y))) - ref) <= TOL64


# --------------------------------------------------------------------------- scikit-learn as a peer


@pytest.mark.parametrize("shape", [(40, 3, 5), (30, 8, 2), (25, 1, 1)])
def test_linreg_r2_equals_sklearn_linear_regression(shape: tuple[int, int, int]) -> None:
    """LinearRegression (intercept) + r2_score(multioutput="variance_weighted")."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    metrics = pytest.importorskip("sklearn.metrics")
    X, Y = _pair(8, *shape)
    fit = linear_model.LinearRegression().fit(X, Y)
    expected = metrics.r2_score(Y, fit.predict(X), multioutput="variance_weighted")
    assert abs(P.linreg_r2(X, Y) - expected) <= 1e-10
    fit_back = linear_model.LinearRegression().fit(Y, X)
    assert abs(P.linreg_r2_y_to_x(X, Y) - metrics.r2_score(X, fit_back.predict(Y), multioutput="variance_weighted")) <= 1e-10


def test_fold_indices_equal_sklearn_kfold() -> None:
    model_selection = pytest.importorskip("sklearn.model_selection")
    for n, folds in ((10, 5), (23, 4), (7, 7)):
        ours = P.fold_indices(n, folds, None)
        theirs = [test for _, test in model_selection.KFold(n_splits=folds).split(np.zeros((n, 1)))]
        assert [a.tolist() for a in ours] == [b.tolist() for b in theirs]
    seeded = P.fold_indices(20, 5, 3)
    assert sorted(np.concatenate(seeded).tolist()) == list(range(20))
    assert [a.tolist() for a in seeded] == [a.tolist() for a in P.fold_indices(20, 5, 3)]
    assert [a.tolist() for a in seeded] != [a.tolist() for a in P.fold_indices(20, 5, None)]


@pytest.mark.parametrize("shape", [(40, 4, 3), (18, 25, 2)], ids=["primal", "dual"])
@pytest.mark.parametrize("aggregate", ["pooled", "mean"])
@pytest.mark.parametrize("seed", [None, 5])
def test_ridge_cv_r2_equals_sklearn_ridge(shape: tuple[int, int, int], aggregate: str, seed: int | None) -> None:
    """sklearn's Ridge (intercept) with the absolute penalty lambda = alpha * ||X_t||_F^2 / min(p, n_t - 1)
    of each training fold, on the same folds, scored by r2_score(multioutput="variance_weighted")."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    metrics = pytest.importorskip("sklearn.metrics")
    X, Y = _pair(9, *shape)
    n, p = X.shape
    alpha = 0.3
    prediction = np.empty_like(Y)
    fold_scores = []
    for test in P.fold_indices(n, 5, seed):
        train = np.setdiff1d(np.arange(n), test)
        Xt = X[train] - X[train].mean(0)
        lam = alpha * float(np.sum(Xt**2)) / min(p, len(train) - 1)
        prediction[test] = linear_model.Ridge(alpha=lam).fit(X[train], Y[train]).predict(X[test])
        fold_scores.append(metrics.r2_score(Y[test], prediction[test], multioutput="variance_weighted"))
    expected = (
        metrics.r2_score(Y, prediction, multioutput="variance_weighted") if aggregate == "pooled" else np.mean(fold_scores)
    )
    got = P.ridge_cv_r2(X, Y, alpha=alpha, seed=seed, aggregate=aggregate)  # type: ignore[arg-type]
    assert abs(got - expected) <= 1e-9


# --------------------------------------------------------------------------- translation, settled


def test_linreg_r2_is_translation_invariant_because_of_the_intercept() -> None:
    """The claim that R^2_LR is not translation invariant holds only for a fit without intercept:
    with centring (an intercept) a translation of either side leaves every residual unchanged."""
    X, Y = _pair(10, 30, 3, 4)
    base = P.linreg_r2(X, Y)
    shift_x, shift_y = np.array([1e3, -50.0, 7.0]), np.array([-2e2, 3.0, 0.5, 1e3])
    assert abs(P.linreg_r2(X + shift_x, Y + shift_y) - base) <= INVARIANCE_TOL
    assert abs(float(T.linreg_r2(_t(X + shift_x), _t(Y + shift_y))) - base) <= INVARIANCE_TOL

    def no_intercept(A: np.ndarray, B: np.ndarray) -> float:
        coef = np.linalg.lstsq(A, B, rcond=None)[0]
        return 1.0 - float(np.sum((B - A @ coef) ** 2) / np.sum((B - B.mean(0)) ** 2))

    Xc, Yoff = X - X.mean(0), Y + 10.0
    assert abs(no_intercept(Xc + shift_x, Yoff) - no_intercept(Xc, Yoff)) > REFUTE_MARGIN  # the other convention moves


# --------------------------------------------------------------------------- rank deficiency


@pytest.mark.parametrize("name", NAMES)
def test_duplicated_and_dead_predictor_columns(name: str) -> None:
    """Duplicated, collinear and constant predictor columns do not change the least-squares measures
    (same column space) and do not break ridge."""
    X, Y = _pair(11, 30, 3, 4)
    f = getattr(P, name)
    base = f(X, Y)
    swap = name.endswith("y_to_x")
    for extra in (X[:, :1], X[:, :1] - 2.0 * X[:, 1:2], np.full((30, 1), 4.2)):
        bigger = np.hstack([X, extra])
        value = f(Y, bigger) if swap else f(bigger, Y)
        t_value = float(getattr(T, name)(_t(Y), _t(bigger)) if swap else getattr(T, name)(_t(bigger), _t(Y)))
        assert np.isfinite(value) and abs(t_value - value) <= TOL64
        if name.startswith("ridge"):
            continue  # ridge's penalty sees the duplicates (it is not a column-space measure)
        reference = f(Y, X) if swap else base
        assert abs(value - reference) <= 1e-10


def test_rcond_drops_nearly_collinear_columns() -> None:
    X, Y = _pair(12, 30, 2, 2)
    near = np.hstack([X, X[:, :1] + 1e-9 * np.random.default_rng(12).standard_normal((30, 1))])
    assert P.linreg_r2(near, Y, rcond=1e-6) == pytest.approx(P.linreg_r2(X, Y), abs=1e-10)
    assert P.linreg_r2(near, Y) > P.linreg_r2(X, Y)  # the default keeps the direction (it is above eps)


# --------------------------------------------------------------------------- identities


@pytest.mark.parametrize("shape", [(30, 3, 5), (30, 5, 3), (20, 4, 9)])
def test_stitching_with_every_principal_direction_is_one_minus_linreg_r2(shape: tuple[int, int, int]) -> None:
    X, Y = _pair(13, *shape)
    q = Y.shape[1]
    expected = 1.0 - P.linreg_r2(X, Y)
    assert abs(P.stitching_loss_change(X, Y) - expected) <= 1e-12  # default: min(10, rank) = q here
    assert abs(P.stitching_loss_change(X, Y, components=q) - expected) <= 1e-12
    assert abs(P.stitching_loss_change(X, Y, readout=np.eye(q)) - expected) <= 1e-12
    assert abs(float(T.stitching_loss_change(_t(X), _t(Y), components=q)) - expected) <= 1e-12


def test_stitching_components_equal_explicit_principal_readout() -> None:
    X, Y = _pair(14, 40, 4, 6)
    Yc = Y - Y.mean(0)
    _, _, Vt = np.linalg.svd(Yc, full_matrices=False)
    for r in (1, 2, 4):
        assert abs(P.stitching_loss_change(X, Y, components=r) - P.stitching_loss_change(X, Y, readout=Vt[:r].T)) <= 1e-12


def test_stitching_default_head_is_top_ten_directions() -> None:
    X, Y = _pair(15, 60, 5, 14)
    assert P.stitching_loss_change(X, Y) == P.stitching_loss_change(X, Y, components=10)
    assert P.stitching_loss_change(X, Y) != pytest.approx(1.0 - P.linreg_r2(X, Y), abs=1e-6)


def test_y_to_x_is_the_swap() -> None:
    X, Y = _pair(16, 25, 3, 4)
    for forward, backward in (("linreg_r2", "linreg_r2_y_to_x"), ("ridge_cv_r2", "ridge_cv_r2_y_to_x"),
                              ("stitching_loss_change", "stitching_loss_change_y_to_x")):
        assert getattr(P, backward)(X, Y) == getattr(P, forward)(Y, X)
        assert float(getattr(T, backward)(_t(X), _t(Y))) == pytest.approx(getattr(P, forward)(Y, X), abs=TOL64)


# --------------------------------------------------------------------------- invariances


def _transform(kind: str, A: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = A.shape[1]
    if kind == "translation":
        return A + rng.normal(0.0, 100.0, d)
    if kind == "isotropic_scaling":
        return -37.5 * A
    if kind == "orthogonal":
        return A @ _orthogonal(seed, d)
    if kind == "permutation":
        return A[:, rng.permutation(d)]
    if kind == "invertible_linear":
        return A @ _invertible(seed, d)
    raise AssertionError(kind)


GROUPS = ["translation", "isotropic_scaling", "orthogonal", "invertible_linear", "permutation"]
# measure -> group -> (holds for the predictor side, holds for the target side)
SIDES = {
    "linreg_r2": {**{g: (True, True) for g in GROUPS}, "invertible_linear": (True, False)},
    "ridge_cv_r2": {**{g: (True, True) for g in GROUPS}, "invertible_linear": (False, False)},
    "stitching_loss_change": {**{g: (True, True) for g in GROUPS}, "invertible_linear": (True, False)},
}
REGISTRY_NAMES = {
    "linreg_r2": ("linreg_r2_x_to_y", "linreg_r2_y_to_x"),
    "ridge_cv_r2": ("ridge_cv_r2_x_to_y", "ridge_cv_r2_y_to_x"),
    "stitching_loss_change": ("stitching_loss_x_to_y", "stitching_loss_y_to_x"),
}
CASES = [(m, g, side) for m, groups in SIDES.items() for g in GROUPS for side in (0, 1)]


def test_declarations_match_the_registry_records() -> None:
    """A record declares an invariance True only when it holds on both sides."""
    from metrics.records import predictive as records

    by_name = {spec.name: spec for spec in records.RECORDS}
    assert set(by_name) == {name for pair in REGISTRY_NAMES.values() for name in pair}
    for measure, names in REGISTRY_NAMES.items():
        for name in names:
            declared = by_name[name].invariances.as_dict()
            for group, (pred, target) in SIDES[measure].items():
                assert declared[group] is (pred and target), (name, group)
            assert not by_name[name].axioms.symmetry


@pytest.mark.parametrize(("name", "group", "side"), CASES, ids=[f"{m}-{g}-{'XY'[s]}" for m, g, s in CASES])
def test_invariance_per_side(name: str, group: str, side: int) -> None:
    """Each side of each group: holds on a random example, or fails by a margin."""
    rng = np.random.default_rng(17)
    X = rng.standard_normal((40, 4)) * np.array([1.0, 3.0, 0.3, 2.0]) + 1.0
    # Y: one well-predicted column of small variance, one poorly predicted, one in between
    Y = np.column_stack(
        [X @ np.array([0.3, 0.0, 0.0, 0.1]), rng.standard_normal(40), X[:, 1] + rng.standard_normal(40)]
    )
    f = getattr(P, name)
    base = f(X, Y)
    moved = f(_transform(group, X, 101), Y) if side == 0 else f(X, _transform(group, Y, 202))
    if SIDES[name][group][side]:
        assert abs(moved - base) <= INVARIANCE_TOL
        t_moved = getattr(T, name)(*((_t(_transform(group, X, 101)), _t(Y)) if side == 0 else (_t(X), _t(_transform(group, Y, 202)))))
        assert abs(float(t_moved) - base) <= INVARIANCE_TOL
    else:
        assert group == "invertible_linear"
        # a concrete map: shrink the informative feature of X a hundredfold (the ridge penalty then
        # suppresses it), or stretch the poorly predicted column of Y tenfold (it dominates the R^2)
        moved = f(X @ np.diag([1.0, 0.01, 1.0, 1.0]), Y) if side == 0 else f(X, Y @ np.diag([1.0, 10.0, 1.0]))
        assert abs(moved - base) >= REFUTE_MARGIN, (base, moved)


def test_invertible_target_map_counterexample_by_hand() -> None:
    """Y = [a, b] with a = X exactly and b independent: R^2 = var(a) / (var(a) + var(b)); stretching b
    tenfold (an invertible map of Y) lowers it."""
    rng = np.random.default_rng(18)
    a, b = rng.standard_normal((30, 1)), rng.standard_normal((30, 1))
    a, b = a - a.mean(), b - b.mean()
    b = b - a * (a[:, 0] @ b[:, 0]) / (a[:, 0] @ a[:, 0])  # b orthogonal to a, both centred
    Y = np.hstack([a, b])
    va, vb = float(np.var(a)), float(np.var(b))
    assert P.linreg_r2(a, Y) == pytest.approx(va / (va + vb), abs=1e-12)
    assert P.linreg_r2(a, Y @ np.diag([1.0, 10.0])) == pytest.approx(va / (va + 100 * vb), abs=1e-12)


# --------------------------------------------------------------------------- axioms


def test_identity() -> None:
    X, _ = _pair(19, 30, 4, 4)
    assert P.linreg_r2(X, X) == pytest.approx(1.0, abs=1e-12)
    assert P.stitching_loss_change(X, X) == pytest.approx(0.0, abs=1e-12)
    assert float(T.stitching_loss_change(_t(X), _t(X))) == pytest.approx(0.0, abs=1e-12)
    assert P.ridge_cv_r2(X, X) < 1.0 - REFUTE_MARGIN  # identity False: shrinkage and held-out rows
    assert P.ridge_cv_r2(X, X, alpha=1e-10) == pytest.approx(1.0, abs=1e-8)


def test_asymmetry_and_triangle_counterexample() -> None:
    """X = a, Y = [a, b], Z = b with a, b orthogonal and of equal variance."""
    rng = np.random.default_rng(20)
    basis = np.linalg.qr(np.hstack([np.ones((30, 1)), rng.standard_normal((30, 2))]))[0][:, 1:]  # centred, orthonormal
    a, b = basis[:, :1], basis[:, 1:]
    X, Y, Z = a, np.hstack([a, b]), b
    d = P.stitching_loss_change
    assert d(X, Y) == pytest.approx(0.5, abs=1e-12) and d(Y, X) == pytest.approx(0.0, abs=1e-12)  # not symmetric
    assert d(Y, Z) == pytest.approx(0.0, abs=1e-12) and d(X, Z) == pytest.approx(1.0, abs=1e-12)
    assert d(X, Z) > d(X, Y) + d(Y, Z) + 0.4  # no triangle inequality
    assert P.linreg_r2(X, Y) == pytest.approx(0.5, abs=1e-12) and P.linreg_r2(Y, X) == pytest.approx(1.0, abs=1e-12)


def test_ridge_cv_r2_can_be_negative() -> None:
    rng = np.random.default_rng(21)
    X, Y = rng.standard_normal((20, 8)), rng.standard_normal((20, 2))
    assert P.ridge_cv_r2(X, Y, alpha=1e-3) < 0.0


# --------------------------------------------------------------------------- degenerate inputs


@pytest.mark.parametrize("name", NAMES)
def test_constant_target_raises(name: str) -> None:
    rng = np.random.default_rng(22)
    good, bad = rng.standard_normal((10, 3)), np.full((10, 2), 0.3)
    target = "X" if name.endswith("y_to_x") else "Y"
    X, Y = (bad, good) if target == "X" else (good, bad)
    shape = "(10, 2)"
    msg = (
        f"{name}: {target} must have at least one non-constant column (a constant {target} is the zero matrix once "
        f"centred, and the score would be 0/0); got every column of {target} constant ({target}.shape={shape}). "
        "Drop constant representations before comparing them."
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        getattr(P, name)(X, Y)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        getattr(T, name)(_t(X), _t(Y))


def test_constant_predictor_is_not_degenerate() -> None:
    rng = np.random.default_rng(23)
    X, Y = np.full((12, 2), -1.5), rng.standard_normal((12, 3))
    assert P.linreg_r2(X, Y) == 0.0 and float(T.linreg_r2(_t(X), _t(Y))) == 0.0
    assert P.stitching_loss_change(X, Y) == 1.0 and float(T.stitching_loss_change(_t(X), _t(Y))) == 1.0
    expected = P.ridge_cv_r2(X, Y)  # every fold predicts its training mean
    manual_sse = sum(
        float(np.sum((Y[test] - Y[np.setdiff1d(np.arange(12), test)].mean(0)) ** 2)) for test in P.fold_indices(12, 5, None)
    )
    assert expected == pytest.approx(1.0 - manual_sse / float(np.sum((Y - Y.mean(0)) ** 2)), abs=1e-12)
    assert float(T.ridge_cv_r2(_t(X), _t(Y))) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("name", ["linreg_r2", "stitching_loss_change"])
def test_saturation_warns(name: str) -> None:
    rng = np.random.default_rng(24)
    X, Y = rng.standard_normal((10, 9)), rng.standard_normal((10, 2))
    msg = (
        f"{name}: the centred predictor X must have rank below n - 1 for the fit to depend on the data (it fails "
        "whenever X has n - 1 or more generic columns); got rank(X)=9, n=10 (X.shape=(10, 9)): X fits every target "
        "exactly. Reduce the predictor's features first (e.g. PCA) or use more samples."
    )
    expected = 1.0 if name == "linreg_r2" else 0.0
    with pytest.warns(SaturationWarning, match="^" + re.escape(msg) + "$"):
        assert getattr(P, name)(X, Y) == pytest.approx(expected, abs=1e-12)
    with pytest.warns(SaturationWarning, match="^" + re.escape(msg) + "$"):
        assert float(getattr(T, name)(_t(X), _t(Y))) == pytest.approx(expected, abs=1e-12)
    batched = np.stack([X[:, :3], X[:, 3:6]])  # ranks 3 and 3: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(T, name)(_t(batched), _t(Y))
    with pytest.warns(SaturationWarning, match=re.escape("got 1 of 2 batch elements with rank(X) = n - 1 = 9")):
        getattr(T, name)(_t(np.stack([X, np.hstack([X[:, :3], np.zeros((10, 6))])])), _t(Y))


def test_ridge_mean_aggregate_constant_fold_raises() -> None:
    X = np.arange(12.0).reshape(12, 1) ** 1.5
    Y = np.repeat(np.arange(4.0), 3).reshape(12, 1)  # constant on each block of 3 rows
    msg = (
        "ridge_cv_r2: with aggregate='mean', Y must be non-constant on every test fold (each fold's R^2 divides by "
        "its own variance); got Y constant on fold 0 (3 rows: 0, 1, 2). Use aggregate='pooled', fewer folds, or "
        "seeded folds (seed=0)."
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        P.ridge_cv_r2(X, Y, folds=4, aggregate="mean")
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        T.ridge_cv_r2(_t(X), _t(Y), folds=4, aggregate="mean")
    with pytest.raises(DegenerateInputError, match=re.escape("got Y[1] constant on fold 0")):
        T.ridge_cv_r2(_t(X), _t(np.stack([X, Y])), folds=4, aggregate="mean")
    assert np.isfinite(P.ridge_cv_r2(X, Y, folds=4))  # pooled: well defined
    # 9 rows in 8 folds: sizes 2, 1, 1, ...; a one-row test fold has no variance of its own
    with pytest.raises(DegenerateInputError, match=re.escape("got Y constant on fold 1 (1 row: 2)")):
        P.ridge_cv_r2(X[:9], np.sin(X[:9]), folds=8, aggregate="mean")


def test_stitching_tied_principal_directions_raise() -> None:
    """Y with an isotropic spectrum: the top-1 principal direction is not unique."""
    rng = np.random.default_rng(25)
    Q = np.linalg.qr(np.hstack([np.ones((20, 1)), rng.standard_normal((20, 3))]))[0][:, 1:]  # centred, orthonormal
    Y = 2.0 * Q
    X = rng.standard_normal((20, 2))
    msg = (
        "stitching_loss_change: the top 1 principal directions of the centred Y must be unique (a gap between "
        "singular values s_1 and s_2, relative to s_1, above 1e-08); got s_1="
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg)):
        P.stitching_loss_change(X, Y, components=1)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg)):
        T.stitching_loss_change(_t(X), _t(Y), components=1)
    with pytest.raises(DegenerateInputError, match=re.escape(" in Y[1]. Pass components=")):
        T.stitching_loss_change(_t(X), _t(np.stack([Y @ np.diag([1.0, 2.0, 3.0]), Y])), components=1)
    # no tie at the cut: all three directions kept, or a cut where the spectrum has a gap
    assert np.isfinite(P.stitching_loss_change(X, Y, components=3))
    assert np.isfinite(P.stitching_loss_change(X, Y @ np.diag([3.0, 1.0, 1.0]), components=1))


def test_stitching_zero_head_output_raises() -> None:
    rng = np.random.default_rng(26)
    X, Y = rng.standard_normal((10, 2)), rng.standard_normal((10, 3))
    Y[:, 2] = 1.0  # constant: the readout of that column alone outputs zero once centred
    W = np.array([[0.0], [0.0], [1.0]])
    msg = (
        "stitching_loss_change: the head's output (centred Y) @ readout must be nonzero (the loss divides by its "
        "norm); got a zero output for readout.shape=(3, 1)."
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        P.stitching_loss_change(X, Y, readout=W)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        T.stitching_loss_change(_t(X), _t(Y), readout=_t(W))


# --------------------------------------------------------------------------- validation messages


OPTION_MESSAGES = [
    ("linreg_r2", {"rcond": 1.0}, ValueError, "linreg_r2: rcond must lie in [0.0, 1.0); got rcond=1.0."),
    ("linreg_r2", {"rcond": "1e-3"}, TypeError, "linreg_r2: rcond must be a real number; got rcond='1e-3' (str)."),
    ("ridge_cv_r2", {"folds": 1}, ValueError, "ridge_cv_r2: folds must be >= 2; got folds=1."),
    (
        "ridge_cv_r2",
        {"folds": 13},
        ValueError,
        "ridge_cv_r2: folds must be at most n = 12 (every fold needs a test row); got folds=13. Pass fewer folds.",
    ),
    ("ridge_cv_r2", {"alpha": 0.0}, ValueError, "ridge_cv_r2: alpha must lie in (0.0, inf); got alpha=0.0."),
    ("ridge_cv_r2", {"seed": -1}, ValueError, "ridge_cv_r2: seed must be >= 0; got seed=-1."),
    ("ridge_cv_r2", {"seed": 1.5}, TypeError, "ridge_cv_r2: seed must be an integer; got seed=1.5 (float)."),
    (
        "ridge_cv_r2_y_to_x",
        {"aggregate": "median"},
        ValueError,
        "ridge_cv_r2_y_to_x: aggregate must be 'pooled' or 'mean'; got aggregate='median'.",
    ),
    ("stitching_loss_change", {"components": 0}, ValueError, "stitching_loss_change: components must be >= 1; got components=0."),
    (
        "stitching_loss_change",
        {"components": 4},
        ValueError,
        "stitching_loss_change: components must be at most the number of columns of Y, 3; got components=4.",
    ),
    (
        "stitching_loss_change_y_to_x",
        {"components": 3},
        ValueError,
        "stitching_loss_change_y_to_x: components must be at most the number of columns of X, 2; got components=3.",
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "error", "message"), OPTION_MESSAGES, ids=[f"{m[0]}-{m[1]}" for m in OPTION_MESSAGES])
def test_option_messages(name: str, kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    rng = np.random.default_rng(27)
    X, Y = rng.standard_normal((12, 2)), rng.standard_normal((12, 3))
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        getattr(P, name)(X, Y, **kwargs)
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        getattr(T, name)(_t(X), _t(Y), **kwargs)


def test_readout_messages() -> None:
    rng = np.random.default_rng(28)
    X, Y = rng.standard_normal((12, 2)), rng.standard_normal((12, 3))
    both = "stitching_loss_change: pass readout or components, not both; got readout of shape (3, 1) and components=1."
    with pytest.raises(ValueError, match="^" + re.escape(both) + "$"):
        P.stitching_loss_change(X, Y, readout=np.ones((3, 1)), components=1)
    with pytest.raises(ValueError, match="^" + re.escape(both) + "$"):
        T.stitching_loss_change(_t(X), _t(Y), readout=torch.ones(3, 1, dtype=torch.float64), components=1)
    rows = "stitching_loss_change: readout must have 3 rows (one per column of Y); got readout.shape=(2, 1)."
    with pytest.raises(ValueError, match="^" + re.escape(rows) + "$"):
        P.stitching_loss_change(X, Y, readout=np.ones((2, 1)))
    with pytest.raises(ValueError, match="^" + re.escape(rows) + "$"):
        T.stitching_loss_change(_t(X), _t(Y), readout=torch.ones(2, 1, dtype=torch.float64))
    flat = "stitching_loss_change: readout must be a 2-D matrix; got readout.shape=(3,). Use readout.reshape(-1, 1) for a single feature."
    with pytest.raises(ValueError, match="^" + re.escape(flat) + "$"):
        P.stitching_loss_change(X, Y, readout=np.ones(3))
    dtype = (
        "stitching_loss_change: readout must have the dtype of Y (nothing is converted silently); got "
        "readout.dtype=torch.float32 and Y.dtype=torch.float64. Cast it explicitly, e.g. readout.to(Y.dtype)."
    )
    with pytest.raises(TypeError, match="^" + re.escape(dtype) + "$"):
        T.stitching_loss_change(_t(X), _t(Y), readout=torch.ones(3, 1))


@pytest.mark.parametrize("name", NAMES)
def test_input_messages(name: str) -> None:
    rows = f"{name}: X and Y must have the same number of rows (samples); got X.shape=(5, 2) and Y.shape=(4, 2)."
    with pytest.raises(ValueError, match="^" + re.escape(rows) + "$"):
        getattr(P, name)(np.ones((5, 2)), np.ones((4, 2)))
    one = f"{name}: X must have at least 2 rows; got X.shape=(1, 3)."
    with pytest.raises(ValueError, match="^" + re.escape(one) + "$"):
        getattr(P, name)(np.ones((1, 3)), np.ones((1, 3)))
    nan = f"{name}: Y must contain only finite values; got 1 non-finite entry in Y."
    with pytest.raises(ValueError, match="^" + re.escape(nan) + "$"):
        getattr(T, name)(torch.ones(4, 2, dtype=torch.float64), torch.tensor([[0.0], [1.0], [float("nan")], [2.0]], dtype=torch.float64))
    complex_msg = f"{name}: Y must be real-valued; got Y.dtype=complex128. Pass the real part explicitly if that is what you mean."
    with pytest.raises(TypeError, match="^" + re.escape(complex_msg) + "$"):
        getattr(P, name)(np.ones((4, 2)), np.ones((4, 2), dtype=complex))


# --------------------------------------------------------------------------- gradients


def _grad_pair(seed: int, n: int, p: int, q: int, *, batch: tuple[int, ...] = ()) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    X = torch.tensor(rng.standard_normal((*batch, n, p)), requires_grad=True)
    Y = torch.tensor(rng.standard_normal((*batch, n, q)), requires_grad=True)
    return X, Y


@pytest.mark.parametrize("name", NAMES)
def test_gradcheck(name: str) -> None:
    X, Y = _grad_pair(29, 11, 3, 2)
    assert torch.autograd.gradcheck(getattr(T, name), (X, Y))


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("ridge_cv_r2", {"aggregate": "mean", "folds": 3}),
        ("ridge_cv_r2", {"alpha": 2.0, "seed": 1}),
        ("stitching_loss_change", {"components": 2}),
        ("stitching_loss_change_y_to_x", {"components": 1}),
    ],
)
def test_gradcheck_options(name: str, kwargs: dict[str, object]) -> None:
    X, Y = _grad_pair(30, 12, 3, 4)
    assert torch.autograd.gradcheck(lambda a, b: getattr(T, name)(a, b, **kwargs), (X, Y))


@pytest.mark.parametrize("name", ["linreg_r2", "ridge_cv_r2", "stitching_loss_change"])
def test_gradcheck_batched_and_wide(name: str) -> None:
    X, Y = _grad_pair(31, 8, 3, 2, batch=(2,))
    assert torch.autograd.gradcheck(getattr(T, name), (X, Y))
    Xw, Yw = _grad_pair(32, 7, 9, 2)  # ridge's dual route (p > n_train)
    if name == "ridge_cv_r2":
        assert torch.autograd.gradcheck(getattr(T, name), (Xw, Yw))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_keeps_device_and_agrees(name: str) -> None:
    X, Y = _pair(33, 30, 4, 3)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        out = getattr(T, name)(_t(X).cuda(), _t(Y).cuda())
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    assert out.device.type == "cuda" and out.dtype == torch.float64
    assert abs(float(out.cpu()) - getattr(P, name)(X, Y)) <= TOL64
