"""The ``simaudit`` command line.

Subcommands: ``list``, ``compare``, ``model-distance``, ``construct``,
``audit``, ``replay``, ``claims``, ``bench``. Every
user error (bad file, bad option, bad array, degenerate input) is printed as
one line ``simaudit <command>: error: <message>`` on stderr with exit code 2;
a traceback means a bug in simaudit.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["main"]

EXIT_USAGE = 2


class CLIError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error.

    argparse's default prints the usage block before ``prog: error: message``;
    the CLI contract is a single ``simaudit <command>: error: ...`` line.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}. Run `{self.prog} --help` for usage.\n")


# ----------------------------------------------------------------------------- formatting


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.6g}"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def format_table(rows: Sequence[dict[str, Any]], fmt: str) -> str:
    """Render rows (dicts with the same keys) as ``table`` (aligned text), ``md``, ``csv`` or ``json``."""
    if fmt == "json":
        return json.dumps(list(rows), indent=2, allow_nan=True)
    cols = list(rows[0]) if rows else []
    cells = [[_fmt(r[c]) for c in cols] for r in rows]
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows([[("" if r[c] is None else r[c]) for c in cols] for r in rows])
        return buf.getvalue().rstrip("\n")
    if fmt == "md":
        lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells]
        return "\n".join(lines)
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- helpers


def _device(name: str) -> Any:
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise CLIError("--device must name an available device; got 'cuda' but torch.cuda.is_available() is False. Use --device cpu or auto.")
    return torch.device(name)


def _int_list(text: str) -> list[int]:
    try:
        return [int(t) for t in text.split(",") if t.strip() != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be comma-separated integers like 0,5,9; got {text!r}") from None


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer; got {text!r}")
    return value


def _magic(p: Path) -> bytes:
    with p.open("rb") as fh:
        return fh.read(6)


def _load_npy(path: str, name: str) -> Any:
    import numpy as np

    p = Path(path)
    if not p.is_file():
        raise CLIError(f"{name} must be an existing .npy file; got {path!r} (no such file).")
    # np.load would return an NpzFile for a zip archive and report any other file as
    # "pickled data" (or raise EOFError when empty): check the .npy magic first.
    magic = _magic(p)
    if magic.startswith(b"PK"):
        raise CLIError(f"{name} must be a .npy array file; got {path!r} (a zip/.npz archive). Save one array with np.save.")
    if magic != b"\x93NUMPY":
        raise CLIError(f"{name} must be a .npy array file; got {path!r} (not in .npy format). Save the array with np.save.")
    try:
        return np.load(p, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise CLIError(f"{name} must be a .npy array file readable without pickle; got {path!r} ({exc}).") from None


def _load_model(path: str, name: str) -> Any:
    from metrics.models import SoftmaxModel

    try:
        return SoftmaxModel.load(path)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"{name}: {exc}") from None


# ----------------------------------------------------------------------------- subcommands


def cmd_list(args: argparse.Namespace) -> int:
    from metrics.registry import specs

    rows = [s.as_row() for s in specs(args.compares)]
    if args.format == "table":
        keep = ["name", "kind", "compares", "translation", "isotropic_scaling", "orthogonal", "invertible_linear",
                "permutation", "identifiability", "symmetry", "triangle", "range", "summary"]
        rows = [{k: r[k] for k in keep} for r in rows]
    print(format_table(rows, args.format))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from metrics.registry import REGISTRY, _did_you_mean, get, names

    X = _load_npy(args.x, "X")
    Y = _load_npy(args.y, "Y")
    metrics = args.metric or names("representations")
    for name in metrics:
        if name not in REGISTRY:
            raise CLIError(
                f"--metric must name a registered measure; got {name!r}.{_did_you_mean(name, list(REGISTRY))} "
                "Run `simaudit list --compares representations`."
            )
    rows = []
    for name in metrics:
        spec = get(name)
        if spec.compares != "representations":
            raise CLIError(f"--metric must name a representation measure; got {name!r}, which compares {spec.compares} (use `simaudit model-distance`).")
        value = float(spec.numpy_fn(X, Y))
        rows.append({"metric": name, "kind": spec.kind, "value": value})
    if args.format == "json":
        print(json.dumps({r["metric"]: r["value"] for r in rows}, indent=2))
    else:
        print(format_table(rows, args.format))
    return 0


def cmd_model_distance(args: argparse.Namespace) -> int:
    import torch

    from metrics.torch_model_distances import model_distances

    p = _load_model(args.p, "P")
    q = _load_model(args.q, "Q")
    if (p.N, p.K, p.M) != (q.N, q.K, q.M):
        raise CLIError(
            f"P and Q must have the same N, K and M; got P: F{p.F.shape}, G{p.G.shape} and Q: F{q.F.shape}, G{q.G.shape}."
        )
    dev = _device(args.device)
    started = time.perf_counter()
    t = [torch.tensor(a.copy(), dtype=torch.float64, device=dev) for a in (p.F, p.G, q.F, q.G)]
    res = model_distances(
        *t, label_pivot=args.label_pivot, left_out=args.left_out, input_set=args.input_set,
        num_samples=args.num_samples, seed=args.seed, lam=args.lam, max_subsets=args.max_subsets,
        rep_samples=args.rep_samples, progress=False if args.no_progress else None,
    )
    out = res.to_dict()
    if args.format == "json":
        print(json.dumps(out, indent=2))
        return 0
    llv = out["llv"]
    rows = [{"quantity": k, "value": out[k]} for k in ("kl", "kl_reverse", "js", "tv", "hellinger", "chi2", "logit")]
    rows.append({"quantity": "llv", "value": llv["value"]})
    rows += [{"quantity": f"  llv.{k}", "value": llv[k]} for k in ("t1", "t2", "t3", "t4")]
    rows += [{"quantity": k, "value": out[k]} for k in ("d_svd_f", "d_svd_g", "d_fg")]
    rows.append({"quantity": "bound 2*M*d_LLV", "value": out["bound"]})
    rows += [{"quantity": k, "value": out[k]} for k in ("mcca", "d_rep")]
    print(format_table(rows, "table"))
    print(
        f"\nlabel pivot y0={llv['label_pivot']}, left-out={llv['left_out']}, input set={llv['input_set']}; "
        f"d_fg over {res.fg.num_subsets} label subset(s) ({'all' if res.fg.exhaustive else 'seeded sample'}); "
        f"N={p.N}, K={p.K}, M={p.M}, device={dev}; computed in {time.perf_counter() - started:.2f} s"
    )
    informative = llv["value"] < 1 / (2 * p.M)
    print(f"Thm 4.6 bound d_fg <= 2 M d_LLV: {'holds' if res.fg.value <= out['bound'] else 'VIOLATED'}"
          + ("" if informative else " (not informative: d_LLV >= 1/(2M))"))
    return 0


def cmd_construct(args: argparse.Namespace) -> int:
    from constructions.catalogue import CONSTRUCTIONS, build, parse_settings

    if args.list or args.name is None:
        rows = [{"name": n, "kind": c.kind, "parameters": c.signature(), "summary": c.summary} for n, c in CONSTRUCTIONS.items()]
        print(format_table(rows, args.format))
        return 0
    if args.out is None:
        raise CLIError("--out must name the folder to write; got nothing. Example: simaudit construct kl-vanishing --out runs/klv")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out must name a folder (created if missing); got {args.out!r} (an existing file).")
    settings = parse_settings(args.name, args.set or [])
    path = build(args.name, settings, out)
    print(f"wrote {path}")
    return 0


def _profile(args: argparse.Namespace) -> str:
    from properties.profiles import selected_profile

    return args.profile or selected_profile()


def cmd_audit(args: argparse.Namespace) -> int:
    from metrics.registry import names
    from properties.audit import parse_declarations, render, run_audit

    targets = list(args.targets) or names(None if args.kind is None else ("representations" if args.kind == "representation" else "models"))
    compares = None if args.kind is None else ("representations" if args.kind == "representation" else "models")
    # Without --kind the declarations are checked per target (registry records know their kind; a user
    # function defaults to representations and Target.from_callable rejects what does not apply).
    declare = parse_declarations(args.declare, compares)
    properties = [p.strip() for p in args.properties.split(",") if p.strip()] if args.properties else None
    if args.jobs < 1:
        raise CLIError(f"--jobs must be an integer >= 1; got {args.jobs}.")
    if not args.time_limit > 0:
        raise CLIError(f"--time-limit must be > 0 seconds; got {args.time_limit}.")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out must name a folder (created if missing); got {args.out!r} (an existing file).")
    report = run_audit(
        targets, properties=properties, profile=_profile(args), time_limit=args.time_limit, seed=args.seed,
        jobs=args.jobs, out=out, compares=compares, orientation=args.orientation, declare=declare,
        progress=False if args.no_progress else None,
    )
    print(render(report, args.format))
    n_bad = len(report.violated)
    print(
        f"\naudited {len(report.measures)} measure(s), {len(report.verdicts)} properties in {report.seconds:.1f} s "
        f"({report.profile} profile); {n_bad} contradicted declaration(s). Reports in {out}/ (report.md, report.csv, "
        "report.json, audit.png; counterexamples/*.npz).",
        file=sys.stderr,
    )
    return report.exit_code


def cmd_replay(args: argparse.Namespace) -> int:
    from properties.audit import load_target
    from properties.engine import load_case, replay

    if not args.time_limit > 0:
        raise CLIError(f"--time-limit must be > 0 seconds; got {args.time_limit}.")
    meta, _case = load_case(args.file)
    source = args.target or meta.get("source")
    if not source:
        raise CLIError(f"FILE must record the measure it came from; got {args.file!r} without a source. Pass --target.")
    # Another function (--target) keeps its own orientation; the audited one gets the one recorded.
    orientation = meta.get("orientation") if args.target is None else None
    target = load_target(str(source), compares=meta.get("compares"), orientation=orientation)
    label = f"{target.name if args.target else meta.get('measure')} / {meta.get('property')}"
    try:
        result = replay(args.file, target, time_limit=args.time_limit)
    except RuntimeError as exc:
        print(f"{label}: {exc}")
        return 1
    verdict = "holds" if result.holds else "REFUTED"
    print(f"{label}: {verdict} on this input; {result.detail}")
    return 0 if result.holds else 1


def cmd_claims(args: argparse.Namespace) -> int:
    from properties.claims import render_claims, run_claims

    keys = [k.strip() for k in args.only.split(",") if k.strip()] if args.only else None
    show = not args.no_progress and sys.stderr.isatty()
    results = run_claims(_profile(args), keys=keys, progress=(lambda msg: print(msg, file=sys.stderr)) if show else None)
    print(render_claims(results, args.format))
    return 0


def _positive_int_list(text: str) -> list[int]:
    try:
        values = [int(t) for t in text.split(",") if t.strip() != ""]
    except ValueError:
        values = []
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"must be comma-separated positive integers like 1000,3000; got {text!r}")
    return values


def _percentage(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a percentage >= 0 like 25; got {text!r}")
    return value


def _bench_grid(args: argparse.Namespace) -> Any:
    """The grid named by --quick/--full (default otherwise), with any explicit --n/--p/--q/--N/--K/--M."""
    from dataclasses import replace

    from benchmarks.runner import GRIDS

    grid = GRIDS["quick" if args.quick else "full" if args.full else "default"]
    if args.n or args.p or args.q:
        rep = grid.representations
        ns = args.n or sorted({s[0] for s in rep})
        if args.p or args.q:
            ps = args.p or sorted({s[1] for s in rep})
            pqs = [(a, b) for a in ps for b in (args.q or [a])]
        else:
            pqs = sorted({(s[1], s[2]) for s in rep})
        grid = replace(grid, name=grid.name + "+sizes", representations=tuple((n, a, b) for n in ns for a, b in pqs))
    if args.N or args.K or args.M:
        mod = grid.models
        Ns = args.N or sorted({s[0] for s in mod})
        Ks = args.K or sorted({s[1] for s in mod})
        Ms = args.M or sorted({s[2] for s in mod})
        grid = replace(grid, name=grid.name.removesuffix("+sizes") + "+sizes",
                       models=tuple((a, b, c) for a in Ns for b in Ks for c in Ms))
    return grid


def cmd_bench(args: argparse.Namespace) -> int:
    from metrics.registry import REGISTRY, _did_you_mean

    for name in args.metric or []:
        if name not in REGISTRY:
            raise CLIError(f"--metric must name a registered measure; got {name!r}.{_did_you_mean(name, list(REGISTRY))} "
                           "Run `simaudit list`.")
    if args.fail_above is not None and args.compare is None:
        raise CLIError(f"--fail-above needs --compare NAME (the baseline to compare with); got --fail-above {args.fail_above:g} alone.")
    if args.time_limit is not None and not args.time_limit > 0:
        raise CLIError(f"--time-limit must be > 0 seconds; got {args.time_limit}.")
    if args.repeats is not None and args.repeats < 1:
        raise CLIError(f"--repeats must be an integer >= 1; got {args.repeats}.")
    dev = _device(args.device)
    impl = args.impl or ("torch" if dev.type == "cuda" or args.dtype == "float32" else "numpy")
    if impl == "numpy" and dev.type != "cpu":
        raise CLIError(f"--impl numpy runs on the CPU only; got --device {args.device} (resolved to {dev}). Use --impl torch or --device cpu.")
    if impl == "numpy" and args.dtype != "float64":
        raise CLIError(f"--impl numpy computes in float64 (the references); got --dtype {args.dtype}. Use --impl torch for float32.")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out must name a folder (created if missing); got {args.out!r} (an existing file).")
    from benchmarks import speed

    for flag, name in (("--save", args.save), ("--compare", args.compare)):
        if name is not None:
            try:
                speed.check_name(name)
            except ValueError as exc:
                raise CLIError(str(exc).replace("--save/--compare", flag)) from None
    baseline = None
    if args.compare is not None:
        try:
            baseline = speed.load_baseline(args.compare, device=str(dev))
        except FileNotFoundError as exc:
            raise CLIError(str(exc)) from None
    from benchmarks.report import render, write_reports
    from benchmarks.runner import run_bench, summarise

    df = run_bench(
        args.metric or None, _bench_grid(args), device=str(dev), dtype=args.dtype, repeats=args.repeats,
        time_limit=args.time_limit, progress=False if args.no_progress else None, impl=impl, seed=args.seed,
    )
    summary = summarise(df)
    extra: dict[str, Any] = {}
    slow = None
    if baseline is not None:
        df = speed.compare(df, baseline)
        extra["baseline"] = {"name": args.compare, "machine_key": baseline.get("machine_key"),
                             "provenance": baseline.get("provenance"), "floor": baseline.get("floor")}
        if args.fail_above is not None:
            slow = speed.regressions(df, args.fail_above)
            extra["fail_above_pct"] = args.fail_above
            extra["regressions"] = slow["measure"].tolist()
    written = write_reports(out, df, summary, extra)
    print(render(df, summary, args.format, extra))
    notes = [f"wrote {', '.join(p.name for p in written)} to {out}/"]
    if args.save is not None:
        notes.append(f"saved speed baseline {speed.save_baseline(df, args.save, device=str(dev))}")
    if baseline is not None:
        compared = int(df["slowdown"].notna().sum())
        notes.append(f"compared {compared} row(s) with baseline {args.compare!r} (slowdown = (time/floor now) / (time/floor then))")
    if slow is not None and len(slow):
        worst = slow.sort_values("slowdown", ascending=False).iloc[0]
        notes.append(f"{len(slow)} row(s) slower than the baseline by more than {args.fail_above:g}%: worst "
                     f"{worst['measure']} at {worst['n']},{worst['p']},{worst['q']} ({(worst['slowdown'] - 1) * 100:.0f}% slower)")
    print("\n".join(notes), file=sys.stderr)
    return 1 if slow is not None and len(slow) else 0


# ----------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="simaudit",
        description="Property-based verification and benchmarks for similarity measures between representations and model distributions.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="print the measure registry")
    p.add_argument("--format", choices=["table", "json", "csv", "md"], default="table")
    p.add_argument("--compares", choices=["representations", "models"], default=None, help="only this kind of measure")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("compare", help="compare two representation matrices X.npy and Y.npy (rows = the same stimuli)")
    p.add_argument("x", metavar="X.npy")
    p.add_argument("y", metavar="Y.npy")
    p.add_argument("--metric", action="append", metavar="NAME", help="a registry name (repeatable); default: every representation measure")
    p.add_argument("--format", choices=["table", "json", "md", "csv"], default="table")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("model-distance", help="every distance between two softmax models P.npz and Q.npz (arrays F, G)")
    p.add_argument("p", metavar="P.npz")
    p.add_argument("q", metavar="Q.npz")
    p.add_argument("--label-pivot", type=int, default=None, metavar="I", help="label pivot y0 (0-based); searched if omitted")
    p.add_argument("--left-out", type=int, default=None, metavar="J", help="left-out label (0-based); searched if omitted")
    p.add_argument("--input-set", type=_int_list, default=None, metavar="a,b,c", help="x0 first, then x1..xM (0-based rows of F)")
    p.add_argument("--num-samples", type=int, default=200, metavar="S", help="random input tuples tried for the input set (default 200)")
    p.add_argument("--seed", type=_non_negative_int, default=0, help="seed for every random choice (default 0)")
    p.add_argument("--lam", type=float, default=1e-5, metavar="L", help="weight of the scale terms T3, T4 (default 1e-5)")
    p.add_argument("--max-subsets", type=int, default=1000, help="label subsets for d_fg's embedding side before sampling (default 1000)")
    p.add_argument("--rep-samples", type=int, default=100, help="sampled (y0, S) pairs for d_rep (default 100)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars (shown on a terminal by default)")
    p.set_defaults(func=cmd_model_distance)

    p = sub.add_parser("construct", help="build a construction with a known answer and write it to a folder")
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("--out", metavar="DIR")
    p.add_argument("--set", action="append", metavar="key=value", help="override a parameter (repeatable)")
    p.add_argument("--list", action="store_true", help="list the constructions")
    p.add_argument("--format", choices=["table", "json", "md", "csv"], default="table")
    p.set_defaults(func=cmd_construct)

    p = sub.add_parser(
        "audit",
        help="search every property of measures (built-in or yours) for counterexamples; exit 1 if a declaration fails",
        description="TARGET is a registry name, path/to/file.py:function or package.module:function; "
        "with no TARGET every built-in measure is audited.",
    )
    p.add_argument("targets", nargs="*", metavar="TARGET")
    p.add_argument("--kind", choices=["representation", "model"], default=None,
                   help="what a user function compares: fn(X, Y) on (n, p) arrays, or fn(p, q) on SoftmaxModel (default representation)")
    p.add_argument("--declare", action="append", metavar="PROP[,PROP=false]",
                   help="properties the function must have (or not: =false); a refuted one makes the exit code 1")
    p.add_argument("--properties", metavar="P1,P2", help="only these properties (default: all that apply)")
    p.add_argument("--orientation", choices=["auto", "score", "distance"], default="auto",
                   help="score (higher = more similar) or distance; auto infers it from f(X, X) (default)")
    p.add_argument("--profile", choices=["dev", "ci", "thorough"], default=None,
                   help="search budget (default: $SIMAUDIT_PROFILE, else ci under CI, else dev)")
    p.add_argument("--out", metavar="DIR", default="simaudit-audit", help="folder for the reports and counterexamples (default simaudit-audit)")
    p.add_argument("--format", choices=["md", "json", "csv"], default="md", help="what is printed (all three are written to --out)")
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S", help="per-call limit in seconds (default 10)")
    p.add_argument("--jobs", type=int, default=1, metavar="J", help="worker processes (default 1)")
    p.add_argument("--seed", type=_non_negative_int, default=0)
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar (shown on a terminal by default)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("replay", help="re-evaluate a counterexample saved by `simaudit audit`")
    p.add_argument("file", metavar="FILE.npz")
    p.add_argument("--target", metavar="TARGET", help="evaluate another function on the saved input (default: the one audited)")
    p.add_argument("--time-limit", type=float, default=10.0, metavar="S")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("claims", help="the paper's theoretical claims, each with its verdict and evidence")
    p.add_argument("--profile", choices=["dev", "ci", "thorough"], default=None,
                   help="search budget (default: $SIMAUDIT_PROFILE, else ci under CI, else dev)")
    p.add_argument("--only", metavar="K1,K2", help="only these claims (keys as in the report)")
    p.add_argument("--format", choices=["md", "json"], default="md")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser(
        "bench",
        help="time measures against this machine's floor (GEMM rate, memory bandwidth) measured in the same run",
        description="Times every measure (or each --metric) over a grid of sizes; ratio = time / floor, where the floor is "
        "the cheapest exact algorithm's operation count at this machine's measured GEMM rate and copy bandwidth. "
        "For model distances the sizes are N (inputs), K (labels), M (dimension).",
    )
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="CI smoke grid: n in {200, 400}, p = q = 16; N in {200, 400}, K = 32, M = 8")
    size.add_argument("--full", action="store_true", help="n up to 1e5, p = q up to 2048; N up to 1e4, K up to 50257, M = 768")
    p.add_argument("--metric", action="append", metavar="NAME", help="a registry name (repeatable); default: every measure")
    p.add_argument("--n", type=_positive_int_list, metavar="N1,N2", help="representation sample sizes (replace the grid's)")
    p.add_argument("--p", type=_positive_int_list, metavar="P1,P2", help="columns of X (replace the grid's; q = p unless --q)")
    p.add_argument("--q", type=_positive_int_list, metavar="Q1,Q2", help="columns of Y")
    p.add_argument("--N", type=_positive_int_list, metavar="N1,N2", help="model distances: inputs")
    p.add_argument("--K", type=_positive_int_list, metavar="K1,K2", help="model distances: labels")
    p.add_argument("--M", type=_positive_int_list, metavar="M1,M2", help="model distances: representation dimension")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--impl", choices=["numpy", "torch"], default=None,
                   help="implementation to time (default: numpy on the CPU in float64, torch on CUDA or in float32)")
    p.add_argument("--format", choices=["table", "json", "md", "csv"], default="table", help="what is printed (all are written to --out)")
    p.add_argument("--save", metavar="NAME", help="store the run as speed baseline NAME for this machine (benchmarks/baselines/speed/<machine>/NAME.json)")
    p.add_argument("--compare", metavar="NAME", help="report slowdown = (time/floor now) / (time/floor then) against baseline NAME")
    p.add_argument("--fail-above", type=_percentage, metavar="PCT", help="with --compare: exit 1 if any row is slower by more than PCT percent")
    p.add_argument("--out", metavar="DIR", default="simaudit-bench", help="folder for bench.csv, bench.json, bench.md, bench.png (default simaudit-bench)")
    p.add_argument("--time-limit", type=float, default=None, metavar="S",
                   help="per-call limit in seconds; larger sizes predicted to exceed it are skipped (default: quick 10, default 60, full 600)")
    p.add_argument("--repeats", type=int, default=None, metavar="R", help="timed calls after the warm-up (default: quick 1, else 3)")
    p.add_argument("--seed", type=_non_negative_int, default=0)
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar (shown on a terminal by default)")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simaudit`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    func: Callable[[argparse.Namespace], int] = args.func
    from metrics._validation import DegenerateInputError

    if os.environ.get("SIMAUDIT_DEBUG"):  # full tracebacks when debugging simaudit itself
        return func(args)
    try:
        return func(args)
    except (CLIError, DegenerateInputError, ValueError, TypeError, KeyError, FileNotFoundError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"simaudit {args.command}: error: {msg}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `simaudit list | head`
        return 0
    except OSError as exc:  # unreadable input, unwritable --out: a user error, not a bug
        where = f" on {str(exc.filename)!r}" if exc.filename is not None else ""
        print(f"simaudit {args.command}: error: the file system refused an operation{where}; got {exc.strerror or exc}.",
              file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
