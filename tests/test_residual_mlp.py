"""rnncourse.residual_mlp against torch.autograd on the same network with copied weights,
and against chapter 2's feedforward module when there are no skips."""

import numpy as np
import pytest
import torch

from rnncourse import feedforward as ff
from rnncourse import residual_mlp as R

RNG = np.random.default_rng


def data(N=12, D=3, seed=0):
    rng = RNG(seed)
    return rng.normal(size=(N, D)), (rng.random(N) < 0.5).astype(float)


def torch_loss(net, X, y, residual):
    """The same net written in torch (float64), with its parameters as leaves."""
    f = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[net.activation]
    leaves = {k: [torch.tensor(p, requires_grad=True) for p in getattr(net, k)]
              for k in ("W", "b", "gamma", "beta")}
    a, L = torch.tensor(X), len(net.W)
    for l in range(L):
        z = a @ leaves["W"][l].T + leaves["b"][l]
        if l == L - 1:
            a = z
            break
        if net.batchnorm:
            z = (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + net.eps)
            z = leaves["gamma"][l] * z + leaves["beta"][l]
        skip = residual and l > 0 and net.W[l].shape[0] == net.W[l].shape[1]
        a = a + f(z) if skip else f(z)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(a[:, 0], torch.tensor(y))
    return loss, leaves


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("residual", [True, False])
def test_gradients_equal_torch_autograd(activation, batchnorm, residual):
    X, y = data()
    net = ff.init_mlp([3, 5, 5, 4, 4, 1], activation, "xavier_uniform", batchnorm, seed=1)
    net.b = [RNG(2).normal(size=b.shape) for b in net.b]
    if batchnorm:
        net.gamma = [RNG(3).uniform(0.5, 1.5, size=g.shape) for g in net.gamma]
        net.beta = [RNG(4).normal(size=g.shape) for g in net.beta]
    loss, grads = R.residual_loss_and_grads(net, X, y, residual)
    ref, leaves = torch_loss(net, X, y, residual)
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    for key in ("W", "b", "gamma", "beta"):
        for ours, leaf in zip(getattr(grads, "d" + key), leaves[key]):
            np.testing.assert_allclose(ours, leaf.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_without_skips_it_is_chapter_2s_network():
    X, y = data()
    net = ff.init_mlp([3, 4, 4, 4, 1], "sigmoid", seed=0)
    out, _ = R.residual_forward(net, X, residual=False)
    np.testing.assert_array_equal(out, ff.mlp_forward(net, X)[0])
    loss, grads = R.residual_loss_and_grads(net, X, y, residual=False)
    loss_ref, grads_ref = ff.loss_and_grads(net, X, y)
    assert loss == loss_ref
    for a, b in zip(grads.dW, grads_ref.dW):
        np.testing.assert_array_equal(a, b)
    skipped, _ = R.residual_forward(net, X)
    assert not np.allclose(skipped, out)  # residual matters


def test_skips_are_the_hidden_layers_of_equal_widths():
    net = ff.init_mlp([3, 4, 4, 5, 5, 5, 1], "tanh", seed=0)
    assert R.skips(net) == [False, True, False, True, True, False]
    assert R.skips(net, residual=False) == [False] * 6


def test_residual_backward_adds_the_identity_path():
    X, _ = data()
    net = ff.init_mlp([3, 4, 4, 1], "sigmoid", seed=0)
    out, cache = R.residual_forward(net, X)
    grads = R.residual_backward(net, cache, np.ones_like(out))
    plain = R.residual_backward(net, cache, np.ones_like(out), residual=False)
    # layer 2 sends dZ_2 W_2 down and, through the skip, what reached a_2 (W_3 per row)
    expected = grads.dZ[1] @ net.W[1] + np.ones((len(X), 1)) @ net.W[2]
    np.testing.assert_allclose(grads.dZ[0], expected * (lambda s: s * (1 - s))(
        1 / (1 + np.exp(-cache[0]["Z"]))))
    assert not np.allclose(grads.dZ[0], plain.dZ[0])


def test_a_deep_residual_sigmoid_net_keeps_its_first_layer_gradient():
    X, y = data(N=50, D=4)
    deep = ff.init_mlp([4] + [16] * 30 + [1], "sigmoid", seed=0)
    plain = np.linalg.norm(R.residual_loss_and_grads(deep, X, y, residual=False)[1].dW[0])
    skip = np.linalg.norm(R.residual_loss_and_grads(deep, X, y)[1].dW[0])
    assert plain < 1e-15 < 1e-3 < skip


@pytest.mark.parametrize("call, error, words", [
    (lambda: R.skips("net"), TypeError, "net must be an MLP"),
    (lambda: R.skips(ff.init_mlp([2, 2, 1]), residual=1), TypeError,
     "residual must be True or False; got int"),
    (lambda: R.residual_forward(ff.init_mlp([2, 2, 1]), np.ones((3, 5))), ValueError,
     r"X must have shape \(any, 2\)"),
    (lambda: R.residual_forward(ff.init_mlp([2, 2, 1]), np.ones((3, 2)), "yes"), TypeError,
     "residual must be True or False"),
    (lambda: R.residual_backward(ff.init_mlp([2, 2, 1]), [], np.ones((3, 1))), ValueError,
     "cache must come from mlp_forward"),
    (lambda: R.residual_backward(ff.init_mlp([2, 2, 1]),
                                 R.residual_forward(ff.init_mlp([2, 2, 1]), np.ones((3, 2)))[1],
                                 np.ones((3, 2))), ValueError, r"dout must have shape \(3, 1\)"),
    (lambda: R.residual_loss_and_grads(ff.init_mlp([2, 2, 2]), np.ones((3, 2)),
                                       np.ones(3)), ValueError, "net must have one output"),
    (lambda: R.residual_loss_and_grads(ff.init_mlp([2, 2, 1]), np.ones((3, 2)),
                                       np.full(3, 2.0)), ValueError, "y must hold labels 0"),
    (lambda: R.residual_loss_and_grads(ff.init_mlp([2, 2, 1]), np.ones((3, 2)),
                                       np.ones(3), None), TypeError, "residual must be"),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()
