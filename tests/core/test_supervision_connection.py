"""Supervision reads through its own connection, whose role may only SELECT (H1)."""

import pytest
from django.db import DatabaseError, connections, transaction

from portal.tradelog.services import append_entry

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "supervision"])


def _reader():
    return connections["supervision"]


def test_supervision_connection_uses_its_own_role():
    with _reader().cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "portal_supervision"


def test_supervision_reads_the_trade_log_and_entities(bidder_a):
    with transaction.atomic():
        append_entry(action="test.read", object_type="t", object_id=1, payload={"a": 1})
    with _reader().cursor() as cursor:
        cursor.execute("SELECT action FROM tradelog_tradelogentry")
        assert ("test.read",) in cursor.fetchall()
        cursor.execute("SELECT uscc FROM entities_marketentity")
        assert (bidder_a.entity.uscc,) in cursor.fetchall()


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO tradelog_tradelogentry (seq, occurred_at, action, object_type, object_id, "
        "category, payload, payload_digest, prev_hash, entry_hash) VALUES (999, now(), 'forged', "
        "'t', '1', '', '{}', 'x', 'x', 'x')",
        "UPDATE entities_marketentity SET name = 'forged'",
        "DELETE FROM centres_venuebooking",
        "UPDATE accounts_user SET is_superuser = true",
        "CREATE TABLE supervision_scratch (id int)",
    ],
)
def test_writes_through_the_supervision_connection_fail(statement, bidder_a):
    with pytest.raises(DatabaseError, match="permission denied"), _reader().cursor() as cursor:
        cursor.execute(statement)
    _reader().close()


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT key FROM authtoken_token",
        "SELECT session_data FROM django_session",
        "SELECT password FROM accounts_user",
        # The experts drawn for a trade, before the reveal (F6).
        "SELECT expert_id FROM experts_drawinvitation",
    ],
)
def test_secrets_that_would_allow_impersonation_are_withheld(statement):
    with pytest.raises(DatabaseError, match="permission denied"), _reader().cursor() as cursor:
        cursor.execute(statement)
    _reader().close()
