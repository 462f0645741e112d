"""Every public entry point of activations, feedforward, init, text and tasks (chapters 2-3):
each kind of bad input raises a TypeError or ValueError whose message names the argument.

One table per kind of argument (whole numbers, real numbers, arrays, seeds, objects), then a
table of the cases particular to one function, then a fuzz: any object for any argument gives
a TypeError, a ValueError or a valid result, never another exception or a warning.
"""

from __future__ import annotations

import inspect
import math
import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse import activations as A
from rnncourse import cells, checkpoints, clipping, init, models, regularizers, tasks, text
from rnncourse import feedforward as ff
from rnncourse import normalization as LN
from rnncourse import recurrent_init as RI
from rnncourse import residual as RS
from rnncourse import residual_mlp as RM
from rnncourse import training as TR
from rnncourse import truncation as TB
from rnncourse.numpy_rnn import init_params

RNG = np.random.default_rng
NET = ff.init_mlp([3, 4, 1], "tanh", "xavier_uniform")
X3 = np.ones((5, 3))
Y5 = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
VOCAB = text.CharVocab.from_text("ab ")
PARAMS = init_params(VOCAB.size, 4, VOCAB.size)
IDS = VOCAB.encode("ab ab ba")
RUN = RI.TrainResult("budget", "", np.zeros(0), np.zeros(0), np.array([25]), np.array([0.1]))
RNN = cells.Recurrent(cells.ElmanCell(2, 3))
XS = torch.zeros(4, 2, 2)
LIN = torch.nn.Linear(2, 1)
SGD = torch.optim.SGD(LIN.parameters(), lr=0.1)
MSE = torch.nn.functional.mse_loss


def lin_train(**kwargs):
    """rnncourse.training.train on a tiny linear model, one step."""
    return TR.train(LIN, lambda s: (torch.ones(3, 2), torch.ones(3, 1)), MSE, 1, **kwargs)


def seq_model():
    return models.SequenceModel(cells.Recurrent(cells.ElmanCell(2, 3)), torch.nn.Linear(3, 1))


def mutated(**changes) -> ff.MLP:
    """A fresh copy of NET with some fields replaced."""
    net = ff.init_mlp([3, 4, 1], "tanh", "xavier_uniform")
    for key, value in changes.items():
        setattr(net, key, value)
    return net


def rows(table: dict, bad_values: list) -> list:
    """Cross every (label, call, argument name) with every (value, error, words) of a kind."""
    return [pytest.param(call, value, error, rf"(^|\W){re.escape(arg)} must.*{words}",
                         id=f"{label}-{value!r:.20}")
            for label, (call, arg) in table.items() for value, error, words in bad_values
            if not (value is None and arg in OPTIONAL)]


OPTIONAL = {"batch_size", "clip_value", "guard_norm", "penalty"}  # None is a valid value of these


def check(call, value, error, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning or ComplexWarning on the way
        with pytest.raises(error, match=pattern):
            call(value)


# --- whole numbers: steps, n, sizes, fan_in, depth, T, B, w, V ... ---

WHOLE = {
    "init_mlp sizes[1]": (lambda v: ff.init_mlp([3, v, 1]), "sizes[1]"),
    "train_mlp steps": (lambda v: ff.train_mlp(NET, X3, Y5, steps=v), "steps"),
    "train_mlp batch_size": (lambda v: ff.train_mlp(NET, X3, Y5, steps=1, batch_size=v),
                             "batch_size"),
    "chain_mlp depth": (lambda v: ff.chain_mlp(v), "depth"),
    "chain_bound depth": (lambda v: ff.chain_bound(v, "tanh"), "depth"),
    "first_layer_gradient depths[1]": (lambda v: ff.first_layer_gradient([2, v], "tanh"),
                                       "depths[1]"),
    **{f"{name} fan_in": (lambda v, f=f: f(v, 3, RNG(0)), "fan_in")
       for name, f in init.INITIALISERS.items()},
    **{f"{name} fan_out": (lambda v, f=f: f(3, v, RNG(0)), "fan_out")
       for name, f in init.INITIALISERS.items()},
    "init_weight fan_in": (lambda v: init.init_weight("he_normal", v, 3, RNG(0)), "fan_in"),
    "one_hot V": (lambda v: text.one_hot(np.array([0]), v), "V"),
    "char_batch V": (lambda v: text.char_batch(IDS, v, 2, 2, RNG(0)), "V"),
    "char_batch T": (lambda v: text.char_batch(IDS, 3, v, 2, RNG(0)), "T"),
    "char_batch B": (lambda v: text.char_batch(IDS, 3, 2, v, RNG(0)), "B"),
    "sample n": (lambda v: text.sample(PARAMS, VOCAB, "a", v), "n"),
    "cross_entropy_on_text V": (lambda v: text.cross_entropy_on_text(PARAMS, IDS, v), "V"),
    "insurance_data n": (lambda v: tasks.insurance_data(v), "n"),
    "noisy_periodic T": (lambda v: tasks.noisy_periodic(v, 2), "T"),
    "noisy_periodic B": (lambda v: tasks.noisy_periodic(4, v), "B"),
    "lagged_windows w": (lambda v: tasks.lagged_windows(np.ones((6, 2, 1)), v), "w"),
    # chapter 7: training, truncation
    "train checkpoint_every": (lambda v: lin_train(checkpoint_every=v), "checkpoint_every"),
    "Truncated k": (lambda v: TB.Truncated(cells.ElmanCell(2, 3), v), "k"),
    # chapter 8: recurrent_init
    "entry_variance H": (lambda v: RI.entry_variance("he_normal", v), "H"),
    "quarter_circle_edge H": (lambda v: RI.quarter_circle_edge(0.1, v), "H"),
    "relu_factor H": (lambda v: RI.relu_factor(0.1, v), "H"),
    "recurrent_weight H": (lambda v: RI.recurrent_weight("orthogonal", v, 0), "H"),
    "gradient_curves H": (lambda v: RI.gradient_curves("orthogonal", "tanh", v, 3, 0), "H"),
    "gradient_curves T": (lambda v: RI.gradient_curves("orthogonal", "tanh", 4, v, 0), "T"),
    "gradient_curves trials": (lambda v: RI.gradient_curves("orthogonal", "tanh", 4, 3, 0,
                                                            trials=v), "trials"),
    "elman_model D": (lambda v: RI.elman_model(v, 4, 1), "D"),
    "elman_model H": (lambda v: RI.elman_model(2, v, 1), "H"),
    "elman_model O": (lambda v: RI.elman_model(2, 4, v), "O"),
    # chapter 9: residual, normalization
    "ResidualCell D": (lambda v: RS.ResidualCell(v, 4), "D"),
    "ResidualCell H": (lambda v: RS.ResidualCell(2, v), "H"),
    "LayerNormCell D": (lambda v: LN.LayerNormCell(v, 4), "D"),
    "LayerNormCell H": (lambda v: LN.LayerNormCell(2, v), "H"),
}
BAD_WHOLE = [(math.nan, ValueError, "finite"), (math.inf, ValueError, "finite"),
             (-math.inf, ValueError, "finite"), (np.float64("nan"), ValueError, "finite"),
             (0, ValueError, "> 0"), (-2, ValueError, "> 0"), (2.5, TypeError, "whole number"),
             (10 ** 30, ValueError, "<="), (True, TypeError, "number; got bool"),
             ("3", TypeError, "number; got str"), (None, TypeError, "number"),
             (3 + 0j, TypeError, "number; got complex"), (np.array(3), TypeError, "number")]


@pytest.mark.parametrize("call, value, error, pattern", rows(WHOLE, BAD_WHOLE))
def test_whole_number_arguments(call, value, error, pattern):
    check(call, value, error, pattern)


# --- real numbers: > 0 (lr, gain, temperature, period, fraction) or any finite value ---

POSITIVE = {
    "train_mlp lr": (lambda v: ff.train_mlp(NET, X3, Y5, lr=v, steps=1), "lr"),
    "sgd_update lr": (lambda v: ff.sgd_update(mutated(), ff.loss_and_grads(NET, X3, Y5)[1], v),
                      "lr"),
    **{f"{name} gain": (lambda v, f=f: f(3, 3, RNG(0), gain=v), "gain")
       for name, f in init.INITIALISERS.items()},
    "sample temperature": (lambda v: text.sample(PARAMS, VOCAB, "a", 3, temperature=v),
                           "temperature"),
    "noisy_periodic period": (lambda v: tasks.noisy_periodic(4, 2, period=v), "period"),
    "saturated fraction": (lambda v: A.saturated(np.zeros(3), "tanh", fraction=v), "fraction"),
    "entry_variance gain": (lambda v: RI.entry_variance("he_normal", 4, v), "gain"),
    "quarter_circle_edge variance": (lambda v: RI.quarter_circle_edge(v, 4), "variance"),
    "relu_factor variance": (lambda v: RI.relu_factor(v, 4), "variance"),
    "recurrent_weight gain": (lambda v: RI.recurrent_weight("he_normal", 4, 0, v), "gain"),
    "gradient_curves gain": (lambda v: RI.gradient_curves("orthogonal", "tanh", 4, 3, 0, v),
                             "gain"),
    "elman_model gain": (lambda v: RI.elman_model(2, 4, 1, gain=v), "gain"),
    "ResidualCell scale": (lambda v: RS.ResidualCell(2, 4, scale=v), "scale"),
    # chapter 7: clipping, training, regularizers
    "clip_by_norm max_norm": (lambda v: clipping.clip_by_norm([np.ones(2)], v), "max_norm"),
    "clip_by_value clip_value": (lambda v: clipping.clip_by_value([np.ones(2)], v),
                                 "clip_value"),
    "clip_grad_norm max_norm": (lambda v: clipping.clip_grad_norm(LIN.parameters(), v),
                                "max_norm"),
    "clip_grad_value clip_value": (lambda v: clipping.clip_grad_value(LIN.parameters(), v),
                                   "clip_value"),
    "train clip_value": (lambda v: lin_train(clip_value=v), "clip_value"),
    "train guard_norm": (lambda v: lin_train(guard_norm=v), "guard_norm"),
    "pascanu_penalty strength": (lambda v: regularizers.pascanu_penalty(v, MSE), "strength"),
}
BAD_POSITIVE = [(math.nan, ValueError, "finite"), (math.inf, ValueError, "finite"),
                (0.0, ValueError, "> 0"), (-1.0, ValueError, "> 0"),
                (True, TypeError, "got bool"), ("1", TypeError, "got str"),
                (None, TypeError, "got NoneType"), (1j, TypeError, "got complex")]

REAL = {
    "prelu a": (lambda v: A.prelu(np.ones(2), v), "a"),
    "prelu_derivative a": (lambda v: A.prelu_derivative(np.ones(2), v), "a"),
    "leaky_relu a": (lambda v: A.leaky_relu(np.ones(2), v), "a"),
    "leaky_relu_derivative a": (lambda v: A.leaky_relu_derivative(np.ones(2), v), "a"),
    "chain_mlp weight": (lambda v: ff.chain_mlp(2, weight=v), "weight"),
    "chain_mlp bias": (lambda v: ff.chain_mlp(2, bias=v), "bias"),
    "chain_bound weight": (lambda v: ff.chain_bound(2, "tanh", weight=v), "weight"),
    "first_layer_gradient weight": (lambda v: ff.first_layer_gradient([2], "tanh", v), "weight"),
    "first_layer_gradient x": (lambda v: ff.first_layer_gradient([2], "tanh", x=v), "x"),
    "insurance_data noise": (lambda v: tasks.insurance_data(5, noise=v), "noise"),
    "noisy_periodic noise": (lambda v: tasks.noisy_periodic(4, 2, noise=v), "noise"),
    "relu_factor slope": (lambda v: RI.relu_factor(0.1, 4, v), "slope"),
    "gradient_curves drive_scale": (lambda v: RI.gradient_curves("orthogonal", "tanh", 4, 3, 0,
                                                                 drive_scale=v), "drive_scale"),
    "steps_to_reach level": (lambda v: RI.steps_to_reach(RUN, v), "level"),
    "describe_reached level": (lambda v: RI.describe_reached({"a": RUN}, v), "level"),
}
BAD_REAL = [(math.nan, ValueError, "finite"), (math.inf, ValueError, "finite"),
            (-math.inf, ValueError, "finite"), (True, TypeError, "got bool"),
            ("0.5", TypeError, "got str"), (None, TypeError, "got NoneType"),
            (1j, TypeError, "got complex"), ([0.5], TypeError, "got list")]


@pytest.mark.parametrize("call, value, error, pattern",
                         rows(POSITIVE, BAD_POSITIVE) + rows(REAL, BAD_REAL))
def test_real_number_arguments(call, value, error, pattern):
    check(call, value, error, pattern)


@pytest.mark.parametrize("call, arg", [
    (lambda v: tasks.insurance_data(5, noise=v), "noise"),
    (lambda v: tasks.noisy_periodic(4, 2, noise=v), "noise")])
def test_noise_must_not_be_negative(call, arg):
    check(call, -0.1, ValueError, rf"^{arg} must be a finite number >= 0; got -0.1")


# --- arrays: wrong type, dtype, rank, shape, values ---

ARRAYS = {
    **{name: (lambda v, name=name: getattr(A, name)(v), "z") for name in (
        "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
        "prelu_slope_derivative", "leaky_relu", "leaky_relu_derivative", "identity",
        "identity_derivative")},
    "prelu z": (lambda v: A.prelu(v, 0.1), "z"),
    "prelu_derivative z": (lambda v: A.prelu_derivative(v, 0.1), "z"),
    "saturated z": (lambda v: A.saturated(v, "tanh"), "z"),
    "mlp_forward X": (lambda v: ff.mlp_forward(NET, v), "X"),
    "predict_proba X": (lambda v: ff.predict_proba(NET, v), "X"),
    "loss_and_grads X": (lambda v: ff.loss_and_grads(NET, v, Y5), "X"),
    "train_mlp X": (lambda v: ff.train_mlp(NET, v, Y5, steps=1), "X"),
    "hidden_gradients X": (lambda v: ff.hidden_gradients(NET, v), "X"),
    "binary_cross_entropy logits": (lambda v: ff.binary_cross_entropy(v, Y5), "logits"),
    "layer_jacobians x": (lambda v: ff.layer_jacobians(NET, v), "x"),
    "mlp_backward dout": (lambda v: ff.mlp_backward(NET, ff.mlp_forward(NET, X3)[1], v), "dout"),
    "weight_travel start": (lambda v: ff.weight_travel([v], [np.ones((2, 2))]), "start[0]"),
    "insurance_score raw": (lambda v: tasks.insurance_score(v), "raw"),
    "one_step_pairs series": (lambda v: tasks.one_step_pairs(v), "series"),
    "lagged_windows series": (lambda v: tasks.lagged_windows(v, 2), "series"),
    "singular_values W": (lambda v: RI.singular_values(v), "W"),
    "residual_forward X": (lambda v: RM.residual_forward(NET, v), "X"),
    "residual_loss_and_grads X": (lambda v: RM.residual_loss_and_grads(NET, v, Y5), "X"),
    "residual_loss_and_grads y": (lambda v: RM.residual_loss_and_grads(NET, X3, v), "y"),
    "residual_backward dout": (lambda v: RM.residual_backward(NET, CACHE, v), "dout"),
}
BAD_ARRAYS = [("abc", TypeError, "numpy array; got str"), (None, TypeError, "got NoneType"),
              ({1: 2}, TypeError, "got dict"), (np.array([1 + 2j]), TypeError, "complex128"),
              (np.array([object()]), TypeError, "dtype object"),
              (np.array(["1.0"]), TypeError, "dtype <U3"), (np.array([True]), TypeError, "bool"),
              ([[1.0, 2.0], [3.0]], ValueError, "rectangular")]
NOT_FINITE = [(np.full((5, 3), np.nan), ValueError, "finite"),
              (np.full((5, 3), np.inf), ValueError, "finite")]
FINITE_ONLY = {k: v for k, v in ARRAYS.items() if k.split()[0] in
               ("saturated", "mlp_forward", "predict_proba", "loss_and_grads", "train_mlp",
                "hidden_gradients")}


@pytest.mark.parametrize("call, value, error, pattern",
                         rows(ARRAYS, BAD_ARRAYS) + rows(FINITE_ONLY, NOT_FINITE))
def test_array_arguments(call, value, error, pattern):
    check(call, value, error, pattern)


def test_activations_pass_nan_and_inf_through_like_numpy():
    """Documented: NaN in gives NaN out and ±Inf the limit, so a diverging run shows in its loss."""
    out = A.sigmoid(np.array([np.nan, -np.inf, np.inf]))
    assert np.isnan(out[0]) and out[1:].tolist() == [0.0, 1.0]


# --- seeds and random generators ---

SEEDS = {
    "init_mlp seed": (lambda v: ff.init_mlp([2, 1], seed=v), "seed"),
    "train_mlp seed": (lambda v: ff.train_mlp(NET, X3, Y5, steps=1, seed=v), "seed"),
    "sample seed": (lambda v: text.sample(PARAMS, VOCAB, "a", 2, seed=v), "seed"),
    "insurance_data seed": (lambda v: tasks.insurance_data(5, seed=v), "seed"),
    "noisy_periodic seed": (lambda v: tasks.noisy_periodic(4, 2, seed=v), "seed"),
    "recurrent_weight seed": (lambda v: RI.recurrent_weight("orthogonal", 3, v), "seed"),
    "gradient_curves seed": (lambda v: RI.gradient_curves("orthogonal", "tanh", 3, 2, v), "seed"),
    "elman_model seed": (lambda v: RI.elman_model(2, 3, 1, seed=v), "seed"),
    "ResidualCell seed": (lambda v: RS.ResidualCell(2, 3, seed=v), "seed"),
    "LayerNormCell seed": (lambda v: LN.LayerNormCell(2, 3, seed=v), "seed"),
    "train seed": (lambda v: lin_train(seed=v), "seed"),
}
BAD_SEEDS = [(-1, ValueError, ">= 0"), (1.5, TypeError, "int or a numpy Generator; got float"),
             ("0", TypeError, "got str"), (True, TypeError, "got bool"),
             (math.nan, TypeError, "got float")]
GENERATORS = {
    **{f"{name} rng": (lambda v, f=f: f(3, 3, v), "rng")
       for name, f in init.INITIALISERS.items() if name != "identity"},
    "identity rng": (lambda v: init.identity(3, 3, v), "rng"),
    "init_weight rng": (lambda v: init.init_weight("identity", 3, 3, v), "rng"),
    "char_batch rng": (lambda v: text.char_batch(IDS, 3, 2, 2, v), "rng"),
}
BAD_GENERATORS = [(42, TypeError, "Generator.*; got int"), ("rng", TypeError, "got str"),
                  (np.random.RandomState(0), TypeError, "got RandomState")]


@pytest.mark.parametrize("call, value, error, pattern",
                         rows(SEEDS, BAD_SEEDS) + rows(GENERATORS, BAD_GENERATORS))
def test_seed_and_rng_arguments(call, value, error, pattern):
    check(call, value, error, pattern)


def test_initialisers_other_than_identity_need_a_generator():
    for name, f in init.INITIALISERS.items():
        if name != "identity":
            check(lambda v, f=f: f(3, 3, v), None, TypeError, "^rng must be a numpy.random")
    np.testing.assert_array_equal(init.identity(2, 2), np.eye(2))  # identity needs no rng


# --- choices and objects of the wrong type ---

OBJECTS = {
    "get_activation name": (lambda v: A.get_activation(v), "activation"),
    "saturated name": (lambda v: A.saturated(np.zeros(2), v), "activation"),
    "init_mlp activation": (lambda v: ff.init_mlp([2, 1], activation=v), "activation"),
    "init_mlp init": (lambda v: ff.init_mlp([2, 1], init=v), "init"),
    "chain_mlp activation": (lambda v: ff.chain_mlp(2, v), "activation"),
    "chain_bound activation": (lambda v: ff.chain_bound(2, v), "activation"),
    "init_weight name": (lambda v: init.init_weight(v, 3, 3, RNG(0)), "init"),
    "entry_variance name": (lambda v: RI.entry_variance(v, 4), "init"),
    "recurrent_weight name": (lambda v: RI.recurrent_weight(v, 4, 0), "init"),
    "gradient_curves name": (lambda v: RI.gradient_curves(v, "tanh", 4, 3, 0), "init"),
    "gradient_curves activation": (lambda v: RI.gradient_curves("orthogonal", v, 4, 3, 0),
                                   "activation"),
    "elman_model activation": (lambda v: RI.elman_model(2, 4, 1, v), "activation"),
    "elman_model init_name": (lambda v: RI.elman_model(2, 4, 1, init_name=v), "init_name"),
    "steps_to_reach run": (lambda v: RI.steps_to_reach(v, 0.05), "run"),
    "ResidualCell activation": (lambda v: RS.ResidualCell(2, 4, v), "activation"),
    "LayerNormCell activation": (lambda v: LN.LayerNormCell(2, 4, v), "activation"),
    "state_gradients rnn": (lambda v: RS.state_gradients(v, XS, torch.sum), "rnn"),
    "state_gradients loss_fn": (lambda v: RS.state_gradients(RNN, XS, v), "loss_fn"),
    "state_norms rnn": (lambda v: RS.state_norms(v, XS), "rnn"),
    "skips net": (lambda v: RM.skips(v), "net"),
    "skips residual": (lambda v: RM.skips(NET, v), "residual"),
    "residual_forward net": (lambda v: RM.residual_forward(v, X3), "net"),
    "residual_forward residual": (lambda v: RM.residual_forward(NET, X3, v), "residual"),
    "residual_backward cache": (lambda v: RM.residual_backward(NET, v, np.ones((5, 1))),
                                "cache"),
    "residual_loss_and_grads residual": (
        lambda v: RM.residual_loss_and_grads(NET, X3, Y5, v), "residual"),
    "load_text name": (lambda v: text.load_text(v), "name"),
    "mlp_forward net": (lambda v: ff.mlp_forward(v, X3), "net"),
    "mlp_backward net": (lambda v: ff.mlp_backward(v, [], np.ones((5, 1))), "net"),
    "predict_proba net": (lambda v: ff.predict_proba(v, X3), "net"),
    "loss_and_grads net": (lambda v: ff.loss_and_grads(v, X3, Y5), "net"),
    "train_mlp net": (lambda v: ff.train_mlp(v, X3, Y5), "net"),
    "sgd_update net": (lambda v: ff.sgd_update(v, ff.loss_and_grads(NET, X3, Y5)[1], 0.1), "net"),
    "hidden_gradients net": (lambda v: ff.hidden_gradients(v, X3), "net"),
    "layer_jacobians net": (lambda v: ff.layer_jacobians(v, np.ones(3)), "net"),
    "sgd_update grads": (lambda v: ff.sgd_update(mutated(), v, 0.1), "grads"),
    "mlp_backward cache": (lambda v: ff.mlp_backward(NET, v, np.ones((5, 1))), "cache"),
    "weight_travel start": (lambda v: ff.weight_travel(v, [np.ones((2, 2))]), "start"),
    "weight_travel end": (lambda v: ff.weight_travel([np.ones((2, 2))], v), "end"),
    "first_layer_gradient depths": (lambda v: ff.first_layer_gradient(v, "tanh"), "depths"),
    "init_mlp sizes": (lambda v: ff.init_mlp(v), "sizes"),
    "CharVocab chars": (lambda v: text.CharVocab(v), "chars"),
    "CharVocab.from_text text": (lambda v: text.CharVocab.from_text(v), "text"),
    "encode text": (lambda v: VOCAB.encode(v), "text"),
    "sample params": (lambda v: text.sample(v, VOCAB, "a", 3), "params"),
    "sample vocab": (lambda v: text.sample(PARAMS, v, "a", 3), "vocab"),
    "sample prime": (lambda v: text.sample(PARAMS, VOCAB, v, 3), "prime"),
    "cross_entropy_on_text params": (lambda v: text.cross_entropy_on_text(v, IDS, 3), "params"),
    "known_word_fraction generated": (lambda v: text.known_word_fraction(v, "a"), "generated"),
    "known_word_fraction text": (lambda v: text.known_word_fraction("a", v), "text"),
    "distinct_word_fraction generated": (lambda v: text.distinct_word_fraction(v), "generated"),
    # chapter 7: clipping, checkpoints, regularizers, truncation
    "clip_by_norm grads": (lambda v: clipping.clip_by_norm(v, 1.0), "grads"),
    "clip_by_value grads": (lambda v: clipping.clip_by_value(v, 1.0), "grads"),
    "angle a": (lambda v: clipping.angle(v, [np.ones(2)]), "a"),
    "angle b": (lambda v: clipping.angle([np.ones(2)], v), "b"),
    "clip_grad_norm parameters": (lambda v: clipping.clip_grad_norm(v, 1.0), "parameters"),
    "clip_grad_value parameters": (lambda v: clipping.clip_grad_value(v, 1.0), "parameters"),
    "save_checkpoint path": (lambda v: checkpoints.save_checkpoint(v, LIN, SGD, 1), "path"),
    "save_checkpoint model": (lambda v: checkpoints.save_checkpoint("c.pt", v, SGD, 1),
                              "model"),
    "save_checkpoint optimizer": (lambda v: checkpoints.save_checkpoint("c.pt", LIN, v, 1),
                                  "optimizer"),
    "load_checkpoint path": (lambda v: checkpoints.load_checkpoint(v, LIN), "path"),
    "train penalty": (lambda v: lin_train(penalty=v), "penalty"),
    "regularizers.state_gradients model": (
        lambda v: regularizers.state_gradients(v, XS, torch.ones(2, 1), MSE), "model"),
    "regularizers.state_gradients loss_fn": (lambda v: regularizers.state_gradients(
        seq_model(), XS, torch.ones(2, 1), v), "loss_fn"),
    "omega model": (lambda v: regularizers.omega(v, XS, torch.ones(2, 1), MSE), "model"),
    "norm_ratios cell": (lambda v: regularizers.norm_ratios(v, XS, [], []), "cell"),
    "pascanu_penalty loss_fn": (lambda v: regularizers.pascanu_penalty(1.0, v), "loss_fn"),
    "Truncated cell": (lambda v: TB.Truncated(v, 2), "cell"),
}
BAD_OBJECTS = [(None, TypeError, "got NoneType"), (3, TypeError, "got int"),
               ({"W": []}, TypeError, "got dict")]


@pytest.mark.parametrize("call, value, error, pattern", rows(OBJECTS, BAD_OBJECTS))
def test_objects_of_the_wrong_type(call, value, error, pattern):
    check(call, value, error, pattern)


# --- cases particular to one function: shapes, ranges, a cache or X from another network ---

OTHER = ff.init_mlp([3, 6, 2, 1], "tanh", "xavier_uniform")  # same input width, other layers
BN_NET = ff.init_mlp([3, 4, 1], "tanh", "xavier_uniform", batchnorm=True)
GRADS = ff.loss_and_grads(NET, X3, Y5)[1]
DIVERGED = PARAMS.copy()
DIVERGED.W_h[0, 0] = np.nan
CACHE = ff.mlp_forward(NET, X3)[1]


def grads_with(**changes) -> ff.Grads:
    grads = ff.loss_and_grads(NET, X3, Y5)[1]
    for key, value in changes.items():
        setattr(grads, key, value)
    return grads


SPECIFIC = [
    # feedforward: shapes and networks that do not fit together
    ("X of another width", lambda: ff.mlp_forward(NET, np.ones((5, 2))), ValueError,
     r"^X must have shape \(any, 3\); got \(5, 2\)"),
    ("X one-dimensional", lambda: ff.mlp_forward(NET, np.ones(3)), ValueError,
     r"^X must have 2 dimension"),
    ("cache of another net", lambda: ff.mlp_backward(NET, ff.mlp_forward(OTHER, X3)[1],
                                                     np.ones((5, 1))),
     ValueError, r"^cache must come from mlp_forward with this net \(2 layers\); got .* 3"),
    ("cache of a net of other widths",
     lambda: ff.mlp_backward(ff.init_mlp([3, 7, 1]), CACHE, np.ones((5, 1))), ValueError,
     r"^cache\[0\]\['Z'\] must have shape \(5, 7\); got \(5, 4\)"),
    ("cache without batch norm", lambda: ff.mlp_backward(BN_NET, CACHE, np.ones((5, 1))),
     ValueError, r"^cache\[0\] lacks \['bn'\]"),
    ("cache of another batch-norm net",
     lambda: ff.mlp_backward(BN_NET, [dict(CACHE[0], bn=(1, 2)), CACHE[1]], np.ones((5, 1))),
     ValueError, r"^cache\[0\]\['bn'\] must be the \(Z_hat, inv_std, gamma\)"),
    ("batch-norm cache of other widths",
     lambda: ff.mlp_backward(BN_NET, [dict(CACHE[0], bn=(np.ones((5, 4)), np.ones(3), np.ones(4))),
                                      CACHE[1]], np.ones((5, 1))),
     ValueError, r"^cache\[0\]\['bn'\] inv_std must have shape \(4\); got \(3,\)"),
    ("forward on zero examples", lambda: ff.mlp_forward(BN_NET, np.ones((0, 3))), ValueError,
     r"^X must hold at least one example"),
    ("cache as a tuple", lambda: ff.mlp_backward(NET, tuple(CACHE), np.ones((5, 1))), TypeError,
     "^cache must be the list"),
    ("dout of another batch", lambda: ff.mlp_backward(NET, CACHE, np.ones((4, 1))), ValueError,
     r"^dout must have shape \(5, 1\)"),
    ("dout NaN", lambda: ff.mlp_backward(NET, CACHE, np.full((5, 1), np.nan)), ValueError,
     "^dout must contain only finite"),
    ("net W as a list", lambda: ff.mlp_forward(mutated(W=[[[1.0] * 3] * 4, NET.W[1]]), X3),
     TypeError, r"^net.W\[0\] must be a float numpy array; got list"),
    ("net W of ints", lambda: ff.mlp_forward(mutated(W=[np.ones((4, 3), int), NET.W[1]]), X3),
     TypeError, r"^net.W\[0\] must be a float numpy array; got array of int64"),
    ("net W NaN", lambda: ff.mlp_forward(mutated(W=[np.full((4, 3), np.nan), NET.W[1]]), X3),
     ValueError, r"^net.W\[0\] must contain only finite values"),
    ("net layers that do not chain",
     lambda: ff.mlp_forward(mutated(W=[NET.W[0], np.ones((1, 5))]), X3), ValueError,
     r"^net.W\[1\] must have shape \(any, 4\) to read the 4 values"),
    ("net b of the wrong size", lambda: ff.mlp_forward(mutated(b=[np.zeros(3), NET.b[1]]), X3),
     ValueError, r"^net.b\[0\] must have shape \(4\)"),
    ("net b missing", lambda: ff.mlp_forward(mutated(b=[NET.b[0]]), X3), ValueError,
     "^net must hold L >= 1 matrices W, L vectors b"),
    ("net activation unknown", lambda: ff.mlp_forward(mutated(activation="gelu"), X3),
     ValueError, "^net.activation must be one of"),
    ("net batchnorm not a bool", lambda: ff.mlp_forward(mutated(batchnorm="no"), X3), TypeError,
     "^net.batchnorm must be True or False"),
    ("net gamma missing", lambda: ff.mlp_forward(mutated(batchnorm=True), X3), ValueError,
     "^net must hold .* gamma and beta"),
    ("two outputs for a probability", lambda: ff.predict_proba(ff.init_mlp([3, 2]), X3),
     ValueError, "^net must have one output"),
    ("two outputs for the loss", lambda: ff.loss_and_grads(ff.init_mlp([3, 2]), X3, Y5),
     ValueError, "^net must have one output"),
    ("two outputs to train", lambda: ff.train_mlp(ff.init_mlp([3, 2]), X3, Y5), ValueError,
     "^net must have one output"),
    ("train on zero examples", lambda: ff.train_mlp(NET, np.ones((0, 3)), np.ones(0)),
     ValueError, r"^X must hold at least one example \(a row\); got shape \(0, 3\)"),
    ("y of another length", lambda: ff.train_mlp(NET, X3, np.ones(4)), ValueError,
     r"^y must have shape \(5\)"),
    ("y not labels", lambda: ff.loss_and_grads(NET, X3, np.full(5, 0.5)), ValueError,
     "^y must hold labels 0 and 1 only"),
    ("y empty", lambda: ff.binary_cross_entropy(np.ones(0), np.ones(0)), ValueError,
     "^y must hold at least one label"),
    ("logits of another length", lambda: ff.binary_cross_entropy(np.ones(4), Y5), ValueError,
     r"^y must have shape \(4\)"),
    ("logits NaN", lambda: ff.binary_cross_entropy(np.full(5, np.nan), Y5), ValueError,
     "^logits must contain only finite"),
    ("output overflows", lambda: ff.loss_and_grads(mutated(W=[NET.W[0], np.full((1, 4), 1e308)]),
                                                   X3 * 1e10, Y5),
     ValueError, "output overflows float64"),
    ("gradients overflow", lambda: ff.hidden_gradients(ff.chain_mlp(40, "identity", 1e10), [[1.0]]),
     ValueError, "overflows float64"),
    ("grads of another net", lambda: ff.sgd_update(ff.init_mlp([3, 2, 1]), GRADS, 0.1),
     ValueError, r"^grads.dW\[0\] must have shape \(2, 3\); got \(4, 3\)"),
    ("grads missing a layer", lambda: ff.sgd_update(mutated(), grads_with(db=GRADS.db[:1]), 0.1),
     ValueError, r"^grads.db must list 2 gradients"),
    ("grads NaN", lambda: ff.sgd_update(mutated(),
                                        grads_with(dW=[GRADS.dW[0] * np.nan, GRADS.dW[1]]), 0.1),
     ValueError, r"^grads.dW\[0\] must contain only finite"),
    ("batch norm jacobians", lambda: ff.layer_jacobians(BN_NET, np.ones(3)), ValueError,
     "without batch normalisation"),
    ("x of another width", lambda: ff.layer_jacobians(NET, np.ones(2)), ValueError,
     r"^x must have shape \(3\)"),
    ("sizes too short", lambda: ff.init_mlp([3]), ValueError, "^sizes must list at least"),
    ("sizes a string", lambda: ff.init_mlp("34"), TypeError, "^sizes must be a list"),
    ("batchnorm a string", lambda: ff.init_mlp([3, 4, 1], batchnorm="yes"), TypeError,
     "^batchnorm must be True or False"),
    ("travel lists of different lengths", lambda: ff.weight_travel([np.ones(2)], []),
     ValueError, "^start and end must list as many"),
    ("travel shapes differ", lambda: ff.weight_travel([np.ones(2)], [np.ones(3)]), ValueError,
     r"^end\[0\] must have shape \(2\)"),
    ("depths a number", lambda: ff.first_layer_gradient(4, "tanh"), TypeError,
     "^depths must be a list"),
    # activations
    ("activation name not a string", lambda: A.get_activation(np.array(["tanh"])), TypeError,
     "^activation must be a string"),
    ("fraction above 1", lambda: A.saturated(np.zeros(2), "tanh", fraction=2.0), ValueError,
     r"^fraction must be in \(0, 1\]"),
    # init
    ("identity not square", lambda: init.identity(3, 4), ValueError, "fan_in == fan_out"),
    ("unknown initialiser", lambda: init.init_weight("kaiming", 3, 3, RNG(0)), ValueError,
     "^init must be one of"),
    # text
    ("unknown text", lambda: text.load_text("missing.txt"), ValueError, "^name must be one of"),
    ("empty vocabulary", lambda: text.CharVocab(""), ValueError, "^chars must be a non-empty"),
    ("repeated characters", lambda: text.CharVocab("aab"), ValueError, "^chars must be .*distinct"),
    ("vocabulary of empty text", lambda: text.CharVocab.from_text(""), ValueError,
     "^text must be a non-empty string"),
    ("encode unknown characters", lambda: VOCAB.encode("abc"), ValueError,
     r"^text has characters outside the vocabulary: \['c'\]"),
    ("decode an id too large", lambda: VOCAB.decode([3]), ValueError,
     r"^ids must hold ids in \[0, 3\)"),
    ("decode a negative id", lambda: VOCAB.decode([-1]), ValueError,
     r"^ids must hold ids in \[0, 3\)"),
    ("decode float ids", lambda: VOCAB.decode([0.5]), TypeError, "^ids must hold integer ids"),
    ("decode a string", lambda: VOCAB.decode("ab"), TypeError, "^ids must be a numpy array"),
    ("one_hot float ids", lambda: text.one_hot(np.array([0.0, 1.0]), 3), TypeError,
     "^ids must hold integer ids; got dtype float64"),
    ("one_hot ids out of range", lambda: text.one_hot(np.array([0, 3]), 3), ValueError,
     r"^ids must hold ids in \[0, 3\); got values from 0 to 3"),
    ("char_batch ids 2-D", lambda: text.char_batch(IDS[None], 3, 2, 2, RNG(0)), ValueError,
     r"^ids must have 1 dimension"),
    ("char_batch text too short", lambda: text.char_batch(IDS[:3], 3, 5, 2, RNG(0)), ValueError,
     "^ids has 3 characters; a window needs T"),
    ("sample params of another vocabulary",
     lambda: text.sample(init_params(5, 4, 5), VOCAB, "a", 3), ValueError,
     r"^params must read and predict V = 3 characters"),
    ("sample diverged params", lambda: text.sample(DIVERGED, VOCAB, "a", 3), ValueError,
     r"^params.W_h holds NaN or Inf"),
    ("sample vocab as a string", lambda: text.sample(PARAMS, "ab ", "a", 3), TypeError,
     "^vocab must be a CharVocab"),
    ("sample empty prime", lambda: text.sample(PARAMS, VOCAB, "", 3), ValueError,
     "^prime must be a non-empty string"),
    ("sample prime outside the vocabulary", lambda: text.sample(PARAMS, VOCAB, "abc", 3),
     ValueError, r"^prime has characters outside the vocabulary: \['c'\]"),
    ("cross-entropy of one character", lambda: text.cross_entropy_on_text(PARAMS, IDS[:1], 3),
     ValueError, "^ids needs at least 2 characters"),
    ("cross-entropy of float ids",
     lambda: text.cross_entropy_on_text(PARAMS, IDS.astype(float), 3), TypeError,
     "^ids must hold integer ids"),
    ("cross-entropy ids out of range",
     lambda: text.cross_entropy_on_text(PARAMS, np.array([0, 5]), 3), ValueError,
     r"^ids must hold ids in \[0, 3\)"),
    # tasks
    ("raw of 5 columns", lambda: tasks.insurance_score(np.ones((3, 5))), ValueError,
     r"^raw must have shape \(any, 4\)"),
    ("raw with income 0", lambda: tasks.insurance_score(np.array([[30.0, 12.0, 0.0, 1.0]])),
     ValueError, "^raw must have income > 0"),
    ("raw overflowing", lambda: tasks.insurance_score(np.array([[1e200, 12.0, 30.0, 1.0]])),
     ValueError, "^raw holds values so extreme"),
    ("series of one step", lambda: tasks.one_step_pairs(np.ones((1, 2, 1))), ValueError,
     "^series needs at least 2 steps"),
    ("series of no sequence", lambda: tasks.one_step_pairs(np.ones((4, 0, 1))), ValueError,
     "^series needs at least 2 steps, 1 series"),
    ("series 2-D", lambda: tasks.one_step_pairs(np.ones((4, 2))), ValueError,
     "^series must have 3 dimension"),
    ("windows of 2 features", lambda: tasks.lagged_windows(np.ones((6, 2, 2)), 2), ValueError,
     r"^series must have shape \(any, any, 1\); got \(6, 2, 2\)"),
    ("windows of no sequence", lambda: tasks.lagged_windows(np.ones((6, 0, 1)), 2), ValueError,
     "^series needs at least one series"),
    ("window as long as the series", lambda: tasks.lagged_windows(np.ones((3, 2, 1)), 3),
     ValueError, "^series of T = 3 steps has no window of w = 3"),
    # recurrent_init (chapter 8)
    ("singular values of an empty matrix", lambda: RI.singular_values(np.zeros((0, 3))),
     ValueError, "^W must have at least one row and column"),
    ("describe no run", lambda: RI.describe_reached({}, 0.05), TypeError,
     "^runs must be a non-empty dict"),
    ("describe a run that is not one", lambda: RI.describe_reached({"a": 3}, 0.05), TypeError,
     r"^runs\['a'\] must be a training.TrainResult; got int"),
    ("describe runs of another type", lambda: RI.describe_reached([RUN], 0.05), TypeError,
     "^runs must be a non-empty dict: label -> TrainResult; got list"),
    # residual, residual_mlp, normalization (chapter 9)
    ("xs of the wrong width", lambda: RS.state_gradients(RNN, torch.zeros(4, 2, 5), torch.sum),
     ValueError, r"^xs must be a tensor of shape \(T, B, 2\)"),
    ("a loss that is not a scalar", lambda: RS.state_gradients(RNN, XS, lambda h: h),
     ValueError, "^loss_fn must return a scalar tensor"),
    ("xs a numpy array", lambda: RS.state_norms(RNN, np.zeros((4, 2, 2))), ValueError,
     "^xs must be a tensor"),
    ("a residual net of two outputs",
     lambda: RM.residual_loss_and_grads(ff.init_mlp([3, 4, 2]), X3, Y5), ValueError,
     "^net must have one output"),
    ("a cache from another net", lambda: RM.residual_backward(OTHER, CACHE, np.ones((5, 1))),
     ValueError, "^cache must come from mlp_forward with this net"),
]


@pytest.mark.parametrize("call, error, pattern",
                         [pytest.param(c, e, p, id=label) for label, c, e, p in SPECIFIC])
def test_cases_particular_to_one_function(call, error, pattern):
    check(lambda _: call(), None, error, pattern)


# --- the fuzz: any object for any argument ---

# numbers kept small, so that a valid draw (steps, n, fan_in ...) stays quick and small
NUMBERS = st.one_of(st.integers(-3, 30), st.floats(-1e3, 1e3),
                    st.sampled_from([math.nan, math.inf, -math.inf, 1e300, 10 ** 30, 2.5]))
GARBAGE = st.one_of(
    st.none(), st.booleans(), NUMBERS, st.text(max_size=4), st.complex_numbers(max_magnitude=9),
    st.lists(NUMBERS, max_size=4), st.lists(st.lists(NUMBERS, max_size=3), max_size=3),
    st.sampled_from([np.array([]), np.zeros((2, 3)), np.ones((5, 3)), np.ones((2, 2), int),
                     np.array(["a"]), np.array([1j]), object(), RNG(0), NET, VOCAB, PARAMS,
                     [np.ones((4, 3))], {"W": []}, "tanh", "he_normal", "sonnets.txt", 3, 0.5]))

FUZZED = {  # name -> (function, valid arguments)
    "sigmoid": (A.sigmoid, (np.ones(2),)), "relu_derivative": (A.relu_derivative, (np.ones(2),)),
    "prelu": (A.prelu, (np.ones(2), 0.1)), "saturated": (A.saturated, (np.ones(2), "tanh", 0.1)),
    "get_activation": (A.get_activation, ("tanh",)),
    "init_mlp": (ff.init_mlp, ([3, 4, 1], "tanh", "he_normal", False, 0)),
    "mlp_forward": (ff.mlp_forward, (NET, X3)),
    "mlp_backward": (ff.mlp_backward, (NET, CACHE, np.ones((5, 1)))),
    "binary_cross_entropy": (ff.binary_cross_entropy, (np.zeros(5), Y5)),
    "predict_proba": (ff.predict_proba, (NET, X3)),
    "loss_and_grads": (ff.loss_and_grads, (NET, X3, Y5)),
    "sgd_update": (ff.sgd_update, (mutated(), GRADS, 0.1)),
    "train_mlp": (ff.train_mlp, (NET, X3, Y5, 0.1, 2, None, 0)),
    "weight_travel": (ff.weight_travel, ([np.ones((2, 2))], [np.ones((2, 2))])),
    "chain_mlp": (ff.chain_mlp, (3, "tanh", 1.0, 0.0)),
    "hidden_gradients": (ff.hidden_gradients, (NET, X3)),
    "chain_bound": (ff.chain_bound, (3, "tanh", 1.0)),
    "first_layer_gradient": (ff.first_layer_gradient, ([1, 2], "tanh", 1.0, 1.0)),
    "layer_jacobians": (ff.layer_jacobians, (NET, np.ones(3))),
    "he_normal": (init.he_normal, (3, 2, RNG(0), 1.0)),
    "init_weight": (init.init_weight, ("orthogonal", 3, 2, RNG(0), 1.0)),
    "load_text": (text.load_text, ("sonnets.txt",)),
    "CharVocab": (text.CharVocab, ("ab ",)),
    "decode": (VOCAB.decode, (IDS,)),
    "one_hot": (text.one_hot, (IDS, 3)),
    "char_batch": (text.char_batch, (IDS, 3, 2, 2, RNG(0))),
    "sample": (text.sample, (PARAMS, VOCAB, "a", 2, 1.0, 0)),
    "cross_entropy_on_text": (text.cross_entropy_on_text, (PARAMS, IDS, 3)),
    "known_word_fraction": (text.known_word_fraction, ("a b", "a")),
    "insurance_score": (tasks.insurance_score, (np.array([[30.0, 12.0, 40.0, 10.0]]),)),
    "insurance_data": (tasks.insurance_data, (5, 0.5, 0)),
    "noisy_periodic": (tasks.noisy_periodic, (4, 2, 16.0, 0.3, 0)),
    "one_step_pairs": (tasks.one_step_pairs, (np.ones((3, 2, 1)),)),
    "lagged_windows": (tasks.lagged_windows, (np.ones((5, 2, 1)), 2)),
    "entry_variance": (RI.entry_variance, ("he_normal", 4, 1.0)),
    "quarter_circle_edge": (RI.quarter_circle_edge, (0.1, 4)),
    "relu_factor": (RI.relu_factor, (0.1, 4, 0.0)),
    "singular_values": (RI.singular_values, (np.ones((2, 3)),)),
    "recurrent_weight": (RI.recurrent_weight, ("orthogonal", 3, 0, 1.0)),
    "skips": (RM.skips, (NET, True)),
    "residual_forward": (RM.residual_forward, (NET, X3, True)),
    "residual_backward": (RM.residual_backward, (NET, CACHE, np.ones((5, 1)), True)),
    "residual_loss_and_grads": (RM.residual_loss_and_grads, (NET, X3, Y5, True)),
    "clip_by_norm": (clipping.clip_by_norm, ([np.ones(3), np.ones((2, 2))], 1.0)),
    "clip_by_value": (clipping.clip_by_value, ([np.ones(3)], 0.5)),
    "angle": (clipping.angle, ([np.ones(3)], [np.arange(3.0)])),
}


SPECIAL = [None, True, False, math.nan, math.inf, -math.inf, np.float64("nan"), -1, 0, 2.5,
           10 ** 30, 1e300, 1j, "", "abc", [], [math.nan], [[1.0, 2.0], [3.0]], np.array([]),
           np.zeros((2, 3)), np.full((5, 3), np.nan), np.ones((2, 2), int), np.array(["a"]),
           np.array([1j]), np.array([True]), object(), RNG(0), NET, VOCAB, PARAMS,
           {"W": []}, "tanh"]


def call_with(name: str, position: int, value: object) -> None:
    """Call FUZZED[name] with ``value`` at ``position``: a clear error or a result without NaN."""
    function, valid = FUZZED[name]
    args = list(valid)
    args[position] = value
    params = list(inspect.signature(function).parameters) + ["init", "activation", "text"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning, ComplexWarning, DeprecationWarning
        try:
            result = function(*args)
        except (TypeError, ValueError) as err:
            assert re.search(rf"\b({'|'.join(params)})\b", str(err)), f"names no argument: {err}"
            assert not re.search("could not convert|cannot convert|truth value", str(err)), err
            return
    if name in NAN_PASSES_THROUGH and has_nan(value):
        return  # NaN in, NaN out is documented for the activations
    for part in result if isinstance(result, tuple) else (result,):
        if isinstance(part, np.ndarray) and part.dtype.kind == "f":
            assert not np.any(np.isnan(part)), f"{name} returned NaN for {value!r}"


@pytest.mark.parametrize("name", sorted(FUZZED))
def test_every_special_value_for_every_argument(name):
    for position in range(len(FUZZED[name][1])):
        for value in SPECIAL:
            call_with(name, position, value)


@pytest.mark.parametrize("name", sorted(FUZZED))
@given(data=st.data())
@settings(max_examples=30, deadline=None)
def test_any_object_for_any_argument_raises_a_clear_error_or_works(name, data):
    position = data.draw(st.integers(0, len(FUZZED[name][1]) - 1), label="argument")
    call_with(name, position, data.draw(GARBAGE, label="value"))


NAN_PASSES_THROUGH = {"sigmoid", "relu_derivative", "prelu",
                      "clip_by_norm", "clip_by_value"}  # documented: clipping keeps NaN


def has_nan(value: object) -> bool:
    try:
        return bool(np.any(np.isnan(np.asarray(value, dtype=float))))
    except (TypeError, ValueError):
        return False
