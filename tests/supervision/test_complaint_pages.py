"""The bidder's complaint pages: file a complaint with evidence files, see it and its steps;
a refusal by the service (out of time) shows next to the field it names; others' complaints
stay hidden."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from supervision.models import Complaint
from tests.supervision import scenarios

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "supervision"])


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_bidder_files_a_complaint_with_evidence_and_follows_it(
    clock, centre, staff, tenderee, bidders, regulator_dr
):
    from supervision.services import complaints as complaint_services

    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    web = _web(bidders["a"])
    form = web.get(reverse("supervision:file_complaint"), {"project": trade.project.pk})
    assert form.status_code == 200 and f'value="{trade.project.pk}"' in form.content.decode()

    evidence = b"%PDF-1.7 contract copy"
    response = web.post(
        reverse("supervision:file_complaint"),
        {
            "project": trade.project.pk,
            "lot": trade.lot.pk,
            "grounds": "招标文件设置排他性条款",
            "grounds_known_at": "2026-03-02T08:00",  # Beijing time
            "evidence_1": SimpleUploadedFile("合同.pdf", evidence),
            "evidence_1_description": "业绩合同复印件",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("supervision:complaint", args=[complaint.pk])
    assert complaint.complainant == bidders["a"] and complaint.lot_id_ref == trade.lot.pk
    digest = hashlib.sha256(evidence).hexdigest()
    (item,) = complaint.evidence
    assert item["sha256"] == digest and item["name"] == "合同.pdf"
    with default_storage.open(item["file"]) as stored:
        assert stored.read() == evidence

    complaint_services.decide_acceptance(complaint=complaint, actor=regulator_dr, accept=True)
    page = web.get(reverse("supervision:complaint", args=[complaint.pk])).content.decode()
    assert "招标文件设置排他性条款" in page and digest in page
    assert 'data-step="filed"' in page and 'data-step="accepted"' in page
    assert 'data-complaint-state="accepted"' in page
    listing = web.get(reverse("supervision:complaints")).content.decode()
    assert trade.project.title in listing

    # Another bidder sees neither the complaint nor its page.
    other = _web(bidders["b"])
    assert trade.project.title not in other.get(reverse("supervision:complaints")).content.decode()
    assert other.get(reverse("supervision:complaint", args=[complaint.pk])).status_code == 404


def test_out_of_time_or_incomplete_is_refused_on_the_form(clock, centre, staff, tenderee, bidders):
    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    web = _web(bidders["a"])
    late = web.post(
        reverse("supervision:file_complaint"),
        {
            "project": trade.project.pk,
            "grounds": "评标不公",
            "grounds_known_at": "2026-01-05T09:00",  # long before the 10 days allowed
        },
    )
    assert late.status_code == 200
    assert "grounds_known_at" in late.context["form"].errors
    undescribed = web.post(
        reverse("supervision:file_complaint"),
        {
            "project": trade.project.pk,
            "grounds": "评标不公",
            "grounds_known_at": "2026-03-02T08:00",
            "evidence_1": SimpleUploadedFile("a.pdf", b"x"),
        },
    )
    assert "evidence_1_description" in undescribed.context["form"].errors
    assert not Complaint.objects.exists()
    # Regulators and the public do not file complaints.
    assert _web(staff).get(reverse("supervision:file_complaint")).status_code == 403


def test_the_menu_leads_parties_and_regulators_to_the_complaints_but_not_the_public(
    bidders, tenderee, regulator_dr, staff
):
    link = f'href="{reverse("supervision:complaints")}"'
    home = reverse("home")
    for user in (bidders["a"], tenderee, regulator_dr):
        assert link in _web(user).get(home).content.decode(), user.role
    assert link not in Client().get(home).content.decode()
    assert link not in _web(staff).get(home).content.decode()
