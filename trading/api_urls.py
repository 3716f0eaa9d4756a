"""Trading's API endpoints under /api/v1/."""

from django.urls import path

from trading import api

urlpatterns = [
    path("projects/", api.ProjectCreateApi.as_view(), name="project-create"),
    path("projects/<int:project_id>/", api.ProjectDetailApi.as_view(), name="project-detail"),
    path(
        "projects/<int:project_id>/register/",
        api.ProjectRegisterApi.as_view(),
        name="project-register",
    ),
    path(
        "projects/<int:project_id>/announcements/",
        api.AnnouncementPublishApi.as_view(),
        name="project-announce",
    ),
    path(
        "projects/<int:project_id>/clarifications/",
        api.ClarificationApi.as_view(),
        name="project-clarify",
    ),
    path(
        "projects/<int:project_id>/questions/", api.QuestionApi.as_view(), name="project-questions"
    ),
    path("projects/<int:project_id>/bids/", api.BidsApi.as_view(), name="project-bids"),
    path("projects/<int:project_id>/archive/", api.ArchiveApi.as_view(), name="project-archive"),
    path("bids/<int:bid_id>/", api.BidWithdrawApi.as_view(), name="bid-withdraw"),
    path(
        "bids/<int:bid_id>/test-decrypt/", api.BidTestDecryptApi.as_view(), name="bid-test-decrypt"
    ),
    path("bids/<int:bid_id>/decrypt/", api.BidDecryptApi.as_view(), name="bid-decrypt"),
    path(
        "bids/<int:bid_id>/qualification/", api.QualificationApi.as_view(), name="bid-qualification"
    ),
    path("openings/", api.OpeningCreateApi.as_view(), name="opening-create"),
    path("openings/<int:opening_id>/", api.OpeningDetailApi.as_view(), name="opening-detail"),
    path("openings/<int:opening_id>/start/", api.OpeningStartApi.as_view(), name="opening-start"),
    path("openings/<int:opening_id>/close/", api.OpeningCloseApi.as_view(), name="opening-close"),
    path("lots/<int:lot_id>/committee/", api.CommitteeApi.as_view(), name="lot-committee"),
    path("lots/<int:lot_id>/criteria/", api.CriteriaApi.as_view(), name="lot-criteria"),
    path("lots/<int:lot_id>/scores/", api.ScoresApi.as_view(), name="lot-scores"),
    path("lots/<int:lot_id>/sign/", api.SignReportApi.as_view(), name="lot-sign"),
    path("lots/<int:lot_id>/candidates/", api.CandidatesApi.as_view(), name="lot-candidates"),
    path("lots/<int:lot_id>/objections/", api.ObjectionApi.as_view(), name="lot-objections"),
    path("lots/<int:lot_id>/award/", api.AwardApi.as_view(), name="lot-award"),
    path("lots/<int:lot_id>/contract/", api.ContractApi.as_view(), name="lot-contract"),
    path("lots/<int:lot_id>/filing/", api.FilingApi.as_view(), name="lot-filing"),
    path(
        "objections/<int:objection_id>/answer/",
        api.ObjectionAnswerApi.as_view(),
        name="objection-answer",
    ),
    path(
        "contracts/<int:contract_id>/performance/",
        api.PerformanceApi.as_view(),
        name="contract-performance",
    ),
    # The public announcement list and detail moved to the portal (publicportal/api.py).
]
