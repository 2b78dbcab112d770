"""Tests of the ``simaudit`` command line (metrics/cli.py).

Everything runs in-process through :func:`metrics.cli.main` (fast), except one
real call of the installed console script that proves the entry point and its
exit code. Every user error must give exit code 2 and exactly one stderr line
``simaudit <command>: error: ...`` naming the parameter and the value, never a
traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from metrics._validation import DegenerateInputError
from metrics.cli import main
from metrics.registry import REGISTRY, names

#: The JSON contract of ``simaudit model-distance --format json``.
MODEL_DISTANCE_KEYS = {
    "kl", "kl_reverse", "js", "tv", "hellinger", "chi2", "logit", "llv",
    "d_svd_f", "d_svd_g", "d_fg", "bound", "mcca", "d_rep",
}  # fmt: skip
LLV_KEYS = {"value", "t1", "t2", "t3", "t4", "lam", "label_pivot", "left_out", "input_set"}
#: Every distance of the contract (all but the score mcca), as paths into the JSON.
DISTANCES = [("kl",), ("kl_reverse",), ("js",), ("tv",), ("hellinger",), ("chi2",), ("logit",), ("llv", "value"),
             ("d_svd_f",), ("d_svd_g",), ("d_fg",), ("bound",), ("d_rep",)]  # fmt: skip


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIMAUDIT_DEBUG re-raises errors with a traceback; these tests check the user-facing path."""
    monkeypatch.delenv("SIMAUDIT_DEBUG", raising=False)


def run(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> tuple[int, str, str]:
    """``main(argv)`` in-process: (exit code, stdout, stderr). argparse errors exit via SystemExit."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def run_ok(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> str:
    code, out, err = run(capsys, argv)
    assert code == 0, err
    assert err == ""
    return out


def run_json(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> Any:
    return json.loads(run_ok(capsys, [*argv, "--format", "json"]))


def run_error(capsys: pytest.CaptureFixture[str], argv: Sequence[str], *needles: str) -> str:
    """Run a failing command: exit 2, one stderr line in the house form containing every needle."""
    command = argv[0]
    code, out, err = run(capsys, argv)
    assert code == 2, (code, out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got:\n{err}"
    line = lines[0]
    assert line.startswith(f"simaudit {command}: error: "), line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    assert out == ""
    return line


def _savez(path: Path, **arrays: Any) -> str:
    with path.open("wb") as fh:  # a file object: np.savez does not append ".npz"
        np.savez(fh, **arrays)
    return str(path)


def _save(path: Path, array: Any, allow_pickle: bool = False) -> str:
    with path.open("wb") as fh:
        np.save(fh, array, allow_pickle=allow_pickle)
    return str(path)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def identifiability_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("identifiability")
    assert main(["construct", "identifiability", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def klv_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Theorem 3.1's reference instance at its published size (rho=3, per_label=500)."""
    out = tmp_path_factory.mktemp("klv")
    assert main(["construct", "kl-vanishing", "--out", str(out), "--set", "rho=3", "--set", "per_label=500"]) == 0
    return out


@pytest.fixture(scope="module")
def small_klv_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("klv_small")
    assert main(["construct", "kl-vanishing", "--out", str(out), "--set", "per_label=5"]) == 0
    return out


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A small valid model (N=20, K=5, M=2) saved as good.npz, and its arrays."""
    d = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(0)
    F, G = rng.standard_normal((20, 2)), rng.standard_normal((5, 2))
    return {"dir": d, "F": F, "G": G, "good": _savez(d / "good.npz", F=F, G=G)}


@pytest.fixture(scope="module")
def reps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("reps")
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((30, 4)), rng.standard_normal((30, 3))
    return {"dir": d, "X": X, "Y": Y, "x": _save(d / "x.npy", X), "y": _save(d / "y.npy", Y)}


# ----------------------------------------------------------------------------- list


def test_list_table(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, ["list"])
    header = out.splitlines()[0].split()
    assert header[:3] == ["name", "kind", "compares"]
    for name in names():
        assert any(line.split()[0] == name for line in out.splitlines()[2:])


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(capsys, ["list"])
    assert [r["name"] for r in rows] == names()
    for row in rows:
        spec = REGISTRY[row["name"]]
        assert row["kind"] == spec.kind and row["compares"] == spec.compares
        assert {k: row[k] for k in spec.invariances.as_dict()} == spec.invariances.as_dict()
        assert {k: row[k] for k in spec.axioms.as_dict()} == spec.axioms.as_dict()


def test_list_csv(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, ["list", "--format", "csv"])
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][0] == "name"
    assert "translation" in rows[0] and "identifiability" in rows[0]
    assert [r[0] for r in rows[1:]] == names()
    assert all(len(r) == len(rows[0]) for r in rows)


def test_list_md(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, ["list", "--format", "md"])
    lines = out.splitlines()
    assert lines[0].startswith("| name |")
    assert lines[1].startswith("|---")
    assert len(lines) == 2 + len(names())
    # "|" inside a cell is escaped, so every row has as many cells as the header
    assert all(line.replace("\\|", "").count("|") == lines[0].count("|") for line in lines[2:])


def test_list_compares_filter(capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(capsys, ["list", "--compares", "representations"])
    assert [r["name"] for r in rows] == names("representations")


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, [])
    assert code == 2
    assert "usage: simaudit" in out


# ----------------------------------------------------------------------------- construct


def test_construct_list(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, ["construct", "--list"])
    assert "kl-vanishing" in out and "identifiability" in out
    assert "rho=3.0, per_label=500, seed=0" in out
    rows = run_json(capsys, ["construct", "--list"])
    from constructions.catalogue import CONSTRUCTIONS

    assert [r["name"] for r in rows] == list(CONSTRUCTIONS)
    assert rows[:2] == [r for r in rows if r["name"] in ("kl-vanishing", "identifiability")]


def test_construct_kl_vanishing_writes_three_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "klv"
    stdout = run_ok(capsys, ["construct", "kl-vanishing", "--out", str(out), "--set", "per_label=3", "--set", "seed=7"])
    assert stdout.strip() == f"wrote {out / 'construction.json'}"
    assert sorted(p.name for p in out.iterdir()) == ["construction.json", "p.npz", "q.npz"]
    meta = json.loads((out / "construction.json").read_text())
    assert meta["name"] == "kl-vanishing"
    assert meta["parameters"] == {"rho": 3.0, "per_label": 3, "seed": 7}
    assert meta["files"] == ["p.npz", "q.npz"]
    assert meta["description"]
    assert "0.887" in meta["claim"] and "1.318" in meta["claim"]
    with np.load(out / "p.npz") as p, np.load(out / "q.npz") as q:
        assert p["F"].shape == q["F"].shape == (21, 2)
        assert p["G"].shape == q["G"].shape == (7, 2)


def test_construct_identifiability_writes_three_files(identifiability_dir: Path) -> None:
    assert sorted(p.name for p in identifiability_dir.iterdir()) == ["construction.json", "p.npz", "q.npz"]
    meta = json.loads((identifiability_dir / "construction.json").read_text())
    assert meta["name"] == "identifiability"
    assert meta["parameters"] == {"N": 200, "K": 10, "M": 3, "cond": 1000.0, "seed": 0}
    assert "every distribution distance" in meta["claim"]
    with np.load(identifiability_dir / "p.npz") as p:
        assert p["F"].shape == (200, 3) and p["G"].shape == (10, 3)


def test_construct_seed_reaches_the_generator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def build(folder: str, seed: int) -> np.ndarray:
        run_ok(capsys, ["construct", "identifiability", "--out", str(tmp_path / folder), "--set", "N=8", "--set", f"seed={seed}"])
        with np.load(tmp_path / folder / "q.npz") as q:
            return np.asarray(q["F"])

    a, b, c = build("a", 1), build("b", 1), build("c", 2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_construct_set_accepts_dashes_and_types(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_ok(capsys, ["construct", "kl-vanishing", "--out", str(tmp_path), "--set", "per-label=2", "--set", "rho=10"])
    meta = json.loads((tmp_path / "construction.json").read_text())
    assert meta["parameters"] == {"rho": 10.0, "per_label": 2, "seed": 0}


# ----------------------------------------------------------------------------- model-distance


def _model_distance(capsys: pytest.CaptureFixture[str], folder: Path, *extra: str) -> dict[str, Any]:
    out: dict[str, Any] = run_json(
        capsys, ["model-distance", str(folder / "p.npz"), str(folder / "q.npz"), "--device", "cpu", *extra]
    )
    assert set(out) == MODEL_DISTANCE_KEYS
    assert set(out["llv"]) == LLV_KEYS
    return out


def _get(out: dict[str, Any], path: tuple[str, ...]) -> float:
    value: Any = out
    for key in path:
        value = value[key]
    return float(value)


def test_model_distance_identifiability_is_zero(identifiability_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _model_distance(capsys, identifiability_dir)
    for path in DISTANCES:
        assert abs(_get(out, path)) < 1e-6, (path, _get(out, path))
    assert abs(1.0 - out["mcca"]) < 1e-6


def test_model_distance_kl_vanishing_reference_values(klv_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _model_distance(capsys, klv_dir)
    assert out["kl"] == pytest.approx(0.887, abs=0.01)
    assert out["llv"]["value"] == pytest.approx(1.318, abs=0.01)
    assert out["mcca"] < 0.01
    assert out["d_svd_f"] > 0.99
    # choices are 0-based indices: K = 7 labels, N = 3500 inputs, M + 1 = 3 inputs in the set
    llv = out["llv"]
    assert 0 <= llv["label_pivot"] < 7 and 0 <= llv["left_out"] < 7 and llv["label_pivot"] != llv["left_out"]
    assert len(llv["input_set"]) == 3 and all(0 <= i < 3500 for i in llv["input_set"])
    assert llv["lam"] == 1e-5
    assert out["bound"] == pytest.approx(2 * 2 * llv["value"])


def test_model_distance_echoes_explicit_choices(small_klv_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _model_distance(
        capsys, small_klv_dir, "--label-pivot", "1", "--left-out", "4", "--input-set", "0,5,9", "--lam", "0.5"
    )
    assert out["llv"]["label_pivot"] == 1
    assert out["llv"]["left_out"] == 4
    assert out["llv"]["input_set"] == [0, 5, 9]
    assert out["llv"]["lam"] == 0.5


def test_model_distance_uses_index_zero(small_klv_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _model_distance(capsys, small_klv_dir, "--label-pivot", "0", "--left-out", "6", "--input-set", "34,0,1")
    assert (out["llv"]["label_pivot"], out["llv"]["left_out"], out["llv"]["input_set"]) == (0, 6, [34, 0, 1])


def test_model_distance_seed_is_deterministic(small_klv_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _model_distance(capsys, small_klv_dir, "--seed", "0")
    b = _model_distance(capsys, small_klv_dir, "--seed", "0")
    assert a == b
    c = _model_distance(capsys, small_klv_dir, "--seed", "3")
    assert c["kl"] == a["kl"]  # the seed only drives the searches (input set, label subsets, d_rep samples)


def test_model_distance_table(small_klv_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, ["model-distance", str(small_klv_dir / "p.npz"), str(small_klv_dir / "q.npz"), "--device", "cpu"])
    lines = out.splitlines()
    assert lines[0].split() == ["quantity", "value"]
    first_words = {line.split()[0] for line in lines[2:] if line.strip()}
    for key in ("kl", "kl_reverse", "js", "tv", "hellinger", "chi2", "logit", "llv", "llv.t1", "d_svd_f", "d_fg", "mcca", "d_rep"):
        assert key in first_words, key
    assert "label pivot y0=" in out and "N=35, K=7, M=2, device=cpu" in out
    assert "Thm 4.6 bound d_fg <= 2 M d_LLV:" in out


def test_model_distance_accepts_integer_arrays(models: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(5)
    d = models["dir"]
    p = _savez(d / "int_p.npz", F=rng.integers(-3, 4, (20, 2)), G=rng.integers(-3, 4, (5, 2)))
    q = _savez(d / "int_q.npz", F=rng.integers(-3, 4, (20, 2)).astype(np.int32), G=rng.integers(-3, 4, (5, 2)))
    out = run_json(capsys, ["model-distance", p, q, "--device", "cpu"])
    assert set(out) == MODEL_DISTANCE_KEYS
    assert all(np.isfinite(_get(out, path)) for path in DISTANCES)


# ----------------------------------------------------------------------------- compare


def test_compare_default_metrics_json(reps: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["compare", reps["x"], reps["y"]])
    assert list(out) == names("representations")
    for name, value in out.items():
        assert value == pytest.approx(float(REGISTRY[name].numpy_fn(reps["X"], reps["Y"])), rel=1e-12)


def test_compare_selected_metrics(reps: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["compare", reps["x"], reps["y"], "--metric", "cka_linear", "--metric", "procrustes"])
    assert list(out) == ["cka_linear", "procrustes"]


def test_compare_table(reps: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, ["compare", reps["x"], reps["y"]])
    lines = out.splitlines()
    assert lines[0].split() == ["metric", "kind", "value"]
    assert [line.split()[0] for line in lines[2:]] == names("representations")


def test_compare_identical_inputs(reps: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["compare", reps["x"], reps["x"]])
    assert out["mcca"] == pytest.approx(1.0) and out["cka_linear"] == pytest.approx(1.0)
    assert out["procrustes"] == pytest.approx(0.0, abs=1e-6)


def test_compare_accepts_integer_arrays(reps: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(2)
    x = _save(reps["dir"] / "xint.npy", rng.integers(0, 5, (30, 4)))
    out = run_json(capsys, ["compare", x, reps["y"]])
    assert list(out) == names("representations")


# ============================================================================= bad input


# ---- model-distance: array contents


@pytest.mark.parametrize(
    ("which", "bad", "needle"),
    [("F", np.nan, "F[3, 1]=nan"), ("G", np.inf, "G[3, 1]=inf"), ("F", -np.inf, "F[3, 1]=-inf")],
    ids=["nan-in-F", "inf-in-G", "neg-inf-in-F"],
)
@pytest.mark.parametrize("side", ["P", "Q"])
def test_md_non_finite(models: dict[str, Any], capsys: pytest.CaptureFixture[str], which: str, bad: float, needle: str, side: str) -> None:
    arrays = {"F": models["F"].copy(), "G": models["G"].copy()}
    arrays[which][3, 1] = bad
    path = _savez(models["dir"] / f"bad_{which}_{side}.npz", **arrays)
    argv = ["model-distance", path, models["good"]] if side == "P" else ["model-distance", models["good"], path]
    run_error(capsys, argv, f"{which} must contain only finite values", needle, Path(path).name)


@pytest.mark.parametrize(
    ("arrays", "needles"),
    [
        (lambda F, G: {"F": F[:, 0], "G": G}, ("F must be a 2-D matrix", "F.shape=(20,)", "reshape")),
        (lambda F, G: {"F": F[None], "G": G}, ("F must be a 2-D matrix", "F.shape=(1, 20, 2)")),
        (lambda F, G: {"F": F, "G": G[:, 0]}, ("G must be a 2-D matrix", "G.shape=(5,)")),
        (lambda F, G: {"F": F, "G": G[None]}, ("G must be a 2-D matrix", "G.shape=(1, 5, 2)")),
    ],
    ids=["F-1d", "F-3d", "G-1d", "G-3d"],
)
def test_md_wrong_ndim(models: dict[str, Any], capsys: pytest.CaptureFixture[str], arrays: Any, needles: tuple[str, ...]) -> None:
    path = _savez(models["dir"] / "ndim.npz", **arrays(models["F"], models["G"]))
    run_error(capsys, ["model-distance", path, models["good"]], *needles)


@pytest.mark.parametrize(
    ("shapes", "needle"),
    [(((10, 2), (5, 2)), "F(10, 2), G(5, 2)"), (((20, 2), (4, 2)), "F(20, 2), G(4, 2)"), (((20, 3), (5, 3)), "F(20, 3), G(5, 3)")],
    ids=["N", "K", "M"],
)
def test_md_mismatched_models(models: dict[str, Any], capsys: pytest.CaptureFixture[str], shapes: Any, needle: str) -> None:
    rng = np.random.default_rng(3)
    (fs, gs) = shapes
    path = _savez(models["dir"] / "mismatch.npz", F=rng.standard_normal(fs), G=rng.standard_normal(gs))
    run_error(capsys, ["model-distance", models["good"], path], "P and Q must have the same N, K and M",
              "P: F(20, 2), G(5, 2)", f"Q: {needle}")


def test_md_f_and_g_disagree_on_m(models: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = _savez(models["dir"] / "fg_m.npz", F=models["F"], G=np.ones((5, 3)))
    run_error(capsys, ["model-distance", path, models["good"]],
              "F and G must have the same number of columns", "F.shape=(20, 2) and G.shape=(5, 3)")


def test_md_too_few_labels(models: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = _savez(models["dir"] / "k_small.npz", F=models["F"], G=models["G"][:2])
    run_error(capsys, ["model-distance", path, path], "K >= M + 1", "K=2, M=2")


def test_md_complex_rejected(models: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = _savez(models["dir"] / "complex.npz", F=models["F"] + 1j, G=models["G"])
    run_error(capsys, ["model-distance", path, models["good"]], "F must be real-valued", "F.dtype=complex128")


def test_md_object_rejected(models: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = _savez(models["dir"] / "object.npz", F=np.array([[1.0, "a"]], dtype=object), G=models["G"])
    run_error(capsys, ["model-distance", path, models["good"]], "object.npz", "pickled")


def test_md_constant_log_odds_with_explicit_pivots(models: dict[str, Any], capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    G = models["G"].copy()
    G[2] = G[0]  # log p(y2|x) - log p(y0|x) = (g2 - g0) . f(x) = 0 for every x
    path = _savez(models["dir"] / "const.npz", F=models["F"], G=G)
    argv = ["model-distance", path, models["good"], "--label-pivot", "0", "--left-out", "1"]
    run_error(capsys, argv, "sigma", "model p", "label(s) [2]", "pivot 0", "constant log-odds")
    # the error behind the message is DegenerateInputError (SIMAUDIT_DEBUG re-raises it)
    monkeypatch.setenv("SIMAUDIT_DEBUG", "1")
    with pytest.raises(DegenerateInputError):
        main(argv)


def test_md_constant_log_odds_without_pivots_is_searched_around(models: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    G = models["G"].copy()
    G[2] = G[0]
    path = _savez(models["dir"] / "const2.npz", F=models["F"], G=G)
    out = run_json(capsys, ["model-distance", path, models["good"], "--device", "cpu"])
    llv = out["llv"]
    # labels 0 and 2 have constant log-odds against each other: the search never pairs the
    # pivot 0 (or 2) with the other one as a term, so it is left out or neither is the pivot
    if llv["label_pivot"] in (0, 2):
        assert llv["left_out"] == 2 - llv["label_pivot"]
    assert all(np.isfinite(_get(out, path)) for path in DISTANCES)


# ---- model-distance: choices


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (["--input-set", "0,1,99"], ("input_set", "[0, 1, 99]", "out of range: [99]", "[0, 19]")),
        (["--input-set", "0,-1,2"], ("input_set", "out of range: [-1]")),
        (["--input-set", "0,1,1"], ("input_set", "[0, 1, 1]", "repeated: [1]")),
        (["--input-set", "0,1"], ("input_set", "exactly 3 entries", "[0, 1]")),
        (["--input-set", "0,x"], ("--input-set", "'0,x'")),
        (["--label-pivot", "2", "--left-out", "2"], ("label_pivot and left_out must be different", "label_pivot=2, left_out=2")),
        (["--label-pivot", "5"], ("label_pivot", "[5]", "[0, 4]")),
        (["--left-out", "-1"], ("left_out", "[-1]", "[0, 4]")),
        (["--num-samples", "0"], ("num_samples", "num_samples=0")),
        (["--seed", "-1"], ("--seed", "'-1'")),
        (["--lam", "-1"], ("lam", "lam=-1.0")),
        (["--format", "xml"], ("--format", "'xml'")),
    ],
    ids=["input-out-of-range", "input-negative", "input-repeated", "input-length", "input-not-int", "pivot-eq-left-out",
         "pivot-out-of-range", "left-out-negative", "num-samples-0", "seed-negative", "lam-negative", "bad-format"],
)
def test_md_bad_choices(models: dict[str, Any], capsys: pytest.CaptureFixture[str], extra: list[str], needles: tuple[str, ...]) -> None:
    run_error(capsys, ["model-distance", models["good"], models["good"], "--device", "cpu", *extra], *needles)


def test_md_cuda_without_cuda(models: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    run_error(capsys, ["model-distance", models["good"], models["good"], "--device", "cuda"],
              "--device", "'cuda'", "torch.cuda.is_available() is False", "--device cpu")


# ---- model-distance: files


@pytest.mark.parametrize(("present", "missing"), [({"F"}, "['G']"), ({"G"}, "['F']"), ({"A"}, "['F', 'G']")])
def test_md_npz_missing_arrays(models: dict[str, Any], capsys: pytest.CaptureFixture[str], present: set[str], missing: str) -> None:
    arrays = {k: models.get(k, np.ones((2, 2))) for k in present}
    path = _savez(models["dir"] / "missing.npz", **arrays)
    run_error(capsys, ["model-distance", path, models["good"]], "'F'", "'G'", "missing.npz", f"missing {missing}", "np.savez")


def test_md_nonexistent_file(models: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(models["dir"] / "nope.npz")
    run_error(capsys, ["model-distance", models["good"], missing], "nope.npz", "no such file")


def test_md_folder_instead_of_file(models: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    run_error(capsys, ["model-distance", str(models["dir"]), models["good"]], str(models["dir"]), "no such file")


@pytest.mark.parametrize("kind", ["text", "npy", "empty"])
def test_md_non_npz_file(models: dict[str, Any], capsys: pytest.CaptureFixture[str], kind: str) -> None:
    path = models["dir"] / f"not_npz_{kind}.npz"
    if kind == "text":
        path.write_text("F,G\n1,2\n")
    elif kind == "npy":
        _save(path, models["F"])
    else:
        path.write_bytes(b"")
    run_error(capsys, ["model-distance", str(path), models["good"]], "P: SoftmaxModel.load: path must be an .npz archive", path.name, "np.savez")


# ---- compare


@pytest.mark.parametrize(
    ("make", "needles"),
    [
        (lambda X: X[:, 0], ("X must be a 2-D matrix", "X.shape=(30,)", "X.reshape(-1, 1)")),
        (lambda X: X[None], ("X must be a 2-D matrix", "X.shape=(1, 30, 4)")),
        (lambda X: X[:20], ("X and Y must have the same number of rows", "X.shape=(20, 4) and Y.shape=(30, 3)")),
        (lambda X: np.where(np.arange(4) == 2, np.nan, X), ("X must contain only finite values", "X[0, 2]=nan")),
        (lambda X: X.astype(complex), ("X must be real-valued", "X.dtype=complex128")),
    ],
    ids=["1d", "3d", "rows", "nan", "complex"],
)
def test_compare_bad_arrays(reps: dict[str, Any], capsys: pytest.CaptureFixture[str], make: Any, needles: tuple[str, ...]) -> None:
    x = _save(reps["dir"] / "bad_x.npy", make(reps["X"]))
    run_error(capsys, ["compare", x, reps["y"]], *needles)


def test_compare_object_array(reps: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    y = _save(reps["dir"] / "object.npy", np.array([[1, "a"]], dtype=object), allow_pickle=True)
    run_error(capsys, ["compare", reps["x"], y], "Y must be a .npy array file", "object.npy", "pickle")


def test_compare_nonexistent_file(reps: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    run_error(capsys, ["compare", reps["x"], str(reps["dir"] / "nope.npy")], "Y must be an existing .npy file", "nope.npy")


@pytest.mark.parametrize("kind", ["text", "npz", "empty"])
def test_compare_non_npy_file(reps: dict[str, Any], capsys: pytest.CaptureFixture[str], kind: str) -> None:
    path = reps["dir"] / f"not_npy_{kind}.npy"
    if kind == "text":
        path.write_text("1,2,3\n")
    elif kind == "npz":
        _savez(path, X=reps["X"])
    else:
        path.write_bytes(b"")
    run_error(capsys, ["compare", str(path), reps["y"]], "X must be a .npy array file", path.name)


@pytest.mark.parametrize(("typo", "suggestion"), [("cka", "'cka_linear'"), ("procrustes_distance", "'procrustes'"), ("mca", "'mcca'")])
def test_compare_unknown_metric_suggests(reps: dict[str, Any], capsys: pytest.CaptureFixture[str], typo: str, suggestion: str) -> None:
    line = run_error(capsys, ["compare", reps["x"], reps["y"], "--metric", typo], "--metric", repr(typo), "Did you mean")
    assert suggestion in line.split("Did you mean", 1)[1]


def test_compare_model_measure_rejected(reps: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    run_error(capsys, ["compare", reps["x"], reps["y"], "--metric", "kl"], "--metric", "'kl'", "simaudit model-distance")


def test_compare_missing_argument(reps: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    run_error(capsys, ["compare", reps["x"]], "Y.npy")


# ---- construct


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["kl-vanishng"], ("NAME must be a known construction", "'kl-vanishng'", "Did you mean 'kl-vanishing'")),
        (["nothing-like-it"], ("NAME must be a known construction", "'nothing-like-it'", "simaudit construct --list")),
        (["kl-vanishing", "--set", "rhoo=2"], ("--set key", "'rhoo'", "Valid keys: rho, per_label, seed")),
        (["kl-vanishing", "--set", "rho=abc"], ("--set rho must be a number", "'abc'")),
        (["kl-vanishing", "--set", "per_label=2.5"], ("--set per_label must be an integer", "'2.5'")),
        (["identifiability", "--set", "seed=one"], ("--set seed must be an integer", "'one'")),
        (["kl-vanishing", "--set", "rho"], ("--set takes key=value", "'rho'")),
        (["kl-vanishing", "--set", "rho=-1"], ("rho must lie in (0.0, inf", "rho=-1.0")),
        (["kl-vanishing", "--set", "rho=inf"], ("rho must lie in (0.0, inf", "rho=inf")),
        (["kl-vanishing", "--set", "per_label=0"], ("per_label must be >= 1", "per_label=0")),
        (["identifiability", "--set", "K=3", "--set", "M=3"], ("K >= M + 1", "K=3, M=3")),
        (["identifiability", "--set", "cond=0.5"], ("cond must lie in [1.0, inf", "cond=0.5")),
    ],
    ids=["typo", "unknown", "unknown-key", "rho-not-number", "per-label-float", "seed-word", "no-equals", "rho-negative",
         "rho-inf", "per-label-0", "k-too-small", "cond-below-1"],
)
def test_construct_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needles: tuple[str, ...]) -> None:
    out = tmp_path / "out"
    run_error(capsys, ["construct", *argv, "--out", str(out)], *needles)
    assert not out.exists(), "a failed construct must not leave a folder behind"


def test_construct_without_out(capsys: pytest.CaptureFixture[str]) -> None:
    run_error(capsys, ["construct", "kl-vanishing"], "--out", "got nothing")


def test_construct_out_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_text("")
    run_error(capsys, ["construct", "identifiability", "--out", str(target)], "--out must name a folder", repr(str(target)))


def test_construct_out_below_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_text("")
    run_error(capsys, ["construct", "identifiability", "--out", str(target / "sub")], str(target / "sub"))


# ----------------------------------------------------------------------------- the real console script


def test_console_script_entry_point(tmp_path: Path) -> None:
    """One real process: the installed ``simaudit`` script runs main and propagates its exit code."""
    script = shutil.which("simaudit") or str(Path(sys.executable).with_name("simaudit"))
    if not Path(script).exists():
        pytest.skip("the simaudit console script is not installed (pip install -e .)")
    proc = subprocess.run(
        [script, "construct", "kl-vanishng", "--out", str(tmp_path / "x")],
        check=False, capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if k != "SIMAUDIT_DEBUG"},
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(
        "simaudit construct: error: construct: NAME must be a known construction; got 'kl-vanishng'. Did you mean 'kl-vanishing'"
    )
