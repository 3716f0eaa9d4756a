"""The sources feed the index: trading's and the auctions' announcements on save (their
services stay untouched; the receiver runs inside the publishing transaction, so the index
commits or rolls back with the announcement). The change feed's other sources — contract
performance, public credit records, notices — are hooked here too (`feed_sources`)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from auctions.models import AuctionAnnouncement
from portal.notices.models import Notice
from portal.tradelog.models import TradeLogEntry
from publicportal import feed_sources, index
from trading.models import Announcement, PerformanceRecord


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


# --- The change feed's other sources (see publicportal.feed_sources) -----------------------


@receiver(post_save, sender=TradeLogEntry, dispatch_uid="publicportal.feed_logged_changes")
def feed_logged_change(sender, instance: TradeLogEntry, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        feed_sources.record_logged_change(instance)


@receiver(post_save, sender=PerformanceRecord, dispatch_uid="publicportal.feed_performance")
def feed_performance(sender, instance: PerformanceRecord, raw: bool = False, **kwargs):
    if not raw:
        feed_sources.record_performance(instance)


@receiver(post_save, sender=Notice, dispatch_uid="publicportal.feed_notice")
def feed_notice(sender, instance: Notice, raw: bool = False, **kwargs):
    if not raw:
        feed_sources.record_notice(instance)


@receiver(post_delete, sender=Notice, dispatch_uid="publicportal.feed_notice_deleted")
def feed_notice_deleted(sender, instance: Notice, **kwargs):
    feed_sources.withdraw_notice(instance.pk)
