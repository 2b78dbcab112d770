"""Tests of the report layer of ``simaudit audit`` (properties/audit.py).

One small audit (three toy measures, four properties) is run once per module into a
temporary folder; the tests read its report files. Every message of
:func:`parse_declarations` and :func:`load_target` is asserted word for word.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import metrics.representation
from properties.audit import (
    AuditReport,
    load_target,
    parse_declarations,
    render,
    run_audit,
    write_figure,
    write_outputs,
)
from properties.engine import REP_PROPERTIES, Target, Verdict, load_case

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
REP_LIST = ", ".join(REP_PROPERTIES)


# --------------------------------------------------------------------------- toys


def sq_mean_distance(X: np.ndarray, Y: np.ndarray) -> float:
    """||mean(X) - mean(Y)||^2: symmetric and finite, not translation or invertible-linear invariant."""
    if X.shape[1] != Y.shape[1]:
        raise ValueError("sq_mean_distance: X and Y must have the same width.")
    return float(np.sum((X.mean(0) - Y.mean(0)) ** 2))


def linear_cka(X: np.ndarray, Y: np.ndarray) -> float:
    """Linear CKA: translation invariant and symmetric, not invertible-linear invariant."""
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    return float(np.linalg.norm(Xc.T @ Yc) ** 2 / (np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc)))


def always_crashes(X: np.ndarray, Y: np.ndarray) -> float:
    raise RuntimeError("always_crashes: broken")


PROPS = ["translation", "invertible_linear", "symmetry", "finite"]


def _targets() -> list[Target]:
    return [
        # Declares translation, which is false: one contradicted declaration.
        Target.from_callable(sq_mean_distance, name="sq", declared={"translation": True, "symmetry": True}),
        # Every declaration right (invertible_linear declared to fail, and it does).
        Target.from_callable(linear_cka, name="cka", declared={"translation": True, "invertible_linear": False}),
        # Crashes everywhere: finite is declared, so its error contradicts the declaration.
        Target.from_callable(always_crashes, name="crash", declared={"finite": True}),
    ]


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[AuditReport, Path]:
    out = tmp_path_factory.mktemp("audit") / "out"
    report = run_audit(_targets(), properties=PROPS, profile="dev", out=out, progress=False)
    return report, out


def _status(report: AuditReport) -> dict[tuple[str, str], str]:
    return {(v.measure, v.property): v.status for v in report.verdicts}


# --------------------------------------------------------------------------- parse_declarations


def test_parse_declarations_pairs() -> None:
    assert parse_declarations("symmetry,translation=false") == {"symmetry": True, "translation": False}


def test_parse_declarations_list_and_spellings() -> None:
    got = parse_declarations(["symmetry", "orthogonal=no,permutation=YES", "finite=1,range=0", "identity=True"])
    assert got == {"symmetry": True, "orthogonal": False, "permutation": True, "finite": True, "range": False, "identity": True}


def test_parse_declarations_whitespace_and_empty_items() -> None:
    assert parse_declarations("  symmetry ,, translation = false ,") == {"symmetry": True, "translation": False}
    assert parse_declarations(None) == {}
    assert parse_declarations("") == {}


def test_parse_declarations_last_one_wins() -> None:
    assert parse_declarations(["symmetry", "symmetry=false"]) == {"symmetry": False}


def test_parse_declarations_bad_name() -> None:
    with pytest.raises(ValueError) as info:
        parse_declarations("symmetry,symetry")
    assert str(info.value) == (
        f"parse_declarations: each declared property must be one of {REP_LIST}; got 'symetry'. "
        "Write --declare translation,orthogonal or name=false for a property that must fail."
    )


def test_parse_declarations_bad_value() -> None:
    with pytest.raises(ValueError) as info:
        parse_declarations("symmetry=maybe")
    assert str(info.value) == "parse_declarations: a declaration's value must be true or false; got 'symmetry=maybe'."


def test_parse_declarations_by_kind() -> None:
    assert parse_declarations("identifiability,symmetry=false", "models") == {"identifiability": True, "symmetry": False}
    with pytest.raises(ValueError, match=r"got 'translation'\. Write --declare"):
        parse_declarations("translation", "models")
    with pytest.raises(ValueError, match=r"got 'identifiability'\. Write --declare"):
        parse_declarations("identifiability")


# --------------------------------------------------------------------------- load_target


MODULE_TEXT = '''
import numpy as np

CONSTANT = 3


def my_dist(X, Y):
    return float(np.abs(X.mean() - Y.mean()))


def _private(X, Y):
    return 0.0


def beta(X, Y):
    return 1.0
'''


@pytest.fixture
def measures_file(tmp_path: Path) -> Path:
    path = tmp_path / "mymeasures.py"
    path.write_text(MODULE_TEXT)
    return path


def test_load_target_registry_name() -> None:
    t = load_target("cka_linear")
    assert (t.name, t.source, t.compares, t.orientation) == ("cka_linear", "cka_linear", "representations", "score")
    assert t.declared["orthogonal"] is True and t.declared["invertible_linear"] is False
    assert t.torch_fn is not None


def test_load_target_registry_overrides() -> None:
    t = load_target("cka_linear", declare={"invertible_linear": True}, orientation="distance")
    assert t.declared["invertible_linear"] is True and t.declared["orthogonal"] is True
    assert t.orientation == "distance"
    assert load_target("cka_linear", orientation="auto").orientation == "score"


def test_load_target_typo_suggests() -> None:
    with pytest.raises(ValueError) as info:
        load_target("cka_lineer")
    msg = str(info.value)
    assert msg.startswith(
        "load_target: a target must be a registry name, path/to/file.py:function or package.module:function; "
        "got 'cka_lineer'. Did you mean 'cka_linear'"
    )


def test_load_target_unknown_name_without_suggestion() -> None:
    with pytest.raises(ValueError) as info:
        load_target("zzzzzzqq")
    assert str(info.value) == (
        "load_target: a target must be a registry name, path/to/file.py:function or package.module:function; "
        "got 'zzzzzzqq'. Run `simaudit list` for the names."
    )


def test_load_target_file(measures_file: Path) -> None:
    before = list(sys.path)
    t = load_target(f"{measures_file}:my_dist")
    assert sys.path == before  # the file's folder is only on sys.path while it is imported
    X = np.arange(6.0).reshape(3, 2)
    assert t.fn(X, X + 1.0) == 1.0
    assert t.source == f"{measures_file.resolve()}:my_dist"
    assert Path(t.source.rpartition(":")[0]).is_absolute()
    assert t.name == "mymeasures:my_dist"
    assert t.compares == "representations" and t.orientation is None
    assert t.declared == {"finite": True, "determinism": True}


def test_load_target_relative_file_gets_an_absolute_source(measures_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(measures_file.parent)
    t = load_target("mymeasures.py:beta", declare={"symmetry": True, "finite": False})
    assert t.source == f"{measures_file.resolve()}:beta"
    assert t.declared == {"finite": False, "determinism": True, "symmetry": True}
    assert t.fn(None, None) == 1.0


def test_load_target_package_module() -> None:
    t = load_target("metrics.representation:cka_linear")
    assert t.fn is metrics.representation.cka_linear
    assert (t.name, t.source) == ("cka_linear", "metrics.representation:cka_linear")
    assert t.declared == {"finite": True, "determinism": True}  # a user target: not the registry's declarations
    assert t.torch_fn is None and t.value_range is None


def test_load_target_missing_file(tmp_path: Path) -> None:
    where = str(tmp_path / "absent.py")
    with pytest.raises(ValueError) as info:
        load_target(f"{where}:f")
    assert str(info.value) == f"load_target: the file of a file.py:function target must exist; got {where!r}."


def test_load_target_missing_function_lists_callables(measures_file: Path) -> None:
    where = str(measures_file)
    with pytest.raises(ValueError) as info:
        load_target(f"{where}:nope")
    assert str(info.value) == f"load_target: the function must exist in {where}; got 'nope'. Callables there: beta, my_dist."


def test_load_target_not_callable(measures_file: Path) -> None:
    with pytest.raises(ValueError) as info:
        load_target(f"{measures_file}:CONSTANT")
    assert str(info.value) == "load_target: the target must be callable; got 'CONSTANT', a int."


def test_load_target_file_raising_on_import(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("raise RuntimeError('broken on import')\n")
    before = list(sys.path)
    with pytest.raises(ValueError) as info:
        load_target(f"{path}:f")
    assert str(info.value) == (
        f"load_target: the target's file must import without error; got RuntimeError: broken on import in {str(path)!r}."
    )
    assert sys.path == before


def test_load_target_module_raising_on_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "simaudit_broken_mod_for_test.py").write_text("raise RuntimeError('broken on import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ValueError) as info:
        load_target("simaudit_broken_mod_for_test:f")
    assert str(info.value) == (
        "load_target: the module of a package.module:function target must import; "
        "got 'simaudit_broken_mod_for_test' (RuntimeError: broken on import)."
    )
    assert "simaudit_broken_mod_for_test" not in sys.modules


def test_load_target_missing_module() -> None:
    with pytest.raises(ValueError) as info:
        load_target("no_such_module_xyz:f")
    assert str(info.value) == (
        "load_target: the module of a package.module:function target must import; "
        "got 'no_such_module_xyz' (ModuleNotFoundError: No module named 'no_such_module_xyz')."
    )


def test_load_target_kind_mismatch() -> None:
    with pytest.raises(ValueError) as info:
        load_target("cka_linear", compares="models")
    assert str(info.value) == "load_target: --kind must match the measure (cka_linear compares representations); got 'models'."
    assert load_target("kl", compares="models").compares == "models"


def test_load_target_bad_options() -> None:
    with pytest.raises(ValueError, match=r"^load_target: compares must be 'representations' or 'models'; got 'graphs'\.$"):
        load_target("cka_linear", compares="graphs")
    with pytest.raises(ValueError, match=r"^load_target: orientation must be 'auto', 'score' or 'distance'; got 'up'\.$"):
        load_target("cka_linear", orientation="up")
    with pytest.raises(ValueError, match=r"got 'f\.py:'\.$"):
        load_target("f.py:")


def test_load_target_user_declarations_are_validated(measures_file: Path) -> None:
    with pytest.raises(ValueError, match=r"^Target.from_callable: declared properties must be among .*; got 'identifiability'\.$"):
        load_target(f"{measures_file}:my_dist", declare={"identifiability": True})


# --------------------------------------------------------------------------- run_audit and its files


def test_audit_verdicts(audited: tuple[AuditReport, Path]) -> None:
    report, _ = audited
    assert report.measures == ["sq", "cka", "crash"]
    assert [(v.measure, v.property) for v in report.verdicts] == [(m, p) for m in ("sq", "cka", "crash") for p in PROPS]
    status = _status(report)
    assert status[("sq", "translation")] == "refuted"
    assert status[("sq", "invertible_linear")] == "refuted"
    assert status[("sq", "symmetry")] == "holds"
    assert status[("cka", "translation")] == "holds"
    assert status[("cka", "invertible_linear")] == "refuted"
    assert all(status[("crash", p)] == "error" for p in PROPS)
    assert [f"{v.measure}:{v.property}" for v in report.violated] == ["sq:translation", "crash:finite"]
    assert report.exit_code == 1
    assert report.profile == "dev"


def test_audit_writes_every_file(audited: tuple[AuditReport, Path]) -> None:
    _, out = audited
    for name in ("report.md", "report.csv", "report.json"):
        assert (out / name).is_file() and (out / name).read_text().strip()
    assert (out / "audit.png").is_file() == HAS_MATPLOTLIB
    if HAS_MATPLOTLIB:
        assert (out / "audit.png").read_bytes().startswith(b"\x89PNG")
    assert not list(out.rglob("*.tmp")) and not list(out.rglob("*.npz.tmp"))


def test_audit_saves_a_counterexample_for_every_refutation_and_error(audited: tuple[AuditReport, Path]) -> None:
    report, out = audited
    found = [v for v in report.verdicts if v.status in ("refuted", "error")]
    assert len(found) == 2 + 1 + 4
    expected = {f"{v.measure}__{v.property}.npz" for v in found}
    assert {p.name for p in (out / "counterexamples").iterdir()} == expected
    for v in found:
        path = Path(report.counterexamples[(v.measure, v.property)])
        meta, case = load_case(path)
        assert (meta["measure"], meta["property"], meta["status"]) == (v.measure, v.property, v.status)
        assert v.case is not None and np.array_equal(case["X"], v.case["X"])
    assert set(report.counterexamples) == {(v.measure, v.property) for v in found}


def test_report_json_agrees_with_the_report(audited: tuple[AuditReport, Path]) -> None:
    report, out = audited
    data = json.loads((out / "report.json").read_text())
    assert data["exit_code"] == report.exit_code == 1
    assert data["violated"] == [f"{v.measure}:{v.property}" for v in report.violated] == ["sq:translation", "crash:finite"]
    assert data["profile"] == "dev" and data["measures"] == ["sq", "cka", "crash"]
    assert data["counts"] == {"refuted": 3, "holds": 5, "error": 4}
    assert [(r["measure"], r["property"], r["status"], r["outcome"]) for r in data["results"]] == [
        (v.measure, v.property, v.status, v.outcome) for v in report.verdicts
    ]
    assert data["orientations"]["sq"].startswith("inferred distance")
    assert data["orientations"]["cka"].startswith("inferred score")


def test_report_csv_rows_and_replay_commands(audited: tuple[AuditReport, Path]) -> None:
    report, out = audited
    with (out / "report.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(report.verdicts)
    assert [(r["measure"], r["property"], r["status"]) for r in rows] == [(v.measure, v.property, v.status) for v in report.verdicts]
    for r in rows:
        if r["status"] in ("refuted", "error"):
            assert r["counterexample"].endswith(f"{r['measure']}__{r['property']}.npz")
            assert Path(r["counterexample"]).is_file()
            assert r["replay"] == f"simaudit replay {r['counterexample']}"
        else:
            assert r["counterexample"] == "" and r["replay"] == ""


def test_report_markdown_matrix(audited: tuple[AuditReport, Path]) -> None:
    report, out = audited
    md = (out / "report.md").read_text()
    assert md == render(report, "md") + "\n"
    lines = md.splitlines()
    assert lines[0].startswith("# simaudit audit (dev profile, ")
    header = "| measure | translation | invertible_linear | symmetry | finite |"
    i = lines.index(header)
    rows = [ln for ln in lines[i + 2:] if ln.startswith("| ")]
    assert [r.split(" | ")[0] for r in rows] == ["| sq", "| cka", "| crash"]  # one row per measure
    cells = {r.split(" | ")[0][2:]: [c.strip() for c in r.strip("|").split("|")[1:]] for r in rows}
    assert cells["sq"][0] == "**✗**"  # declared translation, refuted: bold
    assert cells["sq"][1] == "✗"  # refuted, nothing declared: plain
    assert cells["sq"][2].startswith("✓ ") and int(cells["sq"][2][2:]) > 0
    assert cells["cka"][1] == "✗"  # declared to fail, and it does: plain
    assert cells["crash"] == ["!", "!", "!", "**!**"]
    assert "## Contradicted declarations: 2" in md
    assert "- **sq / translation** (declared to hold): refuted;" in md
    assert f"  replay: `simaudit replay {report.counterexamples[('sq', 'translation')]}`" in md
    assert "## Counterexamples (as declared, or nothing declared)" in md


def test_render_csv_and_json_match_the_files(audited: tuple[AuditReport, Path]) -> None:
    report, out = audited
    assert (out / "report.csv").read_text() == render(report, "csv") + "\n"
    assert json.loads(render(report, "json"))["results"] == json.loads((out / "report.json").read_text())["results"]
    with pytest.raises(ValueError, match=r"^render: fmt must be 'md', 'csv' or 'json'; got 'html'\.$"):
        render(report, "html")


def test_run_audit_without_out_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    report = run_audit([Target.from_callable(linear_cka, name="cka")], properties=["symmetry", "triangle"], progress=False)
    assert [(v.property, v.status) for v in report.verdicts] == [("symmetry", "holds"), ("triangle", "n/a")]
    assert report.counterexamples == {} and report.exit_code == 0
    assert all(r["replay"] == "" for r in report.rows())
    assert list(tmp_path.iterdir()) == []


def test_run_audit_filters_properties_by_kind() -> None:
    report = run_audit(["kl", Target.from_callable(linear_cka, name="cka")], properties=["translation", "identifiability"],
                       progress=False)
    assert [(v.measure, v.property) for v in report.verdicts] == [("kl", "identifiability"), ("cka", "translation")]
    assert report.exit_code == 0  # kl's identifiability holds as declared


def test_write_outputs_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "taken"
    path.write_text("x")
    report = AuditReport([], "dev", 0.0)
    with pytest.raises(ValueError) as info:
        write_outputs(report, path)
    assert str(info.value) == f"write_outputs: out must be a folder (created if missing); got {str(path)!r}, an existing file."
    assert path.read_text() == "x"


def test_write_figure_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    report = AuditReport([Verdict("m", "symmetry", "holds", None, 3, 0, "")], "dev", 0.0)
    assert write_figure(report, tmp_path / "audit.png") is False
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"profile": "fast"}, "run_audit: profile must be one of dev, ci, thorough; got 'fast'."),
        ({"properties": ["symmetry", "symetry"]}, "run_audit: each property must be one of "),
        ({"jobs": 0}, "run_audit: jobs must be an integer >= 1; got 0."),
        ({"time_limit": 0.0}, "run_audit: time_limit must be > 0 seconds; got 0.0."),
    ],
)
def test_run_audit_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as info:
        run_audit(["cka_linear"], progress=False, **kwargs)  # type: ignore[arg-type]
    assert str(info.value).startswith(message)


# --------------------------------------------------------------------------- exit code


def _v(status: str, declared: bool | None) -> Verdict:
    return Verdict("m", f"p_{status}_{declared}", status, declared, 1, 0, "")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "declared", "code"),
    [
        ("holds", True, 0),
        ("refuted", True, 1),  # a declared property refuted
        ("error", True, 1),  # a declared property erroring
        ("error", False, 1),
        ("holds", False, 1),  # declared to fail, but no counterexample: the declaration is not borne out
        ("refuted", False, 0),
        ("refuted", None, 0),  # findings without a declaration never fail the audit
        ("error", None, 0),
        ("n/a", True, 0),
        ("inconclusive", True, 1),
    ],
)
def test_exit_code(status: str, declared: bool | None, code: int) -> None:
    ok = [_v("holds", True), _v("refuted", False), _v("n/a", None)]
    assert AuditReport(ok, "dev", 0.0).exit_code == 0
    report = AuditReport([*ok, _v(status, declared)], "dev", 0.0)
    assert report.exit_code == code
    assert report.to_json()["exit_code"] == code
    assert len(report.to_json()["violated"]) == code


# --------------------------------------------------------------------------- worker processes


def test_jobs_two_matches_jobs_one() -> None:
    kwargs = {"properties": ["translation", "symmetry", "invertible_linear"], "progress": False}
    one = run_audit(["cka_linear", "procrustes"], jobs=1, **kwargs)  # type: ignore[arg-type]
    two = run_audit(["cka_linear", "procrustes"], jobs=2, **kwargs)  # type: ignore[arg-type]
    assert [(v.measure, v.property, v.status) for v in two.verdicts] == [(v.measure, v.property, v.status) for v in one.verdicts]
    assert _status(one)[("cka_linear", "invertible_linear")] == "refuted"
    assert _status(one)[("procrustes", "translation")] == "holds"
    for a, b in zip(one.verdicts, two.verdicts, strict=True):  # the seeded search is the same in a worker
        assert (a.case is None) == (b.case is None)
        if a.case is not None and b.case is not None:
            assert all(np.array_equal(np.asarray(a.case[k]), np.asarray(b.case[k])) for k in a.case)
    assert one.orientations == two.orientations


# --------------------------------------------------------------------------- known bugs


def test_same_named_functions_from_two_files_are_kept_apart(tmp_path: Path) -> None:
    # v1 and v2 of metric.py:score (a natural "compare two versions" audit) are both named "metric:score".
    for sub, extra in (("v1", ""), ("v2", " + X.shape[0]")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "metric.py").write_text(
            f"import numpy as np\n\n\ndef score(X, Y):\n    return float(np.sum((X.mean(0) - Y.mean(0)) ** 2)){extra}\n"
        )
    specs = [f"{tmp_path / sub / 'metric.py'}:score" for sub in ("v1", "v2")]
    report = run_audit(specs, properties=["translation"], out=tmp_path / "o", progress=False)
    assert [v.status for v in report.verdicts] == ["refuted", "refuted"]
    assert len(report.measures) == 2  # today: one row, the second function's verdicts hide the first's
    assert len(list((tmp_path / "o" / "counterexamples").iterdir())) == 2  # today: v2's file overwrites v1's
