"""A vanilla RNN in numpy: forward pass, full and truncated BPTT, per-step gradient norms.

The model (chapter 3) and its gradients (chapter 4), for a batch of B sequences::

    h_t = tanh(W_h h_{t-1} + W_x x_t + b)        y_t = W_y h_t + c

Weights are stored the way the equations are written (and the way ``torch.nn.RNN``
stores them): ``W_x`` is (H, D), ``W_h`` is (H, H), ``W_y`` is (O, H). Vectors of a
batch are rows, so in code the products read ``x_t @ W_x.T``. Shapes are time-major:
inputs ``xs`` (T, B, D), states ``hs`` (T + 1, B, H) with ``hs[0]`` the initial state,
outputs ``ys`` (T, B, O).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import optim
from .validation import check_array, check_positive

PARAM_NAMES = ("W_x", "W_h", "b", "W_y", "c")


@dataclass
class RNNParams:
    """Weights of a vanilla RNN: W_x (H, D), W_h (H, H), b (H,), W_y (O, H), c (O,).

    Introduced in chapter 3 (recurrent networks).
    """

    W_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    W_y: np.ndarray
    c: np.ndarray

    def __post_init__(self) -> None:
        for name in PARAM_NAMES:  # not checked for NaN: fit() reports a diverged run itself
            setattr(self, name, check_array(name, getattr(self, name), finite=False))
        H, D, O = self.W_x.shape[0], self.W_x.shape[-1], self.W_y.shape[0]
        expected = {"W_x": (H, D), "W_h": (H, H), "b": (H,), "W_y": (O, H), "c": (O,)}
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} must have shape {shape} to match W_x {self.W_x.shape} "
                                 f"and W_y {self.W_y.shape}; got {getattr(self, name).shape}")

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(D, H, O): input, hidden and output sizes."""
        return self.W_x.shape[1], self.W_h.shape[0], self.W_y.shape[0]

    def copy(self) -> RNNParams:
        """A deep copy (the arrays are copied too)."""
        return RNNParams(*(getattr(self, n).copy() for n in PARAM_NAMES))


@dataclass
class ForwardCache:
    """What the backward pass needs: xs (T, B, D), hs (T + 1, B, H), ys (T, B, O).

    ``hs[0]`` is the initial state h_0 and ``hs[t + 1]`` the state after input ``xs[t]``.
    Introduced in chapter 4 (backprop through time).
    """

    xs: np.ndarray
    hs: np.ndarray
    ys: np.ndarray


@dataclass
class RNNGrads:
    """Gradients of the loss: one array per parameter, plus what BPTT saw on the way.

    dh0: (B, H) gradient with respect to the initial state.
    dh_norms: (T,) Frobenius norm over the batch of the total derivative dL/dh_t.
    Introduced in chapter 4 (backprop through time).
    """

    dW_x: np.ndarray
    dW_h: np.ndarray
    db: np.ndarray
    dW_y: np.ndarray
    dc: np.ndarray
    dh0: np.ndarray
    dh_norms: np.ndarray

    def flat(self) -> np.ndarray:
        """All parameter gradients in one vector, in the order of ``PARAM_NAMES``."""
        return np.concatenate([getattr(self, "d" + n).ravel() for n in PARAM_NAMES])


def init_params(D: int, H: int, O: int, seed: int = 0, gain: float = 1.0,
                dtype: type = np.float64) -> RNNParams:
    """Random weights with variance 1/fan-in; ``W_h`` is scaled by ``gain``.

    Introduced in chapter 3 (recurrent networks).
    """
    D, H, O = (check_positive(n, v, integer=True) for n, v in (("D", D), ("H", H), ("O", O)))
    rng = np.random.default_rng(seed)
    params = RNNParams(W_x=rng.normal(0, 1 / np.sqrt(D), (H, D)),
                       W_h=gain * rng.normal(0, 1 / np.sqrt(H), (H, H)),
                       b=np.zeros(H), W_y=rng.normal(0, 1 / np.sqrt(H), (O, H)), c=np.zeros(O))
    return RNNParams(*(getattr(params, n).astype(dtype) for n in PARAM_NAMES))


def check_inputs(params: RNNParams, xs: object, h0: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``xs`` (T, B, D) and ``h0`` (B, H) against the parameters' sizes."""
    D, H, _ = params.sizes
    xs = check_array("xs", xs)
    if xs.ndim != 3 or xs.shape[2] != D:
        raise ValueError(f"xs must have shape (T, B, D) with D = {D}; got {xs.shape}")
    if xs.shape[0] == 0 or xs.shape[1] == 0:
        raise ValueError(f"xs needs at least one step and one sequence; got shape {xs.shape}")
    if h0 is None:
        return xs, np.zeros((xs.shape[1], H), dtype=params.W_h.dtype)
    return xs, check_array("h0", h0, shape=(xs.shape[1], H))


def forward(params: RNNParams, xs: np.ndarray,
            h0: np.ndarray | None = None) -> ForwardCache:
    """Run the RNN over a batch of sequences.

    xs: (T, B, D) inputs; h0: (B, H) initial state (zeros if None).
    Returns the cache with hs (T + 1, B, H) and ys (T, B, O).
    Introduced in chapter 3 (recurrent networks).
    """
    xs, h0 = check_inputs(params, xs, h0)
    T, B, _ = xs.shape
    H, O = params.W_h.shape[0], params.W_y.shape[0]
    hs = np.empty((T + 1, B, H), dtype=params.W_h.dtype)
    ys = np.empty((T, B, O), dtype=params.W_h.dtype)
    hs[0] = h0
    for t in range(T):
        z = xs[t] @ params.W_x.T + hs[t] @ params.W_h.T + params.b
        hs[t + 1] = np.tanh(z)
        ys[t] = hs[t + 1] @ params.W_y.T + params.c
    return ForwardCache(xs=xs, hs=hs, ys=ys)


def _param_grads(params: RNNParams, cache: ForwardCache, dys: np.ndarray,
                 dzs: np.ndarray) -> tuple[np.ndarray, ...]:
    """dW_x, dW_h, db, dW_y, dc as sums over time; dzs = dL/dz_t (T, B, H).

    Each weight gradient is a sum over t of a product, e.g.
    dW_h = sum_t dzs[t].T @ hs[t]: the T products are one stacked matmul,
    then summed over the time axis.
    """
    def sum_over_time(grad_out: np.ndarray,
                      inputs: np.ndarray) -> np.ndarray:
        return (grad_out.transpose(0, 2, 1) @ inputs).sum(axis=0)

    return (sum_over_time(dzs, cache.xs), sum_over_time(dzs, cache.hs[:-1]),
            dzs.sum(axis=(0, 1)), sum_over_time(dys, cache.hs[1:]),
            dys.sum(axis=(0, 1)))


def bptt(params: RNNParams, cache: ForwardCache, dys: np.ndarray,
         truncate: int | None = None) -> RNNGrads:
    """Gradients of the loss by backpropagation through time.

    dys: (T, B, O) gradient of the loss with respect to each output.
    truncate: backpropagate at most this many steps from each output
    (None = full BPTT).
    Introduced in chapter 4 (backprop through time).
    """
    if truncate is not None:
        return bptt_truncated(params, cache, dys, truncate)
    dys = check_array("dys", dys, shape=cache.ys.shape)
    T = dys.shape[0]
    dhs = np.empty_like(cache.hs[1:])  # dL/dh_t
    dzs = np.empty_like(cache.hs[1:])  # dL/dz_t
    # W_h^T dL/dz_{t+1}: what the future sends back
    dh_next = np.zeros_like(cache.hs[0])
    for t in reversed(range(T)):
        # total derivative = direct + through h_{t+1}
        dhs[t] = dys[t] @ params.W_y + dh_next
        dzs[t] = dhs[t] * (1 - cache.hs[t + 1] ** 2)  # back through tanh
        dh_next = dzs[t] @ params.W_h  # on to h_{t-1}
    norms = np.sqrt(np.einsum("tbh,tbh->t", dhs, dhs))
    grads = _param_grads(params, cache, dys, dzs)
    return RNNGrads(*grads, dh0=dh_next, dh_norms=norms)


def bptt_truncated(params: RNNParams, cache: ForwardCache, dys: np.ndarray,
                   k: int) -> RNNGrads:
    """Truncated BPTT: loss at step s reaches h_t only if s - k < t <= s.

    The backward state is a stack ``dh_next`` (k, B, H): row j carries the
    gradient that left an output j steps later; the oldest row is dropped at
    each step. With k > T this is full BPTT (k = T already gives the full
    parameter gradients).
    dys: (T, B, O); k >= 1. Introduced in chapter 4 (backprop through time).
    """
    dys = check_array("dys", dys, shape=cache.ys.shape)
    T, B, H = cache.hs[1:].shape
    # T + 1 states reach back to h_0
    k = min(check_positive("truncate", k, integer=True), T + 1)
    dhs, dzs = np.empty_like(cache.hs[1:]), np.empty_like(cache.hs[1:])
    dh_next = np.zeros((k, B, H), dtype=cache.hs.dtype)
    for t in reversed(range(T)):
        direct = (dys[t] @ params.W_y)[None]  # age 0: output t
        stack = np.concatenate([direct, dh_next[:-1]])
        dhs[t] = stack.sum(axis=0)
        dstack = stack * (1 - cache.hs[t + 1] ** 2)
        dzs[t] = dstack.sum(axis=0)
        dh_next = dstack @ params.W_h
    dh0 = dh_next[:-1].sum(axis=0)  # the rows still within reach of h_0
    norms = np.sqrt(np.einsum("tbh,tbh->t", dhs, dhs))
    grads = _param_grads(params, cache, dys, dzs)
    return RNNGrads(*grads, dh0=dh0, dh_norms=norms)


def truncation_mask(T: int, k: int | None) -> np.ndarray:
    """Which terms (s, t) of the BPTT double sum truncation with horizon k keeps.

    Returns a (T, T) bool array: entry [s - 1, t - 1] is True when the loss at step s
    reaches back to step t, that is when s - k < t <= s (t <= s when k is None: full BPTT).
    Introduced in chapter 4 (backprop through time).
    """
    T = check_positive("T", T, integer=True)
    k = T if k is None else check_positive("k", k, integer=True)
    distance = np.arange(T)[:, None] - np.arange(T)[None, :]  # s - t
    return (distance >= 0) & (distance < k)


# --- losses: each returns (loss, dL/dys) ---------------------------------------------


def mse_loss(ys: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over all entries and its gradient; ys, targets: (T, B, O).

    Introduced in chapter 3 (recurrent networks).
    """
    ys = check_array("ys", ys, ndim=3, finite=False)  # NaN allowed: fit() reports divergence
    targets = check_array("targets", targets, shape=ys.shape)
    diff = ys - targets
    return float(np.mean(diff ** 2)), 2 * diff / diff.size


def cross_entropy_loss(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient; logits (T, B, V), targets (T, B) ints.

    The log-probabilities are computed by log-sum-exp, so huge logits (1e4) give the
    right finite loss instead of log(0). Introduced in chapter 3 (recurrent networks).
    """
    logits = check_array("logits", logits, ndim=3, finite=False)
    targets = _check_class_indices(targets, logits.shape)
    z = logits - logits.max(axis=-1, keepdims=True)  # the largest logit becomes 0
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))  # log softmax (log-sum-exp)
    picked = np.take_along_axis(log_p, targets[..., None], axis=-1)
    dlogits = np.exp(log_p)  # softmax; minus 1 at the target below
    np.put_along_axis(dlogits, targets[..., None], np.exp(picked) - 1, axis=-1)
    return float(-np.mean(picked)), dlogits / targets.size


def _check_class_indices(targets: object, shape: tuple[int, ...]) -> np.ndarray:
    """Validate ``targets``: integer class indices of shape ``shape[:2]``, in [0, V)."""
    if not isinstance(targets, (np.ndarray, list, tuple)):
        raise TypeError("targets must be a numpy array of class indices; "
                        f"got {type(targets).__name__}")
    targets = np.asarray(targets)
    if targets.shape != shape[:2] or targets.dtype.kind not in "iu":
        raise ValueError(f"targets must be integer class indices of shape {shape[:2]}; "
                         f"got {targets.dtype} {targets.shape}")
    V = shape[-1]
    if targets.size and (targets.min() < 0 or targets.max() >= V):
        raise ValueError(f"targets must be class indices in [0, {V}); "
                         f"got values from {targets.min()} to {targets.max()}")
    return targets


Loss = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


# --- chunked truncated BPTT (k1, k2) with a carried, detached state ------------------


@dataclass
class ChunkedResult:
    """What :func:`tbptt_chunked` returns: final params, per-chunk losses and gradients."""

    params: RNNParams
    losses: list[float]
    grads: list[RNNGrads]
    h: np.ndarray  # (B, H) the state after the last step, to carry into the next stream


def tbptt_chunked(
    params: RNNParams, xs: np.ndarray, targets: np.ndarray, loss: Loss,
    k1: int, k2: int, h0: np.ndarray | None = None,
    update: Callable[[RNNParams, RNNGrads], RNNParams] | None = None,
) -> ChunkedResult:
    """TBPTT(k1, k2): every k1 steps, backpropagate k2 steps from a chunk.

    The stream is cut into chunks of k1 steps, [0, k1), [k1, 2 k1), ...; the
    last chunk is shorter when k1 does not divide T. A chunk's window is the
    chunk plus the k2 - k1 steps before it (fewer at the start of the
    stream): the window is run from the stored state at its start, treated
    as a constant (detached), with the current parameters; the loss is taken
    on the chunk's outputs only; then ``update`` (if given) returns new
    parameters. So a full chunk backpropagates through k2 steps and a short
    last chunk of m steps through m + k2 - k1. With k1 == k2 this is the
    usual chunked form, for every T: split the stream into chunks, carry the
    state across, backpropagate within a chunk.
    xs: (T, B, D); targets as ``loss`` expects, time-major;
    requires k2 >= k1 >= 1.
    Introduced in chapter 4 (backprop through time).
    """
    k1, k2 = check_positive("k1", k1, True), check_positive("k2", k2, True)
    if k2 < k1:
        raise ValueError("k2 must be >= k1 so every loss is "
                         f"backpropagated; got k1={k1}, k2={k2}")
    xs, h0 = check_inputs(params, xs, h0)
    T = xs.shape[0]
    h_store = np.empty((T + 1,) + h0.shape, dtype=h0.dtype)
    h_store[0] = h0
    losses, grads, first_loss = [], [], 0
    for end in list(range(k1, T, k1)) + [T]:
        # the window: the chunk [first_loss, end) and k2 - k1 steps before
        start = max(0, first_loss - (k2 - k1))
        cache = forward(params, xs[start:end], h_store[start])
        h_store[start + 1:end + 1] = cache.hs[1:]
        skip = first_loss - start  # window steps before the chunk: no loss
        value, dys = loss(cache.ys[skip:], targets[first_loss:end])
        dys = np.concatenate([np.zeros_like(cache.ys[:skip]), dys])
        grads.append(bptt(params, cache, dys))
        losses.append(value)
        first_loss = end
        if update is not None:
            params = update(params, grads[-1])
    return ChunkedResult(params=params, losses=losses, grads=grads,
                         h=h_store[-1])


# --- training -------------------------------------------------------------------------


@dataclass
class Adam:
    """Adam for :class:`RNNParams`, as a pure update ``params, grads -> params``.

    A thin use of :class:`rnncourse.optim.Adam` (chapter 1) over the named parameters
    ``W_x, W_h, b, W_y, c``; its state (``step``, moments ``m``, ``v``) is ``self.opt``'s.
    Introduced in chapter 3 (recurrent networks).
    """

    lr: float = 3e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self) -> None:
        self.opt = optim.Adam(lr=self.lr, beta1=self.beta1, beta2=self.beta2, eps=self.eps)

    def __call__(self, params: RNNParams, grads: RNNGrads) -> RNNParams:
        new = self.opt({n: getattr(params, n) for n in PARAM_NAMES},
                       {n: getattr(grads, "d" + n) for n in PARAM_NAMES})
        return RNNParams(**new)


@dataclass
class FitResult:
    """Trained parameters, the loss at every step taken, and how training ended.

    status: "budget" (took every step) or "diverged" (stopped when the loss became NaN
    or Inf); message: what happened, in words. The run record of every training
    function in the course uses this vocabulary.
    """

    params: RNNParams
    losses: np.ndarray
    status: str
    message: str


def fit(params: RNNParams, batch: Callable[[int], tuple[np.ndarray, np.ndarray]],
        loss: Loss, steps: int, lr: float = 3e-3, truncate: int | None = None) -> FitResult:
    """Train with Adam on ``batch(step) -> (xs, targets)``, one fresh batch per step.

    Stops cleanly, with one printed message and no overflow warnings, if the loss
    becomes NaN or Inf. truncate: as in :func:`bptt` (None = full BPTT).
    Introduced in chapter 3 (recurrent networks).
    """
    steps = check_positive("steps", steps, integer=True)
    opt, losses = Adam(lr=lr), []
    with np.errstate(over="ignore", invalid="ignore"):  # a divergence is reported once
        for step in range(steps):
            xs, targets = batch(step)
            cache = forward(params, xs)
            value, dys = loss(cache.ys, targets)
            if not np.isfinite(value):
                message = f"stopped at step {step}: the loss is {value} (diverged)"
                print(message)
                return FitResult(params, np.array(losses), "diverged", message)
            losses.append(value)
            params = opt(params, bptt(params, cache, dys, truncate))
    return FitResult(params, np.array(losses), "budget", f"took all {steps} steps")
