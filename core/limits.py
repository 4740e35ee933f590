"""The workbench's input limits in one place, checked before any work starts.

Each bound keeps one user's file or recipe from holding the server (or a classroom's shared
server) for minutes or exhausting its memory. ``docs/limits.md`` lists them for people.
"""

from __future__ import annotations

# Uploads and files read from the command line. Streamlit's ``server.maxUploadSize`` counts in
# MiB (2**20 bytes); ``.streamlit/config.toml`` holds the same number, and messages say MiB.
UPLOAD_LIMIT_MIB = 200
UPLOAD_LIMIT_BYTES = UPLOAD_LIMIT_MIB * 2**20

# Recipe files (JSON from the Prepare page).
RECIPE_MAX_BYTES = 2 * 2**20  # 2 MiB: thousands of steps of 20,000-column tables fit
RECIPE_MAX_STEPS = 200  # real recipes have tens of steps; 3,000 took minutes to replay on the page
RECIPE_MAX_LIST_ITEMS = 25_000  # columns named in one step (tables of up to 20,000 columns load)
RECIPE_MAX_TEXT_CHARS = 20_000  # one column name or text setting (10,000-character names exist)
RECIPE_MAX_NUMBER_DIGITS = 30  # digits of a whole number written in a recipe file
