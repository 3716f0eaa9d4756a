"""What a web worker would otherwise do on its first requests, done when it starts.

A worker imports lazily: the URLconf (and with it every app's views and services), the
translation catalogues, Celery's app and its broker transport. At the opening of a live
auction 200 bidders bid within a second, and each worker's first bid paid for all of it
(≈ 0.5 s in-process; 2–3.6 s per worker under that burst, the benchmark's worst bids).
`deploy/gunicorn.conf.py` calls `warm()` in each worker after it loads the application.
Nothing here touches the database, the cache or the broker: a worker starts whether or
not they are up.

Last, everything the worker holds by then (≈ 110,000 objects: modules, classes, Django's
and the apps' registries) is moved out of reach of Python's cyclic garbage collector
(`gc.freeze`). None of it is ever garbage, yet each full collection walked all of it:
≈ 120 ms per collection, in whichever request set it off — on the expert draw's benchmark
the slowest 2 % of draws were exactly those (docs/PERFORMANCE.md, the expert draw). Objects
made by requests are collected as before.
"""

import gc
import logging

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def warm() -> None:
    get_resolver().url_patterns  # noqa: B018 - imports every app's URLconf, views, services
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")  # loads the merged catalogue of this language
    from portal.celery import app

    app.finalize(auto=True)  # registers every task now, not on the first kick
    app.connection_for_write().transport  # noqa: B018 - imports the broker's transport; no I/O
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    logger.debug("worker warmed")
