"""The sources feed the index: trading announcements on save (trading's services stay
untouched; the receiver runs inside the publishing transaction, so the index commits or
rolls back with the announcement)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from publicportal import index
from trading.models import Announcement


@receiver(post_save, sender=Announcement, dispatch_uid="publicportal.index_trading")
def index_trading_announcement(sender, instance: Announcement, raw: bool = False, **kwargs):
    if raw:  # loading fixtures
        return
    index.index_trading_announcement(instance)


@receiver(post_delete, sender=Announcement, dispatch_uid="publicportal.unindex_trading")
def unindex_trading_announcement(sender, instance: Announcement, **kwargs):
    index.withdraw_publication(f"trading:{instance.pk}")
