"""The sources feed the index: trading's and the auctions' announcements on save (their
services stay untouched; the receiver runs inside the publishing transaction, so the index
commits or rolls back with the announcement)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from auctions.models import AuctionAnnouncement
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


@receiver(post_save, sender=AuctionAnnouncement, dispatch_uid="publicportal.index_auctions")
def index_auction_announcement(sender, instance: AuctionAnnouncement, raw: bool = False, **kwargs):
    if raw:
        return
    index.index_auction_announcement(instance)


@receiver(post_delete, sender=AuctionAnnouncement, dispatch_uid="publicportal.unindex_auctions")
def unindex_auction_announcement(sender, instance: AuctionAnnouncement, **kwargs):
    index.withdraw_publication(f"auctions:{instance.pk}")
