"""rnncourse.feedforward: manual backprop against torch.autograd (float64) and the chain rule."""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse import feedforward as ff
from rnncourse.activations import sigmoid_derivative

TORCH_ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
             "leaky_relu": torch.nn.functional.leaky_relu, "identity": lambda z: z}


def tensor(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def torch_grads(net, X, y):
    """The same network written in torch; returns (loss, grads of W, b, gamma, beta, dX)."""
    W, b = [tensor(w) for w in net.W], [tensor(v) for v in net.b]
    g, be = [tensor(v) for v in net.gamma], [tensor(v) for v in net.beta]
    a = x = tensor(X)
    for l in range(len(W)):
        a = a @ W[l].T + b[l]
        if l < len(W) - 1:
            if net.batchnorm:
                a = torch.nn.functional.batch_norm(a, None, None, g[l], be[l], True, 0.0, net.eps)
            a = TORCH_ACT[net.activation](a)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(a[:, 0], torch.tensor(y))
    loss.backward()
    return loss.item(), [[t.grad.numpy() for t in ts] for ts in (W, b, g, be)], x.grad.numpy()


def random_problem(seed, sizes, activation, batchnorm, n):
    rng = np.random.default_rng(seed)
    net = ff.init_mlp(sizes, activation, "xavier_normal", batchnorm, seed)
    net.b = [rng.normal(size=v.shape) for v in net.b]
    net.gamma = [rng.normal(size=v.shape) for v in net.gamma]
    net.beta = [rng.normal(size=v.shape) for v in net.beta]
    return net, rng.normal(size=(n, sizes[0])), rng.integers(0, 2, n).astype(float)


@given(seed=st.integers(0, 10_000), n=st.integers(2, 9),
       sizes=st.lists(st.integers(1, 7), min_size=3, max_size=6),
       activation=st.sampled_from(sorted(TORCH_ACT)), batchnorm=st.booleans())
@settings(max_examples=60, deadline=None)
def test_mlp_gradients_match_torch_autograd(seed, n, sizes, activation, batchnorm):
    net, X, y = random_problem(seed, sizes[:-1] + [1], activation, batchnorm, n)
    loss, grads = ff.loss_and_grads(net, X, y)
    t_loss, (tW, tb, tg, tbe), tdX = torch_grads(net, X, y)
    assert loss == pytest.approx(t_loss, rel=1e-12, abs=1e-12)
    for ours, theirs in ((grads.dW, tW), (grads.db, tb), (grads.dgamma, tg), (grads.dbeta, tbe)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o, t, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(grads.dX, tdX, rtol=1e-8, atol=1e-8)


@given(seed=st.integers(0, 10_000), n=st.integers(2, 12), d=st.integers(1, 8))
@settings(max_examples=40, deadline=None)
def test_batchnorm_forward_and_backward_match_torch(seed, n, d):
    rng = np.random.default_rng(seed)
    Z, gamma, beta, dY = (rng.normal(size=s) * 3 for s in [(n, d), d, d, (n, d)])
    Y, cache = ff.batchnorm_forward(Z, gamma, beta)
    dZ, dgamma, dbeta = ff.batchnorm_backward(dY, cache)
    tZ, tg, tb = tensor(Z), tensor(gamma), tensor(beta)
    tY = torch.nn.functional.batch_norm(tZ, None, None, tg, tb, True, 0.0, 1e-5)
    (tY * torch.tensor(dY)).sum().backward()
    np.testing.assert_allclose(Y, tY.detach().numpy(), rtol=1e-8, atol=1e-8)
    for ours, theirs in ((dZ, tZ), (dgamma, tg), (dbeta, tb)):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-8, atol=1e-8)


def test_dense_backward_matches_torch():
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    b, dZ = rng.normal(size=4), rng.normal(size=(5, 4))
    tX, tW, tb = tensor(X), tensor(W), tensor(b)
    (torch.nn.functional.linear(tX, tW, tb) * torch.tensor(dZ)).sum().backward()
    for ours, theirs in zip(ff.dense_backward(dZ, X, W), (tX, tW, tb)):
        assert ours.shape == theirs.shape, "each gradient has the shape of its parameter"
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-12)


def test_weights_are_stored_outputs_by_inputs_like_torch_linear():
    """W[l] is (D_out, D_in): torch.nn.Linear's layout, so its forward pass is ours."""
    net = ff.init_mlp([3, 5, 2], "tanh", "xavier_uniform", seed=4)
    assert [W.shape for W in net.W] == [(5, 3), (2, 5)]
    X = np.random.default_rng(4).normal(size=(6, 3))
    layer = torch.nn.Linear(3, 5, dtype=torch.float64)
    layer.weight.data, layer.bias.data = torch.tensor(net.W[0]), torch.tensor(net.b[0])
    np.testing.assert_allclose(ff.dense_forward(X, net.W[0], net.b[0]),
                               layer(torch.tensor(X)).detach().numpy(), rtol=1e-12)


def test_loss_is_stable_for_huge_logits(recwarn):
    loss, dlogits = ff.binary_cross_entropy(np.array([800.0, -800.0]), np.array([0.0, 1.0]))
    assert loss == pytest.approx(800.0) and np.allclose(dlogits, [0.5, -0.5])
    assert len(recwarn) == 0


def test_chain_gradient_is_the_product_of_local_derivatives():
    """∂ŷ/∂z_1 = f′(z_1) w f′(z_2) w ... w: the chain rule written out by hand."""
    w, x, depth = 1.7, 0.4, 4
    zs, a = [], x
    for _ in range(depth):
        zs.append(w * a)
        a = 1 / (1 + np.exp(-zs[-1]))
    by_hand = np.prod(sigmoid_derivative(np.array(zs))) * w ** depth
    got = ff.hidden_gradients(ff.chain_mlp(depth, "sigmoid", weight=w), [[x]])
    assert got[0] == pytest.approx(by_hand, rel=1e-12)
    assert ff.first_layer_gradient([depth], "sigmoid", weight=w, x=x)[0] == pytest.approx(by_hand)
    assert np.all(np.diff(got) > 0), "the gradient grows towards the output"


def test_product_of_layer_jacobians_is_the_input_gradient():
    net, X, _ = random_problem(3, [3, 5, 4, 1], "tanh", False, 1)
    product = np.linalg.multi_dot(ff.layer_jacobians(net, X[0])[::-1])
    out, cache = ff.mlp_forward(net, X)
    dX = ff.mlp_backward(net, cache, np.ones_like(out)).dX
    np.testing.assert_allclose(product, dX, rtol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_layer_jacobians_match_torch_autograd(activation):
    """J_l = diag(f′(z_l)) W_l, shape (D_l, D_{l−1}): torch's Jacobian of each layer."""
    net, X, _ = random_problem(5, [3, 4, 6, 2], activation, False, 1)
    _, cache = ff.mlp_forward(net, X)
    jacobians = ff.layer_jacobians(net, X[0])
    assert [J.shape for J in jacobians] == [(4, 3), (6, 4), (2, 6)]
    for l, (J, W, b) in enumerate(zip(jacobians, net.W, net.b)):
        last_layer = l == len(net.W) - 1

        def layer(a, W=W, b=b, last=last_layer):
            z = torch.nn.functional.linear(a, torch.tensor(W), torch.tensor(b))
            return z if last else TORCH_ACT[activation](z)
        a_prev = torch.tensor(cache[l]["X"][0])
        np.testing.assert_allclose(J, torch.autograd.functional.jacobian(layer, a_prev).numpy(),
                                   rtol=1e-12, atol=1e-15)


def test_training_learns_an_easy_problem_and_leaves_the_input_net_alone():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    net = ff.init_mlp([2, 8, 1], "tanh", "xavier_uniform", seed=0)
    W0 = net.W[0].copy()
    trained, hist = ff.train_mlp(net, X, y, lr=1.0, steps=200)
    np.testing.assert_array_equal(net.W[0], W0)
    assert hist.losses.shape == (200,) and hist.grad_norms.shape == (200, 2)
    assert hist.travel.shape == (2,)
    assert hist.losses[-1] < 0.2 * hist.losses[0] and hist.status == "budget"
    assert np.mean((ff.predict_proba(trained, X) > 0.5) == y) > 0.95
    _, mini = ff.train_mlp(net, X, y, lr=0.5, steps=20, batch_size=16, seed=1)
    assert mini.losses.shape == (20,)


def test_training_stops_cleanly_on_divergence(recwarn, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)) * 10
    y = rng.integers(0, 2, 64).astype(float)
    net = ff.init_mlp([3, 16, 16, 16, 1], "identity", "he_normal", seed=0)
    _, hist = ff.train_mlp(net, X, y, lr=100.0, steps=500)
    assert hist.status == "diverged" and "NaN/Inf" in hist.message
    assert len(hist.losses) < 500 and np.all(np.isfinite(hist.losses))
    assert capsys.readouterr().out.count("stopped at step") == 1
    assert len(recwarn) == 0, "no warning flood"


def test_bad_inputs_raise_clear_errors():
    net = ff.init_mlp([3, 4, 1])
    with pytest.raises(ValueError, match=r"X must have shape \(any, 3\); got \(5, 2\)"):
        ff.mlp_forward(net, np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"y must have shape \(5\)"):
        ff.train_mlp(net, np.ones((5, 3)), np.ones(4))
    with pytest.raises(ValueError, match="activation must be one of"):
        ff.init_mlp([3, 4, 1], activation="swish")
    with pytest.raises(ValueError, match="init must be one of"):
        ff.init_mlp([3, 4, 1], init="glorot")
    with pytest.raises(ValueError, match="sizes must list at least"):
        ff.init_mlp([3])
    with pytest.raises(ValueError, match="sizes\\[1\\] must be a finite number > 0"):
        ff.init_mlp([3, 0, 1])
    with pytest.raises(TypeError, match="net must be an MLP"):
        ff.mlp_forward({"W": []}, np.ones((2, 3)))
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        ff.train_mlp(net, np.ones((5, 3)), np.ones(5), lr=-1)
    with pytest.raises(ValueError, match="without batch normalisation"):
        ff.layer_jacobians(ff.init_mlp([3, 4, 1], batchnorm=True), np.ones(3))
    with pytest.raises(ValueError, match="y must hold labels 0 and 1 only"):
        ff.train_mlp(net, np.ones((5, 3)), np.full(5, 2.0))
    with pytest.raises(ValueError, match="one output"):
        ff.train_mlp(ff.init_mlp([3, 4, 2]), np.ones((5, 3)), np.ones(5))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("weight", [0.5, 1.0, -3.0])
def test_chain_gradients_never_exceed_their_bound(activation, weight):
    grads = ff.hidden_gradients(ff.chain_mlp(6, activation, weight), [[0.7]])
    assert np.all(grads <= ff.chain_bound(6, activation, weight) * (1 + 1e-12))


def test_exercise_checker_for_the_dense_backward_pass(capsys):
    from rnncourse import exercises

    assert exercises.check_dense_backward(ff.dense_backward)
    assert not exercises.check_dense_backward(
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)))
    assert not exercises.check_dense_backward(lambda dZ, X, W: (dZ @ W.T, X.T @ dZ))
    # the answer of the old (inputs, outputs) layout: transposed products, wrong shapes
    assert not exercises.check_dense_backward(lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)))
    assert not exercises.check_dense_backward(lambda dZ, X, W: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)))
    assert capsys.readouterr().out.count("Not yet") == 4


def test_weight_travel_is_relative_and_defined_for_a_zero_start():
    start = [np.ones((2, 2)), np.zeros((1, 2)), np.zeros((1, 2))]
    end = [3 * np.ones((2, 2)), np.zeros((1, 2)), np.ones((1, 2))]
    assert ff.weight_travel(start, end).tolist() == [2.0, 0.0, np.inf]  # no NaN for 0 / 0


def test_training_a_net_that_starts_at_zero_weights_finishes():
    net = ff.chain_mlp(2, "tanh", weight=0.0, bias=0.5)
    _, hist = ff.train_mlp(net, [[1.0], [-1.0]], [1.0, 0.0], steps=5)
    assert hist.status == "budget" and np.all(np.isfinite(hist.losses))
    # the output weight moves from 0 at the first step: its relative travel is inf, not NaN
    assert np.isinf(hist.travel[-1]) and not np.any(np.isnan(hist.travel))


def test_divergence_through_overflowing_weights_is_reported_not_raised(recwarn, capsys):
    """A step can overflow the weights (lr · gradient > 1.8e308): reported as diverged."""
    net = ff.init_mlp([1, 1], "identity", "he_normal", seed=0)
    _, hist = ff.train_mlp(net, [[1e300]], [0.0], lr=1e300, steps=3)
    assert hist.status == "diverged" and len(hist.losses) == 1
    assert np.isinf(hist.travel[0]) and len(recwarn) == 0
    assert "stopped at step 1: loss or gradient is NaN/Inf" in capsys.readouterr().out


def test_public_functions_accept_lists_and_ranges_where_the_chapters_pass_them():
    assert ff.hidden_gradients(ff.chain_mlp(3, "sigmoid"), [[1.0]]).shape == (3,)
    assert ff.first_layer_gradient(range(1, 4), "sigmoid").shape == (3,)
    assert len(ff.init_mlp((2, 3, 1)).W) == len(ff.init_mlp(np.array([2, 3, 1])).W) == 2


def test_sgd_update_is_pure_and_steps_every_parameter_by_lr_times_its_gradient():
    net = ff.init_mlp([3, 4, 1], batchnorm=True, seed=2)
    X, y = np.random.default_rng(0).normal(size=(6, 3)), np.array([0, 1, 1, 0, 1, 0.0])
    before = copy.deepcopy(net)
    _, grads = ff.loss_and_grads(net, X, y)
    new = ff.sgd_update(net, grads, 0.3)
    for key in ("W", "b", "gamma", "beta"):
        for p, old, dp, q in zip(getattr(net, key), getattr(before, key),
                                 getattr(grads, "d" + key), getattr(new, key)):
            np.testing.assert_array_equal(p, old)  # the input is untouched
            np.testing.assert_allclose(q, old - 0.3 * dp, rtol=0, atol=1e-15)
