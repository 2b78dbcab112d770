"""Input validation shared by every measure, with one message template.

Every message names the function, the parameter, the rule, the value received
and, where there is one, a fix::

    cka_linear: X and Y must have the same number of rows (samples); got X.shape=(100, 3) and Y.shape=(99, 3).

All checks raise :class:`ValueError` or :class:`TypeError` (never ``assert``).
The CLI turns these into a one-line message and exit code 2.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DegenerateInputError",
    "DegenerateInputWarning",
    "SaturationWarning",
    "as_float_matrix",
    "as_float_tensor",
    "check_indices",
    "check_same_rows",
    "check_positive_int",
    "check_range",
    "fail",
    "warn",
]


class DegenerateInputError(ValueError):
    """Raised when an input is valid in form but degenerate for a measure.

    Examples: a label whose log-odds are constant over the inputs (a zero
    standard deviation that the distance divides by), a zero matrix for a
    measure that normalises by its norm.
    """


class DegenerateInputWarning(RuntimeWarning):
    """Warned when a measure returns NaN by policy on a degenerate input."""


class SaturationWarning(RuntimeWarning):
    """Warned when a score is saturated by construction (e.g. CCA with p >= n)."""


def _message(func: str, rule: str, got: str, fix: str | None = None) -> str:
    msg = f"{func}: {rule}; got {got}."
    if fix:
        msg += f" {fix}"
    return msg


def fail(
    func: str,
    rule: str,
    got: str,
    fix: str | None = None,
    *,
    error: type[Exception] = ValueError,
) -> NoReturn:
    """Raise ``error`` with the house template ``"{func}: {rule}; got {got}. {fix}"``."""
    raise error(_message(func, rule, got, fix))


def warn(
    func: str,
    rule: str,
    got: str,
    fix: str | None = None,
    *,
    category: type[Warning] = DegenerateInputWarning,
    stacklevel: int = 3,
) -> None:
    """Warn with the house template (same wording as :func:`fail`)."""
    warnings.warn(_message(func, rule, got, fix), category, stacklevel=stacklevel)


def _count(n: Any, one: str, many: str) -> str:
    n = int(n)
    return f"{n} {one if n == 1 else many}"


def _dtype_check(func: str, name: str, dtype: Any) -> None:
    kind = np.dtype(dtype).kind
    if kind == "c":
        fail(
            func,
            f"{name} must be real-valued",
            f"{name}.dtype={np.dtype(dtype)}",
            "Pass the real part explicitly if that is what you mean.",
            error=TypeError,
        )
    if kind not in "biuf":
        fail(
            func,
            f"{name} must be a numeric (integer, boolean or floating) array",
            f"{name}.dtype={np.dtype(dtype)}",
            error=TypeError,
        )


def as_float_matrix(
    func: str,
    name: str,
    value: Any,
    *,
    ndim: int = 2,
    min_rows: int = 1,
    min_cols: int = 1,
) -> NDArray[np.float64]:
    """Return ``value`` as a finite float64 array with ``ndim`` dimensions.

    Integer and boolean arrays are converted to float64; complex and object
    arrays are rejected with :class:`TypeError`; NaN or infinite entries,
    the wrong number of dimensions or too few rows or columns raise
    :class:`ValueError`.
    """
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        fail(func, f"{name} must be array-like", f"{type(value).__name__} ({exc})", error=TypeError)
    _dtype_check(func, name, arr.dtype)
    if arr.ndim != ndim:
        shape_word = {1: "a 1-D vector", 2: "a 2-D matrix"}.get(ndim, f"a {ndim}-D array")
        fix = None
        if ndim == 2 and arr.ndim == 1:
            fix = f"Use {name}.reshape(-1, 1) for a single feature."
        fail(func, f"{name} must be {shape_word}", f"{name}.shape={arr.shape}", fix)
    if ndim >= 1 and arr.shape[0] < min_rows:
        fail(func, f"{name} must have at least {_count(min_rows, 'row', 'rows')}", f"{name}.shape={arr.shape}")
    if ndim >= 2 and arr.shape[1] < min_cols:
        fail(func, f"{name} must have at least {_count(min_cols, 'column', 'columns')}", f"{name}.shape={arr.shape}")
    out = np.asarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        bad = np.argwhere(~np.isfinite(out))[0]
        fail(
            func,
            f"{name} must contain only finite values",
            f"{name}[{', '.join(str(int(i)) for i in bad)}]={float(out[tuple(bad)])!r} "
            f"({_count((~np.isfinite(out)).sum(), 'non-finite entry', 'non-finite entries')})",
        )
    return out


def as_float_tensor(func: str, name: str, value: Any, *, min_ndim: int = 2) -> Any:
    """Validate a torch tensor: real floating dtype, finite, at least ``min_ndim`` dims.

    Integer and boolean tensors are converted to float64 (as the numpy path
    does); floating tensors keep their dtype and device. Returns the tensor
    (the same object when no conversion was needed).
    """
    import torch

    if not isinstance(value, torch.Tensor):
        fail(func, f"{name} must be a torch.Tensor", f"{type(value).__name__}", error=TypeError)
    if value.is_complex():
        fail(func, f"{name} must be real-valued", f"{name}.dtype={value.dtype}", error=TypeError)
    if not value.is_floating_point():
        value = value.to(torch.float64)
    if value.ndim < min_ndim:
        fail(func, f"{name} must have at least {min_ndim} dimensions", f"{name}.shape={tuple(value.shape)}")
    if not bool(torch.isfinite(value).all()):
        fail(func, f"{name} must contain only finite values", f"{_count((~torch.isfinite(value)).sum(), 'non-finite entry', 'non-finite entries')} in {name}")
    return value


def check_same_rows(func: str, names: tuple[str, str], shapes: tuple[tuple[int, ...], tuple[int, ...]], what: str = "rows (samples)") -> None:
    """Raise unless two arrays have the same number of rows."""
    (a, b), (sa, sb) = names, shapes
    if sa[0] != sb[0]:
        fail(func, f"{a} and {b} must have the same number of {what}", f"{a}.shape={tuple(sa)} and {b}.shape={tuple(sb)}")


def check_positive_int(func: str, name: str, value: Any, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, raising unless it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        fail(func, f"{name} must be an integer", f"{name}={value!r} ({type(value).__name__})", error=TypeError)
    if value < minimum:
        fail(func, f"{name} must be >= {minimum}", f"{name}={value!r}")
    return int(value)


def check_range(func: str, name: str, value: Any, *, low: float, high: float, low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float, raising unless it lies in the stated interval."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        fail(func, f"{name} must be a real number", f"{name}={value!r} ({type(value).__name__})", error=TypeError)
    v = float(value)
    lo_ok = v > low if low_open else v >= low
    hi_ok = v < high if high_open else v <= high
    if not (np.isfinite(v) and lo_ok and hi_ok):
        # An infinite bound is never attained: print it open whatever the flags say.
        left = "(" if low_open or math.isinf(low) else "["
        right = ")" if high_open or math.isinf(high) else "]"
        interval = f"{left}{low}, {high}{right}"
        fail(func, f"{name} must lie in {interval}", f"{name}={value!r}")
    return v


def check_indices(func: str, name: str, values: Sequence[Any], *, size: int, axis_name: str, length: int | None = None) -> tuple[int, ...]:
    """Validate a sequence of 0-based indices: integers, in range, distinct, optional exact length."""
    out: list[int] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            fail(func, f"{name} must contain integer indices", f"{name}={list(values)!r}", error=TypeError)
        out.append(int(v))
    if length is not None and len(out) != length:
        fail(func, f"{name} must have exactly {length} entries", f"{len(out)} entries: {name}={out}")
    bad = [v for v in out if not 0 <= v < size]
    if bad:
        fail(func, f"every index in {name} must lie in [0, {size - 1}] ({size} {axis_name})", f"{name}={out} (out of range: {bad})")
    if len(set(out)) != len(out):
        dup = sorted({v for v in out if out.count(v) > 1})
        fail(func, f"the indices in {name} must be distinct", f"{name}={out} (repeated: {dup})")
    return tuple(out)
