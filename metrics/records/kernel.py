"""Registry records of the kernel and independence measures (metrics/kernel.py, metrics/torch_kernel.py).

Invariance semantics: ``s(T1(X), T2(Y)) = s(X, Y)`` for group elements applied
independently to the feature axes of X and Y (see :mod:`metrics.registry`).
Every measure here is symmetric in X and Y, so no declaration depends on
which argument is transformed.
"""

from __future__ import annotations

import math

from metrics._spec import Axioms, Invariances, MeasureSpec

__all__ = ["RECORDS"]

_NP = "metrics.kernel:"
_TORCH = "metrics.torch_kernel:"

#: translation, isotropic scaling, orthogonal, invertible linear, permutation, identifiability
_ORTHOGONAL_AND_SCALE = Invariances(True, True, True, False, True, None)
_ORTHOGONAL_NOT_SCALE = Invariances(True, False, True, False, True, None)

_BOUNDED_SCORE = Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=False)
_SIGNED_SCORE = Axioms(nonnegativity=False, identity=True, symmetry=True, triangle=False)

_KORNBLITH = "Kornblith, Norouzi, Lee, Hinton (ICML 2019)"
_SONG = "Song, Smola, Gretton, Bedo, Borgwardt (JMLR 2012)"
_SZEKELY = "Szekely, Rizzo, Bakirov (Ann. Statist. 2007)"
_UNBIASED_NOTE = (
    "raises DegenerateInputError when n < 4 (n(n-3) <= 0), for an all-constant input, and when "
    "||U(K)||_F^2 <= 8 n eps ||HKH||_F^2 (U-centred kernel zero: additive squared distances, e.g. one-hot "
    "rows or all rows but one equal); negative values are returned as they are, never clamped"
)

RECORDS: tuple[MeasureSpec, ...] = (
    MeasureSpec(
        name="hsic_linear", kind="score", compares="representations",
        numpy_path=_NP + "hsic_linear", torch_path=_TORCH + "hsic_linear",
        invariances=_ORTHOGONAL_NOT_SCALE,
        axioms=Axioms(nonnegativity=True, identity=False, symmetry=True, triangle=False),
        value_range=(0.0, math.inf), degenerate="raise",
        degenerate_note="no degenerate input: a constant X or Y gives 0, the exact value (nothing is normalised)",
        reference="Gretton, Bousquet, Smola, Scholkopf (ALT 2005)",
        summary="biased HSIC tr(KHLH)/(n-1)^2 with linear kernels = ||Xc^T Yc||_F^2/(n-1)^2",
        notes="identity False: HSIC is unbounded, so HSIC(X, X) is not the top of the range; "
        "isotropic scaling False: c X multiplies it by c^2",
    ),
    MeasureSpec(
        name="hsic_linear_unbiased", kind="score", compares="representations",
        numpy_path=_NP + "hsic_linear_unbiased", torch_path=_TORCH + "hsic_linear_unbiased",
        invariances=_ORTHOGONAL_NOT_SCALE,
        axioms=Axioms(nonnegativity=False, identity=False, symmetry=True, triangle=False),
        value_range=(-math.inf, math.inf), degenerate="raise",
        degenerate_note="raises DegenerateInputError when n < 4 (n(n-3) <= 0); a constant input gives 0",
        reference=_SONG,
        summary="unbiased HSIC <U(K), U(L)>/(n(n-3)) with linear kernels (U-statistic, can be negative)",
        notes="translation True: U-centring annihilates K -> K + Xb1^T + 1b^TX^T + |b|^2 11^T; "
        "nonnegativity False: unbiased, so negative under independence about half the time",
    ),
    MeasureSpec(
        name="cka_debiased", kind="score", compares="representations",
        numpy_path=_NP + "cka_debiased", torch_path=_TORCH + "cka_debiased",
        invariances=_ORTHOGONAL_AND_SCALE,
        axioms=_SIGNED_SCORE,
        value_range=(-1.0, 1.0), degenerate="raise",
        degenerate_note=_UNBIASED_NOTE,
        reference=_KORNBLITH + "; " + _SONG,
        summary="linear CKA with unbiased HSIC: cosine of U-centred linear kernels, feature or Gram path",
    ),
    MeasureSpec(
        name="cka_rbf", kind="score", compares="representations",
        numpy_path=_NP + "cka_rbf", torch_path=_TORCH + "cka_rbf",
        invariances=_ORTHOGONAL_AND_SCALE,
        axioms=_BOUNDED_SCORE,
        value_range=(0.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for an all-constant input or a zero median squared distance "
        "(bandwidth 0)",
        reference=_KORNBLITH,
        summary="CKA of Gaussian kernels, sigma = 1.0 x sqrt(median squared distance over distinct pairs)",
        notes="isotropic scaling True only because sigma follows the median distance (c X scales both); "
        "options fraction, median='all' (Kornblith/ckatorch), debiased are not part of this record",
    ),
    MeasureSpec(
        name="cka_minibatch", kind="score", compares="representations",
        numpy_path=_NP + "cka_minibatch", torch_path=_TORCH + "cka_minibatch",
        invariances=_ORTHOGONAL_AND_SCALE,
        axioms=_SIGNED_SCORE,
        value_range=(-1.0, 1.0), degenerate="raise",
        degenerate_note=_UNBIASED_NOTE + " (checked on the self terms summed over batches)",
        reference="Nguyen, Raghu, Kornblith (ICLR 2021)",
        summary="unbiased HSIC averaged over consecutive row batches of 256, then the CKA ratio",
        notes="depends on the order of the rows (the batches); equals cka_debiased when n <= batch_size",
    ),
    MeasureSpec(
        name="cka_angular", kind="distance", compares="representations",
        numpy_path=_NP + "cka_angular", torch_path=_TORCH + "cka_angular",
        invariances=_ORTHOGONAL_AND_SCALE,
        axioms=Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=True),
        value_range=(0.0, math.pi / 2.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero or all-constant input",
        reference=_KORNBLITH + "; Williams, Kunz, Kornblith, Linderman (NeurIPS 2021)",
        summary="arccos of linear CKA: the angle between centred Gram matrices (a metric)",
        notes="triangle True: the angle between vectors of R^{n x n} is the great-circle distance on the sphere",
    ),
    MeasureSpec(
        name="kernel_alignment", kind="score", compares="representations",
        numpy_path=_NP + "kernel_alignment", torch_path=_TORCH + "kernel_alignment",
        invariances=Invariances(False, True, True, False, True, None),
        axioms=_BOUNDED_SCORE,
        value_range=(0.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError for a zero input (a constant nonzero input is fine: no centring)",
        reference="Cristianini, Shawe-Taylor, Elisseeff, Kandola (NIPS 2001)",
        summary="uncentred alignment <K, L>/(||K|| ||L||) of linear kernels (CKA without centring)",
        notes="translation False: a large common offset drives both kernels towards 11^T and the alignment towards 1",
    ),
    MeasureSpec(
        name="dcor", kind="score", compares="representations",
        numpy_path=_NP + "distance_correlation", torch_path=_TORCH + "distance_correlation",
        invariances=_ORTHOGONAL_AND_SCALE,
        axioms=_BOUNDED_SCORE,
        value_range=(0.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError when all rows of X (or Y) are equal (dVar = 0)",
        reference=_SZEKELY,
        summary="distance correlation R_n (biased V-statistic, Euclidean distances, exponent 1)",
        notes="isotropic scaling True: c X scales the centred distance matrix by |c|, which cancels in the "
        "ratio (one library declares it False; that is wrong)",
    ),
    MeasureSpec(
        name="distance_alignment", kind="score", compares="representations",
        numpy_path=_NP + "distance_alignment", torch_path=_TORCH + "distance_alignment",
        invariances=_ORTHOGONAL_AND_SCALE,
        axioms=_BOUNDED_SCORE,
        value_range=(0.0, 1.0), degenerate="raise",
        degenerate_note="raises DegenerateInputError when all rows of X (or Y) are equal (H D H = 0)",
        reference=_SZEKELY + "; Sejdinovic, Sriperumbudur, Gretton, Fukumizu (Ann. Statist. 2013)",
        summary="cosine of double-centred Euclidean distance matrices (= dCor^2; CKA of distance-induced kernels)",
    ),
)
