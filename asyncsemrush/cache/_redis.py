"""The response cache on Redis: one cache for many workers (the same Redis the shared
budget uses). Needs ``redis`` (redis-py ≥ 5): ``pip install 'asyncsemrush[redis]'``."""

from __future__ import annotations

import logging
from typing import Any

import orjson

from ._rules import FORMAT, TERMS_SECONDS, CachedAnswer

log = logging.getLogger("asyncsemrush.cache")


class RedisCacheStore:
    """Answers in one Redis hash per project (``{prefix}:{project}``: entry key →
    header and body), so a write invalidates a project with one ``DEL``. Each hash
    expires 30 days after its last write; each entry's own age is checked when read.
    An entry whose checksum does not match (a foreign value under the key, a torn
    write) is deleted, never served. A Redis that restarted empty is a cold cache."""

    def __init__(self, redis: Any, *, prefix: str = "asyncsemrush:cache") -> None:
        self.redis = redis
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"RedisCacheStore(prefix={self.prefix!r})"

    def _hash(self, project: str) -> str:
        return f"{self.prefix}:{project}"

    async def get(self, key: str, project: str) -> CachedAnswer | None:
        """The verified answer under ``key``, or None."""
        value = await self.redis.hget(self._hash(project), key)
        if value is None:
            return None
        answer = _unpack(key, value)
        if answer is None:
            log.warning("response cache on Redis: an entry failed its checksum; dropped")
            await self.redis.hdel(self._hash(project), key)
        return answer

    async def put(self, key: str, project: str, answer: CachedAnswer) -> None:
        """Store ``answer`` under ``key`` in its project's hash."""
        header = orjson.dumps(
            [
                FORMAT,
                answer.status,
                answer.content_type,
                answer.stored,
                answer.latest,
                answer.worth,
                answer.digest(key),
            ]
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._hash(project), key, header + b"\n" + answer.body)
            pipe.expire(self._hash(project), TERMS_SECONDS)
            await pipe.execute()

    async def invalidate(self, project: str) -> None:
        """Delete every answer of ``project``."""
        await self.redis.delete(self._hash(project))

    async def close(self) -> None:
        """Nothing to release: the Redis client is the caller's."""


def _unpack(key: str, value: Any) -> CachedAnswer | None:
    """An entry as stored, verified; None when it is not one of ours or does not match."""
    if not isinstance(value, (bytes, bytearray)) or b"\n" not in value:
        return None
    header, body = bytes(value).split(b"\n", 1)
    try:
        fmt, status, content_type, stored, latest, worth, digest = orjson.loads(header)
        if fmt != FORMAT:
            return None
        answer = CachedAnswer(int(status), str(content_type), body, float(stored),
                              None if latest is None else str(latest), int(worth))  # fmt: skip
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return None
    return answer if answer.digest(key) == digest else None
