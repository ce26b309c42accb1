"""A real Triton server (PyPI nvidia-pytriton, tritonserver 2.51, CPU) with three small models.

- ``identity``: dynamic batching (up to 16, 20 ms queue delay), 10 ms per execution;
- ``scaler``: no batching, 3 ms per request;
- ``flaky``: no batching, raises for negative inputs (a BACKEND failure);
- ``slow``: no batching, one instance, 20 ms per request: about 50 requests/s at most,
  for the stepped load test of ``capacity``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sysconfig
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from .prometheus import free_port
from .tools import missing

MODELS = ("identity", "scaler", "flaky")
SLOW_MODEL = "slow"


@dataclass(frozen=True)
class TritonServer:
    http_port: int
    metrics_port: int

    @property
    def metrics_target(self) -> str:
        return f"127.0.0.1:{self.metrics_port}"

    def stats(self) -> dict[str, dict[str, Any]]:
        """The statistics API, per model name."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/v2/models/stats", timeout=10) as response:
            body = json.load(response)
        return {s["name"]: s for s in body["model_stats"]}


@contextlib.contextmanager
def running_triton() -> Iterator[TritonServer]:
    try:
        import numpy as np
        from pytriton.decorators import batch
        from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor
        from pytriton.triton import Triton, TritonConfig, TritonSecurityConfig
    except ImportError:
        missing("pytriton")
        raise

    # The bundled Python-backend stub links libpython from the system; point it at this interpreter's.
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LD_LIBRARY_PATH", f"{libdir}:{os.environ.get('LD_LIBRARY_PATH', '')}")

        @batch
        def identity(x: Any) -> dict[str, Any]:
            time.sleep(0.010)
            return {"y": x}

        @batch
        def scaler(x: Any) -> dict[str, Any]:
            time.sleep(0.003)
            return {"y": x * 2}

        def slow(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
            time.sleep(0.020 * len(requests))
            return [{"y": r["x"]} for r in requests]

        def flaky(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
            if any(float(r["x"][0]) < 0 for r in requests):
                raise ValueError("negative input")
            return [{"y": r["x"]} for r in requests]

        ports = [free_port() for _ in range(3)]
        config = TritonConfig(http_port=ports[0], grpc_port=ports[1], metrics_port=ports[2],
                              allow_gpu_metrics=False, exit_timeout_secs=5)
        vector = [Tensor(name="x", dtype=np.float32, shape=(-1,))]
        out = [Tensor(name="y", dtype=np.float32, shape=(-1,))]
        with Triton(config=config, security_config=TritonSecurityConfig(restricted_endpoints=[])) as triton:
            triton.bind("identity", identity, inputs=vector, outputs=out,
                        config=ModelConfig(max_batch_size=16,
                                           batcher=DynamicBatcher(max_queue_delay_microseconds=20000)))
            triton.bind("scaler", scaler, inputs=vector, outputs=out, config=ModelConfig(max_batch_size=8))
            triton.bind("flaky", flaky, inputs=[Tensor(name="x", dtype=np.float32, shape=(1,))],
                        outputs=[Tensor(name="y", dtype=np.float32, shape=(1,))], config=ModelConfig(batching=False))
            triton.bind(SLOW_MODEL, slow, inputs=[Tensor(name="x", dtype=np.float32, shape=(1,))],
                        outputs=[Tensor(name="y", dtype=np.float32, shape=(1,))], config=ModelConfig(batching=False))
            triton.run()
            yield TritonServer(ports[0], ports[2])


def drive_load(server: TritonServer) -> None:
    """A bounded load: concurrent batch-1 and batch-3 requests, sequential ones, some failing."""
    import numpy as np
    from pytriton.client import ModelClient
    from pytriton.client.exceptions import PyTritonClientInferenceServerError

    url = f"127.0.0.1:{server.http_port}"
    errors: list[BaseException] = []

    def identity_worker(batch_size: int, count: int) -> None:
        try:
            with ModelClient(url, "identity", init_timeout_s=60, inference_timeout_s=60) as client:
                for _ in range(count):
                    client.infer_batch(x=np.ones((batch_size, 4), dtype=np.float32))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=identity_worker, args=(1, 25)) for _ in range(4)]
    threads.append(threading.Thread(target=identity_worker, args=(3, 15)))
    for thread in threads:
        thread.start()
    with ModelClient(url, "scaler", init_timeout_s=60) as client:
        for i in range(30):
            client.infer_batch(x=np.full((1 + i % 2, 2), i, dtype=np.float32))
    with ModelClient(url, "flaky", init_timeout_s=60) as client:
        for i in range(24):
            value = -1.0 if i % 4 == 0 else 1.0
            with contextlib.suppress(PyTritonClientInferenceServerError):
                client.infer_sample(x=np.array([value], dtype=np.float32))
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]


def stepped_load(server: TritonServer, model: str, rates: tuple[float, ...],
                 seconds: float) -> list[tuple[float, float]]:
    """Open-loop load in steps: ``rates[i]`` requests/s for ``seconds`` each; returns each step's (start, end).

    A scheduler hands out send times; 16 workers with their own clients send at those times, so
    requests arrive at the step's rate even while the server queues them (bounded: it stops
    after the last step, and late requests are dropped, not queued up).
    """
    import queue as queue_module

    import numpy as np
    from pytriton.client import ModelClient

    url = f"127.0.0.1:{server.http_port}"
    slots: queue_module.Queue[float | None] = queue_module.Queue()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with ModelClient(url, model, init_timeout_s=60, inference_timeout_s=60) as client:
                while (at := slots.get()) is not None:
                    wait = at - time.time()
                    if wait > 0:
                        time.sleep(wait)
                    elif wait < -1.0:
                        continue  # more than a second late: drop it, or the overload would never end
                    client.infer_sample(x=np.array([1.0], dtype=np.float32))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    workers = [threading.Thread(target=worker) for _ in range(16)]
    for thread in workers:
        thread.start()
    steps = []
    start = time.time() + 2.0
    for rate in rates:
        end = start + seconds
        for i in range(int(rate * seconds)):
            slots.put(start + i / rate)
        steps.append((start, end))
        start = end
    for _ in workers:
        slots.put(None)
    for thread in workers:
        thread.join(timeout=seconds * len(rates) + 120)
    if errors:
        raise errors[0]
    return steps
