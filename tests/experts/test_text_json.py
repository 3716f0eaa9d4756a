"""The draw's audit values kept as text (experts.text_json): what the database returns decodes
to the value written, including documents written as jsonb before migration 0005 (PostgreSQL
casts those to its own text rendering, with spaces after separators)."""

import pytest
from django.core.exceptions import ValidationError

from experts.text_json import TextJSONField

EXCLUSIONS = [
    {"expert": 7, "reasons": [{"code": "related_to_party", "detail": "employment:bidder:X"}]},
    {"expert": 9, "reasons": [{"code": "booked", "detail": ""}]},
]


def test_a_value_round_trips_through_the_text_column():
    field = TextJSONField()
    stored = field.get_prep_value(EXCLUSIONS)
    assert isinstance(stored, str)
    assert field.from_db_value(stored, None, None) == EXCLUSIONS


def test_a_document_cast_from_jsonb_reads_back_as_the_same_value():
    jsonb_rendering = (
        '[{"expert": 7, "reasons": [{"code": "related_to_party", "detail": '
        '"employment:bidder:X"}]}, {"expert": 9, "reasons": [{"code": "booked", "detail": ""}]}]'
    )
    assert TextJSONField().from_db_value(jsonb_rendering, None, None) == EXCLUSIONS
    assert TextJSONField().from_db_value("[1, 2, 3]", None, None) == [1, 2, 3]


def test_text_that_is_not_json_is_refused_naming_the_field():
    field = TextJSONField(name="eligible")
    with pytest.raises(ValidationError, match="eligible"):
        field.to_python("[1, 2,")
