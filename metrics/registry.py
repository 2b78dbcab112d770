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
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import Any, Literal

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
                "numpy": self.numpy_path,
                "torch": self.torch_path,
                "reference": self.reference,
                "summary": self.summary,
            }
        )
        return row


_INF = float("inf")

# Model distances: only the identifiability class applies; the representation groups do not.
_MODEL_INV = Invariances(None, None, None, None, None, identifiability=True)
_MD = "metrics.model_distances"
_TMD = "metrics.torch_model_distances"
_PAPER = "Nielsen, Marconato, Dittadi, Gresele (NeurIPS 2025), arXiv:2506.03784"
_FOLLOWUP = "Nielsen, Marconato, Gresele, Dittadi, Buchholz (2026), arXiv:2602.15438"
_SIGMA_NOTE = "raises DegenerateInputError when a sigma or tau it divides by is zero (a label with constant log-odds, a duplicated input)"


def _model(name: str, fn: str, kind: Kind, axioms: Axioms, rng: tuple[float, float], ref: str, summary: str,
           degenerate: Policy = "raise", note: str = "no degenerate inputs: any finite F, G define a softmax model",
           torch_fn: str | None = None, notes: str = "") -> MeasureSpec:
    return MeasureSpec(
        name=name, kind=kind, compares="models", numpy_path=f"{_MD}:{fn}", torch_path=f"{_TMD}:{torch_fn or fn}",
        invariances=_MODEL_INV, axioms=axioms, value_range=rng, degenerate=degenerate, degenerate_note=note,
        reference=ref, summary=summary, notes=notes,
    )


_DIVERGENCE = Axioms(nonnegativity=True, identity=True, symmetry=False, triangle=False)
_SYM_DIVERGENCE = Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=False)
_METRIC = Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=True)

_RECORDS: tuple[MeasureSpec, ...] = (
    # ---------------------------------------------------------------- model distances
    _model("kl", "kl_divergence", "distance", _DIVERGENCE, (0.0, _INF), _PAPER,
           "mean over inputs of KL(p(.|x) || q(.|x)), in nats"),
    _model("kl_reverse", "reverse_kl_divergence", "distance", _DIVERGENCE, (0.0, _INF), _PAPER,
           "mean over inputs of KL(q(.|x) || p(.|x))"),
    _model("js", "js_divergence", "distance", _SYM_DIVERGENCE, (0.0, 0.6931471805599453), _PAPER,
           "mean Jensen-Shannon divergence (natural log); its square root is a metric, it is not"),
    _model("tv", "tv_distance", "distance", _METRIC, (0.0, 1.0), _PAPER,
           "mean total-variation distance between the conditionals"),
    _model("hellinger", "hellinger_distance", "distance", _METRIC, (0.0, 1.0), _PAPER,
           "mean Hellinger distance sqrt(0.5 sum (sqrt p - sqrt q)^2)"),
    _model("chi2", "chi2_divergence", "distance", _DIVERGENCE, (0.0, _INF), _PAPER,
           "mean Pearson chi-squared divergence sum (p - q)^2 / q"),
    _model("logit", "logit_distance", "distance", _METRIC, (0.0, _INF), _FOLLOWUP,
           "sqrt(mean_x ||clr p(.|x) - clr q(.|x)||^2), a metric on the evaluated conditionals"),
    _model("llv", "llv_distance", "distance",
           # With the per-pair pivot search, symmetry and the triangle inequality are open
           # questions (MATH.md section 3); the declaration is the conservative one and the
           # property suite reports what its search finds.
           Axioms(nonnegativity=True, identity=True, symmetry=False, triangle=False),
           (0.0, _INF), _PAPER + ", Def. 4.4",
           "log-likelihood variance distance d_LLV with the pivot and input-set search", note=_SIGMA_NOTE),
    _model("d_fg", "fg_distance", "distance", Axioms(nonnegativity=True, identity=True, symmetry=False, triangle=False),
           (0.0, 1.0), _PAPER + ", Def. 4.5",
           "PLS-SVD dissimilarity d_{f,g} at the pivots and input set chosen by d_LLV", note=_SIGMA_NOTE,
           torch_fn="fg_distance"),
    _model("d_rep", "rep_distance", "distance", Axioms(nonnegativity=True, identity=True, symmetry=False, triangle=False),
           (0.0, _INF), _FOLLOWUP,
           "RMS residual of model q's embeddings mapped into model p's coordinates via label subsets (asymmetric)",
           note="raises DegenerateInputError when every sampled label subset is singular"),
    # ---------------------------------------------------------------- representation measures
    MeasureSpec(
        name="mcca", kind="score", compares="representations",
        numpy_path="metrics.representation:cca_mean_corr", torch_path="metrics.torch_representation:cca_mean_corr",
        invariances=Invariances(True, True, True, True, True, None),
        axioms=Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=False),
        value_range=(0.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for an all-constant input; warns SaturationWarning when rank X + rank Y > n - 1",
        reference="Hotelling (1936); Raghu et al. (2017); MATH.md section 5",
        summary="mean canonical correlation over min(rank X, rank Y) correlations",
    ),
    MeasureSpec(
        name="cka_linear", kind="score", compares="representations",
        numpy_path="metrics.representation:cka_linear", torch_path="metrics.torch_representation:cka_linear",
        invariances=Invariances(True, True, True, False, True, None),
        axioms=Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=False),
        value_range=(0.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero or all-constant input",
        reference="Kornblith, Norouzi, Lee, Hinton (ICML 2019)",
        summary="linear centred kernel alignment (biased HSIC), feature- or Gram-space, whichever is cheaper",
    ),
    MeasureSpec(
        name="procrustes", kind="distance", compares="representations",
        numpy_path="metrics.representation:procrustes_distance", torch_path="metrics.torch_representation:procrustes_distance",
        invariances=Invariances(True, True, True, False, True, None),
        axioms=_METRIC,
        value_range=(0.0, 2.0**0.5), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero or all-constant input",
        reference="Ding, Denain, Steinhardt (NeurIPS 2021); Williams et al. (NeurIPS 2021)",
        summary="orthogonal Procrustes distance sqrt(2 - 2 ||Xn^T Yn||_*) of centred, unit-Frobenius inputs",
    ),
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
