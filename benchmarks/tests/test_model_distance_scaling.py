"""Smoke test of the scale benchmark: it runs, its numbers are consistent, its search agrees with the reference.

No absolute time is asserted (machines are noisy); only relations that hold on any machine.
"""

from __future__ import annotations

import json

import numpy as np

from benchmarks import model_distance_scaling as bench
from metrics import model_distances as md
from metrics.models import SoftmaxModel


def test_run_reports_consistent_fields() -> None:
    r = bench.run(60, 40, 4, repeats=1, search=True)
    assert (r.N, r.K, r.M) == (60, 40, 4)
    assert r.floor_s > 0 and r.llv_fixed_s > 0
    assert r.ratio == r.llv_fixed_s / r.floor_s
    assert r.inputs_bytes == 8 * (2 * 60 * 4 + 2 * 40 * 4)
    assert set(r.phases_s) == {"log_partition (streamed logits)", "QR factor of the joint input features", "terms T1..T4 (streamed over labels)"}
    assert r.peak_rss_bytes is None or r.peak_rss_bytes > r.inputs_bytes
    # The benchmark's pivot search is the library's: it must find the reference's pivots.
    F, G, Fp, Gp = (t.numpy() for t in bench.make_models(60, 40, 4))
    ref = md.llv(SoftmaxModel(F, G), SoftmaxModel(Fp, Gp), input_set=list(range(5)))
    assert r.search_pivots == (ref.label_pivot, ref.left_out)


def test_main_writes_json(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.json"
    assert bench.main(["--N", "40", "--K", "20", "--M", "3", "--repeats", "1", "--device", "cpu", "--format", "json", "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads(out.read_text())
    assert printed == saved
    assert saved["K"] == 20 and np.isfinite(saved["ratio"])
