"""A cheap guard beside the browser tests (tests/e2e/test_map.py): the map's script parses no HTML and
gives no popup a string, so names from the database or an imported boundary file stay text."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "municipality_map.js"


def test_the_map_script_builds_no_html_from_strings() -> None:
    source = SCRIPT.read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", source)
    # bindPopup given a string literal, a variable named html, or a concatenation
    assert not re.search(r"bindPopup\(\s*(['\"]|html\b|[^)]*\+)", source)


def test_the_map_script_checks_its_layer_answer() -> None:
    source = SCRIPT.read_text(encoding="utf-8")
    assert "response.ok" in source and ".catch(" in source
