"""numpy forward + BPTT against torch autograd forward + backward, on the same RNN.

Same weights, same inputs, same output gradients: ``rnncourse.numpy_rnn.forward`` and
``bptt`` against ``torch.nn.RNN`` + ``nn.Linear`` (from ``torch_bridge.to_torch``) with
``backward()``. Reports the median time of many repeats and writes
``benchmarks/results.json``. Run from the repository root: ``python benchmarks/bench_bptt.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from rnncourse.numpy_rnn import bptt, forward, init_params
from rnncourse.torch_bridge import to_torch

T, B, D, H, O = 100, 32, 16, 64, 16
RESULTS = Path(__file__).with_name("results.json")


def median_ms(run, repeats: int, warmup: int = 5) -> float:
    """Median wall time of ``run()`` in milliseconds."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def bench(dtype: type, repeats: int) -> dict[str, float]:
    """Time both implementations in ``dtype``; return the medians and their ratio."""
    rng = np.random.default_rng(0)
    params = init_params(D, H, O, seed=0, dtype=dtype)
    xs = rng.normal(size=(T, B, D)).astype(dtype)
    dys = rng.normal(size=(T, B, O)).astype(dtype)
    rnn, head = to_torch(params)
    xs_t, dys_t = torch.as_tensor(xs), torch.as_tensor(dys)

    def numpy_step() -> None:
        bptt(params, forward(params, xs), dys)

    def torch_step() -> None:
        rnn.zero_grad(set_to_none=True)
        head.zero_grad(set_to_none=True)
        hs, _ = rnn(xs_t)
        (head(hs) * dys_t).sum().backward()

    numpy_ms, torch_ms = median_ms(numpy_step, repeats), median_ms(torch_step, repeats)
    return {"numpy_ms": round(numpy_ms, 3), "torch_ms": round(torch_ms, 3),
            "ratio_numpy_over_torch": round(numpy_ms / torch_ms, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    results = {"task": "RNN forward + BPTT", "T": T, "B": B, "D": D, "H": H, "O": O,
               "repeats": args.repeats, "torch_threads": torch.get_num_threads(),
               "cpu_count": os.cpu_count(), "machine": platform.machine(),
               "torch": torch.__version__, "numpy": np.__version__}
    for name, dtype in (("float32", np.float32), ("float64", np.float64)):
        results[name] = bench(dtype, args.repeats)
        r = results[name]
        print(f"{name}: numpy {r['numpy_ms']:.2f} ms, torch {r['torch_ms']:.2f} ms, "
              f"ratio numpy/torch {r['ratio_numpy_over_torch']:.2f}")
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
