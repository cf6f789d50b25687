"""The paginator's export helpers: streamed files and data frames."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from asyncsemrush import SemrushClient
from asyncsemrush.sandbox import Sandbox


def pull(sr: SemrushClient, sb: Sandbox, rows: int = 30):  # type: ignore[no-untyped-def]
    return sr.tracking(sb.campaign_id).positions(
        [sb.tracked_url, sb.competitor_urls[0]],
        page_size=12,
        max_rows=rows,
        date_begin="20260129",
        date_end="20260131",
    )


async def test_csv_flat_and_wide(sr: SemrushClient, sb: Sandbox, tmp_path: Path) -> None:
    flat, wide = tmp_path / "flat.csv", tmp_path / "wide.csv"
    assert await pull(sr, sb).to_csv(flat) == 30 * 2 * 3
    assert await pull(sr, sb).to_csv(wide, wide=True) == 30 * 2
    with flat.open() as f:
        rows = list(csv.DictReader(f))
    with wide.open() as f:
        wide_rows = list(csv.DictReader(f))
    typed = await pull(sr, sb).collect()
    first = typed[0]
    cell = next(
        r
        for r in rows
        if r["keyword_id"] == first.keyword_id
        and r["domain"] == sb.tracked_url
        and r["date"] == "2026-01-31"
    )
    expected = first.position(sb.tracked_url, "20260131")
    assert cell["position"] == ("" if expected is None else str(expected))
    assert list(wide_rows[0])[-3:] == ["2026-01-29", "2026-01-30", "2026-01-31"]
    assert wide_rows[0]["end"] == (
        "" if first.end[sb.tracked_url] is None else str(first.end[sb.tracked_url])
    )


async def test_append_resumes_a_file(sr: SemrushClient, sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    t = sr.tracking(sb.campaign_id)
    await t.positions(sb.tracked_url, max_rows=10, page_size=10).to_csv(path)
    await t.positions(sb.tracked_url, max_rows=10, page_size=10, start_offset=10).to_csv(
        path, append=True
    )
    with path.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 20 * 7 and len({r["keyword_id"] for r in rows}) == 20  # one header only


async def test_jsonl_and_parquet(sr: SemrushClient, sb: Sandbox, tmp_path: Path) -> None:
    lines = tmp_path / "rows.jsonl"
    assert await pull(sr, sb, 5).to_jsonl(lines) == 5
    docs = [json.loads(x) for x in lines.read_text().splitlines()]
    assert set(docs[0]["positions"]) == {"2026-01-29", "2026-01-30", "2026-01-31"}
    import pyarrow.parquet as pq

    pq_path = tmp_path / "rows.parquet"
    assert await pull(sr, sb, 25).to_parquet(pq_path) == 25 * 2 * 3
    assert pq.read_table(pq_path).num_rows == 150


async def test_frames(sr: SemrushClient, sb: Sandbox) -> None:
    pandas_frame = await pull(sr, sb, 7).to_pandas()
    polars_frame = await pull(sr, sb, 7).to_polars(wide=True)
    assert pandas_frame.shape[0] == 7 * 2 * 3 and "position" in pandas_frame.columns
    assert polars_frame.height == 7 * 2 and "2026-01-31" in polars_frame.columns


async def test_jsonl_keeps_every_field_the_answer_had(
    sr: SemrushClient, sb: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "rows.jsonl"
    assert await pull(sr, sb, rows=5).to_jsonl(out) == 5
    docs = [json.loads(line) for line in out.read_text().splitlines()]
    rows = await pull(sr, sb, rows=5).collect()
    for doc, row in zip(docs, rows, strict=True):
        assert doc["keyword_id"] == row.keyword_id and doc["tags"] == list(row.tags)
        if sb.edition == "today":  # today's fields travel too, typed
            assert doc["added"] == row.added.isoformat()  # type: ignore[union-attr]
            assert doc["intents"] == list(row.intents)
            day = row.dates[-1]
            assert doc["visibility"][day.isoformat()] == dict(row.visibility[day])
            assert doc["traffic_change"] == dict(row.traffic_change)
            assert doc["serp_features"][day.isoformat()] == list(row.serp_features[day])
        else:
            assert "visibility" not in doc and "added" not in doc
