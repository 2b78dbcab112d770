"""The benchmark harness: floor, cost models, runner, exponent fit, speed baselines and `simaudit bench`.

No absolute time is asserted (machines are noisy): only relations that hold on any
machine, and ratios computed within one run.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from benchmarks import runner, speed
from benchmarks.costs import Cost, cost, size_names, working_set_bytes
from benchmarks.floor import Floor, floor_seconds, measure_floor
from benchmarks.runner import COLUMNS, Grid, fit_exponent, run_bench, summarise
from metrics.cli import main
from metrics.registry import names

#: A fixed floor for runs whose floor is not under test (measuring one takes seconds).
FAKE = Floor(gflops=10.0, gbps=5.0, device="cpu", dtype="float64", threads=1, impl="numpy", gemm_size=1, copy_bytes=1)
TINY = Grid("tiny", ((60, 4, 4), (120, 4, 4)), ((40, 12, 3),), time_limit=30.0, repeats=1)


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fake_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs started from the CLI use FAKE instead of measuring the machine."""
    monkeypatch.setattr(runner, "measure_floor", lambda **kwargs: FAKE)


@pytest.fixture
def baseline_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "speed"
    monkeypatch.setattr(speed, "BASELINE_ROOT", root)
    return root


# ----------------------------------------------------------------------------- floor


@pytest.mark.parametrize("impl", ["numpy", "torch"])
def test_floor_is_positive_and_finite(impl: str) -> None:
    f = measure_floor(impl=impl, gemm_size=128, copy_bytes=2**22, repeats=2)  # type: ignore[arg-type]
    assert math.isfinite(f.gflops) and f.gflops > 0
    assert math.isfinite(f.gbps) and f.gbps > 0
    assert (f.device, f.dtype, f.impl, f.gemm_size, f.copy_bytes) == ("cpu", "float64", impl, 128, 2**22)
    assert f.threads >= 1 and f.device_name


def test_floor_seconds_is_the_slower_of_compute_and_bandwidth() -> None:
    assert floor_seconds(1e10, 0.0, FAKE) == pytest.approx(1.0)
    assert floor_seconds(0.0, 1e10, FAKE) == pytest.approx(2.0)
    assert floor_seconds(1e10, 1e10, FAKE) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="floor_seconds: floor rates must be positive"):
        floor_seconds(1.0, 1.0, Floor(gflops=0.0, gbps=1.0, device="cpu", dtype="float64", threads=1))


def test_floor_rejects_numpy_on_cuda_and_unknown_dtype() -> None:
    with pytest.raises(ValueError, match="measure_floor: numpy runs on the CPU only; got device='cuda'"):
        measure_floor(impl="numpy", device="cuda")
    with pytest.raises(ValueError, match="measure_floor: dtype must be 'float64' or 'float32'; got 'float16'"):
        measure_floor(dtype="float16")


# ----------------------------------------------------------------------------- costs


@pytest.mark.parametrize("name", names())
def test_every_registry_measure_has_a_cost(name: str) -> None:
    sizes = (1000, 100, 16) if name in names("models") else (1000, 32, 24)
    c = cost(name, *sizes)
    assert isinstance(c, Cost)
    assert math.isfinite(c.flops) and c.flops > 0
    assert c.bytes >= 8 * (sizes[0] * (sizes[1] + sizes[2]) if name in names("representations") else 2 * (sizes[0] + sizes[1]) * sizes[2])
    assert c.cls.startswith("O(")
    assert cost(name, *sizes, itemsize=4).bytes == c.bytes / 2
    assert working_set_bytes(name, *sizes) > 0
    assert size_names(name) == (("N", "K", "M") if name in names("models") else ("n", "p", "q"))


def test_costs_scale_as_stated() -> None:
    n, p, q = 1000, 20, 30
    # Linear CKA on the feature route: 2 n p q + n p^2 + n q^2 (+ centring), linear in n.
    assert cost("cka_linear", 2 * n, p, q).flops == 2 * cost("cka_linear", n, p, q).flops
    assert cost("cka_linear", n, p, q).flops == 2 * n * p * q + n * p * p + n * q * q + 3 * n * (p + q)
    # Once p >= n the Gram route (n^2 (p + q)) is cheaper and is the one counted.
    assert cost("cka_linear", 50, 400, 400).flops < 2 * 50 * 400 * 400
    # CCA: two QRs (2 n p^2 - 2 p^3 / 3 each), the cross product and small terms: linear in n up to the p^3 terms.
    r = cost("cca_r2", 2 * n, p, q).flops / cost("cca_r2", n, p, q).flops
    assert 1.9 < r <= 2.0
    # RSA and the kNN measures are O(n^2 (p + q)).
    for name in ("rsa_correlation_spearman", "mutual_knn", "cka_rbf"):
        assert 3.9 < cost(name, 2 * n, p, q).flops / cost(name, n, p, q).flops <= 4.0
    # Model distances: the logits GEMMs 2 N K M per model (and one exp per logit), linear in N.
    assert cost("kl", 2000, 500, 16).flops == 2 * cost("kl", 1000, 500, 16).flops
    assert cost("kl", 1000, 500, 16).flops == 2 * 2 * 1000 * 500 * 16 + 2 * 1000 * 500
    # d_LLV's exhaustive pivot search makes it quadratic in K at large K.
    assert 3.5 < cost("llv", 1000, 40000, 16).flops / cost("llv", 1000, 20000, 16).flops <= 4.0
    # The logit distance needs no logits: O((N + K) M^2).
    assert cost("logit", 1000, 50000, 16).flops < cost("kl", 1000, 50000, 16).flops


def test_cost_errors() -> None:
    with pytest.raises(KeyError, match="cost: name must be a registered measure; got 'cka_linaer'. Did you mean 'cka_linear'"):
        cost("cka_linaer", 10, 2, 2)
    with pytest.raises(ValueError, match="cost: p must be a positive integer; got p=0"):
        cost("cka_linear", 10, 0, 2)


# ----------------------------------------------------------------------------- exponents


def test_fit_exponent_recovers_known_exponents() -> None:
    n = np.array([1000, 3000, 10000, 30000])
    assert fit_exponent(n, 2e-9 * n**2.5) == pytest.approx(2.5)
    rng = np.random.default_rng(0)
    noisy = 1e-7 * n**1.0 * np.exp(0.02 * rng.standard_normal(n.size))
    assert fit_exponent(n, noisy) == pytest.approx(1.0, abs=0.05)
    assert math.isnan(fit_exponent([1000, 1000], [1.0, 2.0]))
    assert math.isnan(fit_exponent([1000], [1.0]))


def _synthetic(exp_n: float, exp_p: float) -> pd.DataFrame:
    rows = []
    for n in (1000, 3000, 10000):
        for p in (16, 64, 256):
            t = 1e-9 * n**exp_n * p**exp_p
            rows.append({"measure": "m", "compares": "representations", "n": n, "p": p, "q": p, "status": "ok",
                         "time_s": t, "floor_s": t / 3, "ratio": 3.0, "cost_class": "O(?)"})
    return pd.DataFrame(rows)


def test_summarise_fits_both_exponents_on_synthetic_times() -> None:
    s = summarise(_synthetic(2.0, 1.5)).iloc[0]
    assert s["exp_n"] == pytest.approx(2.0) and s["floor_exp_n"] == pytest.approx(2.0)
    assert s["exp_p"] == pytest.approx(1.5)
    assert s["largest_ratio"] == pytest.approx(3.0)
    assert s["n_range"] == "n=1000..10000" and s["p_range"] == "p=16..256"


def test_prediction_extrapolates_the_fitted_exponent() -> None:
    h = runner._History(done=[((1000, 8, 8), 0.01, 0.001), ((2000, 8, 8), 0.04, 0.002)], over=[])
    # Along n the time grew as n^2 while the floor grew as n: the fitted exponent wins.
    assert runner._predict(h, (8000, 8, 8), 0.008) == pytest.approx(0.04 * 16)
    assert runner._predict(runner._History(done=[], over=[]), (8000, 8, 8), 0.008) == 0.0


# ----------------------------------------------------------------------------- runner


def test_run_bench_columns_ratio_and_values() -> None:
    df = run_bench(["cka_linear", "procrustes", "kl"], TINY, floor=FAKE, progress=False)
    assert list(df.columns) == list(COLUMNS)
    assert len(df) == 5 and (df["status"] == "ok").all(), df[["measure", "status", "note"]]
    assert np.allclose(df["ratio"], df["time_s"] / df["floor_s"])
    for r in df.to_dict("records"):
        c = cost(r["measure"], r["n"], r["p"], r["q"])
        assert r["flops"] == c.flops and r["floor_s"] == floor_seconds(c.flops, c.bytes, FAKE)
        assert r["time_s"] > 0 and np.isfinite(r["value"])
        assert r["mem_method"] == "tracemalloc" and r["peak_mem_bytes"] > 0
    assert set(df["implementation"]) == {"numpy"} and set(df["device"]) == {"cpu"}
    kl = df[df["measure"] == "kl"].iloc[0]
    assert (kl["n"], kl["p"], kl["q"]) == (40, 12, 3)
    assert df.attrs["floor"]["gflops"] == 10.0 and df.attrs["settings"]["repeats"] == 1
    # The value is the measure's value on the seeded inputs (speed runs also record values).
    from metrics.representation import cka_linear

    X, Y = runner.make_representations(60, 4, 4)
    assert df.iloc[0]["value"] == cka_linear(X, Y)


def test_run_bench_torch_float32() -> None:
    df = run_bench(["cka_linear"], TINY, dtype="float32", impl="torch", floor=replace(FAKE, impl="torch", dtype="float32"),
                   progress=False)
    assert (df["status"] == "ok").all() and (df["implementation"] == "torch").all()
    assert set(df["dtype"]) == {"float32"}
    assert df.iloc[0]["bytes"] == cost("cka_linear", 60, 4, 4, itemsize=4).bytes


def test_run_bench_skips_over_the_limit_and_over_the_memory_budget() -> None:
    fast = Floor(gflops=1e12, gbps=1e12, device="cpu", dtype="float64", threads=1)
    df = run_bench(["cka_linear"], TINY, floor=fast, time_limit=1e-9, progress=False)
    assert df["status"].tolist() == ["over-limit", "skipped-time"]
    assert "> time limit" in df.iloc[0]["note"] and df.iloc[0]["time_s"] > 1e-9
    big = Grid("big", ((10**9, 64, 64),), ())
    df = run_bench(["cka_linear"], big, floor=FAKE, time_limit=1.0, progress=False, memory_budget=1e30)
    assert df["status"].tolist() == ["skipped-time"] and df.iloc[0]["note"].startswith("floor alone")
    df = run_bench(["rsa_euclidean_pearson"], TINY, floor=FAKE, memory_budget=1.0, progress=False)
    assert set(df["status"]) == {"skipped-memory"} and "memory budget" in df.iloc[0]["note"]


def test_run_bench_reports_an_error_and_goes_on() -> None:
    # d_LLV needs N >= M + 1 inputs for its input set: N = 3, M = 3 raises; the next size runs.
    grid = Grid("err", (), ((3, 12, 3), (40, 12, 3)), repeats=1)
    df = run_bench(["llv"], grid, floor=FAKE, progress=False)
    assert df["status"].tolist() == ["error", "ok"]
    assert df.iloc[0]["note"].startswith(("ValueError: ", "DegenerateInputError: "))


def test_run_bench_option_errors() -> None:
    with pytest.raises(ValueError, match="run_bench: the numpy references compute in float64; got dtype='float32'"):
        run_bench(["cka_linear"], TINY, dtype="float32", floor=FAKE)
    with pytest.raises(KeyError, match="Did you mean 'cka_linear'"):
        run_bench(["cka_linea"], TINY, floor=FAKE)
    with pytest.raises(ValueError, match="run_bench: floor must be measured through the implementation, dtype and device timed"):
        run_bench(["cka_linear"], TINY, impl="torch", floor=FAKE)
    with pytest.raises(ValueError, match="run_bench: sizes must be one of"):
        run_bench(["cka_linear"], "huge", floor=FAKE)


# ----------------------------------------------------------------------------- baselines and the CLI


def _edit_ratios(path: Path, factor: float, name: str) -> None:
    doc = json.loads(path.read_text())
    for r in doc["rows"]:
        r["ratio"] = r["ratio"] * factor
    (path.parent / f"{name}.json").write_text(json.dumps(doc))


def test_save_compare_round_trip_and_fail_above(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                fake_floor: None, baseline_root: Path) -> None:
    base = ["bench", "--quick", "--metric", "cka_linear", "--no-progress"]
    code, _, err = _cli(base + ["--out", str(tmp_path / "a"), "--save", "main"], capsys)
    assert code == 0, err
    saved = baseline_root / speed.machine_key("cpu") / "main.json"
    doc: dict[str, Any] = json.loads(saved.read_text())
    assert doc["machine_key"] == speed.machine_key("cpu") and doc["floor"]["gflops"] == FAKE.gflops
    assert {"git_commit", "date", "numpy", "torch"} <= set(doc["provenance"])
    assert [r["measure"] for r in doc["rows"]] == ["cka_linear", "cka_linear"]
    # A baseline 10x faster than now (ratios / 10): every row is 10x slower -> exit 1 above 50%.
    _edit_ratios(saved, 0.1, "fast-then")
    code, out, err = _cli(base + ["--out", str(tmp_path / "b"), "--compare", "fast-then", "--fail-above", "50"], capsys)
    assert code == 1, err
    assert "slower than the baseline by more than 50%" in err and "slowdown" in out
    report = json.loads((tmp_path / "b" / "bench.json").read_text())
    assert all(r["slowdown"] > 1.5 for r in report["rows"]) and report["regressions"] == ["cka_linear", "cka_linear"]
    # A baseline 10x slower than now: faster everywhere -> exit 0.
    _edit_ratios(saved, 10.0, "slow-then")
    code, _, err = _cli(base + ["--out", str(tmp_path / "c"), "--compare", "slow-then", "--fail-above", "50"], capsys)
    assert code == 0, err
    # Without --fail-above a comparison only reports.
    code, _, _ = _cli(base + ["--out", str(tmp_path / "d"), "--compare", "fast-then"], capsys)
    assert code == 0


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_cli_errors_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         fake_floor: None, baseline_root: Path) -> None:
    base = ["bench", "--quick", "--metric", "cka_linear", "--no-progress", "--out", str(tmp_path)]
    code, _, err = _cli(base + ["--compare", "nope"], capsys)
    line = _one_error_line(err)
    assert code == 2 and line.startswith("simaudit bench: error: --compare must name a speed baseline saved on this machine; got 'nope'")
    assert "Save one first with `simaudit bench --save nope`." in line
    code, _, err = _cli(base + ["--compare", "nope", "--fail-above", "-5"], capsys)
    assert code == 2 and _one_error_line(err) == (
        "simaudit bench: error: argument --fail-above: must be a percentage >= 0 like 25; got '-5'. "
        "Run `simaudit bench --help` for usage."
    )
    code, _, err = _cli(base + ["--fail-above", "10"], capsys)
    assert code == 2 and _one_error_line(err) == (
        "simaudit bench: error: --fail-above needs --compare NAME (the baseline to compare with); got --fail-above 10 alone."
    )
    code, _, err = _cli(base + ["--save", "../x"], capsys)
    assert code == 2 and _one_error_line(err).startswith("simaudit bench: error: --save NAME must be a plain name")
    code, _, err = _cli(base + ["--impl", "numpy", "--dtype", "float32"], capsys)
    assert code == 2 and "--impl numpy computes in float64 (the references); got --dtype float32" in _one_error_line(err)
    code, _, err = _cli(["bench", "--metric", "cka_linaer", "--out", str(tmp_path)], capsys)
    assert code == 2 and "--metric must name a registered measure; got 'cka_linaer'. Did you mean 'cka_linear'" in _one_error_line(err)
    assert not (tmp_path / "bench.csv").exists()  # every error is raised before anything runs


def test_cli_cuda_without_cuda_is_the_device_helpers_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    code, _, err = _cli(["bench", "--quick", "--metric", "cka_linear", "--device", "cuda", "--out", str(tmp_path)], capsys)
    assert code == 2 and _one_error_line(err) == (
        "simaudit bench: error: --device must name an available device; got 'cuda' but torch.cuda.is_available() is False. "
        "Use --device cpu or auto."
    )


def test_cli_quick_writes_the_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tmp"
    code, stdout, err = _cli(["bench", "--quick", "--metric", "cka_linear", "--out", str(out), "--no-progress"], capsys)
    assert code == 0, err
    for fname in ("bench.csv", "bench.json", "bench.md"):
        assert (out / fname).is_file()
    pytest.importorskip("matplotlib")
    assert (out / "bench.png").stat().st_size > 0
    doc = json.loads((out / "bench.json").read_text())
    assert doc["floor"]["gflops"] > 0 and doc["floor_end"]["gbps"] > 0 and [r["n"] for r in doc["rows"]] == [200, 400]
    assert doc["summary"][0]["measure"] == "cka_linear"
    assert "cka_linear" in stdout and "floor: GEMM" in stdout and "exp_n" in stdout
    assert not list(out.glob("*.tmp"))
    df = pd.read_csv(out / "bench.csv")
    assert list(df.columns) == list(COLUMNS)


def test_cli_explicit_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_floor: None) -> None:
    code, _, err = _cli(["bench", "--metric", "cka_linear", "--metric", "kl", "--n", "50,70", "--p", "3", "--q", "5",
                         "--N", "30", "--K", "10", "--M", "2", "--out", str(tmp_path), "--format", "json", "--no-progress"],
                        capsys)
    assert code == 0, err
    doc = json.loads((tmp_path / "bench.json").read_text())
    assert [(r["measure"], r["n"], r["p"], r["q"]) for r in doc["rows"]] == [
        ("cka_linear", 50, 3, 5), ("cka_linear", 70, 3, 5), ("kl", 30, 10, 2)]
