"""`python -m bench [load|pages|compare|budgets|memory|cluster|anomaly]`: run benchmarks, PASS/FAIL per target."""

import sys

from bench import anomaly, budgets, cluster, compare, load_profile, memory, pages

SUITES = {"load": load_profile.run, "pages": pages.run, "compare": compare.run, "budgets": budgets.run,
          "memory": memory.run, "cluster": cluster.run, "anomaly": anomaly.run}


def main(argv: list[str]) -> int:
    chosen = argv or list(SUITES)
    results = []
    for name in chosen:
        print(f"== {name}", flush=True)
        results += SUITES[name]()
    failed = [r["name"] for r in results if not r["passed"]]
    print(f"{len(results) - len(failed)} of {len(results)} targets met" + (f"; missed: {failed}" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
