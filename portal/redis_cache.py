"""Django's Redis cache backend, keeping its `redis.Redis` clients.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache operation
(its connection pool is kept, the client is not), and redis-py fills ~170 response callbacks
in each new client's constructor: ≈ 0.3 ms of CPU per `cache.get` on this machine, more than
the round trip to Redis itself. A client over a pool is thread-safe (redis-py shares
connections through the pool), so one per pool is kept and reused.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
