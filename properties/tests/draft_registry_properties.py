"""DRAFT, not collected by pytest (its name does not start with test_): not green yet; the
session that added it lists in its closing note the declarations and near-degenerate inputs it
flags. Rename to test_*.py once stable.

Property tests generated from the registry: no declaration is vacuous.

For every representation record and every invariance, axiom and applicable
model property:

- declared True: a Hypothesis test draws inputs and group elements from
  :mod:`constructions.strategies` and checks the property with
  :mod:`properties.checks` (group elements applied to X, and separately to Y);
- declared False: a refutation searches a fixed list of seeded, deliberately
  hostile constructions (a large translation, stretching one feature, a 45
  degree rotation, Y = -X, ...) and must find a counterexample whose effect is
  well above rounding (:data:`REFUTE_MARGIN`).

A declaration found wrong is marked ``xfail(strict=True)`` in :data:`KNOWN_WRONG`
with the counterexample, so fixing the record makes the suite fail until the
mark is removed.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, note, seed, settings
from hypothesis import strategies as st

from constructions import strategies as cs
from metrics._validation import DegenerateInputError
from metrics.models import SoftmaxModel
from metrics.registry import MeasureSpec, specs
from properties import checks

REPS = list(specs("representations"))
MODELS = list(specs("models"))
GROUPS = ("translation", "isotropic_scaling", "orthogonal", "invertible_linear", "permutation")

#: A refutation must change the value by more than this (absolute, or relative to the value).
REFUTE_MARGIN = 1e-4

#: Slow measures get fewer Hypothesis examples.
SLOW = {"cka_rbf", "soft_matching", "rsa_correlation_spearman", "rsa_correlation_kendall_tau_b", "rsa_euclidean_spearman",
        "rsa_cosine_kendall_tau_a", "ridge_cv_r2_x_to_y", "ridge_cv_r2_y_to_x", "riemannian_ridge", "mcca"}
FAST_EXAMPLES = 20
SLOW_EXAMPLES = 10

#: (measure, property) -> reason. Declarations this suite found wrong (strict xfail, see the report).
KNOWN_WRONG: dict[tuple[str, str], str] = {
    ('cca_r2', 'translation'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 1.0 -> 0.04 after Y + b',
    ('eigenspace_overlap_score', 'translation'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 0.5 -> 1.0 after Y + b',
    ('linreg_r2_x_to_y', 'translation'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 1.0 -> 0.771 after X + b',
    ('linreg_r2_y_to_x', 'translation'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 1.0 -> 0.04 after Y + b',
    ('mcca', 'invertible_linear'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 1.0 -> 0.5 after Y @ A',
    ('cca_r2', 'invertible_linear'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 1.0 -> 0.5 after X @ A',
    ('shape_angular_a0', 'invertible_linear'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 0.0 -> 0.785 after X @ A',
    ('uniformity_difference', 'nonnegativity'): "returns NaN without raising (policy 'raise') on rows of zero norm: divide by zero in geometry.py:174",
    ('aligned_cosine', 'orthogonal'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 0.912023 -> 0.539345 after X @ Q',
    ('eigenspace_overlap_score', 'orthogonal'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 0.689878 -> 0.5 after X @ Q',
    ('linreg_r2_x_to_y', 'orthogonal'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 0.689878 -> 1.0 after X @ Q',
    ('stitching_loss_x_to_y', 'orthogonal'): 'near-degenerate draw (rows mostly equal/zero after shrinking): value jumps by a rank/threshold decision; 0.310122 -> 3.6e-30 after X @ Q',
    ('uniformity_difference', 'isotropic_scaling'): "returns NaN without raising (policy 'raise') on rows of zero norm: divide by zero in geometry.py:174",
    ('uniformity_difference', 'permutation'): "returns NaN without raising (policy 'raise') on rows of zero norm: divide by zero in geometry.py:174",
    ('uniformity_difference', 'symmetry'): "returns NaN without raising (policy 'raise') on rows of zero norm: divide by zero in geometry.py:174",
    ('rsa_correlation_spearman', 'isotropic_scaling'): 'DegenerateInputError on most draws of representation_pairs(min_p=3) (Hypothesis filter_too_much health check)',
    ('rsa_correlation_spearman', 'permutation'): 'DegenerateInputError on most draws of representation_pairs(min_p=3) (Hypothesis filter_too_much health check)',
    ('rsa_correlation_spearman', 'symmetry'): 'DegenerateInputError on most draws of representation_pairs(min_p=3) (Hypothesis filter_too_much health check)',
    ('rsa_correlation_pearson', 'isotropic_scaling'): 'DegenerateInputError on most draws of representation_pairs(min_p=3) (Hypothesis filter_too_much health check)',
    ('rsa_correlation_pearson', 'permutation'): 'DegenerateInputError on most draws of representation_pairs(min_p=3) (Hypothesis filter_too_much health check)',
    ('rsa_correlation_pearson', 'symmetry'): 'DegenerateInputError on most draws of representation_pairs(min_p=3) (Hypothesis filter_too_much health check)',
    ('rsa_correlation_kendall_tau_b', 'isotropic_scaling'): 'DegenerateInputError on most draws of representation_pairs(min_p=3) (Hypothesis filter_too_much health check)',
    ('rsa_correlation_kendall_tau_b', 'permutation'): 'DegenerateInputError on most draws of representation_pairs(min_p=3) (Hypothesis filter_too_much health check)',
    ('rsa_correlation_kendall_tau_b', 'symmetry'): 'DegenerateInputError on most draws of representation_pairs(min_p=3) (Hypothesis filter_too_much health check)',
    ('rsa_correlation_kendall_tau_b', 'identity'): 'DegenerateInputError on most draws (filter_too_much) / NaN on a draw with a zero row',
    ('llv', 'symmetry'): 'declared asymmetric, but |d(p,q) - d(q,p)| = 0 on 30 random model pairs',
    ('d_fg', 'symmetry'): 'declared asymmetric, but |d(p,q) - d(q,p)| <= 2.2e-16 on 30 random model pairs',
}

PAIRS = cs.representation_pairs(min_n=6, max_n=10, min_p=2, max_p=3, min_q=2, max_q=3)


RSA_CORR_PAIRS = cs.representation_pairs(min_n=6, max_n=10, min_p=3, max_p=4, min_q=3, max_q=4)


def _pairs(spec: MeasureSpec) -> Any:
    return RSA_CORR_PAIRS if spec.name.startswith("rsa_correlation") else PAIRS


def _settings(spec: MeasureSpec) -> Callable[[Any], Any]:
    # A fixed per-measure seed and no database: the strict xfails below must fail the same way under every profile.
    return settings(max_examples=SLOW_EXAMPLES if spec.name in SLOW else FAST_EXAMPLES, derandomize=False, database=None)


def _seeded(spec: MeasureSpec, prop: str) -> Callable[[Any], Any]:
    return seed(zlib.crc32(f"{spec.name}/{prop}".encode()))


def _param(spec: MeasureSpec, prop: str) -> Any:
    marks = []
    if (spec.name, prop) in KNOWN_WRONG:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[(spec.name, prop)]))
    return pytest.param(spec, id=f"{spec.name}-{prop}", marks=marks)


def _call(fn: Callable[..., Any], *args: Any) -> float:
    """The value, skipping draws the measure declares degenerate (policy "raise")."""
    try:
        return float(fn(*args))
    except DegenerateInputError:
        assume(False)
        raise AssertionError("unreachable")  # pragma: no cover


def _safe(fn: Callable[..., Any]) -> Callable[..., float]:
    return lambda *a: _call(fn, *a)


def _cases(prop: str, value: bool) -> list[Any]:
    out = []
    for s in REPS:
        v = s.invariances.as_dict()[prop] if prop in GROUPS else s.axioms.as_dict()[prop]
        if v is value:
            out.append(_param(s, prop))
    return out


# --------------------------------------------------------------------------- group elements


def _element(data: st.DataObject, group: str, dim: int) -> Any:
    if group == "translation":
        return data.draw(cs.translations(dim=dim), label="b")
    if group == "isotropic_scaling":
        return data.draw(cs.scalings(), label="a")
    if group == "orthogonal":
        return data.draw(cs.orthogonal_matrices(dim=dim), label="Q")
    if group == "invertible_linear":
        return data.draw(cs.invertible_matrices(dim=dim), label="A")
    return data.draw(cs.permutations(dim=dim), label="perm")


CHECK: dict[str, Callable[..., checks.CheckResult]] = {
    "translation": checks.check_translation,
    "isotropic_scaling": checks.check_isotropic_scaling,
    "orthogonal": checks.check_orthogonal,
    "invertible_linear": checks.check_invertible_linear,
    "permutation": checks.check_permutation,
}


def _hostile_elements(group: str, dim: int, rng: np.random.Generator) -> Iterator[Any]:
    """Group elements chosen to break a non-invariant measure clearly."""
    if group == "translation":
        yield np.full(dim, 10.0)
        e = np.zeros(dim)
        e[0] = 25.0
        yield e
        yield 10.0 * rng.standard_normal(dim)
    elif group == "isotropic_scaling":
        yield 3.0
        yield 0.1
        yield 50.0
    elif group == "orthogonal":
        if dim >= 2:
            c = s = math.sqrt(0.5)
            R = np.eye(dim)
            R[:2, :2] = [[c, -s], [s, c]]
            yield R
        Z = rng.standard_normal((dim, dim))
        yield np.linalg.qr(Z)[0]
        yield -np.eye(dim)
    elif group == "invertible_linear":
        D = np.eye(dim)
        D[0, 0] = 10.0
        yield D
        S = np.eye(dim)
        if dim >= 2:
            S[0, 1] = 3.0  # shear
        yield S
        yield rng.standard_normal((dim, dim)) + 2 * np.eye(dim)
    else:
        yield np.roll(np.arange(dim), 1)
        yield rng.permutation(dim)


def _hostile_pairs(rng: np.random.Generator) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Seeded representation pairs: independent, correlated, anisotropic, off-centre."""
    for n, p, q in ((10, 3, 3), (12, 4, 2), (8, 2, 3)):
        X = rng.standard_normal((n, p))
        yield X, rng.standard_normal((n, q))
        A = rng.standard_normal((p, q))
        yield X, X @ A + 0.3 * rng.standard_normal((n, q))
        yield X * np.linspace(1, 5, p) + 2.0, rng.standard_normal((n, q)) * np.linspace(3, 1, q) - 1.0


def _differs(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) > REFUTE_MARGIN * max(1.0, abs(a), abs(b))


# --------------------------------------------------------------------------- invariances


def _inv_cases(value: bool) -> list[Any]:
    out = []
    for g in GROUPS:
        for s in REPS:
            if s.invariances.as_dict()[g] is value:
                out.append(pytest.param(s, g, id=f"{s.name}-{g}", marks=_param(s, g).marks))
    return out


@pytest.mark.parametrize(("spec", "group"), _inv_cases(True))
def test_declared_invariance_holds(spec: MeasureSpec, group: str) -> None:
    fn = _safe(spec.numpy_fn)
    check = CHECK[group]

    @_seeded(spec, group)
    @_settings(spec)
    @given(pair=_pairs(spec), data=st.data())
    def run(pair: tuple[np.ndarray, np.ndarray], data: st.DataObject) -> None:
        X, Y = pair
        for side, M in (("x", X), ("y", Y)):
            g = _element(data, group, M.shape[1])
            r = check(fn, X, Y, g, side=side)
            note(r.detail)
            assert r.holds, f"{spec.name}: declared {group}-invariant but {r.detail}"

    run()


@pytest.mark.parametrize(("spec", "group"), _inv_cases(False))
def test_declared_non_invariance_is_refuted(spec: MeasureSpec, group: str) -> None:
    rng = np.random.default_rng(1234)
    tried = 0
    for X, Y in _hostile_pairs(rng):
        for side, M in (("x", X), ("y", Y)):
            for g in _hostile_elements(group, M.shape[1], rng):
                try:
                    r = CHECK[group](spec.numpy_fn, X, Y, g, side=side)
                except DegenerateInputError:
                    continue
                tried += 1
                if _differs(r.value_before, r.value_after):
                    return
    pytest.fail(f"{spec.name}: declared not {group}-invariant, but no counterexample in {tried} hostile constructions")


# --------------------------------------------------------------------------- axioms on representations


@pytest.mark.parametrize("spec", _cases("symmetry", True))
def test_declared_symmetry_holds(spec: MeasureSpec) -> None:
    fn = _safe(spec.numpy_fn)

    @_seeded(spec, 'test_declared_symmetry_holds')
    @_settings(spec)
    @given(pair=_pairs(spec))
    def run(pair: tuple[np.ndarray, np.ndarray]) -> None:
        r = checks.check_symmetry(fn, *pair)
        assert r.holds, f"{spec.name}: {r.detail}"

    run()


@pytest.mark.parametrize("spec", _cases("symmetry", False))
def test_declared_asymmetry_is_refuted(spec: MeasureSpec) -> None:
    for X, Y in _hostile_pairs(np.random.default_rng(7)):
        try:
            r = checks.check_symmetry(spec.numpy_fn, X, Y)
        except DegenerateInputError:
            continue
        if _differs(r.value_before, r.value_after):
            return
    pytest.fail(f"{spec.name}: declared asymmetric, but f(X, Y) == f(Y, X) on every construction")


def _top(spec: MeasureSpec) -> float:
    return spec.value_range[1]


@pytest.mark.parametrize("spec", _cases("identity", True))
def test_declared_identity_holds(spec: MeasureSpec) -> None:
    fn = _safe(spec.numpy_fn)

    @_seeded(spec, 'test_declared_identity_holds')
    @_settings(spec)
    @given(pair=_pairs(spec))
    def run(pair: tuple[np.ndarray, np.ndarray]) -> None:
        r = checks.check_identity(fn, pair[0], spec.kind, _top(spec))
        assert r.holds, f"{spec.name}: {r.detail}"

    run()


@pytest.mark.parametrize("spec", _cases("identity", False))
def test_declared_non_identity_is_refuted(spec: MeasureSpec) -> None:
    target = 0.0 if spec.kind == "distance" else _top(spec)
    rng = np.random.default_rng(11)
    tied = rng.standard_normal((8, 3))
    tied[1], tied[3] = tied[0], tied[2]  # duplicated rows: ties in the dissimilarity matrix
    for X in [tied] + [X for X, _ in _hostile_pairs(rng)]:
        try:
            v = float(spec.numpy_fn(X, X))
        except DegenerateInputError:
            continue
        if math.isinf(target) or _differs(v, target):
            return
    pytest.fail(f"{spec.name}: declared identity False, but f(X, X) hits {target} on every construction")


@pytest.mark.parametrize("spec", _cases("nonnegativity", True))
def test_declared_nonnegativity_holds(spec: MeasureSpec) -> None:
    fn = _safe(spec.numpy_fn)

    @_seeded(spec, 'test_declared_nonnegativity_holds')
    @_settings(spec)
    @given(pair=_pairs(spec))
    def run(pair: tuple[np.ndarray, np.ndarray]) -> None:
        r = checks.check_nonnegativity(fn, *pair)
        assert r.holds, f"{spec.name}: {r.detail}"

    run()


def _negative_candidates(rng: np.random.Generator) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    yield from _hostile_pairs(rng)
    for n, p in ((10, 3), (12, 2), (8, 4)):
        X = rng.standard_normal((n, p))
        yield X, -X
        yield X, X[::-1].copy()
        yield X, -(X + 3.0)
    for seed in range(20):
        r = np.random.default_rng(seed)
        yield r.standard_normal((6, 2)), r.standard_normal((6, 2))


@pytest.mark.parametrize("spec", _cases("nonnegativity", False))
def test_declared_negativity_is_refuted(spec: MeasureSpec) -> None:
    for X, Y in _negative_candidates(np.random.default_rng(3)):
        try:
            v = float(spec.numpy_fn(X, Y))
        except DegenerateInputError:
            continue
        if v < -REFUTE_MARGIN:
            return
    pytest.fail(f"{spec.name}: declared nonnegativity False, but no negative value found")


TRIPLES = st.integers(6, 10).flatmap(
    lambda n: st.tuples(
        cs.representation_pairs(min_n=n, max_n=n, min_p=2, max_p=3, min_q=2, max_q=3),
        cs.representation_pairs(min_n=n, max_n=n, min_p=2, max_p=3, min_q=2, max_q=3),
    )
)


def _triangle_cases(value: bool) -> list[Any]:
    return [_param(s, "triangle") for s in REPS + MODELS if s.kind == "distance" and s.axioms.triangle is value]


@pytest.mark.parametrize("spec", [p for p in _triangle_cases(True) if p.values[0].compares == "representations"])
def test_declared_triangle_holds(spec: MeasureSpec) -> None:
    fn = _safe(spec.numpy_fn)

    @_seeded(spec, 'test_declared_triangle_holds')
    @_settings(spec)
    @given(triple=TRIPLES)
    def run(triple: Any) -> None:
        (X, Y), (Z, _) = triple
        r = checks.check_triangle(fn, X, Y, Z)
        assert r.holds, f"{spec.name}: {r.detail}"

    run()


@pytest.mark.parametrize("spec", [p for p in _triangle_cases(False) if p.values[0].compares == "representations"])
def test_declared_non_triangle_is_refuted(spec: MeasureSpec) -> None:
    rng = np.random.default_rng(5)
    for seed in range(40):
        r = np.random.default_rng(seed)
        n = 8
        X, Y, Z = (r.standard_normal((n, 2)) for _ in range(3))
        for trip in ((X, Y, Z), (X, 0.5 * (X + Z) + 0.01 * Y, Z), (X, X + 0.1 * Y, Z)):
            try:
                res = checks.check_triangle(spec.numpy_fn, *trip)
            except DegenerateInputError:
                continue
            if res.value_before > res.value_after + REFUTE_MARGIN:
                return
    del rng
    pytest.fail(f"{spec.name}: declared triangle False, but no violation found")


# --------------------------------------------------------------------------- model records


def _model_param(spec: MeasureSpec, prop: str) -> Any:
    return _param(spec, prop)


# d_fg / d_LLV need K >= M + 2 labels (pivot + left-out label), one more than diversity needs.
MODEL_KW = {"max_n": 8, "min_k": 4, "max_k": 6, "max_m": 2}


@pytest.mark.parametrize("spec", [_model_param(s, "identifiability") for s in MODELS if s.invariances.identifiability])
def test_declared_identifiability_holds(spec: MeasureSpec) -> None:
    fn = _safe(spec.numpy_fn)

    @_seeded(spec, 'test_declared_identifiability_holds')
    @settings(max_examples=FAST_EXAMPLES, derandomize=False, database=None)
    @given(pq=cs.identifiability_pairs(**MODEL_KW))
    def run(pq: tuple[SoftmaxModel, SoftmaxModel]) -> None:
        r = checks.check_identifiability(fn, *pq)
        assert r.holds, f"{spec.name}: {r.detail}"

    run()


@pytest.mark.parametrize("spec", [_model_param(s, "symmetry") for s in MODELS if s.axioms.symmetry])
def test_model_declared_symmetry_holds(spec: MeasureSpec) -> None:
    fn = _safe(spec.numpy_fn)

    @_seeded(spec, 'test_model_declared_symmetry_holds')
    @settings(max_examples=FAST_EXAMPLES, derandomize=False, database=None)
    @given(pq=cs.model_pairs(**MODEL_KW))
    def run(pq: tuple[SoftmaxModel, SoftmaxModel]) -> None:
        r = checks.check_symmetry(fn, *pq)
        assert r.holds, f"{spec.name}: {r.detail}"

    run()


def _seeded_models(count: int = 3, scale: float = 3.0) -> Iterator[SoftmaxModel]:
    for seed in range(count):
        r = np.random.default_rng(100 + seed)
        yield SoftmaxModel(r.standard_normal((8, 2)), scale * r.standard_normal((5, 2)))


@pytest.mark.parametrize("spec", [_model_param(s, "symmetry") for s in MODELS if not s.axioms.symmetry])
def test_model_declared_asymmetry_is_refuted(spec: MeasureSpec) -> None:
    ms = list(_seeded_models(4))
    for a in ms:
        for b in ms:
            if a is b:
                continue
            r = checks.check_symmetry(spec.numpy_fn, a, b)
            if _differs(r.value_before, r.value_after):
                return
    pytest.fail(f"{spec.name}: declared asymmetric, but symmetric on every seeded model pair")


@pytest.mark.parametrize("spec", [_model_param(s, "identity") for s in MODELS if s.axioms.identity])
def test_model_declared_identity_holds(spec: MeasureSpec) -> None:
    fn = _safe(spec.numpy_fn)

    @_seeded(spec, 'test_model_declared_identity_holds')
    @settings(max_examples=FAST_EXAMPLES, derandomize=False, database=None)
    @given(p=cs.softmax_models(**MODEL_KW))
    def run(p: SoftmaxModel) -> None:
        r = checks.check_identity(fn, p, "distance")
        assert r.holds, f"{spec.name}: {r.detail}"

    run()


@pytest.mark.parametrize("spec", [_model_param(s, "nonnegativity") for s in MODELS if s.axioms.nonnegativity])
def test_model_declared_nonnegativity_holds(spec: MeasureSpec) -> None:
    fn = _safe(spec.numpy_fn)

    @_seeded(spec, 'test_model_declared_nonnegativity_holds')
    @settings(max_examples=FAST_EXAMPLES, derandomize=False, database=None)
    @given(pq=cs.model_pairs(**MODEL_KW))
    def run(pq: tuple[SoftmaxModel, SoftmaxModel]) -> None:
        r = checks.check_nonnegativity(fn, *pq)
        assert r.holds, f"{spec.name}: {r.detail}"

    run()


@pytest.mark.parametrize("spec", [p for p in _triangle_cases(True) if p.values[0].compares == "models"])
def test_model_declared_triangle_holds(spec: MeasureSpec) -> None:
    fn = _safe(spec.numpy_fn)

    @_seeded(spec, 'test_model_declared_triangle_holds')
    @settings(max_examples=FAST_EXAMPLES, derandomize=False, database=None)
    @given(pq=cs.model_pairs(**MODEL_KW), data=st.data())
    def run(pq: tuple[SoftmaxModel, SoftmaxModel], data: st.DataObject) -> None:
        p, q = pq
        r0 = SoftmaxModel(p.F, data.draw(cs.softmax_models(min_n=p.N, max_n=p.N, min_k=p.K, max_k=p.K, min_m=p.M, max_m=p.M)).G)
        r = checks.check_triangle(fn, p, q, r0)
        assert r.holds, f"{spec.name}: {r.detail}"

    run()


@pytest.mark.parametrize("spec", [p for p in _triangle_cases(False) if p.values[0].compares == "models"])
def test_model_declared_non_triangle_is_refuted(spec: MeasureSpec) -> None:
    for seed in range(30):
        r = np.random.default_rng(seed)
        F = r.standard_normal((6, 2))
        G1, G2 = (3.0 * r.standard_normal((4, 2)) for _ in range(2))
        a, c = SoftmaxModel(F, G1), SoftmaxModel(F, G2)
        b = SoftmaxModel(F, 0.5 * (G1 + G2))
        res = checks.check_triangle(spec.numpy_fn, a, b, c)
        if res.value_before > res.value_after + REFUTE_MARGIN:
            return
    pytest.fail(f"{spec.name}: declared triangle False, but no violation found")
