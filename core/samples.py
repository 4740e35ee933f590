"""The bundled sample datasets and their manifest (description, target, task, source, licence)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


@dataclass(frozen=True)
class SampleDataset:
    file: str
    name: str
    description: str
    target: str
    task: str
    source: str
    licence: str

    @property
    def path(self) -> Path:
        return SAMPLE_DIR / self.file


def list_samples() -> list[SampleDataset]:
    """Every dataset in ``sample_data/manifest.json``, in manifest order."""
    entries = json.loads((SAMPLE_DIR / "manifest.json").read_text(encoding="utf-8"))
    return [SampleDataset(**entry) for entry in entries]


def get_sample(file: str) -> SampleDataset:
    return next(sample for sample in list_samples() if sample.file == file)
