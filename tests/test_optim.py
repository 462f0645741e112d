"""rnncourse.optim against torch.optim.Adam, closed forms and plain gradient descent."""

import math

import numpy as np
import pytest
import torch

from rnncourse import descent, optim


def named(rng, shapes):
    return {k: rng.normal(size=s) for k, s in shapes.items()}


SHAPES = {"W": (3, 4), "b": (3,), "s": ()}


# --- SGD -------------------------------------------------------------------------------------

def test_sgd_step_is_the_closed_form_and_pure():
    rng = np.random.default_rng(0)
    params, grads = named(rng, SHAPES), named(rng, SHAPES)
    before = {k: v.copy() for k, v in params.items()}
    new = optim.sgd_step(params, grads, lr=0.3)
    for k in SHAPES:
        np.testing.assert_array_equal(new[k], before[k] - 0.3 * grads[k])
        np.testing.assert_array_equal(params[k], before[k])  # inputs untouched
    other = optim.sgd_step(params, grads, lr=0.1)
    assert not np.allclose(other["W"], new["W"]), "lr must matter"


@pytest.mark.parametrize("args, error, word", [
    (({"w": np.ones(2)}, {"w": np.ones(2)}, 0.0), ValueError, "lr"),
    (({"w": np.ones(2)}, {"w": np.ones(2)}, "0.1"), TypeError, "lr"),
    (([1.0], {"w": np.ones(2)}, 0.1), TypeError, "params"),
    (({"w": np.ones(2)}, np.ones(2), 0.1), TypeError, "grads"),
    (({"w": np.ones(2)}, {"v": np.ones(2)}, 0.1), ValueError, "names"),
    (({"w": np.ones(2)}, {"w": np.ones(3)}, 0.1), ValueError, "shape"),
])
def test_sgd_step_rejects_bad_input(args, error, word):
    with pytest.raises(error, match=word):
        optim.sgd_step(*args)


# --- Adam ------------------------------------------------------------------------------------

@pytest.mark.parametrize("hyper", [
    dict(lr=1e-3), dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.2, betas=(0.0, 0.5), eps=1e-3),
])
def test_adam_matches_torch_adam_over_several_steps(hyper):
    rng = np.random.default_rng(1)
    params = named(rng, SHAPES)
    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for k, v in params.items()}
    torch_opt = torch.optim.Adam(leaves.values(), **hyper)
    beta1, beta2 = hyper.get("betas", (0.9, 0.999))
    opt = optim.Adam(lr=hyper["lr"], beta1=beta1, beta2=beta2, eps=hyper.get("eps", 1e-8))
    for _ in range(6):
        grads = {k: rng.normal(size=v.shape) * 10.0 ** rng.integers(-4, 2)
                 for k, v in params.items()}
        params = opt(params, grads)
        for k, leaf in leaves.items():
            leaf.grad = torch.tensor(grads[k], dtype=torch.float64)
        torch_opt.step()
    assert opt.step == 6
    for k, leaf in leaves.items():
        np.testing.assert_allclose(params[k], leaf.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_adam_first_step_is_lr_times_the_sign():
    """With bias correction, step 1 moves each entry by lr * g / (|g| + eps), whatever |g| is."""
    g = np.array([3e2, -1e-3, 5e-6, -1.0])
    new = optim.Adam(lr=0.1, eps=1e-8)({"w": np.zeros(4)}, {"w": g})["w"]
    np.testing.assert_allclose(new, -0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)


def test_adam_is_pure_and_keeps_its_state():
    rng = np.random.default_rng(2)
    params, grads = named(rng, SHAPES), named(rng, SHAPES)
    before = {k: v.copy() for k, v in params.items()}
    opt = optim.Adam(lr=0.01)
    opt(params, grads)
    for k in SHAPES:
        np.testing.assert_array_equal(params[k], before[k])
    assert opt.step == 1 and set(opt.m) == set(opt.v) == set(SHAPES)
    np.testing.assert_allclose(opt.m["W"], 0.1 * grads["W"])
    np.testing.assert_allclose(opt.v["W"], 0.001 * grads["W"] ** 2)
    assert "step=1" in repr(opt)


def test_adam_update_is_what_adam_applies():
    rng = np.random.default_rng(3)
    theta, m, v = rng.normal(size=5), np.zeros(5), np.zeros(5)
    opt, p = optim.Adam(lr=0.02, beta1=0.7, beta2=0.9, eps=1e-4), {"theta": theta}
    for n in range(1, 5):
        g = rng.normal(size=5)
        p = opt(p, {"theta": g})
        theta, m, v = optim.adam_update(theta, g, m, v, n, 0.02, 0.7, 0.9, 1e-4)
        np.testing.assert_allclose(p["theta"], theta, rtol=1e-14)
        np.testing.assert_allclose(opt.v["theta"], v, rtol=1e-14)


@pytest.mark.parametrize("change",
                         [dict(lr=0.02), dict(beta1=0.5), dict(beta2=0.9), dict(eps=1e-5)])
def test_every_adam_argument_matters(change):
    rng = np.random.default_rng(4)
    grads = 1e-5 * rng.normal(size=(4, 6))  # small enough for eps to matter
    base = dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    a = optim.adam_displacement(grads, **base)
    b = optim.adam_displacement(grads, **(base | change))
    assert np.max(np.abs(a - b)) > 1e-4 * np.max(np.abs(a)), f"{change} made no difference"


def test_adam_keeps_float32():
    new = optim.Adam()({"w": np.ones(3, dtype=np.float32)}, {"w": np.ones(3, dtype=np.float32)})
    assert new["w"].dtype == np.float32


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(lr=0.0), ValueError, "lr"), (dict(lr=math.inf), ValueError, "lr"),
    (dict(beta1=1.0), ValueError, "beta1"), (dict(beta1=-0.1), ValueError, "beta1"),
    (dict(beta2=1.5), ValueError, "beta2"), (dict(beta2="0.9"), TypeError, "beta2"),
    (dict(eps=0.0), ValueError, "eps"), (dict(eps=None), TypeError, "eps"),
])
def test_adam_rejects_bad_hyperparameters(kwargs, error, word):
    with pytest.raises(error, match=word):
        optim.Adam(**kwargs)


def test_adam_rejects_bad_params_and_changed_names():
    opt = optim.Adam()
    with pytest.raises(ValueError, match="shape"):
        opt({"w": np.ones(2)}, {"w": np.ones((2, 1))})
    with pytest.raises(TypeError, match="params"):
        opt(np.ones(2), {"w": np.ones(2)})
    opt({"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match="keep the names"):
        opt({"u": np.ones(2)}, {"u": np.ones(2)})


def test_adam_displacement_is_the_sum_of_adam_steps():
    rng = np.random.default_rng(5)
    grads = rng.normal(size=(7, 3))
    opt, p = optim.Adam(lr=0.03), {"theta": np.zeros(3)}
    for g in grads:
        p = opt(p, {"theta": g})
    np.testing.assert_allclose(optim.adam_displacement(grads, lr=0.03), p["theta"], rtol=1e-14)
    with pytest.raises(ValueError, match="grads"):
        optim.adam_displacement(np.ones(3))


def test_adam_descent_converges_and_matches_a_manual_loop():
    bowl = descent.quadratic_2d((1.0, 100.0), angle=0.0)
    run = optim.adam_descent(bowl.loss, bowl.grad, [2.0, 2.0], steps=2000, tol=1e-6, lr=0.1)
    assert run.status == "converged" and run.losses[-1] <= 1e-6 < run.losses[-2]
    opt, p = optim.Adam(lr=0.1), {"theta": np.array([2.0, 2.0])}
    for _ in range(run.steps):
        p = opt(p, {"theta": bowl.grad(p["theta"])})
    np.testing.assert_allclose(run.thetas[-1], p["theta"], rtol=1e-14)
    short = optim.adam_descent(bowl.loss, bowl.grad, [2.0, 2.0], steps=5, lr=0.1)
    assert short.status == "budget" and short.steps == 5
    with pytest.raises(ValueError, match="steps"):
        optim.adam_descent(bowl.loss, bowl.grad, [2.0, 2.0], steps=0)


# --- minibatches -----------------------------------------------------------------------------

def test_minibatches_cover_every_row_once_per_epoch():
    batches = list(optim.minibatches(10, 4, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    other = np.concatenate(list(optim.minibatches(10, 4, np.random.default_rng(1))))
    assert not np.array_equal(np.concatenate(batches), other), "the seed must matter"
    with pytest.raises(ValueError, match="B must be at most"):
        list(optim.minibatches(3, 4, np.random.default_rng(0)))
    with pytest.raises(TypeError, match="B"):
        list(optim.minibatches(3, 1.5, np.random.default_rng(0)))


def test_minibatch_gradient_is_unbiased_with_variance_over_B():
    """E[g_B] = full gradient; total variance = (1/B) mean_i ||g_i - g||^2 (rows drawn iid)."""
    problem = descent.linear_regression_data(200, 3, 0.5, seed=0)
    w = np.ones(3)
    full, per_example = problem.grad(w), problem.per_example_grads(w)
    sigma2 = np.sum((per_example - full) ** 2, axis=1).mean()
    rng = np.random.default_rng(1)
    for B in (1, 4, 16):
        draws = optim.minibatch_gradients(problem, w, B, 20_000, rng)
        assert draws.shape == (20_000, 3)
        var = np.sum((draws - full) ** 2, axis=1).mean()
        assert np.linalg.norm(draws.mean(0) - full) < 4 * math.sqrt(var / 20_000)
        assert var == pytest.approx(sigma2 / B, rel=0.05)


def test_full_batch_sgd_is_gradient_descent():
    problem = descent.linear_regression_data(50, 4, 0.1, seed=2)
    w0 = np.zeros(4)
    losses = optim.minibatch_sgd(problem, w0, lr=0.1, B=50, epochs=8, seed=0)
    run = descent.gradient_descent(problem.loss, problem.grad, w0, 0.1, 8)
    np.testing.assert_allclose(losses, run.losses, rtol=1e-12)


def test_minibatch_sgd_arguments_matter_and_it_learns():
    problem = descent.linear_regression_data(100, 3, 0.1, seed=3)
    w0 = np.zeros(3)
    base = optim.minibatch_sgd(problem, w0, lr=0.05, B=10, epochs=5, seed=0)
    assert base.shape == (6,) and base[-1] < 0.05 * base[0]
    for change in (dict(lr=0.02), dict(B=5), dict(epochs=6), dict(seed=1)):
        other = optim.minibatch_sgd(problem, w0, **(dict(lr=0.05, B=10, epochs=5, seed=0) | change))
        assert len(other) != len(base) or not np.allclose(other, base), \
            f"{change} made no difference"
    with pytest.raises(ValueError, match="w0"):
        optim.minibatch_sgd(problem, np.zeros(2), lr=0.05, B=10, epochs=1, seed=0)
    with pytest.raises(ValueError, match="lr"):
        optim.minibatch_sgd(problem, w0, lr=-1.0, B=10, epochs=1, seed=0)
