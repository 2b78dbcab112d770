"""The record types of the measure registry (see :mod:`metrics.registry`)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal

__all__ = ["AXIOMS", "INVARIANCES", "Axioms", "Compares", "Invariances", "Kind", "MeasureSpec", "Policy"]

Kind = Literal["score", "distance"]
Compares = Literal["representations", "models"]
#: How a measure treats a degenerate input: raise DegenerateInputError, or return NaN with a warning.
Policy = Literal["raise", "nan-warn"]

INVARIANCES = ("translation", "isotropic_scaling", "orthogonal", "invertible_linear", "permutation", "identifiability")
AXIOMS = ("nonnegativity", "identity", "symmetry", "triangle")


@dataclass(frozen=True)
class Invariances:
    """Declared invariances: True (holds), False (fails somewhere), None (not applicable)."""

    translation: bool | None
    isotropic_scaling: bool | None
    orthogonal: bool | None
    invertible_linear: bool | None
    permutation: bool | None
    identifiability: bool | None

    def as_dict(self) -> dict[str, bool | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Axioms:
    """Declared metric axioms, each True or False.

    ``identity`` means ``d(x, x) = 0`` for a distance (``s(x, x)`` at the top of
    the range for a score); ``triangle`` is the triangle inequality of the value
    itself, so a score never declares it.
    """

    nonnegativity: bool
    identity: bool
    symmetry: bool
    triangle: bool

    def as_dict(self) -> dict[str, bool]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _resolve(path: str) -> Callable[..., Any]:
    module, _, attr = path.partition(":")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), attr)
    return fn


@dataclass(frozen=True)
class MeasureSpec:
    """One registry record.

    Attributes
    ----------
    name : str
        Registry key (used by ``simaudit compare --metric`` and the audit).
    kind : {"score", "distance"}
        Higher is more similar for a score, less for a distance.
    compares : {"representations", "models"}
        ``fn(X, Y)`` with (n, p) and (n, q) matrices, or ``fn(p, q)`` with two
        :class:`metrics.models.SoftmaxModel` (numpy) / ``fn(F, G, Fp, Gp)``
        (torch).
    numpy_path, torch_path : str
        ``"module:function"`` of the float64 reference and the torch version.
    invariances : Invariances
    axioms : Axioms
    value_range : tuple of float
        Closed range of the value (``inf`` for unbounded).
    degenerate : {"raise", "nan-warn"}
        Policy on degenerate input, described in ``degenerate_note``.
    reference : str
        Where the measure is defined.
    float32_stable : bool
        False when float32 rounding can move the value by more than 1e-3
        (near ties reorder ranks; ill-determined canonical directions).
    """

    name: str
    kind: Kind
    compares: Compares
    numpy_path: str
    torch_path: str
    invariances: Invariances
    axioms: Axioms
    value_range: tuple[float, float]
    degenerate: Policy
    degenerate_note: str
    reference: str
    summary: str
    notes: str = ""
    #: Whether the torch version on float32 input stays within 1e-3 of float64 on every input (rank- and
    #: tie-based measures are not: float32 rounding reorders near-tied distances).
    float32_stable: bool = True

    @property
    def numpy_fn(self) -> Callable[..., Any]:
        """The float64 numpy reference (imported on first use)."""
        return _resolve(self.numpy_path)

    @property
    def torch_fn(self) -> Callable[..., Any]:
        """The torch implementation (imported on first use)."""
        return _resolve(self.torch_path)

    def as_row(self) -> dict[str, Any]:
        """A flat dict for tables (``simaudit list``)."""
        row: dict[str, Any] = {"name": self.name, "kind": self.kind, "compares": self.compares}
        row.update(self.invariances.as_dict())
        row.update(self.axioms.as_dict())
        row.update(
            {
                "range": f"[{self.value_range[0]:g}, {self.value_range[1]:g}]",
                "degenerate": self.degenerate,
                "float32_stable": self.float32_stable,
                "numpy": self.numpy_path,
                "torch": self.torch_path,
                "reference": self.reference,
                "summary": self.summary,
            }
        )
        return row


