"""The apps' own Chinese catalogues (`<app>/locale`): complete, Chinese, placeholders kept,
and the compiled .mo in step with the .po — the same checks as the platform's catalogue
(tests/test_i18n.py), one parametrised test per app. Credit's catalogue has its own test
(tests/credit/test_catalogue.py), which also checks its pages."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_i18n import parse_po, placeholders

ROOT = Path(__file__).resolve().parent.parent
#: app → (its catalogue, the fewest entries it should have: a sanity floor, so that an
#: extraction that silently lost most strings fails)
CATALOGUES = {
    "experts": (ROOT / "experts", 300),
    "auctions": (ROOT / "auctions", 250),
    "publicportal": (ROOT / "publicportal", 100),
    "supervision": (ROOT / "supervision", 10),
    "holds": (ROOT / "portal" / "holds", 5),
}


def _lc_messages(app: str) -> Path:
    return CATALOGUES[app][0] / "locale" / "zh_Hans" / "LC_MESSAGES"


def _messages(app: str):
    entries = parse_po((_lc_messages(app) / "django.po").read_text(encoding="utf-8"))
    assert "nplurals=1; plural=0;" in entries[0].msgstr[0]
    return [entry for entry in entries if entry.msgid]


@pytest.mark.parametrize("app", CATALOGUES)
def test_every_entry_is_translated_into_chinese(app):
    messages = _messages(app)
    assert len(messages) > CATALOGUES[app][1]
    bad = [
        entry.label
        for entry in messages
        if "fuzzy" in entry.flags
        or sorted(entry.msgstr) != [0]
        or not re.search(r"[\u4e00-\u9fff]", entry.msgstr[0])
    ]
    assert bad == []


@pytest.mark.parametrize("app", CATALOGUES)
def test_placeholders_are_kept(app):
    wrong = [
        entry.label
        for entry in _messages(app)
        if placeholders(entry.msgstr[0])
        != placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
    ]
    assert wrong == []


@pytest.mark.parametrize("app", CATALOGUES)
def test_the_compiled_catalogue_matches(app, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
    directory = _lc_messages(app)
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [msgfmt, "--check", "-o", str(fresh), str(directory / "django.po")],
        check=True,
        capture_output=True,
    )
    with (directory / "django.mo").open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(compiled)._catalog
        )
