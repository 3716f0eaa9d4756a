"""The credit exchange format (G1, B5): one JSON object per record, the same shape for the
API, the bulk import and the export. Documented in docs/CREDIT_EXCHANGE.md.

A file is either a JSON array of rows or JSON Lines (one row per line). Each row is read and
validated on its own, so a bad row is reported with its line and reason and the others
still load.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from catalog.models import Category
from credit.models import CreditRecord, MeasureType, RecordKind, Severity
from portal.centres.models import Region
from portal.entities.uscc import normalise_uscc, validate_uscc

FORMAT_VERSION = 1
ALL_CATEGORIES = "*"
MAX_ROWS = 100_000


class CreditRecordRow(serializers.Serializer):
    """One credit record in the exchange format (the body of POST /api/v1/credit/records/)."""

    external_id = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        default="",
        help_text="The record's id on the credit platform it comes from (optional).",
    )
    uscc = serializers.CharField(max_length=40, help_text="Unified social credit code.")
    entity_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The party's name as the decision gives it; required if not registered here.",
    )
    kind = serializers.ChoiceField(choices=RecordKind.choices)
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: general for penalties, misconduct and judgments; none otherwise.",
    )
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(is_active=True),
        help_text="The trading category the record concerns, e.g. engineering.",
    )
    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="GB/T 2260 code of where the conduct took place; default: the entity's.",
    )
    authority = serializers.CharField(max_length=128)
    legal_basis = serializers.CharField(max_length=300)
    decision_no = serializers.CharField(max_length=128)
    reason = serializers.CharField(max_length=4000)
    valid_from = serializers.DateTimeField(help_text="First second of validity (ISO 8601).")
    valid_to = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Last second of validity (inclusive); null: no end date.",
    )
    public = serializers.BooleanField(required=False, default=True)
    measure = serializers.SlugRelatedField(
        slug_field="code",
        queryset=MeasureType.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="Measure type code, e.g. market_ban, restriction; null: no measure.",
    )
    measure_categories = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        allow_null=True,
        default=None,
        help_text='Category codes the measure applies to; ["*"]: every category; '
        "default: the record's category.",
    )
    measure_region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The measure applies in this region and below; null: everywhere.",
    )
    measure_valid_from = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Default: valid_from."
    )
    measure_valid_to = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Default: valid_to."
    )

    def validate_uscc(self, value: str) -> str:
        code = normalise_uscc(value)
        problem = validate_uscc(code)
        if problem is not None:
            raise serializers.ValidationError(problem.message)
        return code

    def validate_measure_categories(self, value):
        if value is None:
            return None
        codes = [code.strip() for code in value]
        if ALL_CATEGORIES in codes:
            if len(codes) > 1:
                raise serializers.ValidationError(
                    _('"*" (every category) stands alone in the list.')
                )
            return ALL_CATEGORIES
        found = {c.code: c for c in Category.objects.filter(code__in=codes, is_active=True)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown category: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        if not codes:
            raise serializers.ValidationError(_('Name at least one category, or "*".'))
        return [found[code] for code in dict.fromkeys(codes)]

    def validate(self, attrs):
        if attrs.get("measure") is None:
            stray = [
                name
                for name in (
                    "measure_categories",
                    "measure_region",
                    "measure_valid_from",
                    "measure_valid_to",
                )
                if attrs.get(name) is not None
            ]
            if stray:
                raise serializers.ValidationError(
                    {name: [_("Only with a measure.")] for name in stray}
                )
        return attrs


def service_arguments(data: dict) -> dict:
    """The validated row as keyword arguments of `services.records.add_record`."""
    categories = data.get("measure_categories")
    return {
        "uscc": data["uscc"],
        "entity_name": data.get("entity_name", ""),
        "kind": data["kind"],
        "severity": data.get("severity"),
        "category": data["category"],
        "region": data.get("region"),
        "authority": data["authority"].strip(),
        "legal_basis": data["legal_basis"].strip(),
        "decision_no": data["decision_no"].strip(),
        "reason": data["reason"].strip(),
        "valid_from": data["valid_from"],
        "valid_to": data.get("valid_to"),
        "public": data.get("public", True),
        "external_id": data.get("external_id", "").strip(),
        "measure_type": data.get("measure"),
        "measure_categories": None if categories in (None, ALL_CATEGORIES) else categories,
        "measure_all_categories": categories == ALL_CATEGORIES,
        "measure_region": data.get("measure_region"),
        "measure_valid_from": data.get("measure_valid_from"),
        "measure_valid_to": data.get("measure_valid_to"),
    }


# --- Export ---------------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def record_row(record: CreditRecord, *, with_evidence: bool = False) -> dict[str, Any]:
    """A record in the exchange format; loading it elsewhere recreates it (measure included,
    with its current end). `recorded_at`, `repairs` and `evidence` (names and SHA-256
    digests, for those who may see them) are for information and ignored on loading."""
    measures = list(record.measures.all())
    measure = measures[0] if measures else None
    row: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "external_id": record.external_id,
        "uscc": record.uscc,
        "entity_name": record.entity_name,
        "kind": record.kind,
        "severity": record.severity,
        "category": record.category.code,
        "region": record.region.code,
        "authority": record.authority,
        "legal_basis": record.legal_basis,
        "decision_no": record.decision_no,
        "reason": record.reason,
        "valid_from": _time(record.valid_from),
        "valid_to": _time(record.valid_to),
        "public": record.public,
        "measure": None,
        "recorded_at": _time(record.recorded_at),
    }
    if with_evidence:
        row["evidence"] = [
            {"name": doc.name, "sha256": doc.sha256, "size": doc.size}
            for doc in record.evidence.all()
        ]
    if measure is not None:
        scopes = list(measure.scopes.all())
        row.update(
            {
                "measure": measure.measure_type.code,
                "measure_categories": [ALL_CATEGORIES]
                if measure.all_categories
                else sorted(scope.category.code for scope in scopes),
                "measure_region": measure.region.code if measure.region_id else None,
                "measure_valid_from": _time(measure.valid_from),
                "measure_valid_to": _time(measure.valid_to),
                "repairs": [
                    {
                        "decision_no": repair.decision_no,
                        "authority": repair.authority,
                        "decided_on": repair.decided_on.isoformat(),
                        "previous_valid_to": _time(repair.previous_valid_to),
                        "new_valid_to": _time(repair.new_valid_to),
                    }
                    for repair in measure.repairs.all()
                ],
            }
        )
    return row


# --- Reading a file -------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedRow:
    line: int
    data: dict | None
    error: str | None = None


def parse_document(text: str) -> list[ParsedRow]:
    """The rows of a file: a JSON array, or JSON Lines. A row that is not JSON, or not an
    object, is a row with an error; in an array, an unreadable element ends the reading."""
    text = text.lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("["):
        return _parse_array(text)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(ParsedRow(number, None, _("Not valid JSON: %(error)s.") % {"error": exc}))
            continue
        rows.append(_row(number, value))
    return rows


def _row(line: int, value) -> ParsedRow:
    if not isinstance(value, dict):
        return ParsedRow(line, None, _("A row is a JSON object."))
    return ParsedRow(line, value)


def _parse_array(text: str) -> list[ParsedRow]:
    decoder = json.JSONDecoder()
    rows: list[ParsedRow] = []
    position = text.index("[") + 1

    def skip_blanks(at: int) -> int:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        return at

    def line_of(at: int) -> int:
        return text.count("\n", 0, at) + 1

    position = skip_blanks(position)
    if position < len(text) and text[position] == "]":
        return rows
    while position < len(text):
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            rows.append(
                ParsedRow(
                    line_of(position),
                    None,
                    _("Not valid JSON: %(error)s; the rest of the array was not read.")
                    % {"error": exc.msg},
                )
            )
            return rows
        rows.append(_row(line_of(position), value))
        position = skip_blanks(end)
        if position < len(text) and text[position] == ",":
            position = skip_blanks(position + 1)
            continue
        if position < len(text) and text[position] == "]":
            return rows
        rows.append(ParsedRow(line_of(position), None, _("Expected “,” or “]” after a row.")))
        return rows
    rows.append(ParsedRow(line_of(len(text)), None, _("The array is not closed with “]”.")))
    return rows
