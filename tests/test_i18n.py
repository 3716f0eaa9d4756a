"""The Chinese catalogue: complete, compiled, and faithful to the placeholders of the source.

No database: the checks read `locale/zh_Hans/LC_MESSAGES/django.po` and the committed
`django.mo` next to it.
"""

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LC_MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

# %(name)s, %(count)d, %s, %d … (a literal "%%" is not a placeholder) and {name}, {0}, {}.
PRINTF = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
BRACES = re.compile(r"\{[A-Za-z0-9_]*\}")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid[:60]!r}"


def _unquote(literal: str) -> str:
    # A .po string literal is a C string; these are the escapes gettext writes.
    return ast.literal_eval(literal)


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (obsolete `#~` entries are skipped)."""
    entries: list[Entry] = []
    for start, block in _blocks(text):
        entry = Entry(line=start)
        target = None
        for line in block:
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line
            ):
                keyword, index, literal = match.groups()
                value = _unquote(literal)
                if keyword == "msgctxt":
                    entry.msgctxt = value
                    target = ("msgctxt", None)
                elif keyword == "msgid":
                    entry.msgid = value
                    target = ("msgid", None)
                elif keyword == "msgid_plural":
                    entry.msgid_plural = value
                    target = ("msgid_plural", None)
                else:
                    number = int(index) if index is not None else 0
                    entry.msgstr[number] = value
                    target = ("msgstr", number)
            elif line.startswith('"') and target is not None:
                value = _unquote(line)
                kind, number = target
                if kind == "msgstr":
                    entry.msgstr[number] += value
                else:
                    setattr(entry, kind, getattr(entry, kind) + value)
            else:
                raise AssertionError(f"line {start}: cannot read {line!r}")
        if target is not None:  # a block of comments only (e.g. once obsolete) is no entry
            entries.append(entry)
    return entries


def _blocks(text: str):
    block: list[str] = []
    start = 1
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if block:
                yield start, block
            block = []
            continue
        if line.startswith("#~"):
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, block


def placeholders(text: str) -> set[str]:
    text = text.replace("%%", "")
    return set(PRINTF.findall(text)) | set(BRACES.findall(text))


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(entries) -> list[Entry]:
    """Every entry but the header."""
    return [entry for entry in entries if entry.msgid or entry.msgctxt]


def test_the_catalogue_is_read(entries, messages):
    header = entries[0]
    assert header.msgid == "" and "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]
    assert len(messages) > 500
    assert any(entry.msgid_plural for entry in messages)


def test_every_entry_is_translated_and_none_is_fuzzy(entries, messages):
    fuzzy = [entry.label for entry in entries if "fuzzy" in entry.flags]
    assert fuzzy == []
    untranslated = [
        entry.label
        for entry in messages
        if not entry.msgstr or any(not text.strip() for text in entry.msgstr.values())
    ]
    assert untranslated == []


def test_chinese_has_one_plural_form(messages):
    """nplurals=1: a plural entry has msgstr[0] only, as has every other entry."""
    assert [entry.label for entry in messages if sorted(entry.msgstr) != [0]] == []


# Source strings whose right translation has no Chinese character: an algorithm's name, and
# the credit score's sum, which is only numbers and signs (templates/credit/file.html).
NOT_CHINESE = frozenset({"SHA-256", "%(base)s %(penalties)s + %(rewards)s = %(score)s"})


def test_translations_are_chinese(messages):
    """A msgstr copied from its msgid would pass the other checks and show English."""
    no_chinese = [
        entry.label
        for entry in messages
        if entry.msgid not in NOT_CHINESE
        and not all(re.search(r"[\u4e00-\u9fff]", text) for text in entry.msgstr.values())
    ]
    assert no_chinese == []


def test_placeholders_are_kept(messages):
    wrong = []
    for entry in messages:
        # The one Chinese form stands for both English forms of a plural entry.
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for text in entry.msgstr.values():
            if placeholders(text) != expected:
                wrong.append(f"{entry.label}: {sorted(placeholders(text))} != {sorted(expected)}")
    assert wrong == []


def test_html_tags_are_kept(messages):
    tag = re.compile(r"</?[A-Za-z][^>]*>|&[A-Za-z]+;|&#\d+;")
    wrong = [
        entry.label
        for entry in messages
        if any(
            sorted(tag.findall(text)) != sorted(tag.findall(entry.msgid))
            for text in entry.msgstr.values()
        )
    ]
    assert wrong == []


def test_placeholder_check_sees_every_kind():
    assert placeholders("%(name)s has %(count)d, %s and {code}, 100%% sure") == {
        "%(name)s",
        "%(count)d",
        "%s",
        "{code}",
    }


def test_the_committed_mo_matches_the_po(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
    assert MO_FILE.exists(), "compile the catalogue: manage.py compilemessages -l zh_Hans"
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [msgfmt, "--check-format", "-o", str(fresh), str(PO_FILE)],
        check=True,
        capture_output=True,
    )
    with MO_FILE.open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(compiled)._catalog
        ), "django.mo is stale: run manage.py compilemessages -l zh_Hans"


def test_the_po_passes_msgfmt_checks():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(PO_FILE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
