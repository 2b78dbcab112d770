"""Registry records of the predictive measures, one per direction (they are asymmetric).

``*_x_to_y`` predicts (or stitches into) ``Y`` from ``X``; ``*_y_to_x`` swaps
the roles. Invariance to invertible linear maps holds for the predictor only,
so it is declared False, with the one-sided truth in ``notes``.
"""

from __future__ import annotations

import math

from metrics._spec import Axioms, Invariances, MeasureSpec

__all__ = ["RECORDS"]

_INVARIANCES = Invariances(
    translation=True, isotropic_scaling=True, orthogonal=True, invertible_linear=False, permutation=True, identifiability=None
)
_R2_AXIOMS = Axioms(nonnegativity=True, identity=True, symmetry=False, triangle=False)
_RIDGE_AXIOMS = Axioms(nonnegativity=False, identity=False, symmetry=False, triangle=False)
_STITCH_AXIOMS = Axioms(nonnegativity=True, identity=True, symmetry=False, triangle=False)

_KORNBLITH = "Kornblith, Norouzi, Lee, Hinton, Similarity of neural network representations revisited (ICML 2019), R^2_LR"
_RIDGE = "Hoerl and Kennard (1970); cross-validated linear predictivity as in Yamins et al. (PNAS 2014), Brain-Score (2018)"
_STITCH = "Lenc and Vedaldi (CVPR 2015); Bansal, Nakkiran, Barak, Revisiting model stitching (NeurIPS 2021)"

_LINREG_DEGENERATE = (
    "raises DegenerateInputError for a constant target; a constant predictor gives 0; warns "
    "SaturationWarning when the centred predictor has rank n - 1 (R^2 = 1 by construction)"
)
_RIDGE_DEGENERATE = (
    "raises DegenerateInputError for a constant target (and, with aggregate='mean', a target constant on a test fold)"
)
_STITCH_DEGENERATE = (
    "raises DegenerateInputError for a constant target or tied singular values at the cut of its top principal "
    "directions; warns SaturationWarning when the stitched input has rank n - 1 (loss 0)"
)


def _linreg_notes(predictor: str, target: str) -> str:
    return (
        f"Invariant to invertible linear maps of the predictor {predictor} (same column space) but not of the "
        f"target {target} (they reweight its columns), hence False. Translation invariant because of the intercept "
        "(centring): one library flags linear-regression R^2 as not translation invariant, which is wrong with an "
        "intercept. Rank-deficient predictors are handled by an SVD rank cutoff (rcond)."
    )


def _ridge_notes(predictor: str, target: str) -> str:
    return (
        f"Not invariant to invertible linear maps of either side: the ridge penalty ||B||^2 is not invariant to "
        f"B -> A^-1 B for the predictor {predictor}, and the target {target}'s columns are reweighted. Isotropic "
        f"scaling invariant because the penalty is relative to the training scatter of {predictor}. Negative when "
        "worse than the mean; even ridge_cv_r2(X, X) < 1 (shrinkage, held-out rows), so identity is False. "
        "Contiguous folds in the given row order."
    )


def _stitch_notes(stitched: str, kept: str) -> str:
    return (
        f"Closed form ||(I - P_{stitched}) {kept}c W||^2 / ||{kept}c W||^2 with W the top min(10, rank) principal "
        f"directions of {kept}c. Invariant to invertible maps of the stitched {stitched} only, hence False. Equals "
        "1 - linreg R^2 when the head keeps every principal direction (rank <= 10). Triangle fails: X = a, "
        "Y = [a, b], Z = b gives d(X, Z) = 1 > d(X, Y) + d(Y, Z) = 0.5 + 0."
    )


RECORDS: tuple[MeasureSpec, ...] = (
    MeasureSpec(
        name="linreg_r2_x_to_y", kind="score", compares="representations",
        numpy_path="metrics.predictive:linreg_r2", torch_path="metrics.torch_predictive:linreg_r2",
        invariances=_INVARIANCES, axioms=_R2_AXIOMS,
        value_range=(0.0, 1.0), degenerate="raise", degenerate_note=_LINREG_DEGENERATE,
        reference=_KORNBLITH,
        summary="least-squares R^2 (intercept, variance-weighted over outputs) predicting Y from X",
        notes=_linreg_notes("X", "Y"),
    ),
    MeasureSpec(
        name="linreg_r2_y_to_x", kind="score", compares="representations",
        numpy_path="metrics.predictive:linreg_r2_y_to_x", torch_path="metrics.torch_predictive:linreg_r2_y_to_x",
        invariances=_INVARIANCES, axioms=_R2_AXIOMS,
        value_range=(0.0, 1.0), degenerate="raise", degenerate_note=_LINREG_DEGENERATE,
        reference=_KORNBLITH,
        summary="least-squares R^2 (intercept, variance-weighted over outputs) predicting X from Y",
        notes=_linreg_notes("Y", "X"),
    ),
    MeasureSpec(
        name="ridge_cv_r2_x_to_y", kind="score", compares="representations",
        numpy_path="metrics.predictive:ridge_cv_r2", torch_path="metrics.torch_predictive:ridge_cv_r2",
        invariances=_INVARIANCES, axioms=_RIDGE_AXIOMS,
        value_range=(-math.inf, 1.0), degenerate="raise", degenerate_note=_RIDGE_DEGENERATE,
        reference=_RIDGE,
        summary="5-fold pooled out-of-fold R^2 of ridge regression (relative penalty 0.1) predicting Y from X",
        notes=_ridge_notes("X", "Y"),
    ),
    MeasureSpec(
        name="ridge_cv_r2_y_to_x", kind="score", compares="representations",
        numpy_path="metrics.predictive:ridge_cv_r2_y_to_x", torch_path="metrics.torch_predictive:ridge_cv_r2_y_to_x",
        invariances=_INVARIANCES, axioms=_RIDGE_AXIOMS,
        value_range=(-math.inf, 1.0), degenerate="raise", degenerate_note=_RIDGE_DEGENERATE,
        reference=_RIDGE,
        summary="5-fold pooled out-of-fold R^2 of ridge regression (relative penalty 0.1) predicting X from Y",
        notes=_ridge_notes("Y", "X"),
    ),
    MeasureSpec(
        name="stitching_loss_x_to_y", kind="distance", compares="representations",
        numpy_path="metrics.predictive:stitching_loss_change",
        torch_path="metrics.torch_predictive:stitching_loss_change",
        invariances=_INVARIANCES, axioms=_STITCH_AXIOMS,
        value_range=(0.0, 1.0), degenerate="raise", degenerate_note=_STITCH_DEGENERATE,
        reference=_STITCH,
        summary="relative squared error of Y's principal-direction head when X is stitched into Y by least squares",
        notes=_stitch_notes("X", "Y"),
    ),
    MeasureSpec(
        name="stitching_loss_y_to_x", kind="distance", compares="representations",
        numpy_path="metrics.predictive:stitching_loss_change_y_to_x",
        torch_path="metrics.torch_predictive:stitching_loss_change_y_to_x",
        invariances=_INVARIANCES, axioms=_STITCH_AXIOMS,
        value_range=(0.0, 1.0), degenerate="raise", degenerate_note=_STITCH_DEGENERATE,
        reference=_STITCH,
        summary="relative squared error of X's principal-direction head when Y is stitched into X by least squares",
        notes=_stitch_notes("Y", "X"),
    ),
)
