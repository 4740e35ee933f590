"""Recipes over the limits, replayed on the Prepare page: a message before any work, never a traceback."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from core.limits import RECIPE_MAX_STEPS
from tests.pages.conftest import APP, assert_no_exception

HUGE_NUMBER = b'{"steps": [{"op": "bin", "column": "body_mass_g", "bins": ' + b"9" * 5000 + b"}]}"
MANY_STEPS = json.dumps({"steps": [{"op": "drop_duplicates"}] * 3000}).encode()
HOSTILE_FILL = json.dumps({"steps": [{"op": "fill_missing", "column": "sex", "strategy": "constant",
                                      "value": "0\nopen('owned.txt','w').write('owned')\n#"}]}).encode()


@pytest.mark.parametrize("content, message", [
    (HUGE_NUMBER, "5,000 digits"), (MANY_STEPS, f"3,000 steps; the limit is {RECIPE_MAX_STEPS}"),
])
def test_a_recipe_over_the_limits_gets_a_message_and_leaves_the_recipe_alone(content, message):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("pages/prepare.py").run()
    started = time.perf_counter()
    at.file_uploader(key="recipe_upload").set_value(("r.json", content, "application/json")).run()
    assert time.perf_counter() - started < 20
    assert_no_exception(at)
    assert any(message in error.value for error in at.error), [e.value for e in at.error]
    assert at.session_state["workspace"].recipe == []


def test_the_code_of_a_hostile_recipe_shows_its_setting_only_as_a_literal():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("pages/prepare.py").run()
    at.file_uploader(key="recipe_upload").set_value(("r.json", HOSTILE_FILL, "application/json")).run()
    assert_no_exception(at)
    code = at.code[0].value
    assert "\nopen(" not in code and "fill = '0\\nopen('owned.txt','w').write('owned')\\n#'" in code.replace('"', "'")
