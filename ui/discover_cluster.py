"""The Cluster page's views: the k scan and the clustering as background jobs, and their results.

Both run through ``ui.jobs`` like Compare and Tune: a click starts a job in a thread, a fragment
polls it every second with a progress bar and Cancel, and a rerun never restarts it. Everything
shown from the data (column names, cells, profile words) goes through ``md_escape`` or Plotly's
``plot_text``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

from core.cluster import ClusterResult, cluster_table
from core.cluster_features import prepare_features
from core.cluster_profile import ClusterProfiles, Stability, compare_with_label, profile_clusters, stability
from core.cluster_scan import KScan, k_distances, scan_k
from core.engine import RunContext
from core.errors import DataError
from core.plot_text import plot_text
from ui.jobs import get_job, job_id_for, one_result, start_job
from ui.model_state import session_id
from ui.plain_text import md_escape

SCALING_NOTE = ("Numbers are standardised (mean 0, standard deviation 1) before clustering, as set on the Prepare "
                "page. Distance-based methods (k-means, agglomerative, DBSCAN, spectral...) otherwise let the "
                "column with the largest unit decide alone: income in euros would outweigh age in years.")
DENDROGRAM_ROWS = 200


@dataclass
class ClusterOutcome:
    """One clustering run with everything the page shows about it."""

    result: ClusterResult
    profiles: ClusterProfiles
    stability: Stability | None
    vs_label: dict[str, Any] | None


def run_clustering(frame: pd.DataFrame, algorithm: str, params: dict[str, Any], columns: list[str], seed: int,
                   encodings: list[Any], scale: bool, label_column: str | None, stability_runs: int,
                   progress: Any = None, should_cancel: Any = None) -> ClusterOutcome:
    """Cluster, profile, compare with a label and check stability (a job's work)."""
    context = RunContext(progress=progress, should_cancel=should_cancel)
    context.report(0.05, "Clustering")
    result = cluster_table(frame, algorithm, params, columns=columns, seed=seed, encodings=encodings, scale=scale,
                           context=context)
    context.check_cancel()
    context.report(0.4, "Profiling the clusters")
    profiles = profile_clusters(result.features.frame, result.labels, result.features.columns)
    vs_label = None
    if label_column:
        vs_label = compare_with_label(result.labels, result.features.frame[label_column])
    checked = None
    if stability_runs:
        context.report(0.5, "Checking stability")
        checked = stability(result, runs=stability_runs, context=context.changed(
            progress=lambda f, m: context.report(0.5 + 0.5 * f, m)))
    return ClusterOutcome(result, profiles, checked, vs_label)


def run_scan(frame: pd.DataFrame, algorithm: str, k_max: int, seed: int, columns: list[str], encodings: list[Any],
             scale: bool, progress: Any = None, should_cancel: Any = None) -> KScan:
    return scan_k(frame, algorithm, k_max=k_max, seed=seed, columns=columns, encodings=encodings, scale=scale,
                  context=RunContext(progress=progress, should_cancel=should_cancel))


def start(kind: str, key: Any, label: str, work: Any, *args: Any, **kwargs: Any) -> None:
    try:
        start_job(job_id_for(kind, session_id(), key), label, one_result(work), *args, session=session_id(), **kwargs)
    except DataError as exc:
        st.error(md_escape(exc))


def render_job(kind: str, key: Any, show: Any, idle: str) -> None:
    """Progress and Cancel while the job for ``key`` runs, then ``show(result)`` or its error."""
    job_id = job_id_for(kind, session_id(), key)
    job = get_job(job_id)

    @st.fragment(run_every=1.0 if job and job.is_running else None)
    def progress_or_result() -> None:
        job = get_job(job_id)
        if job is None:
            st.caption(idle)
            return
        if job.is_running:
            st.progress(job.progress, text=f"{job.label}: {job.message} ({job.elapsed:.0f} s)")
            if st.button("Cancel", icon=":material/stop:", key=f"{kind}_cancel"):
                job.cancel()
        elif job.error:
            st.error(md_escape(job.error))
        elif job.state == "cancelled":
            st.info("Cancelled; nothing was changed.")
        if job.results:
            show(job.results[-1])
        if not job.is_running and st.session_state.get(f"polled_{job_id}") != job.finished:
            st.session_state[f"polled_{job_id}"] = job.finished
            st.rerun(scope="app")

    progress_or_result()


def show_scan(scan: KScan) -> None:
    if not scan.rows:
        st.warning(md_escape(" ".join(scan.notes) or "No k finished."))
        return
    st.success(md_escape(scan.reason))
    for note in scan.notes:
        st.caption(md_escape(note))
    table = scan.to_frame()
    metrics = [name for name in ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "bic")
               if name in table and table[name].notna().any()]
    long = table.melt(id_vars="k", value_vars=metrics, var_name="measure", value_name="value")
    figure = px.line(long, x="k", y="value", facet_col="measure", facet_col_wrap=3, markers=True)
    figure.update_yaxes(matches=None, showticklabels=True)
    if scan.suggested_k is not None:
        figure.add_vline(x=scan.suggested_k, line_dash="dash", line_color="red")
    st.plotly_chart(figure, key="cluster_scan_plot")
    st.caption("Inertia: look for the elbow. Silhouette and Calinski-Harabasz: higher is better. "
               "Davies-Bouldin and BIC: lower is better. The dashed line is the suggested k.")
    st.dataframe(table, hide_index=True)


def show_k_distance(frame: pd.DataFrame, columns: list[str], encodings: list[Any], scale: bool, seed: int,
                    min_samples: int) -> None:
    """The sorted distance of each row to its ``min_samples``-th neighbour, with the eps at the bend."""
    try:
        with st.spinner("Measuring neighbour distances..."):
            features = prepare_features(frame, columns, encodings, seed=seed, scale=scale)
            curve = k_distances(features, min_samples, seed)
    except DataError as exc:
        st.error(md_escape(exc))
        return
    points = pd.DataFrame({"rows, sorted": np.arange(len(curve.distances)), "distance": curve.distances})
    figure = px.line(points, x="rows, sorted", y="distance",
                     title=f"Distance to the {curve.min_samples}th neighbour")
    figure.add_hline(y=curve.suggested_eps, line_dash="dash", line_color="red")
    st.plotly_chart(figure, key="cluster_kdistance_plot")
    st.success(md_escape(curve.reason) + " Set it as eps above.")


def show_outcome(outcome: ClusterOutcome, labelled_csv: Any, code: Any) -> None:
    result = outcome.result
    sizes = ", ".join(f"{label}: {count:,}" for label, count in result.sizes.items())
    st.success(f"{result.n_clusters} clusters ({sizes}).")
    for note in result.notes:
        st.caption(md_escape(note))
    left, middle, right = st.columns(3)
    for column, (name, better) in zip((left, middle, right), (("silhouette", "higher"),
                                                              ("calinski_harabasz", "higher"),
                                                              ("davies_bouldin", "lower")), strict=True):
        value = result.metrics.get(name)
        column.metric(f"{name.replace('_', '-').capitalize()} ({better} is better)",
                      "n/a" if value is None else f"{value:.3g}")
    st.markdown("**What sets each cluster apart**")
    for words in outcome.profiles.words.values():
        st.markdown("- " + md_escape(words))
    with st.expander("Per-cluster means and most common values"):
        st.dataframe(outcome.profiles.table, hide_index=True)
    if outcome.stability is not None:
        st.markdown(f"**Stability:** {md_escape(outcome.stability.verdict)}")
        st.caption(md_escape(outcome.stability.method))
    if outcome.vs_label is not None:
        st.markdown(f"**Against the known label:** adjusted Rand index {outcome.vs_label['ari']:.3f}, "
                    f"NMI {outcome.vs_label['nmi']:.3f} (1 = the same grouping, 0 = unrelated)")
        st.dataframe(outcome.vs_label["contingency"])
    _plots(result)
    st.download_button("Download the table with a cluster column (CSV)", labelled_csv(result),
                       file_name="clusters.csv", mime="text/csv", icon=":material/download:")
    _assign_new_rows(result)
    with st.expander("scikit-learn code"):
        st.code(code(result), language="python")


def _plots(result: ClusterResult) -> None:
    views = ["Projection", "Silhouette", "Sizes"] + (["Dendrogram"] if result.algorithm == "agglomerative" else [])
    view = st.segmented_control("View", views, default="Projection", key="cluster_view")
    if view == "Silhouette" and not result.silhouettes.empty:
        ordered = result.silhouettes.sort_values(["cluster", "silhouette"]).reset_index(drop=True)
        ordered["cluster"] = ordered["cluster"].astype(str)
        figure = px.bar(ordered, x="silhouette", y=ordered.index, color="cluster", orientation="h")
        figure.update_yaxes(showticklabels=False, title="rows, grouped by cluster")
        st.plotly_chart(figure, key="cluster_silhouette_plot")
    elif view == "Sizes":
        sizes = pd.DataFrame({"cluster": [str(k) for k in result.sizes], "rows": list(result.sizes.values())})
        st.plotly_chart(px.bar(sizes, x="cluster", y="rows"), key="cluster_sizes_plot")
    elif view == "Dendrogram":
        _dendrogram(result)
    else:
        figure = px.scatter(result.projection, x="x", y="y", color="cluster", hover_data=["row"],
                            title=plot_text(f"{result.algorithm}: {result.projection_method}"))
        st.plotly_chart(figure, key="cluster_projection_plot")
        st.caption(f"Each dot is a row, placed by {md_escape(result.projection_method)} and coloured by its cluster.")


def _dendrogram(result: ClusterResult) -> None:
    from plotly.figure_factory import create_dendrogram
    from scipy.cluster.hierarchy import linkage

    matrix = result.features.matrix
    rows = np.arange(len(matrix))
    if len(rows) > DENDROGRAM_ROWS:
        rows = np.sort(np.random.default_rng(0).choice(len(matrix), DENDROGRAM_ROWS, replace=False))
        st.caption(f"Drawn on a random {DENDROGRAM_ROWS} of the {len(matrix):,} rows.")
    method = result.params.get("linkage", "ward")
    figure = create_dendrogram(matrix[rows], labels=[str(label) for label in result.labels[rows]],
                               linkagefun=lambda points: linkage(points, method))
    figure.update_layout(height=450, width=None, autosize=True)  # the factory sets an infinite size
    st.plotly_chart(figure, key="cluster_dendrogram_plot")
    st.caption("Leaves are labelled with their cluster; the height of a join is how far apart the groups are.")


def _assign_new_rows(result: ClusterResult) -> None:
    """Upload new rows (same columns as the loaded file): the recipe is replayed for scoring, then each
    row gets a cluster by the algorithm's predict or the nearest centre, as the caption says."""
    from core.cluster_profile import assign_clusters
    from core.export import to_safe_csv
    from core.io import read_csv_robust
    from core.recipe import apply_recipe
    from ui.state import recipe_steps

    upload = st.file_uploader("Assign new rows to these clusters (CSV)", type=["csv"], key="cluster_new_rows")
    if upload is None:
        return
    try:
        new = apply_recipe(read_csv_robust(upload.getvalue()).frame, recipe_steps(), for_scoring=True).frame
        labels, method = assign_clusters(result, new)
    except DataError as exc:
        st.error(md_escape(exc))
        return
    scored = new.assign(cluster=labels)
    st.caption(f"{len(scored):,} rows assigned by {md_escape(method)}.")
    st.dataframe(scored.head(100))
    st.download_button("Download the assigned rows (CSV)", to_safe_csv(scored), file_name="assigned.csv",
                       mime="text/csv", icon=":material/download:", key="cluster_assigned_download")
