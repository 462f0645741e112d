"""The numpy reference models, rebuilt in torch with the same weights.

The numpy modules import numpy only; this module is where they meet torch, to check the
reference gradients against ``torch.autograd`` and to time them against torch.
"""

from __future__ import annotations

import numpy as np
import torch

from . import numpy_rnn


def to_torch(params: numpy_rnn.RNNParams) -> tuple[torch.nn.RNN, torch.nn.Linear]:
    """``torch.nn.RNN`` (tanh, time-major) and ``nn.Linear`` holding copies of the weights.

    torch has two biases (b_ih, b_hh); ours is their sum, so b_hh is set to zero.
    Introduced in chapter 4 (backprop through time).
    """
    D, H, O = params.sizes
    dtype = torch.float64 if params.W_h.dtype == np.float64 else torch.float32
    rnn, head = torch.nn.RNN(D, H, dtype=dtype), torch.nn.Linear(H, O, dtype=dtype)
    with torch.no_grad():
        for p, value in ((rnn.weight_ih_l0, params.W_x), (rnn.weight_hh_l0, params.W_h),
                         (rnn.bias_ih_l0, params.b), (rnn.bias_hh_l0, 0 * params.b),
                         (head.weight, params.W_y), (head.bias, params.c)):
            p.copy_(torch.as_tensor(value))
    return rnn, head


def torch_grads(params: numpy_rnn.RNNParams, xs: np.ndarray, dys: np.ndarray,
                h0: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Gradients by ``torch.autograd`` for the loss sum(ys * dys); keys "dW_x", ..., "dc".

    Introduced in chapter 4 (backprop through time).
    """
    xs, h0 = numpy_rnn.check_inputs(params, xs, h0)
    rnn, head = to_torch(params)
    hs, _ = rnn(torch.as_tensor(xs), torch.as_tensor(h0)[None])
    (head(hs) * torch.as_tensor(dys)).sum().backward()
    tensors = (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, head.weight, head.bias)
    return {"d" + n: p.grad.numpy().copy() for n, p in zip(numpy_rnn.PARAM_NAMES, tensors)}
