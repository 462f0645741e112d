"""rnncourse.exercises: every checker accepts the right answer and rejects wrong ones.

One block of test functions per chapter.
"""

import numpy as np
import pytest

from rnncourse import exercises

# --- Chapter 1: gradient descent, minibatches and Adam ------------------------------------


def test_ch1_gradient_step_checker_accepts_and_rejects():
    assert exercises.check_gradient_step(lambda theta, grad, lr: theta - lr * grad)
    assert not exercises.check_gradient_step(lambda theta, grad, lr: theta + lr * grad)
    assert not exercises.check_gradient_step(lambda theta, grad, lr: theta - grad)
    assert not exercises.check_gradient_step(lambda theta, grad, lr: 1 / 0)
    with pytest.raises(TypeError):
        exercises.check_gradient_step(0.5)


def test_ch1_stable_lr_limit_checker_accepts_and_rejects(capsys):
    lams = np.linalg.eigvalsh(np.array(exercises.EXERCISE_BOWL))
    np.testing.assert_allclose(lams, [2.0, 7.0])  # the bowl of the exercise, worked by hand
    assert exercises.check_stable_lr_limit(2 / 7)
    for wrong, says in [(2 / 2, "flattest"), (2 / 6, "diagonal"), (1 / 7, "1/λ_max"),
                        (2 / 9, "eigenvalues"), (0.2, "eigenvalues"), ("2/7", "a number")]:
        assert not exercises.check_stable_lr_limit(wrong)
        assert says in capsys.readouterr().out
    assert exercises.check_stable_lr_limit(2 / 10, A=((10.0, 0.0), (0.0, 1.0)))


def _adam_step(theta, grad, m, v, n, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**n), v / (1 - beta2**n)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def test_ch1_adam_step_checker_accepts_and_rejects():
    assert exercises.check_adam_step(_adam_step)

    def no_bias_correction(theta, grad, m, v, n, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return theta - lr * m / (np.sqrt(v) + eps), m, v

    def eps_inside_sqrt(theta, grad, m, v, n, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return theta - lr * (m / (1 - beta1**n)) / np.sqrt(v / (1 - beta2**n) + eps), m, v

    def off_by_one_step(theta, grad, m, v, n, lr, beta1, beta2, eps):
        return _adam_step(theta, grad, m, v, n + 1, lr, beta1, beta2, eps)

    def theta_only(theta, grad, m, v, n, lr, beta1, beta2, eps):
        return _adam_step(theta, grad, m, v, n, lr, beta1, beta2, eps)[0]

    for wrong in (no_bias_correction, eps_inside_sqrt, off_by_one_step, theta_only):
        assert not exercises.check_adam_step(wrong), wrong.__name__


# --- Chapter 2: backpropagation and deep networks -----------------------------------------


def test_ch2_sigmoid_derivative_checker_accepts_and_rejects(capsys):
    def learner(z):  # written independently of the package, from σ′ = σ(1 − σ)
        s = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
        return s * (1 - s)

    assert exercises.check_sigmoid_derivative(learner)
    for wrong in (lambda z: learner(z) * 4,                    # 4σ′: right shape, wrong scale
                  lambda z: 1 / (1 + np.exp(-z)),               # σ itself, not σ′
                  lambda z: np.exp(-z) / (1 + np.exp(-z)),      # 1 − σ
                  lambda z: float(learner(np.ravel(z)[0]))):    # not elementwise
        assert not exercises.check_sigmoid_derivative(wrong)
    assert capsys.readouterr().out.count("Not yet") == 4
    with pytest.raises(TypeError):
        exercises.check_sigmoid_derivative("s * (1 - s)")


def _ch2_dense_backward(dZ, X, W):
    """A learner's answer for Z = X Wᵀ + b, W (D_out, D_in), written with explicit sums."""
    dX = np.einsum("nj,ji->ni", dZ, W)
    dW = np.einsum("nj,ni->ji", dZ, X)
    return dX, dW, np.einsum("nj->j", dZ)


def test_ch2_dense_backward_checker_accepts_and_rejects(capsys):
    assert exercises.check_dense_backward(_ch2_dense_backward)
    wrong_answers = {
        "old (inputs, outputs) layout": lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)),
        "dW transposed": lambda dZ, X, W: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)),
        "mean instead of sum": lambda dZ, X, W: (dZ @ W, dZ.T @ X, dZ.mean(axis=0)),
        "missing db": lambda dZ, X, W: (dZ @ W, dZ.T @ X),
    }
    for name, wrong in wrong_answers.items():
        assert not exercises.check_dense_backward(wrong), name
    out = capsys.readouterr().out
    assert out.count("Not yet") == 4 and "(D_out, D_in) like W" in out


# --- Chapter 3: recurrent networks --------------------------------------------------------


def test_ch3_parameter_count_checker_accepts_and_rejects(capsys):
    D, H, O = 57, 64, 57
    assert exercises.check_rnn_parameter_count(H * D + H * H + H + O * H + O, D=D, H=H, O=O)
    assert not exercises.check_rnn_parameter_count(H * D + H * H + O * H,  # no biases
                                                   D=D, H=H, O=O)
    assert not exercises.check_rnn_parameter_count(32 * (H * D + H * H + H + O * H + O),
                                                   D=D, H=H, O=O)
    assert not exercises.check_rnn_parameter_count("many", D=D, H=H, O=O)
    assert "does not depend on T" in capsys.readouterr().out


def _ch3_log_sum_exp_answer(logits, targets):
    """A learner's correct answer, written independently of the package."""
    m = logits.max(axis=-1, keepdims=True)
    log_z = m[..., 0] + np.log(np.exp(logits - m).sum(axis=-1))
    picked = np.take_along_axis(logits, targets[..., None], axis=-1)[..., 0]
    return float(np.mean(log_z - picked))


def _ch3_naive_answer(logits, targets):
    """Right formula, but exp before log: overflows at logits of size 1e4."""
    p = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    return float(-np.mean(np.log(np.take_along_axis(p, targets[..., None], axis=-1))))


def test_ch3_cross_entropy_checker_accepts_and_rejects(capsys):
    assert exercises.check_cross_entropy(_ch3_log_sum_exp_answer)
    assert "✔" in capsys.readouterr().out
    assert not exercises.check_cross_entropy(_ch3_naive_answer)
    assert "1e4" in capsys.readouterr().out  # the message says where it failed
    wrong_sum = lambda z, t: _ch3_log_sum_exp_answer(z, t) * t.size  # noqa: E731  sum, not mean
    wrong_sign = lambda z, t: -_ch3_log_sum_exp_answer(z, t)  # noqa: E731
    wrong_target = lambda z, t: _ch3_log_sum_exp_answer(z, (t + 1) % z.shape[-1])  # noqa: E731
    for wrong in (wrong_sum, wrong_sign, wrong_target, lambda z, t: 1 / 0):
        assert not exercises.check_cross_entropy(wrong)
    with pytest.raises(TypeError):
        exercises.check_cross_entropy(2.5)


# --- Chapter 4: backpropagation through time -----------------------------------------------


def _ch4_backward_step(dh, h, h_prev, x, W_h):
    dz = dh * (1 - h**2)
    return dz.T @ h_prev, dz.T @ x, dz.sum(axis=0), dz @ W_h


def test_ch4_backward_step_checker_accepts_and_rejects():
    assert exercises.check_rnn_backward_step(_ch4_backward_step)
    no_tanh = lambda dh, h, hp, x, W: (dh.T @ hp, dh.T @ x, dh.sum(0), dh @ W)  # noqa: E731
    transposed = lambda dh, h, hp, x, W: _ch4_backward_step(dh, h, hp, x, W.T)  # noqa: E731
    for wrong in (no_tanh, transposed, lambda *args: 1 / 0):
        assert not exercises.check_rnn_backward_step(wrong)


def _ch4_bptt_loop(W_h, xs, hs, dh_direct, reverse=True, carry=True, shift=0):
    """A learner's BPTT loop; the flags plant the usual bugs."""
    T, B, H = dh_direct.shape
    dW_x, dW_h, db = np.zeros((H, xs.shape[2])), np.zeros((H, H)), np.zeros(H)
    dh_next = np.zeros((B, H))
    for t in (reversed(range(T)) if reverse else range(T)):
        dz = (dh_direct[t] + (dh_next if carry else 0)) * (1 - hs[t + 1] ** 2)
        dW_x += dz.T @ xs[t]
        dW_h += dz.T @ hs[t + shift]
        db += dz.sum(axis=0)
        dh_next = dz @ W_h
    return dW_x, dW_h, db, dh_next


def test_ch4_bptt_loop_checker_accepts_and_rejects(capsys):
    assert exercises.check_bptt_loop(_ch4_bptt_loop)
    assert "✔" in capsys.readouterr().out
    for bug in ({"reverse": False}, {"carry": False}, {"shift": 1}):
        assert not exercises.check_bptt_loop(lambda *args, bug=bug: _ch4_bptt_loop(*args, **bug))
        assert "reversed(range(T))" in capsys.readouterr().out
    assert not exercises.check_bptt_loop(lambda *args: _ch4_bptt_loop(*args)[:3])
    with pytest.raises(TypeError):
        exercises.check_bptt_loop("bptt")


def _ch4_truncated(W_h, xs, hs, dh_direct, k, extra=0):
    """A learner's truncated BPTT as a double loop: each output s goes back k (+ extra) steps."""
    T, B, H = dh_direct.shape
    dW_x, dW_h, db = np.zeros((H, xs.shape[2])), np.zeros((H, H)), np.zeros(H)
    for s in range(T):
        dh = dh_direct[s]
        for t in range(s, max(-1, s - k - extra), -1):
            dz = dh * (1 - hs[t + 1] ** 2)
            dW_x, dW_h, db = dW_x + dz.T @ xs[t], dW_h + dz.T @ hs[t], db + dz.sum(axis=0)
            dh = dz @ W_h
    return dW_x, dW_h, db


def test_ch4_truncated_checker_accepts_and_rejects(capsys):
    assert exercises.check_truncated_bptt(_ch4_truncated)
    assert "k >= T" in capsys.readouterr().out
    one_more = lambda *args: _ch4_truncated(*args, extra=1)  # noqa: E731
    one_less = lambda *args: _ch4_truncated(*args, extra=-1)  # noqa: E731
    untruncated = lambda W, xs, hs, d, k: _ch4_truncated(W, xs, hs, d, len(xs))  # noqa: E731
    for wrong in (one_more, one_less, untruncated):
        assert not exercises.check_truncated_bptt(wrong)
        assert "s - k + 1" in capsys.readouterr().out


def _ch4_scalar_loss(w):
    h, loss = 0.0, 0.0
    for x in exercises.CH4_XS:
        h = np.tanh(w[0] * h + x)
        loss += 0.5 * h**2
    return loss


def _ch4_scalar_grad(w, carry=True):
    hs = [0.0]
    for x in exercises.CH4_XS:
        hs.append(np.tanh(w[0] * hs[-1] + x))
    grad, dh_next = 0.0, 0.0
    for t in range(len(hs) - 1, 0, -1):
        dz = (hs[t] + (dh_next if carry else 0.0)) * (1 - hs[t] ** 2)
        grad += dz * hs[t - 1]
        dh_next = dz * w[0]
    return np.array([grad])


def test_ch4_scalar_rnn_reference_and_suspect_against_autograd():
    torch = pytest.importorskip("torch")
    w = torch.tensor([exercises.CH4_W], dtype=torch.float64, requires_grad=True)
    h, loss = torch.zeros(1, dtype=torch.float64), 0.0
    for x in exercises.CH4_XS:
        h = torch.tanh(w * h + x)
        loss = loss + 0.5 * h**2
    loss.sum().backward()
    w0 = np.array([exercises.CH4_W])
    np.testing.assert_allclose(_ch4_scalar_grad(w0), w.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(exercises.suspect_scalar_rnn_gradient(w0),
                               _ch4_scalar_grad(w0, carry=False), rtol=1e-12)
    assert abs(exercises.suspect_scalar_rnn_gradient(w0)[0] - w.grad.item()) > 1e-3


def test_ch4_gradient_check_checker_accepts_and_rejects(capsys):
    from rnncourse.gradcheck import check_gradient

    w0 = np.array([exercises.CH4_W])
    err = check_gradient(_ch4_scalar_loss, w0, _ch4_scalar_grad(w0))
    suspect = check_gradient(_ch4_scalar_loss, w0, exercises.suspect_scalar_rnn_gradient(w0))
    assert err < 1e-8 < 1e-3 < suspect
    assert exercises.check_gradient_check(_ch4_scalar_loss, _ch4_scalar_grad, err, suspect)
    assert "drops dh_next" in capsys.readouterr().out
    no_carry = lambda w: _ch4_scalar_grad(w, carry=False)  # noqa: E731
    mean_loss = lambda w: _ch4_scalar_loss(w) / len(exercises.CH4_XS)  # noqa: E731
    wrong_answers = [
        (_ch4_scalar_loss, no_carry, err, suspect, "dh_next"),  # the learner's gradient is buggy
        (mean_loss, _ch4_scalar_grad, err, suspect, "a sum over"),
        (_ch4_scalar_loss, _ch4_scalar_grad, 0.0, suspect, "err = 0.0"),  # typed, not computed
        (_ch4_scalar_loss, _ch4_scalar_grad, err, err, "suspect_err"),  # checked the wrong one
        (_ch4_scalar_loss, _ch4_scalar_grad, "small", suspect, "err = 'small'"),
    ]
    for loss, grad, e, s, says in wrong_answers:
        assert not exercises.check_gradient_check(loss, grad, e, s)
        assert says in capsys.readouterr().out
    with pytest.raises(TypeError):
        exercises.check_gradient_check(1.0, _ch4_scalar_grad, err, suspect)
