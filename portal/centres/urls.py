"""Web URLs of centres."""

from django.urls import path

from portal.centres import views

app_name = "centres"
urlpatterns = [
    path("", views.centre_list, name="list"),
    path("<slug:code>/staff/", views.staff_area, name="staff"),
    path(
        "<slug:code>/staff/bookings/<int:booking_id>/cancel/",
        views.cancel_booking,
        name="cancel_booking",
    ),
]
