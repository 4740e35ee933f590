"""Run the slowest test files first, so that ``-n 2 --dist loadfile`` packs the short ones around them.

With files in alphabetical order the longest browser files can start last and leave one worker idle
for minutes at the end. Seconds measured on the 2-core CI machine (pytest --durations); a file not
listed keeps its place after these.
"""

SLOWEST_FILES_FIRST = (
    "tests/browser/test_real_cars_caravan.py",  # ~120 s
    "tests/browser/test_two_sessions.py",  # ~120 s
    "tests/browser/test_real_digits_weather.py",  # ~110 s
    "tests/browser/test_real_wide.py",  # ~100 s
    "tests/browser/test_real_flights.py",  # ~70 s
    "tests/browser/test_random_clicks.py",  # ~60 s
    "tests/browser/test_hostile_input.py",  # ~40 s
    "tests/core/test_train.py",
    "tests/core/test_tune.py",
    "tests/browser/test_model_flow.py",
    "tests/browser/test_evaluate_views.py",
)


def pytest_collection_modifyitems(session, config, items):
    rank = {path: place for place, path in enumerate(SLOWEST_FILES_FIRST)}
    root = str(config.rootpath)

    def place(item) -> int:
        path = str(item.path).removeprefix(root).lstrip("/")
        return rank.get(path, len(rank))

    items.sort(key=place)  # stable: tests keep their order inside a file and among the others
