"""rnncourse.checkpoints: a bit-identical round trip of parameters and optimiser state."""

import pytest
import torch
from torch import nn

from rnncourse import checkpoints, models


def trained(seed, optimizer_class=torch.optim.Adam):
    model = models.make_model("lstm", 2, 4, 1, seed=seed)
    opt = optimizer_class(model.parameters(), lr=1e-2)
    g = torch.Generator().manual_seed(seed)
    for _ in range(3):
        opt.zero_grad()
        model(torch.randn(5, 3, 2, generator=g)).square().mean().backward()
        opt.step()
    return model, opt


def assert_same_state(a, b):
    for x, y in zip(a.values(), b.values()):
        if isinstance(x, dict):
            assert_same_state(x, y)
        elif isinstance(x, torch.Tensor):
            assert torch.equal(x, y) and x.dtype == y.dtype
        else:
            assert x == y


@pytest.mark.parametrize("optimizer_class", [torch.optim.Adam, torch.optim.SGD])
def test_round_trip_is_bit_identical(tmp_path, optimizer_class):
    model, opt = trained(0, optimizer_class)
    path = checkpoints.save_checkpoint(tmp_path / "c.pt", model, opt, 3)
    other, other_opt = trained(1, optimizer_class)  # different numbers everywhere
    assert not torch.equal(model.head.weight, other.head.weight)
    assert checkpoints.load_checkpoint(path, other, other_opt) == 3
    for p, q in zip(model.parameters(), other.parameters()):
        assert torch.equal(p, q)
    assert_same_state(opt.state_dict()["state"], other_opt.state_dict()["state"])
    assert opt.state_dict()["param_groups"] == other_opt.state_dict()["param_groups"]


def test_the_next_steps_after_loading_are_identical(tmp_path):
    model, opt = trained(0)
    checkpoints.save_checkpoint(tmp_path / "c.pt", model, opt, 3)
    copy, copy_opt = trained(1)
    checkpoints.load_checkpoint(tmp_path / "c.pt", copy, copy_opt)
    x = torch.randn(5, 3, 2, generator=torch.Generator().manual_seed(9))
    for m, o in ((model, opt), (copy, copy_opt)):
        o.zero_grad()
        m(x).square().mean().backward()
        o.step()
    for p, q in zip(model.parameters(), copy.parameters()):
        assert torch.equal(p, q)


def test_loading_without_an_optimizer_loads_the_model_only(tmp_path):
    model, opt = trained(0)
    checkpoints.save_checkpoint(tmp_path / "c.pt", model, opt, 0)
    other, _ = trained(1)
    assert checkpoints.load_checkpoint(str(tmp_path / "c.pt"), other) == 0
    assert torch.equal(model.head.bias, other.head.bias)


def test_a_model_of_another_shape_is_refused(tmp_path):
    model, opt = trained(0)
    checkpoints.save_checkpoint(tmp_path / "c.pt", model, opt, 1)
    with pytest.raises(RuntimeError, match="size mismatch"):
        checkpoints.load_checkpoint(tmp_path / "c.pt", models.make_model("lstm", 2, 5, 1))


@pytest.mark.parametrize("call, error, name", [
    (lambda p, m, o: checkpoints.save_checkpoint(3, m, o, 1), TypeError, "path"),
    (lambda p, m, o: checkpoints.save_checkpoint(p, "m", o, 1), TypeError, "model"),
    (lambda p, m, o: checkpoints.save_checkpoint(p, m, "o", 1), TypeError, "optimizer"),
    (lambda p, m, o: checkpoints.save_checkpoint(p, m, o, -1), ValueError, "step"),
    (lambda p, m, o: checkpoints.save_checkpoint(p, m, o, 1.5), TypeError, "step"),
    (lambda p, m, o: checkpoints.load_checkpoint(p / "none.pt", m), ValueError, "path"),
    (lambda p, m, o: checkpoints.load_checkpoint(None, m), TypeError, "path"),
    (lambda p, m, o: checkpoints.load_checkpoint(p, nn.Linear(1, 1), 3), TypeError,
     "optimizer"),
])
def test_bad_input_names_the_argument(tmp_path, call, error, name):
    model, opt = trained(0)
    checkpoints.save_checkpoint(tmp_path / "c.pt", model, opt, 1)
    with pytest.raises(error, match=name):
        call(tmp_path / "c.pt" if name != "path" else tmp_path, model, opt)


def test_saving_needs_an_optimizer(tmp_path):
    model, _ = trained(0)
    with pytest.raises(TypeError, match="^optimizer must"):
        checkpoints.save_checkpoint(tmp_path / "c.pt", model, None, 1)
