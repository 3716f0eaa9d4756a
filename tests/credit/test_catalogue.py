"""The credit registry's Chinese catalogue (credit/locale/zh_Hans): complete, faithful to the
placeholders, compiled — the same checks as the project catalogue (tests/test_i18n.py)."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from tests.test_i18n import parse_po, placeholders

LC_MESSAGES = Path(__file__).resolve().parents[2] / "credit" / "locale" / "zh_Hans" / "LC_MESSAGES"


# Entries whose right translation has no Chinese character.
NOT_CHINESE = {"SHA-256", "%(base)s %(penalties)s + %(rewards)s = %(score)s"}


@pytest.fixture(scope="module")
def messages():
    entries = parse_po((LC_MESSAGES / "django.po").read_text(encoding="utf-8"))
    return [entry for entry in entries if entry.msgid]


def test_every_entry_is_translated_into_chinese_with_its_placeholders(messages):
    assert len(messages) > 200
    problems = [
        entry.label
        for entry in messages
        if "fuzzy" in entry.flags
        or not entry.msgstr.get(0, "").strip()
        or (not re.search(r"[\u4e00-\u9fff]", entry.msgstr[0]) and entry.msgid not in NOT_CHINESE)
        or placeholders(entry.msgstr[0]) != placeholders(entry.msgid)
    ]
    assert problems == []


def test_the_compiled_catalogue_matches(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [msgfmt, "--check", "-o", str(fresh), str(LC_MESSAGES / "django.po")],
        check=True,
        capture_output=True,
    )
    with (LC_MESSAGES / "django.mo").open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(compiled)._catalog
        )


@pytest.mark.django_db
def test_the_pages_speak_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Market bans and negative list") == "市场禁入与负面清单"
    page = Client(headers={"accept-language": "zh-hans"}).get("/credit/bans/")
    assert "市场禁入与负面清单" in page.content.decode()
