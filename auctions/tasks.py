"""Scheduled auction work: listing periods end, live auctions start and end on time without
anyone reading the page (every second; idempotent, safe on several workers)."""

from celery import shared_task

from auctions.services.settlement import run_due_events


@shared_task(name="auctions.run_due_events")
def run_due_events_task() -> int:
    return run_due_events()
