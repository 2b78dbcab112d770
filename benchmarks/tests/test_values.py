"""The value-baseline gate and its machinery.

``test_committed_baseline_passes`` is the regression gate default CI runs: every registry measure,
numpy and torch, recomputed and compared with ``benchmarks/baselines/values.json``. The other tests
work on temporary copies of that file, restricted to one cheap measure so that they stay fast.
"""

from __future__ import annotations

import copy
import json
import math
import warnings
from pathlib import Path
from typing import Any

import pytest

from benchmarks import values as bv
from metrics import registry
from metrics._validation import DegenerateInputWarning

MEASURE = "cka_linear"  # cheap, finite on every representation input


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return bv.load_baseline(bv.BASELINE_PATH)


def _copy(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "values.json"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


def _entry(doc: dict[str, Any], measure: str, input_name: str) -> dict[str, Any]:
    (e,) = [e for e in doc["entries"] if e["measure"] == measure and e["input"] == input_name]
    return e


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = bv.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# --------------------------------------------------------------------------- the gate


def test_committed_baseline_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--check")
    assert code == 0, out + err
    assert out.strip().splitlines()[-1].startswith("PASS: 650 entries compared")


def test_every_registry_measure_has_an_entry(committed: dict[str, Any]) -> None:
    by_measure: dict[str, list[dict[str, Any]]] = {}
    for e in committed["entries"]:
        by_measure.setdefault(e["measure"], []).append(e)
    assert set(by_measure) == set(registry.names())
    for name, entries in by_measure.items():
        # At least one finite value from both implementations, and every input of the measure's kind.
        assert any(e["status"] == e["torch_status"] == "ok" for e in entries), name
        kind = registry.get(name).compares
        assert [e["input"] for e in entries] == [i.name for i in bv.INPUTS if i.compares == kind], name


def test_committed_file_records_provenance_and_tolerance(committed: dict[str, Any]) -> None:
    prov = committed["provenance"]
    for key in ("git_commit", "date", "python", "numpy", "torch", "scipy", "platform", "command"):
        assert prov[key], key
    assert prov["command"].startswith("python -m benchmarks.values --update")
    assert (committed["tolerance"]["rtol"], committed["tolerance"]["atol"]) == (1e-9, 1e-12)
    loose = [e for e in committed["entries"] if "rtol" in e]
    assert loose and all(e["tolerance_note"] for e in loose)
    # Every input's hash in the entries is the hash of its inputs section.
    for e in committed["entries"]:
        assert e["input_sha256"] == committed["inputs"][e["input"]]["sha256"]
        assert e["seed"] == committed["inputs"][e["input"]]["seed"]


# --------------------------------------------------------------------------- mismatches


def test_perturbed_value_is_a_mismatch_naming_the_entry(
    tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(committed)
    e = _entry(doc, MEASURE, "correlated")
    old = e["numpy_value"]
    e["numpy_value"] = old * (1 + 1e-6)
    path = _copy(tmp_path, doc)
    before = path.read_bytes()
    code, out, _ = _run(capsys, "--check", "--measure", MEASURE, "--baseline", str(path))
    assert code == 1
    assert "VALUE MISMATCHES (1)" in out
    (row,) = [line for line in out.splitlines() if "correlated" in line]
    assert MEASURE in row and "numpy_value" in row and repr(old * (1 + 1e-6)) in row and repr(old) in row
    assert out.strip().splitlines()[-1].startswith("FAIL:")
    assert path.read_bytes() == before  # --check never writes


@pytest.mark.parametrize(("rel", "expected"), [(1e-13, 0), (-1e-13, 0), (1e-6, 1), (-1e-6, 1)])
@pytest.mark.parametrize("field", ["numpy_value", "torch_value"])
def test_tolerance_is_applied(
    tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str], field: str, rel: float, expected: int
) -> None:
    doc = copy.deepcopy(committed)
    e = _entry(doc, MEASURE, "gaussian")
    e[field] = e[field] * (1 + rel)
    code, out, _ = _run(capsys, "--check", "--measure", MEASURE, "--baseline", str(_copy(tmp_path, doc)))
    assert code == expected, out


def test_per_entry_tolerance_is_applied(committed: dict[str, Any]) -> None:
    # pwcca on cka_outlier carries rtol = 0.1 (tied canonical correlations): 5% passes, 20% fails.
    entries = bv.compute_values(["pwcca"], inputs=["cka_outlier"])
    inputs = bv.describe_inputs(["cka_outlier"])
    doc = copy.deepcopy(committed)
    doc["entries"] = [copy.deepcopy(_entry(committed, "pwcca", "cka_outlier"))]
    assert doc["entries"][0]["rtol"] == 0.1
    doc["entries"][0]["numpy_value"] = entries[0]["numpy_value"] * 1.05
    assert bv.check(doc, entries, inputs).ok
    doc["entries"][0]["numpy_value"] = entries[0]["numpy_value"] * 1.2
    assert not bv.check(doc, entries, inputs).ok
    # A tolerance in the file that the code no longer declares is itself a mismatch.
    doc["entries"][0]["numpy_value"] = entries[0]["numpy_value"]
    doc["entries"][0]["rtol"] = 0.5
    (m,) = bv.check(doc, entries, inputs).mismatches
    assert (m.measure, m.input, m.field) == ("pwcca", "cka_outlier", "tolerance")


def test_changed_status_is_a_policy_mismatch(tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    doc = copy.deepcopy(committed)
    e = _entry(doc, "concentricity_difference", "knn_ties")
    assert e["status"] == e["torch_status"] == "raise:DegenerateInputError"
    e["torch_status"], e["torch_value"] = "ok", 0.5
    code, out, _ = _run(capsys, "--check", "--measure", "concentricity_difference", "--baseline", str(_copy(tmp_path, doc)))
    assert code == 1
    rows = [line for line in out.splitlines() if "knn_ties" in line]
    assert any("torch_status" in r and "ok" in r and "raise:DegenerateInputError" in r for r in rows)
    assert any("torch_value" in r and "0.5" in r for r in rows)


def test_changed_warnings_are_a_policy_mismatch(committed: dict[str, Any]) -> None:
    entries = bv.compute_values(["mcca"], inputs=["cca_saturation"])
    assert entries[0]["warnings"] == ["SaturationWarning"]
    doc = copy.deepcopy(committed)
    doc["entries"] = [copy.deepcopy(_entry(committed, "mcca", "cca_saturation"))]
    doc["entries"][0]["warnings"] = []
    (m,) = bv.check(doc, entries, bv.describe_inputs(["cca_saturation"])).mismatches
    assert (m.field, m.old, m.new) == ("warnings", [], ["SaturationWarning"])


def test_missing_and_extra_entries(tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    doc = copy.deepcopy(committed)
    doc["entries"] = [e for e in doc["entries"] if not (e["measure"] == MEASURE and e["input"] == "low_rank")]
    ghost = copy.deepcopy(_entry(committed, MEASURE, "gaussian"))
    ghost["input"] = "retired_input"
    doc["entries"].append(ghost)
    code, out, _ = _run(capsys, "--check", "--measure", MEASURE, "--baseline", str(_copy(tmp_path, doc)))
    assert code == 1
    assert f"MISSING (1 entries in the baseline but not computed):\n    {MEASURE} on retired_input" in out
    assert f"EXTRA (1 entries computed but not in the baseline; add them with --update):\n    {MEASURE} on low_rank" in out


# --------------------------------------------------------------------------- inputs: construction vs rounding


def _rehash(doc: dict[str, Any], input_name: str, sha: str, *, entries: bool = True, section: bool = True) -> None:
    if section:
        doc["inputs"][input_name]["sha256"] = sha
    if entries:
        for e in doc["entries"]:
            if e["input"] == input_name:
                e["input_sha256"] = sha


def test_changed_construction_is_reported_as_such(tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    doc = copy.deepcopy(committed)
    _rehash(doc, "gaussian", "0" * 64)
    doc["inputs"]["gaussian"]["fingerprint"]["X"]["sum"] += 1.0  # the old input had a different sum
    code, out, _ = _run(capsys, "--check", "--measure", MEASURE, "--baseline", str(_copy(tmp_path, doc)))
    assert code == 1
    assert "CONSTRUCTION CHANGED: input 'gaussian' is not the input the baseline was computed on" in out
    assert "input_sha256 000000000000... ->" in out and "X.sum" in out
    assert "VALUE MISMATCHES" not in out  # the change is blamed on the construction, not on the measure


def test_changed_entry_hash_alone_is_a_changed_construction(
    tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # The fingerprint describes another input than the entry's hash: it cannot vouch for the entry.
    doc = copy.deepcopy(committed)
    _rehash(doc, "correlated", "f" * 64, section=False)
    code, out, _ = _run(capsys, "--check", "--measure", MEASURE, "--baseline", str(_copy(tmp_path, doc)))
    assert code == 1
    assert "CONSTRUCTION CHANGED: input 'correlated'" in out and "(no fingerprint of the old input to compare)" in out


def test_changed_seed_is_a_changed_construction(committed: dict[str, Any]) -> None:
    doc = copy.deepcopy(committed)
    for e in doc["entries"]:
        if e["input"] == "low_rank":
            e["seed"] = 99
    entries = bv.compute_values([MEASURE])
    report = bv.check(doc, entries, bv.describe_inputs(), measures=[MEASURE])
    assert report.constructions == {"low_rank": ["seed [99] -> 2"]} and not report.ok


def test_rounding_level_input_difference_is_a_note(tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    # Same construction, other bytes (another BLAS): the fingerprint agrees, so the values are compared as usual.
    doc = copy.deepcopy(committed)
    _rehash(doc, "correlated", "a" * 64)
    fp = doc["inputs"]["correlated"]["fingerprint"]["Y"]
    fp["sum"] += 1e-14 * fp["abs_sum"]
    code, out, _ = _run(capsys, "--check", "--measure", MEASURE, "--baseline", str(_copy(tmp_path, doc)))
    assert code == 0, out
    assert "note: input 'correlated': bytes differ from the baseline's (sha256 aaaaaaaaaaaa..." in out
    assert "rounding-level difference" in out and "CONSTRUCTION CHANGED" not in out


def test_input_hash_is_of_the_bytes() -> None:
    arrays = bv._arrays("gaussian")
    assert bv.describe_inputs(["gaussian"])["gaussian"]["sha256"] == bv._sha256(arrays)
    moved = {k: v.copy() for k, v in arrays.items()}
    moved["X"][0, 0] = math.nextafter(moved["X"][0, 0], math.inf)  # one ulp
    assert bv._sha256(moved) != bv._sha256(arrays)
    assert bv._fingerprint_differences(bv._fingerprint(arrays), bv._fingerprint(moved)) == []
    moved["X"][0, 0] += 1e-3
    assert bv._fingerprint_differences(bv._fingerprint(arrays), bv._fingerprint(moved))


# --------------------------------------------------------------------------- --update


def test_update_rewrites_and_prints_the_diff(tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    doc = copy.deepcopy(committed)
    e = _entry(doc, MEASURE, "gaussian")
    true_value = e["numpy_value"]
    e["numpy_value"] = 0.5
    doc["entries"] = [x for x in doc["entries"] if not (x["measure"] == MEASURE and x["input"] == "knn_ties")]
    ghost = copy.deepcopy(_entry(committed, MEASURE, "gaussian"))
    ghost["input"] = "retired_input"
    doc["entries"].append(ghost)
    path = _copy(tmp_path, doc)
    code, out, _ = _run(capsys, "--update", "--measure", MEASURE, "--baseline", str(path))
    assert code == 0
    assert f"~ {MEASURE} on gaussian: numpy_value 0.5 -> {true_value!r}" in out
    assert f"+ {MEASURE} on knn_ties: numpy " in out
    assert f"- {MEASURE} on retired_input: numpy " in out
    assert f"wrote 650 entries to {path}" in out
    new = bv.load_baseline(path)
    assert _entry(new, MEASURE, "gaussian")["numpy_value"] == true_value
    assert new["provenance"]["command"] == f"python -m benchmarks.values --update --measure {MEASURE} --baseline {path}"
    # The other measures' entries are kept as they were, in registry order.
    others = [x for x in new["entries"] if x["measure"] != MEASURE]
    assert others == [x for x in committed["entries"] if x["measure"] != MEASURE]
    assert [x["measure"] for x in new["entries"]] == [x["measure"] for x in committed["entries"]]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    code, out, _ = _run(capsys, "--check", "--measure", MEASURE, "--baseline", str(path))
    assert code == 0, out


def test_update_creates_a_new_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sub" / "new.json"
    code, out, _ = _run(capsys, "--update", "--measure", "kl", "--baseline", str(path))
    assert code == 0
    assert out.startswith("--update: ") and "(new file)" in out and "+ kl on identifiability: numpy " in out
    doc = bv.load_baseline(path)
    assert {e["measure"] for e in doc["entries"]} == {"kl"}
    assert (path.stat().st_mode & 0o777) != 0o600  # mkstemp's private mode is not kept


def test_restricted_update_refuses_a_changed_construction(tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    doc = copy.deepcopy(committed)
    _rehash(doc, "gaussian", "0" * 64)
    doc["inputs"]["gaussian"]["fingerprint"]["Y"]["sum_sq"] *= 2
    path = _copy(tmp_path, doc)
    before = path.read_bytes()
    code, _, err = _run(capsys, "--update", "--measure", MEASURE, "--baseline", str(path))
    assert code == 2
    assert err == (
        "error: benchmarks.values --update: --measure cannot re-baseline part of the file while an input "
        "construction changed; got changed inputs ['gaussian']. Run --update without --measure.\n"
    )
    assert path.read_bytes() == before


def test_write_is_atomic(tmp_path: Path, committed: dict[str, Any]) -> None:
    path = _copy(tmp_path, committed)
    before = path.read_bytes()
    bad = copy.deepcopy(committed)
    bad["entries"][0]["numpy_value"] = math.nan  # not valid JSON: json.dump(allow_nan=False) raises mid-write
    with pytest.raises(ValueError):
        bv.write_baseline(bad, path)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


# --------------------------------------------------------------------------- recording outcomes


def test_outcomes_are_recorded_with_their_type() -> None:
    def nan_with_warning() -> float:
        warnings.warn("zero variance", DegenerateInputWarning, stacklevel=1)
        return math.nan

    def crash() -> float:
        raise KeyError("boom")

    def numpy_noise() -> float:
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        return 1.0

    assert bv._evaluate(nan_with_warning) == ("nan", "nonfinite", ["DegenerateInputWarning"])
    assert bv._evaluate(lambda: -math.inf) == ("-inf", "nonfinite", [])
    assert bv._evaluate(numpy_noise) == (1.0, "ok", [])  # platform-dependent floating-point warnings are not policy
    assert bv._evaluate(crash) == (None, "raise:KeyError", [])
    (e,) = bv.compute_values(["concentricity_difference"], inputs=["knn_ties"])
    assert (e["status"], e["torch_status"], e["numpy_value"], e["torch_value"]) == (
        "raise:DegenerateInputError", "raise:DegenerateInputError", None, None,
    )


# --------------------------------------------------------------------------- errors, in the house template


def test_missing_baseline_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope.json"
    code, out, err = _run(capsys, "--baseline", str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"error: benchmarks.values --baseline: the baseline must be an existing JSON file; got {str(path)!r} "
        "(no such file). Create it with `python -m benchmarks.values --update`.\n"
    )


def test_invalid_baseline_files(tmp_path: Path, committed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v.json"
    path.write_text("{not json", encoding="utf-8")
    code, _, err = _run(capsys, "--baseline", str(path))
    assert code == 2 and err.startswith(f"error: benchmarks.values --baseline: the baseline must be valid JSON; got {str(path)!r} (")
    path.write_text("[]", encoding="utf-8")
    code, _, err = _run(capsys, "--baseline", str(path))
    assert (code, err) == (2, f"error: benchmarks.values --baseline: the baseline must be a JSON object; got list in {str(path)!r}.\n")
    path.write_text('{"format": 1}', encoding="utf-8")
    code, _, err = _run(capsys, "--baseline", str(path))
    assert code == 2 and "must have the fields format, provenance, tolerance, inputs, entries; got" in err
    assert "without ['provenance', 'tolerance', 'inputs', 'entries']" in err
    doc = copy.deepcopy(committed)
    doc["format"] = 0
    code, _, err = _run(capsys, "--baseline", str(_copy(tmp_path, doc)))
    assert code == 2 and "the baseline must have format 1; got format=0" in err
    doc = copy.deepcopy(committed)
    del doc["entries"][3]["status"]
    code, _, err = _run(capsys, "--baseline", str(_copy(tmp_path, doc)))
    assert code == 2 and "every entry must be an object with the fields measure, input, seed" in err and "got entries[3]=" in err


def test_unknown_measure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--measure", "cka_lin")
    assert (code, out) == (2, "")
    assert err.startswith("error: get: name must be a registered measure; got 'cka_lin'. Did you mean 'cka_linear'")


def test_unknown_input() -> None:
    with pytest.raises(ValueError, match=r"^compute_values: inputs must name baseline inputs; got \['nope'\]\. Known inputs: gaussian, "):
        bv.compute_values([MEASURE], inputs=["nope"])


def test_check_and_update_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        bv.main(["--check", "--update"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
