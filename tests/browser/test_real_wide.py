"""Real tables 4/4: permeability_qsar, 1,108 columns and 165 rows: upload, explore, compare a small
set of algorithms, train the best and its first evaluation view (permutation importance on a wide
table is tests/core/test_evaluate.py's; every view is opened on the narrower tables, real_flow.py)."""

import time

from tests.browser.real_flow import QUICK_MODELS, open_app, report, run_table, table_named


def test_wide_table_loads_compares_and_trains(page, app_url, real_table_corpus, tmp_path):
    log = open_app(page, app_url, tmp_path)
    started = time.perf_counter()
    wide, path = table_named(real_table_corpus, "permeability_qsar.csv")
    run_table(page, log, wide, path, views=["Predicted vs actual"], models=QUICK_MODELS["regression"])
    report(log, started)
