"""Open data in the Open Contracting Data Standard 1.1 (E1, B5): a release per published step
of an engineering tender or a government procurement — tender, tenderAmendment, tenderUpdate
(opening record with the bids extension, candidates, failure), award, contract,
implementation — release packages, and records with compiled releases (`ocdsmerge`). A tender
divided into lots uses the lots extension (`tender.lots`, `relatedLot(s)`).

Only what the platform has already published goes out: the releases are built from the
announcements' published content (`Announcement.data`) and the performance records, so a
sealed bid can never leak through OCDS before its opening record is public.
"""

from datetime import datetime
from decimal import Decimal

import ocdsmerge
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from publicportal.ocds_validation import release_schema
from trading.models import Announcement, PerformanceRecord, Project

VERSION = "1.1"
CURRENCY = "CNY"
BIDS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_bid_extension/v1.1.5/extension.json"
)
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_lots_extension/v1.1.5/extension.json"
)
#: org-id.guide's scheme for the unified social credit code (统一社会信用代码).
USCC_SCHEME = "CN-USCC"

PROCUREMENT_METHOD = {
    "open_tender": "open",
    "invited_tender": "selective",
    "competitive_negotiation": "limited",
    "competitive_consultation": "limited",
    "inquiry": "limited",
    "single_source": "direct",
}
TAGS = {
    Announcement.Kind.TENDER: "tender",
    Announcement.Kind.CLARIFICATION: "tenderAmendment",
    Announcement.Kind.CHANGE: "tenderAmendment",
    Announcement.Kind.OPENING_RECORD: "tenderUpdate",
    Announcement.Kind.CANDIDATES: "tenderUpdate",
    Announcement.Kind.FAILURE: "tenderUpdate",
    Announcement.Kind.RESULT: "award",
    Announcement.Kind.CONTRACT: "contract",
}


def covered_projects() -> Q:
    """The projects OCDS covers: engineering tenders and government procurement."""
    codes = settings.OCDS_CATEGORIES
    return Q(project__category__code__in=codes) | Q(project__category__parent__code__in=codes)


def ocid(project: Project) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{project.transaction_code or f'P{project.pk}'}"


def project_for_ocid(value: str) -> Project | None:
    prefix = f"{settings.OCDS_OCID_PREFIX}-"
    if not value.startswith(prefix):
        return None
    local_id = value[len(prefix) :]
    projects = Project.objects.filter(
        Q(category__code__in=settings.OCDS_CATEGORIES)
        | Q(category__parent__code__in=settings.OCDS_CATEGORIES)
    )
    if local_id.startswith("P") and local_id[1:].isdigit():
        return projects.filter(pk=int(local_id[1:]), transaction_code__isnull=True).first()
    return projects.filter(transaction_code=local_id).first()


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return timezone.localtime(value).isoformat()


def _money(amount) -> dict:
    return {"amount": float(Decimal(str(amount))), "currency": CURRENCY}


def _org_id(uscc: str) -> str:
    return f"{USCC_SCHEME}-{uscc}"


def _party(name: str, uscc: str, roles: list[str]) -> dict:
    return {
        "id": _org_id(uscc),
        "name": name,
        "identifier": {"scheme": USCC_SCHEME, "id": uscc, "legalName": name},
        "roles": roles,
    }


def _reference(name: str, uscc: str) -> dict:
    return {"id": _org_id(uscc), "name": name}


def _lot_award_id(project: Project, lot_number) -> str:
    return f"{project.pk}-{lot_number}"


def divided_into_lots(project: Project) -> bool:
    """A tender divided into lots (分标段、分包) uses the lots extension: `tender.lots`, and
    `relatedLot(s)` on items, bids, bid statistics and awards. A tender of one lot is the
    tender as a whole and uses none of it (the extension is for tenders in parts)."""
    return len(project.lots.all()) > 1


def _lot_id(lot_number) -> str:
    return str(lot_number)


def _lot_item(project: Project, lot_number) -> dict:
    """The item of one lot, with its `relatedLot`: each lot is one item of works, goods or
    services, whose id is the lot number (as in the tender release's items)."""
    names = {lot.number: lot.name for lot in project.lots.all()}
    return {
        "id": _lot_id(lot_number),
        "description": names.get(lot_number, _lot_id(lot_number)),
        "quantity": 1,
        "relatedLot": _lot_id(lot_number),
    }


class ReleaseBuilder:
    """Builds the releases of projects, loading each project's context once."""

    def __init__(self):
        self._projects: dict[int, Project] = {}

    def project(self, project_id: int) -> Project:
        if project_id not in self._projects:
            self._projects[project_id] = (
                Project.objects.select_related(
                    "tenderee", "agent", "method", "category", "centre", "region", "schedule"
                )
                .prefetch_related("lots")
                .get(pk=project_id)
            )
        return self._projects[project_id]

    def _base(self, project: Project, release_id: str, date, tags: list[str]) -> dict:
        tenderee = project.tenderee
        parties = [_party(tenderee.name, tenderee.uscc, ["buyer"])]
        if project.agent_id:
            parties.append(_party(project.agent.name, project.agent.uscc, ["procuringEntity"]))
        else:
            parties[0]["roles"].append("procuringEntity")
        return {
            "ocid": ocid(project),
            "id": release_id,
            "date": _iso(date),
            "tag": tags,
            "initiationType": "tender",
            "language": "zh",
            "parties": parties,
            "buyer": _reference(tenderee.name, tenderee.uscc),
            "tender": {"id": project.transaction_code or str(project.pk)},
        }

    def announcement_release(self, announcement: Announcement) -> dict:
        project = self.project(announcement.project_id)
        kind = announcement.kind
        release = self._base(
            project, f"{ocid(project)}-{announcement.pk}", announcement.published_at, [TAGS[kind]]
        )
        tender = release["tender"]
        data = announcement.data or {}
        if kind == Announcement.Kind.TENDER:
            procuring = project.agent or project.tenderee
            tender.update(
                {
                    "title": project.title,
                    "description": project.description or announcement.body,
                    "status": "active",
                    "procuringEntity": _reference(procuring.name, procuring.uscc),
                    "procurementMethod": PROCUREMENT_METHOD.get(project.method.code, "open"),
                    "procurementMethodDetails": project.method.name_zh,
                    "mainProcurementCategory": project.subject,
                    "value": _money(sum(lot.estimate_amount for lot in project.lots.all())),
                    "items": [
                        {"id": str(lot.number), "description": lot.name, "quantity": 1}
                        for lot in project.lots.all()
                    ],
                    "tenderPeriod": {
                        "startDate": _iso(data.get("documents_issued_at")),
                        "endDate": _iso(data.get("bid_deadline")),
                    },
                }
            )
            if not tender["tenderPeriod"]["startDate"]:
                del tender["tenderPeriod"]
            if divided_into_lots(project):
                tender["lots"] = [
                    {
                        "id": _lot_id(lot.number),
                        "title": lot.name,
                        "status": "active",
                        "value": _money(lot.estimate_amount),
                    }
                    for lot in project.lots.all()
                ]
                for item in tender["items"]:
                    item["relatedLot"] = item["id"]
        elif kind in {Announcement.Kind.CLARIFICATION, Announcement.Kind.CHANGE}:
            tender["amendments"] = [
                {
                    "id": str(announcement.pk),
                    "date": _iso(announcement.published_at),
                    "description": announcement.body,
                    "rationale": announcement.title,
                }
            ]
            if data.get("bid_deadline"):
                tender["tenderPeriod"] = {"endDate": _iso(data["bid_deadline"])}
        elif kind == Announcement.Kind.OPENING_RECORD:
            lot = data.get("lot")
            details, tenderers = [], []
            for index, bid in enumerate(data.get("bids", []), start=1):
                tenderers.append(bid)
                details.append(
                    {
                        "id": f"{lot}-{index}",
                        "date": _iso(bid.get("received_at")),
                        "status": "pending",
                        "tenderers": [_reference(bid["bidder"], bid["uscc"])],
                        "value": _money(bid["price"]),
                    }
                )
            for index, bid in enumerate(data.get("rejected", []), start=len(details) + 1):
                tenderers.append(bid)
                # Not decrypted at the opening: treated as withdrawn (电子招标投标办法 第31条).
                details.append(
                    {
                        "id": f"{lot}-{index}",
                        "status": "withdrawn",
                        "tenderers": [_reference(bid["bidder"], bid["uscc"])],
                    }
                )
            statistics = [
                {"id": f"{lot}-bids", "measure": "bids", "value": len(details)},
                {
                    "id": f"{lot}-valid",
                    "measure": "validBids",
                    "value": len(data.get("bids", [])),
                },
            ]
            release["bids"] = {"statistics": statistics, "details": details}
            release["parties"] += [
                _party(bid["bidder"], bid["uscc"], ["tenderer"]) for bid in tenderers
            ]
            if divided_into_lots(project):
                for bid in details:
                    bid["relatedLots"] = [_lot_id(lot)]
                for statistic in statistics:
                    statistic["relatedLot"] = _lot_id(lot)
            else:
                # One opening record is the whole tender's: its tenderers are the tender's.
                tender["numberOfTenderers"] = len(tenderers)
        elif kind == Announcement.Kind.FAILURE:
            failed = project.lots.filter(state="failed").count()
            if failed == len(project.lots.all()):
                tender["status"] = "unsuccessful"
            tender["statusDetails"] = data.get("reason") or announcement.body
            if divided_into_lots(project) and data.get("lot") is not None:
                tender["lots"] = [{"id": _lot_id(data["lot"]), "status": "unsuccessful"}]
        elif kind == Announcement.Kind.CANDIDATES:
            tender["statusDetails"] = announcement.title
        elif kind == Announcement.Kind.RESULT:
            release["awards"] = [
                {
                    "id": _lot_award_id(project, data.get("lot")),
                    "title": announcement.title,
                    "status": "active",
                    "date": _iso(announcement.published_at),
                    "value": _money(data["price"]),
                    "suppliers": [_reference(data["winner"], data["uscc"])],
                }
            ]
            release["parties"].append(_party(data["winner"], data["uscc"], ["supplier"]))
            if divided_into_lots(project):
                award = release["awards"][0]
                award["relatedLots"] = [_lot_id(data.get("lot"))]
                award["items"] = [_lot_item(project, data.get("lot"))]
                tender["lots"] = [{"id": _lot_id(data.get("lot")), "status": "complete"}]
        elif kind == Announcement.Kind.CONTRACT:
            contract = {
                "id": _lot_award_id(project, data.get("lot")),
                "awardID": _lot_award_id(project, data.get("lot")),
                "title": announcement.title,
                "status": "active",
                "value": _money(data["amount"]),
                "dateSigned": _iso(data.get("signed_at") or announcement.published_at),
            }
            if data.get("duration_days"):
                contract["period"] = {"durationInDays": int(data["duration_days"])}
            if divided_into_lots(project):
                # The lots extension gives a contract no `relatedLots`: its lot is its award's
                # (`awardID`), and its item's `relatedLot`.
                contract["items"] = [_lot_item(project, data.get("lot"))]
            release["contracts"] = [contract]
        return release

    def performance_release(self, record: PerformanceRecord) -> dict:
        lot = record.contract.lot
        project = self.project(lot.project_id)
        contract_id = _lot_award_id(project, lot.number)
        release = self._base(
            project,
            f"{ocid(project)}-performance-{record.pk}",
            record.recorded_at,
            ["implementation"],
        )
        implementation = {
            "milestones": [
                {
                    "id": str(record.pk),
                    "title": record.milestone,
                    "description": record.description,
                    "type": "delivery",
                    "status": "met",
                    "dateMet": _iso(record.recorded_at),
                }
            ]
        }
        if record.amount_paid is not None:
            implementation["transactions"] = [
                {
                    "id": str(record.pk),
                    "date": _iso(record.recorded_at),
                    "value": _money(record.amount_paid),
                }
            ]
        release["contracts"] = [
            {"id": contract_id, "awardID": contract_id, "implementation": implementation}
        ]
        return release


def releases(
    *, since: datetime | None = None, until: datetime | None = None, project=None
) -> list[dict]:
    """Every public release in date order (published in [since, until) when given)."""
    announcements = Announcement.objects.filter(covered_projects()).order_by("published_at", "id")
    records = PerformanceRecord.objects.filter(
        Q(contract__lot__project__category__code__in=settings.OCDS_CATEGORIES)
        | Q(contract__lot__project__category__parent__code__in=settings.OCDS_CATEGORIES)
    ).select_related("contract__lot")
    if project is not None:
        announcements = announcements.filter(project=project)
        records = records.filter(contract__lot__project=project)
    if since is not None:
        announcements = announcements.filter(published_at__gte=since)
        records = records.filter(recorded_at__gte=since)
    if until is not None:
        announcements = announcements.filter(published_at__lt=until)
        records = records.filter(recorded_at__lt=until)
    builder = ReleaseBuilder()
    events = [(a.published_at, 0, a.pk, a) for a in announcements] + [
        (r.recorded_at, 1, r.pk, r) for r in records
    ]
    events.sort(key=lambda event: event[:3])
    return [
        builder.announcement_release(obj)
        if isinstance(obj, Announcement)
        else builder.performance_release(obj)
        for *_, obj in events
    ]


def _package_metadata(uri: str) -> dict:
    metadata = {
        "uri": uri,
        "version": VERSION,
        "extensions": [BIDS_EXTENSION, LOTS_EXTENSION],
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME},
        "publishedDate": timezone.localtime().isoformat(),
    }
    if settings.OCDS_LICENSE:
        metadata["license"] = settings.OCDS_LICENSE
    if settings.OCDS_PUBLICATION_POLICY:
        metadata["publicationPolicy"] = settings.OCDS_PUBLICATION_POLICY
    return metadata


def release_package(release_list: list[dict], *, uri: str) -> dict:
    return _package_metadata(uri) | {"releases": release_list}


def compiled_release(release_list: list[dict]) -> dict:
    merger = ocdsmerge.Merger(schema=release_schema())
    return merger.create_compiled_release(release_list)


def record_package(project: Project, *, uri: str, release_uri: str) -> dict:
    """The project's record: its releases embedded, and the compiled release."""
    release_list = releases(project=project)
    record = {"ocid": ocid(project), "releases": release_list}
    if release_list:
        record["compiledRelease"] = compiled_release(release_list)
    return _package_metadata(uri) | {"packages": [release_uri], "records": [record]}
