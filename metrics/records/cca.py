"""Registry records of the CCA family (Yanai's R^2, Pillai, SVCCA, PWCCA) and the generalized shape metrics.

Every representation group is declared True or False explicitly (the
property suite proves each True and refutes each False); ``identifiability``
is None, as for every representation measure. An asymmetric measure whose
invariance holds for one argument only declares False and says so in
``notes``.
"""

from __future__ import annotations

from metrics._spec import Axioms, Invariances, MeasureSpec

__all__ = ["RECORDS"]

_SCORE_SYMMETRIC = Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=False)
_METRIC = Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=True)
#: translation, isotropic scaling, orthogonal, invertible linear, permutation
_ALL = Invariances(True, True, True, True, True, None)
_ORTHOGONAL_ONLY = Invariances(True, True, True, False, True, None)
_PWCCA = Invariances(True, True, False, False, True, None)
_HALF_PI = 1.5707963267948966  # math.pi / 2, kept literal: the registry does no work at import time
_RAISE_NOTE = "raises DegenerateInputError for an all-constant (zero once centred) input"
_SATURATION_NOTE = f"{_RAISE_NOTE}; warns SaturationWarning when rank X + rank Y > n - 1"
_WILLIAMS = "Williams, Kunz, Kornblith, Linderman (NeurIPS 2021); netrep LinearMetric"

RECORDS: tuple[MeasureSpec, ...] = (
    # ---------------------------------------------------------------- CCA family
    MeasureSpec(
        name="cca_r2", kind="score", compares="representations",
        numpy_path="metrics.cca:cca_mean_sq_corr", torch_path="metrics.torch_cca:cca_mean_sq_corr",
        invariances=_ALL, axioms=_SCORE_SYMMETRIC,
        value_range=(0.0, 1.0), degenerate="raise", degenerate_note=_SATURATION_NOTE,
        reference="Yanai (1974); Ramsay, ten Berge, Styan (1984); Kornblith et al. (ICML 2019)",
        summary="Yanai's R^2_CCA: mean squared canonical correlation over min(rank X, rank Y)",
        notes="invariant to every invertible map because only the centred column spaces matter; saturates at p >= n - 1",
    ),
    MeasureSpec(
        name="cca_pillai", kind="score", compares="representations",
        numpy_path="metrics.cca:cca_pillai_trace", torch_path="metrics.torch_cca:cca_pillai_trace",
        invariances=_ALL,
        axioms=Axioms(nonnegativity=True, identity=False, symmetry=True, triangle=False),
        value_range=(0.0, float("inf")), degenerate="raise", degenerate_note=_SATURATION_NOTE,
        reference="Pillai (1955); Ramsay, ten Berge, Styan (1984)",
        summary="Pillai's trace: sum of squared canonical correlations, unnormalised (in [0, min(rank X, rank Y)])",
        notes=(
            "unnormalised, as in statistics: s(X, X) = rank(Xc), which is not the top of the declared range, "
            "so identity is False; divided by min(rank X, rank Y) it is cca_r2. repsim's 'pillai' is the mean "
            "canonical correlation instead"
        ),
    ),
    MeasureSpec(
        name="svcca", kind="score", compares="representations",
        numpy_path="metrics.cca:svcca", torch_path="metrics.torch_cca:svcca",
        invariances=_ORTHOGONAL_ONLY, axioms=_SCORE_SYMMETRIC,
        value_range=(0.0, 1.0), degenerate="raise",
        degenerate_note=f"{_RAISE_NOTE}; warns SaturationWarning when k X + k Y > n - 1 (kept components)",
        reference="Raghu, Gilmer, Yosinski, Sohl-Dickstein (NeurIPS 2017)",
        summary="PCA of each view keeping 99% of its variance (a fraction), then mean canonical correlation",
        notes=(
            "invertible linear: False, because a non-orthogonal map changes the spectrum and so which "
            "principal subspace is kept; it holds only when the same subspace is kept (Kornblith et al. 2019)"
        ),
    ),
    MeasureSpec(
        name="pwcca", kind="score", compares="representations",
        numpy_path="metrics.cca:pwcca", torch_path="metrics.torch_cca:pwcca",
        invariances=_PWCCA,
        axioms=Axioms(nonnegativity=True, identity=True, symmetry=False, triangle=False),
        value_range=(0.0, 1.0), degenerate="raise", degenerate_note=_SATURATION_NOTE,
        reference="Morcos, Raghu, Bengio (NeurIPS 2018)",
        summary="canonical correlations weighted by how much of X's centred neurons each canonical variate of X accounts for",
        notes=(
            "asymmetric, weights from the first argument X: orthogonal and invertible linear maps of Y alone "
            "leave it unchanged (Y enters through its column space only); the False entries fail for X, whose "
            "neurons' L1 projections are not rotation invariant"
        ),
    ),
    MeasureSpec(
        name="pwcca_by_y", kind="score", compares="representations",
        numpy_path="metrics.cca:pwcca_by_y", torch_path="metrics.torch_cca:pwcca_by_y",
        invariances=_PWCCA,
        axioms=Axioms(nonnegativity=True, identity=True, symmetry=False, triangle=False),
        value_range=(0.0, 1.0), degenerate="raise", degenerate_note=_SATURATION_NOTE,
        reference="Morcos, Raghu, Bengio (NeurIPS 2018)",
        summary="PWCCA weighted by the second argument Y: pwcca(X, Y, weight_by='Y') == pwcca(Y, X)",
        notes=(
            "asymmetric, weights from the second argument Y: maps of X alone leave it unchanged; the False "
            "entries fail for Y"
        ),
    ),
    # ---------------------------------------------------------------- generalized shape metrics
    MeasureSpec(
        name="shape_angular_a0", kind="distance", compares="representations",
        numpy_path="metrics.shape:shape_angular_a0", torch_path="metrics.torch_shape:shape_angular_a0",
        invariances=_ALL, axioms=_METRIC,
        value_range=(0.0, _HALF_PI), degenerate="raise", degenerate_note=_SATURATION_NOTE,
        reference=_WILLIAMS,
        summary="angular shape metric, full whitening (alpha = 0): arccos(sum rho_i / sqrt(rank X rank Y))",
        notes="equals arccos(mean canonical correlation) when rank X = rank Y; zero-padding keeps it a metric otherwise",
    ),
    MeasureSpec(
        name="shape_angular_a05", kind="distance", compares="representations",
        numpy_path="metrics.shape:shape_angular_a05", torch_path="metrics.torch_shape:shape_angular_a05",
        invariances=_ORTHOGONAL_ONLY, axioms=_METRIC,
        value_range=(0.0, _HALF_PI), degenerate="raise", degenerate_note=_RAISE_NOTE,
        reference=_WILLIAMS,
        summary="angular shape metric, partial whitening alpha = 0.5, inputs scaled to unit Frobenius norm first",
        notes=(
            "isotropic scaling holds because each centred input is normalised before whitening; netrep whitens "
            "the raw covariance, which breaks scaling invariance for 0 < alpha < 1 (normalize=False reproduces it)"
        ),
    ),
    MeasureSpec(
        name="shape_angular_a1", kind="distance", compares="representations",
        numpy_path="metrics.shape:shape_angular_a1", torch_path="metrics.torch_shape:shape_angular_a1",
        invariances=_ORTHOGONAL_ONLY, axioms=_METRIC,
        value_range=(0.0, _HALF_PI), degenerate="raise", degenerate_note=_RAISE_NOTE,
        reference=_WILLIAMS,
        summary="angular shape metric, no whitening (alpha = 1): arccos of the Procrustes similarity",
    ),
    MeasureSpec(
        name="shape_euclidean_a05", kind="distance", compares="representations",
        numpy_path="metrics.shape:shape_euclidean_a05", torch_path="metrics.torch_shape:shape_euclidean_a05",
        invariances=_ORTHOGONAL_ONLY, axioms=_METRIC,
        value_range=(0.0, 2.0**0.5), degenerate="raise", degenerate_note=_RAISE_NOTE,
        reference=_WILLIAMS,
        summary="Euclidean shape metric, alpha = 0.5, unit-norm inputs: sqrt(2 - 2 cos theta)",
        notes="scaling invariant because the inputs are normalised; netrep's euclidean score keeps the units",
    ),
    MeasureSpec(
        name="shape_euclidean_a1", kind="distance", compares="representations",
        numpy_path="metrics.shape:shape_euclidean_a1", torch_path="metrics.torch_shape:shape_euclidean_a1",
        invariances=_ORTHOGONAL_ONLY, axioms=_METRIC,
        value_range=(0.0, 2.0**0.5), degenerate="raise", degenerate_note=_RAISE_NOTE,
        reference=f"{_WILLIAMS}; Ding, Denain, Steinhardt (NeurIPS 2021)",
        summary="Euclidean shape metric, alpha = 1, unit-norm inputs: equals the registry's procrustes distance",
    ),
)
