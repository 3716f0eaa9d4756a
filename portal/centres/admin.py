"""Regions, centres and venues in the admin; bookings are read-only (staff book through
services.book_venue, which refuses overlaps and writes the trade log)."""

from django.contrib import admin

from portal.centres.models import Centre, Region, Venue, VenueBooking
from portal.entities.admin import ReadOnlyAdminMixin


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


class VenueInline(admin.TabularInline):
    model = Venue
    extra = 0


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "region", "parent"]
    list_filter = ["level"]
    list_select_related = ["region", "parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["region", "parent"]
    inlines = [VenueInline]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "centre", "kind", "capacity", "remote_seats", "is_active"]
    list_filter = ["kind", "is_active", "centre"]
    list_select_related = ["centre"]
    search_fields = ["name", "centre__name"]


@admin.register(VenueBooking)
class VenueBookingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["venue", "starts_at", "ends_at", "purpose", "status", "booked_by"]
    list_filter = ["status", "venue__centre"]
    list_select_related = ["venue__centre", "booked_by"]
    date_hierarchy = "starts_at"
