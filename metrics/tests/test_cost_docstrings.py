"""Every registry measure states its cost class in its docstrings (issue 5).

For each record, the numpy reference and the torch implementation must each
have a docstring line that starts with ``Cost:`` (after its indentation),
e.g. ``Cost: O(n^2 (p + q)) flops for the two distance matrices; O(n^2)
memory.``, placed at the end of the summary paragraphs. The cases are
generated from the registry, so a new measure without one fails here.
:mod:`benchmarks.costs` holds the matching cost class of the cheapest exact
algorithm, which the benchmark's fitted exponents are compared with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from metrics.registry import REGISTRY

IMPLEMENTATIONS = ("numpy", "torch")

def _cases() -> list[Any]:
    cases = []
    for name in REGISTRY:
        for impl in IMPLEMENTATIONS:
            cases.append(pytest.param(name, impl, id=f"{name}-{impl}"))
    return cases


def _function(name: str, impl: str) -> Callable[..., Any]:
    spec = REGISTRY[name]
    return spec.numpy_fn if impl == "numpy" else spec.torch_fn


def cost_lines(fn: Callable[..., Any]) -> list[str]:
    """The docstring lines of ``fn`` that start with ``Cost:`` once their indentation is stripped."""
    return [line.strip() for line in (fn.__doc__ or "").splitlines() if line.strip().startswith("Cost:")]


@pytest.mark.parametrize(("name", "impl"), _cases())
def test_docstring_states_the_cost(name: str, impl: str) -> None:
    fn = _function(name, impl)
    path = REGISTRY[name].numpy_path if impl == "numpy" else REGISTRY[name].torch_path
    assert cost_lines(fn), f"{name}: the {impl} function {path} needs a docstring line starting with 'Cost:'"


def test_cost_line_detection() -> None:
    def documented() -> None:
        """Summary.

        Cost: O(n) flops; O(1) memory.
        """

    def inline() -> None:
        """Summary. Cost: O(n) flops, not at the start of a line."""

    assert cost_lines(documented) == ["Cost: O(n) flops; O(1) memory."]
    assert cost_lines(inline) == []
