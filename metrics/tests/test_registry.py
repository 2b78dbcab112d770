"""Tests of the measure registry (metrics/registry.py).

The structural tests check every record's declarations; the generated
consistency tests run every record's numpy reference against its torch
implementation, so a new record is covered as soon as it is registered.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from metrics._validation import DegenerateInputError

from metrics.models import SoftmaxModel
from metrics.registry import AXIOMS, INVARIANCES, REGISTRY, MeasureSpec, get, names, specs

REPO = Path(__file__).resolve().parents[2]
REPRESENTATION_GROUPS = ("translation", "isotropic_scaling", "orthogonal", "invertible_linear", "permutation")

#: (n, p, q) shapes for the representation measures: p + q < n - 1, so CCA is not saturated.
REP_SHAPES = [(12, 3, 4), (20, 5, 2), (9, 1, 1), (30, 6, 6)]
#: (N, K, M) sizes of the random model pairs: K >= M + 1, N >= M + 1, M = 1 included.
MODEL_SIZES = [(12, 5, 2), (20, 6, 3), (9, 4, 1)]
RTOL = 1e-9
IDENTITY_ATOL = 1e-9


def spec_ids() -> list[str]:
    return names()


# ----------------------------------------------------------------------------- structure


def test_names_are_unique_and_partitioned() -> None:
    all_names = names()
    assert all_names, "the registry is empty"
    assert len(set(all_names)) == len(all_names)
    assert sorted(names("representations") + names("models")) == sorted(all_names)
    assert [s.name for s in specs()] == all_names
    assert [s.name for s in specs("models")] == names("models")
    assert list(REGISTRY) == all_names


def test_invariance_and_axiom_field_lists_match_the_dataclasses() -> None:
    spec = next(iter(specs()))
    assert tuple(spec.invariances.as_dict()) == INVARIANCES
    assert tuple(spec.axioms.as_dict()) == AXIOMS


@pytest.mark.parametrize("name", spec_ids())
def test_record_fields(name: str) -> None:
    spec = get(name)
    assert isinstance(spec, MeasureSpec)
    assert spec.name == name
    assert spec.kind in ("score", "distance")
    assert spec.compares in ("representations", "models")
    assert spec.degenerate in ("raise", "nan-warn")
    for text in (spec.degenerate_note, spec.reference, spec.summary):
        assert isinstance(text, str) and text.strip()
    for path in (spec.numpy_path, spec.torch_path):
        module, sep, attr = path.partition(":")
        assert sep and module and attr, path


@pytest.mark.parametrize("name", spec_ids())
def test_functions_resolve_to_callables(name: str) -> None:
    spec = get(name)
    assert callable(spec.numpy_fn)
    assert callable(spec.torch_fn)
    assert spec.numpy_fn.__module__ == spec.numpy_path.partition(":")[0]
    assert spec.torch_fn.__module__ == spec.torch_path.partition(":")[0]


@pytest.mark.parametrize("name", spec_ids())
def test_invariances_are_explicit(name: str) -> None:
    spec = get(name)
    inv = spec.invariances.as_dict()
    assert tuple(inv) == INVARIANCES
    for group, value in inv.items():
        assert value is None or type(value) is bool, (group, value)
    if spec.compares == "representations":
        for group in REPRESENTATION_GROUPS:
            assert type(inv[group]) is bool, f"{name} must declare {group} True or False"
        assert inv["identifiability"] is None
    else:
        for group in REPRESENTATION_GROUPS:
            assert inv[group] is None, f"{name} is a model distance: {group} does not apply"
        assert type(inv["identifiability"]) is bool


@pytest.mark.parametrize("name", spec_ids())
def test_axioms_are_bools(name: str) -> None:
    axioms = get(name).axioms.as_dict()
    assert tuple(axioms) == AXIOMS
    for axiom, value in axioms.items():
        assert type(value) is bool, (axiom, value)


@pytest.mark.parametrize("name", spec_ids())
def test_value_range(name: str) -> None:
    low, high = get(name).value_range
    assert isinstance(low, float) and isinstance(high, float)
    assert not np.isnan(low) and not np.isnan(high)
    assert low <= high


@pytest.mark.parametrize("name", spec_ids())
def test_records_are_frozen(name: str) -> None:
    spec = get(name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.invariances.translation = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.axioms.symmetry = True  # type: ignore[misc]


@pytest.mark.parametrize("name", spec_ids())
def test_as_row_is_flat_and_complete(name: str) -> None:
    row = get(name).as_row()
    for key in ("name", "kind", "compares", *INVARIANCES, *AXIOMS, "range", "degenerate", "numpy", "torch", "reference", "summary"):
        assert key in row
    for value in row.values():
        assert value is None or isinstance(value, (str, bool))


# ----------------------------------------------------------------------------- get()


def test_get_returns_the_record() -> None:
    for name in names():
        assert get(name) is REGISTRY[name]


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("hellingr", "hellinger"), ("procrustes_distance", "procrustes"), ("cka", "cka_linear"), ("mCCA", "mcca"), ("kl_revers", "kl_reverse")],
)
def test_get_unknown_near_miss_suggests(typo: str, suggestion: str) -> None:
    with pytest.raises(KeyError) as info:
        get(typo)
    message = info.value.args[0]
    assert message.startswith(f"get: name must be a registered measure; got {typo!r}.")
    assert "Did you mean" in message
    assert repr(suggestion) in message.split("Did you mean", 1)[1]
    assert message.endswith(f"Run `simaudit list` to see all {len(REGISTRY)}.")


def test_get_unknown_far_name_has_no_suggestion() -> None:
    with pytest.raises(KeyError) as info:
        get("zzzzzz")
    message = info.value.args[0]
    assert message == f"get: name must be a registered measure; got 'zzzzzz'. Run `simaudit list` to see all {len(REGISTRY)}."


# ----------------------------------------------------------------------------- import cost


def test_import_does_no_work() -> None:
    code = (
        "import sys, metrics.registry; "
        "print('torch' in sys.modules, 'metrics.model_distances' in sys.modules, 'metrics.representation' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ["False", "False", "False"], out.stdout + out.stderr


# ----------------------------------------------------------------------------- generated consistency


def _in_range(spec: MeasureSpec, value: float) -> bool:
    low, high = spec.value_range
    return low <= value <= high


def _random_models(seed: int, N: int, K: int, M: int) -> tuple[SoftmaxModel, SoftmaxModel]:
    rng = np.random.default_rng(seed)
    p = SoftmaxModel(rng.standard_normal((N, M)), rng.standard_normal((K, M)))
    q = SoftmaxModel(rng.standard_normal((N, M)), rng.standard_normal((K, M)))
    return p, q


def _tensors(*arrays: Any) -> list[torch.Tensor]:
    return [torch.tensor(np.asarray(a), dtype=torch.float64) for a in arrays]


def _check_representation_record(spec: MeasureSpec) -> None:
    for seed, (n, p, q) in enumerate(REP_SHAPES):
        rng = np.random.default_rng(1000 + seed)
        X = rng.standard_normal((n, p))
        Y = rng.standard_normal((n, q))
        if p == 1 and spec.degenerate == "raise":
            # One feature is degenerate for some measures (a correlation RDM of 1-D rows is
            # undefined): the declared policy must then hold in both implementations alike.
            try:
                ref = float(spec.numpy_fn(X, Y))
            except DegenerateInputError:
                with pytest.raises(DegenerateInputError):
                    spec.torch_fn(*_tensors(X, Y))
                continue
        ref = float(spec.numpy_fn(X, Y))
        out = spec.torch_fn(*_tensors(X, Y))
        assert isinstance(out, torch.Tensor) and out.dtype == torch.float64, f"{spec.name}: torch must keep float64"
        assert float(out) == pytest.approx(ref, rel=RTOL, abs=1e-12), (spec.name, n, p, q)
        assert _in_range(spec, ref), f"{spec.name}({n}x{p}, {n}x{q}) = {ref!r} outside {spec.value_range}"


def _check_model_record(spec: MeasureSpec) -> None:
    for seed, (N, K, M) in enumerate(MODEL_SIZES):
        p, q = _random_models(2000 + seed, N, K, M)
        ref = float(spec.numpy_fn(p, q))
        out = float(spec.torch_fn(*_tensors(p.F, p.G, q.F, q.G)))
        assert out == pytest.approx(ref, rel=RTOL, abs=1e-12), (spec.name, N, K, M)
        assert _in_range(spec, ref), f"{spec.name} = {ref!r} outside {spec.value_range} (N={N}, K={K}, M={M})"
        assert _in_range(spec, out), f"torch {spec.name} = {out!r} outside {spec.value_range}"
        # identity: d(p, p) = 0 for both implementations
        same_np = float(spec.numpy_fn(p, p))
        same_t = float(spec.torch_fn(*_tensors(p.F, p.G, p.F, p.G)))
        assert abs(same_np) <= IDENTITY_ATOL, (spec.name, "numpy", same_np)
        assert abs(same_t) <= IDENTITY_ATOL, (spec.name, "torch", same_t)


@pytest.mark.parametrize("name", spec_ids())
def test_numpy_and_torch_agree(name: str) -> None:
    spec = get(name)
    if spec.compares == "representations":
        _check_representation_record(spec)
    elif spec.compares == "models":
        _check_model_record(spec)
    else:  # pragma: no cover - a new kind of record needs a new check here
        pytest.fail(f"{name}: no consistency check for compares={spec.compares!r}")
