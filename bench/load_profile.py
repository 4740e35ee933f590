"""Issue 2: load within 1.5x bare pyarrow, profile within 2 s, peak memory within 4x the table."""

import io
import json
import subprocess
import sys

import pyarrow.csv as pacsv

from bench.generate import mixed_csv_path
from bench.timing import median_seconds, paired_medians, report
from core.io import read_csv_robust
from core.profile import profile_table

_MEMORY_PROBE = """
import json, sys
import core.io, core.profile  # imports first, so only the read itself is measured
def peak_kb():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])
def rss_kb():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1])
raw = open(sys.argv[1], 'rb').read()
open('/proc/self/clear_refs', 'w').write('5')  # reset the peak (VmHWM) to the current RSS
before = rss_kb()
table = core.io.read_csv_robust(raw)
print(json.dumps({"peak_growth": (peak_kb() - before) * 1024,
                  "table_bytes": int(table.frame.memory_usage(deep=True).sum())}))
"""


def run() -> list[dict]:
    path = mixed_csv_path()
    raw = path.read_bytes()
    print(f"table: {path.name}, {len(raw) / 1e6:.1f} MB")
    # Both read the same bytes from memory (an upload arrives as bytes), alternating run by run.
    ours, bare = paired_medians(lambda: read_csv_robust(raw), lambda: pacsv.read_csv(io.BytesIO(raw)).to_pandas())
    results = [report("load / bare pyarrow ratio", ours / bare, 1.5, "x", baseline=bare)]
    print(f"      load {ours:.3f} s, bare pyarrow.csv.read_csv().to_pandas() {bare:.3f} s")
    padded = raw.replace(b",", b", ")
    padded_time = median_seconds(lambda: read_csv_robust(padded), 3)
    print(f"      (the same file with every cell padded by a space: {padded_time:.3f} s, "
          f"{padded_time / bare:.1f}x; padding is trimmed and numbers re-parsed)")
    frame = read_csv_robust(raw).frame
    results.append(report("profile 300k x 20", median_seconds(lambda: profile_table(frame), 3), 2.0))
    with_target = median_seconds(lambda: profile_table(frame, target="churned"), 1)
    print(f"      (profile with target 'churned', incl. leakage scan: {with_target:.2f} s, no target)")
    probe = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(path)], capture_output=True, text=True,
                           check=True)
    memory = json.loads(probe.stdout)
    ratio = memory["peak_growth"] / memory["table_bytes"]
    results.append(report("peak memory / table size", ratio, 4.0, "x"))
    print(f"      peak RSS growth {memory['peak_growth'] / 1e6:.0f} MB (file bytes already in memory), "
          f"table {memory['table_bytes'] / 1e6:.0f} MB")
    return results
