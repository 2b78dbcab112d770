"""Registry records of the neighbourhood measures: mutual kNN, kNN Jaccard, rank similarity, second-order cosine.

The set-based measures come in two variants, cosine neighbourhoods (the
default of platonic-rep and ReSi) and Euclidean ones, because the metric
decides translation invariance. Every record uses the default
``k = min(10, (n - 1) // 2)`` (see :mod:`metrics.neighbors`).
"""

from __future__ import annotations

from metrics._spec import Axioms, Invariances, MeasureSpec

__all__ = ["RECORDS"]

_SCORE = Axioms(nonnegativity=True, identity=True, symmetry=True, triangle=False)
_COSINE = Invariances(
    translation=False, isotropic_scaling=True, orthogonal=True, invertible_linear=False, permutation=True, identifiability=None
)
_EUCLIDEAN = Invariances(
    translation=True, isotropic_scaling=True, orthogonal=True, invertible_linear=False, permutation=True, identifiability=None
)
_TIES = (
    "Neighbourhoods exclude the stimulus itself; squared distances are rounded to a grid of about 1e-9 of the "
    "largest squared row norm and ties are broken by stimulus index, identically in numpy and torch; with many "
    "ties the score depends on the order of the stimuli."
)
_NO_GRADIENT = "Not differentiable (torch returns the same values, without a gradient)."
_DEGENERATE = (
    "raises DegenerateInputError for a zero row under the cosine metric or a representation whose pairwise "
    "distances are all 0"
)
_HUH = "Huh, Cheung, Wang, Isola, The platonic representation hypothesis (ICML 2024)"
_WANG = "Wang et al., Towards understanding the instability of network embedding (IEEE TKDE 2022); Klabunde et al., ReSi (ICLR 2025)"


def _set_measure(name: str, function: str, metric: str, reference: str, summary: str, *, saturates: bool) -> MeasureSpec:
    note = _DEGENERATE + ("; warns SaturationWarning when k = n - 1 (the score is then 1)" if saturates else "")
    why = (
        "Cosine neighbourhoods move under translation (a large offset makes all rows nearly parallel)."
        if metric == "cosine"
        else "Euclidean distances, hence neighbourhoods, are unchanged by translation."
    )
    return MeasureSpec(
        name=name, kind="score", compares="representations",
        numpy_path=f"metrics.neighbors:{function}", torch_path=f"metrics.torch_neighbors:{function}",
        invariances=_COSINE if metric == "cosine" else _EUCLIDEAN,
        axioms=_SCORE,
        value_range=(0.0, 1.0), degenerate="raise", degenerate_note=note,
        reference=reference, summary=f"{summary} ({metric} metric)",
        notes=f"{why} Invertible linear maps reorder distances. {_TIES} {_NO_GRADIENT}",
        float32_stable=False,  # float32 rounding reorders near-tied distances, so neighbourhoods change
    )


RECORDS: tuple[MeasureSpec, ...] = (
    _set_measure(
        "mutual_knn", "mutual_knn", "cosine", _HUH,
        "mean fraction of shared k-nearest neighbours, |N_k^X(i) & N_k^Y(i)| / k", saturates=True,
    ),
    _set_measure(
        "mutual_knn_euclidean", "mutual_knn_euclidean", "euclidean", _HUH,
        "mean fraction of shared k-nearest neighbours, |N_k^X(i) & N_k^Y(i)| / k", saturates=True,
    ),
    _set_measure(
        "knn_jaccard", "knn_jaccard", "cosine", _WANG,
        "mean Jaccard index of the k-nearest-neighbour sets", saturates=True,
    ),
    _set_measure(
        "knn_jaccard_euclidean", "knn_jaccard_euclidean", "euclidean", _WANG,
        "mean Jaccard index of the k-nearest-neighbour sets", saturates=True,
    ),
    _set_measure(
        "rank_similarity", "rank_similarity", "cosine", _WANG,
        "rank similarity of the kNN lists, sum 2/((1+|r-r'|)(r+r')) over shared neighbours / H_|shared|",
        saturates=False,
    ),
    _set_measure(
        "rank_similarity_euclidean", "rank_similarity_euclidean", "euclidean", _WANG,
        "rank similarity of the kNN lists, sum 2/((1+|r-r'|)(r+r')) over shared neighbours / H_|shared|",
        saturates=False,
    ),
    MeasureSpec(
        name="second_order_cosine", kind="score", compares="representations",
        numpy_path="metrics.neighbors:second_order_cosine", torch_path="metrics.torch_neighbors:second_order_cosine",
        invariances=_COSINE,
        axioms=Axioms(nonnegativity=False, identity=True, symmetry=True, triangle=False),
        value_range=(-1.0, 1.0), degenerate="raise",
        degenerate_note=(
            "raises DegenerateInputError for a zero row, a representation whose pairwise distances are all 0, "
            "or a stimulus whose cosine profile over its union neighbours is zero"
        ),
        reference="Hamilton, Leskovec, Jurafsky, Cultural shift or linguistic drift? (EMNLP 2016)",
        summary="mean cosine between each stimulus's first-order cosine profiles over the union of its kNN sets (cosine metric)",
        notes=(
            "Translation changes the first-order cosines. Negative when the profiles are anti-aligned (three rows "
            "at 60 degrees against three at 120 degrees gives -1), so nonnegativity is False. Differentiable "
            f"almost everywhere in torch (neighbourhoods held fixed). {_TIES}"
        ),
        float32_stable=False,
    ),
)
