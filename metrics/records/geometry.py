"""Registry records of the geometry family: RSA variants, RSM norm difference, Bures, AIRM,
summary-statistic differences, eigenspace overlap and GULP (metrics/geometry.py)."""

from __future__ import annotations

from metrics._spec import Axioms, Invariances, MeasureSpec

__all__ = ["RECORDS"]

_NP = "metrics.geometry"
_TORCH = "metrics.torch_geometry"

#: Pseudometric on representations: d(X, X) = 0, symmetric, triangle inequality.
_PSEUDOMETRIC = Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=True)
#: A correlation-type score: can be negative, top score 1 on d(X, X), symmetric.
_CORRELATION_SCORE = Axioms(nonnegativity=False, identity=True, symmetry=True, triangle=False)
#: A nonnegative score with top score on (X, X).
_NONNEGATIVE_SCORE = Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=False)

# Invariances of RSA depend only on the RDM kind (every comparison ignores a positive rescaling
# of an RDM): (translation, isotropic scaling, orthogonal, invertible linear, permutation).
_EUCLIDEAN_RDM = Invariances(True, True, True, False, True, None)
_CORRELATION_RDM = Invariances(False, True, False, False, True, None)
_COSINE_RDM = Invariances(False, True, True, False, True, None)

_RSA_REFERENCE = "Kriegeskorte, Mur, Bandettini (2008); Nili et al. (2014) for Kendall tau-a"
_RSA_DEGENERATE = (
    "raises DegenerateInputError when an RDM cannot be built (correlation: a constant row, always when p = 1; "
    "cosine: a zero row) or the comparison is 0/0 (pearson/spearman/tau-b: an RDM constant up to the tie "
    "tolerance; cosine/cosine_cov: a zero RDM); fewer than 3 rows is a ValueError"
)
_TIES = (
    "Rank comparisons treat RDM entries within 256 eps max|entry| as tied, so exact-arithmetic ties "
    "(symmetric configurations, 2-feature correlation RDMs) do not depend on rounding. "
)
_CORRELATION_RDM_NOTE = (
    "The correlation RDM centres each stimulus row across features: permuting features commutes with "
    "that, but translating or rotating the feature space does not (Pearson r between rows changes). "
)
_COSINE_RDM_NOTE = (
    "The cosine RDM sees only inner products between rows (rotation invariant) but not their offset "
    "from the origin (translation changes it). "
)


def _rsa(
    name: str,
    invariances: Invariances,
    axioms: Axioms,
    value_range: tuple[float, float],
    summary: str,
    notes: str,
    float32_stable: bool = True,
) -> MeasureSpec:
    return MeasureSpec(
        name=name,
        kind="score",
        compares="representations",
        numpy_path=f"{_NP}:{name}",
        torch_path=f"{_TORCH}:{name}",
        invariances=invariances,
        axioms=axioms,
        value_range=value_range,
        degenerate="raise",
        degenerate_note=_RSA_DEGENERATE,
        reference=_RSA_REFERENCE,
        summary=summary,
        notes=notes,
        float32_stable=float32_stable,
    )


RECORDS: tuple[MeasureSpec, ...] = (
    # ---------------------------------------------------------------- RSA
    _rsa(
        "rsa_correlation_spearman",
        _CORRELATION_RDM,
        _CORRELATION_SCORE,
        (-1.0, 1.0),
        "classic RSA: Spearman rho (average ranks) between the upper triangles of 1 - Pearson-r RDMs",
        _CORRELATION_RDM_NOTE + _TIES + "Not differentiable (ranks); torch returns values without gradient.",
        float32_stable=False,  # float32 rounding reorders near-tied RDM entries
    ),
    _rsa(
        "rsa_correlation_pearson",
        _CORRELATION_RDM,
        _CORRELATION_SCORE,
        (-1.0, 1.0),
        "Pearson r between the upper triangles of 1 - Pearson-r RDMs",
        _CORRELATION_RDM_NOTE,
    ),
    _rsa(
        "rsa_correlation_kendall_tau_b",
        _CORRELATION_RDM,
        _CORRELATION_SCORE,
        (-1.0, 1.0),
        "Kendall tau-b (ties removed from the denominator) between the upper triangles of correlation RDMs",
        _CORRELATION_RDM_NOTE + _TIES + "Exact O(m log^2 m) merge counting; no gradient.",
        float32_stable=False,
    ),
    _rsa(
        "rsa_euclidean_pearson",
        _EUCLIDEAN_RDM,
        _CORRELATION_SCORE,
        (-1.0, 1.0),
        "Pearson r between the upper triangles of Euclidean (not squared) distance RDMs",
        "Euclidean RDMs are unchanged by translations and orthogonal maps and scale with |c|.",
    ),
    _rsa(
        "rsa_euclidean_spearman",
        _EUCLIDEAN_RDM,
        _CORRELATION_SCORE,
        (-1.0, 1.0),
        "Spearman rho between the upper triangles of Euclidean distance RDMs (same value for squared distances)",
        _TIES + "No gradient.",
        float32_stable=False,
    ),
    _rsa(
        "rsa_euclidean_cosine",
        _EUCLIDEAN_RDM,
        _NONNEGATIVE_SCORE,
        (0.0, 1.0),
        "cosine between the upper triangles of Euclidean distance RDMs (nonnegative vectors, so in [0, 1])",
        "Nonnegative because RDM entries are >= 0.",
    ),
    _rsa(
        "rsa_cosine_kendall_tau_a",
        _COSINE_RDM,
        Axioms(nonnegativity=False, identity=False, symmetry=True, triangle=False),
        (-1.0, 1.0),
        "Kendall tau-a (tied pairs count in the denominator) between the upper triangles of 1 - cosine RDMs",
        _COSINE_RDM_NOTE
        + _TIES
        + "Identity fails: tau-a of an RDM with tied entries against itself is (pairs - tied pairs) / pairs < 1 "
        "(e.g. rows (1,0), (0,1), (-1,0): cosine distances 1, 2, 1 give 2/3). A constant RDM scores 0, no error.",
        float32_stable=False,
    ),
    _rsa(
        "rsa_sqeuclidean_cosine_cov",
        _EUCLIDEAN_RDM,
        _NONNEGATIVE_SCORE,
        (0.0, 1.0),
        "cosine of double-centred squared-Euclidean RDMs (rsatoolbox cosine_cov, no noise model): equals linear CKA",
        "H D H = -2 Xc Xc^T, so this is cka_linear computed from n x n RDMs (O(n^2 (p + q))); "
        "nonnegative because both double-centred RDMs are -2 x a PSD kernel.",
    ),
    # ---------------------------------------------------------------- kernel geometry
    MeasureSpec(
        name="rsm_norm_diff", kind="distance", compares="representations",
        numpy_path=f"{_NP}:rsm_norm_diff", torch_path=f"{_TORCH}:rsm_norm_diff",
        invariances=Invariances(True, True, True, False, True, None),
        axioms=_PSEUDOMETRIC,
        value_range=(0.0, 2.0**0.5), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero or all-constant input (cannot be normalised)",
        reference="Klabunde et al., ACM Comput. Surv. (2025) / ReSi (ICLR 2025), RSM norm difference",
        summary="||Kx - Ky||_F for the linear kernels of centred, unit-Frobenius representations (tr K = 1)",
        notes="ReSi uses Euclidean distance matrices of raw inputs instead (not scale invariant). Frobenius distance "
        "between matrices that depend on X alone: a pseudometric.",
    ),
    MeasureSpec(
        name="normalised_bures_similarity", kind="score", compares="representations",
        numpy_path=f"{_NP}:normalised_bures_similarity", torch_path=f"{_TORCH}:normalised_bures_similarity",
        invariances=Invariances(True, True, True, False, True, None),
        axioms=_NONNEGATIVE_SCORE,
        value_range=(0.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero or all-constant input (tr K = 0)",
        reference="Bures (1969); Tang et al. (arXiv 2003.11498, 2020); Williams et al. (NeurIPS 2021)",
        summary="normalised Bures similarity tr(K^1/2 L K^1/2)^1/2 / sqrt(tr K tr L) = ||Xc^T Yc||_* / (||Xc|| ||Yc||)",
        notes="Identical to the Procrustes similarity (cos of the angular Procrustes metric).",
    ),
    MeasureSpec(
        name="bures_distance", kind="distance", compares="representations",
        numpy_path=f"{_NP}:bures_distance", torch_path=f"{_TORCH}:bures_distance",
        invariances=Invariances(True, False, True, False, True, None),
        axioms=_PSEUDOMETRIC,
        value_range=(0.0, float("inf")), degenerate="raise",
        degenerate_note="no degenerate input: a constant input is a zero kernel and the distance is defined; "
        "only invalid arrays raise",
        reference="Bhatia, Jain, Lim (2019); Williams et al. (NeurIPS 2021)",
        summary="Bures distance of the centred kernels Xc Xc^T / n: RMS residual per stimulus after the best rotation",
        notes="Unnormalised, so not scale invariant; normalise=True gives the Procrustes distance. Bures is a metric "
        "on PSD matrices, hence a pseudometric here.",
    ),
    MeasureSpec(
        name="riemannian_ridge", kind="distance", compares="representations",
        numpy_path=f"{_NP}:riemannian_distance_ridge", torch_path=f"{_TORCH}:riemannian_distance_ridge",
        invariances=Invariances(True, False, True, False, True, None),
        axioms=_PSEUDOMETRIC,
        value_range=(0.0, float("inf")), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero or all-constant input (zero Gram matrix); "
        "eps=0 (not this record) also raises when rank(Xc) < n - 1",
        reference="Shahbazi, Shirali, Aghajan, Nili, NeuroImage 239 (2021); Pennec, Fillard, Ayache (2006)",
        summary="AIRM ||log(A^-1/2 B A^-1/2)||_F of centred stimulus Gram matrices Xc Xc^T / p on the centred "
        "subspace, ridge 1e-2 x mean eigenvalue",
        notes="Scaling X by c shifts every log-eigenvalue by 2 log|c|. The AIRM's own affine invariance acts on the "
        "stimulus axis of both arguments, not on features. The exact (eps=0) distance is riemannian_distance "
        "with its default; it needs p, q >= n - 1 and is not registered, since it raises on most inputs.",
    ),
    # ---------------------------------------------------------------- statistics
    MeasureSpec(
        name="magnitude_difference", kind="distance", compares="representations",
        numpy_path=f"{_NP}:magnitude_difference", torch_path=f"{_TORCH}:magnitude_difference",
        invariances=Invariances(False, False, True, False, True, None),
        axioms=_PSEUDOMETRIC,
        value_range=(0.0, float("inf")), degenerate="raise",
        degenerate_note="no degenerate input (only invalid arrays raise)",
        reference="Klabunde et al., ACM Comput. Surv. (2025); ReSi (ICLR 2025) magnitude_difference",
        summary="| ||mean row of X|| - ||mean row of Y|| | on uncentred inputs (ReSi's definition)",
        notes="Absolute difference of a scalar statistic: a pseudometric. kind='mean_norm' (mean of row norms) "
        "has the same invariances.",
    ),
    MeasureSpec(
        name="concentricity_difference", kind="distance", compares="representations",
        numpy_path=f"{_NP}:concentricity_difference", torch_path=f"{_TORCH}:concentricity_difference",
        invariances=Invariances(False, True, True, False, True, None),
        axioms=_PSEUDOMETRIC,
        value_range=(0.0, 2.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError when a mean row is zero to rounding (e.g. centred data) "
        "or a row is zero (cosine 0/0; ReSi scores these 0 silently)",
        reference="Klabunde et al., ACM Comput. Surv. (2025); ReSi (ICLR 2025) concentricity_difference",
        summary="|alpha(X) - alpha(Y)|, alpha = mean cosine between each row and the mean row",
        notes="c X with c < 0 flips every row and the mean together: cosines unchanged. A pseudometric.",
    ),
    MeasureSpec(
        name="uniformity_difference", kind="distance", compares="representations",
        numpy_path=f"{_NP}:uniformity_difference", torch_path=f"{_TORCH}:uniformity_difference",
        invariances=Invariances(False, True, True, False, True, None),
        axioms=_PSEUDOMETRIC,
        value_range=(0.0, 8.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero row (it cannot be put on the unit sphere)",
        reference="Wang, Isola (ICML 2020); Klabunde et al. (2025) / ReSi uniformity_difference",
        summary="|U(X) - U(Y)|, U = log mean_{i != j} exp(-2 ||z_i - z_j||^2) of rows z on the unit sphere",
        notes="U lies in [-4t, 0] = [-8, 0]. A pseudometric (absolute difference of a statistic).",
    ),
    MeasureSpec(
        name="uniformity_difference_resi", kind="distance", compares="representations",
        numpy_path=f"{_NP}:uniformity_difference_resi", torch_path=f"{_TORCH}:uniformity_difference_resi",
        invariances=Invariances(True, False, True, False, True, None),
        axioms=_PSEUDOMETRIC,
        value_range=(0.0, float("inf")), degenerate="raise",
        degenerate_note="no degenerate input (only invalid arrays raise)",
        reference="ReSi (ICLR 2025) uniformity_difference; Wang, Isola (ICML 2020)",
        summary="ReSi's variant: raw (unnormalised) rows, all n^2 pairs including i = j, t = 2",
        notes="Pairwise distances of raw rows are translation invariant but scale with c. U lies in [-log n, 0], "
        "so the value is at most log n.",
    ),
    # ---------------------------------------------------------------- subspaces and prediction
    MeasureSpec(
        name="eigenspace_overlap_score", kind="score", compares="representations",
        numpy_path=f"{_NP}:eigenspace_overlap_score", torch_path=f"{_TORCH}:eigenspace_overlap_score",
        invariances=Invariances(True, True, True, True, True, None),
        axioms=_NONNEGATIVE_SCORE,
        value_range=(0.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for an all-constant input (rank 0); warns SaturationWarning "
        "when rank X + rank Y > n - 1",
        reference="May, Zhang, Dao, Re (NeurIPS 2019)",
        summary="||U_X^T U_Y||_F^2 / max(rank X, rank Y) for orthonormal bases of the centred column spaces",
        notes="Depends only on the column spaces (sum of squared canonical correlations / max rank), hence "
        "invariant to invertible linear maps; saturates like CCA once p or q reaches n. May et al. do not centre "
        "(centre=False loses translation invariance).",
    ),
    MeasureSpec(
        name="gulp", kind="distance", compares="representations",
        numpy_path=f"{_NP}:gulp_distance", torch_path=f"{_TORCH}:gulp_distance",
        invariances=Invariances(True, True, True, False, True, None),
        axioms=_PSEUDOMETRIC,
        value_range=(0.0, float("inf")), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero or all-constant input (cannot be normalised)",
        reference="Boix-Adsera, Lawrence, Stepaniants, Rigollet (NeurIPS 2022)",
        summary="GULP with ridge 1e-2: ||M_X - M_Y||_F for ridge hat matrices of centred, unit-variance inputs",
        notes="The square root of the reference code's value. The ridge breaks invariance to non-orthogonal maps. "
        "Frobenius distance of matrices depending on one input each: a pseudometric.",
    ),
    MeasureSpec(
        name="gulp_lam0", kind="distance", compares="representations",
        numpy_path=f"{_NP}:gulp_distance_lam0", torch_path=f"{_TORCH}:gulp_distance_lam0",
        invariances=Invariances(True, True, True, True, True, None),
        axioms=_PSEUDOMETRIC,
        value_range=(0.0, float("inf")), degenerate="raise",
        degenerate_note="raises DegenerateInputError for an all-constant input; warns SaturationWarning when "
        "rank X + rank Y > n - 1",
        reference="Boix-Adsera, Lawrence, Stepaniants, Rigollet (NeurIPS 2022)",
        summary="GULP without ridge: Frobenius distance of the projectors on the centred column spaces, "
        "sqrt(rX + rY - 2 sum rho_i^2)",
        notes="Depends only on the column spaces: invariant to invertible linear maps, CCA-like saturation.",
        # sqrt of a cancelling difference: near 0 the float32 error is ~ sqrt(eps32 * cond^2) ~ 1e-3.
        float32_stable=False,
    ),
)
