"""Real tables 3/4: flights, 336,776 rows (a timestamp, missing targets): upload, explore, compare
two quick algorithms within its budget (the default set under a budget on large tables is covered
by tests/core/test_train.py), train the best and its first evaluation view. The views themselves
are covered on the smaller tables (real_flow.py)."""

import time

from tests.browser.real_flow import QUICK_MODELS, open_app, report, run_table, table_named


def test_flights_large_table_loads_compares_and_trains(page, app_url, real_table_corpus, tmp_path):
    log = open_app(page, app_url, tmp_path)
    started = time.perf_counter()
    flights, path = table_named(real_table_corpus, "flights.csv")
    run_table(page, log, flights, path, views=["Predicted vs actual"], models=QUICK_MODELS["regression"][:2])
    report(log, started)
