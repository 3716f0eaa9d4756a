# ruff: noqa: F811  (fixtures imported from other conftest files are used by name)
"""The change feed neither skips nor repeats when transactions commit out of order (real
PostgreSQL transactions on separate connections, in threads)."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from portal.notices.models import Notice
from portal.notices.services import publish_notice
from publicportal.index import record_change
from publicportal.models import ChangeLogEntry
from tests import factories
from tests.credit.conftest import (  # noqa: F401  (fixtures)
    credit_reference_data,
    fagai,
    record_measure,
    zhangzhou,
)
from tests.publicportal.conftest import local

pytestmark = pytest.mark.django_db(transaction=True)


def feed(cursor=None, limit=100) -> dict:
    params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
    response = Client().get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content
    return response.json()


def keys(page) -> list[str]:
    return [change["object_key"] for change in page["results"]]


class Writer(threading.Thread):
    """Opens a transaction, does `before_append` (other work of the transaction), appends
    one change (through the feed's own append, or a bare insert), and commits when told."""

    def __init__(self, key: str, *, bare: bool = False, before_append=None, append=None):
        super().__init__(daemon=True)
        self.key, self.bare, self.before_append = key, bare, before_append
        self.append = append  # a business action that feeds the change log itself
        self.begun = threading.Event()
        self.appended = threading.Event()
        self.commit = threading.Event()
        self.backend_pid = None
        self.error = None

    def run(self):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.backend_pid = cursor.fetchone()[0]
                self.begun.set()
                if self.before_append:
                    self.before_append()
                if self.append:
                    self.append()
                elif self.bare:
                    ChangeLogEntry.objects.create(
                        object_type="test", object_key=self.key, action="created"
                    )
                else:
                    record_change(
                        object_type="test", object_key=self.key, action="created", payload={}
                    )
                self.appended.set()
                assert self.commit.wait(timeout=60)
        except Exception as exc:  # reported by the main thread
            self.error = exc
        finally:
            self.begun.set()
            self.appended.set()
            connection.close()


def wait_until_blocked(pid: int) -> None:
    """Until the backend `pid` waits on a lock (polling pg_stat_activity, at most 20 s)."""
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.1)
    raise AssertionError("the second writer never waited")


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


def test_a_later_append_waits_for_the_open_one_and_the_reader_sees_each_once_in_order():
    postgresql_only()
    record_change(object_type="test", object_key="before", action="created", payload={})
    start = feed()
    assert keys(start) == ["before"]

    # The second transaction begins first (so it would commit out of order), then the first
    # appends and stays open; the second's append waits for it.
    go = threading.Event()
    second = Writer("second", before_append=lambda: go.wait(timeout=30))
    second.start()
    assert second.begun.wait(timeout=30)
    first = Writer("first")
    first.start()
    assert first.appended.wait(timeout=30) and first.error is None
    go.set()
    wait_until_blocked(second.backend_pid)
    assert not second.appended.is_set()

    nothing = feed(start["next_cursor"])
    assert keys(nothing) == [] and nothing["next_cursor"] == start["next_cursor"]

    first.commit.set()
    first.join(timeout=30)
    assert second.appended.wait(timeout=30) and second.error is None
    after_first = feed(nothing["next_cursor"])
    assert keys(after_first) == ["first"]  # the second is appended but not committed

    second.commit.set()
    second.join(timeout=30)
    after_second = feed(after_first["next_cursor"])
    assert keys(after_second) == ["second"]
    assert keys(feed(after_second["next_cursor"])) == []


def test_many_writers_and_a_polling_reader_every_change_exactly_once():
    postgresql_only()
    writers, per_writer = 6, 5
    done = threading.Event()
    seen: list[str] = []

    def read():
        cursor = None
        try:
            while True:
                finished = done.is_set()
                page = feed(cursor, limit=3)
                seen.extend(keys(page))
                cursor = page["next_cursor"]
                if finished and not page["results"]:
                    return
        finally:
            connection.close()

    def write(n: int):
        try:
            for i in range(per_writer):
                with transaction.atomic():
                    record_change(
                        object_type="test", object_key=f"{n}-{i}", action="created", payload={}
                    )
                    time.sleep(0.002 * ((n + i) % 3))  # commits interleave unevenly
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done.set()
    reader.join(timeout=60)
    expected = {f"{n}-{i}" for n in range(writers) for i in range(per_writer)}
    assert len(seen) == len(expected) and set(seen) == expected


def test_a_credit_record_and_a_notice_committing_out_of_order_are_each_seen_once(
    fagai, zhangzhou, platform_admin
):
    """The other sources append behind the same lock: a penalty recorded by a regulator
    (fed from its trade-log entry) holds a notice published meanwhile (fed from its save)."""
    postgresql_only()
    entity = factories.EntityFactory(region=zhangzhou)
    notice = Notice.objects.create(kind=Notice.Kind.POLICY, title="政策告知", body="正文")
    start = feed()

    def penalty():
        record_measure(
            fagai,
            entity.uscc,
            valid_from=local(2026, 3, 1, 9, 0),
            valid_to=local(2026, 12, 31, 23, 59),
        )

    first = Writer("credit", append=penalty)
    first.start()
    assert first.appended.wait(timeout=30) and first.error is None
    second = Writer("notice", append=lambda: publish_notice(notice=notice, actor=platform_admin))
    second.start()
    assert second.begun.wait(timeout=30)
    wait_until_blocked(second.backend_pid)
    assert keys(feed(start["next_cursor"])) == []

    first.commit.set()
    first.join(timeout=30)
    assert second.appended.wait(timeout=30) and second.error is None
    after_first = feed(start["next_cursor"])
    assert [c["object_type"] for c in after_first["results"]] == ["credit_record"]

    second.commit.set()
    second.join(timeout=30)
    after_second = feed(after_first["next_cursor"])
    assert keys(after_second) == [f"notice:{notice.pk}"]
    assert keys(feed(after_second["next_cursor"])) == []


def test_without_the_serialised_append_an_id_cursor_would_skip():
    """Why appends are serialised: bare inserts take ids in insert order, not commit order."""
    postgresql_only()
    first, second = Writer("first", bare=True), Writer("second", bare=True)
    first.start()
    assert first.appended.wait(timeout=30)
    second.start()
    assert second.appended.wait(timeout=30)
    second.commit.set()
    second.join(timeout=30)
    cursor_after_second = feed()["next_cursor"]
    first.commit.set()
    first.join(timeout=30)
    assert keys(feed(cursor_after_second)) == []  # "first" is lost to this reader
    assert ChangeLogEntry.objects.filter(object_key="first").exists()


def test_a_bad_cursor_is_refused_by_name():
    response = Client().get("/api/v1/changes/", {"cursor": "abc"})
    assert response.status_code == 400 and "cursor" in response.json()
    assert Client().get("/api/v1/changes/", {"limit": "0"}).status_code == 400


def test_the_feed_carries_a_publication_and_its_withdrawal(clock, centre, staff, tenderee):
    from tests.publicportal.conftest import publish_tender

    project = publish_tender(tenderee=tenderee, staff=staff, centre=centre, title="漳州市路灯工程")
    announcement = project.announcements.get()
    created = feed()
    (change,) = [c for c in created["results"] if c["object_type"] == "publication"]
    assert change["action"] == "created"
    assert change["data"]["title"] == announcement.title
    assert change["data"]["category"] == "engineering"
    key = f"trading:{announcement.pk}"
    announcement.delete()
    (withdrawn,) = feed(created["next_cursor"])["results"]
    assert (withdrawn["object_key"], withdrawn["action"]) == (key, "deleted")
