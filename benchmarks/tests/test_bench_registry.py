"""pytest-benchmark timings of every registry measure on a small input.

The project runs pytest with ``--benchmark-disable``: each test then calls its
measure once, as a smoke test. ``python -m pytest benchmarks --benchmark-enable``
times them (pytest-benchmark's calibrated rounds; machine-dependent, never
asserted).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest
import torch

from benchmarks.runner import make_models, make_representations
from metrics.models import SoftmaxModel
from metrics.registry import get, names

pytest.importorskip("pytest_benchmark")

REPRESENTATION_SIZE = (80, 6, 5)
MODEL_SIZE = (40, 12, 3)


def _inputs(name: str, impl: str) -> tuple[Any, ...]:
    if get(name).compares == "models":
        F, G, Fp, Gp = make_models(*MODEL_SIZE)
        if impl == "numpy":
            return SoftmaxModel(F, G), SoftmaxModel(Fp, Gp)
        return tuple(torch.from_numpy(a) for a in (F, G, Fp, Gp))
    X, Y = make_representations(*REPRESENTATION_SIZE)
    return (X, Y) if impl == "numpy" else (torch.from_numpy(X), torch.from_numpy(Y))


@pytest.mark.parametrize("impl", ["numpy", "torch"])
@pytest.mark.parametrize("name", names())
def test_measure(benchmark: Any, name: str, impl: str) -> None:
    spec = get(name)
    fn = spec.numpy_fn if impl == "numpy" else spec.torch_fn
    args = _inputs(name, impl)
    benchmark.group = impl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(benchmark(fn, *args))
    assert math.isfinite(value)
    lo, hi = spec.value_range
    assert lo - 1e-9 <= value <= hi + 1e-9
