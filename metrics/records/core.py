"""Registry records of the first representation measures: mean CCA, linear CKA, Procrustes."""

from __future__ import annotations

from metrics._spec import Axioms, Invariances, MeasureSpec

__all__ = ["RECORDS"]

_METRIC = Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=True)

RECORDS: tuple[MeasureSpec, ...] = (
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
    MeasureSpec(
        name="aligned_cosine", kind="score", compares="representations",
        numpy_path="metrics.representation:aligned_cosine_similarity",
        torch_path="metrics.torch_representation:aligned_cosine_similarity",
        invariances=Invariances(False, True, True, False, True, None),
        axioms=Axioms(nonnegativity=False, identity=True, symmetry=True, triangle=False),
        value_range=(-1.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero row (its cosine is undefined)",
        reference="Hamilton, Leskovec, Jurafsky (ACL 2016); ReSi (Klabunde et al. 2024)",
        summary="mean row cosine after the best orthogonal alignment of X onto Y (uncentred)",
        notes="Isotropic scaling invariant (the alignment is the polar factor of X^T Y, unchanged by c > 0); one library flags it otherwise.",
    ),
)
