"""Supervision's and the holds' Chinese catalogues: complete, Chinese, placeholders kept, and
the compiled .mo in step with the .po. The same checks as the platform's catalogue."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_i18n import parse_po, placeholders

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "supervision" / "locale" / "zh_Hans" / "LC_MESSAGES",
    ROOT / "portal" / "holds" / "locale" / "zh_Hans" / "LC_MESSAGES",
]


def _messages(directory: Path):
    entries = parse_po((directory / "django.po").read_text(encoding="utf-8"))
    assert "nplurals=1; plural=0;" in entries[0].msgstr[0]
    return [entry for entry in entries if entry.msgid]


@pytest.mark.parametrize("directory", CATALOGUES, ids=["supervision", "holds"])
def test_every_entry_is_translated_into_chinese_with_its_placeholders(directory):
    messages = _messages(directory)
    assert len(messages) > 10
    untranslated = [
        entry.label
        for entry in messages
        if "fuzzy" in entry.flags
        or sorted(entry.msgstr) != [0]
        or not re.search(r"[\u4e00-\u9fff]", entry.msgstr[0])
    ]
    assert untranslated == []
    wrong = [
        entry.label
        for entry in messages
        if placeholders(entry.msgstr[0])
        != placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
    ]
    assert wrong == []


@pytest.mark.parametrize("directory", CATALOGUES, ids=["supervision", "holds"])
def test_the_compiled_catalogue_matches(directory, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
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
