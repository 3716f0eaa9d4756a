"""Sealed-bid trading through the web pages, in simulated time, on real PostgreSQL: the
public's and the bidder's path through the forms, the tenderee's statutory refusals, the
sealed pages of staff and tenderee, the centre's boundary, and bounded queries on lists.

Assertions read ids and data attributes, not UI text: the text is translated.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category, TradingMethod
from portal import sealing
from portal.centres.models import VenueBooking
from tests.trading.conftest import SECRETS, chair_of, draw_committee, local, submit
from trading.models import (
    Announcement,
    BidSecurity,
    BidSubmission,
    OpeningSession,
    Project,
    Schedule,
    TenderDocument,
)
from trading.services import awards, committee, openings, projects

pytestmark = pytest.mark.django_db

DEADLINE = local(2026, 3, 23, 9, 30)
DOCUMENT = "招标文件：漳州市示范路桥维修工程，工程量清单与技术规范。".encode() * 40
PRICES = {"a": "4198000.00", "b": "4321000.00", "c": "4560000.00"}


def browser(user=None) -> Client:
    """A browser, logged in as `user` when given (a fresh one per persona)."""
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _by_id(response, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', response.text)
    assert match, f"#{element_id} is not on the page"
    return match.group(1).strip()


def _submitted_project(tenderee, centre, *, title="漳州市示范路桥维修工程") -> Project:
    return projects.submit_project(
        actor=tenderee,
        title=title,
        category=Category.objects.get(code="engineering"),
        method=TradingMethod.objects.get(code="open_tender"),
        subject="works",
        funding_source="state_owned",
        centre=centre,
        region=centre.region,
        lots=[
            projects.LotInput(
                name="一标段",
                estimate_amount=Decimal("5000000.00"),
                bid_security_amount=Decimal("100000.00"),
            )
        ],
    )


def _announce(project, tenderee, *, documents=()):
    projects.publish_tender_announcement(
        project=project,
        actor=tenderee,
        title=f"{project.title}招标公告",
        body="招标条件、项目概况、投标人资格要求……",
        documents_issued_at=local(2026, 3, 2, 9, 0),
        documents_sale_ends_at=local(2026, 3, 9, 17, 0),
        bid_deadline=DEADLINE,
        opening_at=DEADLINE,
        documents=list(documents),
    )


@pytest.fixture
def tender(clock, centre, staff, tenderee):
    """An engineering open tender with its tender document, announced on 2026-03-02 09:00;
    bids until 2026-03-23 09:30 (Beijing time); one lot with a 100,000 yuan security."""
    project = _submitted_project(tenderee, centre)
    projects.register_project(project=project, actor=staff)
    _announce(project, tenderee, documents=[("招标文件.pdf", DOCUMENT)])
    project.refresh_from_db()
    return project


def _bid_form(lot, key: str, *, price: str | None = None, secret: str | None = None) -> dict:
    return {
        "lot": lot.pk,
        "price": price or PRICES[key],
        "documents": [SimpleUploadedFile(f"技术标-{key}.pdf", _bid_document(key))],
        "secret": secret or SECRETS[key],
        "secret_confirmation": secret or SECRETS[key],
        "security_form": "cash",
        "security_amount": "100000.00",
    }


def _bid_document(key: str) -> bytes:
    return f"TECHNICAL-PROPOSAL-{key}-施工组织设计-{'x' * 1500}".encode()


def _evaluate_and_award(lot, staff, experts, tenderee, clock, drawer):
    """The pool draws the committee, which passes every opened bid and signs; the
    candidates' publicity runs its course; the tenderee awards the first candidate (through
    the services)."""
    draw_committee(lot, drawer=drawer, clock=clock)
    committee.set_committee(lot=lot, actor=staff)
    for bid in lot.bids.filter(state=BidSubmission.State.DECRYPTED):
        committee.decide_qualification(bid=bid, actor=chair_of(lot), qualified=True)
    for expert in experts:
        committee.sign_report(lot=lot, actor=expert)
    awards.publish_candidates(lot=lot, actor=tenderee)
    clock.shift(timedelta(days=4))
    return awards.award_lot(lot=lot, actor=tenderee)


# --- (a) The bidder's path ---------------------------------------------------------------------


def test_a_bidder_tenders_through_the_web_pages(
    clock, tender, centre, venue, staff, tenderee, bidders, experts, drawer
):
    project, lot = tender, tender.lots.get()
    project_url = reverse("trading:project", args=[project.pk])
    submit_url = reverse("trading:submit_bid", args=[project.pk])

    # The public finds the tender in the list, opens it and downloads the document.
    public = browser()
    listing = public.get(reverse("trading:announcements"), {"q": "路桥维修", "kind": "tender"})
    assert listing.status_code == 200
    announcement = project.announcements.get(kind=Announcement.Kind.TENDER)
    assert reverse("trading:announcement", args=[announcement.pk]) in listing.text
    assert (
        public.get(reverse("trading:announcements"), {"q": "不存在的项目"})
        .context["page"]
        .paginator.count
        == 0
    )
    detail = public.get(reverse("trading:announcement", args=[announcement.pk]))
    document = TenderDocument.objects.get(project=project)
    document_url = reverse("trading:document", args=[document.pk])
    assert document_url in detail.text and project_url in detail.text
    page = public.get(project_url)
    assert page.status_code == 200 and document_url in page.text
    assert 'id="bid"' not in page.text  # no bid form for the public
    download = public.get(document_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == DOCUMENT
    assert download["Content-Disposition"].startswith("attachment")

    # The bidder sees the form on the project page; two different secrets are refused.
    bidder = browser(bidders["a"])
    assert 'id="bid"' in bidder.get(project_url).text
    mismatched = _bid_form(lot, "a")
    mismatched["secret_confirmation"] = "another-secret-entirely-4"
    refused = bidder.post(submit_url, mismatched)
    assert (
        refused.status_code == 200 and "secret_confirmation" in refused.context["bid_form"].errors
    )
    assert SECRETS["a"] not in refused.text  # a secret is never written back into a page
    assert not BidSubmission.objects.exists()

    # It submits through the form and keeps the receipt, which it can recompute.
    receipt = bidder.post(submit_url, _bid_form(lot, "a"))
    assert receipt.status_code == 200
    assert "no-store" in receipt["Cache-Control"]
    bid = BidSubmission.objects.get(entity=bidders["a"].entity)
    digest, salt = _by_id(receipt, "receipt-digest"), _by_id(receipt, "receipt-salt")
    recomputed = sealing.receipt_digest(
        manifest={
            "project": str(project.pk),
            "lot": str(lot.pk),
            "bidder": bidders["a"].entity.uscc,
            "price": PRICES["a"],
            "currency": "CNY",
        },
        documents=[("技术标-a.pdf", _bid_document("a"))],
        salt=bytes.fromhex(salt),
    )
    assert digest == recomputed == bid.receipt_digest
    assert _by_id(receipt, "receipt-envelope-digest") == bid.envelope_digest
    assert _by_id(receipt, "receipt-received-at") == timezone.localtime(bid.received_at).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    assert SECRETS["a"] not in receipt.text and "4198000" not in receipt.text
    assert 'id="bid"' not in bidder.get(project_url).text  # one live bid per lot

    # It tests its secret: success, and a wrong secret is told apart.
    test_url = reverse("trading:test_decrypt", args=[bid.pk])
    assert 'data-outcome="test_ok"' in bidder.post(test_url, {"secret": SECRETS["a"]}).text
    wrong = bidder.post(test_url, {"secret": "not-the-right-secret-9"})
    assert 'data-outcome="wrong_secret"' in wrong.text

    # It withdraws (after a confirmation page) and the security comes back in full.
    withdraw_url = reverse("trading:withdraw_bid", args=[bid.pk])
    confirmation = bidder.get(withdraw_url)
    assert confirmation.status_code == 200 and f'action="{withdraw_url}"' in confirmation.text
    assert bidder.post(withdraw_url).url == reverse("trading:my_bids")
    bid.refresh_from_db()
    assert bid.state == BidSubmission.State.WITHDRAWN
    security = BidSecurity.objects.get(lot=lot, entity=bidders["a"].entity)
    assert security.state == "refunded" and security.refunded_amount == security.amount

    # ... and submits again.
    assert 'id="bid"' in bidder.get(project_url).text
    again = bidder.post(submit_url, _bid_form(lot, "a"))
    assert again.status_code == 200
    bid = BidSubmission.objects.get(entity=bidders["a"].entity, state="submitted")
    assert _by_id(again, "receipt-digest") == bid.receipt_digest
    my_bids = bidder.get(reverse("trading:my_bids"))
    assert f'data-bid="{bid.pk}"' in my_bids.text and 'data-bid-state="withdrawn"' in my_bids.text
    for key in "bc":
        submit(lot, bidders[key], key, price=PRICES[key])

    # After the deadline, on the server clock, the form refuses and the page no longer offers it.
    clock.move_to(DEADLINE + timedelta(seconds=1))
    bidder = browser(bidders["a"])  # three weeks on, the session has expired: log in again
    late = bidder.post(submit_url, _bid_form(lot, "a", price="4100000.00"))
    assert late.status_code == 200 and late.context["bid_form"].non_field_errors()
    assert BidSubmission.objects.filter(entity=bidders["a"].entity).count() == 2
    assert 'id="bid"' not in bidder.get(project_url).text

    # Staff schedule the opening in a venue (it lands in the venue calendar) and start it.
    host = browser(staff)
    scheduled = host.post(
        reverse("trading:schedule_opening", args=[project.pk]),
        {
            "venue": venue.pk,
            "starts_at": "2026-03-23T09:30",
            "duration_minutes": 120,
            "decrypt_window_minutes": 30,
        },
    )
    session = OpeningSession.objects.get(project=project)
    assert scheduled.url == reverse("trading:opening", args=[session.pk])
    assert VenueBooking.objects.filter(venue=venue, opening=session).exists()
    host.post(reverse("trading:start_opening", args=[session.pk]))
    session.refresh_from_db()
    assert session.state == OpeningSession.State.DECRYPTING

    # The bidder decrypts through the form, within the window the server clock counts down.
    decrypt_url = reverse("trading:decrypt_bid", args=[bid.pk])
    decrypt_page = bidder.get(decrypt_url)
    assert _by_id(decrypt_page, "window-remaining") == "30:00"
    assert 'hx-trigger="every 5s"' in decrypt_page.text
    clock.shift(timedelta(minutes=4, seconds=30))
    status = bidder.get(
        reverse("trading:opening_status", args=[session.pk]), headers={"HX-Request": "true"}
    )
    assert "<html" not in status.text and _by_id(status, "window-remaining") == "25:30"
    assert "data-pending" not in status.text  # the counts are for the centre's staff
    staff_status = host.get(reverse("trading:opening_status", args=[session.pk]))
    assert 'data-pending="1">3<' in staff_status.text
    assert bidder.post(decrypt_url, {"secret": SECRETS["a"]}).url == reverse("trading:my_bids")
    bid.refresh_from_db()
    assert bid.state == BidSubmission.State.DECRYPTED
    for key in "bc":
        other = BidSubmission.objects.get(entity=bidders[key].entity)
        assert openings.decrypt_bid(bid=other, actor=bidders[key], secret=SECRETS[key]).ok
    host.post(reverse("trading:close_opening", args=[session.pk]))
    session.refresh_from_db()
    assert session.state == OpeningSession.State.CLOSED

    # After the opening, the bidder sees the opening record with its price.
    page = bidder.get(project_url)
    assert 'data-kind="opening_record"' in page.text
    assert "4198000.00" in page.text and bidders["b"].entity.name in page.text

    # Once the lot is awarded, it sees the result.
    _evaluate_and_award(lot, staff, experts, tenderee, clock, drawer)
    page = bidder.get(project_url)
    assert 'data-kind="result"' in page.text
    winner = re.search(r"data-winner>([^<]*)<", page.text).group(1).strip()
    assert winner == bidders["a"].entity.name
    assert "data-won" in bidder.get(reverse("trading:my_bids")).text


# --- (b) The tenderee's statutory refusals -------------------------------------------------------


def test_the_announcement_form_shows_each_statutory_violation_and_publishes_nothing(
    clock, centre, staff, tenderee
):
    project = _submitted_project(tenderee, centre)
    projects.register_project(project=project, actor=staff)
    url = reverse("trading:publish_announcement", args=[project.pk])
    form = {
        "title": "漳州市示范路桥维修工程招标公告",
        "body": "招标条件、项目概况……",
        "documents_issued_at": "2026-03-02T09:00",
        "documents_sale_ends_at": "2026-03-04T17:00",  # 2 days: at least 5
        "bid_deadline": "2026-03-12T09:30",  # 10 days after the documents: at least 20
        "opening_at": "2026-03-12T09:30",
        "security_1": "200000.00",  # 4 % of the estimate: at most 2 %
        "documents": [SimpleUploadedFile("招标文件.pdf", DOCUMENT)],
    }

    refused = browser(tenderee).post(url, form)

    assert refused.status_code == 200
    violations = {v["rule"]: v for v in refused.context["violations"]}
    expected = {
        "engineering.documents_sale_period": ("documents_sale_ends_at", "实施条例 第16条"),
        "engineering.documents_to_deadline": ("bid_deadline", "招标投标法 第24条"),
        "engineering.bid_security_cap": ("security_1", "实施条例 第26条"),
    }
    assert set(expected) <= set(violations)
    errors = refused.context["form"].errors
    for rule, (field, source) in expected.items():
        assert violations[rule]["source"] == source
        assert f'data-rule="{rule}"' in refused.text  # in the list at the top ...
        assert f'href="#id_{field}"' in refused.text  # ... linked to its field ...
        assert any(source in message for message in errors[field])  # ... and next to it
        assert refused.text.count(source) >= 2
    project.refresh_from_db()
    assert project.state == Project.State.REGISTERED
    assert not Schedule.objects.filter(project=project).exists()
    assert not Announcement.objects.filter(project=project).exists()
    assert not TenderDocument.objects.filter(project=project).exists()

    # A lawful schedule is published, with its document.
    form.update(
        documents_sale_ends_at="2026-03-09T17:00",
        bid_deadline="2026-03-23T09:30",
        opening_at="2026-03-23T09:30",
        security_1="100000.00",
        documents=[SimpleUploadedFile("招标文件.pdf", DOCUMENT)],
    )
    published = browser(tenderee).post(url, form)
    assert published.status_code == 302
    project.refresh_from_db()
    assert project.state == Project.State.ANNOUNCED
    assert project.schedule.bid_deadline == DEADLINE
    assert TenderDocument.objects.get(project=project).size == len(DOCUMENT)


# --- (c) Sealed until the opening --------------------------------------------------------------


def test_before_the_opening_staff_and_tenderee_see_the_count_but_no_bidder_and_no_price(
    clock, tender, staff, tenderee, bidders
):
    lot = tender.lots.get()
    for key in "abc":
        submit(lot, bidders[key], key, price=PRICES[key])
    pages = [
        (staff, reverse("trading:project", args=[tender.pk])),
        (staff, reverse("trading:centre_queue")),
        (staff, reverse("trading:lot", args=[lot.pk])),
        (tenderee, reverse("trading:project", args=[tender.pk])),
        (tenderee, reverse("trading:my_projects")),
        (tenderee, reverse("trading:lot", args=[lot.pk])),
    ]
    for user, url in pages:
        response = browser(user).get(url)
        assert response.status_code == 200, url
        assert re.search(r'data-bids-received="\d+">3\b', response.text), url
        _assert_sealed(response.text, bidders, url)

    # A bidder sees its own receipt, neither the others nor how many they are; the public
    # sees none of it.
    own = browser(bidders["a"]).get(reverse("trading:project", args=[tender.pk]))
    assert BidSubmission.objects.get(entity=bidders["a"].entity).receipt_digest in own.text
    assert "data-bids-received" not in own.text
    _assert_sealed(own.text, {k: v for k, v in bidders.items() if k != "a"}, "bidder a")
    assert "4198000" not in own.text
    public = browser().get(reverse("trading:project", args=[tender.pk]))
    _assert_sealed(public.text, bidders, "public")


def _assert_sealed(text: str, bidders: dict, where: str) -> None:
    for key, user in bidders.items():
        assert user.entity.name not in text, where
        assert user.entity.uscc not in text, where
        assert PRICES[key] not in text and f"{Decimal(PRICES[key]):,.2f}" not in text, where


# --- (d) The centre's boundary -----------------------------------------------------------------


def test_staff_of_another_centre_cannot_open_the_session(
    clock, tender, staff, other_staff, venue, bidders
):
    lot = tender.lots.get()
    for key in "abc":
        submit(lot, bidders[key], key, price=PRICES[key])
    clock.move_to(DEADLINE)
    session = openings.schedule_opening(project=tender, actor=staff, venue=venue)
    outsider = browser(other_staff)

    assert outsider.get(reverse("trading:opening", args=[session.pk])).status_code in {403, 404}
    started = outsider.post(reverse("trading:start_opening", args=[session.pk]))
    assert started.status_code in {403, 404}
    assert outsider.get(reverse("trading:lot", args=[lot.pk])).status_code in {403, 404}
    assert outsider.get(reverse("trading:committee", args=[lot.pk])).status_code in {403, 404}
    session.refresh_from_db()
    assert session.state == OpeningSession.State.SCHEDULED

    page = browser(staff).get(reverse("trading:opening", args=[session.pk]))
    assert page.status_code == 200
    assert reverse("trading:start_opening", args=[session.pk]) in page.text


# --- (e) Bounded queries on list pages -----------------------------------------------------------


def test_list_pages_keep_a_bounded_number_of_queries(
    clock, django_assert_max_num_queries, centre, staff, tenderee, bidders, experts, drawer
):
    # Five announced projects, each with three bids; one of them opened and evaluated.
    titles = [f"示范工程{i}号" for i in range(5)]
    tenders = []
    for title in titles:
        project = _submitted_project(tenderee, centre, title=title)
        projects.register_project(project=project, actor=staff)
        _announce(project, tenderee)
        tenders.append(project)
        for key in "abc":
            submit(project.lots.get(), bidders[key], key, price=PRICES[key])
    _submitted_project(tenderee, centre, title="待登记工程")  # one waits in the queue
    clock.move_to(DEADLINE)
    lot = tenders[0].lots.get()
    session = openings.schedule_opening(project=tenders[0], actor=staff, venue=_venue(centre))
    openings.start_opening(session=session, actor=staff)
    for key in "abc":
        bid = BidSubmission.objects.get(lot=lot, entity=bidders[key].entity)
        openings.decrypt_bid(bid=bid, actor=bidders[key], secret=SECRETS[key])
    openings.close_opening(session=session, actor=staff)
    draw_committee(lot, drawer=drawer, clock=clock)
    committee.set_committee(lot=lot, actor=staff)
    public, bidder, owner = browser(), browser(bidders["a"]), browser(tenderee)
    host, expert = browser(staff), browser(experts[1])

    # The filter form's categories and regions (2), the page's count and rows with their
    # project, category, region and lot in one join (2). No session for the public.
    with django_assert_max_num_queries(4):
        response = public.get(reverse("trading:announcements"))
    assert response.status_code == 200 and response.context["page"].paginator.count >= 6

    # Session and user (2), the due-openings sweep (1), the count (1), the bids with their
    # lot, project, schedule, opening, method and award in one join (1).
    with django_assert_max_num_queries(5):
        response = bidder.get(reverse("trading:my_bids"))
    assert len(response.context["page"].object_list) == 5

    # Session and user (2), the count and the projects (2), their lots with bid counts (1).
    with django_assert_max_num_queries(5):
        response = owner.get(reverse("trading:my_projects"))
    assert len(response.context["page"].object_list) == 6

    # Session and user (2), the centre (1), the guardian check (2), the sweep (1), the
    # projects with their schedule and opening (1), their lots with bid counts (1).
    with django_assert_max_num_queries(8):
        response = host.get(reverse("trading:centre_queue"))
    assert sum(len(projects) for _state, _label, projects in response.context["groups"]) == 6

    # Session and user (2), the seats with their lot, project and report (1).
    with django_assert_max_num_queries(3):
        response = expert.get(reverse("trading:my_evaluations"))
    assert len(response.context["seats"]) == 1


def _venue(centre):
    from tests import factories

    return factories.VenueFactory(centre=centre, name="第二开标室")


# --- The tenderee's, the centre's and the committee's pages, end to end -------------------------


def _formset(prefix: str, rows: list[dict], total: int, initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(total),
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def test_a_procurement_runs_through_the_pages_of_tenderee_centre_and_committee(
    clock, centre, venue, staff, tenderee, bidders, experts, drawer
):
    owner, host = browser(tenderee), browser(staff)

    # The purchaser brings the project with one lot (the other rows stay blank).
    form = {
        "title": "漳州市示范学校课桌椅采购",
        "category": Category.objects.get(code="procurement").pk,
        "method": TradingMethod.objects.get(code="open_tender").pk,
        "subject": "goods",
        "funding_source": "fiscal",
        "centre": centre.pk,
        "region": "",
        "approval_number": "",
        "description": "",
        **_formset(
            "lots",
            [
                {
                    "name": "课桌椅",
                    "estimate_amount": "5000000.00",
                    "bid_security_amount": "",
                    "evaluation_method": "comprehensive",
                },
                {"name": "", "estimate_amount": "", "evaluation_method": "lowest_price"},
            ],
            total=5,
        ),
    }
    created = owner.post(reverse("trading:create_project"), form)
    project = Project.objects.get(title="漳州市示范学校课桌椅采购")
    assert created.url == reverse("trading:project", args=[project.pk])
    lot = project.lots.get()
    assert lot.evaluation_method == "comprehensive" and project.region == centre.region

    # The centre registers it from its queue.
    queue = host.get(reverse("trading:centre_queue"))
    assert reverse("trading:register", args=[project.pk]) in queue.text
    host.post(reverse("trading:register", args=[project.pk]))
    project.refresh_from_db()
    assert project.state == Project.State.REGISTERED and project.transaction_code

    # The criteria: a price weight below the law's is refused, then a lawful scheme is saved.
    criteria_url = reverse("trading:criteria", args=[lot.pk])
    rows = [
        {"code": "price", "name": "价格", "kind": "price", "weight": "20"},
        {"code": "tech", "name": "技术", "kind": "technical", "weight": "80"},
    ]
    refused = owner.post(criteria_url, _formset("criteria", rows, total=6))
    assert refused.status_code == 200 and refused.context["problems"]
    rows = [
        {"code": "price", "name": "价格", "kind": "price", "weight": "30"},
        {"code": "tech", "name": "技术", "kind": "technical", "weight": "50"},
        {"code": "biz", "name": "商务", "kind": "business", "weight": "20"},
    ]
    assert owner.post(criteria_url, _formset("criteria", rows, total=6)).status_code == 302
    assert sorted(lot.criteria.values_list("code", flat=True)) == ["biz", "price", "tech"]

    # The announcement, then a clarification that affects the bids: the deadline moves.
    announced = owner.post(
        reverse("trading:publish_announcement", args=[project.pk]),
        {
            "title": "课桌椅采购公告",
            "body": "采购需求……",
            "documents_issued_at": "2026-03-02T09:00",
            "documents_sale_ends_at": "2026-03-09T17:00",
            "bid_deadline": "2026-03-23T09:30",
            "opening_at": "2026-03-23T09:30",
            "security_1": "0",
        },
    )
    assert announced.status_code == 302
    clock.move_to(local(2026, 3, 16, 10, 0))
    owner = browser(tenderee)
    clarify_url = reverse("trading:publish_clarification", args=[project.pk])
    preview = owner.get(clarify_url)
    assert 'id="pushed-deadline"' in preview.text
    clarified = owner.post(
        clarify_url,
        {
            "title": "技术参数澄清",
            "body": "第三章技术参数修改如下……",
            "affects_bid_preparation": "on",
        },
    )
    assert clarified.status_code == 302
    schedule = Schedule.objects.get(project=project)
    assert schedule.bid_deadline > DEADLINE and schedule.original_bid_deadline == DEADLINE
    page = owner.get(reverse("trading:project", args=[project.pk]))
    assert 'data-kind="change"' in page.text
    assert timezone.localtime(schedule.bid_deadline).strftime("%Y-%m-%d %H:%M") in page.text

    # Bids arrive; the opening is scheduled, started and closed through the pages.
    for key in "abc":
        bid, _receipt = _submit_without_security(lot, bidders[key], key)
    clock.move_to(schedule.opening_at)
    host = browser(staff)
    host.post(
        reverse("trading:schedule_opening", args=[project.pk]),
        {
            "venue": venue.pk,
            "starts_at": timezone.localtime(schedule.opening_at).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 120,
            "decrypt_window_minutes": 30,
        },
    )
    session = OpeningSession.objects.get(project=project)
    host.post(reverse("trading:start_opening", args=[session.pk]))
    for key in "abc":
        bid = BidSubmission.objects.get(lot=lot, entity=bidders[key].entity)
        openings.decrypt_bid(bid=bid, actor=bidders[key], secret=SECRETS[key])
    host.post(reverse("trading:close_opening", args=[session.pk]))
    lot.refresh_from_db()
    assert lot.state == "opened"

    # The pool draws five experts, who confirm. The centre seats the committee: it names no
    # expert, only representatives; an even committee is refused with the rule.
    draw_committee(lot, drawer=drawer, clock=clock)
    committee_url = reverse("trading:committee", args=[lot.pk])
    page = host.get(committee_url)
    assert not any(e.username in page.text for e in experts)  # sealed until seated
    even = host.post(committee_url, _formset("members", [{"username": tenderee.username}], total=9))
    assert even.status_code == 200
    assert any("committee_size" in v["rule"] for v in even.context["violations"])
    unknown = host.post(committee_url, _formset("members", [{"username": "nobody"}], total=9))
    assert unknown.context["formset"].forms[0].errors["username"]
    seated = host.post(committee_url, _formset("members", [], total=9))
    assert seated.status_code == 302 and lot.committee.count() == 5

    # The committee: the chair passes each bid, every member scores and signs.
    chair = browser(chair_of(lot))
    assert (
        reverse("trading:evaluation", args=[lot.pk])
        in chair.get(reverse("trading:my_evaluations")).text
    )
    evaluation_url = reverse("trading:evaluation", args=[lot.pk])
    page = chair.get(evaluation_url)
    assert bidders["a"].entity.name in page.text and PRICES["a"] in page.text
    bids = {key: BidSubmission.objects.get(lot=lot, entity=bidders[key].entity) for key in "abc"}
    rejection = chair.post(
        reverse("trading:qualification", args=[bids["c"].pk]),
        {f"bid-{bids['c'].pk}-decision": "reject", f"bid-{bids['c'].pk}-reason": ""},
    )
    assert rejection.status_code == 200  # a rejection needs its reason
    for bid in bids.values():
        chair.post(
            reverse("trading:qualification", args=[bid.pk]),
            {f"bid-{bid.pk}-decision": "pass", f"bid-{bid.pk}-reason": ""},
        )
    assert all(b.qualified for b in BidSubmission.objects.filter(lot=lot))
    technical = {"a": ("48", "18"), "b": ("30", "15"), "c": ("40", "16")}
    for expert in experts:
        member = browser(expert)
        scores = {}
        for key, (tech, biz) in technical.items():
            scores[f"score_{bids[key].pk}_tech"] = tech
            scores[f"score_{bids[key].pk}_biz"] = biz
        assert member.post(reverse("trading:scores", args=[lot.pk]), scores).status_code == 302
        member.post(reverse("trading:sign_report", args=[lot.pk]))
    lot.refresh_from_db()
    assert lot.state == "evaluated"
    ranking = browser(experts[2]).get(evaluation_url)
    first = re.search(r'data-rank="1" data-bid="(\d+)"', ranking.text).group(1)
    assert int(first) == bids["a"].pk

    # The purchaser publishes the candidates and awards: another candidate needs a reason.
    owner = browser(tenderee)
    owner.post(reverse("trading:publish_candidates", args=[lot.pk]))
    award_url = reverse("trading:award", args=[lot.pk])
    without_reason = owner.post(award_url, {"bid": bids["c"].pk, "reason": ""})
    assert without_reason.status_code == 200
    assert without_reason.context["award_form"].errors["reason"]
    workspace = owner.get(reverse("trading:lot", args=[lot.pk]))
    assert f'value="{bids["a"].pk}"' in workspace.text
    assert workspace.context["award_form"]["bid"].value() == bids["a"].pk  # first by default
    assert owner.post(award_url, {"bid": bids["a"].pk, "reason": ""}).status_code == 302

    # The contract and a performance record are published; the centre files and archives.
    assert (
        owner.post(
            reverse("trading:contract", args=[lot.pk]),
            {"amount": PRICES["a"], "duration_days": "60", "key_terms": "交货期60日"},
        ).status_code
        == 302
    )
    contract = lot.contract
    assert (
        owner.post(
            reverse("trading:performance", args=[contract.pk]),
            {"milestone": "到货验收", "description": "全部到货并验收合格", "amount_paid": ""},
        ).status_code
        == 302
    )
    host = browser(staff)
    host.post(reverse("trading:file_lot", args=[lot.pk]))
    host.post(reverse("trading:archive", args=[project.pk]))
    project.refresh_from_db()
    assert project.state == Project.State.ARCHIVED

    # The project's page tells the whole story, in order.
    page = browser().get(reverse("trading:project", args=[project.pk]))
    kinds = re.findall(r'class="timeline__entry" data-kind="(\w+)"', page.text)
    assert kinds == [
        "tender",
        "change",
        "opening_record",
        "candidates",
        "result",
        "contract",
        "performance",
    ]


def _submit_without_security(lot, bidder, key):
    from trading.services import bids

    return bids.submit_bid(
        lot=lot,
        actor=bidder,
        price=Decimal(PRICES[key]),
        documents=[(f"bid-{key}.pdf", _bid_document(key))],
        secret=SECRETS[key],
    )


# --- Every page, every persona ------------------------------------------------------------------


def test_every_page_answers_every_persona_without_a_server_error(
    clock, tender, centre, venue, staff, other_staff, tenderee, bidders, experts, drawer
):
    """A walk through the pages at each stage of a tender, as each persona: no page fails,
    and the personas who may not act get 403 or 404 rather than a form."""
    lot = tender.lots.get()
    submitted = _submitted_project(tenderee, centre, title="待登记工程")
    for key in "abc":
        submit(lot, bidders[key], key, price=PRICES[key])
    bid = BidSubmission.objects.get(entity=bidders["a"].entity)

    def walk(stage: str) -> None:
        session = OpeningSession.objects.filter(project=tender).first()
        urls = [
            reverse("trading:announcements"),
            reverse("trading:announcements") + "?category=engineering&kind=tender&region=x&q=工程",
            reverse("trading:announcement", args=[tender.announcements.first().pk]),
            reverse("trading:project", args=[tender.pk]),
            reverse("trading:project", args=[submitted.pk]),
            reverse("trading:document", args=[tender.documents.first().pk]),
            reverse("trading:submit_bid", args=[tender.pk]),
            reverse("trading:my_bids"),
            reverse("trading:withdraw_bid", args=[bid.pk]),
            reverse("trading:test_decrypt", args=[bid.pk]),
            reverse("trading:decrypt_bid", args=[bid.pk]),
            reverse("trading:my_projects"),
            reverse("trading:create_project"),
            reverse("trading:publish_announcement", args=[tender.pk]),
            reverse("trading:publish_clarification", args=[tender.pk]),
            reverse("trading:lot", args=[lot.pk]),
            reverse("trading:criteria", args=[lot.pk]),
            reverse("trading:centre_queue"),
            reverse("trading:schedule_opening", args=[tender.pk]),
            reverse("trading:committee", args=[lot.pk]),
            reverse("trading:my_evaluations"),
            reverse("trading:evaluation", args=[lot.pk]),
        ]
        if session is not None:
            urls += [
                reverse("trading:opening", args=[session.pk]),
                reverse("trading:opening_status", args=[session.pk]),
            ]
        personas = [None, staff, other_staff, tenderee, *bidders.values(), experts[0]]
        for user in personas:
            client = browser(user)
            for url in urls:
                response = client.get(url)
                assert response.status_code in {200, 302, 403, 404}, (stage, user, url)

    walk("bidding")
    clock.move_to(DEADLINE)
    session = openings.schedule_opening(project=tender, actor=staff, venue=venue)
    walk("scheduled")
    openings.start_opening(session=session, actor=staff)
    walk("decrypting")
    for key in "abc":
        own = BidSubmission.objects.get(entity=bidders[key].entity)
        openings.decrypt_bid(bid=own, actor=bidders[key], secret=SECRETS[key])
    openings.close_opening(session=session, actor=staff)
    walk("opened")
    _evaluate_and_award(lot, staff, experts, tenderee, clock, drawer)
    awards.sign_contract(lot=lot, actor=tenderee, amount=Decimal(PRICES["a"]))
    lot.refresh_from_db()
    walk("contracted")
