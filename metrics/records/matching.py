"""Registry records of the neuron-matching measures: hard permutation matching and soft (OT) matching."""

from __future__ import annotations

import math

from metrics._spec import Axioms, Invariances, MeasureSpec

__all__ = ["RECORDS"]

RECORDS: tuple[MeasureSpec, ...] = (
    MeasureSpec(
        name="permutation_corr", kind="score", compares="representations",
        numpy_path="metrics.matching:permutation_corr", torch_path="metrics.torch_matching:permutation_corr",
        invariances=Invariances(
            translation=True, isotropic_scaling=True, orthogonal=False, invertible_linear=False, permutation=True,
            identifiability=None,
        ),
        axioms=Axioms(nonnegativity=False, identity=True, symmetry=True, triangle=False),
        value_range=(-1.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a constant column (dead unit), whose correlation is 0/0",
        reference="Li, Yosinski, Clune, Lipson, Hopcroft, Convergent learning (ICLR 2016)",
        summary="mean Pearson correlation of the best one-to-one matching of min(p, q) units (linear_sum_assignment)",
        notes=(
            "Correlations are signed, so Y = -X scores -1 when p = q = 1 (nonnegativity False). Invariant to "
            "per-unit positive rescaling too. Torch finds the matching in scipy on the CPU and differentiates the "
            "value at it (Danskin)."
        ),
    ),
    MeasureSpec(
        name="soft_matching", kind="distance", compares="representations",
        numpy_path="metrics.matching:soft_matching_distance", torch_path="metrics.torch_matching:soft_matching_distance",
        invariances=Invariances(
            translation=True, isotropic_scaling=False, orthogonal=False, invertible_linear=False, permutation=True,
            identifiability=None,
        ),
        axioms=Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=True),
        value_range=(0.0, math.inf), degenerate="raise",
        degenerate_note="no degenerate inputs: every finite pair (zero matrices included) has a finite value",
        reference="Khosla and Williams, Soft matching distance (UniReps, NeurIPS 2023 workshop)",
        summary="2-Wasserstein distance between the uniform distributions of the centred units (columns), exact OT",
        notes=(
            "A metric on the distributions of units (a pseudometric on matrices: duplicating every unit gives 0). "
            "Exact: linear_sum_assignment when p == q, the integral transportation LP (HiGHS dual simplex) "
            "otherwise. Translation invariant through the centring of each unit; not scale invariant "
            "(d(cX, cY) = c d(X, Y))."
        ),
    ),
)
