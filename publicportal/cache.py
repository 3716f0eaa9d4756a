"""The portal's cache: one version number, bumped when anything is published or changed.

Every cached read puts the version in its key, so a bump makes all of them stale at once
(the old entries expire by themselves). The bump runs on commit: a reader never caches
a page built before the change committed under the new version.
"""

import hashlib
import json

from django.core.cache import cache
from django.db import transaction
from django.utils import translation

VERSION_KEY = "publicportal:version"
#: How long a cached page may live even without a change (seconds).
TIMEOUT = 300


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, 2, timeout=None)


def bump_on_commit() -> None:
    transaction.on_commit(_bump)


def key(name: str, params: dict) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    language = translation.get_language() or "-"
    return f"publicportal:{name}:{current_version()}:{language}:{digest[:32]}"


def cached(name: str, params: dict, compute):
    """`compute()` under the current version, cached for `TIMEOUT` seconds."""
    cache_key = key(name, params)
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, TIMEOUT)
    return value
