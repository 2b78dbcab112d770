"""The measure registry: frozen, declarative records, one per measure.

Nothing here computes or imports a measure at import time: the numpy and
torch functions are referenced by ``"module:function"`` paths and resolved on
first use (:meth:`MeasureSpec.numpy_fn`, :meth:`MeasureSpec.torch_fn`).

Every record declares each invariance explicitly (True or False where it
applies, None where it does not apply to that kind of measure) and each
metric axiom explicitly; the property suite proves every True and refutes
every False with a counterexample.

Invariance semantics. For a representation measure ``s(X, Y)``, invariance
to a group means ``s(T1(X), T2(Y)) = s(X, Y)`` for any two (independent)
group elements applied to the feature axis:

- ``translation``: ``X -> X + 1 b^T``;
- ``isotropic_scaling``: ``X -> a X`` with ``a > 0``;
- ``orthogonal``: ``X -> X Q`` with ``Q`` orthogonal;
- ``invertible_linear``: ``X -> X A`` with ``A`` invertible;
- ``permutation``: ``X -> X P`` with ``P`` a permutation of the features.

For a model distance ``d(p, q)``, ``identifiability`` means ``d(p, q') = d(p, q)``
and ``d(p, p') = 0`` whenever ``q'`` (``p'``) is in the identifiability class of
``q`` (``p``): ``F' = F A^T``, ``G' = G A^{-1} + 1 c^T`` (MATH.md section 1).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

__all__ = [
    "AXIOMS",
    "INVARIANCES",
    "REGISTRY",
    "Axioms",
    "Invariances",
    "MeasureSpec",
    "get",
    "names",
    "specs",
]

from metrics._spec import AXIOMS, INVARIANCES, Axioms, Compares, Invariances, MeasureSpec
from metrics.records import cca, core, geometry, kernel, matching, models, neighbors, predictive

_RECORDS: tuple[MeasureSpec, ...] = (
    models.RECORDS + core.RECORDS + cca.RECORDS + kernel.RECORDS + geometry.RECORDS + neighbors.RECORDS + predictive.RECORDS + matching.RECORDS
)

#: name -> record, in declaration order.
REGISTRY: dict[str, MeasureSpec] = {r.name: r for r in _RECORDS}
assert len(REGISTRY) == len(_RECORDS), "duplicate registry names"


def names(compares: Compares | None = None) -> list[str]:
    """Registered names, optionally only those comparing ``"representations"`` or ``"models"``."""
    return [n for n, r in REGISTRY.items() if compares is None or r.compares == compares]


def specs(compares: Compares | None = None) -> Iterator[MeasureSpec]:
    """Registered records in declaration order."""
    return (REGISTRY[n] for n in names(compares))


def _did_you_mean(name: str, candidates: list[str]) -> str:
    """``" Did you mean 'a', 'b'?"`` for the candidates closest to ``name``, or ``""``.

    Candidates containing ``name`` (or contained in it) come first, so that a
    prefix such as ``"cka"`` finds ``"cka_linear"``; then difflib's close matches.
    """
    key = str(name).lower()
    close = [c for c in candidates if len(key) >= 2 and (key in c.lower() or c.lower() in key)]
    close += [c for c in difflib.get_close_matches(key, candidates, n=3, cutoff=0.5) if c not in close]
    return f" Did you mean {', '.join(repr(c) for c in close[:3])}?" if close else ""


def get(name: str) -> MeasureSpec:
    """The record called ``name``.

    Raises
    ------
    KeyError
        If no measure has that name; the message suggests the closest names.

    Examples
    --------
    >>> get("cka_linear").kind
    'score'
    """
    try:
        return REGISTRY[name]
    except KeyError:
        hint = _did_you_mean(name, list(REGISTRY))
        raise KeyError(
            f"get: name must be a registered measure; got {name!r}.{hint} Run `simaudit list` to see all {len(REGISTRY)}."
        ) from None
