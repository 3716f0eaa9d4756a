"""RSS and Atom feeds of new announcements, for all or per category and region (E2)."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from catalog.models import Category
from portal.centres.models import Region
from publicportal.selectors import PublicationFilters, publications

FEED_SIZE = 50


class AnnouncementsFeed(Feed):
    """`/public/feeds/rss/?category=engineering&region=350600`"""

    def get_object(self, request):
        category = request.GET.get("category", "")
        region = request.GET.get("region", "")
        if category and not Category.objects.filter(code=category).exists():
            raise Http404
        if region and not Region.objects.filter(code=region).exists():
            raise Http404
        self.filters = PublicationFilters(category=category, region=region)
        self.query = request.GET.urlencode()
        return self.filters

    def title(self, obj):
        parts = [_("New announcements")]
        if obj.category:
            parts.append(Category.objects.get(code=obj.category).name)
        if obj.region:
            parts.append(Region.objects.get(code=obj.region).name)
        return " · ".join(parts)

    def link(self, obj):
        return reverse("publicportal:search") + (f"?{self.query}" if self.query else "")

    def description(self, obj):
        return _("Announcements published on the public resource trading platform.")

    def items(self, obj):
        return publications(obj).select_related("category", "region")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body[:500]

    def item_link(self, item):
        return item.detail_path

    def item_guid(self, item):
        return item.source_key

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [item.category.name, item.region.name]


class AnnouncementsAtomFeed(AnnouncementsFeed):
    feed_type = Atom1Feed
    subtitle = AnnouncementsFeed.description
