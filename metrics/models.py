"""The softmax model family of Nielsen et al. (2025) and the result records of its distances.

A model is a pair of representations evaluated on finite sets: ``F`` (N x M),
the embeddings f(x_n) of N inputs, and ``G`` (K x M), the unembeddings g(y_k)
of K labels, with ``log p(y_k | x_n) = F[n] . G[k] - logsumexp_j F[n] . G[j]``.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from metrics._validation import as_float_matrix, fail

__all__ = ["FGResult", "LLVResult", "ModelDistances", "SoftmaxModel", "check_pair"]


@dataclass(frozen=True, eq=False)
class SoftmaxModel:
    """A model ``p(y | x) = softmax_y(f(x) . g(y))`` evaluated on N inputs and K labels.

    Parameters
    ----------
    F : array_like, shape (N, M)
        Embeddings of the N evaluation inputs. Integer arrays are converted
        to float64; complex, object, non-finite or non-2-D arrays are rejected.
    G : array_like, shape (K, M)
        Unembeddings of the K labels.

    Raises
    ------
    ValueError
        If ``F`` or ``G`` is not 2-D, is empty, contains NaN or inf, or the
        two disagree on M.
    TypeError
        If an array is complex or not numeric.

    Examples
    --------
    >>> m = SoftmaxModel([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> m.N, m.K, m.M
    (2, 3, 2)
    """

    F: NDArray[np.float64]
    G: NDArray[np.float64]
    name: str = field(default="SoftmaxModel", compare=False)

    def __post_init__(self) -> None:
        func = self.name
        F = as_float_matrix(func, "F", self.F)
        G = as_float_matrix(func, "G", self.G)
        # The arrays are frozen below: never freeze the caller's own array.
        F = F.copy() if np.may_share_memory(F, self.F) else F
        G = G.copy() if np.may_share_memory(G, self.G) else G
        if F.shape[1] != G.shape[1]:
            fail(
                func,
                "F and G must have the same number of columns (the representation dimension M)",
                f"F.shape={F.shape} and G.shape={G.shape}",
            )
        F.setflags(write=False)
        G.setflags(write=False)
        object.__setattr__(self, "F", F)
        object.__setattr__(self, "G", G)

    @property
    def N(self) -> int:
        """Number of evaluation inputs."""
        return int(self.F.shape[0])

    @property
    def K(self) -> int:
        """Number of labels."""
        return int(self.G.shape[0])

    @property
    def M(self) -> int:
        """Representation dimension."""
        return int(self.F.shape[1])

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SoftmaxModel:
        """Load a model from an ``.npz`` file holding arrays ``F`` and ``G``.

        Raises
        ------
        FileNotFoundError
            If the file does not exist.
        ValueError
            If the file is not a readable ``.npz`` archive or lacks ``F`` or ``G``.
        """
        func = "SoftmaxModel.load"
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"{func}: path must be an existing .npz file; got {str(p)!r} (no such file).")
        if not zipfile.is_zipfile(p):  # a .npy, a text file, a truncated archive
            fail(
                func,
                "path must be an .npz archive holding arrays F and G",
                f"{str(p)!r} (not a zip/.npz archive)",
                "Save with np.savez(path, F=F, G=G).",
            )
        try:
            with np.load(p, allow_pickle=False) as data:
                keys = set(data.files)
                missing = [k for k in ("F", "G") if k not in keys]
                if missing:
                    fail(
                        func,
                        "the .npz file must contain arrays named 'F' (N x M embeddings) and 'G' (K x M unembeddings)",
                        f"{str(p)!r} with arrays {sorted(keys)} (missing {missing})",
                        "Save with np.savez(path, F=F, G=G).",
                    )
                F, G = data["F"], data["G"]
        except (OSError, EOFError) as exc:  # not a zip archive / truncated
            fail(func, "path must be a readable .npz archive", f"{str(p)!r} ({exc})")
        except ValueError as exc:
            if str(exc).startswith(func):
                raise
            fail(func, "the .npz arrays must be plain numeric arrays (no pickled objects)", f"{str(p)!r} ({exc})", error=TypeError)
        return cls(F, G, name=f"SoftmaxModel({p.name})")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write ``F`` and ``G`` to ``path`` (an ``.npz`` file) atomically."""
        save_npz_atomic(path, F=self.F, G=self.G)

    def log_likelihoods(self) -> NDArray[np.float64]:
        """The K x N matrix ``ell[k, n] = log p(y_k | x_n)`` (materialised; small problems only)."""
        logits = self.G @ self.F.T
        mx = logits.max(axis=0, keepdims=True)
        lse = mx + np.log(np.exp(logits - mx).sum(axis=0, keepdims=True))
        return np.asarray(logits - lse)


def save_npz_atomic(path: str | os.PathLike[str], **arrays: Any) -> None:
    """Write ``arrays`` to ``path`` as an uncompressed ``.npz`` via a temporary file and rename."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_pair(func: str, p: SoftmaxModel, q: SoftmaxModel, *, need_diversity: bool = False) -> None:
    """Raise unless two models share N, K and M (and, if asked, K >= M + 1 and N >= M + 1)."""
    if not isinstance(p, SoftmaxModel) or not isinstance(q, SoftmaxModel):
        fail(func, "p and q must be SoftmaxModel instances", f"{type(p).__name__} and {type(q).__name__}", "Wrap arrays with SoftmaxModel(F, G).", error=TypeError)
    for what, a, b in (("inputs N (rows of F)", p.N, q.N), ("labels K (rows of G)", p.K, q.K), ("dimension M (columns of F and G)", p.M, q.M)):
        if a != b:
            fail(func, f"p and q must have the same number of {what}", f"p: F{p.F.shape}, G{p.G.shape} and q: F{q.F.shape}, G{q.G.shape}")
    if need_diversity:
        if p.K < p.M + 1:
            fail(func, "the diversity condition needs K >= M + 1 labels", f"K={p.K}, M={p.M}", "Use more labels or a smaller representation dimension.")
        if p.N < p.M + 1:
            fail(func, "the diversity condition needs N >= M + 1 inputs", f"N={p.N}, M={p.M}")


@dataclass(frozen=True)
class LLVResult:
    """The log-likelihood variance distance d_LLV and everything that determined it.

    Attributes
    ----------
    value : float
        ``max(t1, t2, lam * t3, lam * t4)``.
    t1, t2, t3, t4 : float
        The four terms of Def. 4.4 (label-side, input-side, label-scale and
        input-scale terms).
    lam : float
        The weight of the scale terms.
    label_pivot, left_out : int
        The label pivot y_0 and the left-out label (0-based label indices).
    input_set : tuple of int
        x_0 first, then x_1..x_M (0-based row indices into F).
    """

    value: float
    t1: float
    t2: float
    t3: float
    t4: float
    lam: float
    label_pivot: int
    left_out: int
    input_set: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: keys ``value, t1, t2, t3, t4, lam, label_pivot, left_out, input_set``."""
        return {
            "value": self.value,
            "t1": self.t1,
            "t2": self.t2,
            "t3": self.t3,
            "t4": self.t4,
            "lam": self.lam,
            "label_pivot": self.label_pivot,
            "left_out": self.left_out,
            "input_set": list(self.input_set),
        }


@dataclass(frozen=True)
class FGResult:
    """The PLS-SVD dissimilarity d_{f,g} of Def. 4.5 and its two sides.

    Attributes
    ----------
    value : float
        ``max(d_svd_f, d_svd_g)``, in [0, 1].
    d_svd_f : float
        Embedding side: maximum of d_SVD over the label subsets examined.
    d_svd_g : float
        Unembedding side.
    num_subsets : int
        Number of M-subsets of labels examined on the embedding side.
    exhaustive : bool
        True when every M-subset was examined; False when a seeded sample was.
    worst_subset : tuple of int
        The subset attaining ``d_svd_f``.
    """

    value: float
    d_svd_f: float
    d_svd_g: float
    num_subsets: int
    exhaustive: bool
    worst_subset: tuple[int, ...]


@dataclass(frozen=True)
class ModelDistances:
    """Every distance between two softmax models; ``to_dict`` is the CLI's JSON contract."""

    kl: float
    kl_reverse: float
    js: float
    tv: float
    hellinger: float
    chi2: float
    logit: float
    llv: LLVResult
    fg: FGResult
    mcca: float
    d_rep: float
    M: int

    @property
    def bound(self) -> float:
        """``2 M d_LLV``: Thm. 4.6 bounds d_{f,g} by it (informative when d_LLV < 1/(2M))."""
        return 2.0 * self.M * self.llv.value

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract of ``simaudit model-distance --format json``."""
        return {
            "kl": self.kl,
            "kl_reverse": self.kl_reverse,
            "js": self.js,
            "tv": self.tv,
            "hellinger": self.hellinger,
            "chi2": self.chi2,
            "logit": self.logit,
            "llv": self.llv.to_dict(),
            "d_svd_f": self.fg.d_svd_f,
            "d_svd_g": self.fg.d_svd_g,
            "d_fg": self.fg.value,
            "bound": self.bound,
            "mcca": self.mcca,
            "d_rep": self.d_rep,
        }
