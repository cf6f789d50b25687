"""The public names (issue 14, items 3 to 5): every name in an `__all__` exists, every
public class is exported, every public exception survives pickle with its fields, and
bad input to the constructors and value types is an InvalidParameterError."""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import pytest

import asyncsemrush
from asyncsemrush import (
    DisplayFilter,
    Keyword,
    SemrushClient,
    UrlMask,
    errors,
    models,
    params,
    pricing,
)
from asyncsemrush.errors import InvalidParameterError, SemrushError

MODULES = [asyncsemrush, errors, models, params, pricing]
KEY = "".join(reversed("0123456789abcdef")) * 2


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_exported_name_exists(module: Any) -> None:
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


@pytest.mark.parametrize("module", [errors, models, pricing], ids=lambda m: m.__name__)
def test_every_public_class_is_exported(module: Any) -> None:
    public = {
        name
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and not name.startswith("_")
        and obj.__module__.startswith(module.__name__)
    }
    assert public - set(module.__all__) == set()


def sample(cls: type[SemrushError]) -> SemrushError:
    """An instance of each error with every field filled."""
    sig = inspect.signature(cls.__init__)
    args: dict[str, Any] = {}
    for name, p in list(sig.parameters.items())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        args[name] = {
            "code": 132,
            "message": "units balance is zero",
            "status": 400,
            "method": "GET",
            "url_redacted": "https://api.semrush.com/x?key=REDACTED",
            "parameter": "lines",
            "value": -1,
            "allowed": "a whole number >= 0",
            "needed": 100,
            "available": 5,
            "limit": 50,
            "report_type": "project_list",
            "sent": True,
            "reason": "bad",
            "excerpt": "<html>",
            "field": "$.data.0.Nq",
            "model": "PositionRow",
            "answer": {"data": {}},
            "rows_delivered": 3,
            "resume_offset": 7,
            "received": 3,
            "asked": 10,
            "total": 99,
            "max_units": 1000,
        }.get(name, p.default if p.default is not p.empty else "x")
    if cls.__init__ is Exception.__init__:
        return cls("something happened")
    if not args:  # (*args, **kwargs): an ApiError subclass that parses its message
        return cls(
            521, "Projects limit exceed, projects created: 5, user limit are 5", 400, "GET", "u"
        )  # type: ignore[call-arg]
    return cls(**args)


ALL_ERRORS = [
    obj for name, obj in vars(errors).items()
    if inspect.isclass(obj) and issubclass(obj, SemrushError)
]  # fmt: skip


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=lambda c: c.__name__)
def test_every_error_round_trips_through_pickle(cls: type[SemrushError]) -> None:
    err = sample(cls)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err) and str(back) == str(err)
    assert {k: v for k, v in vars(back).items()} == {k: v for k, v in vars(err).items()}
    assert KEY not in pickle.dumps(err).decode("latin-1")


@pytest.mark.parametrize(
    ("make", "parameter"),
    [
        (lambda: SemrushClient(api_key=123), "api_key"),  # type: ignore[arg-type]
        (lambda: SemrushClient(KEY, base_url=5), "base_url"),  # type: ignore[arg-type]
        (lambda: SemrushClient(KEY, max_response_bytes="big"), "max_response_bytes"),  # type: ignore[arg-type]
        (lambda: SemrushClient(KEY, max_response_bytes=float("nan")), "max_response_bytes"),  # type: ignore[arg-type]
        (lambda: SemrushClient(KEY, max_response_bytes=1.5), "max_response_bytes"),  # type: ignore[arg-type]
        (lambda: SemrushClient(KEY, max_response_bytes=True), "max_response_bytes"),
        (lambda: UrlMask.rootdomain(5), "domain"),  # type: ignore[arg-type]
        (lambda: pricing.estimate("tracking_position_organic", lines="3"), "lines"),  # type: ignore[arg-type]
        (lambda: params.keywords([("seo", 5)]), "keywords"),
        (lambda: Keyword("seo", tags="brand"), "tags"),  # type: ignore[arg-type]
        (lambda: params.project_id("²"), "project_id"),
        (lambda: params.tracking_id("1٢_3"), "campaign_id"),
        (lambda: DisplayFilter.include("Nq", "Gt", float("inf")), "display_filter value"),
    ],
)
def test_bad_input_is_an_invalid_parameter_error(make: Any, parameter: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        make()
    assert info.value.parameter == parameter


def test_credentials_in_base_url_are_refused_and_never_shown() -> None:
    with pytest.raises(InvalidParameterError) as info:
        SemrushClient(KEY, base_url="http://user:s3cr3t-pass@127.0.0.1:8080")
    text = str(info.value) + repr(info.value) + repr(info.value.value)
    assert "s3cr3t-pass" not in text and "credentials removed" in text
