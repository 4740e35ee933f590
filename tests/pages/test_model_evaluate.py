"""The evaluation panel in the page (AppTest): every view on whole-number and label features, readable numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP, assert_no_exception

VIEWS = ["Confusion matrix", "ROC", "Precision-recall", "Calibration", "Threshold", "Report",
         "Permutation importance", "Built-in importance", "Partial dependence", "Learning curve", "Tree"]


def _trained(csv: bytes, target: str, model: str = "decision_tree") -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    app.file_uploader(key="csv_upload").set_value(("houses.csv", csv, "text/csv")).run()
    app.switch_page("pages/model.py").run()
    app.selectbox(key="model_target").set_value(target).run()
    app.segmented_control(key="model_view").set_value("Train one").run()
    key = next(s.key for s in app.selectbox if s.key and s.key.startswith("one_"))
    app.selectbox(key=key).set_value(model).run()
    next(b for b in app.button if b.label == "Train").click().run()
    assert_no_exception(app)
    assert any("Trained" in s.value for s in app.success), [e.value for e in app.error]
    return app


def _integer_table() -> bytes:
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({"year_built": rng.integers(1950, 2020, n), "rooms": rng.integers(1, 8, n),
                          "area": rng.integers(40, 250, n), "district": rng.choice(["north", "south", "east"], n)})
    score = (frame["year_built"] - 1985) / 20 + (frame["area"] - 145) / 60 + rng.normal(0, 0.8, n)
    frame["sold"] = np.where(score > 0, "fast", "slow")
    return frame.to_csv(index=False).encode()


def test_every_view_opens_on_whole_number_features_and_labels_get_bars():
    app = _trained(_integer_table(), "sold")
    view = app.selectbox(key="train_one_view")
    assert list(view.options) == VIEWS, \
        "every view is one choice in a select box (nothing clipped at 1,280 px)"
    for name in VIEWS:
        app.selectbox(key="train_one_view").set_value(name).run()
        assert_no_exception(app)
        if name == "Learning curve":
            next(b for b in app.button if b.label.startswith("Compute learning curve")).click().run()
            assert_no_exception(app)
        assert not [e.value for e in app.error], name
        if name not in ("Report", "Threshold"):
            assert app.get("plotly_chart"), f"{name} draws a chart"
    app.selectbox(key="train_one_view").set_value("Partial dependence").run()
    for feature in ("year_built", "rooms", "area", "district"):
        app.selectbox(key="train_one_pd_feature").set_value(feature).run()
        assert_no_exception(app)
        assert not app.info, (feature, [i.value for i in app.info])
        figure = app.get("plotly_chart")[-1].proto.spec
        assert ('"type":"bar"' in figure.replace(" ", "")) == (feature == "district"), feature


def test_metrics_say_their_averaging_and_name_the_positive_class():
    app = _trained(_integer_table(), "sold", "logistic_regression")
    table = app.dataframe[0].value
    assert {"precision_macro", "recall_macro", "f1_macro", "f1_weighted", "precision_positive"} <= set(table.index)
    labels = dict(zip(table.index, table["metric"], strict=True))
    assert labels["precision_positive"] == "Precision of 'slow'" and labels["recall_macro"] == "Recall (macro average)"
    captions = " ".join(c.value for c in app.caption)
    assert "training rows" in captions and "test rows" in captions and "{'train'" not in captions
