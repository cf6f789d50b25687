"""A paid answer is never unreachable: hostile servers on 127.0.0.1 send surprising
shapes; the client keeps what was paid for and raises only typed errors."""

from __future__ import annotations

import logging

import orjson
import pytest

from asyncsemrush import _convert, models
from asyncsemrush.errors import ResponseFormatError

from .._server import ScriptedServer, reply
from ..conftest import make_client

CAMPAIGN = "/reports/v1/projects/1_2/tracking/"


def row(n: int, **over: object) -> dict[str, object]:
    return {
        "Ur": f"d{n}.com",
        "Dt": {"20260101": {"Mc": 1, "Av": 2.5, "Sq": 1, "Cl": 3}},
        "Cd": 0,
        **over,
    }


@pytest.fixture(autouse=True)
def loose() -> object:
    _convert.set_strict(False)  # what production runs
    yield
    _convert.set_strict(True)


async def test_a_bad_row_delivers_the_rows_before_it_and_says_where(server: ScriptedServer) -> None:
    page = {
        "total": 5,
        "limit": 5,
        "offset": 0,
        "data": {str(n): row(n) for n in range(5)} | {"2": row(2, Dt={"20260101": {"Mc": "many"}})},
    }
    server.default(CAMPAIGN, reply(body=orjson.dumps(page)))
    got: list[models.CompetitorRow] = []
    async with make_client(server.base_url) as sr:
        pager = sr.tracking("1_2").competitors(page_size=5, speculate=False)
        with pytest.raises(ResponseFormatError) as info:
            async for r in pager:
                got.append(r)
        assert sr.ledger.spent == 5000  # the page was paid for, all five rows
    assert [r.domain for r in got] == ["d0.com", "d1.com"]  # the rows before the bad one
    err = info.value
    assert (err.rows_delivered, err.resume_offset) == (2, 2)
    assert err.field == "$.data.2.Dt.20260101.Mc" or err.field.startswith("$.data.2")
    assert err.answer["4"]["Ur"] == "d4.com"  # the rest of the paid page, as sent


async def test_a_surprising_write_answer_returns_what_it_could_read(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    answer = {
        "url": "a.com",
        "tools": [{"name": "tracking"}],
        "project_id": "12x",
        "keywords": "lots",
        "new": 1,
    }
    server.default("/management/v1/projects/1_2/keywords", reply(body=orjson.dumps(answer)))
    async with make_client(server.base_url) as sr:
        with caplog.at_level(logging.WARNING, "asyncsemrush"):
            campaign = await sr.tracking("1_2").add_keywords(["seo"])
        assert sr.ledger.spent == 100  # paid, and not raised
    assert campaign.url == "a.com" and campaign.extra == {"new": 1}
    assert campaign.tools is None and campaign.project_id is None and campaign.keywords is None
    assert {p.split(":")[0] for p in campaign.problems} == {"$.tools", "$.project_id", "$.keywords"}
    assert "did not fit TrackedCampaign" in caplog.text


async def test_an_enable_answer_without_a_campaign_id_does_not_raise(
    server: ScriptedServer,
) -> None:
    server.default(
        "/management/v1/projects/7/tracking/enable",
        reply(body=orjson.dumps({"status": "SUCCESS", "action": "tracking_enable", "result": []})),
    )
    async with make_client(server.base_url) as sr:
        enabled = await sr.tracking(7).enable("a.com", location_id=2840)
    assert enabled.campaign_id is None and enabled.status == "SUCCESS"
    body = orjson.loads(server.seen[-1].body)
    assert body == {
        "tracking_url": "a.com",
        "tracking_url_type": "rootdomain",
        "location_id": 2840,
        "weekly_notification": False,
        "device": "desktop",
    }


async def test_a_read_that_does_not_fit_carries_its_answer(server: ScriptedServer) -> None:
    info = {"id": 1, "name": "x", "url": "x.com", "status": {"state": "FINISHED"}}
    server.default("/reports/v1/projects/1/siteaudit/info", reply(body=orjson.dumps(info)))
    async with make_client(server.base_url) as sr:
        with pytest.raises(ResponseFormatError, match=r"\$\.status") as caught:
            await sr.site_audit(1).info()
    assert caught.value.answer == info


async def test_the_unquoted_campaign_id_of_the_keywords_page_is_refused_typed(
    server: ScriptedServer,
) -> None:
    from pathlib import Path

    from asyncsemrush.errors import MalformedResponseError

    text = (
        Path(__file__).parent.parent
        / "reference"
        / "current_v3"
        / "project_add_keywords_as_documented.txt"
    ).read_text()
    server.default("/management/v1/projects/1_2/keywords", reply(body=text))
    async with make_client(server.base_url) as sr:
        with pytest.raises(MalformedResponseError, match="not valid JSON"):
            await sr.tracking("1_2").add_keywords(["seo"])
        assert sr.ledger.spent == 100  # answered, so charged: counted


def test_the_enable_answer_keeps_what_else_its_result_carried() -> None:
    answer = {
        "status": "SUCCESS",
        "action": "tracking_enable",
        "result": {"campaign_id": "1_2", "x": 1},
    }
    enabled = _convert.structure(answer, models.EnabledTracking)  # loose (this module's fixture)
    assert enabled.campaign_id == "1_2" and enabled.extra == {"result": {"x": 1}}


def test_a_surprising_enable_answer_still_gives_the_campaign_id() -> None:
    """The write's fallback read fields by name, so a today-shaped answer with one odd
    field lost the campaign ID nested in `result`."""
    answer = {"status": {"odd": 1}, "action": "tracking_enable", "result": {"campaign_id": "1_2"}}
    enabled = _convert.salvage(answer, models.EnabledTracking)
    assert enabled.campaign_id == "1_2" and enabled.status is None
    assert [p.split(":")[0] for p in enabled.problems] == ["$.status"]
