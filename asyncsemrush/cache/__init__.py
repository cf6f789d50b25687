"""Never pay twice: a response cache for Position Tracking reports.

``SemrushClient(cache="reports.sqlite")`` keeps answers in a SQLite file;
``cache=ResponseCache(RedisCacheStore(redis))`` shares them between workers. The rules
(what is final, what is checked, the 30-day limit) are in :class:`ResponseCache`.
"""

from ._cache import CacheStore, ResponseCache
from ._redis import RedisCacheStore
from ._rules import CACHEABLE, TERMS_SECONDS, CachedAnswer
from ._sqlite import SqliteCacheStore

__all__ = [
    "CACHEABLE",
    "TERMS_SECONDS",
    "CacheStore",
    "CachedAnswer",
    "RedisCacheStore",
    "ResponseCache",
    "SqliteCacheStore",
]
