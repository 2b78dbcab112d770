"""The catalogue behind ``simaudit construct``: name -> builder, with strict parameter parsing.

Each builder is a keyword-only function of simple parameters (int, float,
str, bool) returning a frozen construction record. ``build`` writes the
arrays and a ``construction.json`` describing what was built, with which
parameters and seed, and what it is expected to show.
"""

from __future__ import annotations

import inspect
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constructions import builders
from metrics._validation import fail

__all__ = ["CONSTRUCTIONS", "Construction", "build", "parse_settings"]


@dataclass(frozen=True)
class Construction:
    """A catalogue entry: the builder and what it writes."""

    name: str
    builder: Callable[..., Any]
    kind: str  # "models" (p.npz, q.npz) or "representations" (x.npy, y.npy)
    summary: str

    def parameters(self) -> dict[str, inspect.Parameter]:
        return dict(inspect.signature(self.builder).parameters)

    def signature(self) -> str:
        return ", ".join(f"{n}={p.default!r}" for n, p in self.parameters().items())


CONSTRUCTIONS: dict[str, Construction] = {
    c.name: c
    for c in (
        Construction(
            "kl-vanishing",
            builders.kl_vanishing,
            "models",
            "Thm 3.1 reference instance (M=2, K=7): d_KL -> 0 as rho grows while mCCA ~ 0 and max d_SVD ~ 1",
        ),
        Construction(
            "identifiability",
            builders.identifiability,
            "models",
            "a random model and a member of its identifiability class: every distance is 0",
        ),
        Construction(
            "cca-saturation",
            builders.cca_saturation,
            "representations",
            "unrelated X (p >= n) and Y: mean CCA = 1 by construction, with a SaturationWarning",
        ),
        Construction(
            "cka-outlier",
            builders.cka_outlier,
            "representations",
            "Y = X except one row moved far away: linear CKA falls from 1 to ~0.02 (Davari et al. 2023)",
        ),
        Construction(
            "cka-subset-translation",
            builders.cka_subset_translation,
            "representations",
            "Y = X with 20% of rows translated: linear CKA falls from 1 to ~0.06 (Davari et al. 2023)",
        ),
        Construction(
            "svcca-threshold-rescale",
            builders.svcca_threshold_rescale,
            "representations",
            "an absolute-variance-threshold SVCCA changes when X is rescaled; the relative one does not",
        ),
        Construction(
            "hsic-small-n",
            builders.hsic_small_n,
            "representations",
            "n < 4 stimuli: the unbiased HSIC is undefined and raises DegenerateInputError",
        ),
        Construction(
            "knn-ties",
            builders.knn_ties,
            "representations",
            "integer grid vs regular polygon: tied kNN distances, deterministic and numpy == torch",
        ),
        Construction(
            "arccos-near-one",
            builders.arccos_near_one,
            "representations",
            "Y = X + 1e-7 noise: float32 CKA rounds above 1, so arccos must be clipped",
        ),
        Construction(
            "rank-deficient-predictor",
            builders.rank_deficient_predictor,
            "representations",
            "duplicated/collinear predictor columns: linear-regression R^2 stays finite and exact",
        ),
        Construction(
            "kl-vanishing-general",
            builders.kl_vanishing_general,
            "models",
            "Thm 3.1 in even M by independent 2-D blocks (K = 7^(M/2)): d_KL -> 0 while mCCA ~ 0",
        ),
        Construction(
            "swapped-unembeddings",
            builders.swapped_unembeddings,
            "models",
            "identical embeddings, two pairs of rare unembeddings swapped: d_KL ~0.005, logit distance ~9.9",
        ),
        Construction(
            "rotated-pair",
            builders.rotated_pair,
            "models",
            "embeddings +45 deg, unembeddings -45 deg: mCCA = 1 on both sides, d_KL ~36",
        ),
        Construction(
            "bound-illustration",
            builders.bound_illustration,
            "models",
            "App. F.6: embedding noise (index+1) s N(0,1); d_fg <= 2 M d_LLV (Thm 4.6)",
        ),
    )
}


def _convert(name: str, key: str, text: str, default: Any) -> Any:
    func = f"construct {name}"
    kind = type(default)
    if kind is bool:
        low = text.lower()
        if low in ("1", "true", "yes"):
            return True
        if low in ("0", "false", "no"):
            return False
        fail(func, f"--set {key} must be a boolean (true/false)", f"{text!r}")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            fail(func, f"--set {key} must be an integer", f"{text!r}", error=TypeError)
    if kind is float:
        try:
            return float(text)
        except ValueError:
            fail(func, f"--set {key} must be a number", f"{text!r}", error=TypeError)
    return text


def parse_settings(name: str, items: Sequence[str]) -> dict[str, Any]:
    """Parse ``key=value`` overrides for construction ``name``, rejecting unknown keys and bad types."""
    func = "construct"
    if name not in CONSTRUCTIONS:
        import difflib

        close = difflib.get_close_matches(name, list(CONSTRUCTIONS), n=3, cutoff=0.5)
        hint = f"Did you mean {', '.join(repr(c) for c in close)}?" if close else "Run `simaudit construct --list`."
        fail(func, "NAME must be a known construction", f"{name!r}", hint)
    params = CONSTRUCTIONS[name].parameters()
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep:
            fail(func, "--set takes key=value", f"{item!r}")
        if key not in params:
            fail(
                f"{func} {name}",
                "--set key must be a parameter of this construction",
                f"{key!r}",
                f"Valid keys: {', '.join(params)}.",
            )
        out[key] = _convert(name, key, value, params[key].default)
    return out


def _write_text_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(name: str, settings: dict[str, Any], out: Path) -> Path:
    """Build construction ``name`` with ``settings`` and write it under ``out``; return the JSON path."""
    import numpy as np

    entry = CONSTRUCTIONS[name]
    rec = entry.builder(**settings)
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    if entry.kind == "models":
        rec.p.save(out / "p.npz")
        rec.q.save(out / "q.npz")
        files = ["p.npz", "q.npz"]
    else:
        for fname, arr in (("x.npy", rec.x), ("y.npy", rec.y)):
            fd, tmp = tempfile.mkstemp(prefix=f".{fname}.", suffix=".tmp", dir=out)
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, arr)
            os.replace(tmp, out / fname)
        files = ["x.npy", "y.npy"]
    params = {k: p.default for k, p in entry.parameters().items()}
    params.update(settings)
    meta = {
        "name": name,
        "parameters": params,
        "files": files,
        "description": rec.description,
        "claim": rec.claim,
    }
    path = out / "construction.json"
    _write_text_atomic(path, json.dumps(meta, indent=2, default=str) + "\n")
    return path
