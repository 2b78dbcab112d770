"""Tests of the peers benchmark: every installed peer agrees with ours (the differential check, run
through the benchmark's own worker), and the harness reports timeouts, errors and missing peers.

No absolute time is asserted; the timeout test asserts only that the run returns well before the
fake peer's sleep would have ended.
"""

from __future__ import annotations

import json
import math
import time
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import pytest

from benchmarks import peers as P

#: n a multiple of cka_minibatch's 200-row batches, and n > 2 k for knn_jaccard.
SMALL: dict[str, Any] = {"n": 400, "p": 6, "q": 5}


# Fake peers: module-level, so that the spawned worker can unpickle them.
def _sleeping(seconds: float) -> P.PeerFn:
    def f(X: np.ndarray, Y: np.ndarray) -> float:
        time.sleep(seconds)
        return 0.0

    return f


def _raising() -> P.PeerFn:
    def f(X: np.ndarray, Y: np.ndarray) -> float:
        raise RuntimeError("peer exploded")

    return f


def _raising_on_build() -> P.PeerFn:
    raise ValueError("bad configuration")


def _missing() -> P.PeerFn:
    import simaudit_no_such_peer  # noqa: F401

    raise AssertionError("unreachable")


def _exact_linear_cka() -> P.PeerFn:
    from metrics.representation import cka_linear

    return cka_linear


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """Every entry of PEERS once on a small input (one worker serves them all)."""
    return P.run_peers(**SMALL, seed=3, time_limit=60.0, repeats=0)


def test_table_has_one_row_per_entry_and_the_columns(table: pd.DataFrame) -> None:
    assert list(table.columns) == list(P.COLUMNS)
    assert len(table) == len(P.PEERS)
    assert list(zip(table.measure, table.peer, strict=True)) == [(e.measure, e.label) for e in P.PEERS]
    assert set(table.status) <= {"ok", "not installed"}
    assert (table.n == SMALL["n"]).all() and (table.p == SMALL["p"]).all() and (table.q == SMALL["q"]).all()


def test_peers_name_registry_measures_and_labels_are_unique() -> None:
    from metrics.registry import get

    for entry in P.PEERS:
        spec = get(entry.measure)
        assert spec.compares == "representations"
        assert entry.atol >= 0 and entry.rtol >= 0 and entry.atol + entry.rtol > 0
    pairs = [(e.measure, e.label) for e in P.PEERS]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("index", range(len(P.PEERS)), ids=[f"{e.measure}-{e.module}" for e in P.PEERS])
def test_installed_peer_agrees_with_ours(table: pd.DataFrame, index: int) -> None:
    """The differential check: the peer's value equals ours (numpy reference) within the entry's tolerance."""
    entry, row = P.PEERS[index], table.iloc[index]
    if row.status == "not installed":
        pytest.skip(f"{entry.module} is not installed")
    assert row.status == "ok", row.status
    assert row.ours_impl in ("numpy", "torch") and math.isfinite(row.ours_value) and math.isfinite(row.peer_value)
    assert row.abs_diff == abs(row.ours_value - row.peer_value)
    assert row.tol == entry.atol + entry.rtol * abs(row.ours_value)
    assert row.agree, f"{entry.label}: ours={row.ours_value!r} peer={row.peer_value!r} tol={row.tol:.3g}"
    # ours_value is the numpy reference's value, computed with the entry's options
    from metrics.registry import get

    X, Y = P.make_inputs(**SMALL, seed=3)
    assert row.ours_value == get(entry.measure).numpy_fn(X, Y, **dict(entry.ours_kwargs))


def test_ratio_is_peer_over_ours_and_ours_is_the_faster_implementation(table: pd.DataFrame) -> None:
    ok = table[table.status == "ok"]
    assert len(ok) > 0
    assert np.array_equal(ok.ratio.to_numpy(), (ok.peer_s / ok.ours_s).to_numpy())
    assert (ok.ours_s == np.minimum(ok.ours_numpy_s, ok.ours_torch_s)).all()
    assert all(
        r.ours_s == (r.ours_numpy_s if r.ours_impl == "numpy" else r.ours_torch_s) for r in ok.itertuples(index=False)
    )
    assert (ok.peer_s > 0).all() and (ok.ours_s > 0).all() and (ok.peer_calls == 1).all()  # repeats=0: the warm-up only


def _fake(label: str, build: Any, module: str = "numpy") -> P.Peer:
    return P.Peer("cka_linear", label, module, build, atol=1e-12)


def test_timeout_error_and_missing_paths() -> None:
    """A sleeping peer is killed at the limit; a raising peer is an error; a missing one is not installed."""
    entries = [
        _fake("sleeps 30 s", partial(_sleeping, 30.0)),
        _fake("raises", _raising),
        _fake("raises when built", _raising_on_build),
        _fake("missing module (find_spec)", _missing, module="simaudit_no_such_peer"),
        _fake("exact", _exact_linear_cka),
    ]
    start = time.perf_counter()
    df = P.run_peers(n=40, p=3, q=2, time_limit=1.0, repeats=2, entries=entries)
    elapsed = time.perf_counter() - start
    assert elapsed < 15.0  # well under the 30 s sleep: the sleeping peer was not waited for
    status = dict(zip(df.peer, df.status, strict=True))
    assert status["sleeps 30 s"] == "timeout"
    assert status["raises"] == "error: RuntimeError: peer exploded"
    assert status["raises when built"] == "error: ValueError: bad configuration"
    assert status["missing module (find_spec)"] == "not installed"
    assert status["exact"] == "ok"  # the worker killed at the timeout was replaced
    row = df.set_index("peer").loc["sleeps 30 s"]
    assert math.isnan(row.peer_s) and math.isnan(row.ratio) and not row.agree
    assert row.ratio_at_least == 1.0 / row.ours_s
    exact = df.set_index("peer").loc["exact"]
    assert exact.abs_diff == 0.0 and exact.agree and exact.ratio == exact.peer_s / exact.ours_s
    assert 2 <= exact.peer_calls <= 3  # the warm-up, then repeats while they fit in the limit


def test_missing_module_detected_inside_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """When find_spec cannot tell, the build's failing import of the peer's own module is "not installed"."""
    monkeypatch.setattr(P, "_installed", lambda module: True)
    entry = _fake("missing", _missing, module="simaudit_no_such_peer")
    df = P.run_peers(n=40, p=3, q=2, time_limit=5.0, repeats=0, entries=[entry])
    assert df.status.tolist() == ["not installed"]


def test_names_select_and_unknown_names_raise() -> None:
    df = P.run_peers(["soft_matching"], n=30, p=3, q=4, time_limit=20.0, repeats=0)
    assert df.measure.tolist() == ["soft_matching"]
    with pytest.raises(KeyError, match="Did you mean"):
        P.run_peers(["soft_matchin"], n=30, p=3, q=3)
    with pytest.raises(ValueError, match=r"^run_peers: names must be measures with a peer; got \['procrustes'\]"):
        P.run_peers(["procrustes"], n=30, p=3, q=3)


def test_markdown_renders_timeouts_as_bounds() -> None:
    df = pd.DataFrame(
        [
            {**dict.fromkeys(P.COLUMNS, math.nan), "measure": "m", "peer": "a|b", "options": "", "ours_impl": "numpy",
             "ours_s": 0.5, "status": "timeout", "ratio_at_least": 60.0, "agree": False},
            {**dict.fromkeys(P.COLUMNS, math.nan), "measure": "m", "peer": "c", "options": "k=10", "ours_impl": "torch",
             "ours_s": 0.5, "peer_s": 1.0, "ratio": 2.0, "abs_diff": 1e-14, "status": "ok", "agree": True},
        ]
    )  # fmt: skip
    md = P.to_markdown(df, time_limit=30.0).splitlines()
    assert md[0].startswith("| measure | peer | ours s |") and md[1].startswith("|---|")
    assert md[2] == "| m | a\\|b | 0.5 | numpy | > 30 | > 60 |  |  | timeout |"
    assert md[3] == "| m (k=10) | c | 0.5 | torch | 1 | 2 | 1.0e-14 | yes | ok |"


def test_main_writes_the_three_files(tmp_path: Any, capsys: Any) -> None:
    out = tmp_path / "o"
    argv = ["--n", "30", "--p", "3", "--q", "4", "--measure", "soft_matching", "--repeats", "0", "--format", "json"]
    assert P.main([*argv, "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((out / "peers.json").read_text())
    assert printed["meta"]["n"] == 30 and len(printed["rows"]) == 1
    assert pd.read_csv(out / "peers.csv").measure.tolist() == ["soft_matching"]
    assert (out / "peers.md").read_text().startswith("| measure |")
    assert sorted(p.name for p in out.iterdir()) == ["peers.csv", "peers.json", "peers.md"]  # no .tmp left behind
    assert P.main(["--measure", "nope"]) == 2
