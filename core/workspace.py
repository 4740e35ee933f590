"""The session's state as plain data: which table is loaded, how it was read, the user's choices.

Pages read and change one ``Workspace``; nothing else is global. It holds no streamlit objects,
so a workspace can later be saved and restored as a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Workspace:
    """Everything the user has chosen so far about the loaded table.

    ``source_bytes`` keeps the uploaded file so it can be re-read with other options; the parsed
    table itself is cached by ``fingerprint`` outside the workspace.
    """

    dataset_name: str | None = None
    fingerprint: str | None = None
    source_bytes: bytes | None = field(default=None, repr=False)
    read_options: dict[str, Any] | None = None
    read_notes: list[str] = field(default_factory=list)
    kind_overrides: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    recipe: list[dict[str, Any]] = field(default_factory=list)
    encoding_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)  # RunRecord.to_dict() of each finished run

    @property
    def has_data(self) -> bool:
        return self.source_bytes is not None

    def replace_dataset(self, name: str, raw: bytes, fingerprint: str, read_options: dict[str, Any],
                        notes: list[str]) -> None:
        """Switch to a new table; choices tied to the old table's columns are forgotten."""
        self.dataset_name = name
        self.source_bytes = raw
        self.fingerprint = fingerprint
        self.read_options = read_options
        self.read_notes = notes
        self.kind_overrides = {}
        self.target = None
        self.recipe = []
        self.encoding_overrides = {}
