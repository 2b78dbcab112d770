"""Tests of ``simaudit audit``, ``simaudit replay`` and ``simaudit claims`` (metrics/cli.py).

Everything runs in-process through :func:`metrics.cli.main` except one real process
(``python -m metrics.cli audit ...``) that proves the entry point and its exit code.
Every run names ``--out`` inside ``tmp_path`` and its own ``--profile`` (the default
profile comes from the environment), and audits one or two cheap properties.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from metrics.cli import main
from properties.engine import load_case

REPO = Path(__file__).resolve().parents[2]

USER_MODULE = '''
import numpy as np


def colnorm(X, Y):
    """Sum of the centred Frobenius norms: a stretch of one column changes it (not invertible-linear invariant)."""
    return float(np.linalg.norm(X - X.mean(0)) + np.linalg.norm(Y - Y.mean(0)))


def offset(X, Y):
    """||mean(X) - mean(Y)||^2 + 0.5: f(X, X) = 0.5, so as a declared distance its identity fails."""
    return float(np.sum((X.mean(0) - Y.mean(0)) ** 2) + 0.5)


def g_dist(p, q):
    """A model 'distance' on the unembeddings only: symmetric, but not zero on an identifiability class."""
    return float(np.sum((p.G - q.G) ** 2))
'''


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """User-facing error path (no SIMAUDIT_DEBUG), a known default profile, and a cwd where a stray default --out is harmless."""
    monkeypatch.delenv("SIMAUDIT_DEBUG", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("SIMAUDIT_PROFILE", "dev")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "mymeasures.py"
    path.write_text(USER_MODULE)
    return path


def run(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> tuple[int, str, str]:
    """``main(argv)`` in-process: (exit code, stdout, stderr); argparse errors exit through SystemExit."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def run_error(capsys: pytest.CaptureFixture[str], argv: Sequence[str], prefix: str) -> str:
    """Exit code 2, nothing on stdout, exactly one stderr line starting with ``prefix``; returns the line."""
    code, out, err = run(capsys, argv)
    assert code == 2, (out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(prefix), lines[0]
    return lines[0]


AUDIT_CKA = ["audit", "cka_linear", "--properties", "translation,invertible_linear", "--profile", "dev", "--no-progress"]


# --------------------------------------------------------------------------- audit of a registry measure


def test_audit_registry_measure_prints_the_matrix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, [*AUDIT_CKA, "--out", str(out_dir)])
    assert code == 0, err  # translation declared and holding, invertible_linear declared False and refuted
    lines = out.splitlines()
    assert lines[0].startswith("# simaudit audit (dev profile, ")
    assert "| measure | translation | invertible_linear |" in lines
    (row,) = [ln for ln in lines if ln.startswith("| cka_linear |")]
    assert re.fullmatch(r"\| cka_linear \| ✓ \d+ \| ✗ \|", row), row
    assert "## Contradicted declarations: 0" in out
    assert re.search(r"audited 1 measure\(s\), 2 properties in [\d.]+ s \(dev profile\); 0 contradicted declaration\(s\)\. "
                     rf"Reports in {re.escape(str(out_dir))}/", err)
    for name in ("report.md", "report.csv", "report.json"):
        assert (out_dir / name).is_file()
    assert [p.name for p in (out_dir / "counterexamples").iterdir()] == ["cka_linear__invertible_linear.npz"]


def test_audit_format_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, [*AUDIT_CKA, "--out", str(tmp_path / "o"), "--format", "json"])
    assert code == 0
    data = json.loads(out)
    assert data["exit_code"] == 0 and data["violated"] == [] and data["profile"] == "dev"
    assert [(r["property"], r["status"], r["outcome"]) for r in data["results"]] == [
        ("translation", "holds", "ok"), ("invertible_linear", "refuted", "ok")
    ]
    assert data["results"][1]["replay"] == f"simaudit replay {tmp_path / 'o' / 'counterexamples' / 'cka_linear__invertible_linear.npz'}"


def test_audit_format_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, [*AUDIT_CKA, "--out", str(tmp_path / "o"), "--format", "csv"])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["measure"], r["property"], r["status"]) for r in rows] == [
        ("cka_linear", "translation", "holds"), ("cka_linear", "invertible_linear", "refuted")
    ]
    assert rows[0]["replay"] == "" and rows[1]["replay"].startswith("simaudit replay ")


def test_audit_declaration_override_on_a_registry_measure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Declaring invertible_linear for CKA contradicts the search: exit 1.
    code, out, _ = run(capsys, [*AUDIT_CKA, "--out", str(tmp_path / "o"), "--declare", "invertible_linear"])
    assert code == 1
    assert "| cka_linear | ✓" in out and "| **✗** |" in out
    assert "## Contradicted declarations: 1" in out


# --------------------------------------------------------------------------- a user's function, then replay


def _replay_path(out: str) -> str:
    m = re.search(r"replay: `simaudit replay (\S+\.npz)`", out)
    assert m, out
    return m.group(1)


def test_user_function_declared_invariant_fails_then_replays(
    tmp_path: Path, user_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, ["audit", f"{user_file}:colnorm", "--declare", "invertible_linear",
                                  "--properties", "invertible_linear,symmetry", "--profile", "dev", "--no-progress",
                                  "--out", str(out_dir)])
    assert code == 1, err
    assert "| mymeasures:colnorm | **✗** | ✓" in out
    path = _replay_path(out)
    assert path == str(out_dir / "counterexamples" / "mymeasures_colnorm__invertible_linear.npz")
    meta, _ = load_case(path)
    assert meta["source"] == f"{user_file.resolve()}:colnorm"
    assert "1 contradicted declaration(s)" in err

    code, out, err = run(capsys, ["replay", path])
    assert code == 1, err
    assert out.startswith("mymeasures:colnorm / invertible_linear: REFUTED on this input; invertible_linear of ")

    # CCA's R^2 is invariant to invertible linear maps: the same input does not refute it.
    code, out, err = run(capsys, ["replay", path, "--target", "cca_r2"])
    assert code == 0, err
    assert ": holds on this input; invertible_linear of " in out


def test_replay_with_another_user_function(tmp_path: Path, user_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # offset is refuted for translation; colnorm centres its inputs, so the same translation leaves it unchanged.
    code, out, _ = run(capsys, ["audit", f"{user_file}:offset", "--declare", "translation", "--properties", "translation",
                                "--profile", "dev", "--no-progress", "--out", str(tmp_path / "o")])
    assert code == 1
    path = _replay_path(out)
    assert run(capsys, ["replay", path])[0] == 1
    code, out, err = run(capsys, ["replay", path, "--target", f"{user_file}:colnorm"])
    assert code == 0, err
    assert "holds on this input" in out


def test_replay_target_keeps_its_own_orientation(tmp_path: Path, user_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # offset declared a distance: f(X, X) = 0.5 != 0 refutes identity. CKA is a score with CKA(X, X) = 1,
    # so replaying the same X on cka_linear must hold; it is REFUTED when CKA is judged as a distance.
    code, out, _ = run(capsys, ["audit", f"{user_file}:offset", "--orientation", "distance", "--declare", "identity",
                                "--properties", "identity", "--profile", "dev", "--no-progress", "--out", str(tmp_path / "o")])
    assert code == 1
    path = _replay_path(out)
    code, out, _ = run(capsys, ["replay", path, "--target", "cka_linear"])
    assert code == 0, out


def test_user_model_function_with_kind_model(tmp_path: Path, user_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["audit", f"{user_file}:g_dist", "--kind", "model", "--declare", "identifiability,symmetry",
                                "--properties", "identifiability,symmetry", "--profile", "dev", "--no-progress",
                                "--format", "json", "--out", str(tmp_path / "o")])
    assert code == 1
    data = json.loads(out)
    assert [(r["property"], r["status"]) for r in data["results"]] == [("identifiability", "refuted"), ("symmetry", "holds")]
    assert data["violated"] == ["mymeasures:g_dist:identifiability"]
    code, out, _ = run(capsys, ["replay", data["results"][0]["counterexample"]])
    assert code == 1 and "identifiability: REFUTED" in out


def test_declare_identifiability_for_a_registry_model_distance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, ["audit", "kl", "--declare", "identifiability", "--properties", "identifiability",
                                "--profile", "dev", "--no-progress", "--out", str(tmp_path / "o")])
    assert code == 0, err


# --------------------------------------------------------------------------- user errors


def test_audit_unknown_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_error(capsys, ["audit", "cka_lineer", "--out", str(tmp_path / "o")],
              "simaudit audit: error: load_target: a target must be a registry name, path/to/file.py:function or "
              "package.module:function; got 'cka_lineer'. Did you mean 'cka_linear'")
    assert not (tmp_path / "o").exists()


def test_audit_missing_user_function(tmp_path: Path, user_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = run_error(capsys, ["audit", f"{user_file}:nope", "--out", str(tmp_path / "o")],
                     f"simaudit audit: error: load_target: the function must exist in {user_file}; got 'nope'.")
    assert line.endswith("Callables there: colnorm, g_dist, offset.")


def test_audit_bad_declare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = run_error(capsys, ["audit", "cka_linear", "--declare", "symetry", "--out", str(tmp_path / "o")],
                     "simaudit audit: error: parse_declarations: each declared property must be one of translation, ")
    assert "got 'symetry'." in line
    run_error(capsys, ["audit", "cka_linear", "--declare", "symmetry=perhaps", "--out", str(tmp_path / "o")],
              "simaudit audit: error: parse_declarations: a declaration's value must be true or false; got 'symmetry=perhaps'.")


def test_audit_jobs_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = run_error(capsys, ["audit", "cka_linear", "--jobs", "0", "--out", str(tmp_path / "o")],
                     "simaudit audit: error: --jobs must be an integer >= 1; got 0.")
    assert line == "simaudit audit: error: --jobs must be an integer >= 1; got 0."


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_audit_time_limit_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    line = run_error(capsys, ["audit", "cka_linear", "--time-limit", value, "--out", str(tmp_path / "o")],
                     "simaudit audit: error: --time-limit must be > 0 seconds; got ")
    assert line == f"simaudit audit: error: --time-limit must be > 0 seconds; got {float(value)}."


def test_audit_out_is_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine")
    line = run_error(capsys, ["audit", "cka_linear", "--properties", "symmetry", "--out", str(taken)],
                     "simaudit audit: error: --out must name a folder (created if missing); got ")
    assert line == f"simaudit audit: error: --out must name a folder (created if missing); got {str(taken)!r} (an existing file)."
    assert taken.read_text() == "mine"


def test_audit_unknown_property(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = run_error(capsys, ["audit", "cka_linear", "--properties", "symmetry,symetry", "--out", str(tmp_path / "o")],
                     "simaudit audit: error: run_audit: each property must be one of translation, ")
    assert line.endswith("got 'symetry'.")


def test_audit_unknown_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_error(capsys, ["audit", "cka_linear", "--profile", "fast", "--out", str(tmp_path / "o")],
              "simaudit audit: error: argument --profile: invalid choice: 'fast'")


def test_replay_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "gone.npz"
    line = run_error(capsys, ["replay", str(missing)], "simaudit replay: error: load_case: ")
    assert line == f"simaudit replay: error: load_case: path must be an existing .npz written by the audit; got {str(missing)!r}."


def test_replay_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    run_error(capsys, ["replay", str(empty)], "simaudit replay: error: load_case: ")


def test_replay_time_limit_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, [*AUDIT_CKA, "--out", str(tmp_path / "o"), "--format", "json"])
    path = json.loads(out)["results"][1]["counterexample"]
    run_error(capsys, ["replay", path, "--time-limit", "0"], "simaudit replay: error: --time-limit must be > 0 seconds")


# --------------------------------------------------------------------------- profile


def test_profile_flag_is_reflected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["audit", "cka_linear", "--properties", "symmetry", "--no-progress", "--out", str(tmp_path / "o")]
    code, out, err = run(capsys, [*argv, "--profile", "ci"])
    assert code == 0
    assert out.startswith("# simaudit audit (ci profile, ")
    assert "(ci profile); 0 contradicted" in err
    assert json.loads((tmp_path / "o" / "report.json").read_text())["profile"] == "ci"
    code, out, _ = run(capsys, [*argv, "--profile", "dev"])
    assert code == 0 and out.startswith("# simaudit audit (dev profile, ")


def test_profile_defaults_to_the_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMAUDIT_PROFILE", "ci")
    code, out, _ = run(capsys, ["audit", "cka_linear", "--properties", "symmetry", "--no-progress", "--out", str(tmp_path / "o")])
    assert code == 0 and out.startswith("# simaudit audit (ci profile, ")


# --------------------------------------------------------------------------- claims


def test_claims_only_one_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, ["claims", "--only", "followup_examples", "--format", "json", "--profile", "dev", "--no-progress"])
    assert code == 0, err
    data = json.loads(out)
    assert [d["key"] for d in data] == ["followup_examples"]
    assert data[0]["verdict"] == "supported" and data[0]["statement"]


def test_claims_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ["claims", "--only", "followup_examples", "--profile", "dev"])
    assert code == 0
    assert out.startswith("| key | verdict | evidence |")
    assert "| followup_examples | supported |" in out


def test_claims_unknown_key(capsys: pytest.CaptureFixture[str]) -> None:
    line = run_error(capsys, ["claims", "--only", "nope", "--profile", "dev"], "simaudit claims: error: run_claims: ")
    assert line.endswith("got 'nope'.")


# --------------------------------------------------------------------------- one real process


def test_module_entry_point_runs_an_audit(tmp_path: Path) -> None:
    out_dir = tmp_path / "o"
    env = {k: v for k, v in os.environ.items() if k != "SIMAUDIT_DEBUG"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "metrics.cli", "audit", "cka_linear", "--properties", "symmetry", "--profile", "dev",
         "--format", "json", "--no-progress", "--out", str(out_dir)],
        check=False, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert data["exit_code"] == 0 and data["results"][0]["status"] == "holds"
    assert (out_dir / "report.md").is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "metrics.cli", "audit", "cka_linear", "--jobs", "0", "--out", str(out_dir)],
        check=False, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "simaudit audit: error: --jobs must be an integer >= 1; got 0."
