"""The auctions Chinese catalogue (auctions/locale): complete, Chinese, placeholders kept,
and the compiled .mo in step with the .po. The same checks as the platform's catalogue."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_i18n import parse_po, placeholders

LC_MESSAGES = (
    Path(__file__).resolve().parents[2] / "auctions" / "locale" / "zh_Hans" / "LC_MESSAGES"
)


@pytest.fixture(scope="module")
def messages():
    entries = parse_po((LC_MESSAGES / "django.po").read_text(encoding="utf-8"))
    assert "nplurals=1; plural=0;" in entries[0].msgstr[0]
    return [entry for entry in entries if entry.msgid]


def test_every_entry_is_translated_into_chinese(messages):
    assert len(messages) > 250
    bad = [
        entry.label
        for entry in messages
        if "fuzzy" in entry.flags
        or sorted(entry.msgstr) != [0]
        or not re.search(r"[\u4e00-\u9fff]", entry.msgstr[0])
    ]
    assert bad == []


def test_placeholders_are_kept(messages):
    wrong = [
        entry.label
        for entry in messages
        if placeholders(entry.msgstr[0])
        != placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
    ]
    assert wrong == []


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
