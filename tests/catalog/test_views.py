"""The public catalog pages."""

import pytest

from catalog.models import StatutoryRule

pytestmark = pytest.mark.django_db


def test_the_catalog_page_lists_categories_methods_entries_and_rules(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = client.get("/catalog/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "工程建设项目招标投标",
        "国有建设用地使用权出让",
        "网络竞价",
        "公开招标",
        "招标投标法 第24条",
        "投标保证金不得超过招标项目估算价的2%",
        "16号令 第5条",
        "4,000,000",
    ):
        assert text in page, text


def test_the_fee_page_lists_the_standards_marked_as_examples(client):
    response = client.get("/catalog/fees/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "工程建设项目交易服务费" in page
    assert "Example figures, not an approved standard." in page
    assert "0.15%" in page


def test_the_fee_page_computes_a_lot_fee(client):
    response = client.get("/catalog/fees/", {"amount": "3,000,000"})
    assert response.status_code == 200
    assert "A lot of 3,000,000 yuan pays 3,100 yuan." in response.content.decode()


def test_the_fee_page_explains_an_unreadable_amount(client):
    response = client.get("/catalog/fees/", {"amount": "lots"})
    assert response.status_code == 200
    assert "Enter a lot amount in yuan" in response.content.decode()


@pytest.mark.parametrize(
    "model",
    [
        "category",
        "tradingmethod",
        "catalogentry",
        "statutoryrule",
        "holidaycalendaryear",
        "holidaycalendarday",
        "feestandard",
        "transactioncodecounter",
    ],
)
def test_the_platform_administrator_edits_the_catalog_in_the_admin(client, platform_admin, model):
    client.force_login(platform_admin)
    assert client.get(f"/admin/catalog/{model}/").status_code == 200
    add = client.get(f"/admin/catalog/{model}/add/")
    # Counters are moved only by next_transaction_code: no add form.
    assert add.status_code == (403 if model == "transactioncodecounter" else 200)


def test_a_rule_opens_in_the_admin_with_its_history(client, platform_admin):
    rule = StatutoryRule.objects.get(code="engineering.bid_security_cap")
    client.force_login(platform_admin)
    assert client.get(f"/admin/catalog/statutoryrule/{rule.pk}/change/").status_code == 200
    assert client.get(f"/admin/catalog/statutoryrule/{rule.pk}/history/").status_code == 200
