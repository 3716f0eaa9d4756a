"""The project package: settings, root URLs, the Celery app and the platform's shared core.

Named `portal` rather than the design card's `platform`, which would shadow Python's
standard-library module of that name.
"""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
