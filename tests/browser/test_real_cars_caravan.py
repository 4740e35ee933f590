"""Real tables 2/4: cars (regression; a date, a text column, missing targets) after the first visit's
sample, through every evaluation and explanation view; then, in the same session, caravan (binary,
6 % positive): nothing of cars is left on any page, and every classification view for its positive
class (the explanation views are covered by cars and digits). See real_flow.py."""

import time

from tests.browser.real_flow import QUICK_MODELS, first_sample_shown, open_app, report, run_table, table_named
from ui.model_evaluate import CLASSIFICATION_VIEWS


def test_cars_every_view_then_caravan_binary_views(page, app_url, real_table_corpus, tmp_path):
    log = open_app(page, app_url, tmp_path)
    started = time.perf_counter()
    cars, path = table_named(real_table_corpus, "cars.csv")
    shown = run_table(page, log, cars, path, previous=first_sample_shown())
    caravan, path = table_named(real_table_corpus, "caravan.csv")
    run_table(page, log, caravan, path, previous=shown, views=CLASSIFICATION_VIEWS,
              models=QUICK_MODELS["classification"])
    report(log, started)
