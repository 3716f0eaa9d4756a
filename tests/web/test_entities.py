"""Market entities through the web pages: registration, profile, upkeep, history, invitations.

Assertions compare with the messages the rules and services themselves produce, so they hold
in any interface language.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from portal.accounts.models import Role, User
from portal.entities import services
from portal.entities.models import EntityInvitation, MarketEntity
from portal.entities.uscc import validate_uscc
from portal.errors import ApplicationError
from portal.tradelog.models import TradeLogEntry
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = reverse("entities:register")


def _wrong_check_character(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def _refusal(code: str) -> str:
    with pytest.raises(ApplicationError) as refused:
        services.check_uscc_available(code)
    return refused.value.fields["uscc"][0]


def _nothing_written():
    return (
        MarketEntity.objects.count() == 0
        and not User.objects.filter(role__in=[Role.BIDDER, Role.TENDEREE, Role.AGENT]).exists()
        and TradeLogEntry.objects.count() == 0
    )


# --- Registration ------------------------------------------------------------------------


def test_registration_page_renders_every_field(client):
    response = client.get(REGISTER)
    assert response.status_code == 200
    form = response.context["form"]
    for name in form.fields:
        assert f'name="{name}"' in response.text
    # The code is checked live (htmx) into the same place where its errors show.
    assert f'hx-get="{reverse("entities:check_uscc")}"' in response.text
    assert 'id="uscc-check"' in response.text


def test_valid_registration_creates_entity_and_admin_and_logs_in(client, registration_data):
    response = client.post(REGISTER, registration_data)

    entity = MarketEntity.objects.get()
    user = User.objects.get(username="lisi")
    assert response.status_code == 302
    assert response.url == reverse("entities:detail", args=[entity.uscc])
    assert entity.uscc == registration_data["uscc"]
    assert entity.contact_email == "office@example.cn"
    assert (user.entity, user.role, user.is_entity_admin) == (entity, Role.BIDDER, True)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert TradeLogEntry.objects.filter(action="entity.registered").count() == 1

    profile = client.get(response.url)
    assert entity.name in profile.text
    assert reverse("entities:edit", args=[entity.uscc]) in profile.text


def test_code_typed_in_lower_case_with_blanks_is_normalised(client, registration_data):
    registration_data["uscc"] = f"  {registration_data['uscc'].lower()} "
    client.post(REGISTER, registration_data)
    assert MarketEntity.objects.get().uscc == registration_data["uscc"].strip().upper()


def test_wrong_check_character_names_the_rule_on_the_code_and_creates_nothing(
    client, registration_data
):
    registration_data["uscc"] = _wrong_check_character(registration_data["uscc"])

    response = client.post(REGISTER, registration_data)

    assert response.status_code == 200
    rule = validate_uscc(registration_data["uscc"])
    assert rule.rule == "check_digit"
    assert response.context["form"].errors["uscc"] == [rule.message]
    # Shown next to the field, announced, and tied to the input for screen readers.
    assert 'id="id_uscc_error"' in response.text
    assert escape(rule.message) in response.text
    assert 'aria-invalid="true"' in response.text
    assert _nothing_written()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("code", "rule"),
    [("91350600MA2Y", "length"), ("91350600MA2YI0000X", "character")],
)
def test_each_code_rule_is_named(client, registration_data, code, rule):
    registration_data["uscc"] = code
    response = client.post(REGISTER, registration_data)
    error = validate_uscc(code)
    assert error.rule == rule
    assert response.context["form"].errors["uscc"] == [error.message]
    assert _nothing_written()


def test_already_registered_code_says_so_and_creates_nothing_more(client, registration_data):
    existing = factories.EntityFactory(uscc=registration_data["uscc"], name="已注册公司")

    response = client.post(REGISTER, registration_data)

    assert response.status_code == 200
    message = _refusal(registration_data["uscc"])
    assert existing.name in message
    assert response.context["form"].errors["uscc"] == [message]
    assert MarketEntity.objects.count() == 1
    assert not User.objects.filter(username="lisi").exists()


def test_all_errors_show_at_once(client, registration_data):
    registration_data["uscc"] = _wrong_check_character(registration_data["uscc"])
    registration_data["password_confirmation"] = "something-else-entirely"
    registration_data["name"] = ""

    errors = client.post(REGISTER, registration_data).context["form"].errors

    assert set(errors) == {"uscc", "password_confirmation", "name"}


def test_weak_password_is_refused_by_the_validators(client, registration_data):
    registration_data["password"] = registration_data["password_confirmation"] = "12345678"
    errors = client.post(REGISTER, registration_data).context["form"].errors
    assert len(errors["password"]) >= 2  # too short, and only digits
    assert _nothing_written()


def test_a_refusal_from_the_service_lands_on_its_field(client, registration_data):
    """The user name is checked only by the service (case-insensitively): its error still
    shows on the field, and the registration's transaction leaves nothing behind."""
    factories.BidderFactory(username="LiSi")
    entities_before = MarketEntity.objects.count()

    response = client.post(REGISTER, registration_data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["username"]
    assert MarketEntity.objects.count() == entities_before
    assert not MarketEntity.objects.filter(uscc=registration_data["uscc"]).exists()


def test_live_code_check_returns_the_field_message_only(client, registration_data):
    url = reverse("entities:check_uscc")
    headers = {"HX-Request": "true"}
    bad = _wrong_check_character(registration_data["uscc"])

    refused = client.get(url, {"uscc": bad}, headers=headers)
    free = client.get(url, {"uscc": registration_data["uscc"]}, headers=headers)
    empty = client.get(url, {"uscc": ""}, headers=headers)

    assert refused.status_code == free.status_code == 200
    assert "<html" not in refused.text
    assert escape(validate_uscc(bad).message) in refused.text
    assert 'class="ok"' in free.text and registration_data["uscc"] in free.text
    assert empty.text.strip() == ""


def test_live_code_check_tells_a_registered_code(client, bidder_a):
    code = bidder_a.entity.uscc
    response = client.get(reverse("entities:check_uscc"), {"uscc": code})
    assert escape(_refusal(code)) in response.text


# --- Public profile ----------------------------------------------------------------------


def test_public_profile_shows_public_fields_and_qualifications_only(client, bidder_a):
    entity = bidder_a.entity
    MarketEntity.objects.filter(pk=entity.pk).update(
        bank_account_number="6222020200112233445", contact_email="private@example.cn"
    )
    services.add_qualification(
        entity=entity,
        actor=bidder_a,
        kind="建筑工程施工总承包",
        grade="一级",
        certificate_number="D135000001",
        issuer="福建省住房和城乡建设厅",
    )

    response = client.get(reverse("entities:detail", args=[entity.uscc.lower()]))

    assert response.status_code == 200
    for shown in [entity.name, entity.uscc, entity.legal_representative, "建筑工程施工总承包"]:
        assert shown in response.text
    for private in ["6222020200112233445", "private@example.cn", entity.contact_phone]:
        assert private not in response.text
    assert reverse("entities:edit", args=[entity.uscc]) not in response.text


def test_unknown_profile_is_404(client):
    assert client.get(reverse("entities:detail", args=["X" * 18])).status_code == 404


# --- Profile upkeep ----------------------------------------------------------------------


def _profile_data(entity, **changes):
    data = {
        "name": entity.name,
        "entity_type": entity.entity_type,
        "legal_representative": entity.legal_representative,
        "region": entity.region_id,
        "address": entity.address,
        "contact_name": entity.contact_name,
        "contact_phone": entity.contact_phone,
        "contact_email": entity.contact_email,
        "bank_name": entity.bank_name,
        "bank_account_name": entity.bank_account_name,
        "bank_account_number": entity.bank_account_number,
    }
    return {**data, **changes}


def test_entity_admin_edits_the_profile(client_for, bidder_a):
    entity = bidder_a.entity
    url = reverse("entities:edit", args=[entity.uscc])
    browser = client_for(bidder_a)

    assert browser.get(url).status_code == 200
    response = browser.post(url, _profile_data(entity, contact_phone="0596-1111111"))

    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.contact_phone == "0596-1111111"
    entry = TradeLogEntry.objects.get(action="entity.profile_changed")
    assert entry.payload == {"changed": {"contact_phone": "0596-1111111"}}
    assert entry.actor_id == bidder_a.pk


def test_invalid_profile_input_changes_nothing(client_for, bidder_a):
    entity = bidder_a.entity
    response = client_for(bidder_a).post(
        reverse("entities:edit", args=[entity.uscc]),
        _profile_data(entity, contact_email="not-an-address", name="新名称"),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["contact_email"]
    entity.refresh_from_db()
    assert entity.name != "新名称"
    assert not TradeLogEntry.objects.filter(action="entity.profile_changed").exists()


@pytest.mark.parametrize("persona", ["member_a", "bidder_b", "regulator", "staff"])
def test_only_the_entity_admin_may_edit(request, client_for, bidder_a, persona):
    entity = bidder_a.entity
    browser = client_for(request.getfixturevalue(persona))
    url = reverse("entities:edit", args=[entity.uscc])

    assert browser.get(url).status_code == 403
    assert browser.post(url, _profile_data(entity, name="被篡改")).status_code == 403
    entity.refresh_from_db()
    assert entity.name != "被篡改"


def test_anonymous_is_sent_to_log_in_before_editing(client, bidder_a):
    url = reverse("entities:edit", args=[bidder_a.entity.uscc])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_entity_admin_adds_a_qualification(client_for, bidder_a):
    entity = bidder_a.entity
    url = reverse("entities:add_qualification", args=[entity.uscc])
    data = {
        "kind": "市政公用工程施工总承包",
        "grade": "二级",
        "certificate_number": "D235000002",
        "issuer": "漳州市住房和城乡建设局",
        "valid_until": "2028-12-31",
    }
    browser = client_for(bidder_a)

    assert browser.post(url, data).status_code == 302
    duplicate = browser.post(url, data)

    assert entity.qualifications.count() == 1
    assert duplicate.status_code == 200
    assert duplicate.context["qualification_form"].non_field_errors()


# --- History -----------------------------------------------------------------------------


@pytest.fixture
def changed_entity(bidder_a, city):
    other_region = factories.RegionFactory(
        code="350200", name="厦门市", level="city", parent=city.parent
    )
    services.update_entity_profile(
        entity=bidder_a.entity, actor=bidder_a, contact_phone="0596-2222222", region=other_region
    )
    return bidder_a.entity


@pytest.mark.parametrize("persona", ["bidder_a", "member_a", "regulator"])
def test_history_is_visible_to_members_and_regulators(request, client_for, changed_entity, persona):
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("entities:history", args=[changed_entity.uscc])
    )
    assert response.status_code == 200
    items = response.context["items"]
    assert [item["kind"] for item in items] == ["changed", "created"]
    changes = {(change["from"], change["to"]) for change in items[0]["changes"]}
    # Stored values made readable: the region by name, not by its id.
    assert changes == {("0596-1234567", "0596-2222222"), ("漳州市（350600）", "厦门市（350200）")}
    assert "厦门市（350200）" in response.text
    assert "bidder_a" in response.text


@pytest.mark.parametrize("persona", ["bidder_b", "staff"])
def test_history_is_refused_to_other_accounts(request, client_for, changed_entity, persona):
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("entities:history", args=[changed_entity.uscc])
    )
    assert response.status_code == 403
    assert "0596-2222222" not in response.text


def test_history_sends_anonymous_to_log_in(client, changed_entity):
    response = client.get(reverse("entities:history", args=[changed_entity.uscc]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- Invitations -------------------------------------------------------------------------


def test_invitation_from_link_to_member(client, client_for, bidder_a):
    entity = bidder_a.entity
    invite_url = reverse("entities:invite", args=[entity.uscc])
    admin = client_for(bidder_a)

    response = admin.post(invite_url, {"email": "colleague@example.cn", "role": "agent"})
    assert response.status_code == 302
    invitation = EntityInvitation.objects.get()
    link = reverse("entities:accept", args=[invitation.token])
    assert link in admin.get(invite_url).text

    page = client.get(link)
    assert page.status_code == 200
    assert entity.name in page.text
    joined = client.post(
        link,
        {"username": "colleague", "password": PASSWORD, "password_confirmation": PASSWORD},
    )

    assert joined.status_code == 302
    user = User.objects.get(username="colleague")
    assert (user.entity, user.role, user.is_entity_admin) == (entity, Role.AGENT, False)
    assert user.email == "colleague@example.cn"
    assert int(client.session["_auth_user_id"]) == user.pk
    # Used once: the link is gone.
    assert client.get(link).status_code == 404


def test_expired_invitation_offers_no_form(client, bidder_a):
    invitation = services.invite_member(
        entity=bidder_a.entity, actor=bidder_a, email="late@example.cn"
    )
    EntityInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    url = reverse("entities:accept", args=[invitation.token])

    page = client.get(url)
    posted = client.post(
        url, {"username": "late", "password": PASSWORD, "password_confirmation": PASSWORD}
    )

    assert page.status_code == 200 and page.context["expired"]
    assert 'name="username"' not in page.text
    assert posted.status_code == 200
    assert not User.objects.filter(username="late").exists()


def test_unknown_invitation_is_404(client):
    assert client.get(reverse("entities:accept", args=["no-such-token"])).status_code == 404


@pytest.mark.parametrize("persona", ["member_a", "bidder_b"])
def test_only_the_entity_admin_invites(request, client_for, bidder_a, persona):
    url = reverse("entities:invite", args=[bidder_a.entity.uscc])
    browser = client_for(request.getfixturevalue(persona))
    assert browser.get(url).status_code == 403
    assert browser.post(url, {"email": "x@example.cn", "role": "bidder"}).status_code == 403
    assert not EntityInvitation.objects.exists()


def test_regulator_looks_up_an_entity_by_code(client_for, regulator, bidder_a):
    response = client_for(regulator).get(
        reverse("entities:lookup"), {"uscc": f" {bidder_a.entity.uscc.lower()} "}
    )
    assert response.status_code == 302
    assert response.url == reverse("entities:detail", args=[bidder_a.entity.uscc])
