"""Rows to files, streaming: flat or wide records, and CSV, JSONL and Parquet sinks.

Layouts (one record per line of output):

- ``PositionRow`` flat: one record per keyword × domain × date — ``keyword_id, keyword,
  tags, cpc, volume, domain, date, position, ranking_type, landing_url`` (``ranking_type``:
  the SERP-feature codes the domain ranks in, joined by ``|``, such as ``org`` or ``rev``).
- ``PositionRow`` wide: one record per keyword × domain — ``keyword_id, keyword, tags,
  cpc, volume, domain, begin, end, diff, diff_1d, diff_7d, diff_30d`` then one column
  per date (``2026-01-31``) holding the position.
- ``CompetitorRow``: one per domain × date — ``domain, date, keywords,
  average_position, deviation, visibility, visibility_change, share_of_voice, traffic,
  traffic_cost`` (the last three empty in 2015-edition answers).
- ``LandingPageRow``: one per URL × date — ``url, status, date, keywords,
  average_position, traffic, traffic_cost, volume, ranking_keywords``.
- other models and plain dicts: every field, nested objects and maps flattened into
  dotted columns (``location.id``, ``location.name``), dates as ISO text, lists of
  strings joined by ``|``, other lists as JSON text; ``extra`` and ``problems`` left
  out. In CSV, booleans are ``true``/``false``.

Empty cells mean "none" (not ranking). Files are written as rows arrive and flushed
after every page, so a pull that stops leaves a valid file.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import importlib.util
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Protocol

import attrs
import orjson

from .errors import ExportError
from .models import CompetitorRow, LandingPageRow, PositionRow

Record = dict[str, Any]

#: The columns of each layout (a wide layout adds one per date, named ``2026-01-31``).
LAYOUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "positions": (
        "keyword_id", "keyword", "tags", "cpc", "volume", "domain", "date", "position",
        "ranking_type", "landing_url",
    ),
    "positions_wide": (
        "keyword_id", "keyword", "tags", "cpc", "volume", "domain", "begin", "end", "diff",
        "diff_1d", "diff_7d", "diff_30d",
    ),
    "competitors": (
        "domain", "date", "keywords", "average_position", "deviation", "visibility",
        "visibility_change", "share_of_voice", "traffic", "traffic_cost",
    ),
    "landing_pages": (
        "url", "status", "date", "keywords", "average_position", "traffic", "traffic_cost",
        "volume", "ranking_keywords",
    ),
}  # fmt: skip


def select(record: Record, columns: tuple[str, ...] | None) -> Record:
    """``record`` with only ``columns``, in that order (``--columns``); a name it does
    not have is an ExportError naming the ones it has."""
    if columns is None:
        return record
    missing = [c for c in columns if c not in record]
    if missing:
        raise ExportError(f"unknown column {missing[0]!r}: the columns are {', '.join(record)}")
    return {c: record[c] for c in columns}


def _scalar(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return "|".join(value)
    if isinstance(value, tuple):
        return len(value)  # a tuple of objects: how many
    return value


def _position_base(row: PositionRow) -> Record:
    return {
        "keyword_id": row.keyword_id,
        "keyword": row.keyword,
        "tags": "|".join(row.tags),
        "cpc": row.cpc,
        "volume": row.volume,
    }


def records(row: Any, *, wide: bool = False) -> Iterator[Record]:
    """The flat (or, for positions, wide) records of one row."""
    if isinstance(row, PositionRow):
        base = _position_base(row)
        if wide:
            for domain in row.domains:
                rec = {
                    **base,
                    "domain": domain,
                    "begin": row.begin.get(domain),
                    "end": row.end.get(domain),
                    "diff": row.diff.get(domain),
                    "diff_1d": row.diff_1d.get(domain),
                    "diff_7d": row.diff_7d.get(domain),
                    "diff_30d": row.diff_30d.get(domain),
                }
                for day in row.dates:
                    rec[day.isoformat()] = row.positions[day].get(domain)
                yield rec
            return
        types, urls = row.ranking_types, row.landing_urls
        for day, cells in sorted(row.positions.items()):
            for domain, position in cells.items():
                yield {
                    **base,
                    "domain": domain,
                    "date": day.isoformat(),
                    "position": position,
                    "ranking_type": "|".join(types.get(day, {}).get(domain, ())) or None,
                    "landing_url": urls.get(day, {}).get(domain),
                }
        return
    if isinstance(row, CompetitorRow):
        for day, stats in sorted(row.dates.items()):
            yield {
                "domain": row.domain,
                "date": day.isoformat(),
                "keywords": stats.keywords,
                "average_position": stats.average_position,
                "deviation": stats.deviation,
                "visibility": stats.visibility,
                "visibility_change": row.visibility_change,
                "share_of_voice": stats.share_of_voice,
                "traffic": stats.traffic,
                "traffic_cost": stats.traffic_cost,
            }
        return
    if isinstance(row, LandingPageRow):
        for day, page in sorted(row.dates.items()):
            yield {
                "url": row.url,
                "status": row.status,
                "date": day.isoformat(),
                "keywords": page.keywords,
                "average_position": page.average_position,
                "traffic": page.traffic,
                "traffic_cost": page.traffic_cost,
                "volume": page.volume,
                "ranking_keywords": "|".join(k.keyword for k in row.keywords),
            }
        return
    if isinstance(row, Mapping) or attrs.has(type(row)):
        flat: Record = {}
        _flatten("", row, flat)
        yield flat
        return
    raise TypeError(f"cannot export {type(row).__name__}")


def _flatten(prefix: str, value: Any, out: Record) -> None:
    """``value`` into ``out`` as scalar columns: nested objects and maps as dotted names
    (never a Python repr such as ``Location(id=2840, ...)`` in a cell). ``prefix`` is
    the column name so far, ending with a dot for a nested value's children."""
    if attrs.has(type(value)):
        for f in attrs.fields(type(value)):
            if f.name not in ("extra", "problems"):
                _child(prefix, f.name, getattr(value, f.name), out)
        return
    if isinstance(value, Mapping):
        if not value and prefix:
            out[prefix.rstrip(".")] = None
        for k, v in value.items():
            _child(prefix, k.isoformat() if isinstance(k, dt.date) else str(k), v, out)
        return
    name = prefix.rstrip(".")
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, str) for v in value):
            out[name] = "|".join(value)
        else:
            out[name] = _json_line(_plain(list(value)))  # the list as JSON text
        return
    out[name] = _scalar(value)


def _child(prefix: str, name: str, value: Any, out: Record) -> None:
    _flatten(f"{prefix}{name}." if _nested(value) else f"{prefix}{name}", value, out)


def _nested(value: Any) -> bool:
    return isinstance(value, Mapping) or attrs.has(type(value))


def _json_line(doc: Any) -> str:
    """One JSON document on one line: orjson, or the standard library for what orjson
    refuses (an integer beyond 64 bits stays exact instead of failing the export)."""
    try:
        return orjson.dumps(doc, default=_json_default, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(_plain(doc), ensure_ascii=False, separators=(",", ":"))


def _plain(value: Any) -> Any:
    """``value`` with mapping keys as text and dates as ISO text, for ``json.dumps``."""
    if isinstance(value, Mapping):
        return {
            (k.isoformat() if isinstance(k, dt.date) else str(k)): _plain(v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if attrs.has(type(value)):
        return _plain(document(value))
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k.isoformat() if isinstance(k, dt.date) else k): v for k, v in value.items()}
    if attrs.has(type(value)):
        return document(value)
    raise TypeError


#: Today's PositionRow fields a JSON document carries when the answer had them.
_WIRE = {
    "added": "Kb", "intents": "In", "volume_status": "Gs", "visibility": "Vi",
    "visibility_change": "Vi", "share_of_voice": "Sov", "share_of_voice_change": "Sov",
    "traffic": "Tr", "traffic_change": "Tr", "traffic_cost": "Tc",
    "traffic_cost_change": "Tc", "serp_features": "Sf", "serp_feature_counts": "Sfc",
}  # fmt: skip
_TODAY_FIELDS = tuple(_WIRE)


def document(row: Any) -> Record:
    """One row as a JSON document (nested maps kept, dates as ISO text)."""
    if isinstance(row, PositionRow):
        return {
            **{k: v for k, v in _position_base(row).items() if k != "tags"},
            "tags": list(row.tags),
            "positions": row.positions,
            "ranking_types": row.ranking_types,
            "landing_urls": row.landing_urls,
            "begin": row.begin,
            "end": row.end,
            "diff": row.diff,
            "diff_1d": row.diff_1d,
            "diff_7d": row.diff_7d,
            "diff_30d": row.diff_30d,
            **{name: getattr(row, name) for name in _TODAY_FIELDS if row.wire.get(_WIRE[name])},
            **({"extra": dict(row.extra)} if row.extra else {}),
        }
    if isinstance(row, Mapping):
        return dict(row)
    return attrs.asdict(row, recurse=False)


class Sink(Protocol):
    """Where exported rows go."""

    def write(self, rows: Iterable[Any]) -> int:
        """Write rows; return how many output lines were written."""
        ...

    def close(self) -> None:
        """Flush and close."""
        ...


class _TextSink:
    """A text file the sink opens (and closes), or a stream it is handed (and only
    flushes: stdout stays open)."""

    def __init__(self, target: str | Path | IO[str], append: bool) -> None:
        self._file: IO[str]
        if isinstance(target, (str, Path)):
            mode = "a" if append else "w"
            self._file = open(target, mode, newline="", encoding="utf-8")  # noqa: SIM115 (close())
            self._owned = True
        else:
            self._file, self._owned = target, False

    def close(self) -> None:
        self._file.flush()
        if self._owned:
            self._file.close()


def _csv_cell(value: Any) -> Any:
    if type(value) is bool:
        return "true" if value else "false"
    return value


class CsvSink(_TextSink):
    """Streaming CSV; the header comes from the first record (unless appending)."""

    def __init__(
        self,
        target: str | Path | IO[str],
        *,
        wide: bool = False,
        append: bool = False,
        columns: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(target, append)
        self._wide = wide
        self._columns = columns
        self._writer: csv.DictWriter[str] | None = None
        self._header = not (
            append and isinstance(target, (str, Path)) and Path(target).stat().st_size
        )

    def write(self, rows: Iterable[Any]) -> int:
        n = 0
        for row in rows:
            for rec in records(row, wide=self._wide):
                rec = select(rec, self._columns)
                if self._writer is None:
                    self._writer = csv.DictWriter(
                        self._file, fieldnames=list(rec), extrasaction="ignore"
                    )
                    if self._header:
                        self._writer.writeheader()
                self._writer.writerow(
                    {
                        k: ("true" if v else "false") if type(v) is bool else v
                        for k, v in rec.items()
                    }
                )
                n += 1
        self._file.flush()
        return n


class JsonlSink(_TextSink):
    """One JSON document per row, one per line."""

    def __init__(
        self,
        target: str | Path | IO[str],
        *,
        append: bool = False,
        columns: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(target, append)
        self._columns = columns

    def write(self, rows: Iterable[Any]) -> int:
        n = 0
        for row in rows:
            self._file.write(_json_line(select(document(row), self._columns)) + "\n")
            n += 1
        self._file.flush()
        return n


#: Parquet types of the layouts' columns (the export layouts above), so that every page
#: of a pull has the same schema, also one whose cells are all empty: dates as dates,
#: keyword IDs (digit text: they can pass 2**53) and counts as 64-bit integers,
#: positions as nullable integers. A wide layout's date columns hold positions.
_COLUMN_TYPES = {
    "date": "date32", "keyword_id": "int64", "cpc": "float64", "volume": "int64",
    "position": "int64", "begin": "int64", "end": "int64", "diff": "int64",
    "diff_1d": "int64", "diff_7d": "int64", "diff_30d": "int64", "keywords": "int64",
    "average_position": "float64", "deviation": "float64", "visibility": "float64",
    "visibility_change": "float64", "share_of_voice": "float64", "traffic": "float64",
    "traffic_cost": "float64",
}  # fmt: skip
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _typed(table: Any, layout: bool) -> Any:
    """A page's table with the layouts' column types (``layout``: rows of positions,
    competitors or landing pages); other columns as pyarrow infers them (a column no row
    of the page fills: text)."""
    import pyarrow as pa

    for n, name in enumerate(table.column_names):
        column = table.column(n)
        wanted = None
        if layout:
            wanted = _COLUMN_TYPES.get(name, "int64" if _ISO_DAY.fullmatch(name) else None)
        if wanted is not None:
            table = table.set_column(n, name, column.cast(getattr(pa, wanted)()))
        elif pa.types.is_null(column.type):
            table = table.set_column(n, name, column.cast(pa.string()))
    return table


class ParquetSink:
    """Flat records in Parquet row groups, one per page (needs pyarrow: the parquet extra).

    The file is written under a temporary name beside ``target`` and renamed over it on
    :meth:`close` (also after Ctrl-C), so ``target`` is always a whole Parquet file.
    ``append=True`` keeps what ``target`` holds: its row groups are copied into the new
    file first (a Parquet file cannot grow in place; the resume used to overwrite it and
    lose every row of the first run), and new rows take its schema.
    """

    def __init__(
        self,
        target: str | Path,
        *,
        wide: bool = False,
        append: bool = False,
        columns: tuple[str, ...] | None = None,
    ) -> None:
        if importlib.util.find_spec("pyarrow") is None:
            raise RuntimeError("Parquet export needs pyarrow: pip install 'asyncsemrush[parquet]'")
        self._path = Path(target)
        self._partial = self._path.with_name(f".{self._path.name}.partial")
        self._wide = wide
        self._columns = columns
        self._writer: Any = None
        self._append = append and self._path.exists() and self._path.stat().st_size > 0

    def _open(self, schema: Any) -> Any:
        import pyarrow.parquet as pq

        if not self._append:
            return pq.ParquetWriter(str(self._partial), schema)
        existing = pq.ParquetFile(str(self._path))
        writer = pq.ParquetWriter(str(self._partial), existing.schema_arrow)
        for n in range(existing.num_row_groups):
            writer.write_table(existing.read_row_group(n))
        return writer

    def write(self, rows: Iterable[Any]) -> int:
        import pyarrow as pa

        rows = list(rows)
        batch = [
            select(rec, self._columns) for row in rows for rec in records(row, wide=self._wide)
        ]
        if not batch:
            return 0
        layout = isinstance(rows[0], (PositionRow, CompetitorRow, LandingPageRow))
        try:
            table = pa.Table.from_pylist(batch)
            table = _typed(table, layout)
            if self._writer is None:
                self._writer = self._open(table.schema)
            table = table.cast(self._writer.schema)
        except (OverflowError, pa.ArrowException) as exc:  # an int beyond 64 bits, say
            raise ExportError(
                f"a value cannot be written to Parquet ({type(exc).__name__}: {exc}); "
                "CSV and JSON-lines keep it exactly"
            ) from None
        self._writer.write_table(table)
        return len(batch)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._partial.replace(self._path)
