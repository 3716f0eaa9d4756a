"""Enforcement where it matters: a bid on an announced engineering tender (trading calls
`credit.eligibility.entity_eligibility` on every bid) is refused under a market ban, with
the record (its decision number) and the measure named, and accepted again exactly one
second after the ban's last second.

Auction registration and every auction bid call the same interface: see
tests/auctions/test_credit.py.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from portal.errors import ApplicationError
from tests.credit.conftest import client_for, local, record_measure, submit
from tests.trading.conftest import SECRETS
from trading.models import BidSubmission

pytestmark = pytest.mark.django_db

BAN_START = local(2026, 3, 1, 9, 0)
BAN_END = local(2026, 3, 10, 10, 0)  # the ban's last second: 10:00:00 Beijing time


def test_a_banned_entity_s_bid_is_refused_with_the_record_named(announced, bidders, fagai, clock):
    banned = bidders["a"]
    record_measure(
        fagai,
        banned.entity.uscc,
        valid_from=BAN_START,
        valid_to=BAN_END,
        decision_no="漳发改罚〔2026〕12号",
    )
    lot = announced.lots.get()
    clock.move_to(local(2026, 3, 5, 14, 0))
    with pytest.raises(ApplicationError) as refused:
        submit(lot, banned, "a")
    assert refused.value.code == "not_eligible" and refused.value.status_code == 403
    [reason] = refused.value.fields["credit"]
    assert "漳发改罚〔2026〕12号" in str(reason) and "市场禁入" in str(reason)
    assert "漳发改罚〔2026〕12号" in refused.value.message
    assert not BidSubmission.objects.filter(entity=banned.entity).exists()
    # The other bidders are not concerned.
    submit(lot, bidders["b"], "b")


def test_the_ban_lifts_exactly_at_its_end(announced, bidders, fagai, clock):
    banned = bidders["a"]
    record_measure(fagai, banned.entity.uscc, valid_from=BAN_START, valid_to=BAN_END)
    lot = announced.lots.get()

    clock.move_to(BAN_END)  # 10:00:00: still the ban's last second
    with pytest.raises(ApplicationError) as refused:
        submit(lot, banned, "a")
    assert refused.value.code == "not_eligible"

    clock.move_to(BAN_END + timedelta(seconds=1))  # 10:00:01
    bid, receipt = submit(lot, banned, "a")
    assert bid.entity == banned.entity
    assert receipt.received_at == BAN_END + timedelta(seconds=1)


def test_a_ban_recorded_in_another_city_stops_the_bid_the_same_second(
    announced, bidders, fagai_xiamen, xiamen, clock
):
    """Xiamen's regulator records conduct in Xiamen; the ban has no region, so the tender in
    Zhangzhou refuses the bid at once — no cache, no job."""
    banned = bidders["b"]
    clock.move_to(local(2026, 3, 5, 14, 0, 0))
    response = client_for(fagai_xiamen).post(
        "/api/v1/credit/records/",
        {
            "uscc": banned.entity.uscc,
            "kind": "platform_misconduct",
            "severity": "severe",
            "category": "engineering",
            "region": "350200",
            "authority": "厦门市发展和改革委员会",
            "legal_basis": "招标投标法 第54条",
            "decision_no": "厦发改罚〔2026〕3号",
            "reason": "提供虚假业绩材料。",
            "valid_from": local(2026, 3, 5, 14, 0, 0).isoformat(),
            "valid_to": local(2027, 3, 4, 23, 59, 59).isoformat(),
            "measure": "market_ban",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    with pytest.raises(ApplicationError) as refused:
        submit(announced.lots.get(), banned, "b")
    assert "厦发改罚〔2026〕3号" in str(refused.value.fields["credit"][0])


def test_restrictions_elsewhere_do_not_stop_the_bid(
    announced, bidders, fagai, finance, xiamen, fagai_xiamen, clock
):
    entity = bidders["c"].entity
    # Procurement only (finance department).
    record_measure(
        finance,
        entity.uscc,
        measure="restriction",
        category_code="procurement",
        valid_from=BAN_START,
        valid_to=BAN_END,
        authority="漳州市财政局",
        legal_basis="政府采购法 第77条",
    )
    # Engineering, but only in Xiamen.
    record_measure(
        fagai_xiamen,
        entity.uscc,
        measure="restriction",
        region=xiamen,
        measure_region=xiamen,
        valid_from=BAN_START,
        valid_to=BAN_END,
        authority="厦门市发展和改革委员会",
    )
    clock.move_to(local(2026, 3, 5, 14, 0))
    bid, _receipt = submit(announced.lots.get(), bidders["c"], "c")
    assert bid.pk


def _security(amount: str):
    from trading.services.bids import SecurityInput

    return SecurityInput(form="cash", amount=Decimal(amount))


def test_credit_measures_raise_or_reduce_the_bid_security_within_the_legal_cap(
    announced, bidders, fagai, clock
):
    """A dishonest entity's security is raised by half, a red-listed one's halved (G2); the
    raised amount never passes the cap of 2 % of the estimate (实施条例 第26条)."""
    from trading.services.bids import required_security, submit_bid

    lot = announced.lots.get()
    lot.bid_security_amount = Decimal("60000.00")  # the cap is 100,000 (2 % of 5,000,000)
    lot.save(update_fields=["bid_security_amount"])
    clock.move_to(local(2026, 3, 5, 14, 0))
    raised, rewarded = bidders["a"], bidders["b"]
    record_measure(
        fagai,
        raised.entity.uscc,
        measure="higher_bid_security",
        valid_from=BAN_START,
        valid_to=BAN_END,
        decision_no="漳发改罚〔2026〕31号",
    )
    record_measure(
        fagai,
        rewarded.entity.uscc,
        kind="honour",
        measure="red_list_reduced_security",
        valid_from=BAN_START,
        valid_to=local(2027, 2, 28, 23, 59, 59),
        decision_no="漳发改奖〔2026〕2号",
        reason="连续三年守信。",
    )
    at = local(2026, 3, 5, 14, 0)
    assert required_security(lot=lot, entity=raised.entity, at=at)[0] == Decimal("90000.00")
    assert required_security(lot=lot, entity=rewarded.entity, at=at)[0] == Decimal("30000.00")
    assert required_security(lot=lot, entity=bidders["c"].entity, at=at)[0] == Decimal("60000.00")

    def bid(bidder, key, amount):
        return submit_bid(
            lot=lot,
            actor=bidder,
            price=Decimal("4321000.00"),
            documents=[(f"bid-{key}.pdf", b"PROPOSAL")],
            secret=SECRETS[key],
            security=_security(amount),
        )

    with pytest.raises(ApplicationError) as short:
        bid(raised, "a", "60000.00")
    assert short.value.code == "security_short" and "90000.00" in short.value.message
    assert "漳发改罚〔2026〕31号" in short.value.message
    bid(raised, "a", "90000.00")
    bid(rewarded, "b", "30000.00")
    assert BidSubmission.objects.filter(lot=lot).count() == 2

    # Raised by half from 80,000 would be 120,000: the cap keeps it at 100,000.
    lot.bid_security_amount = Decimal("80000.00")
    lot.save(update_fields=["bid_security_amount"])
    assert required_security(lot=lot, entity=raised.entity, at=at)[0] == Decimal("100000.00")
