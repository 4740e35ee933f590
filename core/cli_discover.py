"""Command line for clustering: ``python -m core cluster DATA.csv --algorithm NAME [--k N|auto] ...``.

Prints DESIGN.md's JSON (``algorithm``, ``n_clusters``, ``sizes``, ``metrics``, and ``k_scan`` with
``--k auto``) plus the profiles in words and the notes; ``--out`` writes the input with a
``cluster`` column as a formula-safe CSV. The same seed gives the same labels as the page.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from core.errors import DataError

DEFAULT_K_MAX = 10


def add_cluster_command(commands: Any) -> None:
    """Register ``cluster`` on the subcommand parsers of ``python -m core``."""
    cluster = commands.add_parser("cluster", help="group similar rows; --k auto scans k and suggests one")
    cluster.add_argument("data", help="CSV file")
    cluster.add_argument("--algorithm", required=True,
                         help="kmeans, minibatch_kmeans, agglomerative, dbscan, hdbscan, gaussian_mixture, "
                              "mean_shift, affinity_propagation, birch or spectral")
    cluster.add_argument("--k", help="number of clusters, or 'auto' to scan 2..--k-max and take the suggestion")
    cluster.add_argument("--k-max", type=int, default=DEFAULT_K_MAX, help="largest k of the scan (default 10)")
    cluster.add_argument("--columns", help="columns to cluster on, comma-separated (default: every usable one)")
    cluster.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                         help="an algorithm setting, e.g. --param eps=0.8 (repeatable)")
    cluster.add_argument("--no-scale", action="store_true", help="leave numbers in their units (not advised)")
    cluster.add_argument("--seed", type=int, default=0, help="random seed; the same seed repeats a run exactly")
    cluster.add_argument("--recipe", help="cleaning recipe (JSON from the Prepare page) replayed first")
    cluster.add_argument("--out", help="write the input plus a 'cluster' column here (CSV)")
    cluster.set_defaults(handler=command_cluster)


def command_cluster(args: argparse.Namespace) -> dict[str, Any]:
    from core.cluster import cluster_table
    from core.cluster_features import prepare_features
    from core.cluster_models import get_cluster_model, k_parameter
    from core.cluster_profile import profile_clusters
    from core.cluster_scan import scan_k
    from core.io import read_csv_file

    started = time.perf_counter()
    spec = get_cluster_model(args.algorithm)
    params = _params(args.param)
    k_name = k_parameter(spec)
    if args.k is not None and k_name is None:
        raise DataError(f"{spec.name} finds the number of clusters itself; leave out --k or choose an "
                        "algorithm that takes k, such as kmeans.")
    table = read_csv_file(args.data)
    columns = _columns(args.columns)
    recipe = _recipe(args.recipe) if args.recipe else None
    features = prepare_features(table.frame, columns, recipe=recipe, seed=args.seed, scale=not args.no_scale)
    output: dict[str, Any] = {}
    if args.k == "auto":
        scan = scan_k(algorithm=spec.name, k_max=args.k_max, seed=args.seed, features=features, params=params)
        if scan.suggested_k is None:
            raise DataError(f"The k scan could not suggest a k: {scan.reason}")
        params[k_name] = scan.suggested_k
        output.update(k_scan=scan.rows, suggested_k=scan.suggested_k, k_reason=scan.reason, scan_notes=scan.notes)
    elif args.k is not None:
        params[k_name] = _whole_k(args.k)
    result = cluster_table(table.frame, spec.name, params, seed=args.seed, features=features, projection="pca")
    profiles = profile_clusters(features.frame, result.labels, features.columns)
    output = {**result.to_dict(), **output,
              "profiles": [profiles.words[label] for label in profiles.words],
              "notes": table.notes + result.notes, "rows": len(result.labels)}
    if args.out:
        from core.export import to_safe_csv

        try:
            with open(args.out, "wb") as handle:
                handle.write(to_safe_csv(result.labelled(table.frame)))
        except OSError as exc:
            raise DataError(f"Cannot write {args.out}: {exc.strerror}. Choose another --out path.") from None
        output["out"] = args.out
    output["seconds"] = round(time.perf_counter() - started, 3)
    return output


def _whole_k(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise DataError(f"--k must be a whole number or 'auto', not {text!r}.") from None


def _columns(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise DataError("--columns is empty. Give column names separated by commas, e.g. income,age.")
    return names


def _params(pairs: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` settings; a value is read as JSON (numbers, true/false, null) or else kept as text."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise DataError(f"--param {pair!r} is not NAME=VALUE. Write it like --param eps=0.8.")
        try:
            params[name.strip()] = json.loads(value)
        except ValueError:
            params[name.strip()] = value
    return params


def _recipe(path: str) -> list[dict[str, Any]]:
    from core.recipe import load_recipe

    return [step.to_dict() for step in load_recipe(path)]
