"""The public list: every filter and the Chinese search (two characters included) return the
right announcements; the cache shows a new announcement at once; bad filters are refused by
name. Real PostgreSQL and Redis."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Category
from publicportal import search
from publicportal.models import Publication
from tests import factories
from tests.publicportal.conftest import local, publish_tender

pytestmark = pytest.mark.django_db

TITLES = {
    "road": "漳州市国道G324道路维修工程",
    "bridge": "漳州市九龙江桥梁维修工程",
    "water": "漳州市供水管网改造项目",
}


@pytest.fixture
def three_tenders(clock, centre, staff, tenderee):
    return {
        key: publish_tender(tenderee=tenderee, staff=staff, centre=centre, title=title)
        for key, title in TITLES.items()
    }


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["project_title"] for item in response.json()["results"]}


def listing(**params):
    return Client().get("/api/v1/announcements/", params)


# --- The pure part: what is indexed and what is asked --------------------------------------


def test_the_document_holds_bigrams_in_order_then_single_characters():
    assert search.search_document("道路维修") == "道路 路维 维修 道 路 维 修"
    assert search.search_document("G324国道") == "g324 国道 国 道"


def test_a_query_is_a_phrase_of_its_bigrams_and_user_syntax_is_quoted_away():
    assert search.tsquery("道路") == "('道路')"
    assert search.tsquery("桥梁维修") == "('桥梁' <-> '梁维' <-> '维修')"
    assert search.tsquery("道路 G324") == "('道路') & 'g324':*"
    assert search.tsquery("' | !:*()") is None
    assert search.is_single_character("桥") and not search.is_single_character("桥梁")


# --- Through the API ----------------------------------------------------------------------


def test_two_character_search_finds_exactly_the_titles_containing_the_pair(three_tenders):
    assert titles(listing(q="道路")) == {TITLES["road"]}
    assert titles(listing(q="维修")) == {TITLES["road"], TITLES["bridge"]}
    # Across a word boundary of the segmentation, still a substring.
    assert titles(listing(q="路维")) == {TITLES["road"]}
    assert titles(listing(q="桥梁维修工程")) == {TITLES["bridge"]}
    assert titles(listing(q="维桥")) == set()
    assert titles(listing(q="管网 改造")) == {TITLES["water"]}
    assert titles(listing(q="g32")) == {TITLES["road"]}


def test_a_single_character_search_says_it_is_capped_and_still_finds(three_tenders):
    response = listing(q="桥")
    assert titles(response) == {TITLES["bridge"]}
    assert response.json()["single_character"] is True


def test_filters_by_category_region_centre_status_kind_and_dates(
    clock, three_tenders, centre, other_centre, staff, tenderee
):
    xiamen_staff = factories.make_centre_staff(other_centre, username="staff_xm2")
    clock.move_to(local(2026, 4, 13, 9, 0))
    procurement = publish_tender(
        tenderee=tenderee,
        staff=xiamen_staff,
        centre=other_centre,
        title="厦门市办公设备采购",
        category="procurement",
        when=local(2026, 4, 13, 9, 0),
    )
    everything = {*TITLES.values(), procurement.title}
    assert titles(listing()) == everything
    assert titles(listing(category="procurement")) == {procurement.title}
    assert titles(listing(category="engineering")) == set(TITLES.values())
    assert titles(listing(centre=other_centre.code)) == {procurement.title}
    # A province includes its cities.
    assert titles(listing(region=centre.region.parent.code)) == everything
    assert titles(listing(status="bidding")) == everything
    assert titles(listing(status="awarded")) == set()
    assert titles(listing(kind="tender")) == everything
    assert titles(listing(method="open_tender")) == everything
    assert titles(listing(method="listing")) == set()
    assert titles(listing(kind="result")) == set()
    assert titles(listing(**{"from": "2026-03-15"})) == {procurement.title}
    assert titles(listing(to="2026-03-15")) == set(TITLES.values())
    assert titles(listing(q="采购", **{"from": "2026-03-01", "to": "2026-04-13"})) == {
        procurement.title
    }


def test_newest_first_and_paginated(clock, centre, staff, tenderee):
    for day in range(2, 5):
        clock.move_to(local(2026, 3, day, 9, 0))
        publish_tender(
            tenderee=tenderee,
            staff=staff,
            centre=centre,
            title=f"第{day - 1}号道路工程",
            when=local(2026, 3, day, 9, 0),
        )
    first = listing(page_size=2).json()
    assert [r["project_title"] for r in first["results"]] == ["第3号道路工程", "第2号道路工程"]
    assert (first["count"], first["pages"]) == (3, 2)
    second = listing(page_size=2, page=2).json()
    assert [r["project_title"] for r in second["results"]] == ["第1号道路工程"]
    oldest = listing(page_size=1, sort="date").json()
    assert oldest["results"][0]["project_title"] == "第1号道路工程"


def test_bad_filters_are_refused_under_their_own_names(three_tenders):
    response = listing(category="no-such-category", region="999999", **{"from": "2026-13-01"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"category", "region", "from", "code"}
    assert "2026-13-01" not in str(body["category"])
    response = listing(**{"from": "2026-05-01", "to": "2026-04-01"})
    assert response.status_code == 400 and "to" in response.json()
    assert listing(page_size=1000).status_code == 400


def test_each_result_links_to_its_announcement_and_its_project_history(three_tenders):
    item = listing(q="道路").json()["results"][0]
    project = three_tenders["road"]
    announcement = project.announcements.get()
    assert item["detail_path"] == reverse("trading:announcement", args=[announcement.pk])
    assert item["project_path"] == reverse("trading:project", args=[project.pk])
    detail = Client().get(f"/api/v1/announcements/{item['id']}/").json()
    assert detail["title"] == announcement.title and detail["category"] == "engineering"


# --- The cache ------------------------------------------------------------------------------


def test_the_list_is_cached_and_a_new_announcement_shows_at_once(
    clock, three_tenders, centre, staff, tenderee, django_capture_on_commit_callbacks
):
    assert titles(listing(q="工程")) == {TITLES["road"], TITLES["bridge"]}
    # Behind the portal's back (no signal, no version bump) the cached page stays as it was:
    Publication.objects.filter(project_title=TITLES["water"]).update(title="供水工程")
    Publication.objects.filter(project_title=TITLES["water"]).update(
        search_document=search.search_document("供水工程")
    )
    assert titles(listing(q="工程")) == {TITLES["road"], TITLES["bridge"]}
    # A real publication bumps the version when it commits: the next read shows it.
    with django_capture_on_commit_callbacks(execute=True) as committed:
        publish_tender(tenderee=tenderee, staff=staff, centre=centre, title="漳州市隧道照明工程")
    assert committed
    assert titles(listing(q="工程")) == {
        TITLES["road"],
        TITLES["bridge"],
        TITLES["water"],
        "漳州市隧道照明工程",
    }


def test_the_version_is_read_once_per_request_and_follows_a_bump_in_it():
    """A request reads the portal's version once (one round trip to Redis, not six); a
    publication committed in the same request moves it; outside a request, and in the next
    request, a bump made elsewhere (another worker) is seen at once."""
    from django.core.cache import cache as django_cache
    from django.core.signals import request_finished, request_started

    from publicportal import cache

    first = cache.current_version()
    django_cache.incr(cache.VERSION_KEY)  # another worker publishes
    assert cache.current_version() == first + 1  # outside a request: read every time
    request_started.send(sender=None, environ={})
    try:
        seen = cache.current_version()
        django_cache.incr(cache.VERSION_KEY)  # another worker, during this request
        assert cache.current_version() == seen  # one reading per request
        cache._bump()  # this request's own publication, on commit
        assert cache.current_version() == seen + 2
    finally:
        request_finished.send(sender=None)
    django_cache.incr(cache.VERSION_KEY)
    assert cache.current_version() == seen + 3  # the next request reads it again


def test_an_anonymous_page_may_be_kept_by_the_proxy_for_a_few_seconds_only(three_tenders):
    """The proxy's shared cache (deploy/nginx.conf.template) stores only what the portal marks
    public, for `SHARED_CACHE_SECONDS`; browsers do not keep the page; the proxy sees that
    the response depends on the session cookie and the format asked for."""
    from publicportal.cache import SHARED_CACHE_SECONDS

    response = listing(q="道路")
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=0", f"s-maxage={SHARED_CACHE_SECONDS}"}
    assert SHARED_CACHE_SECONDS <= 5  # the freshness the portal documents for the proxy
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"accept", "cookie"} <= vary
    assert not response.cookies  # a response that sets a cookie is never shared


def test_a_signed_in_visitors_page_is_private(three_tenders, tenderee):
    client = Client()
    client.force_login(tenderee)
    response = client.get("/api/v1/announcements/", {"q": "道路"})
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "private" in directives and "public" not in directives
    assert not any(d.startswith("s-maxage") for d in directives)


def test_a_refused_filter_is_not_marked_for_the_shared_cache():
    response = listing(region="no-such-region")
    assert response.status_code == 400
    assert "s-maxage" not in response.get("Cache-Control", "")


# --- The web page ---------------------------------------------------------------------------


def test_the_portal_page_searches_and_links_each_result(three_tenders):
    response = Client().get(reverse("publicportal:search"), {"q": "桥梁"})
    assert response.status_code == 200
    text = response.content.decode()
    project = three_tenders["bridge"]
    assert reverse("trading:announcement", args=[project.announcements.get().pk]) in text
    assert reverse("trading:project", args=[project.pk]) in text
    assert TITLES["road"] not in text
    bad = Client().get(reverse("publicportal:search"), {"date_from": "not-a-date"})
    assert bad.status_code == 200 and 'id="results"' not in bad.content.decode()


def test_categories_exist():
    assert Category.objects.filter(code__in=["engineering", "procurement"]).count() == 2


def test_a_slow_count_gives_way_to_the_planners_estimate(three_tenders):
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from publicportal import selectors

    slow = Publication.objects.filter(
        RawSQL("pg_sleep(0.05) IS NOT NULL", (), output_field=BooleanField())
    )
    count, capped, estimated = selectors.bounded_count(slow, 500)
    assert estimated is True and capped is False and count >= 0
    # A quick count is exact.
    assert selectors.bounded_count(Publication.objects.all(), 500) == (3, False, False)
    assert selectors.bounded_count(Publication.objects.all(), 2) == (2, True, False)


def test_a_search_the_planner_expects_to_match_widely_is_estimated_without_counting(
    three_tenders, monkeypatch
):
    """A common bigram's exact count costs its whole GIN bitmap: above the threshold the
    planner's estimate is given at once (one EXPLAIN, no count that would time out)."""
    from publicportal import cache, selectors

    monkeypatch.setattr(selectors, "ESTIMATE_SEARCHES_ABOVE", 0)
    # Page 2 of one result a page: the count is needed.
    page = listing(q="维修", page_size=1, page=2).json()
    assert page["count_estimated"] is True and page["count"] >= 1
    assert [r["project_title"] for r in page["results"]] == [TITLES["road"]]
    assert page["has_next"] is False and page["page"] == 2
    # The list without words is counted exactly, whatever the threshold.
    plain = listing(page_size=1, page=2).json()
    assert (plain["count"], plain["count_estimated"]) == (3, False)
    # Above the threshold only: a narrow search is still counted exactly.
    monkeypatch.setattr(selectors, "ESTIMATE_SEARCHES_ABOVE", 10**6)
    cache._bump()  # not the page cached above
    exact = listing(q="维修", page_size=1, page=2).json()
    assert (exact["count"], exact["count_estimated"]) == (2, False)
    # Nothing searchable in the words: no query to estimate, an empty page.
    nothing = listing(q="！？", page=2).json()
    assert (nothing["count"], nothing["results"]) == (0, [])
