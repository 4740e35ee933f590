"""The 300,000 x 20 mixed-type table the load, profile, explore and recipe benchmarks share."""

from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parent / "data"


def make_mixed_table(rows: int = 300_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "id": np.arange(rows),
        "age": rng.integers(18, 90, rows),
        "income": np.round(np.exp(rng.normal(10, 0.8, rows)), 2),
        "score": np.round(rng.normal(50, 15, rows), 3),
        "ratio": np.round(rng.random(rows), 4),
        "visits": rng.poisson(3, rows),
        "balance": np.round(rng.normal(1000, 400, rows), 2),
        "temperature": np.round(rng.normal(20, 5, rows), 1),
        "city": rng.choice(["Paris", "Lyon", "Nice", "Lille", "Nantes", "Metz"], rows),
        "segment": rng.choice(["a", "b", "c"], rows, p=[0.6, 0.3, 0.1]),
        "product": np.char.add("P", rng.integers(0, 2000, rows).astype(str)),
        "channel": rng.choice(["web", "store", "phone"], rows),
        "member": rng.choice(["true", "false"], rows),
        "churned": rng.choice(["yes", "no"], rows, p=[0.2, 0.8]),
        "signup": (pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D"))
        .strftime("%Y-%m-%d"),
        "last_seen": (pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 600, rows), unit="D"))
        .strftime("%Y-%m-%d"),
        "note": rng.choice(["ok", "call back", "vip customer", "moved away", ""], rows),
        "weight": np.round(rng.normal(70, 12, rows), 1),
        "height": np.round(rng.normal(170, 10, rows), 1),
        "code": np.char.add("C", rng.integers(0, 50, rows).astype(str)),
    })
    for column in ("income", "score", "temperature", "weight"):
        frame.loc[rng.random(rows) < 0.05, column] = np.nan
    return frame


def mixed_csv_path(rows: int = 300_000) -> Path:
    """Write the table once and reuse it (generated data is not committed)."""
    path = DATA_DIR / f"mixed_{rows}.csv"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        make_mixed_table(rows).to_csv(path, index=False)
    return path
