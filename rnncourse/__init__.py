"""rnncourse: reference implementations for the course on training recurrent networks.

Every chapter imports from here; nothing in a chapter redefines what lives here.
Conventions shared by every module:

- Shapes are time-major: a batch of sequences is ``(T, B, D)``; states ``(T + 1, B, H)``.
- A weight matrix is stored as (outputs, inputs), as ``torch.nn.Linear`` stores it: an
  RNN's ``W_x`` is (H, D) and ``W_h`` is (H, H); a feed-forward layer's ``W[l]`` is
  (D_{l+1}, D_l); ``rnncourse.init`` returns (fan_out, fan_in). Vectors of a batch are
  rows, so code reads ``x @ W.T`` where the math writes ``W x``.
- Gradients are named after what they are the gradient of: ``dW_h``, ``db``.
- Training functions return a run record whose ``status`` is one of "converged",
  "diverged" or "budget", with a ``message`` in words.
- The numpy modules import numpy only; torch meets them in ``torch_bridge``.
"""

__version__ = "0.1.0"
