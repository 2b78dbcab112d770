"""Tests for the neighbourhood measures: numpy reference vs batched torch, definitions checked
against brute-force implementations, the k and tie conventions, peers (scikit-learn's
NearestNeighbors as ReSi uses it, platonic-rep's topk code), invariances and their
counterexamples, axioms, degenerate inputs, messages and gradients."""

from __future__ import annotations

import re
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from metrics import neighbors as N
from metrics import torch_neighbors as T
from metrics._validation import DegenerateInputError, SaturationWarning

NAMES = ["mutual_knn", "knn_jaccard", "rank_similarity", "second_order_cosine"]
SET_NAMES = ["mutual_knn", "knn_jaccard", "rank_similarity"]
METRICS = ["cosine", "euclidean"]
# The set measures take the same neighbours in both implementations, so they agree to the
# rounding of a mean of rationals; the second-order cosine to a few ulps of its cosines.
TOL64 = 1e-12
TOL32 = 1e-5
INVARIANCE_TOL = 1e-12
REFUTE_MARGIN = 0.05
SHAPES = [(30, 3, 5), (25, 6, 2), (12, 1, 4), (40, 10, 10)]


# --------------------------------------------------------------------------- builders


def _pair(seed: int, n: int, p: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Related but not identical representations with uneven column scales and an offset."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + 0.3
    k = min(p, q)
    Y = X[:, :k] @ rng.standard_normal((k, q)) + 0.7 * rng.standard_normal((n, q))
    return X, Y


def _orthogonal(seed: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Q, Rm = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(Rm))


def _t(A: np.ndarray, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.tensor(A, dtype=dtype)


def _brute_neighbours(A: np.ndarray, k: int, metric: str) -> list[list[int]]:
    """Exact neighbour lists from the full distance matrix: sort (distance, index), drop self."""
    D = cdist(A, A, "cosine" if metric == "cosine" else "euclidean")
    out = []
    for i in range(len(A)):
        order = sorted((j for j in range(len(A)) if j != i), key=lambda j: (D[i, j], j))
        out.append(order[:k])
    return out


def _brute(name: str, X: np.ndarray, Y: np.ndarray, k: int, metric: str) -> float:
    """Each measure from its definition, on brute-force neighbour lists."""
    NX, NY = _brute_neighbours(X, k, metric), _brute_neighbours(Y, k, metric)
    values = []
    for i, (a, b) in enumerate(zip(NX, NY, strict=True)):
        shared = set(a) & set(b)
        if name == "mutual_knn":
            values.append(len(shared) / k)
        elif name == "knn_jaccard":
            values.append(len(shared) / len(set(a) | set(b)))
        elif name == "rank_similarity":
            total = sum(2 / ((1 + abs(a.index(j) - b.index(j))) * (a.index(j) + b.index(j) + 2)) for j in shared)
            values.append(total / sum(1 / t for t in range(1, len(shared) + 1)) if shared else 0.0)
        else:
            union = sorted(set(a) | set(b))
            cx = 1.0 - cdist(X[i : i + 1], X[union], "cosine")[0]
            cy = 1.0 - cdist(Y[i : i + 1], Y[union], "cosine")[0]
            values.append(float(cx @ cy / np.linalg.norm(cx) / np.linalg.norm(cy)))
    return float(np.mean(values))


# --------------------------------------------------------------------------- numpy vs torch


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}_p{}_q{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1])
def test_torch_matches_numpy_float64(name: str, metric: str, shape: tuple[int, int, int], seed: int) -> None:
    X, Y = _pair(seed, *shape)
    ref = getattr(N, name)(X, Y, metric=metric)
    got = getattr(T, name)(_t(X), _t(Y), metric=metric)
    assert got.dtype == torch.float64 and got.shape == ()
    assert abs(float(got) - ref) <= TOL64, (ref, float(got))
    low = -1.0 if name == "second_order_cosine" else 0.0
    assert low <= ref <= 1.0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("k", [1, 3, 7])
def test_matches_brute_force_definition(name: str, metric: str, k: int) -> None:
    X, Y = _pair(2, 20, 4, 3)
    assert abs(getattr(N, name)(X, Y, k=k, metric=metric) - _brute(name, X, Y, k, metric)) <= 1e-12


def test_rank_similarity_normalization_k() -> None:
    X, Y = _pair(3, 25, 4, 4)
    k = 6
    NX, NY = _brute_neighbours(X, k, "cosine"), _brute_neighbours(Y, k, "cosine")
    h_k = sum(1 / t for t in range(1, k + 1))
    expected = np.mean(
        [
            sum(2 / ((1 + abs(a.index(j) - b.index(j))) * (a.index(j) + b.index(j) + 2)) for j in set(a) & set(b)) / h_k
            for a, b in zip(NX, NY, strict=True)
        ]
    )
    got = N.rank_similarity(X, Y, k=k, normalization="k")
    assert abs(got - expected) <= 1e-12
    assert got <= N.rank_similarity(X, Y, k=k) + 1e-15  # H_|I| <= H_k
    assert abs(float(T.rank_similarity(_t(X), _t(Y), k=k, normalization="k")) - got) <= TOL64


def test_hand_computed_example_with_a_tie() -> None:
    """1-D points, k = 2, worked out by hand. X = (0, 1, 3, 7): lists [1, 2], [0, 2], [1, 0], [2, 1].
    Y = (0, 5, 1, 2): lists [2, 3], [3, 2], [0, 3] (0 and 3 both at distance 1: index order), [2, 0].
    Each stimulus shares one neighbour, with ranks (2, 1), (2, 2), (2, 1), (1, 1):
    terms 1/3, 1/2, 1/3, 1; H_1 = 1 and H_2 = 3/2."""
    X = np.array([[0.0], [1.0], [3.0], [7.0]])
    Y = np.array([[0.0], [5.0], [1.0], [2.0]])
    assert N._neighbours("f", "Y", Y, 2, "euclidean").tolist() == [[2, 3], [3, 2], [0, 3], [2, 0]]
    expected = {
        "mutual_knn": 0.5,
        "knn_jaccard": 1.0 / 3.0,
        "rank_similarity": 13.0 / 24.0,  # mean of 1/3, 1/2, 1/3, 1
    }
    for name, value in expected.items():
        assert getattr(N, name)(X, Y, k=2, metric="euclidean") == pytest.approx(value, abs=1e-15)
        assert float(getattr(T, name)(_t(X), _t(Y), k=2, metric="euclidean")) == pytest.approx(value, abs=1e-15)
    with_k = N.rank_similarity(X, Y, k=2, metric="euclidean", normalization="k")
    assert with_k == pytest.approx(13.0 / 36.0, abs=1e-15)  # each term divided by H_2 = 3/2


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("metric", METRICS)
def test_batched_and_broadcast_match_unbatched_numpy(name: str, metric: str) -> None:
    rng = np.random.default_rng(4)
    X = rng.standard_normal((3, 2, 15, 4))
    Y = np.einsum("abnp,pq->abnq", X, rng.standard_normal((4, 3))) + rng.standard_normal((3, 2, 15, 3))
    f = getattr(T, name)
    out = f(_t(X), _t(Y), k=4, metric=metric)
    broadcast = f(_t(X[:, :1]), _t(Y[:1, :]), k=4, metric=metric)  # (3, 1) with (1, 2) -> (3, 2)
    assert out.shape == (3, 2) and broadcast.shape == (3, 2)
    ref = getattr(N, name)
    for a in range(3):
        for b in range(2):
            assert abs(float(out[a, b]) - ref(X[a, b], Y[a, b], k=4, metric=metric)) <= TOL64
            assert abs(float(broadcast[a, b]) - ref(X[a, 0], Y[0, b], k=4, metric=metric)) <= TOL64


@pytest.mark.parametrize("name", NAMES)
def test_float32_in_float32_out(name: str) -> None:
    """The neighbour search runs in float64, so the set measures equal the float64 value exactly."""
    X, Y = _pair(5, 30, 5, 3)
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    value = getattr(T, name)(_t(X32, torch.float32), _t(Y32, torch.float32))
    assert value.dtype == torch.float32 and value.shape == ()
    ref = getattr(N, name)(X32.astype(np.float64), Y32.astype(np.float64))
    tol = 0.0 if name in SET_NAMES else TOL32
    assert abs(float(value) - float(np.float32(ref))) <= tol


@pytest.mark.parametrize("name", NAMES)
def test_integer_inputs_become_float64(name: str) -> None:
    rng = np.random.default_rng(6)
    X, Y = rng.integers(1, 9, size=(15, 3)), rng.integers(1, 9, size=(15, 2))
    ref = getattr(N, name)(X.astype(np.float64), Y.astype(np.float64))
    assert getattr(N, name)(X, Y) == ref
    out = getattr(T, name)(torch.tensor(X), torch.tensor(Y))
    assert out.dtype == torch.float64 and abs(float(out) - ref) <= TOL64


@pytest.mark.parametrize("name", NAMES)
def test_blocks_of_rows_give_the_same_result(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Force many small blocks (and a ragged last one) through both implementations."""
    X, Y = _pair(7, 23, 3, 4)
    ref_n, ref_t = getattr(N, name)(X, Y, k=5), float(getattr(T, name)(_t(X), _t(Y), k=5))
    monkeypatch.setattr(N, "BLOCK_ENTRIES", 50)  # 2 rows per block with n = 23
    monkeypatch.setattr(T, "BLOCK_ENTRIES", 50)
    assert getattr(N, name)(X, Y, k=5) == ref_n
    assert float(getattr(T, name)(_t(X), _t(Y), k=5)) == ref_t


def test_no_n_by_n_matrix() -> None:
    """n = 4000: a full float64 distance matrix is 128 MB; the blocked search stays far below."""
    rng = np.random.default_rng(8)
    X = rng.standard_normal((4000, 3))
    tracemalloc.start()
    try:
        N._neighbours("f", "X", X, 5, "euclidean")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4000 * 4000 * 8 / 4, peak


# --------------------------------------------------------------------------- k and ties


def test_default_k() -> None:
    X, Y = _pair(9, 9, 3, 3)  # (n - 1) // 2 = 4
    assert N.mutual_knn(X, Y) == N.mutual_knn(X, Y, k=4)
    X, Y = _pair(9, 40, 3, 3)
    assert N.mutual_knn(X, Y) == N.mutual_knn(X, Y, k=10)
    assert float(T.mutual_knn(_t(X), _t(Y))) == N.mutual_knn(X, Y, k=10)


def test_self_excluded_and_duplicates_count_as_neighbours() -> None:
    rng = np.random.default_rng(10)
    X = rng.standard_normal((8, 2))
    X[5] = X[0]
    NX = N._neighbours("f", "X", X, 3, "euclidean")
    assert NX[0, 0] == 5 and NX[5, 0] == 0  # each duplicate is the other's nearest neighbour
    assert all(i not in NX[i] for i in range(8))
    # a third stimulus equidistant from both duplicates lists them in index order
    for i in range(8):
        row = NX[i].tolist()
        if 0 in row and 5 in row:
            assert row.index(0) < row.index(5)
    assert np.array_equal(T._neighbours("f", "X", _t(X), 3, "euclidean").numpy(), NX)


def test_ties_broken_by_index_on_a_regular_polygon() -> None:
    """Vertices of a regular 12-gon: both neighbours of a vertex are equidistant (exactly, in the
    mathematics; to rounding in the computation): the lower index comes first, in both implementations."""
    angles = 2 * np.pi * np.arange(12) / 12
    circle = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    for metric, X in (("euclidean", 3.0 * circle + np.array([1.0, -2.0])), ("cosine", 0.7 * circle)):
        NX = N._neighbours("f", "X", X, 2, metric)
        expected = [sorted([(i - 1) % 12, (i + 1) % 12]) for i in range(12)]
        assert NX.tolist() == expected
        assert np.array_equal(T._neighbours("f", "X", _t(X), 2, metric).numpy(), NX)


@pytest.mark.parametrize("seed", range(3))
def test_heavy_ties_identical_between_numpy_torch_and_exact_order(seed: int) -> None:
    """Integer points with many exactly tied distances: numpy, torch and the exact (distance, index)
    order all pick the same neighbours; float32 inputs give the same ones too."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 3, size=(40, 3)).astype(np.float64) + 10.0
    X[0] = X[1] + 1.0  # make sure no representation is degenerate
    NX = N._neighbours("f", "X", X, 6, "euclidean")
    assert NX.tolist() == _brute_neighbours(X, 6, "euclidean")
    assert np.array_equal(T._neighbours("f", "X", _t(X), 6, "euclidean").numpy(), NX)
    assert np.array_equal(T._neighbours("f", "X", _t(X, torch.float32), 6, "euclidean").numpy(), NX)
    Y = rng.integers(0, 3, size=(40, 2)).astype(np.float64)
    for name in NAMES[:3]:
        ref = getattr(N, name)(X, Y, metric="euclidean")
        assert abs(float(getattr(T, name)(_t(X), _t(Y), metric="euclidean")) - ref) <= TOL64


def test_tie_quantum() -> None:
    assert N.tie_quantum(1.0) == 2.0**-30  # 3 in [2, 4): e = 2
    assert N.tie_quantum(1.0 - 2**-53) == N.tie_quantum(1.0 + 2**-52)  # no jump at the nice scale 1
    assert N.tie_quantum(1.0 / 3.0 * 1.0000001) == 2.0 * N.tie_quantum(1.0 / 3.0 * 0.9999999)  # the jump sits at 1/3


@pytest.mark.parametrize("name", ["mutual_knn", "knn_jaccard"])
def test_k_equal_n_minus_1_saturates_and_warns(name: str) -> None:
    rng = np.random.default_rng(11)
    X, Y = rng.standard_normal((6, 2)), rng.standard_normal((6, 3))
    msg = f"{name}: k must be below n - 1 for the neighbourhoods to depend on the data; got k=5 with n=6"
    with pytest.warns(SaturationWarning, match=re.escape(msg)):
        assert getattr(N, name)(X, Y, k=5) == 1.0
    with pytest.warns(SaturationWarning, match=re.escape(msg)):
        assert float(getattr(T, name)(_t(X), _t(Y), k=5)) == 1.0


@pytest.mark.parametrize("name", ["rank_similarity", "second_order_cosine"])
def test_k_equal_n_minus_1_does_not_saturate_the_others(name: str) -> None:
    rng = np.random.default_rng(12)
    X, Y = rng.standard_normal((6, 2)), rng.standard_normal((6, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = getattr(N, name)(X, Y, k=5)
    assert value < 0.99


# --------------------------------------------------------------------------- peers


def _resi_style(A: np.ndarray, k: int) -> np.ndarray:
    """ReSi's neighbour search: sklearn NearestNeighbors with k + 1 neighbours, first column dropped."""
    neighbors = pytest.importorskip("sklearn.neighbors")
    nn = neighbors.NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute").fit(A)
    return np.asarray(nn.kneighbors(A, return_distance=False))[:, 1:]


def test_sklearn_neighbours_agree_without_ties() -> None:
    X, Y = _pair(13, 50, 6, 4)
    for A in (X, Y):
        assert np.array_equal(_resi_style(A, 7), N._neighbours("f", "A", A, 7, "cosine"))
    nx, ny = _resi_style(X, 7), _resi_style(Y, 7)
    resi_jaccard = np.mean([len(set(a) & set(b)) / len(set(a) | set(b)) for a, b in zip(nx, ny, strict=True)])
    assert abs(N.knn_jaccard(X, Y, k=7) - resi_jaccard) <= 1e-12


def test_sklearn_drop_first_convention_differs_on_duplicates() -> None:
    """Pinned convention difference: dropping the first returned neighbour assumes it is the query
    itself. With a duplicated stimulus the duplicate may come first, and the query then lists
    itself as a neighbour; here the stimulus itself is always excluded."""
    rng = np.random.default_rng(14)
    X = rng.standard_normal((10, 3))
    X[6] = X[2]
    resi = _resi_style(X, 3)
    ours = N._neighbours("f", "X", X, 3, "cosine")
    assert 2 in resi[2].tolist() or 6 in resi[6].tolist()  # some duplicate lists itself
    assert 2 not in ours[2].tolist() and 6 not in ours[6].tolist()
    assert ours[2, 0] == 6 and ours[6, 0] == 2


def test_platonic_rep_mutual_knn() -> None:
    """platonic-rep's code: L2-normalise, inner products with the diagonal at -1e8, topk, mean overlap / k."""
    X, Y = _pair(15, 60, 8, 5)

    def platonic(A: torch.Tensor, B: torch.Tensor, topk: int) -> float:
        A, B = torch.nn.functional.normalize(A, dim=-1), torch.nn.functional.normalize(B, dim=-1)

        def knn(F: torch.Tensor) -> torch.Tensor:
            sim = F @ F.T
            sim.fill_diagonal_(-1e8)
            return sim.topk(topk, dim=1).indices

        n = A.shape[0]
        ka, kb = knn(A), knn(B)
        ma = torch.zeros(n, n, dtype=torch.float64).scatter_(1, ka, 1.0)
        mb = torch.zeros(n, n, dtype=torch.float64).scatter_(1, kb, 1.0)
        return float(((ma * mb).sum(dim=1) / topk).mean())

    assert abs(N.mutual_knn(X, Y, k=10) - platonic(_t(X), _t(Y), 10)) <= 1e-12


# --------------------------------------------------------------------------- invariances


def _transform(kind: str, X: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = X.shape[1]
    if kind == "translation":
        return X + rng.normal(0.0, 3.0, p)
    if kind == "isotropic_scaling":
        return 37.5 * X
    if kind == "orthogonal":
        return X @ _orthogonal(seed, p)
    if kind == "permutation":
        return X[:, rng.permutation(p)]
    raise AssertionError(kind)


VARIANTS: dict[str, tuple[Callable[..., float], Callable[..., torch.Tensor]]] = {
    "mutual_knn": (N.mutual_knn, T.mutual_knn),
    "mutual_knn_euclidean": (N.mutual_knn_euclidean, T.mutual_knn_euclidean),
    "knn_jaccard": (N.knn_jaccard, T.knn_jaccard),
    "knn_jaccard_euclidean": (N.knn_jaccard_euclidean, T.knn_jaccard_euclidean),
    "rank_similarity": (N.rank_similarity, T.rank_similarity),
    "rank_similarity_euclidean": (N.rank_similarity_euclidean, T.rank_similarity_euclidean),
    "second_order_cosine": (N.second_order_cosine, T.second_order_cosine),
}
_COSINE = {"translation": False, "isotropic_scaling": True, "orthogonal": True, "invertible_linear": False, "permutation": True}
_EUCLIDEAN = {**_COSINE, "translation": True}
DECLARED = {name: (_EUCLIDEAN if name.endswith("euclidean") else _COSINE) for name in VARIANTS}
HOLDS = [(m, k) for m, inv in DECLARED.items() for k, v in inv.items() if v]
FAILS = [(m, k) for m, inv in DECLARED.items() for k, v in inv.items() if not v]


def test_declarations_match_the_registry_records() -> None:
    from metrics.records import neighbors as records

    for spec in records.RECORDS:
        inv = spec.invariances.as_dict()
        assert {k: inv[k] for k in DECLARED[spec.name]} == DECLARED[spec.name], spec.name
        assert spec.numpy_fn is VARIANTS[spec.name][0] and spec.torch_fn is VARIANTS[spec.name][1]
    assert {spec.name for spec in records.RECORDS} == set(VARIANTS)


@pytest.mark.parametrize(("name", "kind"), HOLDS)
@pytest.mark.parametrize("seed", range(2))
def test_declared_invariance_holds(name: str, kind: str, seed: int) -> None:
    X, Y = _pair(seed, 30, 4, 3)
    f, ft = VARIANTS[name]
    base = f(X, Y)
    assert 0.0 < base < 1.0  # a non-trivial value
    assert abs(f(_transform(kind, X, seed + 100), Y) - base) <= INVARIANCE_TOL
    assert abs(f(X, _transform(kind, Y, seed + 200)) - base) <= INVARIANCE_TOL
    assert abs(float(ft(_t(_transform(kind, X, seed + 100)), _t(Y))) - base) <= INVARIANCE_TOL


@pytest.mark.parametrize(("name", "kind"), FAILS)
def test_declared_non_invariance_is_refuted(name: str, kind: str) -> None:
    """Translation: a large common offset makes all rows nearly parallel (cosine neighbourhoods
    change). Invertible linear: stretching one feature twentyfold reorders distances."""
    X, _ = _pair(16, 30, 3, 3)
    f, _ = VARIANTS[name]
    if kind == "translation":
        moved = X + np.array([8.0, 0.0, 0.0])
    else:
        assert kind == "invertible_linear"
        moved = X @ np.diag([20.0, 1.0, 1.0])
    assert f(X, X) == pytest.approx(1.0, abs=1e-12)
    assert f(moved, X) <= 1.0 - REFUTE_MARGIN


def test_second_order_cosine_not_translation_invariant_even_with_euclidean_neighbourhoods() -> None:
    X, _ = _pair(17, 30, 3, 3)
    moved = X + np.array([8.0, 0.0, 0.0])
    assert N.mutual_knn(X, moved, metric="euclidean") == 1.0  # same neighbourhoods
    assert N.second_order_cosine(X, moved, metric="euclidean") <= 1.0 - REFUTE_MARGIN


def test_every_declaration_is_exercised() -> None:
    assert len(HOLDS) + len(FAILS) == 7 * 5 and len(FAILS) == 4 * 2 + 3 * 1


# --------------------------------------------------------------------------- axioms


@pytest.mark.parametrize("name", list(VARIANTS))
def test_identity_and_symmetry(name: str) -> None:
    X, Y = _pair(18, 25, 4, 6)
    f, ft = VARIANTS[name]
    assert f(X, X) == pytest.approx(1.0, abs=1e-12)
    assert float(ft(_t(X), _t(X))) == pytest.approx(1.0, abs=1e-12)
    assert abs(f(X, Y) - f(Y, X)) <= 1e-12


def test_second_order_cosine_can_be_negative() -> None:
    """Three rows at 60 degrees from each other (pairwise cosine 1/2) against three at 120 degrees
    (pairwise cosine -1/2): every profile flips sign, SOC = -1 (nonnegativity False)."""
    X = np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    angles = 2 * np.pi * np.arange(3) / 3
    Y = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    assert N.second_order_cosine(X, Y, k=2) == pytest.approx(-1.0, abs=1e-12)
    assert float(T.second_order_cosine(_t(X), _t(Y), k=2)) == pytest.approx(-1.0, abs=1e-12)


# --------------------------------------------------------------------------- degenerate inputs


def test_zero_row_under_cosine_raises() -> None:
    X, Y = _pair(19, 8, 3, 2)
    X[4] = 0.0
    msg = (
        "mutual_knn: every row (stimulus) of X must be nonzero (the cosine of a zero vector is "
        "undefined); got X[4] = 0 (1 zero row; X.shape=(8, 3)). Drop the zero rows from both X and Y, or use "
        "metric='euclidean'."
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        N.mutual_knn(X, Y)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        T.mutual_knn(_t(X), _t(Y))
    N.mutual_knn(X, Y, metric="euclidean")  # a zero row is an ordinary point for the Euclidean metric


def test_zero_row_in_a_batch_names_its_index() -> None:
    rng = np.random.default_rng(20)
    X = rng.standard_normal((2, 3, 8, 3))
    X[1, 2, 5] = 0.0
    X[1, 2, 6] = 0.0
    with pytest.raises(DegenerateInputError, match=re.escape("got X[1, 2, 5] = 0 (2 zero rows; X.shape=(2, 3, 8, 3))")):
        T.knn_jaccard(_t(X), _t(rng.standard_normal((8, 2))))


@pytest.mark.parametrize("name", NAMES)
def test_second_order_cosine_zero_row_raises_whatever_the_metric(name: str) -> None:
    X, Y = _pair(21, 8, 3, 2)
    Y[2] = 0.0
    if name == "second_order_cosine":
        msg = "second_order_cosine: every row (stimulus) of Y must be nonzero (the cosine"
        with pytest.raises(DegenerateInputError, match=re.escape(msg)):
            N.second_order_cosine(X, Y, metric="euclidean")
        with pytest.raises(DegenerateInputError, match=re.escape(msg)):
            T.second_order_cosine(_t(X), _t(Y), metric="euclidean")
    else:
        getattr(N, name)(X, Y, metric="euclidean")


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("name", NAMES)
def test_all_distances_zero_raises(name: str, metric: str) -> None:
    """All rows equal (Euclidean) or all rows positive multiples of one (cosine)."""
    rng = np.random.default_rng(22)
    row = np.array([[1.0, -2.0, 0.5]])
    X = row * (rng.uniform(1.0, 3.0, (7, 1)) if metric == "cosine" else np.ones((7, 1)))
    Y = rng.standard_normal((7, 2))
    msg = (
        f"{name}: X must have two stimuli at a nonzero {metric} distance (if every pairwise distance is 0, every "
        f"neighbourhood is a tie-break by index); got every pairwise {metric} distance in X is 0 (X.shape=(7, 3)). "
        "Drop constant representations before comparing them."
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        getattr(N, name)(X, Y, metric=metric)
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + "$"):
        getattr(T, name)(_t(X), _t(Y), metric=metric)


def test_all_distances_zero_in_a_batch_names_the_element() -> None:
    rng = np.random.default_rng(23)
    X = rng.standard_normal((3, 7, 2))
    X[2] = 4.0
    with pytest.raises(DegenerateInputError, match=re.escape("got every pairwise euclidean distance in X[2] is 0")):
        T.mutual_knn(_t(X), _t(rng.standard_normal((7, 2))), metric="euclidean")


def test_second_order_cosine_zero_profile_raises() -> None:
    """One-hot rows are pairwise orthogonal: every first-order cosine is 0."""
    X = np.eye(6)
    Y = np.random.default_rng(24).standard_normal((6, 2))
    msg = (
        "second_order_cosine: each stimulus must have a nonzero cosine to some neighbour in X (else its similarity "
        "profile is the zero vector and the outer cosine is 0/0); got stimulus 0 is orthogonal to all "
    )
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + r"\d+ of its union neighbours in X\. "):
        N.second_order_cosine(X, Y, k=2, metric="euclidean")
    with pytest.raises(DegenerateInputError, match="^" + re.escape(msg) + r"\d+ of its union neighbours in X\. "):
        T.second_order_cosine(_t(X), _t(Y), k=2, metric="euclidean")
    with pytest.raises(DegenerateInputError, match=re.escape("stimulus 0 of batch element (1) is orthogonal")):
        T.second_order_cosine(_t(np.stack([np.eye(6) + 0.1, np.eye(6)])), _t(Y), k=2, metric="euclidean")


# --------------------------------------------------------------------------- validation messages


MESSAGES = [
    ("k=0", {"k": 0}, ValueError, "{f}: k must be >= 1; got k=0."),
    (
        "k=n",
        {"k": 8},
        ValueError,
        "{f}: k must be at most n - 1 = 7 (each stimulus has n - 1 other stimuli; itself is excluded); got k=8 with n=8. Pass a smaller k.",
    ),
    ("k-float", {"k": 2.0}, TypeError, "{f}: k must be an integer; got k=2.0 (float)."),
    ("metric", {"metric": "manhattan"}, ValueError, "{f}: metric must be 'cosine' or 'euclidean'; got metric='manhattan'."),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("case", "kwargs", "error", "template"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_option_messages(name: str, case: str, kwargs: dict[str, object], error: type[Exception], template: str) -> None:
    X, Y = _pair(25, 8, 3, 2)
    pattern = "^" + re.escape(template.format(f=name)) + "$"
    with pytest.raises(error, match=pattern):
        getattr(N, name)(X, Y, **kwargs)
    with pytest.raises(error, match=pattern):
        getattr(T, name)(_t(X), _t(Y), **kwargs)


def test_normalization_message() -> None:
    X, Y = _pair(26, 8, 3, 2)
    msg = "rank_similarity: normalization must be 'intersection' or 'k'; got normalization='union'."
    with pytest.raises(ValueError, match="^" + re.escape(msg) + "$"):
        N.rank_similarity(X, Y, normalization="union")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^" + re.escape(msg) + "$"):
        T.rank_similarity(_t(X), _t(Y), normalization="union")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", NAMES)
def test_input_messages(name: str) -> None:
    two = (
        f"{name}: X and Y must have at least 3 rows (stimuli): with 2, each stimulus's only other stimulus is its "
        "neighbour whatever the data; got n=2."
    )
    with pytest.raises(ValueError, match="^" + re.escape(two) + "$"):
        getattr(N, name)(np.eye(2), np.eye(2))
    with pytest.raises(ValueError, match="^" + re.escape(two) + "$"):
        getattr(T, name)(torch.eye(2), torch.eye(2))
    rows = f"{name}: X and Y must have the same number of rows (samples); got X.shape=(5, 2) and Y.shape=(4, 2)."
    with pytest.raises(ValueError, match="^" + re.escape(rows) + "$"):
        getattr(N, name)(np.ones((5, 2)), np.ones((4, 2)))
    flat = f"{name}: X must be a 2-D matrix; got X.shape=(5,). Use X.reshape(-1, 1) for a single feature."
    with pytest.raises(ValueError, match="^" + re.escape(flat) + "$"):
        getattr(N, name)(np.arange(5.0), np.ones((5, 2)))
    dtype = (
        f"{name}: X and Y must have the same dtype (nothing is converted silently); got X.dtype=torch.float32 and "
        "Y.dtype=torch.float64. Cast one of them explicitly, e.g. Y.to(X.dtype)."
    )
    with pytest.raises(TypeError, match="^" + re.escape(dtype) + "$"):
        getattr(T, name)(torch.ones(5, 2), torch.ones(5, 2, dtype=torch.float64))


# --------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("metric", METRICS)
def test_second_order_cosine_gradcheck(metric: str) -> None:
    X, Y = _pair(27, 10, 3, 2)
    Xt, Yt = _t(X).requires_grad_(True), _t(Y).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda a, b: T.second_order_cosine(a, b, k=3, metric=metric), (Xt, Yt))


def test_second_order_cosine_gradcheck_batched() -> None:
    rng = np.random.default_rng(28)
    Xt = torch.tensor(rng.standard_normal((2, 9, 3)), requires_grad=True)
    Yt = torch.tensor(rng.standard_normal((9, 4)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: T.second_order_cosine(a, b, k=3), (Xt, Yt))


@pytest.mark.parametrize("name", SET_NAMES)
def test_set_measures_carry_no_gradient(name: str) -> None:
    X, Y = _pair(29, 12, 3, 2)
    out = getattr(T, name)(_t(X).requires_grad_(True), _t(Y))
    assert not out.requires_grad and out.grad_fn is None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_keeps_device_and_agrees(name: str) -> None:
    X, Y = _pair(30, 40, 5, 3)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        out = getattr(T, name)(_t(X).cuda(), _t(Y).cuda())
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    assert out.device.type == "cuda" and out.dtype == torch.float64
    assert abs(float(out.cpu()) - getattr(N, name)(X, Y)) <= TOL64
