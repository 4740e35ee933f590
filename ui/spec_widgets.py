"""Widgets generated from ``ParamSpec`` lists, so no algorithm or step has a hand-written form."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.specs import ParamSpec


def render_specs(specs: tuple[ParamSpec, ...] | list[ParamSpec], columns: list[str], key_prefix: str,
                 container: Any = st) -> dict[str, Any]:
    """Draw one widget per spec and return the chosen values by parameter name."""
    values: dict[str, Any] = {}
    for spec in specs:
        key = f"{key_prefix}_{spec.name}"
        label, help_text = spec.title, spec.help or None
        if spec.kind == "column":
            values[spec.name] = container.selectbox(label, columns, key=key, help=help_text)
        elif spec.kind == "columns":
            values[spec.name] = container.multiselect(label, columns, default=[c for c in spec.default or []
                                                                                 if c in columns],
                                                      key=key, help=help_text)
        elif spec.kind == "choice":
            choices = list(spec.choices)
            index = choices.index(spec.default) if spec.default in choices else 0
            values[spec.name] = container.selectbox(label, choices, index=index, key=key, help=help_text)
        elif spec.kind == "multichoice":
            values[spec.name] = container.multiselect(label, list(spec.choices), default=spec.default,
                                                      key=key, help=help_text)
        elif spec.kind == "bool":
            values[spec.name] = container.checkbox(label, value=bool(spec.default), key=key, help=help_text)
        elif spec.kind in ("int", "float") and spec.optional and container.checkbox(
                f"{label}: no limit", value=spec.default is None, key=f"{key}_unset", help=help_text):
            values[spec.name] = None
        elif spec.kind == "int":
            values[spec.name] = int(container.number_input(
                label, min_value=int(spec.low) if spec.low is not None else None,
                max_value=int(spec.high) if spec.high is not None else None,
                value=int(spec.default if spec.default is not None else (spec.low or 1) * 4), step=1, key=key,
                help=help_text))
        elif spec.kind == "float":
            values[spec.name] = float(container.number_input(
                label, min_value=float(spec.low) if spec.low is not None else None,
                max_value=float(spec.high) if spec.high is not None else None,
                value=float(spec.default if spec.default is not None else spec.low or 0.0), key=key,
                help=help_text,
                format="%.4g" if spec.log else "%.3f"))
        else:
            values[spec.name] = container.text_input(label, value=str(spec.default or ""), key=key,
                                                      help=help_text)
    return values
