"""Registry records of the distances between two softmax models (the paper and its follow-up)."""

from __future__ import annotations

from metrics._spec import Axioms, Invariances, Kind, MeasureSpec, Policy

__all__ = ["RECORDS"]

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

RECORDS: tuple[MeasureSpec, ...] = (
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
           # With the per-pair pivot search (MATH.md section 3's open question): symmetric, because
           # every term (a(y), b(y), c(i), e(i), |sigma_p - sigma_p'|, |tau_p - tau_p'|) is unchanged
           # when p and p' swap, so the searched objective, its tie-break and the seeded input tuples
           # are too; the triangle inequality fails (the audit's search finds counterexamples, and
           # `simaudit claims` reports one).
           Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=False),
           (0.0, _INF), _PAPER + ", Def. 4.4",
           "log-likelihood variance distance d_LLV with the pivot and input-set search", note=_SIGMA_NOTE),
    # Symmetric: the pivots come from the symmetric d_LLV search and m_SVD(Z, Z') is the nuclear norm of
    # R, which swapping the models transposes. No triangle inequality (the audit finds counterexamples).
    _model("d_fg", "fg_distance", "distance", Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=False),
           (0.0, 1.0), _PAPER + ", Def. 4.5",
           "PLS-SVD dissimilarity d_{f,g} at the pivots and input set chosen by d_LLV", note=_SIGMA_NOTE,
           torch_fn="fg_distance"),
    _model("d_rep", "rep_distance", "distance", Axioms(nonnegativity=True, identity=True, symmetry=False, triangle=False),
           (0.0, _INF), _FOLLOWUP,
           "RMS residual of model q's embeddings mapped into model p's coordinates via label subsets (asymmetric)",
           note="raises DegenerateInputError when every sampled label subset is singular"),
)
