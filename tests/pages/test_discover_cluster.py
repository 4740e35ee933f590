"""Cluster page through AppTest: load a sample, suggest k, cluster, change widgets, never an exception."""

import time

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP


def cluster_page(sample="Iris flowers"):
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    app.selectbox(key="sample_choice").set_value(sample).run()
    next(b for b in app.button if b.label == "Load sample").click().run()
    app.switch_page("pages/discover_cluster.py").run()
    assert not app.exception, app.exception
    return app


def wait_for_job(app, kind, timeout=120):
    from ui.jobs import _registry

    session = app.session_state["session_id"]
    finished = app.session_state["_finished_jobs"] if "_finished_jobs" in app.session_state else {}
    job = [job for job_id, job in {**finished, **_registry()}.items() if job_id.startswith(f"{kind}-{session}")][-1]
    deadline = time.time() + timeout
    while job.is_running and time.time() < deadline:
        time.sleep(0.2)
    return job


def texts(app):
    return " ".join([m.value for m in app.markdown] + [s.value for s in app.success] + [c.value for c in app.caption])


def test_suggest_k_then_cluster_shows_profiles_stability_and_the_label_agreement():
    app = cluster_page()
    assert "Distance-based methods" in texts(app)
    assert "species" not in app.multiselect(key="cluster_columns").value  # a label column is no feature
    next(b for b in app.button if b.label == "Suggest k").click().run()
    assert wait_for_job(app, "cluster_scan").state == "done"
    app.run()
    assert not app.exception, app.exception
    assert any("has the highest silhouette" in s.value for s in app.success), [e.value for e in app.error]
    app.selectbox(key="cluster_label").set_value("species").run()
    app.number_input(key="cluster_kmeans_n_clusters").set_value(3).run()
    next(b for b in app.button if b.label == "Cluster").click().run()
    job = wait_for_job(app, "cluster_run")
    assert job.state == "done", job.error
    app.run()
    assert not app.exception, app.exception
    shown = texts(app)
    assert "3 clusters" in shown
    assert "cluster 0:" in shown and "petal" in shown
    assert "Stability:" in shown and "Against the known label" in shown
    for view in ["Silhouette", "Sizes", "Projection"]:
        app.segmented_control(key="cluster_view").set_value(view).run()
        assert not app.exception, app.exception


def test_every_algorithm_can_be_chosen_and_run_without_an_exception():
    app = cluster_page("Wine cultivars")
    labels = app.selectbox(key="cluster_algorithm").options
    assert len(labels) == 10
    app.number_input(key="cluster_stability").set_value(0).run()
    for label in labels:
        app.selectbox(key="cluster_algorithm").set_value(label).run()
        assert not app.exception, (label, app.exception)
        next(b for b in app.button if b.label == "Cluster").click().run()
        job = wait_for_job(app, "cluster_run")
        app.run()
        assert not app.exception, (label, app.exception)
        assert job.state == "done" or job.error, label
        if label.startswith("Agglomerative"):
            app.segmented_control(key="cluster_view").set_value("Dendrogram").run()
            assert not app.exception, app.exception


def test_no_columns_is_a_clear_error_not_a_traceback():
    app = cluster_page()
    app.multiselect(key="cluster_columns").set_value([]).run()
    next(b for b in app.button if b.label == "Cluster").click().run()
    job = wait_for_job(app, "cluster_run")
    app.run()
    assert not app.exception
    assert job.state == "failed" and "No usable feature" in job.error
    assert any("No usable feature" in e.value for e in app.error)


def test_dbscan_shows_the_k_distance_plot_with_a_suggested_eps():
    app = cluster_page()
    app.selectbox(key="cluster_algorithm").set_value("DBSCAN").run()
    app.toggle(key="cluster_kdistance").set_value(True).run()
    assert not app.exception, app.exception
    assert any(s.value.startswith("eps = ") for s in app.success)


def test_hostile_column_names_stay_plain_text_and_new_rows_are_assigned(pages):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    hostile = "**income** <b>x</b>"
    table = pd.DataFrame({hostile: np.r_[rng.normal(0, 1, 60), rng.normal(8, 1, 40)],
                          "age": np.r_[rng.normal(50, 3, 60), rng.normal(25, 3, 40)]})
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    pages.upload(app, "people.csv", table.to_csv(index=False).encode())
    app.switch_page("pages/discover_cluster.py").run()
    app.number_input(key="cluster_stability").set_value(0).run()
    app.number_input(key="cluster_kmeans_n_clusters").set_value(2).run()
    next(b for b in app.button if b.label == "Cluster").click().run()
    assert wait_for_job(app, "cluster_run").state == "done"
    app.run()
    assert not app.exception, app.exception
    words = [m.value for m in app.markdown if m.value.startswith("- cluster")]
    assert len(words) == 2 and any("income" in w for w in words)
    assert not any(hostile in w or "<b>" in w for w in words), words
    app.file_uploader(key="cluster_new_rows").set_value(("new.csv", table.head(5).to_csv(index=False).encode(),
                                                         "text/csv")).run()
    assert not app.exception, app.exception
    assert any("5 rows assigned by kmeans's own predict" in c.value for c in app.caption)
