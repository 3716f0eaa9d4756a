"""Web URLs of sealed-bid trading (mounted at /trading/)."""

from django.urls import path

from trading import views

app_name = "trading"
urlpatterns = [
    # The public
    path("", views.announcement_list, name="announcements"),
    path(
        "announcements/<int:announcement_id>/",
        views.announcement_detail,
        name="announcement",
    ),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("documents/<int:document_id>/", views.download_document, name="document"),
    path("openings/<int:opening_id>/status/", views.opening_status, name="opening_status"),
    # Bidders
    path("projects/<int:project_id>/bid/", views.submit_bid, name="submit_bid"),
    path("my/bids/", views.my_bids, name="my_bids"),
    path("bids/<int:bid_id>/withdraw/", views.withdraw_bid, name="withdraw_bid"),
    path("bids/<int:bid_id>/test-decrypt/", views.test_decrypt, name="test_decrypt"),
    path("bids/<int:bid_id>/decrypt/", views.decrypt_bid, name="decrypt_bid"),
    path("lots/<int:lot_id>/objections/", views.raise_objection, name="raise_objection"),
    # Tenderees and agents
    path("my/projects/", views.my_projects, name="my_projects"),
    path("projects/new/", views.create_project, name="create_project"),
    path(
        "projects/<int:project_id>/announce/",
        views.publish_announcement,
        name="publish_announcement",
    ),
    path(
        "projects/<int:project_id>/clarify/",
        views.publish_clarification,
        name="publish_clarification",
    ),
    path("lots/<int:lot_id>/", views.lot_workspace, name="lot"),
    path("lots/<int:lot_id>/criteria/", views.set_criteria, name="criteria"),
    path("lots/<int:lot_id>/candidates/", views.publish_candidates, name="publish_candidates"),
    path(
        "objections/<int:objection_id>/answer/",
        views.answer_objection,
        name="answer_objection",
    ),
    path("lots/<int:lot_id>/award/", views.award_lot, name="award"),
    path("lots/<int:lot_id>/contract/", views.sign_contract, name="contract"),
    path(
        "contracts/<int:contract_id>/performance/",
        views.record_performance,
        name="performance",
    ),
    # Centre staff
    path("centre/queue/", views.centre_queue, name="centre_queue"),
    path("projects/<int:project_id>/register/", views.register_project, name="register"),
    path("projects/<int:project_id>/opening/", views.schedule_opening, name="schedule_opening"),
    path("openings/<int:opening_id>/", views.opening_session, name="opening"),
    path("openings/<int:opening_id>/start/", views.start_opening, name="start_opening"),
    path("openings/<int:opening_id>/close/", views.close_opening, name="close_opening"),
    path("lots/<int:lot_id>/committee/", views.seat_committee, name="committee"),
    path("lots/<int:lot_id>/filing/", views.file_lot, name="file_lot"),
    path("projects/<int:project_id>/archive/", views.archive_project, name="archive"),
    # Evaluation experts
    path("my/evaluations/", views.my_evaluations, name="my_evaluations"),
    path("lots/<int:lot_id>/evaluation/", views.evaluation_page, name="evaluation"),
    path(
        "bids/<int:bid_id>/qualification/",
        views.decide_qualification,
        name="qualification",
    ),
    path("lots/<int:lot_id>/scores/", views.submit_scores, name="scores"),
    path("lots/<int:lot_id>/sign/", views.sign_report, name="sign_report"),
]
