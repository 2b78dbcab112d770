"""Tests of the one validation module (metrics/_validation.py) and its message template.

Every branch of every helper is asserted on its exact text,
``"{func}: {rule}; got {value}. {fix}"``, and on its exception class
(TypeError for a wrong type or dtype, ValueError for a wrong value).
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pytest
import torch

from metrics._validation import (
    DegenerateInputError,
    DegenerateInputWarning,
    SaturationWarning,
    as_float_matrix,
    as_float_tensor,
    check_indices,
    check_positive_int,
    check_range,
    check_same_rows,
    fail,
    warn,
)


def raises_exactly(error: type[Exception], message: str) -> Any:
    """``pytest.raises`` that matches the whole message literally (not as a regex)."""
    return pytest.raises(error, match=f"^{re.escape(message)}$")


# ----------------------------------------------------------------------------- exception classes


def test_exception_hierarchy() -> None:
    assert issubclass(DegenerateInputError, ValueError)
    assert issubclass(DegenerateInputWarning, RuntimeWarning)
    assert issubclass(SaturationWarning, RuntimeWarning)


# ----------------------------------------------------------------------------- fail / warn


def test_fail_template_with_fix() -> None:
    with raises_exactly(ValueError, "f: x must be positive; got x=-1. Use abs(x)."):
        fail("f", "x must be positive", "x=-1", "Use abs(x).")


def test_fail_template_without_fix() -> None:
    with raises_exactly(ValueError, "f: x must be positive; got x=-1."):
        fail("f", "x must be positive", "x=-1")


@pytest.mark.parametrize("error", [TypeError, ValueError, DegenerateInputError])
def test_fail_raises_the_requested_class(error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        fail("f", "rule", "value", error=error)
    assert type(info.value) is error
    assert str(info.value) == "f: rule; got value."


def _measure_that_warns() -> None:
    warn("measure", "X should not be constant", "X.shape=(3, 2)", "Drop it.")


def test_warn_template_category_and_stacklevel() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _measure_that_warns()
    assert len(caught) == 1
    w = caught[0]
    assert w.category is DegenerateInputWarning
    assert str(w.message) == "measure: X should not be constant; got X.shape=(3, 2). Drop it."
    # stacklevel=3 attributes the warning to whoever called the measure: this file.
    assert w.filename == __file__


def test_warn_custom_category() -> None:
    with pytest.warns(SaturationWarning, match=r"^f: rule; got v\.$"):
        warn("f", "rule", "v", category=SaturationWarning)


# ----------------------------------------------------------------------------- as_float_matrix


@pytest.mark.parametrize(
    "value",
    [
        [[1, 2], [3, 4]],
        np.array([[1, 2], [3, 4]], dtype=np.int32),
        np.array([[1, 2], [3, 4]], dtype=np.uint8),
        np.array([[1, 2], [3, 4]], dtype=np.float32),
        torch.tensor([[1, 2], [3, 4]]),
    ],
    ids=["list-of-int", "int32", "uint8", "float32", "torch-int64"],
)
def test_as_float_matrix_converts_integers_and_floats(value: Any) -> None:
    out = as_float_matrix("f", "X", value)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1.0, 2.0], [3.0, 4.0]])


def test_as_float_matrix_converts_booleans() -> None:
    out = as_float_matrix("f", "X", np.array([[True, False], [False, True]]))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.eye(2))


def test_as_float_matrix_rejects_complex() -> None:
    with raises_exactly(
        TypeError, "f: X must be real-valued; got X.dtype=complex128. Pass the real part explicitly if that is what you mean."
    ):
        as_float_matrix("f", "X", np.ones((2, 2), dtype=complex))


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (np.array([[1, "a"]], dtype=object), "object"),
        (np.array([["a", "b"]]), "<U1"),
        (np.array([["2020-01-01"]], dtype="datetime64[D]"), "datetime64[D]"),
    ],
    ids=["object", "str", "datetime"],
)
def test_as_float_matrix_rejects_non_numeric(value: Any, dtype: str) -> None:
    with raises_exactly(TypeError, f"f: X must be a numeric (integer, boolean or floating) array; got X.dtype={dtype}."):
        as_float_matrix("f", "X", value)


def test_as_float_matrix_rejects_ragged_input() -> None:
    with pytest.raises(TypeError) as info:
        as_float_matrix("f", "X", [[1.0, 2.0], [3.0]])
    assert str(info.value).startswith("f: X must be array-like; got list (")


def test_as_float_matrix_1d_for_2d_suggests_reshape() -> None:
    with raises_exactly(ValueError, "f: X must be a 2-D matrix; got X.shape=(3,). Use X.reshape(-1, 1) for a single feature."):
        as_float_matrix("f", "X", np.ones(3))


def test_as_float_matrix_3d_for_2d() -> None:
    with raises_exactly(ValueError, "f: X must be a 2-D matrix; got X.shape=(1, 2, 3)."):
        as_float_matrix("f", "X", np.ones((1, 2, 3)))


def test_as_float_matrix_0d_for_2d() -> None:
    with raises_exactly(ValueError, "f: X must be a 2-D matrix; got X.shape=()."):
        as_float_matrix("f", "X", 1.0)


@pytest.mark.parametrize(
    ("ndim", "word"), [(1, "a 1-D vector"), (3, "a 3-D array")], ids=["vector", "3d"]
)
def test_as_float_matrix_other_ndim_words(ndim: int, word: str) -> None:
    with raises_exactly(ValueError, f"f: v must be {word}; got v.shape=(2, 2)."):
        as_float_matrix("f", "v", np.ones((2, 2)), ndim=ndim)


def test_as_float_matrix_ndim_1_accepts_vector() -> None:
    np.testing.assert_array_equal(as_float_matrix("f", "v", [1, 2, 3], ndim=1), [1.0, 2.0, 3.0])


def test_as_float_matrix_min_rows() -> None:
    with raises_exactly(ValueError, "f: X must have at least 2 rows; got X.shape=(1, 3)."):
        as_float_matrix("f", "X", np.ones((1, 3)), min_rows=2)


def test_as_float_matrix_min_cols() -> None:
    with raises_exactly(ValueError, "f: X must have at least 1 column; got X.shape=(3, 0)."):
        as_float_matrix("f", "X", np.ones((3, 0)))


def test_as_float_matrix_reports_first_nan_position_and_count() -> None:
    X = np.zeros((3, 4))
    X[2, 0] = np.inf
    X[1, 2] = np.nan
    with raises_exactly(ValueError, "f: X must contain only finite values; got X[1, 2]=nan (2 non-finite entries)."):
        as_float_matrix("f", "X", X)


@pytest.mark.parametrize(("bad", "text"), [(np.inf, "inf"), (-np.inf, "-inf")])
def test_as_float_matrix_reports_infinities(bad: float, text: str) -> None:
    X = np.zeros((2, 2))
    X[0, 1] = bad
    with raises_exactly(ValueError, f"f: X must contain only finite values; got X[0, 1]={text} (1 non-finite entry)."):
        as_float_matrix("f", "X", X)


def test_as_float_matrix_checks_dtype_before_shape() -> None:
    # A complex 1-D array is a dtype error (TypeError), not a shape error.
    with pytest.raises(TypeError, match="must be real-valued"):
        as_float_matrix("f", "X", np.ones(3, dtype=complex))


# ----------------------------------------------------------------------------- as_float_tensor


def test_as_float_tensor_rejects_non_tensor() -> None:
    with raises_exactly(TypeError, "f: X must be a torch.Tensor; got ndarray."):
        as_float_tensor("f", "X", np.ones((2, 2)))


def test_as_float_tensor_rejects_complex() -> None:
    with raises_exactly(TypeError, "f: X must be real-valued; got X.dtype=torch.complex128."):
        as_float_tensor("f", "X", torch.ones(2, 2, dtype=torch.complex128))


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.bool])
def test_as_float_tensor_converts_integers_and_booleans_to_float64(dtype: torch.dtype) -> None:
    out = as_float_tensor("f", "X", torch.ones(2, 2, dtype=dtype))
    assert out.dtype == torch.float64
    assert torch.equal(out, torch.ones(2, 2, dtype=torch.float64))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_as_float_tensor_keeps_floating_tensors(dtype: torch.dtype) -> None:
    t = torch.ones(2, 3, dtype=dtype)
    assert as_float_tensor("f", "X", t) is t


def test_as_float_tensor_min_ndim() -> None:
    with raises_exactly(ValueError, "f: X must have at least 2 dimensions; got X.shape=(3,)."):
        as_float_tensor("f", "X", torch.ones(3))
    assert as_float_tensor("f", "X", torch.ones(3), min_ndim=1).shape == (3,)


def test_as_float_tensor_nonfinite() -> None:
    t = torch.zeros(2, 3, dtype=torch.float64)
    t[0, 1] = math.nan
    t[1, 2] = -math.inf
    with raises_exactly(ValueError, "f: X must contain only finite values; got 2 non-finite entries in X."):
        as_float_tensor("f", "X", t)


# ----------------------------------------------------------------------------- check_same_rows


def test_check_same_rows() -> None:
    check_same_rows("f", ("X", "Y"), ((3, 2), (3, 5)))
    with raises_exactly(
        ValueError, "f: X and Y must have the same number of rows (samples); got X.shape=(3, 2) and Y.shape=(4, 2)."
    ):
        check_same_rows("f", ("X", "Y"), ((3, 2), (4, 2)))


def test_check_same_rows_custom_what() -> None:
    with raises_exactly(ValueError, "f: F and Fp must have the same number of inputs; got F.shape=(3, 2) and Fp.shape=(4, 2)."):
        check_same_rows("f", ("F", "Fp"), ((3, 2), (4, 2)), what="inputs")


# ----------------------------------------------------------------------------- check_positive_int


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.int32(2)])
def test_check_positive_int_accepts_integers(value: Any) -> None:
    out = check_positive_int("f", "n", value)
    assert out == int(value)
    assert type(out) is int


@pytest.mark.parametrize(
    ("value", "shown"),
    [(True, "n=True (bool)"), (False, "n=False (bool)"), (np.bool_(True), "n=np.True_ (bool)"),
     (2.0, "n=2.0 (float)"), ("3", "n='3' (str)"), (None, "n=None (NoneType)")],
    ids=["True", "False", "np.bool_", "float", "str", "None"],
)
def test_check_positive_int_rejects_non_integers(value: Any, shown: str) -> None:
    if isinstance(value, np.bool_):
        shown = f"n={value!r} ({type(value).__name__})"  # repr differs across numpy versions
    with raises_exactly(TypeError, f"f: n must be an integer; got {shown}."):
        check_positive_int("f", "n", value)


def test_check_positive_int_minimum() -> None:
    with raises_exactly(ValueError, "f: n must be >= 1; got n=0."):
        check_positive_int("f", "n", 0)
    assert check_positive_int("f", "seed", 0, minimum=0) == 0
    with raises_exactly(ValueError, "f: seed must be >= 0; got seed=-1."):
        check_positive_int("f", "seed", -1, minimum=0)
    with raises_exactly(ValueError, "f: K must be >= 2; got K=1."):
        check_positive_int("f", "K", 1, minimum=2)


# ----------------------------------------------------------------------------- check_range


@pytest.mark.parametrize("value", [0, 0.5, 1, np.float32(0.25), np.int64(1)])
def test_check_range_accepts_closed_interval(value: Any) -> None:
    out = check_range("f", "x", value, low=0.0, high=1.0)
    assert out == float(value)
    assert type(out) is float


@pytest.mark.parametrize(
    ("value", "shown"), [(True, "x=True (bool)"), ("0.5", "x='0.5' (str)"), (None, "x=None (NoneType)"), (1j, "x=1j (complex)")]
)
def test_check_range_rejects_non_reals(value: Any, shown: str) -> None:
    with raises_exactly(TypeError, f"f: x must be a real number; got {shown}."):
        check_range("f", "x", value, low=0.0, high=1.0)


@pytest.mark.parametrize(
    ("value", "low_open", "high_open", "interval"),
    [
        (-0.5, False, False, "[0.0, 1.0]"),
        (1.5, False, False, "[0.0, 1.0]"),
        (0.0, True, False, "(0.0, 1.0]"),
        (1.0, False, True, "[0.0, 1.0)"),
        (0, True, True, "(0.0, 1.0)"),
    ],
)
def test_check_range_bounds(value: Any, low_open: bool, high_open: bool, interval: str) -> None:
    with raises_exactly(ValueError, f"f: x must lie in {interval}; got x={value!r}."):
        check_range("f", "x", value, low=0.0, high=1.0, low_open=low_open, high_open=high_open)


def test_check_range_rejects_nan() -> None:
    with raises_exactly(ValueError, "f: x must lie in [0.0, 1.0]; got x=nan."):
        check_range("f", "x", math.nan, low=0.0, high=1.0)


def test_check_range_infinite_bounds_are_printed_open() -> None:
    # Non-finite values are always rejected, so an infinite bound must not print as closed.
    with raises_exactly(ValueError, "f: rho must lie in (0.0, inf); got rho=inf."):
        check_range("f", "rho", math.inf, low=0.0, high=math.inf, low_open=True)
    with raises_exactly(ValueError, "f: x must lie in (-inf, 0.0]; got x=-inf."):
        check_range("f", "x", -math.inf, low=-math.inf, high=0.0)
    assert check_range("f", "x", 1e308, low=0.0, high=math.inf) == 1e308


# ----------------------------------------------------------------------------- check_indices


def test_check_indices_accepts_and_converts() -> None:
    out = check_indices("f", "idx", [0, np.int64(4), np.int32(2)], size=5, axis_name="inputs")
    assert out == (0, 4, 2)
    assert all(type(i) is int for i in out)
    assert check_indices("f", "idx", list(np.array([1, 3])), size=5, axis_name="inputs", length=2) == (1, 3)
    assert check_indices("f", "idx", [], size=5, axis_name="inputs") == ()


@pytest.mark.parametrize(
    ("values", "shown"),
    [([0, True], "[0, True]"), ([0, 1.0], "[0, 1.0]"), (["0"], "['0']"), ([None], "[None]")],
    ids=["bool", "float", "str", "None"],
)
def test_check_indices_type(values: list[Any], shown: str) -> None:
    with raises_exactly(TypeError, f"f: idx must contain integer indices; got idx={shown}."):
        check_indices("f", "idx", values, size=5, axis_name="inputs")


def test_check_indices_length() -> None:
    with raises_exactly(ValueError, "f: idx must have exactly 3 entries; got 2 entries: idx=[0, 1]."):
        check_indices("f", "idx", [0, 1], size=5, axis_name="inputs", length=3)


def test_check_indices_range() -> None:
    with raises_exactly(
        ValueError, "f: every index in idx must lie in [0, 4] (5 inputs); got idx=[0, 5, -1] (out of range: [5, -1])."
    ):
        check_indices("f", "idx", [0, 5, -1], size=5, axis_name="inputs")


def test_check_indices_duplicates() -> None:
    with raises_exactly(ValueError, "f: the indices in idx must be distinct; got idx=[1, 2, 1, 2, 0] (repeated: [1, 2])."):
        check_indices("f", "idx", [1, 2, 1, 2, 0], size=5, axis_name="labels")


def test_check_indices_order_of_checks() -> None:
    # type, then length, then range, then duplicates
    with pytest.raises(TypeError):
        check_indices("f", "idx", [9, 9, 1.5], size=5, axis_name="inputs", length=2)
    with pytest.raises(ValueError, match="exactly 2 entries"):
        check_indices("f", "idx", [9, 9, 9], size=5, axis_name="inputs", length=2)
    with pytest.raises(ValueError, match="out of range"):
        check_indices("f", "idx", [9, 9], size=5, axis_name="inputs", length=2)
