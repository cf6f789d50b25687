"""Error mapping: every documented code and status, and every malformed body."""

from __future__ import annotations

import pickle
import re

import pytest

from asyncsemrush import errors
from asyncsemrush._wire import ApiRequest, RawResponse
from asyncsemrush.dialects.semrush_v3 import DEFAULT as V3

from .conftest import REFERENCE

decode = V3.decode

URL = "https://api.semrush.com/management/v1/projects"
FAKE_KEY = "0123456789abcdef" * 2  # made up, in the documented 32-hex shape
GET = ApiRequest("GET", "/management/v1/projects", "project_list")


def raw(status: int, body: bytes | str, content_type: str = "application/json") -> RawResponse:
    return RawResponse(status, content_type, body.encode() if isinstance(body, str) else body)


def _documented_codes() -> set[int]:
    text = (REFERENCE / "000_1422de1b9ee0ba6d.txt").read_text()
    table = text.split("Recommended action", 1)[1].split("Jump to Project", 1)[0]
    first = {int(n) for n in re.findall(r"^(\d{2,3})$", table, re.M)}
    main = (REFERENCE / "001_b7145f6cab38f432.txt").read_text()
    second = {
        int(n)
        for n in re.findall(r"^(\d{2,3}) [A-Z]", main.split("ERROR_CODE ERROR_MESSAGE")[1], re.M)
    }
    return first | second


def test_every_documented_code_has_its_own_class() -> None:
    codes = _documented_codes()
    assert codes == {70, 120, 121, 122, 130, 131, 132, 134, 511, 512, 513, 515, 519, 520, 521, 522}
    assert set(errors.API_ERRORS) == codes
    classes = list(errors.API_ERRORS.values())
    assert len(set(classes)) == len(classes)
    for code, cls in errors.API_ERRORS.items():
        assert cls.default_code == code
        assert issubclass(cls, errors.ApiError)


@pytest.mark.parametrize("code", sorted(errors.API_ERRORS))
def test_code_body_maps_to_its_class(code: int) -> None:
    body = f'{{"code": "{code}", "message": "text for {code}"}}'
    with pytest.raises(errors.API_ERRORS[code]) as info:
        decode(raw(400, body), GET, URL)
    exc = info.value
    assert (exc.code, exc.message, exc.status, exc.method) == (code, f"text for {code}", 400, "GET")
    assert exc.url_redacted == URL
    assert str(code) in str(exc)
    assert not exc.retryable


def test_integer_code_and_error_text_body() -> None:
    with pytest.raises(errors.ProjectNotFoundError):
        decode(
            raw(400, '{"code": 512, "message": "Can\'t find project with project_id 1"}'), GET, URL
        )
    with pytest.raises(errors.UnitsExhaustedError) as info:
        decode(raw(200, "ERROR 132 :: API UNITS BALANCE IS ZERO", "text/html"), GET, URL)
    assert info.value.code == 132
    assert info.value.message == "API UNITS BALANCE IS ZERO"
    with pytest.raises(errors.ApiError) as unknown:
        decode(raw(200, "ERROR 50 :: NOTHING FOUND", "text/plain"), GET, URL)
    assert type(unknown.value) is errors.ApiError
    assert unknown.value.code == 50


def test_limit_errors_expose_counts_as_ints() -> None:
    msg = "Projects limit exceed, projects created: 5, user limit are 5"
    with pytest.raises(errors.ProjectsLimitError) as p:
        decode(raw(400, f'{{"code": 521, "message": "{msg}"}}'), GET, URL)
    assert (p.value.projects_count, p.value.projects_limit) == (5, 5)
    msg = "Keywords limit exceed, keywords limit 500 already tracked keywords 498"
    with pytest.raises(errors.KeywordsLimitError) as k:
        decode(raw(400, f'{{"code": 522, "message": "{msg}"}}'), GET, URL)
    assert (k.value.keywords_limit, k.value.keywords_count) == (500, 498)
    with pytest.raises(errors.KeywordsLimitError) as vague:
        decode(raw(400, '{"code": 522, "message": "limit"}'), GET, URL)
    assert vague.value.keywords_limit is None


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (244, errors.UnsupportedTargetError, False),
        (400, errors.BadRequestError, False),
        (403, errors.LicenseExpiredError, False),
        (404, errors.NotFoundError, False),
        (405, errors.MethodNotAllowedError, False),
        (406, errors.NotAcceptableError, False),
        (429, errors.TooManyRequestsError, True),
        (500, errors.InternalServerError, True),
        (502, errors.BadGatewayError, True),
        (503, errors.ServiceUnavailableError, True),
        (504, errors.GatewayTimeoutError, True),
    ],
)
def test_http_status_table(status: int, cls: type[errors.HttpStatusError], retryable: bool) -> None:
    assert errors.HTTP_ERRORS[status] is cls
    with pytest.raises(cls) as info:
        decode(raw(status, '{"message": "Call rate limit reached."}'), GET, URL)
    assert info.value.retryable is retryable
    assert info.value.code is None
    assert info.value.status == status
    assert "Call rate limit reached." in str(info.value)


def test_undocumented_5xx_is_retryable_and_4xx_is_not() -> None:
    assert errors.http_error_for_status(599)(None, "x", 599).retryable
    assert not errors.http_error_for_status(418)(None, "x", 418).retryable


def test_html_gateway_page_becomes_typed_error_with_excerpt() -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    with pytest.raises(errors.BadGatewayError) as info:
        decode(raw(502, page, "text/html"), GET, URL)
    assert "502 Bad Gateway" in info.value.message
    assert len(info.value.message) <= 200


def test_malformed_json_on_success_is_typed() -> None:
    with pytest.raises(errors.MalformedResponseError) as info:
        decode(raw(200, '{"total": "19'), GET, URL)
    assert info.value.status == 200
    assert info.value.excerpt == '{"total": "19'
    with pytest.raises(errors.MalformedResponseError):
        decode(raw(200, b"\xff\xfe\x00garbage"), GET, URL)
    with pytest.raises(errors.MalformedResponseError, match="empty"):
        decode(raw(200, b""), GET, URL)


def test_empty_body_allowed_where_expected() -> None:
    delete = ApiRequest(
        "DELETE", "/management/v1/projects/1", "project_delete", expect="json_or_empty"
    )
    assert decode(raw(200, b""), delete, URL) is None


def test_balance_text_parsing() -> None:
    balance = ApiRequest(
        "GET", "/users/countapiunits.html", "balance", expect="units", host="balance"
    )
    assert decode(raw(200, "1,000", "text/html"), balance, URL) == 1000
    assert decode(raw(200, "  2500000\n", "text/html"), balance, URL) == 2_500_000
    assert decode(raw(200, "12,345,678"), balance, URL) == 12_345_678
    for bad in ["", "1,00", "abc", "-5", "1.5"]:
        with pytest.raises(errors.MalformedResponseError):
            decode(raw(200, bad, "text/html"), balance, URL)
    with pytest.raises(errors.WrongKeyIdPairError):
        decode(raw(200, "ERROR 120 :: WRONG KEY - ID PAIR", "text/html"), balance, URL)


def test_error_text_never_carries_a_key() -> None:
    body = '{"code": 120, "message": "Wrong key - ID pair for key=' + FAKE_KEY + '"}'
    with pytest.raises(errors.WrongKeyIdPairError) as info:
        decode(raw(400, body), GET, URL)
    assert FAKE_KEY not in str(info.value)
    assert "key=REDACTED" in str(info.value)


def test_api_errors_pickle() -> None:
    exc = errors.ProjectsLimitError(521, "projects created: 3, user limit are 3", 400, "POST", URL)
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is errors.ProjectsLimitError
    assert (again.code, again.projects_limit, again.url_redacted) == (521, 3, URL)


def test_local_errors() -> None:
    e = errors.InvalidParameterError("rate_limit", -1, "a number > 0")
    assert isinstance(e, ValueError)
    assert isinstance(e, errors.SemrushError)
    assert "rate_limit" in str(e)
    assert "-1" in str(e)
    assert "a number > 0" in str(e)
    b = errors.BudgetExceededError(1000, 10, 500, "tracking_position_organic")
    assert "nothing was sent" in str(b)
    assert b.needed == 1000
