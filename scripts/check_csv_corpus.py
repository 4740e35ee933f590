"""Run every file in a folder through the reader, the profiler and ``python -m core profile``.

Usage: ``PYTHONPATH=. python scripts/check_csv_corpus.py FOLDER [--timeout 10] [--jobs 2] [--details]``

Each file ends in one class:

- ``ok``: a table, and nothing about it looks wrong;
- ``error``: a clear ``DataError`` (its message is shown);
- ``suspicious``: a table that is probably wrong (one column where the file has delimiters, a header
  made of numbers, numbers kept as text, mojibake such as ``Ã©``);
- ``crash``: any other exception, or a command line that did not end as DESIGN.md says (a bug);
- ``hang``: no answer within the timeout (a bug).

The reader and the profiler run in a forked child per file, the command line in its own process,
so a hang or a hard crash is caught and the run goes on. Nothing is written; a table goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from core.errors import DataError  # noqa: E402
from core.io import read_csv_file  # noqa: E402
from core.profile import profile_table  # noqa: E402

CLASSES = ("ok", "error", "suspicious", "crash", "hang")
_NUMBER = r"\s*[-+]?(\d+([.,]\d+)?|\d{1,3}([.,]\d{3})+([.,]\d+)?|\.\d+)([eE][-+]?\d+)?\s*"
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€|Â[\u00a0-\u00bf]|\ufffd")


def suspicions(frame: pd.DataFrame, raw: bytes, delimiter: str) -> list[str]:
    """Signs that a table was read wrongly, judged without knowing the right answer."""
    found: list[str] = []
    names = [str(name) for name in frame.columns]
    if frame.shape[1] == 1:
        head_lines = [line for line in raw[:20000].decode("utf-8", "ignore").splitlines()[:30] if line.strip()]
        for candidate in (",", ";", "\t", "|"):
            counts = [line.count(candidate) for line in head_lines]
            if len(counts) >= 3 and min(counts) >= 1 and len(set(counts)) == 1:
                found.append(f"one column, but every line has {counts[0]} {candidate!r}")
                break
    if len(names) > 1 and all(re.fullmatch(_NUMBER, name) for name in names):
        found.append("every column name is a number (header made of data?)")
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            values = column.dropna().astype(str).head(2000)
            if len(values) >= 5 and values.str.fullmatch(_NUMBER).mean() >= 0.98:
                found.append(f"column {name!r} holds numbers but was kept as text")
                break
    texts = names + [
        str(value)
        for name in frame.columns
        if frame[name].dtype == object
        for value in frame[name].dropna().head(500)
    ]
    bad = next((text for text in texts if _MOJIBAKE.search(text)), None)
    if bad is not None:
        found.append(f"mojibake: {bad[:40]!r}")
    return found


def check_in_process(path: str, sender) -> None:
    """Child process: read, profile, judge; send one dict back."""
    try:
        table = read_csv_file(path)
        profile_table(table.frame)
        result = {"class": "ok", "shape": list(table.frame.shape), "delimiter": table.options.delimiter,
                  "encoding": table.options.encoding, "notes": table.notes}
        problems = suspicions(table.frame, table.raw, table.options.delimiter)
        if problems:
            result.update({"class": "suspicious", "message": "; ".join(problems)})
    except DataError as exc:
        result = {"class": "error", "message": str(exc)}
    except BaseException as exc:  # noqa: BLE001 - anything else is the bug this script hunts
        result = {"class": "crash", "message": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=-4)}
    sender.send(result)
    sender.close()


def run_in_child(path: Path, timeout: float) -> dict:
    context = multiprocessing.get_context("fork")  # modules are imported once, in the parent
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=check_in_process, args=(str(path), sender))
    child.start()
    sender.close()
    started = time.perf_counter()
    result = None
    if receiver.poll(timeout):
        try:
            result = receiver.recv()
        except EOFError:
            result = None
    child.join(max(0.1, timeout - (time.perf_counter() - started)))
    if child.is_alive():
        child.kill()
        child.join()
        if result is None:
            return {"class": "hang", "message": f"no answer within {timeout:.0f} s"}
    if result is None:
        return {"class": "crash", "message": f"the reader's process died (exit code {child.exitcode})"}
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def run_command_line(path: Path, timeout: float) -> dict:
    """``python -m core profile FILE``: exit 0 with JSON, or exit 2 with one ``error:`` line."""
    try:
        completed = subprocess.run([sys.executable, "-m", "core", "profile", str(path)], cwd=ROOT,
                                   capture_output=True, text=True, timeout=timeout,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        return {"class": "hang", "message": f"command line: no answer within {timeout:.0f} s"}
    stderr_lines = completed.stderr.strip().splitlines()
    if completed.returncode == 0:
        try:
            json.loads(completed.stdout)
            return {"class": "ok"}
        except ValueError:
            return {"class": "crash", "message": "command line: exit 0 but stdout is not JSON"}
    if completed.returncode == 2 and len(stderr_lines) == 1 and stderr_lines[0].startswith("error:") \
            and not completed.stdout:
        return {"class": "error", "message": stderr_lines[0]}
    last = stderr_lines[-1] if stderr_lines else "(no stderr)"
    return {"class": "crash", "message": f"command line: exit {completed.returncode}: {last[:300]}"}


def check_file(path: Path, timeout: float) -> dict:
    result = run_in_child(path, timeout)
    cli = run_command_line(path, timeout)
    result["file"] = path.name
    if cli["class"] in ("crash", "hang") and result["class"] not in ("crash", "hang"):
        result.update({"class": cli["class"], "message": cli["message"]})
    elif (cli["class"] == "error") != (result["class"] == "error") and result["class"] not in ("crash", "hang"):
        result.update({"class": "crash", "message": f"command line and reader disagree: {cli.get('message', 'ok')}"})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per file and step (default 10)")
    parser.add_argument("--jobs", type=int, default=2, help="files checked at once (default 2)")
    parser.add_argument("--details", action="store_true", help="also list ok files")
    parser.add_argument("--json", type=Path, help="also write every result to this JSON file")
    args = parser.parse_args(argv)
    files = sorted(path for path in args.folder.rglob("*") if path.is_file())
    if not files:
        print(f"No files under {args.folder}.", file=sys.stderr)
        return 2
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda path: check_file(path, args.timeout), files))
    width = min(60, max(len(result["file"]) for result in results))
    for kind in ("hang", "crash", "suspicious", "error", "ok"):
        chosen = [result for result in results if result["class"] == kind]
        if not chosen or (kind == "ok" and not args.details):
            continue
        print(f"\n== {kind} ({len(chosen)})")
        for result in chosen:
            shape = "x".join(map(str, result.get("shape", []))) or "-"
            print(f"{result['file'][:width]:<{width}}  {shape:>10}  {result.get('message', '')[:200]}")
    counts = Counter(result["class"] for result in results)
    print(f"\n{len(results)} files: " + ", ".join(f"{kind} {counts.get(kind, 0)}" for kind in CLASSES))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 1 if counts.get("crash") or counts.get("hang") else 0


if __name__ == "__main__":
    sys.exit(main())
