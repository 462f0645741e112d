"""The course's standard figures and plot style, one module per part of the course.

Notebooks call :func:`use_course_style` once in their setup cell. Every figure function
takes an optional ``ax`` and returns it, so figures compose into grids; a figure function
draws what it is given and computes nothing of the course's (the explorers' views, which
run the reference code, live in :mod:`rnncourse.widgets`). Nothing in the package imports
this package; only notebooks and widgets do. Chapters call ``plots.name`` for every
figure, whichever module holds it:

- :mod:`.style`: the style, axes and animation helpers;
- :mod:`.foundations`: Part I (chapters 1-2);
- :mod:`.recurrent`: Part II (chapters 3-4);
- :mod:`.vanishing`: chapter 5; :mod:`.diagnosis`: chapter 6;
  :mod:`.clipping`: chapter 7;
  :mod:`.initialization`: chapter 8; :mod:`.skip`: chapter 9.
"""

from .foundations import (
    plot_activations,
    plot_coordinate_errors,
    plot_descent_1d,
    plot_descent_2d,
    plot_epoch_losses,
    plot_gradient_noise,
    plot_gradient_vs_depth,
    plot_gradients_over_steps,
    plot_loss_curves,
    plot_per_layer,
    plot_steps_vs_condition,
    plot_steps_vs_lr,
)
from .recurrent import (
    draw_rnn_unrolled,
    plot_bptt_cost,
    plot_echo_success,
    plot_forecast,
    plot_state_gradient_norms,
    plot_truncation_bias,
    plot_truncation_terms,
    plot_window_vs_state,
)
from .style import (
    COLORS,
    animation_html,
    new_axes,
    use_course_style,
)

# chapter 5 (rnncourse/plots/vanishing.py)
from .vanishing import (
    plot_bound_trials,
    plot_cliff,
    plot_norm_map,
    plot_norms_by_distance,
    plot_power_vs_product,
    plot_singular_values,
)

# chapter 6 (rnncourse/plots/diagnosis.py)
# isort: split
from .diagnosis import (
    plot_adding_curves,
    plot_agreement_errors,
    plot_gradient_histories,
    plot_input_sensitivity,
    plot_long_range_share,
)

# chapter 7 (rnncourse/plots/clipping.py)
# isort: split
from .clipping import (
    plot_clip_angles,
    plot_clipped_cliff,
    plot_clipping_runs,
    plot_state_gradient_profiles,
)

# chapter 8 (rnncourse/plots/initialization.py)
# isort: split
from .initialization import (
    plot_curves_by_init,
    plot_spectra,
    plot_training_by_init,
)

# chapter 9 (rnncourse/plots/skip.py)
# isort: split
from .skip import (
    plot_first_layer_by_depth,
    plot_gradient_by_distance,
    plot_state_norms,
    plot_training_curves,
)
