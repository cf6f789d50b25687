"""The README's first Python example runs as written against the sandbox."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

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
