"""rnncourse.training.train against hand-written torch steps."""

import copy
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from rnncourse import models, tasks, training

mse = nn.functional.mse_loss


def linear_data(step, scale=1.0):
    g = torch.Generator().manual_seed(step)
    x = scale * torch.randn(16, 3, generator=g)
    return x, x @ torch.tensor([[1.0], [-2.0], [0.5]])


def linear_model(seed=0):
    torch.manual_seed(seed)
    return nn.Linear(3, 1)


class Recorder:
    """A monitor that notes each call and the gradient norm it sees then."""

    def __init__(self, model):
        self.model, self.calls = model, []

    def record(self, step, loss):
        self.calls.append((step, loss, training.total_grad_norm(self.model)))


def test_one_sgd_step_is_the_hand_written_step_with_clipping():
    model = linear_model()
    reference = copy.deepcopy(model)
    result = training.train(model, lambda s: linear_data(s, 10.0), mse, steps=1,
                            lr=0.1, optimizer="sgd", clip_norm=0.5)
    x, y = linear_data(0, 10.0)
    loss = mse(reference(x), y)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(reference.parameters(), 0.5)
    assert norm > 0.5  # clipping happened
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad
    for p, q in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(p, q)
    np.testing.assert_allclose(result.losses, [loss.item()], rtol=1e-6)
    np.testing.assert_allclose(result.grad_norms, [norm.item()], rtol=1e-6)


def test_clipping_bounds_the_applied_update():
    clipped, free = linear_model(), linear_model()
    start = torch.cat([p.detach().flatten().clone() for p in clipped.parameters()])
    training.train(clipped, lambda s: linear_data(s, 10.0), mse, 1, lr=1.0,
                   optimizer="sgd", clip_norm=0.1)
    training.train(free, lambda s: linear_data(s, 10.0), mse, 1, lr=1.0, optimizer="sgd")
    moved = [torch.cat([p.detach().flatten() for p in m.parameters()]) - start
             for m in (clipped, free)]
    assert moved[0].norm() == pytest.approx(0.1, rel=1e-5)
    assert moved[1].norm() > 1.0
    assert torch.nn.functional.cosine_similarity(moved[0], moved[1], dim=0) > 1 - 1e-6


def test_monitor_is_called_once_per_step_before_clipping():
    model = linear_model()
    monitor = Recorder(model)
    result = training.train(model, lambda s: linear_data(s, 10.0), mse, 5, lr=1e-3,
                            clip_norm=1e-3, monitor=monitor)
    assert [c[0] for c in monitor.calls] == list(range(5))
    np.testing.assert_allclose([c[1] for c in monitor.calls], result.losses)
    seen = np.array([c[2] for c in monitor.calls])
    np.testing.assert_allclose(seen, result.grad_norms, rtol=1e-6)
    assert (seen > 1e-3).all()  # the monitor saw the gradient before it was clipped


def test_a_diverging_run_stops_cleanly_and_says_where():
    model = linear_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = training.train(model, lambda s: linear_data(s, 100.0), mse, 500, lr=10.0,
                                optimizer="sgd")
    assert result.status == "diverged"
    n = len(result.losses)
    assert 0 < n < 500 and np.isfinite(result.losses).all()
    assert f"step {n}" in result.message


def test_a_non_finite_gradient_is_caught_even_when_the_loss_is_finite():
    model = linear_model()
    model.weight.register_hook(lambda g: g * float("inf"))
    result = training.train(model, linear_data, mse, 10)
    assert result.status == "diverged" and len(result.losses) == 0
    assert "step 0" in result.message and "gradient norm" in result.message


def test_a_learnable_task_converges_and_stops_early():
    model = linear_model()
    held_out = linear_data(10**6)
    result = training.train(model, linear_data, mse, 3000, lr=3e-2, eval_batch=held_out,
                            eval_every=25, target=1e-4)
    assert result.status == "converged", result.message
    assert result.eval_losses[-1] <= 1e-4 < result.eval_losses[0]
    assert len(result.losses) == result.eval_steps[-1] < 3000
    assert result.eval_losses[-1] == pytest.approx(training.evaluate(model, mse, held_out))


def test_budget_status_and_evaluation_schedule():
    model = linear_model()
    result = training.train(model, linear_data, mse, 10, eval_batch=linear_data(99),
                            eval_every=4)
    assert result.status == "budget" and "10 steps" in result.message
    assert result.eval_steps.tolist() == [4, 8, 10]
    assert result.losses.shape == result.grad_norms.shape == (10,)
    unreached = training.train(linear_model(), linear_data, mse, 8,
                               eval_batch=linear_data(99), eval_every=4, target=1e-12)
    assert unreached.status == "budget"


def test_lr_and_optimizer_matter_and_runs_are_deterministic():
    def run(**kwargs):
        return training.train(linear_model(), linear_data, mse, 20, **kwargs).losses

    np.testing.assert_array_equal(run(lr=1e-2), run(lr=1e-2))
    assert not np.allclose(run(lr=1e-2), run(lr=1e-3))
    assert not np.allclose(run(lr=1e-2), run(lr=1e-2, optimizer="sgd"))


def test_trains_a_sequence_model_on_numpy_batches():
    torch.manual_seed(0)
    model = models.make_model("rnn", 2, 8, 1, seed=0)
    result = training.train(model, lambda s: tasks.adding_problem(4, 16, seed=(0, s)), mse,
                            300, lr=1e-2, eval_batch=tasks.adding_problem(4, 200, seed=1))
    assert result.eval_losses[-1] < 0.5 * tasks.ADDING_BASELINE


def test_as_tensor_keeps_tensors_and_types_arrays():
    t = torch.zeros(2)
    assert training.as_tensor(t) is t
    assert training.as_tensor(np.zeros(2)).dtype == torch.float32
    assert training.as_tensor(np.zeros(2, dtype=int)).dtype == torch.int64


def test_total_grad_norm_is_the_norm_of_all_gradients():
    model = linear_model()
    assert training.total_grad_norm(model) == 0.0
    x, y = linear_data(0)
    mse(model(x), y).backward()
    flat = torch.cat([p.grad.flatten() for p in model.parameters()])
    assert training.total_grad_norm(model) == pytest.approx(flat.norm().item(), rel=1e-6)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(steps=0), ValueError, "steps"),
    (dict(steps=1.5), TypeError, "steps"),
    (dict(lr=-1.0), ValueError, "lr"),
    (dict(lr="fast"), TypeError, "lr"),
    (dict(optimizer="rmsprop"), ValueError, "optimizer"),
    (dict(clip_norm=0.0), ValueError, "clip_norm"),
    (dict(eval_every=0), ValueError, "eval_every"),
    (dict(target=float("nan"), eval_batch=(1, 2)), ValueError, "target"),
    (dict(target=0.1), ValueError, "target"),
    (dict(eval_batch=[1, 2]), TypeError, "eval_batch"),
    (dict(model="net"), TypeError, "model"),
])
def test_bad_input_names_the_argument(kwargs, error, name):
    args = dict(model=linear_model(), batch=linear_data, loss_fn=mse, steps=2) | kwargs
    with pytest.raises(error, match=name):
        training.train(**args)
