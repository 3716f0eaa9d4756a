"""Oversight never operates (管办分离, H1): the supervision connection cannot write, and a
regulator's account changes no trade on any path — every trading API endpoint, every
trading web form, the admin site — while the trade is at a step the tenderee could take."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from portal.tradelog.models import TradeLogEntry
from tests.supervision import scenarios
from tests.trading.conftest import client_for
from trading.models import Lot, Project


def _trading_tables_text() -> str:
    """Every row of every trading table, the holds and the trade log, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("trading_", "tradelog_", "holds_")):
                cursor.execute(f'SELECT t::text FROM "{table}" t ORDER BY 1')  # noqa: S608
                chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks)


@pytest.mark.django_db(transaction=True, databases=["default", "supervision"])
class TestTheSupervisionConnectionCannotWrite:
    def test_orm_writes_through_the_supervision_alias_are_refused(
        self, clock, centre, staff, tenderee
    ):
        trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
        attempts = [
            lambda: (
                Project.objects.using("supervision")
                .filter(pk=trade.project.pk)
                .update(suspended=True)
            ),
            lambda: Lot.objects.using("supervision").filter(pk=trade.lot.pk).update(state="failed"),
            lambda: TradeLogEntry.objects.using("supervision").filter(seq=1).delete(),
            lambda: Project.objects.using("supervision").create(
                title="x",
                category_id=1,
                method_id=1,
                subject="works",
                funding_source="private",
                tenderee_id=1,
                centre_id=1,
                region_id=1,
                submitted_by_id=1,
            ),
        ]
        for attempt in attempts:
            with pytest.raises(DatabaseError, match="permission denied"):
                attempt()
            connections["supervision"].close()
        assert Project.objects.get(pk=trade.project.pk).suspended is False
        assert Lot.objects.get(pk=trade.lot.pk).state == "bidding"

    def test_supervision_own_tables_are_not_writable_through_it_either(self):
        with (
            pytest.raises(DatabaseError, match="permission denied"),
            connections["supervision"].cursor() as cursor,
        ):
            cursor.execute("UPDATE supervision_alert SET status = 'dismissed'")
        connections["supervision"].close()


def _patterns(resolver, prefix=""):
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            yield from _patterns(item, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), item


def _fill(route: str, ids: dict[str, int]) -> str:
    path = route
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        name = path[start + 1 : end].split(":")[-1]
        key = name.removesuffix("_id")
        path = path[:start] + str(ids.get(key, ids["lot"])) + path[end + 1 :]
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def trade_in_publicity(clock, centre, venue, staff, tenderee, bidders, experts):
    """A tender whose candidates' publicity has ended: the tenderee could award right now."""
    plans = scenarios.independent_bids()
    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    scenarios.submit_bids(trade, bidders, plans)
    scenarios.open_bids(trade, clock=clock, venue=venue, staff=staff, bidders=bidders)
    scenarios.evaluate(trade, clock=clock, staff=staff, experts=experts, plans=plans)
    from trading.services import awards

    awards.publish_candidates(lot=trade.lot, actor=tenderee)
    clock.shift(timedelta(days=4))
    return trade


@pytest.mark.django_db
def test_a_regulator_changes_no_trade_through_any_api_or_web_path(
    trade_in_publicity, regulator_dr, tenderee
):
    trade = trade_in_publicity
    bid = trade.bids["b"]
    ids = {
        "project": trade.project.pk,
        "lot": trade.lot.pk,
        "bid": bid.pk,
        "opening": trade.project.opening.pk,
        "announcement": trade.project.announcements.first().pk,
        "document": 0,
        "objection": 0,
        "contract": 0,
    }
    before = _trading_tables_text()
    api = client_for(regulator_dr)
    web = Client()
    web.force_login(regulator_dr)
    tried = []
    payloads = {
        "award": {},
        "contract": {"amount": "4198000.00"},
        "committee": {"members": []},
        "archive": {},
    }
    for route, pattern in _patterns(get_resolver()):
        if not pattern.callback.__module__.startswith("trading."):
            continue
        path = _fill(route, ids)
        data = next((v for k, v in payloads.items() if path.rstrip("/").endswith(k)), {})
        is_api = route.startswith("api/")
        for method in ("post", "put", "patch", "delete"):
            if is_api:
                response = getattr(api, method)(path, data, format="json")
                # The API refuses outright; it never answers a write by a regulator with 2xx.
                assert response.status_code >= 400, (method, path, response.status_code)
            else:
                response = getattr(web, method)(path, data)
            tried.append((method, path, response.status_code))
    assert len(tried) > 150
    assert _trading_tables_text() == before
    assert not TradeLogEntry.objects.filter(actor=regulator_dr).exists()

    # The tenderee, for comparison, can take the step the regulator could not.
    awarded = client_for(tenderee).post(f"/api/v1/lots/{trade.lot.pk}/award/", {}, format="json")
    assert awarded.status_code == 201


@pytest.mark.django_db
def test_a_regulator_has_no_admin_site_even_if_marked_staff(regulator_dr, tenderee):
    regulator_dr.is_staff = True
    regulator_dr.save(update_fields=["is_staff"])
    web = Client()
    web.force_login(regulator_dr)
    for path in ("/admin/", "/admin/entities/marketentity/", "/admin/supervision/alert/"):
        response = web.get(path)
        assert response.status_code in {302, 403}, path
        assert response.status_code != 200
    response = web.post(f"/admin/entities/marketentity/{tenderee.entity.pk}/change/", {"name": "x"})
    assert response.status_code in {302, 403}
    tenderee.entity.refresh_from_db()
    assert tenderee.entity.name != "x"
    assert timezone.now()
