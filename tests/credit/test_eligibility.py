"""The eligibility query: exact at the boundary, scoped by category and region (with
subtypes and sub-regions), one query, no cache; repair; the audit trail."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from credit.eligibility import entity_eligibility, security_adjustment
from credit.models import CreditRecord, Measure, MeasureScope
from credit.services import repairs
from portal.errors import ApplicationError
from portal.tradelog.models import TradeLogEntry
from tests import factories
from tests.credit.conftest import local, record_measure

pytestmark = pytest.mark.django_db

START = local(2026, 3, 1, 9, 0)
END = local(2026, 3, 23, 10, 0)


@pytest.fixture
def entity(db):
    return factories.EntityFactory(name="甲建设有限公司")


def ask(entity, at, *, category_code="engineering", region_code="350600"):
    return entity_eligibility(
        entity=entity, category_code=category_code, region_code=region_code, at=at
    )


def test_a_banned_entity_is_refused_with_the_record_and_measure_named(entity, fagai):
    record = record_measure(
        fagai, entity.uscc, valid_from=START, valid_to=END, decision_no="漳发改罚〔2026〕7号"
    )
    answer = ask(entity, local(2026, 3, 10, 12, 0))
    assert not answer.eligible
    [reason] = answer.reasons
    assert reason.record == "漳发改罚〔2026〕7号" == record.decision_no
    assert reason.measure == "市场禁入"
    assert "漳发改罚〔2026〕7号" in reason.message and "2026-03-23 10:00:00" in reason.message


def test_the_ban_lifts_exactly_after_its_last_second(entity, fagai):
    record_measure(fagai, entity.uscc, valid_from=START, valid_to=END)
    assert ask(entity, START - timedelta(microseconds=1)).eligible
    assert not ask(entity, START).eligible
    assert not ask(entity, END).eligible  # 10:00:00
    assert not ask(entity, END + timedelta(milliseconds=999)).eligible  # 10:00:00.999
    assert ask(entity, END + timedelta(seconds=1)).eligible  # 10:00:01


def test_one_query_answers_and_nothing_is_cached(entity, fagai, django_assert_num_queries):
    at = local(2026, 3, 10, 12, 0)
    # The question: one indexed query on the scope rows.
    with django_assert_num_queries(1):
        assert ask(entity, at).eligible
    record_measure(fagai, entity.uscc, valid_from=START, valid_to=END)
    # The same question sees the new ban at once; a second query reads what to name.
    with django_assert_num_queries(2):
        assert not ask(entity, at).eligible


def test_a_category_restriction_applies_only_in_that_category(entity, fagai, finance):
    record_measure(
        finance,
        entity.uscc,
        measure="restriction",
        category_code="procurement",
        valid_from=START,
        valid_to=END,
        authority="漳州市财政局",
    )
    at = local(2026, 3, 10)
    assert not ask(entity, at, category_code="procurement").eligible
    assert ask(entity, at, category_code="engineering").eligible
    assert ask(entity, at, category_code="land").eligible


def test_a_restriction_on_a_category_covers_its_subtypes(entity, zhangzhou):
    natural_resources = factories.RegulatorFactory(
        username="ziran_zz", department="natural_resources", region=zhangzhou
    )
    record_measure(
        natural_resources,
        entity.uscc,
        measure="restriction",
        category_code="land_mining",
        valid_from=START,
        valid_to=END,
        authority="漳州市自然资源局",
    )
    at = local(2026, 3, 10)
    assert not ask(entity, at, category_code="land").eligible
    assert not ask(entity, at, category_code="mining").eligible
    assert ask(entity, at, category_code="equity").eligible


def test_a_region_restriction_applies_there_and_below_only(
    entity, fagai, zhangzhou, zhangpu, xiamen, province
):
    record_measure(
        fagai,
        entity.uscc,
        measure="restriction",
        measure_region=zhangzhou,
        valid_from=START,
        valid_to=END,
    )
    at = local(2026, 3, 10)
    assert not ask(entity, at, region_code="350600").eligible  # Zhangzhou
    assert not ask(entity, at, region_code="350623").eligible  # Zhangpu county, below it
    assert ask(entity, at, region_code="350200").eligible  # Xiamen
    assert ask(entity, at, region_code="350000").eligible  # the province level


def test_a_ban_without_a_region_applies_everywhere_and_across_categories_when_joint(
    entity, fagai, xiamen
):
    record_measure(
        fagai,
        entity.uscc,
        valid_from=START,
        valid_to=END,
        measure_all_categories=True,
    )
    at = local(2026, 3, 10)
    for category_code in ["engineering", "procurement", "land", "equity"]:
        for region_code in ["350600", "350200", "110000"]:
            assert not ask(
                entity, at, category_code=category_code, region_code=region_code
            ).eligible


def test_a_ban_on_a_code_not_yet_registered_applies_once_it_registers(fagai, zhangzhou):
    uscc = factories.make_uscc(777)
    record_measure(
        fagai,
        uscc,
        valid_from=START,
        valid_to=END,
        entity_name="未注册建设有限公司",
        region=zhangzhou,
    )
    entity = factories.EntityFactory(uscc=uscc)
    assert not ask(entity, local(2026, 3, 10)).eligible


def test_security_adjustment_higher_outweighs_the_red_list(entity, fagai):
    at = local(2026, 3, 10)
    assert (
        security_adjustment(
            entity=entity, category_code="engineering", region_code="350600", at=at
        ).percent
        == 0
    )
    record_measure(
        fagai,
        entity.uscc,
        kind="honour",
        measure="red_list_reduced_security",
        valid_from=START,
        valid_to=END,
        legal_basis="国发〔2016〕33号",
        reason="连续三年无不良记录，获评诚信企业。",
    )
    reduced = security_adjustment(
        entity=entity, category_code="engineering", region_code="350600", at=at
    )
    assert reduced.percent == -50 and reduced.reasons[0].measure == "守信激励：减免投标保证金"
    record_measure(
        fagai, entity.uscc, measure="higher_bid_security", valid_from=START, valid_to=END
    )
    assert (
        security_adjustment(
            entity=entity, category_code="engineering", region_code="350600", at=at
        ).percent
        == 50
    )
    # Neither is a refusal.
    assert ask(entity, at).eligible


def test_repair_shortens_the_ban_with_its_decision_and_is_audited(entity, fagai, clock):
    record = record_measure(fagai, entity.uscc, valid_from=START, valid_to=END)
    measure = record.measures.get()
    new_end = local(2026, 3, 12, 17, 0)
    repair = repairs.repair_measure(
        actor=fagai,
        measure=measure,
        new_valid_to=new_end,
        decision_no="漳发改信修〔2026〕1号",
        authority="漳州市发展和改革委员会",
        decided_on=date(2026, 3, 2),
        reason="已履行行政处罚决定并作出信用承诺。",
    )
    measure.refresh_from_db()
    assert (measure.valid_to, measure.decided_valid_to) == (new_end, END)
    assert set(MeasureScope.objects.filter(measure=measure).values_list("valid_to", flat=True)) == {
        new_end
    }
    assert not ask(entity, new_end).eligible
    assert ask(entity, new_end + timedelta(seconds=1)).eligible
    entry = TradeLogEntry.objects.get(action="credit.measure_repaired")
    assert entry.actor == fagai and entry.payload["decision_no"] == repair.decision_no
    # A repair only shortens.
    with pytest.raises(ApplicationError) as refused:
        repairs.repair_measure(
            actor=fagai,
            measure=measure,
            new_valid_to=END,
            decision_no="X",
            authority="Y",
            decided_on=date(2026, 3, 2),
            reason="Z",
        )
    assert "new_valid_to" in refused.value.fields


def test_only_the_competent_regulator_repairs(entity, fagai, finance, fagai_xiamen, clock):
    measure = record_measure(fagai, entity.uscc, valid_from=START, valid_to=END).measures.get()
    for other in (finance, fagai_xiamen):
        with pytest.raises(ApplicationError) as refused:
            repairs.repair_measure(
                actor=other,
                measure=measure,
                new_valid_to=START + timedelta(days=1),
                decision_no="X",
                authority="Y",
                decided_on=date(2026, 3, 2),
                reason="Z",
            )
        assert refused.value.status_code == 403


def test_recording_is_audited_in_the_same_transaction(entity, fagai):
    record = record_measure(fagai, entity.uscc, valid_from=START, valid_to=END)
    entry = TradeLogEntry.objects.get(action="credit.record_added")
    assert (entry.object_type, entry.object_id) == ("credit.creditrecord", str(record.pk))
    assert entry.actor == fagai and entry.category == "engineering"
    assert entry.payload["decision_no"] == record.decision_no
    assert entry.payload["measure"]["type"] == "market_ban"


def test_the_database_refuses_an_honour_with_a_severity(entity, fagai):
    record = record_measure(fagai, entity.uscc, measure=None, valid_from=START, valid_to=END)
    assert not Measure.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRecord.objects.filter(pk=record.pk).update(kind="honour")


def test_a_repair_cannot_lengthen_a_measure_even_in_the_database(entity, fagai):
    measure = record_measure(fagai, entity.uscc, valid_from=START, valid_to=END).measures.get()
    Measure.objects.filter(pk=measure.pk).update(decided_valid_to=END)
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(valid_to=END + timedelta(days=1))
