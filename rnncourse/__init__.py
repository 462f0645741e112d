"""rnncourse: reference implementations for the course on training recurrent networks.

Every chapter imports from here; nothing in a chapter redefines what lives here.
Shapes are time-major throughout: a sequence batch is ``(T, B, D)``.
"""

__version__ = "0.1.0"
