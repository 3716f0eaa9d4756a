"""The pool: the specialty classification as data, entry applications checked against the
qualification rules (the 8-year rule is catalog data), admission, assessment, exit, and
sub-pools that are views of the one pool."""

from datetime import date, timedelta

import pytest

from catalog.models import StatutoryRule
from experts import selectors, services
from experts.id_number import check_character, is_valid_id_number
from experts.models import ExpertDraw, ExpertProfile, ExpertRelation, Specialty
from portal.accounts.models import Role
from portal.errors import ApplicationError
from portal.tradelog.models import TradeLogEntry
from tests import factories
from tests.experts.conftest import EVALUATION, client_for, draw_request, id_number_for

pytestmark = pytest.mark.django_db


# --- The classification ----------------------------------------------------------------------


def test_the_classification_is_hierarchical_data(api):
    response = api.get("/api/v1/experts/specialties/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert {"A", "B", "C"} <= set(rows)
    assert rows["A0201"]["parent"] == "A02" and rows["A02"]["parent"] == "A"
    assert rows["A0201"]["level"] == 3 and rows["A"]["level"] == 1
    # The seed says what it is: an illustrative subset to confirm against the official text.
    assert all(row["needs_confirmation"] for row in rows.values())
    assert all("ILLUSTRATIVE" in row["source"] for row in rows.values())


def test_every_code_lies_under_its_parent():
    for specialty in Specialty.objects.exclude(parent=None).select_related("parent"):
        assert specialty.code.startswith(specialty.parent.code)
        assert specialty.level == specialty.parent.level + 1


def test_the_identity_card_check_character():
    assert is_valid_id_number("11010519491231002X")  # GB 11643's published example
    assert not is_valid_id_number("110105194912310021")
    assert check_character("35060019700100001") in "0123456789X"


# --- Application and admission ---------------------------------------------------------------


@pytest.fixture
def applicant(db, city):
    return factories.UserFactory(role=Role.EXPERT, username="applicant")


def apply(user, **overrides):
    values = dict(
        user=user,
        full_name="王工程师",
        id_number=id_number_for(90001),
        employer_name="福建省某设计院",
        employer_uscc="",
        title=ExpertProfile.Title.SENIOR,
        career_started_on=date(2015, 1, 1),
        region=factories.CityFactory(),
        specialties=Specialty.objects.filter(code__in=["A0201", "C0104"]),
    )
    values.update(overrides)
    return services.apply_for_admission(**values)


def test_an_expert_applies_and_the_maintainer_admits(clock, applicant, maintainer):
    profile = apply(applicant)
    assert profile.status == "candidate"
    assert TradeLogEntry.objects.filter(action="expert.applied").exists()
    assert profile.id_number not in str(TradeLogEntry.objects.get(action="expert.applied").payload)
    services.admit_expert(profile=profile, actor=maintainer)
    profile.refresh_from_db()
    assert profile.status == "active" and profile.admitted_at is not None
    assert profile.last_assessed_on == date(2026, 3, 2)
    entry = TradeLogEntry.objects.get(action="expert.admit")
    assert entry.actor_id == maintainer.pk


def test_the_experience_rule_is_catalog_data(clock, applicant, maintainer):
    """评标专家…从事相关专业领域工作满8年: six years are not enough — until the catalog's
    rule says otherwise (a correction is a data change, not a code change)."""
    profile = apply(applicant, career_started_on=date(2019, 3, 3))  # 6 years, 364 days
    with pytest.raises(ApplicationError) as refused:
        services.admit_expert(profile=profile, actor=maintainer)
    assert refused.value.code == "not_qualified"
    assert "8" in refused.value.fields["qualification"][0]
    rule = StatutoryRule.objects.get(code="experts.min_experience_years")
    rule.value = 6
    rule.save()
    services.admit_expert(profile=profile, actor=maintainer)
    assert ExpertProfile.objects.get(pk=profile.pk).status == "active"


def test_a_senior_title_or_a_recognised_equivalent_level_is_required(clock, applicant, maintainer):
    profile = apply(applicant, title=ExpertProfile.Title.INTERMEDIATE)
    with pytest.raises(ApplicationError) as refused:
        services.admit_expert(profile=profile, actor=maintainer)
    assert refused.value.code == "not_qualified"
    services.admit_expert(profile=profile, actor=maintainer, title_equivalent=True)
    profile.refresh_from_db()
    assert profile.status == "active" and profile.title_equivalent


def test_an_application_is_checked(clock, applicant):
    with pytest.raises(ApplicationError) as bad_id:
        apply(applicant, id_number="350600197001000010")
    assert bad_id.value.code == "id_number_invalid"
    with pytest.raises(ApplicationError) as bad_uscc:
        apply(applicant, employer_uscc="91350600XXXX")
    assert bad_uscc.value.code == "uscc_invalid"
    with pytest.raises(ApplicationError) as no_specialty:
        apply(applicant, specialties=[])
    assert no_specialty.value.code == "specialties_missing"
    apply(applicant)
    with pytest.raises(ApplicationError) as twice:
        apply(applicant)
    assert twice.value.code == "already_applied"


def test_a_refused_applicant_may_apply_again(clock, applicant, maintainer):
    profile = apply(applicant)
    services.refuse_application(profile=profile, actor=maintainer, reason="职称证明不全")
    assert ExpertProfile.objects.get(pk=profile.pk).status == "refused"
    again = apply(applicant, employer_name="福建省某大学")
    assert again.pk == profile.pk and again.status == "candidate"


def test_only_an_experts_account_applies(clock, drawer):
    with pytest.raises(ApplicationError) as refused:
        apply(drawer)
    assert refused.value.status_code == 403


# --- Assessment and exit ---------------------------------------------------------------------


def test_a_failed_assessment_suspends_and_withdraws_from_live_draws(
    clock, project, drawer, maintainer, pool
):
    response = client_for(drawer).post(
        "/api/v1/projects/101/expert-draws/", draw_request(backups=0), format="json"
    )
    assert response.status_code == 201
    invited = ExpertProfile.objects.filter(invitations__state="invited").first()
    services.record_assessment(profile=invited, actor=maintainer, passed=False, note="缺席培训")
    invited.refresh_from_db()
    assert invited.status == "suspended"
    withdrawn = invited.invitations.get()
    assert withdrawn.state == "skipped" and withdrawn.reason == "suspended"
    # ... and replaced from the same eligible set.
    assert withdrawn.draw.invitations.filter(state="invited").count() == 5


def test_a_passed_assessment_is_recorded(clock, maintainer, pool):
    assessment = services.record_assessment(profile=pool[0], actor=maintainer, passed=True)
    assert assessment.passed and ExpertProfile.objects.get(pk=pool[0].pk).status == "active"


def test_suspension_reinstatement_and_exit(clock, maintainer, pool):
    expert = pool[0]
    services.suspend_expert(profile=expert, actor=maintainer, reason="涉嫌违规，待核查")
    with pytest.raises(ApplicationError):
        services.suspend_expert(profile=expert, actor=maintainer, reason="again")
    services.reinstate_expert(profile=expert, actor=maintainer)
    services.retire_expert(profile=expert, actor=expert.user, reason="本人申请退出")
    expert.refresh_from_db()
    assert expert.status == "retired"
    # A retired expert is no member of the pool any more.
    assert expert not in selectors.sub_pool(specialty_codes=["A02"])


# --- Sub-pools are views ---------------------------------------------------------------------


def test_industry_and_regional_sub_pools_are_views_of_the_one_pool(
    expert_factory, city, other_city
):
    roads = [expert_factory(specialties=["A0201"]) for _ in range(3)]
    water = [expert_factory(specialties=["A0202"], region=other_city) for _ in range(2)]
    cost = expert_factory(specialties=["C0104", "A0201"], region=other_city)
    municipal = selectors.sub_pool(specialty_codes=["A02"])
    assert set(municipal) == {*roads, *water, cost}
    assert set(selectors.sub_pool(specialty_codes=["A0202"])) == set(water)
    assert set(selectors.sub_pool(region_codes=["350200"])) == {*water, cost}
    assert set(selectors.sub_pool(specialty_codes=["A0201"], outside_region_codes=["350600"])) == {
        cost
    }
    # A change to a profile shows in every sub-pool at once: there is nothing to copy.
    roads[0].region = other_city
    roads[0].save()
    assert roads[0] in selectors.sub_pool(specialty_codes=["A02"], region_codes=["350200"])


# --- Declarations ----------------------------------------------------------------------------


def test_a_former_employer_stays_avoided_for_the_look_back(
    clock, projects, centre, drawer, expert_factory, tenderee
):
    employer = factories.EntityFactory(name="原单位建设有限公司")
    expert = expert_factory(employer=employer)
    services.change_employer(
        profile=expert, actor=expert.user, employer_uscc="", employer_name="某大学"
    )
    relation = ExpertRelation.objects.get(expert=expert)
    assert relation.entity_uscc == employer.uscc and relation.ended_on == date(2026, 3, 2)
    others = [expert_factory() for _ in range(6)]
    projects.add(301, centre=centre, tenderee=tenderee.entity, bidders=[employer])
    response = client_for(drawer).post(
        "/api/v1/projects/301/expert-draws/", draw_request(backups=0), format="json"
    )
    assert response.status_code == 201
    draw_id = response.json()["id"]
    draw = ExpertDraw.objects.get(pk=draw_id)
    assert expert.pk not in draw.groups.get().eligible
    [exclusion] = [e for e in draw.exclusions if e["expert"] == expert.pk]
    assert exclusion["reasons"][0]["code"] == "related_to_party"
    assert len(others) == 6


def test_an_unavailable_period_over_a_held_invitation_is_refused(clock, project, drawer, pool):
    client_for(drawer).post("/api/v1/projects/101/expert-draws/", draw_request(), format="json")
    invited = ExpertProfile.objects.filter(invitations__state="invited").first()
    with pytest.raises(ApplicationError) as refused:
        services.declare_unavailability(
            profile=invited,
            actor=invited.user,
            starts_at=EVALUATION - timedelta(days=1),
            ends_at=EVALUATION + timedelta(days=1),
            reason="leave",
        )
    assert refused.value.code == "invitation_clash"


def test_a_declared_leave_keeps_the_expert_out_of_draws_at_that_time(
    clock, project, drawer, expert_factory
):
    away = expert_factory()
    services.declare_unavailability(
        profile=away,
        actor=away.user,
        starts_at=EVALUATION - timedelta(days=1),
        ends_at=EVALUATION + timedelta(days=1),
        reason="leave",
    )
    for _ in range(5):
        expert_factory()
    response = client_for(drawer).post(
        "/api/v1/projects/101/expert-draws/", draw_request(backups=0), format="json"
    )
    assert response.status_code == 201
    draw = ExpertDraw.objects.get(pk=response.json()["id"])
    assert away.pk not in draw.groups.get().eligible
    assert {
        "expert": away.pk,
        "reasons": [{"code": "unavailable", "detail": ""}],
    } in draw.exclusions
