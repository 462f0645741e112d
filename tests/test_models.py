"""rnncourse.models against forward passes unrolled by hand from the modules' weights."""

import pytest
import torch

from rnncourse import models


def unrolled(model: models.SequenceModel, xs: torch.Tensor) -> torch.Tensor:
    """The states (T, B, H) computed from the weights, one step at a time (torch's equations)."""
    rnn = model.rnn
    W_i, W_h = rnn.weight_ih_l0, rnn.weight_hh_l0
    b_i, b_h = rnn.bias_ih_l0, rnn.bias_hh_l0
    H = W_h.shape[1]
    h = c = torch.zeros(xs.shape[1], H, dtype=xs.dtype)
    hs = []
    for x in xs:
        gi, gh = x @ W_i.T + b_i, h @ W_h.T + b_h
        if isinstance(rnn, torch.nn.LSTM):
            i, f, g, o = (gi + gh).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        elif isinstance(rnn, torch.nn.GRU):
            ri, zi, ni = gi.chunk(3, dim=1)
            rh, zh, nh = gh.chunk(3, dim=1)
            r, z = torch.sigmoid(ri + rh), torch.sigmoid(zi + zh)
            n = torch.tanh(ni + r * nh)
            h = (1 - z) * n + z * h
        else:
            f = torch.relu if rnn.nonlinearity == "relu" else torch.tanh
            h = f(gi + gh)
        hs.append(h)
    return torch.stack(hs)


CASES = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]


@pytest.mark.parametrize("kind, nonlinearity", CASES)
@pytest.mark.parametrize("T, B, D, H, O", [(1, 1, 1, 1, 1), (7, 3, 2, 5, 4)])
def test_forward_matches_the_unrolled_equations(kind, nonlinearity, T, B, D, H, O):
    model = models.make_model(kind, D, H, O, readout="all", nonlinearity=nonlinearity, seed=3)
    model = model.double()
    xs = torch.randn(T, B, D, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    hs = unrolled(model, xs)
    expected = hs @ model.head.weight.T + model.head.bias
    out = model(xs)
    assert out.shape == (T, B, O)
    torch.testing.assert_close(out, expected, rtol=1e-10, atol=1e-12)
    model.readout = "last"
    torch.testing.assert_close(model(xs), expected[-1], rtol=1e-10, atol=1e-12)


def test_kind_selects_the_module_and_sizes_matter():
    for kind, cls in models.KINDS.items():
        model = models.make_model(kind, D=3, H=6, O=2)
        assert type(model.rnn) is cls
        assert model.rnn.input_size == 3 and model.rnn.hidden_size == 6
        assert model.head.in_features == 6 and model.head.out_features == 2
    assert models.make_model("rnn", 2, 4, 1, readout="last")(torch.zeros(5, 3, 2)).shape == (3, 1)


def test_nonlinearity_matters():
    tanh = models.make_model("rnn", 2, 4, 1, nonlinearity="tanh", seed=0)
    relu = models.make_model("rnn", 2, 4, 1, nonlinearity="relu", seed=0)
    xs = torch.randn(6, 3, 2)
    assert relu.rnn.nonlinearity == "relu"
    assert not torch.allclose(tanh(xs), relu(xs))


def test_seed_sets_the_weights_and_leaves_the_global_stream_alone():
    state = torch.random.get_rng_state()
    a, b = models.make_model("lstm", 2, 4, 1, seed=0), models.make_model("lstm", 2, 4, 1, seed=0)
    c = models.make_model("lstm", 2, 4, 1, seed=1)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a.rnn.weight_hh_l0, b.rnn.weight_hh_l0)
    assert not torch.equal(a.rnn.weight_hh_l0, c.rnn.weight_hh_l0)


def test_sequence_model_wraps_any_module():
    rnn, head = torch.nn.GRU(2, 3), torch.nn.Linear(3, 1)
    model = models.SequenceModel(rnn, head, readout="all")
    xs = torch.randn(4, 2, 2)
    torch.testing.assert_close(model(xs), head(rnn(xs)[0]))


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(kind="cnn"), ValueError, "kind"),
    (dict(kind=1), TypeError, "kind"),
    (dict(D=0), ValueError, "D"),
    (dict(H=2.5), TypeError, "H"),
    (dict(O=-1), ValueError, "O"),
    (dict(readout="first"), ValueError, "readout"),
    (dict(nonlinearity="sigmoid"), ValueError, "nonlinearity"),
    (dict(kind="lstm", nonlinearity="relu"), ValueError, "nonlinearity"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(seed=1.5), TypeError, "seed"),
])
def test_bad_input_names_the_argument(kwargs, error, name):
    args = dict(kind="rnn", D=2, H=3, O=1) | kwargs
    with pytest.raises(error, match=name):
        models.make_model(**args)


def test_bad_xs_and_readout_name_the_argument():
    model = models.make_model("rnn", 2, 3, 1)
    with pytest.raises(ValueError, match="xs must have shape"):
        model(torch.zeros(4, 2))
    with pytest.raises(ValueError, match="readout"):
        models.SequenceModel(torch.nn.RNN(2, 3), torch.nn.Linear(3, 1), readout="mean")
