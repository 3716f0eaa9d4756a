"""The pool's API endpoints under /api/v1/ (mounted next to trading's)."""

from django.urls import path

from experts import api

urlpatterns = [
    path("experts/specialties/", api.ExpertSpecialtyListApi.as_view(), name="expert-specialties"),
    path(
        "projects/<int:project_id>/expert-draws/",
        api.ProjectExpertDrawApi.as_view(),
        name="project-expert-draws",
    ),
    path("expert-draws/<int:draw_id>/", api.ExpertDrawDetailApi.as_view(), name="expert-draw"),
    path(
        "expert-draws/<int:draw_id>/cancel/",
        api.ExpertDrawCancelApi.as_view(),
        name="expert-draw-cancel",
    ),
    path(
        "expert-draws/<int:draw_id>/audit/",
        api.ExpertDrawAuditApi.as_view(),
        name="expert-draw-audit",
    ),
    path("expert-invitations/", api.ExpertInvitationListApi.as_view(), name="expert-invitations"),
    path(
        "expert-invitations/<int:invitation_id>/response/",
        api.ExpertInvitationResponseApi.as_view(),
        name="expert-invitation-response",
    ),
]
