"""The workbench's logic: reading, profiling, preparing and modelling tables.

Nothing in this package imports streamlit, so every function here can be called from a
test, the command line (``python -m core``) or a notebook.
"""

from core.errors import DataError

__all__ = ["DataError"]
