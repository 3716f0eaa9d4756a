"""Chinese search without a Chinese parser in the database (pure functions, no I/O).

Debian's PostgreSQL has neither pg_bigm nor zhparser, and a pg_trgm index cannot serve a
two-character query such as "道路". So the title is indexed as its character bigrams (in
order, so that a phrase query of adjacent bigrams is an exact substring match) followed by
its single characters, as lexemes of PostgreSQL's `simple` configuration in a GIN index:

    "道路维修" → "道路 路维 维修 道 路 维 修"

A query of two or more characters becomes the phrase `'道路' <-> '路维' <-> '维修'`; a
single character matches the unigram lexemes. Latin letters and digits are kept as whole
lower-cased words. A bigram never equals a unigram, so the two halves cannot match across
their boundary.
"""

import re

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")
_IS_CJK = re.compile(rf"[{_CJK}]")

#: The longest query the search takes, in characters; more is cut (a title is ≤ 250).
MAX_QUERY_CHARS = 50


def runs(text: str) -> list[str]:
    """The searchable runs of `text`: CJK runs and lower-cased Latin/digit words."""
    return [run.lower() for run in _RUN.findall(text or "")]


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def search_document(*texts: str) -> str:
    """The text PostgreSQL turns into the publication's search vector."""
    bigrams: list[str] = []
    unigrams: list[str] = []
    for text in texts:
        for run in runs(text):
            if _IS_CJK.match(run):
                bigrams.extend(_bigrams(run) if len(run) > 1 else [])
                unigrams.extend(run)
            else:
                bigrams.append(run)
    return " ".join(bigrams + unigrams)


def tsquery(query: str) -> str | None:
    """The `to_tsquery('simple', …)` text for a user's query, or None if it has nothing
    searchable. Every run must match (AND); a CJK run of n ≥ 2 characters is the phrase of
    its n-1 bigrams; lexemes are quoted, so no user input reaches the query syntax."""
    parts = []
    for run in runs(query[:MAX_QUERY_CHARS]):
        if _IS_CJK.match(run) and len(run) > 1:
            parts.append("(" + " <-> ".join(f"'{b}'" for b in _bigrams(run)) + ")")
        else:
            # Latin words and numbers match as prefixes (`'g312':*` finds "G312国道").
            parts.append(f"'{run}':*" if not _IS_CJK.match(run) else f"'{run}'")
    return " & ".join(parts) if parts else None


def is_single_character(query: str) -> bool:
    """A one-character query matches a great many titles: the list says so and is capped."""
    found = runs(query)
    return len(found) == 1 and len(found[0]) == 1
