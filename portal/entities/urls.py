"""Web URLs of entities."""

from django.urls import path

from portal.entities import views

app_name = "entities"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/check-code/", views.check_uscc, name="check_uscc"),
    path("lookup/", views.lookup, name="lookup"),
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("<str:uscc>/", views.detail, name="detail"),
    path("<str:uscc>/edit/", views.edit, name="edit"),
    path("<str:uscc>/qualifications/", views.add_qualification, name="add_qualification"),
    path("<str:uscc>/history/", views.history, name="history"),
    path("<str:uscc>/invite/", views.invite, name="invite"),
]
