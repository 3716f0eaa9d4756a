"""The catalog's public API: reference data and the schedule pre-check."""

import pytest

pytestmark = pytest.mark.django_db

BASE = "/api/v1/catalog"


def test_categories_with_their_methods_and_subtypes(api, django_assert_max_num_queries):
    # categories, their methods, subtypes, the subtypes' methods
    with django_assert_max_num_queries(4):
        response = api.get(f"{BASE}/categories/")
    assert response.status_code == 200
    body = {category["code"]: category for category in response.json()}
    assert list(body) == ["engineering", "land_mining", "equity", "procurement"]
    assert [m["code"] for m in body["engineering"]["methods"]] == ["open_tender", "invited_tender"]
    assert [s["code"] for s in body["land_mining"]["subtypes"]] == ["land", "mining"]
    assert body["procurement"]["transaction_code_letter"] == "B"
    assert body["procurement"]["alternative_code_letters"] == "C"
    assert body["equity"]["supervising_department"] == "state_assets"
    assert {"code": "online_bidding", "name_zh": "网络竞价"} in body["equity"]["methods"]


def test_rules_for_a_category_and_method(api, django_assert_max_num_queries):
    # the category (with parents), the method check, the rules with their category and method
    with django_assert_max_num_queries(4):
        response = api.get(f"{BASE}/rules/", {"category": "engineering", "method": "open_tender"})
    assert response.status_code == 200
    rules = {rule["code"]: rule for rule in response.json()}
    assert "engineering.invited_tender.min_invitations" not in rules
    deadline = rules["engineering.documents_to_deadline"]
    assert deadline["method"] is None  # category-wide
    assert deadline["category"] == "engineering"
    assert deadline["kind"] == "min_interval"
    assert deadline["start_field"] == "documents_issued_at"
    assert deadline["end_field"] == "bid_deadline"
    assert deadline["unit"] == "calendar_days"
    assert deadline["source"] == "招标投标法 第24条"
    assert deadline["description"].startswith("自招标文件开始发出之日起")
    assert rules["experts.min_experience_years"]["category"] is None


def test_all_rules_without_parameters(api):
    response = api.get(f"{BASE}/rules/")
    assert response.status_code == 200
    codes = {rule["code"] for rule in response.json()}
    assert {
        "engineering.bid_security_cap",
        "procurement.bid_security_cap",
        "land.deposit_refund",
        "equity.disclosure_period",
    } <= codes


def test_an_unknown_method_is_a_400_naming_the_parameter(api):
    response = api.get(f"{BASE}/rules/", {"category": "engineering", "method": "sealed_bid"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_method"
    assert body["method"] == ["Unknown trading method: sealed_bid."]


def test_an_unknown_category_is_a_400_naming_the_parameter(api):
    response = api.get(f"{BASE}/rules/", {"category": "forest_rights"})
    assert response.status_code == 400
    assert response.json()["category"] == ["Unknown category: forest_rights."]


def test_a_method_without_its_category_is_a_400(api):
    response = api.get(f"{BASE}/rules/", {"method": "open_tender"})
    assert response.status_code == 400
    assert "category" in response.json()


def test_fee_standards(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = api.get(f"{BASE}/fee-standards/")
    assert response.status_code == 200
    standards = {s["category"]: s for s in response.json()}
    assert set(standards) == {"engineering", "land_mining", "equity", "procurement"}
    assert standards["engineering"]["is_example"] is True
    assert standards["engineering"]["tiers"][0] == {"up_to": "1000000", "rate": "0.0015"}


def test_catalog_entries(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = api.get(f"{BASE}/entries/")
    assert response.status_code == 200
    entries = {e["code"]: e for e in response.json()}
    construction = entries["engineering.construction.state_owned"]
    assert construction["mandatory"] is True
    assert construction["minimum_amount"] == "4000000.00"
    assert construction["source"] == "16号令 第5条"
    assert entries["procurement.open_tender_threshold"]["required_method"] == "open_tender"


def test_schedule_check_returns_every_violation_with_its_source(api):
    response = api.post(
        f"{BASE}/schedule-checks/",
        {
            "category": "engineering",
            "method": "open_tender",
            "schedule": {
                "documents_issued_at": "2026-03-02T09:00:00+08:00",
                "bid_deadline": "2026-03-19T09:30:00+08:00",
                "estimate_amount": "5000000",
                "bid_security_amount": 120000,
                "committee_size": 5,
                "committee_experts": 4,
            },
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert body["estimated_years"] == []
    violations = {v["rule"]: v for v in body["violations"]}
    assert set(violations) == {"engineering.documents_to_deadline", "engineering.bid_security_cap"}
    assert violations["engineering.documents_to_deadline"] == {
        "rule": "engineering.documents_to_deadline",
        "field": "bid_deadline",
        "message": (
            "From issuing the documents to the bid deadline must be at least 20 days; this "
            "schedule gives 17. The earliest allowed date is 2026-03-22."
        ),
        "source": "招标投标法 第24条",
        "needs_confirmation": False,
        "estimated": False,
    }
    assert violations["engineering.bid_security_cap"]["field"] == "bid_security_amount"


def test_a_good_schedule_is_ok(api):
    response = api.post(
        f"{BASE}/schedule-checks/",
        {
            "category": "procurement",
            "method": "open_tender",
            "schedule": {
                "documents_issued_at": "2026-03-02",
                "bid_deadline": "2026-03-23",
                "budget_amount": 3000000,
                "bid_security_amount": 60000,
            },
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "violations": [], "estimated_years": []}


def test_schedule_check_warns_when_a_year_is_not_entered(api):
    response = api.post(
        f"{BASE}/schedule-checks/",
        {
            "category": "equity",
            "method": "listing",
            "schedule": {"disclosure_starts_at": "2026-12-14", "disclosure_ends_at": "2027-02-01"},
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "violations": [], "estimated_years": [2027]}


def test_schedule_check_refuses_unreadable_values_and_unknown_codes(api):
    response = api.post(
        f"{BASE}/schedule-checks/",
        {
            "category": "engineering",
            "method": "open_tender",
            "schedule": {"bid_deadline": "soon", "committee_size": True},
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["schedule"]) == {"bid_deadline", "committee_size"}

    response = api.post(
        f"{BASE}/schedule-checks/",
        {"category": "engineering", "method": "auction", "schedule": {}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["method"] == ["auction is not a trading method of engineering."]

    response = api.post(f"{BASE}/schedule-checks/", {"method": "auction"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"category", "schedule"}


def test_the_catalog_api_is_in_the_openapi_schema(api):
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/catalog/categories/",
        "/api/v1/catalog/rules/",
        "/api/v1/catalog/fee-standards/",
        "/api/v1/catalog/entries/",
        "/api/v1/catalog/schedule-checks/",
    } <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/catalog/rules/"]["get"]["parameters"]}
    assert {"category", "method"} <= parameters
