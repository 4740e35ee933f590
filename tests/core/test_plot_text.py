"""Column names and labels enter Plotly figures escaped: no live link, tag or maths from the data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core import model_plots, plots
from core.evaluate import ConfusionData, Curve, PartialDependenceData
from core.plot_text import plot_text

LINK = '<a href="javascript:alert(1)">x</a>'
IMAGE = "<img src=http://example.invalid/x.png>"
MATHS = "$x^2$"


def _raw_markup(figure) -> list[str]:
    """Every string in the figure's JSON that still holds a tag or a maths title from the data."""
    found = []

    def walk(value):
        if isinstance(value, str):
            if "<a " in value or "<img" in value or "$x" in value or "x^2$" in value:
                found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(json.loads(figure.to_json()))
    return found


@pytest.fixture
def hostile():
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        LINK: rng.normal(size=40), IMAGE: rng.normal(size=40), MATHS: rng.integers(0, 5, 40).astype(float),
        "label": [LINK, IMAGE, MATHS, "plain"] * 10,
    })


def test_plot_text_escapes_markup():
    assert plot_text('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert plot_text("$x$") == "&#36;x&#36;"


def test_explore_figures_carry_no_markup_from_the_data(hostile):
    figures = [
        plots.distribution_figure(hostile, LINK, "numeric"), plots.distribution_figure(hostile, "label", "categorical"),
        plots.box_figure(hostile, IMAGE, "label"), plots.correlation_heatmap(hostile.drop(columns="label").corr()),
        plots.scatter_figure(hostile, LINK, IMAGE, "label"),
        plots.scatter_matrix_figure(hostile, [LINK, MATHS], "label"),
        plots.missing_map_figure(hostile.isna()), plots.association_figure(pd.Series({LINK: 0.5}), IMAGE),
        plots.feature_target_figure(hostile, LINK, "label", "numeric", "classification"),
        plots.feature_target_figure(hostile, "label", MATHS, "categorical", "regression"),
        plots.feature_target_figure(hostile, "label", IMAGE, "categorical", "regression"),
    ]
    for figure in figures:
        assert _raw_markup(figure) == [], figure.layout.title.text
    assert plots.scatter_figure(hostile, LINK, IMAGE).layout.xaxis.title.text == plot_text(LINK)


def test_model_figures_carry_no_markup_from_the_data():
    labels = [LINK, IMAGE]
    confusion = ConfusionData(labels=labels, counts=np.eye(2), normalized=np.eye(2))
    curve = Curve(label=LINK, x=np.array([0.0, 1.0]), y=np.array([0.0, 1.0]), area=0.5)
    importances = pd.DataFrame({"feature": [LINK, MATHS], "importance": [0.3, 0.2]})
    figures = [model_plots.confusion_figure(confusion), model_plots.roc_figure([curve]),
               model_plots.precision_recall_figure([curve]), model_plots.calibration_figure([curve]),
               model_plots.importance_figure(importances)]
    for figure in figures:
        assert _raw_markup(figure) == []
    dependence = PartialDependenceData(feature=IMAGE, grid=np.array([LINK, "b"], dtype=object),
                                       average=[np.array([0.1, 0.2])], outputs=[MATHS], categorical=True)
    assert _raw_markup(model_plots.partial_dependence_figure(dependence)) == []
