"""Issue 4: the default compare (5-fold CV) against the same cross_validate calls written by hand.

(a) a 4,500 x 14 mixed binary table with missing values, (b) a 54,000 x 10 regression table,
both synthetic stand-ins with a fixed seed (generated here, not committed).
"""

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import cross_validate

from bench.timing import report
from core.compare import compare_leaderboard
from core.models import get_model
from core.train import TrainSettings, make_pipeline, prepare_xy, seeded_preprocessor

CLASSIFICATION_SCORING = ["roc_auc", "accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "precision_macro",
                          "recall_macro", "neg_log_loss", "matthews_corrcoef"]
REGRESSION_SCORING = ["r2", "neg_mean_absolute_error", "neg_root_mean_squared_error",
                      "neg_mean_absolute_percentage_error", "neg_median_absolute_error"]


def census_like(rows: int = 4_500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "age": rng.integers(17, 90, rows), "hours": rng.integers(10, 80, rows),
        "education_years": rng.integers(5, 20, rows), "capital_gain": np.where(rng.random(rows) < 0.1,
                                                                                rng.exponential(5000, rows), 0),
        "weight": rng.normal(190000, 100000, rows).round(),
        "workclass": rng.choice(["private", "self", "government", "none"], rows),
        "marital": rng.choice(["married", "single", "divorced", "widowed"], rows),
        "occupation": rng.choice([f"job_{i}" for i in range(14)], rows),
        "relationship": rng.choice(["husband", "wife", "child", "other"], rows),
        "race": rng.choice(["a", "b", "c", "d"], rows), "sex": rng.choice(["female", "male"], rows),
        "country": rng.choice(["us"] * 8 + ["mx", "ph", "de"], rows),
        "region": rng.choice(["north", "south", "east", "west"], rows),
    })
    logit = (0.04 * (frame["age"] - 40) + 0.05 * (frame["hours"] - 40) + 0.3 * (frame["education_years"] - 10)
             + 0.0002 * frame["capital_gain"] + (frame["marital"] == "married") * 1.2 - 1.5)
    frame["income_over_50k"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    for column in ("workclass", "occupation", "hours"):
        frame.loc[rng.random(rows) < 0.05, column] = np.nan
    return frame


def diamonds_like(rows: int = 54_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    carat = rng.gamma(2.0, 0.4, rows)
    cut = rng.choice(["fair", "good", "very good", "premium", "ideal"], rows)
    color = rng.choice(list("DEFGHIJ"), rows)
    clarity = rng.choice(["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"], rows)
    depth, table = rng.normal(61.7, 1.4, rows), rng.normal(57.4, 2.2, rows)
    x = 6.5 * carat ** (1 / 3) + rng.normal(0, 0.05, rows)
    quality = pd.Series(clarity).map({c: i for i, c in enumerate(["I1", "SI2", "SI1", "VS2", "VS1", "VVS2",
                                                                   "VVS1", "IF"])}).to_numpy()
    price = np.exp(7.8 + 1.7 * np.log(carat) + 0.08 * quality + rng.normal(0, 0.15, rows))
    return pd.DataFrame({"carat": carat, "cut": cut, "color": color, "clarity": clarity, "depth": depth,
                         "table": table, "x": x, "y": x + rng.normal(0, 0.05, rows),
                         "z": x * 0.62 + rng.normal(0, 0.05, rows), "price": price.round()})


def hand_written(frame: pd.DataFrame, settings: TrainSettings, models: list[str]) -> float:
    """The same pipelines and folds through plain cross_validate(n_jobs=2), one model after another."""
    start = time.perf_counter()
    data = prepare_xy(frame, settings)
    scoring = CLASSIFICATION_SCORING if data.task == "classification" else REGRESSION_SCORING
    for name in models:
        pipeline = make_pipeline(data.encodings, get_model(name, data.task), None, settings.seed)
        use = [m for m in scoring if m != "neg_log_loss" or hasattr(pipeline.named_steps["model"], "predict_proba")]
        cross_validate(pipeline, data.X_train, data.y_train, cv=data.splits, scoring=use, n_jobs=2)
    return time.perf_counter() - start


def tuned_hgb_score(frame: pd.DataFrame, settings: TrainSettings) -> float:
    """A hand-tuned histogram gradient boosting on the same folds: the quality bar."""
    data = prepare_xy(frame, settings)
    preprocess = seeded_preprocessor(data.encodings, settings.seed, data.task)
    best = -np.inf
    for rate, leaves in [(0.05, 31), (0.1, 31), (0.1, 63)]:
        model = (HistGradientBoostingClassifier if data.task == "classification" else HistGradientBoostingRegressor)(
            learning_rate=rate, max_leaf_nodes=leaves, max_iter=300, early_stopping=True, random_state=0)
        from sklearn.pipeline import make_pipeline as sk_pipeline
        metric = "roc_auc" if data.task == "classification" else "r2"
        scores = cross_validate(sk_pipeline(preprocess, model), data.X_train, data.y_train, cv=data.splits,
                                scoring=metric, n_jobs=2)["test_score"]
        best = max(best, float(np.mean(scores)))
    return best


def one_table(name: str, frame: pd.DataFrame, target: str, time_target: float) -> list[dict]:
    settings = TrainSettings(target=target)
    compare_leaderboard(frame.head(500), settings)  # start the worker processes once, as the page does
    start = time.perf_counter()
    board = compare_leaderboard(frame, settings)
    seconds = time.perf_counter() - start
    models = [row.model for row in board.rows]
    hand = hand_written(frame, settings, models)
    best = board.best()
    bar = tuned_hgb_score(frame, settings)
    gap = bar - best.cv[board.sort_by]
    print(f"      {name}: compare {seconds:.2f} s over {models}; hand-written {hand:.2f} s; "
          f"best {best.model} {board.sort_by}={best.cv[board.sort_by]:.4f}, tuned HGB {bar:.4f}")
    return [report(f"{name} default compare", seconds, time_target),
            report(f"{name} compare / hand-written ratio", seconds / hand, 1.15, "x"),
            report(f"{name} tuned HGB minus best", gap, 0.01, "")]


def run() -> list[dict]:
    warnings.filterwarnings("ignore")
    return (one_table("(a) 4,500 x 14 binary", census_like(), "income_over_50k", 4.0)
            + one_table("(b) 54,000 x 10 regression", diamonds_like(), "price", 30.0))
