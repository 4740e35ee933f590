"""The Anomalies page on the default sample and on a table with planted outliers."""

import numpy as np
import pandas as pd


def open_page(pages):
    at = pages.new_app()
    at.switch_page("pages/discover_anomalies.py").run()
    pages.assert_ok(at)
    return at


def test_default_sample_is_scored_with_reasons_a_map_and_a_download(pages):
    at = open_page(pages)
    assert pages.metric(at, "Rows flagged") != ""
    assert [frame for frame in at.dataframe if "why" in frame.value.columns]
    assert len(pages.plotly_charts(at)) == 1
    for algorithm in ["local_outlier_factor", "one_class_svm", "elliptic_envelope"]:
        at.selectbox(key="anomaly_algorithm").set_value(algorithm).run()
        pages.assert_ok(at)
        assert pages.errors(at) == []


def test_planted_outliers_top_the_table(pages):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"amount": rng.normal(100, 5, 300), "visits": rng.normal(10, 2, 300)})
    frame.loc[17, "amount"] = 900.0
    at = pages.upload(pages.new_app(), "shop.csv", pages.csv_bytes(frame))
    at.switch_page("pages/discover_anomalies.py").run()
    pages.assert_ok(at)
    top = next(table.value for table in at.dataframe if "why" in table.value.columns)
    assert top["row"].iloc[0] == 17
    assert top["why"].iloc[0].startswith("amount = 900 is unusually high")
    at.number_input(key="anomaly_isolation_forest_contamination").set_value(0.1).run()
    pages.assert_ok(at)
    assert pages.metric(at, "Rows flagged") == "30"


def test_no_usable_feature_is_an_error_message_not_a_traceback(pages):
    at = open_page(pages)
    at.multiselect(key="anomaly_features").set_value([]).run()
    pages.assert_ok(at)
    assert any("No usable feature" in message for message in pages.errors(at))


def test_hostile_names_and_labels_are_shown_as_text_on_every_discover_page(pages):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"**x** <b>$y$</b>": rng.normal(size=120), "=cmd|' /C calc'!A0": rng.normal(size=120),
                          "label": rng.choice(["<img src=x onerror=alert(1)>", "[a](http://e.vil)"], 120)})
    frame.loc[3, "**x** <b>$y$</b>"] = 50.0
    at = pages.upload(pages.new_app(), "hostile.csv", pages.csv_bytes(frame))
    for page in ["pages/discover_anomalies.py", "pages/discover_projections.py", "pages/discover_rules.py"]:
        at.switch_page(page).run()
        pages.assert_ok(at)
    at.switch_page("pages/discover_anomalies.py").run()
    top = next(table.value for table in at.dataframe if "why" in table.value.columns)
    assert top["why"].iloc[0].startswith("**x** <b>$y$</b> = 50 is unusually high")  # literal, in a table
    chart = pages.plotly_charts(at)[0]
    assert "<b>" not in chart.proto.spec
    at.switch_page("pages/discover_projections.py").run()
    at.selectbox(key="pca_color").set_value("label").run()
    pages.assert_ok(at)
    biplot = pages.plotly_charts(at)[1].proto.spec
    assert "<img" not in biplot and "&lt;img" in biplot
