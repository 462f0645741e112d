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


# --- chapter 7: clipping by value, penalty, checkpoints, resume, seed, progress ---

def test_clip_value_is_the_hand_written_clamp_and_flags_clipped_steps():
    model, reference = linear_model(), linear_model()
    result = training.train(model, lambda s: linear_data(s, 10.0), mse, steps=1,
                            lr=0.1, optimizer="sgd", clip_value=0.5)
    x, y = linear_data(0, 10.0)
    mse(reference(x), y).backward()
    assert max(p.grad.abs().max() for p in reference.parameters()) > 0.5
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad.clamp(-0.5, 0.5)
    for p, q in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(p, q)
    assert result.clipped.tolist() == [True]
    calm = training.train(linear_model(), linear_data, mse, 3, lr=1e-3, clip_value=1e6)
    assert calm.clipped.tolist() == [False] * 3


def test_clipped_flags_follow_the_norm_threshold():
    result = training.train(linear_model(), lambda s: linear_data(s, 10.0), mse, 5,
                            lr=1e-3, clip_norm=1.0)
    np.testing.assert_array_equal(result.clipped, result.grad_norms > 1.0)
    free = training.train(linear_model(), linear_data, mse, 3, lr=1e-3)
    assert not free.clipped.any() and np.isnan(free.penalties).all()


def test_penalty_is_added_to_the_loss_and_recorded():
    def penalty(model, xs, targets):
        return 0.5 * model.weight.square().sum()

    model, reference = linear_model(), linear_model()
    result = training.train(model, linear_data, mse, 1, lr=0.1, optimizer="sgd",
                            penalty=penalty)
    x, y = linear_data(0)
    loss = mse(reference(x), y)
    extra = 0.5 * reference.weight.square().sum()
    (loss + extra).backward()
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad
    for p, q in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(p, q)
    np.testing.assert_allclose(result.losses, [loss.item()], rtol=1e-6)  # the task loss
    np.testing.assert_allclose(result.penalties, [extra.item()], rtol=1e-6)


def test_a_non_finite_penalty_stops_the_run():
    result = training.train(linear_model(), linear_data, mse, 5,
                            penalty=lambda m, x, y: m.weight.sum() * float("nan"))
    assert result.status == "diverged" and "penalty is nan" in result.message


def diverging(model, **kwargs):
    return training.train(model, lambda s: linear_data(s, 100.0), mse, 500, lr=10.0,
                          optimizer="sgd", **kwargs)


def test_a_diverged_run_loads_its_last_good_checkpoint(tmp_path):
    path = tmp_path / "run.pt"
    plain = diverging(linear_model())
    n = len(plain.losses)  # the step at which it stops
    model = linear_model()
    result = diverging(model, checkpoint=path, checkpoint_every=2)
    last = n - n % 2  # the last multiple of 2 that was reached
    assert result.status == "diverged" and result.restored == last
    assert f"stopped at step {n}" in result.message
    assert f"restored the checkpoint of step {last}" in result.message
    again = linear_model()  # replay the first `last` steps without a checkpoint
    training.train(again, lambda s: linear_data(s, 100.0), mse, last, lr=10.0,
                   optimizer="sgd")
    for p, q in zip(model.parameters(), again.parameters()):
        assert torch.equal(p, q)
        assert torch.isfinite(p).all()


def test_the_spike_guard_stops_before_the_norm_passes_it(tmp_path):
    plain = diverging(linear_model())
    limit = 10 * plain.grad_norms[0]
    first_above = int(np.argmax(plain.grad_norms > limit))
    model = linear_model()
    result = diverging(model, guard_norm=limit, checkpoint=tmp_path / "g.pt",
                       checkpoint_every=1)
    assert result.status == "diverged" and len(result.losses) == first_above
    assert f"stopped at step {first_above}" in result.message
    assert "above guard_norm" in result.message
    assert result.restored == first_above  # the state before the spiking step
    np.testing.assert_array_equal(result.losses, plain.losses[:first_above])


def test_a_held_out_divergence_also_loads_the_checkpoint(tmp_path):
    def batch(step):  # finite training data; the held-out batch holds an Inf
        return linear_data(step)

    held_out = (torch.full((4, 3), float("inf")), torch.zeros(4, 1))
    result = training.train(linear_model(), batch, mse, 10, eval_batch=held_out,
                            eval_every=4, checkpoint=tmp_path / "h.pt",
                            checkpoint_every=2)
    assert result.status == "diverged" and result.restored == 4
    assert "held-out loss" in result.message


def test_resume_continues_exactly_where_the_checkpoint_left_off(tmp_path):
    path = tmp_path / "ckpt.pt"
    whole_model = linear_model()
    whole = training.train(whole_model, linear_data, mse, 20, lr=1e-2)
    model = linear_model()
    training.train(model, linear_data, mse, 10, lr=1e-2, checkpoint=path,
                   checkpoint_every=10)
    other = linear_model(seed=5)  # different weights: all must come from the file
    rest = training.train(other, linear_data, mse, 20, lr=1e-2, resume=path)
    assert rest.start == 10 and rest.steps.tolist() == list(range(10, 20))
    np.testing.assert_array_equal(rest.losses, whole.losses[10:])
    for p, q in zip(other.parameters(), whole_model.parameters()):
        assert torch.equal(p, q)


def test_resume_uses_the_new_learning_rate(tmp_path):
    path = tmp_path / "ckpt.pt"
    training.train(linear_model(), linear_data, mse, 4, lr=1e-2, optimizer="sgd",
                   checkpoint=path, checkpoint_every=4)
    slow, fast = linear_model(), linear_model()
    training.train(slow, linear_data, mse, 5, lr=1e-4, optimizer="sgd", resume=path)
    training.train(fast, linear_data, mse, 5, lr=1e-1, optimizer="sgd", resume=path)
    assert not torch.equal(slow.weight, fast.weight)


def test_seed_makes_a_random_model_deterministic():
    def run(seed):
        torch.manual_seed(123 + (seed or 0))  # a different global state each call
        model = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.5), nn.Linear(8, 1))
        with torch.no_grad():
            for p in model.parameters():
                p.fill_(0.1)
        return training.train(model, linear_data, mse, 5, seed=seed).losses

    np.testing.assert_array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))


def test_progress_bar_is_off_by_default_and_shows_on_request(capsys):
    training.train(linear_model(), linear_data, mse, 3)
    quiet = capsys.readouterr()
    assert quiet.out == "" and quiet.err == ""
    training.train(linear_model(), linear_data, mse, 3, progress=True)
    assert "/3 [" in capsys.readouterr().err  # a tqdm bar on stderr


def test_history_feeds_diagnose():
    from rnncourse import diagnostics
    result = training.train(linear_model(), linear_data, mse, 40, lr=1e-2)
    history = result.history()
    assert history.steps.tolist() == list(range(40))
    np.testing.assert_array_equal(history.total_norms, result.grad_norms)
    assert isinstance(diagnostics.diagnose(history), diagnostics.Diagnosis)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(clip_value=0.0), ValueError, "clip_value"),
    (dict(clip_value="big"), TypeError, "clip_value"),
    (dict(clip_value=1.0, clip_norm=1.0), ValueError, "clip_value and clip_norm"),
    (dict(penalty=3.0), TypeError, "penalty"),
    (dict(checkpoint_every=0), ValueError, "checkpoint_every"),
    (dict(checkpoint_every=2.5), TypeError, "checkpoint_every"),
    (dict(checkpoint=5), TypeError, "path"),
    (dict(resume="/nonexistent/ckpt.pt"), ValueError, "path"),
    (dict(resume=3), TypeError, "path"),
    (dict(guard_norm=0.0), ValueError, "guard_norm"),
    (dict(guard_norm="high"), TypeError, "guard_norm"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(seed=1.5), TypeError, "seed"),
])
def test_bad_chapter_7_input_names_the_argument(kwargs, error, name):
    args = dict(model=linear_model(), batch=linear_data, loss_fn=mse, steps=2) | kwargs
    with pytest.raises(error, match=name):
        training.train(**args)
