"""pytest fixtures for code that uses asyncsemrush: a sandbox and a client bound to it.

Registered through the ``pytest11`` entry point, so installing asyncsemrush makes
``semrush_sandbox`` and ``semrush_client`` available (they need pytest-asyncio).
Options for the sandbox come from a marker::

    @pytest.mark.semrush_sandbox(keywords=5_000, units=100_000, seed=3)
    async def test_pull(semrush_client): ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from .._client import SemrushClient
from . import Sandbox


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "semrush_sandbox(**options): options for the semrush_sandbox fixture"
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("semrush_sandbox")
    return dict(marker.kwargs) if marker else {}


try:
    import pytest_asyncio

    _HAVE_PYTEST_ASYNCIO = True
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    _HAVE_PYTEST_ASYNCIO = False


def _async_fixture(fn: Any) -> Any:
    """``pytest_asyncio.fixture``, or a fixture that says what is missing."""
    if _HAVE_PYTEST_ASYNCIO:
        return pytest_asyncio.fixture(fn)

    def missing() -> None:  # pragma: no cover
        pytest.fail(f"the {fn.__name__} fixture needs pytest-asyncio (pip install pytest-asyncio)")

    return pytest.fixture(name=fn.__name__)(missing)


@_async_fixture
async def semrush_sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """A running :class:`Sandbox` on a free loopback port."""
    async with Sandbox(**_options(request)) as sandbox:
        yield sandbox


@_async_fixture
async def semrush_client(semrush_sandbox: Sandbox) -> AsyncIterator[SemrushClient]:
    """A :class:`SemrushClient` pointed at ``semrush_sandbox``."""
    async with SemrushClient(semrush_sandbox.api_key, base_url=semrush_sandbox.base_url) as client:
        yield client
