"""Real tables 1/4: digits (multiclass, integer pixel counts) through every evaluation and explanation
view; then, in the same session, seattle-weather (dates): nothing of digits (its columns, leaderboard
or run) is left on any page, and its own compare, train and first view work. See real_flow.py."""

import time

from tests.browser.real_flow import QUICK_MODELS, open_app, report, run_table, table_named


def test_digits_every_view_then_weather_shows_nothing_of_digits(page, app_url, real_table_corpus, tmp_path):
    log = open_app(page, app_url, tmp_path)
    started = time.perf_counter()
    digits, path = table_named(real_table_corpus, "digits.csv")
    shown = run_table(page, log, digits, path)
    weather, path = table_named(real_table_corpus, "seattle-weather.csv")
    run_table(page, log, weather, path, previous=shown, views=["Confusion matrix"],
              models=QUICK_MODELS["classification"])
    report(log, started)
