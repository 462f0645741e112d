"""rnncourse.truncation.Truncated: the forward pass of cells.Recurrent; the gradient of a
loss on h_T equals full BPTT over the last k steps started from the detached h_{T-k}."""

import pytest
import torch

from rnncourse import cells, truncation


def setup(T=6, B=3, seed=0):
    cell = cells.ElmanCell(2, 4, seed=seed).double()
    xs = torch.randn(T, B, 2, generator=torch.Generator().manual_seed(seed),
                     dtype=torch.float64)
    return cell, xs


def grads(loss, cell, xs):
    return torch.autograd.grad(loss, [xs, *cell.parameters()], allow_unused=True)


@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_forward_values_equal_the_untruncated_recurrence(k):
    cell, xs = setup()
    full = cells.Recurrent(cell)
    cut = truncation.Truncated(cell, k)
    for a, b in zip(full(xs), cut(xs)):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert len(cut.states(xs)) == 7 and all(h.requires_grad for h in cut.states(xs)[1:])


@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_gradient_is_full_bptt_over_the_last_k_steps(k):
    T = 6
    cell, xs = setup(T)
    xs.requires_grad_(True)
    _, h_T = truncation.Truncated(cell, k)(xs)
    got = grads(h_T.square().sum(), cell, xs)
    with torch.no_grad():  # the oracle: run the first T - k steps without a graph
        h = cells.Recurrent(cell).states(xs[:T - k])[-1] if k < T else None
    _, h_T = cells.Recurrent(cell)(xs[T - k:], h)
    want_x, *want_p = grads(h_T.square().sum(), cell, xs)
    assert (got[0][:T - k] == 0).all()  # no gradient reaches the early inputs
    torch.testing.assert_close(got[0][T - k:], want_x[T - k:])
    for g, w in zip(got[1:], want_p):
        torch.testing.assert_close(g, w)


def test_k_matters_and_k_equal_to_T_is_full_bptt():
    cell, xs = setup()
    W_h = cell.W_h.weight

    def dW_h(rnn):
        return torch.autograd.grad(rnn(xs)[1].sum(), W_h)[0]

    full = dW_h(cells.Recurrent(cell))
    torch.testing.assert_close(dW_h(truncation.Truncated(cell, 6)), full)
    k2, k3 = (dW_h(truncation.Truncated(cell, k)) for k in (2, 3))
    assert not torch.allclose(k2, k3) and not torch.allclose(k3, full)


def test_h0_is_used():
    cell, xs = setup()
    cut = truncation.Truncated(cell, 2)
    h0 = torch.ones(3, 4, dtype=torch.float64)
    assert not torch.allclose(cut(xs)[1], cut(xs, h0)[1])
    torch.testing.assert_close(cut(xs, h0)[1], cells.Recurrent(cell)(xs, h0)[1])


@pytest.mark.parametrize("k, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                      ("2", TypeError), (None, TypeError)])
def test_bad_k_is_named(k, error):
    with pytest.raises(error, match="^k must"):
        truncation.Truncated(cells.ElmanCell(2, 3), k)


def test_bad_cell_and_xs_are_named():
    with pytest.raises(TypeError, match="^cell must"):
        truncation.Truncated("cell", 2)
    with pytest.raises(ValueError, match="^xs must"):
        truncation.Truncated(cells.ElmanCell(2, 3), 2)(torch.zeros(4, 2, 5))
