"""The README's pictures exist in a fresh clone: committed, not ignored, and small."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 200_000


def readme_images() -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / "README.md").read_text())


def test_every_readme_image_is_a_small_file_git_keeps():
    images = readme_images()
    assert len(images) >= 3, "Load data, Explore and Train and compare are shown"
    for image in images:
        path = ROOT / image
        assert path.is_file(), image
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
        assert path.stat().st_size < MAX_BYTES, image
        ignored = subprocess.run(["git", "check-ignore", "-q", image], cwd=ROOT).returncode == 0
        assert not ignored, f"{image} is git-ignored, so a fresh clone shows a broken image"
