"""The machine's floor, measured at the start of a benchmark run: GEMM rate and memory bandwidth.

Every time the benchmark reports is divided by a floor computed from two rates
of *this* machine, measured in the same run, through the same library, device
and dtype that the measures use:

- ``gflops``: the best rate of a square matrix product (``2 s^3`` flops for an
  ``s x s`` product), the peak a dense algorithm can reach;
- ``gbps``: the best rate of a large array copy, counted as the bytes read plus
  the bytes written (the STREAM "copy" convention).

:func:`floor_seconds` turns an operation count (:mod:`benchmarks.costs`) into the
time that count needs at those rates: ``max(flops / rate, bytes / bandwidth)``.
A measure at ratio 1 runs at the machine's GEMM peak (or its copy bandwidth).

Every rate is the best of a few repeats after a warm-up; CUDA work is timed
between ``torch.cuda.synchronize()`` calls.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["Floor", "floor_seconds", "measure_floor"]

Impl = Literal["numpy", "torch"]

#: Default square GEMM size per device type (big enough to reach the peak, small enough to take < 1 s).
GEMM_SIZE = {"cpu": 2048, "cuda": 8192}
#: Default size of the copied array per device type, in bytes (well beyond every cache).
COPY_BYTES = {"cpu": 256 * 2**20, "cuda": 1024 * 2**20}


@dataclass(frozen=True)
class Floor:
    """Rates of this machine, measured through one library on one device in one dtype.

    Attributes
    ----------
    gflops : float
        Best square-GEMM rate, in 1e9 floating-point operations per second.
    gbps : float
        Best copy bandwidth, in 1e9 bytes (read + written) per second.
    device : str
        ``"cpu"`` or ``"cuda:0"`` (with the GPU's name in ``device_name``).
    dtype : str
        ``"float64"`` or ``"float32"``.
    threads : int
        BLAS / torch intra-op threads on the CPU; streaming multiprocessors on a GPU.
    impl : {"numpy", "torch"}
        The library the rates were measured through (the one the measures use).
    gemm_size : int
        Side ``s`` of the timed ``s x s`` products.
    copy_bytes : int
        Size of the copied array.
    device_name : str
        CPU model or GPU name.
    """

    gflops: float
    gbps: float
    device: str
    dtype: str
    threads: int
    impl: str = "numpy"
    gemm_size: int = 0
    copy_bytes: int = 0
    device_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line: the two rates and how they were measured."""
        return (
            f"GEMM {self.gflops:.1f} GFLOP/s ({self.impl}, {self.dtype}, {self.device}, {self.threads} threads, "
            f"{self.gemm_size}x{self.gemm_size}), copy {self.gbps:.1f} GB/s ({self.copy_bytes / 2**20:.0f} MiB)"
        )


def floor_seconds(flops: float, bytes_moved: float, floor: Floor) -> float:
    """The time an operation count needs at the measured rates: ``max(flops / rate, bytes / bandwidth)``.

    Parameters
    ----------
    flops : float
        Floating-point operations of the cheapest algorithm (:func:`benchmarks.costs.cost`).
    bytes_moved : float
        Bytes it must read or write at least once.
    floor : Floor
        The machine's rates (:func:`measure_floor`).

    Returns
    -------
    float
        Seconds, >= 0.

    Examples
    --------
    >>> f = Floor(gflops=100.0, gbps=10.0, device="cpu", dtype="float64", threads=2)
    >>> floor_seconds(2e9, 1e6, f)  # compute-bound: 2e9 / 1e11
    0.02
    >>> floor_seconds(1e6, 1e9, f)  # bandwidth-bound: 1e9 / 1e10
    0.1
    """
    if not (floor.gflops > 0 and floor.gbps > 0):
        raise ValueError(f"floor_seconds: floor rates must be positive; got gflops={floor.gflops!r}, gbps={floor.gbps!r}.")
    return max(float(flops) / (floor.gflops * 1e9), float(bytes_moved) / (floor.gbps * 1e9))


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``, else :func:`platform.processor`), or ``"unknown-cpu"``."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine() or "unknown-cpu"


def _numpy_threads() -> int:
    """BLAS threads numpy uses (threadpoolctl, optional), else the CPUs this process may run on."""
    try:
        import threadpoolctl

        info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    except Exception:  # noqa: BLE001 - threadpoolctl is optional; any failure means "unknown"
        info = []
    if info:
        return int(max(i.get("num_threads", 1) for i in info))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _best(fn: Callable[[], Any], repeats: int, sync: Callable[[], None]) -> float:
    fn()  # warm-up: first-touch page faults, BLAS thread start, CUDA kernels' first launch
    sync()
    best = math.inf
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - t0)
    return max(best, 1e-9)


def measure_floor(
    *,
    impl: Impl = "numpy",
    device: str = "cpu",
    dtype: str = "float64",
    gemm_size: int | None = None,
    copy_bytes: int | None = None,
    repeats: int = 3,
    seed: int = 0,
) -> Floor:
    """Measure this machine's GEMM rate and copy bandwidth through ``impl`` on ``device`` in ``dtype``.

    Parameters
    ----------
    impl : {"numpy", "torch"}
        The library the benchmark times (numpy runs on the CPU only).
    device : str
        ``"cpu"`` or a CUDA device (``"cuda"``, ``"cuda:0"``); torch only.
    dtype : {"float64", "float32"}
    gemm_size : int, optional
        Side of the square products (default :data:`GEMM_SIZE` for the device type).
    copy_bytes : int, optional
        Size of the copied array (default :data:`COPY_BYTES` for the device type).
    repeats : int
        Timed repeats after one warm-up; the best is kept.
    seed : int
        Seed of the random operands.

    Returns
    -------
    Floor

    Raises
    ------
    ValueError
        For an unknown ``impl`` or ``dtype``, numpy on a non-CPU device, or a non-positive size.
    """
    if impl not in ("numpy", "torch"):
        raise ValueError(f"measure_floor: impl must be 'numpy' or 'torch'; got {impl!r}.")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"measure_floor: dtype must be 'float64' or 'float32'; got {dtype!r}.")
    kind = "cuda" if str(device).startswith("cuda") else "cpu"
    if impl == "numpy" and kind != "cpu":
        raise ValueError(f"measure_floor: numpy runs on the CPU only; got device={device!r}. Use impl='torch'.")
    s = int(GEMM_SIZE[kind] if gemm_size is None else gemm_size)
    nbytes = int(COPY_BYTES[kind] if copy_bytes is None else copy_bytes)
    if s < 1 or nbytes < 1 or repeats < 1:
        raise ValueError(f"measure_floor: gemm_size, copy_bytes and repeats must be >= 1; got {s}, {nbytes}, {repeats}.")
    import numpy as np

    rng = np.random.default_rng(seed)
    itemsize = 8 if dtype == "float64" else 4
    count = max(1, nbytes // itemsize)
    A = rng.standard_normal((s, s)).astype(dtype)
    B = rng.standard_normal((s, s)).astype(dtype)
    src = np.ones(count, dtype=dtype)
    if impl == "numpy":
        C = np.empty((s, s), dtype=dtype)
        dst = np.empty_like(src)
        t_gemm = _best(lambda: np.matmul(A, B, out=C), repeats, lambda: None)
        t_copy = _best(lambda: np.copyto(dst, src), repeats, lambda: None)
        threads, dev, name = _numpy_threads(), "cpu", cpu_model()
    else:
        import torch

        tdev = torch.device(device)
        tdt = getattr(torch, dtype)
        At, Bt = torch.from_numpy(A).to(tdev, tdt), torch.from_numpy(B).to(tdev, tdt)
        Ct = torch.empty((s, s), dtype=tdt, device=tdev)
        srct = torch.from_numpy(src).to(tdev, tdt)
        dstt = torch.empty_like(srct)

        def sync() -> None:
            if tdev.type == "cuda":
                torch.cuda.synchronize(tdev)

        t_gemm = _best(lambda: torch.matmul(At, Bt, out=Ct), repeats, sync)
        t_copy = _best(lambda: dstt.copy_(srct), repeats, sync)
        if tdev.type == "cuda":
            idx = tdev.index if tdev.index is not None else torch.cuda.current_device()
            props = torch.cuda.get_device_properties(idx)
            threads, dev, name = int(props.multi_processor_count), f"cuda:{idx}", str(props.name)
        else:
            threads, dev, name = int(torch.get_num_threads()), "cpu", cpu_model()
    return Floor(
        gflops=2.0 * s**3 / t_gemm / 1e9, gbps=2.0 * count * itemsize / t_copy / 1e9, device=dev, dtype=dtype,
        threads=threads, impl=impl, gemm_size=s, copy_bytes=count * itemsize, device_name=name,
    )
