"""Scheduled trading work: due events happen on time without anyone clicking."""

from celery import shared_task

from trading.services.openings import close_due_openings


@shared_task(name="trading.close_due_openings")
def close_due_openings_task() -> int:
    """Close every opening whose decryption window has passed (idempotent; safe on several
    workers: each session is locked and re-checked)."""
    return close_due_openings()
