"""``simaudit audit``: a report card of properties for built-in measures and users' functions.

:func:`load_target` turns what a user types (a registry name,
``path/to/file.py:function`` or ``package.module:function``) into a
:class:`properties.engine.Target`; :func:`run_audit` searches every property
of every target with :func:`properties.engine.search`, saves each
counterexample as ``.npz`` (replayed by ``simaudit replay FILE``) and writes
``report.md``, ``report.csv``, ``report.json`` and ``audit.png`` atomically
into the output folder.

Examples
--------
>>> import numpy as np
>>> from properties.engine import Target
>>> t = Target.from_callable(lambda X, Y: float(np.abs(X - Y).sum()), name="l1", declared={"orthogonal": True})
>>> report = run_audit([t], properties=["orthogonal", "symmetry"], progress=False)
>>> [(v.property, v.status, v.outcome) for v in report.verdicts]
[('orthogonal', 'refuted', 'violated'), ('symmetry', 'holds', 'undeclared')]
>>> report.exit_code
1
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import io
import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from metrics._validation import fail
from properties.engine import (
    MODEL_PROPERTIES,
    PROFILE_BUDGETS,
    PROPERTIES,
    REP_PROPERTIES,
    Target,
    Verdict,
    audit_target,
    infer_orientation,
    save_case,
)

__all__ = ["AuditReport", "load_target", "parse_declarations", "render", "run_audit", "write_outputs"]

#: Cell symbols of the Markdown matrix.
SYMBOLS = {"holds": "✓", "refuted": "✗", "error": "!", "n/a": "·", "inconclusive": "?"}


def parse_declarations(text: str | Sequence[str] | None, compares: str | None = "representations") -> dict[str, bool]:
    """``"translation,orthogonal=false"`` -> ``{"translation": True, "orthogonal": False}``.

    Examples
    --------
    >>> parse_declarations("symmetry, translation=false")
    {'symmetry': True, 'translation': False}
    """
    func = "parse_declarations"
    if text is None:
        return {}
    items = [text] if isinstance(text, str) else list(text)
    allowed = tuple(PROPERTIES) if compares is None else REP_PROPERTIES if compares == "representations" else MODEL_PROPERTIES
    out: dict[str, bool] = {}
    for item in items:
        for raw in item.split(","):
            token = raw.strip()
            if not token:
                continue
            name, _, value = token.partition("=")
            name = name.strip()
            if name not in allowed:
                fail(func, f"each declared property must be one of {', '.join(allowed)}", repr(name),
                     "Write --declare translation,orthogonal or name=false for a property that must fail.")
            v = value.strip().lower()
            if v in ("", "true", "yes", "1"):
                out[name] = True
            elif v in ("false", "no", "0"):
                out[name] = False
            else:
                fail(func, "a declaration's value must be true or false", repr(token))
    return out


def _load_callable(spec: str) -> tuple[Callable[..., Any], str]:
    """Import ``path/to/file.py:function`` or ``package.module:function``; return (fn, canonical source)."""
    func = "load_target"
    where, _, attr = spec.rpartition(":")
    if not where or not attr:
        fail(func, "a target must be a registry name, path/to/file.py:function or package.module:function", repr(spec))
    if where.endswith(".py") or os.sep in where or "/" in where:
        path = Path(where).expanduser().resolve()
        if not path.is_file():
            fail(func, "the file of a file.py:function target must exist", repr(where))
        mod_name = f"_simaudit_user_{abs(hash(str(path)))}"
        module_spec = importlib.util.spec_from_file_location(mod_name, path)
        if module_spec is None or module_spec.loader is None:
            fail(func, "the file of a file.py:function target must be a Python source file", repr(where))
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[mod_name] = module
        sys.path.insert(0, str(path.parent))
        try:
            module_spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - the user's module failed to import
            fail(func, "the target's file must import without error", f"{type(exc).__name__}: {exc} in {where!r}")
        finally:
            sys.path.remove(str(path.parent))
        source = f"{path}:{attr}"
    else:
        try:
            module = importlib.import_module(where)
        except Exception as exc:  # noqa: BLE001 - ImportError or an error inside the module
            fail(func, "the module of a package.module:function target must import", f"{where!r} ({type(exc).__name__}: {exc})")
        source = spec
    if not hasattr(module, attr):
        names = sorted(n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n)))
        fail(func, f"the function must exist in {where}", repr(attr), f"Callables there: {', '.join(names[:12]) or 'none'}.")
    fn = getattr(module, attr)
    if not callable(fn):
        fail(func, "the target must be callable", f"{attr!r}, a {type(fn).__name__}")
    return fn, source


def load_target(
    spec: str,
    *,
    compares: str | None = None,
    orientation: str | None = None,
    declare: Mapping[str, bool] | None = None,
) -> Target:
    """The :class:`Target` for a registry name, ``path/to/file.py:function`` or ``package.module:function``.

    For a registry measure, ``declare`` overrides the record's declarations;
    for a user function it is all there is. ``compares`` defaults to the
    record's (registry) or ``"representations"``.

    Examples
    --------
    >>> load_target("cka_linear").declared["orthogonal"]
    True
    >>> load_target("cka_lineer")
    Traceback (most recent call last):
    ...
    ValueError: load_target: a target must be a registry name, path/to/file.py:function or package.module:function; got 'cka_lineer'. Did you mean 'cka_linear', ...?
    """
    from metrics.registry import REGISTRY, _did_you_mean, get

    func = "load_target"
    if compares not in (None, "representations", "models"):
        fail(func, "compares must be 'representations' or 'models'", repr(compares))
    if orientation not in (None, "auto", "score", "distance"):
        fail(func, "orientation must be 'auto', 'score' or 'distance'", repr(orientation))
    orient = None if orientation in (None, "auto") else orientation
    if ":" not in spec:
        if spec not in REGISTRY:
            fail(func, "a target must be a registry name, path/to/file.py:function or package.module:function", repr(spec),
                 _did_you_mean(spec, list(REGISTRY)).strip() or "Run `simaudit list` for the names.")
        rec = get(spec)
        if compares is not None and compares != rec.compares:
            fail(func, f"--kind must match the measure ({spec} compares {rec.compares})", repr(compares))
        target = Target.from_spec(rec)
        if declare:
            target = replace(target, declared={**target.declared, **declare})
        if orient is not None:
            target = replace(target, orientation=orient)  # type: ignore[arg-type]
        return target
    fn, source = _load_callable(spec)
    # A user's function is expected to return a finite value, the same on every call, unless declared otherwise.
    declared = {"finite": True, "determinism": True, **(declare or {})}
    return Target.from_callable(
        fn,
        name=spec.rpartition(":")[2] if ".py:" not in spec else Path(spec.rpartition(":")[0]).stem + ":" + spec.rpartition(":")[2],
        compares=compares or "representations",  # type: ignore[arg-type]
        orientation=orient,  # type: ignore[arg-type]
        declared=declared,
        source=source,
    )


# --------------------------------------------------------------------------- running


@dataclass
class AuditReport:
    """Every verdict of an audit, with the settings that produced it."""

    verdicts: list[Verdict]
    profile: str
    seconds: float
    orientations: dict[str, str] = field(default_factory=dict)
    counterexamples: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def measures(self) -> list[str]:
        seen: dict[str, None] = {}
        for v in self.verdicts:
            seen.setdefault(v.measure, None)
        return list(seen)

    @property
    def violated(self) -> list[Verdict]:
        """Verdicts that contradict a declaration (a declared property refuted or erroring)."""
        return [v for v in self.verdicts if v.outcome == "violated"]

    @property
    def exit_code(self) -> int:
        """1 when a declared property is contradicted, else 0."""
        return 1 if self.violated else 0

    def replay_command(self, v: Verdict) -> str:
        path = self.counterexamples.get((v.measure, v.property))
        return f"simaudit replay {path}" if path else ""

    def rows(self) -> list[dict[str, Any]]:
        """One row per (measure, property): the long table behind CSV and JSON."""
        out = []
        for v in self.verdicts:
            row = v.to_dict()
            row["counterexample"] = self.counterexamples.get((v.measure, v.property), "")
            row["replay"] = self.replay_command(v)
            out.append(row)
        return out

    def to_json(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for v in self.verdicts:
            counts[v.status] = counts.get(v.status, 0) + 1
        return {
            "profile": self.profile,
            "seconds": round(self.seconds, 2),
            "measures": self.measures,
            "orientations": self.orientations,
            "counts": counts,
            "violated": [f"{v.measure}:{v.property}" for v in self.violated],
            "exit_code": self.exit_code,
            "results": self.rows(),
        }


def _audit_one(source: str, compares: str | None, orientation: str | None, declare: dict[str, bool],
               properties: Sequence[str] | None, profile: str, time_limit: float, seed: int) -> tuple[list[Verdict], str]:
    target = load_target(source, compares=compares, orientation=orientation, declare=declare)
    return _audit_loaded(target, properties, profile, time_limit, seed)


def _audit_loaded(target: Target, properties: Sequence[str] | None, profile: str, time_limit: float, seed: int) -> tuple[list[Verdict], str]:
    allowed = REP_PROPERTIES if target.compares == "representations" else MODEL_PROPERTIES
    props = [p for p in (properties or allowed) if p in allowed]
    verdicts = audit_target(target, props, profile=profile, time_limit=time_limit, seed=seed)
    return verdicts, infer_orientation(target, time_limit)[2]


def _unique_targets(targets: Sequence[Target | str]) -> list[Target | str]:
    """Drop repeated targets and give distinct loaded targets with the same display name distinct names."""
    out: list[Target | str] = []
    seen_src: set[str] = set()
    for t in targets:
        key = t if isinstance(t, str) else (t.source or f"id:{id(t)}")
        if key in seen_src:
            continue
        seen_src.add(key)
        out.append(t)
    return out


def _dedupe_names(verdict_lists: list[list[Verdict]]) -> None:
    """Rename in place so that two targets never share a display name (their files would collide)."""
    used: dict[str, int] = {}
    for i, vs in enumerate(verdict_lists):
        if not vs:
            continue
        name = vs[0].measure
        if name in used:
            used[name] += 1
            new = f"{name}#{used[name]}"
            verdict_lists[i] = [replace(v, measure=new) for v in vs]
        else:
            used[name] = 1


def _progress(total: int, enabled: bool | None) -> Any:
    from tqdm.auto import tqdm

    disable = (not sys.stderr.isatty()) if enabled is None else (not enabled)
    return tqdm(total=total, desc="audit", unit="measure", disable=disable, file=sys.stderr)


def run_audit(
    targets: Sequence[Target | str],
    *,
    properties: Sequence[str] | None = None,
    profile: str = "dev",
    time_limit: float = 10.0,
    seed: int = 0,
    jobs: int = 1,
    out: str | os.PathLike[str] | None = None,
    compares: str | None = None,
    orientation: str | None = None,
    declare: Mapping[str, bool] | None = None,
    progress: bool | None = None,
) -> AuditReport:
    """Audit every target and return the :class:`AuditReport` (also written to ``out`` when given).

    Parameters
    ----------
    targets : sequence of Target or str
        Loaded targets, or strings for :func:`load_target` (strings can run
        in ``jobs`` worker processes; loaded targets run in this process).
    properties : sequence of str, optional
        Restrict to these properties (default: all that apply).
    profile : {"dev", "ci", "thorough"}
        The search budget (:data:`properties.engine.PROFILE_BUDGETS`).
    time_limit : float
        Per-call limit in seconds; a call past it is reported as an error.
    jobs : int
        Worker processes for string targets (1: run here).
    out : path, optional
        Folder for the report files and the counterexamples.
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).
    """
    func = "run_audit"
    if profile not in PROFILE_BUDGETS:
        fail(func, f"profile must be one of {', '.join(PROFILE_BUDGETS)}", repr(profile))
    for p in properties or ():
        if p not in PROPERTIES:
            fail(func, f"each property must be one of {', '.join(PROPERTIES)}", repr(p))
    if not isinstance(jobs, int) or jobs < 1:
        fail(func, "jobs must be an integer >= 1", repr(jobs))
    if not (time_limit > 0):
        fail(func, "time_limit must be > 0 seconds", repr(time_limit))
    start = time.perf_counter()
    decl = dict(declare or {})
    targets = _unique_targets(targets)
    results: dict[int, tuple[list[Verdict], str]] = {}
    bar = _progress(len(targets), progress)
    try:
        if jobs > 1 and all(isinstance(t, str) for t in targets):
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = {
                    pool.submit(_audit_one, str(t), compares, orientation, decl, properties, profile, time_limit, seed): i
                    for i, t in enumerate(targets)
                }
                for fut in as_completed(futures):
                    results[futures[fut]] = fut.result()
                    bar.set_postfix_str(str(targets[futures[fut]])[:30])
                    bar.update(1)
        else:
            for i, t in enumerate(targets):
                bar.set_postfix_str(str(t if isinstance(t, str) else t.name)[:30])
                target = load_target(t, compares=compares, orientation=orientation, declare=decl) if isinstance(t, str) else t
                results[i] = _audit_loaded(target, properties, profile, time_limit, seed)
                bar.update(1)
    finally:
        bar.close()
    verdicts: list[Verdict] = []
    orientations: dict[str, str] = {}
    lists = [results[i][0] for i in range(len(targets))]
    _dedupe_names(lists)
    for i in range(len(targets)):
        vs, note = lists[i], results[i][1]
        verdicts.extend(vs)
        if vs:
            orientations[vs[0].measure] = note
    report = AuditReport(verdicts, profile, time.perf_counter() - start, orientations)
    if out is not None:
        write_outputs(report, out)
    return report


# --------------------------------------------------------------------------- rendering


def _cell(v: Verdict) -> str:
    s = SYMBOLS[v.status]
    if v.status == "holds":
        s += f" {v.examples}"
    if v.outcome == "violated":
        return f"**{s}**"
    return s


def render(report: AuditReport, fmt: str = "md") -> str:
    """The report as ``md`` (a measures x properties matrix, then every finding), ``csv`` or ``json``."""
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2, allow_nan=True)
    if fmt == "csv":
        rows = report.rows()
        buf = io.StringIO()
        cols = list(rows[0]) if rows else ["measure", "property", "status"]
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return buf.getvalue().rstrip("\n")
    if fmt != "md":
        fail("render", "fmt must be 'md', 'csv' or 'json'", repr(fmt))
    props = [p for p in PROPERTIES if any(v.property == p for v in report.verdicts)]
    by = {(v.measure, v.property): v for v in report.verdicts}
    lines = [
        f"# simaudit audit ({report.profile} profile, {report.seconds:.1f} s)",
        "",
        "✓ n: holds on n inputs · ✗: refuted (counterexample saved) · !: the function failed on an input · "
        "·: not applicable · ?: every input degenerate. **Bold**: contradicts the declaration.",
        "",
        "| measure | " + " | ".join(props) + " |",
        "|---|" + "|".join("---" for _ in props) + "|",
    ]
    for m in report.measures:
        cells = [_cell(by[(m, p)]) if (m, p) in by else "" for p in props]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    violated = report.violated
    lines += ["", f"## Contradicted declarations: {len(violated)}", ""]
    for v in violated:
        lines.append(f"- **{v.measure} / {v.property}** (declared {'to hold' if v.declared else 'to fail'}): {v.status}; {v.detail}")
        if report.replay_command(v):
            lines.append(f"  replay: `{report.replay_command(v)}`")
    findings = [v for v in report.verdicts if v.status in ("refuted", "error") and v.outcome != "violated"]
    if findings:
        lines += ["", "## Counterexamples (as declared, or nothing declared)", ""]
        for v in findings:
            extra = f" replay: `{report.replay_command(v)}`" if report.replay_command(v) else ""
            lines.append(f"- {v.measure} / {v.property}: {v.detail} (effect {v.effect:.3g}, {v.origin}).{extra}")
    notes = {m: n for m, n in report.orientations.items() if "inferred" in n or "unknown" in n}
    if notes:
        lines += ["", "## Orientation", ""] + [f"- {m}: {n}" for m, n in notes.items()]
    return "\n".join(lines)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_COLOURS = {"holds": "#4caf50", "refuted": "#ff9800", "error": "#9c27b0", "n/a": "#e0e0e0", "inconclusive": "#fff59d"}


def write_figure(report: AuditReport, path: Path) -> bool:
    """A measures x properties heat map (status colours, contradicted declarations outlined in red).

    Returns False (and writes nothing) when matplotlib is not installed.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap
        from matplotlib.patches import Patch, Rectangle
    except ImportError:
        return False
    import numpy as np

    props = [p for p in PROPERTIES if any(v.property == p for v in report.verdicts)]
    measures = report.measures
    order = list(_COLOURS)
    grid = np.full((len(measures), len(props)), order.index("n/a"))
    by = {(v.measure, v.property): v for v in report.verdicts}
    fig, ax = plt.subplots(figsize=(2.5 + 0.45 * len(props), 2.6 + 0.22 * len(measures)))
    for i, m in enumerate(measures):
        for j, p in enumerate(props):
            if (m, p) in by:
                grid[i, j] = order.index(by[(m, p)].status)
    ax.imshow(grid, cmap=ListedColormap([_COLOURS[s] for s in order]), vmin=0, vmax=len(order) - 1, aspect="auto")
    for i, m in enumerate(measures):
        for j, p in enumerate(props):
            v = by.get((m, p))
            if v is not None and v.outcome == "violated":
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2))
    ax.set_xticks(range(len(props)), props, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(measures)), measures, fontsize=7)
    ax.set_title(f"simaudit audit ({report.profile}): red outline = contradicts the declaration", fontsize=9)
    ax.legend(handles=[Patch(color=_COLOURS[s], label=s) for s in order], loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True


def write_outputs(report: AuditReport, out: str | os.PathLike[str]) -> dict[str, Path]:
    """Save counterexamples and write report.md/.csv/.json and audit.png into ``out`` (atomically)."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        fail("write_outputs", "out must be a folder (created if missing)", f"{str(folder)!r}, an existing file")
    folder.mkdir(parents=True, exist_ok=True)
    for v in report.verdicts:
        if v.case is not None:
            path = save_case(v, folder / "counterexamples")
            report.counterexamples[(v.measure, v.property)] = str(path)
    written = {}
    for fmt, name in (("md", "report.md"), ("csv", "report.csv"), ("json", "report.json")):
        _atomic_write(folder / name, render(report, fmt))
        written[fmt] = folder / name
    if write_figure(report, folder / "audit.png"):
        written["png"] = folder / "audit.png"
    return written
