"""Cluster: group similar rows, let the workbench suggest k, read what sets each group apart."""

import streamlit as st

from core.cluster_code import cluster_code
from core.cluster_models import cluster_models, get_cluster_model, k_parameter
from core.export import to_safe_csv
from ui.discover_cluster import (
    SCALING_NOTE,
    render_job,
    run_clustering,
    run_scan,
    show_k_distance,
    show_outcome,
    show_scan,
    start,
)
from ui.encoding_table import current_encodings
from ui.shell import ensure_app_navigation
from ui.spec_widgets import render_specs
from ui.state import current_prepared, current_prepared_profile, get_workspace

ensure_app_navigation()
st.title("Cluster")
workspace = get_workspace()
prepared = current_prepared()
if prepared is None:
    st.info("No dataset loaded yet.")
    st.page_link("pages/data.py", label="Load data", icon=":material/upload_file:")
    st.stop()
frame, profile = prepared.frame, current_prepared_profile()
encodings = current_encodings(workspace, frame, profile)
usable = [e.column for e in encodings if e.role != "drop" and e.column != workspace.target]
st.caption(SCALING_NOTE)

columns = st.multiselect("Columns to cluster on (default: the prepared features, without the target)",
                         [str(c) for c in frame.columns], default=usable, key="cluster_columns")
scale = st.toggle("Standardise numbers", value=True, key="cluster_scale",
                  help="Off: numbers keep their units, and the widest one dominates every distance.")
specs = {spec.label: spec.name for spec in cluster_models()}
algorithm = specs[st.selectbox("Algorithm", list(specs), key="cluster_algorithm")]
spec = get_cluster_model(algorithm)
with st.expander("Settings", expanded=True):
    st.caption(spec.help)
    params = render_specs(spec.params, columns, key_prefix=f"cluster_{algorithm}")
    seed = int(st.number_input("Seed", 0, 1_000_000, 0, key="cluster_seed"))
label_column = st.selectbox("Compare with a known label (optional)", [None, *map(str, frame.columns)],
                            key="cluster_label")
stability_runs = int(st.number_input("Stability runs (0 = skip)", 0, 20, 5, key="cluster_stability"))
key = (workspace.data_key(), tuple(columns), scale, algorithm)
run_key = (*key, repr(sorted(params.items())), seed, label_column, stability_runs)

if k_parameter(spec) is not None:
    st.subheader("Suggest k")
    k_max = int(st.number_input("Try k from 2 to", 3, 30, 10, key="cluster_k_max"))
    scan_key = (*key, k_max, seed)
    if st.button("Suggest k", icon=":material/query_stats:", key="cluster_scan_button"):
        start("cluster_scan", scan_key, f"k scan ({spec.label})", run_scan, frame, algorithm, k_max, seed,
              columns, encodings, scale)
    render_job("cluster_scan", scan_key, show_scan, "Scan k to see the elbow, silhouette and the suggested k.")

if algorithm == "dbscan":
    st.subheader("Choose eps")
    if st.toggle("Show the k-distance plot", key="cluster_kdistance"):
        show_k_distance(frame, columns, encodings, scale, seed, int(params["min_samples"]))

st.subheader("Clusters")
if st.button("Cluster", type="primary", icon=":material/bubble_chart:", key="cluster_run_button",
             help="Runs in the background: you can change page meanwhile."):
    start("cluster_run", run_key, spec.label, run_clustering, frame, algorithm, params, columns, seed, encodings,
          scale, label_column, stability_runs)
render_job("cluster_run", run_key, lambda outcome: show_outcome(
    outcome, lambda result: to_safe_csv(result.labelled(frame)), lambda result: cluster_code(result, seed)),
    "Press Cluster to group the rows.")
