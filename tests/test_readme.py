"""The README's first Python example runs as written against the sandbox."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from asyncsemrush.sandbox import Sandbox

README = Path(__file__).resolve().parents[1] / "README.md"


def first_python_block() -> str:
    match = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert match is not None
    return match.group(1)


def test_the_first_example_runs_against_the_sandbox(served: Sandbox) -> None:
    """Issue 16: its UnitBudget(50_000) could not pay for one page at its own
    page_size=1000, and its url mask was not the sandbox's."""
    code = first_python_block()
    assert 'api_key="…"' in code
    code = code.replace('api_key="…"', f'api_key="{served.api_key}", base_url="{served.base_url}"')
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    lines = printed.getvalue().splitlines()
    assert lines[0].startswith("6647718 demo example.com")
    assert len(lines) >= 300  # the projects, a line a keyword (the campaign's 300), totals
    spent, remaining = map(int, lines[-1].split())
    assert spent > 0 and remaining == 500_000 - spent


def test_the_paying_once_example_runs_twice_and_pays_once(
    served: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: the README's cache example, run twice as written (against the sandbox):
    the second run's pages are cached, its only spend the 100-unit date check."""
    text = README.read_text()
    at = text.index("## Paying once")
    match = re.search(r"```python\n(.*?)```", text[at:], re.S)
    assert match is not None
    code = match.group(1)
    code = code.replace('api_key="…"', f'api_key="{served.api_key}", base_url="{served.base_url}"')
    monkeypatch.chdir(tmp_path)
    runs = []
    for _ in range(2):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
        runs.append(list(map(int, printed.getvalue().split())))
    (rows, spent, cached, saved), (rows2, spent2, cached2, saved2) = runs
    assert saved == 0
    assert rows == rows2 == 300 and cached == 0 and spent == 100 + 300 * 100
    assert (spent2, cached2, saved2) == (100, 3, 300 * 100)
