"""The Projections page: scree, loadings and biplot on the default sample; t-SNE on demand; colour by a column."""


def test_pca_views_then_tsne_coloured_by_a_column(pages):
    at = pages.new_app()
    at.switch_page("pages/discover_projections.py").run()
    pages.assert_ok(at)
    charts = pages.plotly_charts(at)
    assert len(charts) == 2  # scree and biplot
    assert any("PC1" in table.value.columns for table in at.dataframe)
    at.selectbox(key="pca_color").set_value("species").run()
    pages.assert_ok(at)
    at.slider(key="tsne_perplexity").set_value(10).run()
    pages.press(at, "Run t-SNE")
    assert len(pages.plotly_charts(at)) == 3
    at.selectbox(key="tsne_color").set_value("island").run()
    pages.assert_ok(at)
    assert len(pages.plotly_charts(at)) == 3


def test_no_feature_is_an_error_message(pages):
    at = pages.new_app()
    at.switch_page("pages/discover_projections.py").run()
    at.multiselect(key="projection_features").set_value([]).run()
    pages.assert_ok(at)
    assert any("No usable feature" in message for message in pages.errors(at))


def test_a_large_table_draws_a_sample_of_points(pages):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(12_000, 3)), columns=["a", "b", "c"])
    at = pages.upload(pages.new_app(), "big.csv", pages.csv_bytes(frame))
    at.switch_page("pages/discover_projections.py").run()
    pages.assert_ok(at)
    import base64
    import json

    biplot = json.loads(pages.plotly_charts(at)[1].proto.spec)
    x = biplot["data"][0]["x"]
    assert len(base64.b64decode(x["bdata"])) // 8 == 5_000  # float64 values, binary-encoded by plotly
    assert "5,000 rows sampled" in biplot["layout"]["title"]["text"]
