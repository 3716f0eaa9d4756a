"""Validation of the portal's OCDS output against the vendored OCDS 1.1 schemas with the bids
and lots extensions applied (offline; see ocds_schema/README.md)."""

import copy
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(__file__).resolve().parent / "ocds_schema"
RELEASE_SCHEMA_ID = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


def _load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch: how an OCDS extension's release-schema.json applies."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


#: The extensions the portal declares, applied in this order (the lots extension adds
#: `relatedLots` to the bids extension's `Bid`).
EXTENSIONS = ("bids_extension", "lots_extension")


@cache
def release_schema() -> dict:
    """The OCDS 1.1.5 release schema with the bids and lots extensions applied."""
    schema = _load("release-schema.json")
    for extension in EXTENSIONS:
        schema = merge_patch(schema, _load(f"{extension}/release-schema.json"))
    return schema


@cache
def _registry() -> Registry:
    release = Resource.from_contents(release_schema(), default_specification=DRAFT4)
    return Registry().with_resource(RELEASE_SCHEMA_ID, release)


def _errors(document: dict, schema: dict) -> list[str]:
    validator = Draft4Validator(schema, registry=_registry(), format_checker=FormatChecker())
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


def release_package_errors(package: dict) -> list[str]:
    return _errors(package, _load("release-package-schema.json"))


def record_package_errors(package: dict) -> list[str]:
    return _errors(package, _load("record-package-schema.json"))
