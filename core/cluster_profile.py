"""What the clusters are: profiles in words, agreement with a known label, stability, new rows.

A profile compares each cluster with the whole table column by column, on the columns as the user
knows them (after the recipe, before encoding): for a number the standardised difference of means
(cluster mean - overall mean) / overall standard deviation; for labels the cluster's most common
value and how much more often it appears than overall, in the same units. The largest differences,
in words, are what sets a cluster apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.cluster import NOISE, ClusterResult, fit_labels, nearest_centre
from core.engine import Cancelled, RunContext, run_tasks, running_job
from core.errors import DataError

NOTABLE = 0.5  # standardised differences below this are not called out
STABILITY_MAX_ROWS = 20_000  # rows a stability run is measured on


@dataclass
class ClusterProfiles:
    """``table``: one row per cluster (size, share, mean or mode of each column); ``words``: cluster -> text;
    ``differences``: cluster x column standardised differences (the numbers behind the words)."""

    table: pd.DataFrame
    words: dict[int, str]
    differences: pd.DataFrame


def profile_clusters(frame: pd.DataFrame, labels: np.ndarray, columns: list[str],
                     max_features: int = 3) -> ClusterProfiles:
    """Per-cluster means or modes of ``columns`` and, in words, the features that set each cluster apart."""
    frame = frame[columns].reset_index(drop=True)
    labels = np.asarray(labels)
    if len(frame) != len(labels):
        raise ValueError("labels must have one value per row of frame")
    rows, differences, words = [], {}, {}
    for label in sorted(set(labels.tolist()), key=lambda value: (value == NOISE, value)):
        members = labels == label
        row: dict[str, Any] = {"cluster": int(label), "size": int(members.sum()), "share": float(members.mean())}
        scores: dict[str, float] = {}
        phrases: dict[str, str] = {}
        for column in columns:
            values = frame[column]
            if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
                row[column], scores[column], phrases[column] = _numeric(values, members, column)
            else:
                row[column], scores[column], phrases[column] = _labels(values, members, column)
        rows.append(row)
        differences[int(label)] = scores
        words[int(label)] = _sentence(int(label), scores, phrases, max_features)
    return ClusterProfiles(pd.DataFrame(rows), words, pd.DataFrame(differences).T)


def _numeric(values: pd.Series, members: np.ndarray, column: str) -> tuple[float, float, str]:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    inside, overall = numbers[members].mean(), numbers.mean()
    spread = numbers.std()
    score = 0.0 if not spread or np.isnan(spread) or np.isnan(inside) else float((inside - overall) / spread)
    word = "higher" if score > 0 else "lower"
    return float(inside), score, f"{word} {column} ({_number(inside)} vs {_number(overall)} overall)"


def _labels(values: pd.Series, members: np.ndarray, column: str) -> tuple[Any, float, str]:
    text = values.astype("string")
    inside = text[members].dropna()
    if inside.empty:
        return None, 0.0, ""
    mode = inside.mode().iloc[0]
    share_in, share_all = float((inside == mode).mean()), float((text.dropna() == mode).mean())
    spread = np.sqrt(share_all * (1 - share_all))
    score = 0.0 if spread == 0 else (share_in - share_all) / spread
    return str(mode), float(score), f"more often {column} = {mode!r} ({share_in:.0%} vs {share_all:.0%} overall)"


def _sentence(label: int, scores: dict[str, float], phrases: dict[str, str], max_features: int) -> str:
    name = "noise (rows in no cluster)" if label == NOISE else f"cluster {label}"
    notable = sorted((column for column, score in scores.items() if abs(score) >= NOTABLE and
                      (score > 0 or not phrases[column].startswith("more often"))),
                     key=lambda column: -abs(scores[column]))[:max_features]
    if not notable:
        return f"{name}: close to the overall average on every feature."
    return f"{name}: " + ", ".join(phrases[column] for column in notable) + "."


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


# ----------------------------------------------------------------------------- against a known label
def compare_with_label(labels: np.ndarray, truth: pd.Series) -> dict[str, Any]:
    """Adjusted Rand index, normalised mutual information and the contingency table (rows with a label)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    truth = truth.reset_index(drop=True)
    known = truth.notna().to_numpy()
    if known.sum() < 2:
        raise DataError(f"The column '{truth.name}' has fewer than two values to compare with. Choose a "
                        "column that holds a known grouping.")
    found, given = np.asarray(labels)[known], truth[known].astype(str).to_numpy()
    table = pd.crosstab(pd.Series(found, name="cluster"), pd.Series(given, name=str(truth.name)))
    return {"ari": float(adjusted_rand_score(given, found)), "nmi": float(normalized_mutual_info_score(given, found)),
            "contingency": table, "rows": int(known.sum())}


# ----------------------------------------------------------------------------- stability
@dataclass
class Stability:
    """Agreement of repeated runs (each on a different seed and a random 80 % of the rows) with the result."""

    mean_ari: float
    aris: list[float]
    verdict: str
    method: str


def stability(result: ClusterResult, runs: int = 5, fraction: float = 0.8,
              context: RunContext | None = None) -> Stability:
    """Refit ``result``'s algorithm ``runs`` times on subsamples with new seeds; mean ARI with its labels."""
    from sklearn.metrics import adjusted_rand_score

    if result.features is None:
        raise ValueError("the result carries no features to refit on")
    matrix, reference = result.features.matrix, result.labels
    rng = np.random.default_rng(1_000 + runs)
    if len(matrix) > STABILITY_MAX_ROWS:
        chosen = np.sort(rng.choice(len(matrix), STABILITY_MAX_ROWS, replace=False))
        matrix, reference = matrix[chosen], reference[chosen]
    size = max(3, int(len(matrix) * fraction))
    tasks = []
    for run in range(runs):
        rows = np.sort(rng.choice(len(matrix), size, replace=False))
        tasks.append((run, _refit, result.algorithm, result.params, matrix[rows], run + 1, rows))
    aris: list[float] = []
    context = context or RunContext(n_jobs=1)
    with running_job(context) as job:
        for _, (rows, labels) in run_tasks(tasks, job, deadline=job.deadline):
            aris.append(float(adjusted_rand_score(reference[rows], labels)))
            job.report(len(aris) / runs, f"Stability run {len(aris)} of {runs}")
    if context.cancelled():
        raise Cancelled("The stability check was cancelled; nothing was changed.")
    if not aris:
        raise DataError("No stability run finished within the time budget. Allow more time or use fewer rows.")
    mean = float(np.mean(aris))
    method = (f"{len(aris)} runs, each with a new seed on a random {fraction:.0%} of "
              f"{len(matrix):,} rows, compared with the result by the adjusted Rand index (1 = the same groups)")
    return Stability(mean, aris, _verdict(mean), method)


def _refit(name: str, params: dict[str, Any], matrix: np.ndarray, seed: int,
           rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels, _, _ = fit_labels(name, params, matrix, seed)
    return rows, labels


def _verdict(mean_ari: float) -> str:
    if mean_ari >= 0.9:
        return f"Stable (mean ARI {mean_ari:.2f}): the same segments come back run after run."
    if mean_ari >= 0.75:
        return f"Fairly stable (mean ARI {mean_ari:.2f}): the segments mostly come back; their edges move."
    if mean_ari >= 0.5:
        return (f"Moderately stable (mean ARI {mean_ari:.2f}): some segments split or merge between runs; "
                "rely on the clearest ones only.")
    return (f"Unstable (mean ARI {mean_ari:.2f}): the segments change from run to run, so they are probably "
            "not real. Try another k, other columns or another algorithm.")


# ----------------------------------------------------------------------------- new rows
def assign_clusters(result: ClusterResult, frame: pd.DataFrame) -> tuple[np.ndarray, str]:
    """Clusters for new rows, and how: the algorithm's own ``predict`` where it has one, else the
    nearest cluster centre (the mean of its rows in the result)."""
    features = result.features
    if features is None:
        raise ValueError("the result carries no fitted preprocessor")
    missing = [column for column in features.columns if column not in frame.columns]
    if missing:
        raise DataError(f"The new rows lack column(s) {', '.join(map(repr, missing))} that the clusters were "
                        "made from. Add them or cluster again without them.")
    try:
        matrix = np.asarray(features.preprocessor.transform(frame[features.columns]), dtype=float)
    except ValueError as exc:
        raise DataError(f"The new rows could not be encoded like the clustered ones: {exc}.") from None
    if hasattr(result.model, "predict") and not result.sampled:
        raw = np.asarray(result.model.predict(matrix))
        return np.array([result.label_map.get(int(label), NOISE) for label in raw]), \
            f"{result.algorithm}'s own predict"
    labels = nearest_centre(features.matrix, result.labels, matrix)
    return labels, f"the nearest cluster centre ({result.algorithm} cannot place new rows itself)"
