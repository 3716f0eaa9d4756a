"""The portal's cache: one version number, bumped when anything is published or changed.

Every cached read puts the version in its key, so a bump makes all of them stale at once
(the old entries expire by themselves). The bump runs on commit: a reader never caches
a page built before the change committed under the new version.

Within one request the version is read from the cache once (a page of the list asks for it
in the form, the filters, the reference tables and the page's key: one round trip to Redis
instead of six); a bump in the request moves the request's copy too.
"""

import hashlib
import json

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.utils import translation
from django.utils.cache import patch_cache_control

VERSION_KEY = "publicportal:version"
#: How long a cached page may live even without a change (seconds).
TIMEOUT = 300
#: How long a shared cache in front of the portal (nginx, deploy/nginx.conf.template) may
#: answer anonymous visitors with a page of the public list without asking again: a new
#: publication shows through the proxy within this time (at once through the portal itself).
SHARED_CACHE_SECONDS = 5


# The version as this request read it (per thread or task; empty outside a request).
_request = Local()


def _request_began(**kwargs) -> None:
    _request.active = True
    _request.version = None


def _request_ended(**kwargs) -> None:
    _request.active = False
    _request.version = None


request_started.connect(_request_began, dispatch_uid="publicportal.cache.request_began")
request_finished.connect(_request_ended, dispatch_uid="publicportal.cache.request_ended")


def current_version() -> int:
    memo = getattr(_request, "version", None)
    if memo is not None:
        return memo
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    version = int(version)
    if getattr(_request, "active", False):
        _request.version = version
    return version


def _bump() -> None:
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, 2, timeout=None)
        version = None
    if getattr(_request, "active", False):
        _request.version = version  # None: read it again


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


def allow_shared_caching(request, response) -> None:
    """Let a shared cache keep this public response for `SHARED_CACHE_SECONDS` when the
    visitor is anonymous; browsers revalidate every time (max-age=0). A signed-in visitor's
    response is marked private (the proxy also bypasses its cache for sessions)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_CACHE_SECONDS)
