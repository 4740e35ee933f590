"""Entry point: ``streamlit run app.py``. The frame itself lives in ``ui/shell.py``.

With nothing uploaded, the workbench opens on a bundled sample so every page has something to show.
"""

from ui.shell import run_app

run_app()
