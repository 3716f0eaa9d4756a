"""The public pages and the layout every page shares.

Assertions are on structure, not on the interface language, so that they hold in either
language; only `test_home_page_speaks_chinese` checks the Chinese catalogue is in use.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from portal.notices.models import Notice
from tests import factories

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
CHINESE_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
# Template directories owned by other teams are checked by their own tests.
OTHER_TEAMS = {"catalog"}


def test_home_page_presents_the_platform(client, published_notices, centre, other_centre):
    branch = factories.CentreFactory(level="branch", parent=centre, region=centre.region)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.templates[0].name == "portal/home.html"
    for notice in published_notices:
        assert notice.title in response.text
    assert "草稿通知" not in response.text and "定时通知" not in response.text
    assert centre.name in response.text and other_centre.name in response.text
    assert branch.name not in response.text  # branches are listed under their centre
    assert reverse("entities:register") in response.text
    assert reverse("accounts:login") in response.text
    assert response.text.count('class="card"') == 4  # the four categories (A1)


def test_home_page_queries_are_bounded(
    client, django_assert_max_num_queries, published_notices, centre
):
    factories.CentreFactory.create_batch(5, region=centre.region)
    # 1. the latest notices with their centre, 2. the centres with their region.
    with django_assert_max_num_queries(2):
        assert client.get(reverse("home")).status_code == 200


def test_the_liveness_probe_answers_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]  # never answered by a cache
    assert client.post(reverse("healthz")).status_code == 405


def test_every_page_shares_the_layout(client):
    html = client.get(reverse("home")).text

    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'>", html)
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/portal/portal.css">' in html
    assert '<html lang="zh-hans">' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    for link in [
        reverse("notices:list"),
        "/catalog/",
        reverse("centres:list"),
        reverse("api:docs"),
        reverse("accounts:login"),
        f"{reverse('notices:list')}?kind=complaint_channel",
    ]:
        assert f'href="{link}"' in html
    assert 'aria-current="page"' in html


def test_logged_in_layout_offers_my_area_and_a_logout_form(client_for, bidder_a, platform_admin):
    html = client_for(bidder_a).get(reverse("home")).text
    assert f'href="{reverse("accounts:dashboard")}"' in html
    assert f'<form method="post" action="{reverse("accounts:logout")}"' in html
    assert reverse("admin:index") not in html
    assert reverse("admin:index") in client_for(platform_admin).get(reverse("home")).text


def test_the_stylesheet_is_served_from_our_static_files():
    assert (Path(settings.BASE_DIR) / "portal/static/portal/portal.css").stat().st_size > 0


def test_home_page_speaks_chinese(client):
    assert CHINESE_CATALOGUE.exists()  # compiled and committed with the project
    html = client.get(reverse("home")).text

    assert '<html lang="zh-hans">' in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title == "首页 · 公共资源交易平台"
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    assert re.search(r'aria-label="主导航"', nav)
    for label in ["首页", "通知公告", "交易目录", "交易中心", "API 文档", "登录", "注册"]:
        assert f">{label}</a>" in nav
    assert ">市场主体注册</a>" in html
    assert "交易范围" in html and "工程建设项目招标投标" in html and "政府采购" in html
    assert "时间均为北京时间（UTC+8）。" in html
    for english in ["Public resource trading platform", "Log in", "Notices", "Register"]:
        assert english not in html


# --- Every string the user reads goes through the translation machinery ---------------------


def _our_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] not in OTHER_TEAMS:
            yield path


def _untranslated_text(source: str) -> list[str]:
    """Words outside template tags and HTML markup, and in readable attributes."""
    text = re.sub(
        r"\{%\s*(blocktranslate|blocktrans)\b.*?\{%\s*end\1\s*%\}", "", source, flags=re.S
    )
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", "", text, flags=re.S)
    attributes = re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', text)
    text = re.sub(r"<[^>]*>|&[a-z]+;|&#\d+;", "", text)
    return [word for chunk in [text, *attributes] for word in re.findall(r"[A-Za-z]{2,}", chunk)]


@pytest.mark.parametrize(
    "path", list(_our_templates()), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_template_text_is_wrapped_for_translation(path):
    assert _untranslated_text(path.read_text()) == []


def test_the_translation_check_catches_bare_text():
    assert _untranslated_text("<p>Hello {{ name }}</p>") == ["Hello"]
    assert _untranslated_text('<nav aria-label="Main">') == ["Main"]
    assert _untranslated_text("<p>{% translate 'Hello' %}</p>") == []


# --- Notices -----------------------------------------------------------------------------


def test_notice_list_queries_are_bounded(client, django_assert_max_num_queries, centre):
    Notice.objects.bulk_create(
        Notice(
            kind=Notice.Kind.POLICY,
            title=f"政策告知第{number}号",
            body="正文",
            centre=centre,
            published_at=timezone.now(),
        )
        for number in range(30)
    )
    # 1. the count for the pages, 2. one page of notices with their centre.
    with django_assert_max_num_queries(2):
        response = client.get(reverse("notices:list"))
    assert len(response.context["page"].object_list) == 20
    assert response.context["page"].paginator.num_pages == 2


def test_notices_by_kind(client, published_notices):
    complaint = next(n for n in published_notices if n.kind == Notice.Kind.COMPLAINT_CHANNEL)

    response = client.get(reverse("notices:list"), {"kind": "complaint_channel"})

    assert list(response.context["page"].object_list) == [complaint]
    every = client.get(reverse("notices:list"), {"kind": "no-such-kind"})
    assert len(every.context["page"].object_list) == len(published_notices)


def test_notice_detail(client, published_notices):
    notice = published_notices[0]
    response = client.get(reverse("notices:detail", args=[notice.pk]))
    assert response.status_code == 200
    assert escape(notice.title) in response.text
    assert "<p>第一段。</p>" in response.text


def test_unpublished_notices_are_not_known(client, published_notices):
    for draft in Notice.objects.filter(title__in=["草稿通知", "定时通知"]):
        assert client.get(reverse("notices:detail", args=[draft.pk])).status_code == 404


def test_not_found_page_uses_the_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'name="csrf-token"' in response.text
