"""The Redis online store: one hash per (view, entity), replaced by a script only when newer."""

from __future__ import annotations

from collections.abc import Sequence

import redis

from services.common.errors import Unavailable
from services.featurestore.online.store import OnlineRows, OnlineStore, StoredValue

# Compares (event, created) times inside Redis so concurrent writers never move a value back in time.
_WRITE_IF_NEWER = """
local current = redis.call('HMGET', KEYS[1], 'e', 'c')
local e, c = tonumber(ARGV[1]), tonumber(ARGV[2])
if current[1] then
  local ce, cc = tonumber(current[1]), tonumber(current[2])
  if e < ce or (e == ce and c < cc) then return 0 end
end
redis.call('HSET', KEYS[1], 'e', ARGV[1], 'c', ARGV[2], 'v', ARGV[3], 'p', ARGV[4])
redis.call('SADD', KEYS[2], KEYS[1])
return 1
"""
_BATCH = 1000


class RedisOnlineStore(OnlineStore):
    """Online values in Redis hashes `fs:<view>:<key>` with fields e, c, v, p."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url)
        try:
            self._client.ping()
        except redis.RedisError as error:
            raise Unavailable(f"the redis online store at {url!r} is unreachable",
                              reason="ONLINE_STORE_UNAVAILABLE", metadata={"url": url}) from error
        self._script = self._client.register_script(_WRITE_IF_NEWER)

    @staticmethod
    def _key(view: str, key: bytes) -> bytes:
        return b"fs:" + view.encode() + b":" + key

    def write(self, view: str, rows: OnlineRows) -> int:
        index = f"fsidx:{view}".encode()
        try:
            for start in range(0, len(rows.keys), _BATCH):
                pipe = self._client.pipeline(transaction=False)
                for i in range(start, min(start + _BATCH, len(rows.keys))):
                    self._script(keys=[self._key(view, rows.keys[i]), index],
                                 args=[int(rows.event_ts[i]), int(rows.created_ts[i]), rows.version,
                                       rows.payloads[i]], client=pipe)
                pipe.execute()
        except redis.RedisError as error:
            raise Unavailable("the redis online store failed", reason="ONLINE_STORE_UNAVAILABLE") from error
        return len(rows.keys)

    def read(self, view: str, keys: Sequence[bytes]) -> list[StoredValue | None]:
        try:
            pipe = self._client.pipeline(transaction=False)
            for key in keys:
                pipe.hmget(self._key(view, key), "v", "e", "c", "p")
            results = pipe.execute()
        except redis.RedisError as error:
            raise Unavailable("the redis online store failed", reason="ONLINE_STORE_UNAVAILABLE") from error
        return [None if r[0] is None else StoredValue(int(r[0]), int(r[1]), int(r[2]), r[3]) for r in results]

    def delete_view(self, view: str) -> None:
        index = f"fsidx:{view}".encode()
        members = list(self._client.smembers(index))
        for start in range(0, len(members), _BATCH):
            self._client.delete(*members[start:start + _BATCH])
        self._client.delete(index)

    def close(self) -> None:
        self._client.close()
