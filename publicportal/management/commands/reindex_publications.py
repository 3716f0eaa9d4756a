"""Index every trading announcement (idempotent): run once after deploying the portal."""

from django.core.management.base import BaseCommand

from auctions.models import AuctionAnnouncement
from publicportal.index import index_auction_announcement, index_trading_announcement
from trading.models import Announcement


class Command(BaseCommand):
    help = "Index the announcements trading has published into the portal's publication index."

    def handle(self, *args, **options):
        count = 0
        announcements = Announcement.objects.select_related("project").order_by(
            "published_at", "id"
        )
        for announcement in announcements.iterator():
            index_trading_announcement(announcement)
            count += 1
        auction_announcements = AuctionAnnouncement.objects.select_related("listing").order_by(
            "published_at", "id"
        )
        for announcement in auction_announcements.iterator():
            index_auction_announcement(announcement)
            count += 1
        self.stdout.write(f"{count} announcement(s) indexed")
