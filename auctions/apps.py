from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuctionsConfig(AppConfig):
    """Land-use rights, mining rights and state-owned equity: listing, live auctions,
    agreement transfers (招拍挂, 产权交易)."""

    name = "auctions"
    label = "auctions"
    verbose_name = _("auctions and property-rights transfers")

    def ready(self):
        from auctions import live

        live.install()


#: The main navigation's link to auctions (templates/base.html); kept here so that the app's
#: own catalogue carries its translation.
NAV_LABEL = _("Land, mining and equity")
