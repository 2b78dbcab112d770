"""Scale benchmark of d_LLV against the floor of its logits products, measured in the same run.

The only unavoidable cost of the exact distances is the logits GEMM behind the
log-partition of every input: ``2 N K M`` flops per model (MATH.md section 7).
This script times exactly those products (blocked as the implementation
blocks them, into a preallocated buffer, nothing else) as the floor, then
times :func:`metrics.torch_model_distances.llv` with the pivots and the input
set fixed, and reports the ratio, a per-phase breakdown and the peak memory.
With ``--search`` it also times the exhaustive O(K^2 M) label-pivot search.

Run (the paper-scale target: ratio <= 2, peak memory < 2 GB)::

    python -m benchmarks.model_distance_scaling --N 10000 --K 50257 --M 768

Machines are noisy: every time is the minimum over ``--repeats`` runs, and
only ratios measured in one run are meaningful.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from metrics import torch_model_distances as tmd

__all__ = ["ScalingResult", "main", "run"]


@dataclass(frozen=True)
class ScalingResult:
    """One benchmark run (times in seconds, memory in bytes)."""

    N: int
    K: int
    M: int
    device: str
    threads: int
    block_rows: int
    floor_s: float  # logits products of both models, min over repeats
    floor_gflops: float  # 4 N K M / floor_s
    llv_fixed_s: float  # llv with pivots and input set fixed, min over repeats
    ratio: float  # llv_fixed_s / floor_s
    phases_s: dict[str, float]  # one run, phase by phase
    inputs_bytes: int  # the four input matrices
    peak_rss_bytes: int | None  # CPU: peak RSS of a fresh process holding the inputs and computing llv once
    peak_above_start_bytes: int | None  # that peak minus the RSS just before llv (CPU), or the CUDA peak allocation of llv
    search_s: float | None  # llv including the exhaustive pivot search (once), if asked
    search_pivots: tuple[int, int] | None


def _rss() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _child(N: int, K: int, M: int, seed: int, conn: Any) -> None:
    """Build the inputs, compute llv once, send (peak RSS, peak RSS minus the RSS before llv).

    The peak is the kernel's high-water mark (``ru_maxrss``), not a sampled value: a
    sampling thread was tried and itself inflated the peak (its allocations interleave
    with the computation's in the C allocator).
    """
    import resource

    F, G, Fp, Gp = make_models(N, K, M, seed=seed)
    start = _rss()
    tmd.llv(F, G, Fp, Gp, label_pivot=0, left_out=1, input_set=list(range(M + 1)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    conn.send((peak, None if start is None else peak - start))
    conn.close()


def _child_peak_memory(N: int, K: int, M: int, seed: int) -> tuple[int | None, int | None]:
    """Peak RSS of a fresh process that builds the inputs and computes llv once, and its part above the inputs."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(N, K, M, seed, child))
    proc.start()
    child.close()
    try:
        result: tuple[int | None, int | None] = parent.recv()
    except EOFError:
        result = (None, None)
    proc.join()
    return result


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _time(fn: Callable[[], Any], device: torch.device, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        _sync(device)
        t0 = time.perf_counter()
        fn()
        _sync(device)
        best = min(best, time.perf_counter() - t0)
    return best


def make_models(N: int, K: int, M: int, *, seed: int = 0, device: torch.device | str = "cpu") -> tuple[torch.Tensor, ...]:
    """Two random float64 models with logits of order 1 (q a perturbation of p)."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    F = torch.randn(N, M, dtype=torch.float64, generator=g)
    G = torch.randn(K, M, dtype=torch.float64, generator=g).div_(math.sqrt(M))
    Fp = torch.randn(N, M, dtype=torch.float64, generator=g).mul_(0.1).add_(F)
    Gp = torch.randn(K, M, dtype=torch.float64, generator=g).div_(10 * math.sqrt(M)).add_(G)
    return tuple(t.to(device) for t in (F, G, Fp, Gp))


def run(N: int, K: int, M: int, *, repeats: int = 3, search: bool = False, device: str = "cpu", seed: int = 0) -> ScalingResult:
    """Measure the floor, d_LLV with fixed choices, its phases, its peak memory and (optionally) the search."""
    dev = torch.device(device)
    F, G, Fp, Gp = make_models(N, K, M, seed=seed, device=dev)
    inputs_bytes = sum(t.numel() * t.element_size() for t in (F, G, Fp, Gp))
    B = tmd._block_rows(K, F.dtype, tmd._TEMPS_LSE, None)
    buf = F.new_empty(min(B, N), K)

    def floor() -> None:
        for s in range(0, N, B):
            n = min(B, N - s)
            torch.matmul(F[s : s + n], G.T, out=buf[:n])
            torch.matmul(Fp[s : s + n], Gp.T, out=buf[:n])

    del buf  # the timed llv allocates its own block
    choices: dict[str, Any] = {"label_pivot": 0, "left_out": 1, "input_set": list(range(M + 1))}

    def llv_fixed() -> None:
        tmd.llv(F, G, Fp, Gp, **choices)

    # Warm-up (first-touch page faults, BLAS thread start), then interleave floor and
    # llv so that both see the same machine state.
    buf = F.new_empty(min(B, N), K)
    floor()
    floor_s, llv_s = math.inf, math.inf
    for _ in range(repeats):
        floor_s = min(floor_s, _time(floor, dev, 1))
        llv_s = min(llv_s, _time(llv_fixed, dev, 1))
    del buf

    # Phase breakdown (one run).
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    lse = (tmd.log_partition(F, G), tmd.log_partition(Fp, Gp))
    _sync(dev)
    phases["log_partition (streamed logits)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fc = tmd._factors(F, G, Fp, Gp, *lse, with_rg=False)  # as llv with a fixed input set
    _sync(dev)
    phases["QR factor of the joint input features"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tmd._llv_fixed(fc, F, G, Fp, Gp, 0, 1, tuple(range(M + 1)), 1e-5)
    _sync(dev)
    phases["terms T1..T4 (streamed over labels)"] = time.perf_counter() - t0
    del lse, fc

    # Peak memory of one llv call: in a fresh child process that builds the same inputs
    # (so nothing left over from the timings above inflates it).
    peak_rss = peak_above = None
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
        before = torch.cuda.memory_allocated(dev)
        llv_fixed()
        peak_above = torch.cuda.max_memory_allocated(dev) - before
    else:
        peak_rss, peak_above = _child_peak_memory(N, K, M, seed)

    search_s, pivots = None, None
    if search:
        t0 = time.perf_counter()
        res = tmd.llv(F, G, Fp, Gp, input_set=choices["input_set"], progress=None)
        _sync(dev)
        search_s = time.perf_counter() - t0
        pivots = (res.label_pivot, res.left_out)

    return ScalingResult(
        N=N, K=K, M=M, device=str(dev), threads=torch.get_num_threads(), block_rows=B,
        floor_s=floor_s, floor_gflops=4 * N * K * M / floor_s / 1e9, llv_fixed_s=llv_s, ratio=llv_s / floor_s,
        phases_s=phases, inputs_bytes=inputs_bytes, peak_rss_bytes=peak_rss, peak_above_start_bytes=peak_above,
        search_s=search_s, search_pivots=pivots,
    )


def _report(r: ScalingResult) -> str:
    gb = 1e9
    lines = [
        f"d_LLV scale benchmark: N={r.N}, K={r.K}, M={r.M}, device={r.device}, threads={r.threads}, block={r.block_rows} rows",
        f"  floor (logits GEMMs of both models): {r.floor_s:8.2f} s  ({r.floor_gflops:.0f} GFLOP/s)",
        f"  llv, pivots and input set fixed:     {r.llv_fixed_s:8.2f} s  ratio {r.ratio:.2f} x floor",
    ]
    lines += [f"    {k:<34} {v:8.2f} s" for k, v in r.phases_s.items()]
    lines.append(f"  inputs: {r.inputs_bytes / gb:.2f} GB")
    if r.peak_rss_bytes is not None:
        lines.append(f"  peak RSS of a fresh process computing llv once: {r.peak_rss_bytes / gb:.2f} GB (inputs, Python and torch included)")
    if r.peak_above_start_bytes is not None:
        lines.append(f"  of which allocated by llv itself: {r.peak_above_start_bytes / gb:.2f} GB")
    if r.search_s is not None:
        lines.append(f"  llv with the exhaustive pivot search (O(K^2 M)): {r.search_s:.1f} s, pivots {r.search_pivots}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.model_distance_scaling", description=__doc__.split("\n\n")[0])
    parser.add_argument("--N", type=int, default=10_000)
    parser.add_argument("--K", type=int, default=50_257)
    parser.add_argument("--M", type=int, default=768)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--search", action="store_true", help="also time the exhaustive pivot search")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--out", type=Path, help="also write the result as JSON to this file (atomically)")
    args = parser.parse_args(argv)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    r = run(args.N, args.K, args.M, repeats=args.repeats, search=args.search, device=device)
    text = json.dumps(asdict(r), indent=2) if args.format == "json" else _report(r)
    print(text)
    if args.out is not None:
        tmp = args.out.with_suffix(args.out.suffix + ".tmp")
        tmp.write_text(json.dumps(asdict(r), indent=2) + "\n")
        os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
