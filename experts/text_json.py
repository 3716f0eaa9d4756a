"""A JSON value stored as plain text: for the draw's large, write-once audit values.

A draw records its eligible sets (ten thousand ids per group on a large pool) and its
exclusions with their reasons (two thousand entries) once, and reads them back whole; nothing
ever queries inside them. As `jsonb` each write made PostgreSQL parse the document into its
binary form and each read print it back, and Python's `json` encoded and decoded it on both
sides: ≈ 25 ms of a draw on 100,000 experts. As text the database stores and returns the
bytes it is given, and orjson encodes and decodes them about ten times faster than the
standard library. The Python value is the same (lists, dicts, strings, integers), so the
audit record and `experts.draw_plan.verify_draw` see no difference, and rows written as
`jsonb` before the change read back unchanged (migration 0005 casts them to their text).
"""

import orjson
from django.core.exceptions import ValidationError
from django.db import models


class TextJSONField(models.TextField):
    """JSON in a text column, encoded and decoded with orjson; no lookups inside it."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else orjson.loads(value)

    def to_python(self, value):
        if value is None or not isinstance(value, str | bytes):
            return value
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError as error:
            raise ValidationError(f"{self.name}: not valid JSON ({error})") from error

    def get_prep_value(self, value):
        return None if value is None else orjson.dumps(value).decode()

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))
