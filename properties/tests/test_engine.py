"""Tests of the audit engine (properties/engine.py) on toy measures whose properties are known by hand.

Two toys carry most of the tests, each with its properties justified where it is defined:

- :func:`sq_mean_distance`, ``||mean(X) - mean(Y)||^2``: a distance that breaks every
  one-sided group invariance and the triangle inequality;
- :func:`linear_cka`, linear CKA written inline: a score invariant to translation,
  isotropic scaling, orthogonal maps and permutations, but not to invertible linear maps.

Every search is seeded (the engine's default seed 0 unless stated), so the verdicts
below are deterministic; each file-level budget keeps this module well under a minute.
"""

from __future__ import annotations

import functools
import json
import math
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from metrics._validation import DegenerateInputError, DegenerateInputWarning
from metrics.models import SoftmaxModel
from metrics.registry import get
from properties.engine import (
    GROUPS,
    PROFILE_BUDGETS,
    PROPERTIES,
    Budget,
    Target,
    Verdict,
    audit_target,
    check_case,
    infer_orientation,
    load_case,
    replay,
    save_case,
    search,
)

# --------------------------------------------------------------------------- toy measures


def sq_mean_distance(X: np.ndarray, Y: np.ndarray) -> float:
    """``||mean(X) - mean(Y)||^2`` (a distance; needs X and Y of the same width).

    Known properties (each transform acts on ONE side, as the engine's checks do):

    - translation: refuted, X + 1 b^T moves mean(X) by b;
    - isotropic_scaling: refuted, a mean(X) - mean(Y) has another norm unless mean(X) = 0
      (the drawn inputs carry offsets, so mean(X) != 0);
    - orthogonal / permutation: refuted, ``||Q^T mean(X) - mean(Y)||`` differs from
      ``||mean(X) - mean(Y)||`` in general; it is invariant only when BOTH sides are rotated;
    - invertible_linear: refuted (it contains the previous maps);
    - symmetry, nonnegativity, identity (f(X, X) = 0), finiteness, determinism: hold;
    - triangle: refuted, a squared Euclidean distance is not a metric (the midpoint M of
      X and Z has d(X, Z) = 4 d(X, M) > d(X, M) + d(M, Z) = 2 d(X, M)).
    """
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"sq_mean_distance: X and Y must have the same width; got {X.shape[1]} and {Y.shape[1]}.")
    return float(np.sum((X.mean(0) - Y.mean(0)) ** 2))


def linear_cka(X: np.ndarray, Y: np.ndarray) -> float:
    """Linear CKA: ``||Xc^T Yc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F)`` on column-centred inputs.

    Known properties: centring removes translations; numerator and denominator are both
    of degree 2 in X (scaling); ``(XQ)^T (XQ) = Q^T X^T X Q`` has the same Frobenius norm
    for orthogonal Q, and a permutation is an orthogonal map; symmetric in X and Y;
    CKA(X, X) = 1, so it is a score (orientation inferred from f(X, X) = 1), in [0, 1].
    NOT invariant to invertible linear maps: a stretch re-weights the directions of X's
    Gram matrix (only for p = 1 is every invertible map a scaling).
    """
    Xc = X - X.mean(0)
    Yc = Y - Y.mean(0)
    num = np.linalg.norm(Xc.T @ Yc) ** 2
    return float(num / (np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc)))


SQ = Target.from_callable(sq_mean_distance, name="sq_mean_distance")
CKA = Target.from_callable(linear_cka, name="linear_cka")

SQ_EXPECTED = {
    "translation": "refuted",
    "isotropic_scaling": "refuted",
    "orthogonal": "refuted",
    "invertible_linear": "refuted",
    "permutation": "refuted",
    "nonnegativity": "holds",
    "identity": "holds",
    "symmetry": "holds",
    "triangle": "refuted",
    "finite": "holds",
    "determinism": "holds",
}
CKA_EXPECTED = {
    "translation": "holds",
    "isotropic_scaling": "holds",
    "orthogonal": "holds",
    "permutation": "holds",
    "invertible_linear": "refuted",
    "symmetry": "holds",
    "identity": "holds",
    "nonnegativity": "holds",
}
TOYS = {"sq_mean_distance": SQ, "linear_cka": CKA}
#: A small budget for tests that only need a verdict, not a well-shrunk counterexample.
SMALL = Budget(examples=6, shrink_calls=10, seconds=5.0)


@functools.cache
def dev(toy: str, prop: str) -> Verdict:
    """``search(TOYS[toy], prop, profile="dev")``, computed once per module (tests only read it)."""
    return search(TOYS[toy], prop, profile="dev")


@pytest.mark.parametrize(
    ("toy", "prop", "expected"),
    [("sq_mean_distance", p, s) for p, s in SQ_EXPECTED.items()] + [("linear_cka", p, s) for p, s in CKA_EXPECTED.items()],
)
def test_toy_verdicts_match_known_properties(toy: str, prop: str, expected: str) -> None:
    target = TOYS[toy]
    v = dev(toy, prop)
    assert v.status == expected, f"{toy}/{prop}: {v.status}: {v.detail}"
    assert (v.measure, v.property, v.declared) == (toy, prop, None)
    assert v.outcome == "undeclared"
    assert v.examples > 0
    if expected == "holds":
        assert v.case is None and v.effect == 0.0
        assert v.detail == f"no counterexample in {v.examples} inputs"
    else:
        assert v.case is not None and v.origin in ("hypothesis", "hand-built")
        assert v.effect > 0
        # The kept counterexample really violates the property when evaluated again.
        r = check_case(target, prop, v.case)
        assert not r.holds
        assert r.value_before != r.value_after


def test_cka_invertible_linear_counterexample_is_a_real_stretch() -> None:
    v = dev("linear_cka", "invertible_linear")
    assert v.status == "refuted"
    assert v.case is not None
    side = str(v.case["side"])
    M = v.case["X"] if side == "x" else v.case["Y"]
    A = v.case["g"]
    assert A.shape == (M.shape[1], M.shape[1]) and M.shape[1] >= 2  # p = 1 would be a mere scaling
    assert abs(np.linalg.det(A)) > 1e-8
    transformed = (M @ A, v.case["Y"]) if side == "x" else (v.case["X"], M @ A)
    before = linear_cka(v.case["X"], v.case["Y"])
    after = linear_cka(*transformed)
    assert abs(before - after) / max(1.0, abs(before), abs(after)) == pytest.approx(v.effect, rel=1e-9)


def test_translation_counterexample_is_shrunk_small() -> None:
    v = dev("sq_mean_distance", "translation")
    assert v.status == "refuted" and v.origin == "hypothesis"
    assert v.case is not None
    X, Y, b = v.case["X"], v.case["Y"], v.case["g"]
    # The strategy draws up to 10 rows and 4 columns; the hand-built cases have 8-12 rows.
    assert X.shape[0] <= 6 and X.shape[1] <= 2
    assert Y.shape == X.shape
    assert b.shape == (X.shape[1],) and np.any(b != 0)
    assert str(v.case["side"]) in ("x", "y")


def test_nonnegativity_effect_is_the_amount_below_zero() -> None:
    t = Target.from_callable(lambda X, Y: -0.25 - sq_mean_distance(X, Y), name="negative")
    v = search(t, "nonnegativity", budget=SMALL)
    assert v.status == "refuted" and v.case is not None
    r = check_case(t, "nonnegativity", v.case)
    assert r.value_before <= -0.25
    assert v.effect == pytest.approx(-r.value_before / max(1.0, abs(r.value_before)))


# --------------------------------------------------------------------------- outcome logic


@pytest.mark.parametrize(
    ("status", "declared", "outcome"),
    [
        ("refuted", True, "violated"),
        ("refuted", False, "ok"),
        ("refuted", None, "undeclared"),
        ("holds", True, "ok"),
        ("holds", False, "violated"),  # a declared non-invariance that the search could not refute
        ("holds", None, "undeclared"),
        ("error", True, "violated"),
        ("error", False, "violated"),
        ("error", None, "undeclared"),
        ("n/a", True, "n/a"),
        ("n/a", False, "n/a"),
        ("n/a", None, "n/a"),
        ("inconclusive", True, "violated"),
        ("inconclusive", False, "violated"),
        ("inconclusive", None, "undeclared"),
    ],
)
def test_verdict_outcome(status: Any, declared: bool | None, outcome: str) -> None:
    v = Verdict("m", "symmetry", status, declared, 1, 0, "detail")
    assert v.outcome == outcome
    d = v.to_dict()
    assert d["outcome"] == outcome and d["status"] == status and d["declared"] is declared
    json.dumps(d, allow_nan=False)


def test_declared_outcomes_from_real_searches() -> None:
    t = Target.from_callable(sq_mean_distance, declared={"translation": True, "symmetry": True, "orthogonal": False})
    by = {p: search(t, p, budget=SMALL) for p in ("translation", "symmetry", "orthogonal", "permutation")}
    assert [by[p].outcome for p in ("translation", "symmetry", "orthogonal", "permutation")] == [
        "violated", "ok", "ok", "undeclared"
    ]
    assert by["translation"].declared is True and by["permutation"].declared is None


# --------------------------------------------------------------------------- n/a rules


def test_triangle_is_na_for_an_inferred_score() -> None:
    v = search(CKA, "triangle", profile="dev")
    assert (v.status, v.detail, v.orientation) == ("n/a", "a score has no triangle inequality", "score")
    assert v.examples == 0 and v.case is None


def test_triangle_applies_to_an_inferred_distance() -> None:
    # The same property is searched (and refuted) for a distance: the n/a above is the orientation's doing.
    assert dev("sq_mean_distance", "triangle").status == "refuted"


def test_identifiability_is_na_for_a_representation_measure() -> None:
    v = search(SQ, "identifiability", profile="dev")
    assert (v.status, v.detail) == ("n/a", "identifiability does not apply to representations")


@pytest.mark.parametrize("prop", ["numpy_torch", "float32"])
def test_torch_properties_are_na_without_a_torch_fn(prop: str) -> None:
    v = search(CKA, prop, profile="dev")
    assert (v.status, v.detail) == ("n/a", "no torch version")


def test_range_is_na_without_a_value_range() -> None:
    assert SQ.value_range is None
    v = search(SQ, "range", profile="dev")
    assert (v.status, v.detail) == ("n/a", "no declared range")


def test_na_keeps_the_declaration_but_is_not_a_violation() -> None:
    t = Target.from_callable(linear_cka, declared={"triangle": True})
    v = search(t, "triangle", profile="dev")
    assert v.status == "n/a" and v.declared is True and v.outcome == "n/a"


def test_group_properties_are_na_for_models() -> None:
    t = Target.from_callable(lambda p, q: float(np.sum((p.G - q.G) ** 2)), name="g_dist", compares="models")
    for prop in GROUPS:
        v = search(t, prop, profile="dev")
        assert (v.status, v.detail) == ("n/a", f"{prop} does not apply to models")


def test_model_toy_identifiability_refuted_and_symmetry_holds() -> None:
    # ||G_p - G_q||^2 is symmetric, but an identifiable transform G A^{-1} + 1 c^T changes G.
    t = Target.from_callable(lambda p, q: float(np.sum((p.G - q.G) ** 2)), name="g_dist", compares="models")
    v = search(t, "identifiability", profile="dev")
    assert v.status == "refuted" and v.case is not None
    assert {"F_p", "G_p", "F_q", "G_q"} <= set(v.case)
    assert not check_case(t, "identifiability", v.case).holds
    assert search(t, "symmetry", profile="dev").status == "holds"


# --------------------------------------------------------------------------- orientation


def test_orientation_inferred_distance_when_f_x_x_is_zero() -> None:
    orientation, top, note = infer_orientation(SQ)
    assert (orientation, top) == ("distance", 0.0)
    assert note.startswith("inferred distance")
    assert dev("sq_mean_distance", "symmetry").orientation == "distance"


def test_orientation_inferred_score_when_f_x_x_is_one() -> None:
    orientation, top, note = infer_orientation(CKA)
    assert orientation == "score"
    assert top == pytest.approx(1.0, abs=1e-12)
    assert note.startswith("inferred score")
    assert dev("linear_cka", "symmetry").orientation == "score"


def _cka_full_only_on_ten_rows(X: np.ndarray, Y: np.ndarray) -> float:
    # f(X, X) = 1 on the engine's fixed 10-row input (so: a score with top 1), but 0.5 on any other height.
    return linear_cka(X, Y) * (1.0 if X.shape[0] == 10 else 0.5)


def test_identity_of_an_inferred_score_is_checked_against_the_inferred_top() -> None:
    t = Target.from_callable(_cka_full_only_on_ten_rows)
    v = search(t, "identity", profile="dev")
    assert v.status == "refuted" and v.orientation == "score"
    assert v.case is not None
    r = check_case(t, "identity", v.case)
    assert r.value_before == pytest.approx(0.5) and r.value_after == pytest.approx(1.0)
    assert "expected 1.0" in v.detail
    assert v.effect == pytest.approx(0.5)


def test_declared_orientation_overrides_the_inference() -> None:
    # Declared a distance, CKA must have f(X, X) = 0: identity is refuted (it is 1).
    t = Target.from_callable(linear_cka, orientation="distance")
    assert infer_orientation(t)[:2] == ("distance", 0.0)
    v = search(t, "identity", profile="dev")
    assert v.status == "refuted" and "expected 0.0" in v.detail


def test_identity_is_inconclusive_when_the_orientation_cannot_be_inferred() -> None:
    def crash_on_fixed_input(X: np.ndarray, Y: np.ndarray) -> float:
        if X.shape == (10, 3):  # the engine's fixed input
            raise RuntimeError("no")
        return 0.0

    orientation, top, note = infer_orientation(Target.from_callable(crash_on_fixed_input))
    assert orientation is None and top is None and "orientation unknown" in note
    v = search(Target.from_callable(crash_on_fixed_input), "identity", profile="dev")
    assert v.status == "inconclusive" and "orientation unknown" in v.detail


# --------------------------------------------------------------------------- errors of the user's function


def _crash_on_tall(X: np.ndarray, Y: np.ndarray) -> float:
    if X.shape[0] >= 8:
        raise RuntimeError("too many rows: boom")
    return float(np.sum(X.mean(0) ** 2) + np.sum(Y.mean(0) ** 2))  # symmetric where it answers


def test_crash_is_an_error_with_the_exception_and_the_case() -> None:
    v = search(Target.from_callable(_crash_on_tall), "symmetry", profile="dev")
    assert v.status == "error"
    assert v.detail == "crash: raised RuntimeError: too many rows: boom"
    assert v.origin == "search"
    assert v.case is not None and v.case["X"].shape[0] >= 8  # the input it crashed on
    with pytest.raises(RuntimeError, match=r"^check_case: crash: raised RuntimeError: too many rows: boom$"):
        check_case(Target.from_callable(_crash_on_tall), "symmetry", v.case)


def test_nan_is_a_non_finite_error() -> None:
    v = search(Target.from_callable(lambda X, Y: float("nan"), name="nan"), "symmetry", profile="dev")
    assert v.status == "error" and v.detail == "non-finite: returned nan"
    assert v.case is not None and {"X", "Y"} <= set(v.case)


def test_nan_with_a_degenerate_warning_is_declared_policy() -> None:
    def nan_warn(X: np.ndarray, Y: np.ndarray) -> float:
        warnings.warn("degenerate", DegenerateInputWarning, stacklevel=2)
        return float("nan")

    v = search(Target.from_callable(nan_warn), "symmetry", profile="dev")
    assert v.status == "inconclusive" and v.examples == 0 and v.skipped > 0


def test_vector_result_is_a_non_scalar_error() -> None:
    v = search(Target.from_callable(lambda X, Y: np.zeros(3), name="vec"), "symmetry", profile="dev")
    assert v.status == "error" and v.detail == "non-scalar: returned ndarray of shape (3,)"
    assert v.case is not None


def test_boolean_result_is_a_non_scalar_error() -> None:
    v = search(Target.from_callable(lambda X, Y: True, name="flag"), "finite", profile="dev")
    assert v.status == "error" and v.detail == "non-scalar: returned a boolean True"


@pytest.mark.parametrize(
    "value", [np.float32(0.25), np.array(0.25), np.array([[0.25]]), torch.tensor(0.25, dtype=torch.float64), 1]
)
def test_scalar_like_results_are_accepted(value: Any) -> None:
    v = search(Target.from_callable(lambda X, Y: value, name="const"), "finite", profile="dev")
    assert v.status == "holds", v.detail


def _sleep_on_tall(X: np.ndarray, Y: np.ndarray) -> float:
    if X.shape[0] > 6:
        time.sleep(5)
    return 0.0


def test_timeout_is_an_error_and_stops_the_search() -> None:
    start = time.perf_counter()
    v = search(Target.from_callable(_sleep_on_tall), "symmetry", profile="dev", time_limit=0.2)
    elapsed = time.perf_counter() - start
    assert v.status == "error"
    assert v.detail == "timeout: ran longer than the per-call limit of 0.2 s"
    assert v.case is not None and v.case["X"].shape[0] > 6
    # Orientation (1 call), width probe (2 calls) and one timed-out draw: ~0.8 s, far below one 5 s sleep.
    assert elapsed < 4.0


def test_degenerate_on_every_input_is_inconclusive() -> None:
    def always_degenerate(X: np.ndarray, Y: np.ndarray) -> float:
        raise DegenerateInputError("always_degenerate: every input is degenerate.")

    v = search(Target.from_callable(always_degenerate), "symmetry", profile="dev")
    assert v.status == "inconclusive"
    assert v.detail == "every input was degenerate for the measure"
    assert v.examples == 0 and v.skipped > 0 and v.case is None
    assert Verdict("m", "symmetry", "inconclusive", True, 0, 1, "").outcome == "violated"


# --------------------------------------------------------------------------- determinism and width probing


@pytest.mark.parametrize(("target", "prop"), [(SQ, "translation"), (CKA, "invertible_linear")])
def test_same_seed_same_verdict_and_counterexample(target: Target, prop: str) -> None:
    budget = Budget(examples=8, shrink_calls=25, seconds=10.0)
    a = search(target, prop, budget=budget, seed=3)
    b = search(target, prop, budget=budget, seed=3)
    assert (a.status, a.detail, a.examples, a.origin, a.effect) == (b.status, b.detail, b.examples, b.origin, b.effect)
    assert a.case is not None and b.case is not None
    assert sorted(a.case) == sorted(b.case)
    for k in a.case:
        assert np.array_equal(np.asarray(a.case[k]), np.asarray(b.case[k])), k


def test_equal_width_function_is_probed_not_reported_as_crashing() -> None:
    widths: list[tuple[int, int]] = []

    def same_width_only(X: np.ndarray, Y: np.ndarray) -> float:
        if X.shape[1] != Y.shape[1]:
            raise ValueError("same_width_only: X and Y must have the same number of columns.")
        widths.append((X.shape[1], Y.shape[1]))
        return float(np.sum((X - Y) ** 2))

    v = search(Target.from_callable(same_width_only), "symmetry", profile="dev")
    assert v.status == "holds", v.detail
    assert v.examples > 0
    assert widths and all(p == q for p, q in widths)


def test_unequal_widths_are_drawn_for_a_function_that_accepts_them() -> None:
    widths: list[tuple[int, int]] = []

    def any_width(X: np.ndarray, Y: np.ndarray) -> float:
        widths.append((X.shape[1], Y.shape[1]))
        return float(X.shape[0])

    assert search(Target.from_callable(any_width), "symmetry", profile="dev").status == "holds"
    assert any(p != q for p, q in widths)


# --------------------------------------------------------------------------- counterexample files


def test_save_load_round_trip_and_replay(tmp_path: Path) -> None:
    target = Target.from_callable(sq_mean_distance, name="toy/sq mean", source="toys.py:sq_mean_distance")
    v = search(target, "translation", profile="dev")
    assert v.status == "refuted" and v.case is not None
    path = save_case(v, tmp_path / "cx")
    assert path == tmp_path / "cx" / "toy_sq_mean__translation.npz"
    assert sorted(p.name for p in (tmp_path / "cx").iterdir()) == ["toy_sq_mean__translation.npz"]  # no *.tmp left
    meta, case = load_case(path)
    assert meta["source"] == "toys.py:sq_mean_distance"
    assert (meta["property"], meta["measure"], meta["status"]) == ("translation", "toy/sq mean", "refuted")
    assert (meta["compares"], meta["orientation"]) == ("representations", "distance")
    assert meta["detail"] == v.detail
    assert sorted(case) == sorted(v.case)
    assert case["side"] == str(v.case["side"]) and isinstance(case["side"], str)
    for k in ("X", "Y", "g"):
        assert np.array_equal(case[k], v.case[k])
    r = replay(path, target)
    assert not r.holds
    assert r.value_before == pytest.approx(check_case(target, "translation", v.case).value_before)
    # CKA centres its inputs: the same translation leaves it unchanged.
    assert replay(path, CKA).holds


def test_save_case_overwrites_atomically(tmp_path: Path) -> None:
    v = dev("sq_mean_distance", "translation")
    first = save_case(v, tmp_path)
    second = save_case(v, tmp_path)
    assert first == second
    assert [p.name for p in tmp_path.iterdir()] == [first.name]


def test_save_case_without_a_case_raises(tmp_path: Path) -> None:
    v = dev("sq_mean_distance", "symmetry")
    with pytest.raises(ValueError, match=r"^save_case: verdict must carry a counterexample .*; got 'holds'\.$"):
        save_case(v, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_load_case_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.npz"
    with pytest.raises(ValueError, match=r"^load_case: path must be an existing \.npz") as info:
        load_case(missing)
    assert repr(str(missing)) in str(info.value)


def test_load_case_not_an_npz(tmp_path: Path) -> None:
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match=r"^load_case: path must be an \.npz written by the audit"):
        load_case(text)


def test_load_case_npz_without_meta(tmp_path: Path) -> None:
    path = tmp_path / "plain.npz"
    np.savez(path, X=np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"^load_case: .*with a 'meta' entry"):
        load_case(path)


def test_load_case_rejects_an_npy_file(tmp_path: Path) -> None:
    path = tmp_path / "array.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match=r"^load_case: "):
        load_case(path)


def test_load_case_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"^load_case: "):
        load_case(path)


# --------------------------------------------------------------------------- bad arguments


def test_search_unknown_property() -> None:
    with pytest.raises(ValueError, match=r"^search: prop must be one of translation, .*; got 'transl'\.$"):
        search(SQ, "transl")


def test_search_unknown_profile() -> None:
    with pytest.raises(ValueError, match=r"^search: profile must be one of dev, ci, thorough; got 'fast'\.$"):
        search(SQ, "symmetry", profile="fast")


def test_search_explicit_budget_replaces_the_profile() -> None:
    v = search(SQ, "symmetry", profile="fast", budget=Budget(examples=3, shrink_calls=0, seconds=5.0))
    assert v.status == "holds"


@pytest.mark.parametrize(("limit", "shown"), [(0, "0"), (-1.5, "-1.5"), (math.nan, "nan")])
def test_search_time_limit_must_be_positive(limit: float, shown: str) -> None:
    with pytest.raises(ValueError, match=rf"^search: time_limit must be > 0 seconds; got {shown}\.$"):
        search(SQ, "symmetry", time_limit=limit)


def test_check_case_unknown_property() -> None:
    with pytest.raises(ValueError, match=r"^check_case: prop must be one of .*; got 'nope'\.$"):
        check_case(SQ, "nope", {"X": np.zeros((3, 1))})


def test_from_callable_rejects_a_non_callable() -> None:
    with pytest.raises(ValueError, match=r"^Target.from_callable: fn must be callable; got int\.$"):
        Target.from_callable(42)  # type: ignore[arg-type]


def test_from_callable_rejects_an_unknown_declared_property() -> None:
    with pytest.raises(ValueError, match=r"^Target.from_callable: declared properties must be among .*; got 'identifiability'\.$"):
        Target.from_callable(linear_cka, declared={"identifiability": True})
    with pytest.raises(ValueError, match=r"got 'symetry'\.$"):
        Target.from_callable(linear_cka, declared={"symetry": True})


def test_from_callable_rejects_non_bool_declarations_and_bad_kinds() -> None:
    with pytest.raises(ValueError, match=r"^Target.from_callable: each declaration must be True or False; got symmetry=1\.$"):
        Target.from_callable(linear_cka, declared={"symmetry": 1})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"compares must be 'representations' or 'models'; got 'graphs'\.$"):
        Target.from_callable(linear_cka, compares="graphs")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"orientation must be None, 'score' or 'distance'; got 'similarity'\.$"):
        Target.from_callable(linear_cka, orientation="similarity")  # type: ignore[arg-type]


def test_model_targets_accept_identifiability_declarations() -> None:
    t = Target.from_callable(lambda p, q: 0.0, compares="models", declared={"identifiability": True})
    assert t.declared == {"identifiability": True}
    with pytest.raises(ValueError, match=r"got 'translation'\.$"):
        Target.from_callable(lambda p, q: 0.0, compares="models", declared={"translation": True})


def test_profile_budgets_grow() -> None:
    dev, ci, thorough = (PROFILE_BUDGETS[p] for p in ("dev", "ci", "thorough"))
    assert dev.examples < ci.examples < thorough.examples
    assert dev.seconds < ci.seconds < thorough.seconds


# --------------------------------------------------------------------------- registry targets


def test_from_spec_carries_the_record_declarations() -> None:
    spec = get("cka_linear")
    t = Target.from_spec(spec)
    assert t.declared["orthogonal"] is True
    assert t.declared["invertible_linear"] is False
    assert t.declared["float32"] is True
    assert all(t.declared[k] is True for k in ("finite", "range", "determinism", "numpy_torch"))
    assert "triangle" not in t.declared  # a score
    assert (t.name, t.source, t.orientation, t.compares) == ("cka_linear", "cka_linear", "score", "representations")
    assert t.value_range == spec.value_range and t.torch_fn is spec.torch_fn and t.fn is spec.numpy_fn


def test_from_spec_model_distance_declares_identifiability() -> None:
    t = Target.from_spec(get("kl"))
    assert t.compares == "models" and t.orientation == "distance"
    assert t.declared["identifiability"] is True and t.declared["symmetry"] is False


@pytest.mark.parametrize(
    ("name", "prop", "status"),
    [("cka_linear", "translation", "holds"), ("procrustes", "symmetry", "holds"), ("kl", "symmetry", "refuted"),
     ("cka_linear", "numpy_torch", "holds"), ("cka_linear", "range", "holds")],
)
def test_registry_verdicts(name: str, prop: str, status: str) -> None:
    t = Target.from_spec(get(name))
    v = search(t, prop, profile="dev")
    assert v.status == status, v.detail
    assert v.outcome == "ok"  # every one of these matches the record's declaration
    assert v.source == name and v.compares == get(name).compares
    if status == "refuted":
        assert v.case is not None and v.effect > 0
        assert not check_case(t, prop, v.case).holds


def test_kl_counterexample_holds_models_and_replays(tmp_path: Path) -> None:
    t = Target.from_spec(get("kl"))
    v = search(t, "symmetry", profile="dev")
    assert v.case is not None and sorted(v.case) == ["F_p", "F_q", "G_p", "G_q"]
    p = SoftmaxModel(v.case["F_p"], v.case["G_p"])
    q = SoftmaxModel(v.case["F_q"], v.case["G_q"])
    assert t.fn(p, q) != pytest.approx(t.fn(q, p), rel=1e-6)
    path = save_case(v, tmp_path)
    meta, _ = load_case(path)
    assert (meta["compares"], meta["source"]) == ("models", "kl")
    assert not replay(path, t).holds


def test_audit_target_order_and_defaults() -> None:
    vs = audit_target(SQ, ["symmetry", "range"])
    assert [(v.property, v.status) for v in vs] == [("symmetry", "holds"), ("range", "n/a")]
    assert all(v.orientation == "distance" for v in vs)
    t = Target.from_callable(lambda p, q: 0.0, name="zero", compares="models")
    props = [v.property for v in audit_target(t, None, time_limit=5.0)]
    assert props == [p for p in PROPERTIES if p not in GROUPS]
