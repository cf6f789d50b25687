"""asyncsemrush: an asyncio client for the Semrush Projects API.

Every request is priced before it is sent: a unit budget, a rate limiter and a
ledger sit on the one send path, so concurrent pulls never overspend API units,
never exceed the key's request rate, and never lose or duplicate a row.
"""

from importlib.metadata import PackageNotFoundError, version

from ._client import SemrushClient
from ._ledger import LedgerEntry, UnitLedger
from ._limits import LocalRateLimiter, RateLimiter
from ._reconcile import Reconciliation
from ._retry import RetryPolicy
from ._wire import ApiResponse
from .budget import BudgetStore, MemoryBudgetStore, Reservation, UnitBudget
from .errors import (
    ApiError,
    BudgetExceededError,
    InvalidParameterError,
    PaginationError,
    PartialResponseError,
    ResponseFormatError,
    SemrushError,
)
from .pagination import AsyncPaginator, Page
from .params import DisplayFilter, Keyword, SerpFeature, UrlMask
from .pricing import Price, PriceTable, estimate

try:
    __version__ = version("asyncsemrush")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ApiError",
    "ApiResponse",
    "AsyncPaginator",
    "BudgetExceededError",
    "BudgetStore",
    "DisplayFilter",
    "InvalidParameterError",
    "Keyword",
    "LedgerEntry",
    "LocalRateLimiter",
    "MemoryBudgetStore",
    "Page",
    "PaginationError",
    "PartialResponseError",
    "Price",
    "PriceTable",
    "RateLimiter",
    "Reconciliation",
    "Reservation",
    "ResponseFormatError",
    "RetryPolicy",
    "SemrushClient",
    "SemrushError",
    "SerpFeature",
    "UnitBudget",
    "UnitLedger",
    "UrlMask",
    "__version__",
    "estimate",
]
