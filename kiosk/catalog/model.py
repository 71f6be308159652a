"""Procedure (thủ tục hành chính) records, shaped like the national TTHC database (domain-vn.md §5.1).

Plain dataclasses so the kiosk, the importer and the server's database layer share one picture of a
procedure.  Texts that a citizen reads (time limits, fees, document names) are kept verbatim: fee
exemptions and "sau 15 giờ" rules live in the wording, so they are never parsed away.  Machine fields
(codes, counts, ``time_value``) sit beside the text for sorting and estimates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: Ways to submit a dossier (the portal's "Cách thức thực hiện" rows).
CHANNELS: dict[str, str] = {
    "direct": "Trực tiếp",
    "online": "Trực tuyến",
    "postal": "Dịch vụ bưu chính",
}

#: Level of the body that decides (cấp thực hiện).
LEVELS: dict[str, str] = {
    "commune": "Cấp xã",
    "province": "Cấp tỉnh",
    "central": "Cấp trung ương",
    "vertical": "Cơ quan ngành dọc",
}

#: Unit of ``Channel.time_value``.
TIME_UNITS: dict[str, str] = {
    "working_days": "ngày làm việc",
    "days": "ngày",
    "hours": "giờ",
}

#: How sure we are that a record matches the current official text.
CONFIDENCE: dict[str, str] = {
    "high": "Cao",
    "medium": "Trung bình",
    "low": "Thấp",
}

#: Online service level under Nghị định 42/2022 ("" when not stated; the channels say whether it is online).
ONLINE_LEVELS: dict[str, str] = {
    "": "Chưa xác định",
    "partial": "Dịch vụ công trực tuyến một phần",
    "full": "Dịch vụ công trực tuyến toàn trình",
}


def _num(value: float | None) -> float | int | None:
    """Write whole numbers as ints so JSON stays tidy (7, not 7.0)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


@dataclass
class Channel:
    """One submission channel with its time limit and fee.

    ``time_value``/``time_unit`` are the upper bound of ``time_text`` for estimates ("trong ngày" is
    1 working day); both are ``None`` when the text has no single bound.
    """

    channel: str
    time_text: str
    fee_text: str
    time_value: float | None = None
    time_unit: str | None = None
    fee_amounts: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "time_text": self.time_text,
            "time_value": _num(self.time_value),
            "time_unit": self.time_unit,
            "fee_text": self.fee_text,
            "fee_amounts": list(self.fee_amounts),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Channel:
        tv = d.get("time_value")
        return cls(
            channel=d["channel"],
            time_text=d["time_text"],
            fee_text=d["fee_text"],
            time_value=None if tv is None else float(tv),
            time_unit=d.get("time_unit") or None,
            fee_amounts=[int(a) for a in d.get("fee_amounts") or []],
            note=d.get("note") or "",
        )


@dataclass
class Document:
    """One line of "Thành phần hồ sơ": what to bring and how many originals / copies.

    ``present_only`` marks papers that are shown at the counter but not handed in (ID card, VNeID).
    ``form_ref`` points at ``Form.ref`` when the paper is a form to fill in.
    """

    name: str
    originals: int = 0
    copies: int = 0
    form_ref: str = ""
    required: bool = True
    present_only: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "originals": self.originals,
            "copies": self.copies,
            "form_ref": self.form_ref,
            "required": self.required,
            "present_only": self.present_only,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        return cls(
            name=d["name"],
            originals=int(d.get("originals") or 0),
            copies=int(d.get("copies") or 0),
            form_ref=d.get("form_ref") or "",
            required=bool(d.get("required", True)),
            present_only=bool(d.get("present_only", False)),
            note=d.get("note") or "",
        )


@dataclass
class DossierCase:
    """A "trường hợp": the set of documents for one situation (e.g. child found abandoned)."""

    name: str
    documents: list[Document] = field(default_factory=list)

    def missing(self, ticked: Iterable[int]) -> list[Document]:
        """Required documents whose index the citizen has not ticked (what to fetch before queuing)."""
        have = set(ticked)
        return [d for i, d in enumerate(self.documents) if d.required and i not in have]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "documents": [d.to_dict() for d in self.documents]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DossierCase:
        return cls(name=d["name"], documents=[Document.from_dict(x) for x in d.get("documents") or []])


@dataclass
class Form:
    """A form (mẫu đơn, tờ khai) a citizen fills in; ``url`` may be empty (printed at the centre)."""

    ref: str
    name: str
    url: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "name": self.name, "url": self.url, "note": self.note}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Form:
        return cls(ref=d["ref"], name=d["name"], url=d.get("url") or "", note=d.get("note") or "")


@dataclass
class Procedure:
    """One administrative procedure as the kiosk shows it and the counter handles it.

    ``service`` is the queue service code that receives it (see ``services.DEFAULT_SERVICES``).
    ``checked`` is the ISO date this record was last compared with ``source_*`` ("" = never compared
    with any source); ``unverified`` names fields still to confirm (``channels.fee_text`` …), ``note``
    says why.  ``popularity`` (0–100) is an editorial estimate of how often citizens ask for it; it
    orders equally good search matches and the default list.
    """

    code: str
    name: str
    field: str
    level: str
    service: str
    channels: list[Channel]
    dossier_cases: list[DossierCase]
    result: str
    source_name: str
    local_code: str = ""
    procedure_type: str = ""
    decision_no: str = ""
    agency: str = ""
    subjects: str = ""
    requirements: str = ""
    forms: list[Form] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    legal_basis: list[str] = field(default_factory=list)
    online_level: str = ""
    keywords: list[str] = field(default_factory=list)
    popularity: int = 0
    source_url: str = ""
    checked: str = ""
    confidence: str = "medium"
    unverified: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, self.level)

    def channel(self, code: str) -> Channel | None:
        """The channel with this code, or None when the procedure is not offered that way."""
        return next((c for c in self.channels if c.channel == code), None)

    def summary(self) -> dict[str, Any]:
        """The short form for lists (``GET /api/v1/procedures``)."""
        main = self.channel("direct") or (self.channels[0] if self.channels else None)
        return {
            "code": self.code,
            "name": self.name,
            "field": self.field,
            "level": self.level,
            "level_label": self.level_label,
            "service": self.service,
            "time_text": main.time_text if main else "",
            "fee_text": main.fee_text if main else "",
            "channels": [c.channel for c in self.channels],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "local_code": self.local_code,
            "name": self.name,
            "field": self.field,
            "level": self.level,
            "service": self.service,
            "procedure_type": self.procedure_type,
            "decision_no": self.decision_no,
            "agency": self.agency,
            "subjects": self.subjects,
            "requirements": self.requirements,
            "channels": [c.to_dict() for c in self.channels],
            "dossier_cases": [c.to_dict() for c in self.dossier_cases],
            "forms": [f.to_dict() for f in self.forms],
            "steps": list(self.steps),
            "result": self.result,
            "legal_basis": list(self.legal_basis),
            "online_level": self.online_level,
            "keywords": list(self.keywords),
            "popularity": self.popularity,
            "source_name": self.source_name,
            "source_url": self.source_url,
            "checked": self.checked,
            "confidence": self.confidence,
            "unverified": list(self.unverified),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Procedure:
        """Build a record from a dict, validating it first.

        Raises ``CatalogValidationError`` (with every problem found) when ``d`` is not a valid record.
        """
        from .validate import CatalogValidationError, validate_procedure

        issues = validate_procedure(d)
        if issues:
            raise CatalogValidationError(issues)
        return cls._build(d)

    @classmethod
    def _build(cls, d: dict[str, Any]) -> Procedure:
        """Build without validating (the caller has validated ``d``)."""
        return cls(
            code=d["code"],
            local_code=d.get("local_code") or "",
            name=d["name"],
            field=d["field"],
            level=d["level"],
            service=d["service"],
            procedure_type=d.get("procedure_type") or "",
            decision_no=d.get("decision_no") or "",
            agency=d.get("agency") or "",
            subjects=d.get("subjects") or "",
            requirements=d.get("requirements") or "",
            channels=[Channel.from_dict(c) for c in d["channels"]],
            dossier_cases=[DossierCase.from_dict(c) for c in d["dossier_cases"]],
            forms=[Form.from_dict(f) for f in d.get("forms") or []],
            steps=list(d.get("steps") or []),
            result=d["result"],
            legal_basis=list(d.get("legal_basis") or []),
            online_level=d.get("online_level") or "",
            keywords=list(d.get("keywords") or []),
            popularity=int(d.get("popularity") or 0),
            source_name=d["source_name"],
            source_url=d.get("source_url") or "",
            checked=d.get("checked") or "",
            confidence=d.get("confidence") or "medium",
            unverified=list(d.get("unverified") or []),
            note=d.get("note") or "",
        )


@dataclass
class Catalog:
    """A versioned set of procedures, as stored in ``data/catalog-v1.json`` or a centre's own file."""

    version: str
    updated: str
    procedures: list[Procedure] = field(default_factory=list)
    note: str = ""

    def get(self, code: str) -> Procedure | None:
        return next((p for p in self.procedures if p.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "updated": self.updated,
            "note": self.note,
            "procedures": [p.to_dict() for p in self.procedures],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Catalog:
        """Build a catalogue, validating everything; raises ``CatalogValidationError`` listing all issues."""
        from .validate import CatalogValidationError, validate_catalog

        issues = validate_catalog(d)
        if issues:
            raise CatalogValidationError(issues)
        return cls(
            version=str(d["version"]),
            updated=d["updated"],
            note=d.get("note") or "",
            procedures=[Procedure._build(p) for p in d["procedures"]],
        )
