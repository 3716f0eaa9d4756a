"""Repeated failed logins lock the user/IP pair out (django-axes), on the API too."""

import pytest

pytestmark = pytest.mark.django_db


def test_token_login_locks_out_after_repeated_failures(api, bidder_a):
    for _ in range(5):
        response = api.post(
            "/api/v1/auth/token/", {"username": "bidder_a", "password": "wrong"}, format="json"
        )
        assert response.status_code == 400
    locked = api.post(
        "/api/v1/auth/token/",
        {"username": "bidder_a", "password": "correct-horse-battery"},
        format="json",
    )
    assert locked.status_code in {400, 403, 429}
    assert "token" not in (locked.data if hasattr(locked, "data") and locked.data else {})


def test_correct_password_gets_a_token(api, bidder_a):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "bidder_a", "password": "correct-horse-battery"},
        format="json",
    )
    assert response.status_code == 200
    assert len(response.data["token"]) == 40
