"""Data sets of the course, generated here so nothing is downloaded.

Every generator takes a ``seed`` (or a ``numpy.random.Generator``) and returns
time-major arrays: inputs ``(T, B, D)``, targets as documented per task.
Sections are grouped by the chapter that introduces them.
"""

from __future__ import annotations

import numpy as np

from .validation import check_positive
