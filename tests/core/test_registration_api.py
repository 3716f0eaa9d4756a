"""Register once, by the API: POST /api/v1/entities/ (D1–D3)."""

import pytest

from portal.accounts.models import Role, User
from portal.entities.models import MarketEntity
from portal.tradelog.models import TradeLogEntry
from tests.factories import make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def payload(city):
    return {
        "uscc": make_uscc(4242),
        "name": "漳州路桥建设有限公司",
        "entity_type": "enterprise",
        "legal_representative": "李四",
        "region": city.code,
        "contact_phone": "0596-2345678",
        "username": "luqiao_admin",
        "password": "Sturdy-passphrase-2026",
        "email": "admin@luqiao.example.cn",
    }


def test_registration_creates_the_entity_and_its_admin(api, payload):
    response = api.post("/api/v1/entities/", payload, format="json")

    assert response.status_code == 201, response.data
    assert response.data["uscc"] == payload["uscc"]
    entity = MarketEntity.objects.get(uscc=payload["uscc"])
    admin = User.objects.get(username="luqiao_admin")
    assert admin.entity == entity and admin.is_entity_admin and admin.role == Role.BIDDER
    assert admin.check_password(payload["password"])
    assert TradeLogEntry.objects.filter(
        action="entity.registered", object_id=str(entity.pk)
    ).exists()


def test_lower_case_code_is_normalised(api, payload):
    payload["uscc"] = payload["uscc"].lower()
    response = api.post("/api/v1/entities/", payload, format="json")
    assert response.status_code == 201
    assert MarketEntity.objects.filter(uscc=payload["uscc"].upper()).exists()


@pytest.mark.parametrize(
    ("mangle", "rule"),
    [
        (lambda code: code[:17], "uscc_length"),
        (lambda code: code[:5] + "I" + code[6:], "uscc_character"),
        (lambda code: code[:17] + ("0" if code[17] != "0" else "1"), "uscc_check_digit"),
    ],
)
def test_invalid_code_is_refused_under_uscc_and_nothing_is_written(api, payload, mangle, rule):
    payload["uscc"] = mangle(payload["uscc"])

    response = api.post("/api/v1/entities/", payload, format="json")

    assert response.status_code == 400
    assert response.data["code"] == rule
    assert response.data["uscc"]
    assert not MarketEntity.objects.exists()
    assert not User.objects.filter(username="luqiao_admin").exists()


def test_duplicate_code_says_who_holds_it_and_how_to_join(api, payload):
    assert api.post("/api/v1/entities/", payload, format="json").status_code == 201
    second = {**payload, "username": "someone_else", "name": "另一家公司"}

    response = api.post("/api/v1/entities/", second, format="json")

    assert response.status_code == 409
    assert "漳州路桥建设有限公司" in response.data["uscc"][0]
    assert response.data["code"] == "uscc_registered"
    assert not User.objects.filter(username="someone_else").exists()
    assert MarketEntity.objects.count() == 1


def test_weak_password_is_refused_and_nothing_is_written(api, payload):
    payload["password"] = "12345678"
    response = api.post("/api/v1/entities/", payload, format="json")
    assert response.status_code == 400
    assert response.data["password"]
    assert not MarketEntity.objects.exists()


def test_missing_field_is_named(api, payload):
    del payload["legal_representative"]
    response = api.post("/api/v1/entities/", payload, format="json")
    assert response.status_code == 400
    assert "legal_representative" in response.data


def test_public_profile_hides_bank_and_contacts(api, payload):
    api.post("/api/v1/entities/", payload, format="json")
    MarketEntity.objects.filter(uscc=payload["uscc"]).update(bank_account_number="6222020000000001")

    response = api.get(f"/api/v1/entities/{payload['uscc']}/")

    assert response.status_code == 200
    assert response.data["name"] == payload["name"]
    assert "6222020000000001" not in response.content.decode()
    assert "contact_phone" not in response.data


def test_token_then_profile_edit_then_history(api, payload, regulator):
    api.post("/api/v1/entities/", payload, format="json")
    token = api.post(
        "/api/v1/auth/token/",
        {"username": payload["username"], "password": payload["password"]},
        format="json",
    ).data["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    edit = api.patch(
        f"/api/v1/entities/{payload['uscc']}/",
        {"legal_representative": "王五", "bank_account_number": "6222020000000002"},
        format="json",
    )
    assert edit.status_code == 200, edit.data
    assert edit.data["legal_representative"] == "王五"

    history = api.get(f"/api/v1/entities/{payload['uscc']}/history/").data
    assert history[0]["changed_by"] == payload["username"]
    assert history[0]["changes"]["legal_representative"] == {"from": "李四", "to": "王五"}

    api.credentials()
    api.force_authenticate(regulator)
    assert api.get(f"/api/v1/entities/{payload['uscc']}/history/").status_code == 200


def test_invited_member_joins_the_entity(api, payload):
    api.post("/api/v1/entities/", payload, format="json")
    admin = User.objects.get(username=payload["username"])
    api.force_authenticate(admin)
    invitation = api.post(
        f"/api/v1/entities/{payload['uscc']}/invitations/",
        {"email": "colleague@luqiao.example.cn", "role": "bidder"},
        format="json",
    )
    assert invitation.status_code == 201
    api.force_authenticate(None)

    accepted = api.post(
        f"/api/v1/invitations/{invitation.data['token']}/accept/",
        {"username": "colleague", "password": "Another-sturdy-pass-9"},
        format="json",
    )
    assert accepted.status_code == 201
    member = User.objects.get(username="colleague")
    assert member.entity.uscc == payload["uscc"] and not member.is_entity_admin

    reused = api.post(
        f"/api/v1/invitations/{invitation.data['token']}/accept/",
        {"username": "colleague2", "password": "Another-sturdy-pass-9"},
        format="json",
    )
    assert reused.status_code == 404


def test_first_history_record_names_the_registering_account(api, payload):
    api.post("/api/v1/entities/", payload, format="json")
    entity = MarketEntity.objects.get(uscc=payload["uscc"])
    assert entity.history.get(history_type="+").history_user.username == payload["username"]
