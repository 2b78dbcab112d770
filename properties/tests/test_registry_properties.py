"""Every declaration in the registry, proven or refuted by the audit engine's search.

For each registry record and each property it declares (invariances, axioms,
and the implementation properties finite / range / determinism /
numpy_torch / float32), :func:`properties.engine.search` runs with the
budget of the active Hypothesis profile (``dev`` locally, ``ci`` under CI,
``thorough`` on request; see :mod:`properties.profiles`):

- declared True: the search must find no counterexample;
- declared False: the search must find one whose effect is above rounding
  (:data:`MIN_EFFECT`), so no declaration is vacuous.

Each search is seeded from the measure and property names, so a failure
reproduces; the message carries the counterexample's detail. Known hard
cases are pinned below with explicit inputs.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from metrics.registry import get, specs
from properties.engine import Target, check_case, search
from properties.profiles import selected_profile

#: A refutation must move the value by more than this (relative to max(1, |value|)).
MIN_EFFECT = 1e-6

PROFILE = selected_profile()

CASES = [
    pytest.param(spec.name, prop, declared, id=f"{spec.name}-{prop}")
    for spec in specs()
    for prop, declared in Target.from_spec(spec).declared.items()
]


@pytest.mark.parametrize(("name", "prop", "declared"), CASES)
def test_declaration_matches_search(name: str, prop: str, declared: bool) -> None:
    target = Target.from_spec(get(name))
    v = search(target, prop, profile=PROFILE, seed=zlib.crc32(f"{name}/{prop}".encode()))
    if declared:
        assert v.status == "holds", f"{name}: declared {prop} but {v.status}: {v.detail} ({v.origin})"
        assert v.examples > 0
    else:
        assert v.status == "refuted", f"{name}: declared not {prop}, but {v.status}: {v.detail}"
        assert v.effect > MIN_EFFECT, f"{name}/{prop}: the counterexample only moves the value by {v.effect:.3g}"


def test_every_record_declares_something_searchable() -> None:
    assert len(CASES) > 10 * len(list(specs()))


# --------------------------------------------------------------------------- pinned hard cases


def _tied() -> np.ndarray:
    X = np.random.default_rng(11).standard_normal((8, 3))
    X[1], X[3] = X[0], X[2]
    return X


def test_pinned_tau_a_identity_fails_on_tied_rows() -> None:
    # Tied RDM entries count in tau-a's denominator, so s(X, X) < 1 (rsa_cosine_kendall_tau_a declares identity False).
    r = check_case(Target.from_spec(get("rsa_cosine_kendall_tau_a")), "identity", {"X": _tied()})
    assert not r.holds and r.value_before < 1.0 - 1e-3


def test_pinned_tau_b_identity_holds_on_tied_rows() -> None:
    # tau-b removes ties from the denominator: the same input scores exactly 1.
    r = check_case(Target.from_spec(get("rsa_correlation_kendall_tau_b")), "identity", {"X": _tied()})
    assert r.holds


def test_pinned_cka_not_invertible_linear_invariant_on_a_stretch() -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((20, 3)), rng.standard_normal((20, 3))
    r = check_case(Target.from_spec(get("cka_linear")), "invertible_linear", {"X": X, "Y": Y, "side": "x", "g": np.diag([10.0, 1.0, 1.0])})
    assert not r.holds


def test_pinned_llv_symmetric_with_pivot_search() -> None:
    rng = np.random.default_rng(5)
    case = {"F_p": rng.standard_normal((8, 2)), "G_p": 3 * rng.standard_normal((6, 2)),
            "F_q": rng.standard_normal((8, 2)), "G_q": 3 * rng.standard_normal((6, 2))}
    r = check_case(Target.from_spec(get("llv")), "symmetry", case)
    assert r.holds and r.value_before == r.value_after
