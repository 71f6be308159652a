"""Declarative form definitions: a form is steps of fields plus cross-field rules.

The same definition drives the kiosk wizard (sent to the browser as JSON by `FormDef.to_dict`),
the server-side validation (`kiosk.forms.validate`) and the printed PDF (`kiosk.forms.pdf`), so a
field is described once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Field kinds and what they hold (validate.py and static/js/forms-validate.js implement each).
KINDS = {
    "text": "free text on one line",
    "name": "a person's name: letters and spaces",
    "address": "an address or place, one line",
    "textarea": "longer free text",
    "date": "a date dd/mm/yyyy",
    "year": "a year yyyy",
    "id12": "a 12-digit personal identification number (số định danh cá nhân / CCCD)",
    "phone": "a Vietnamese phone number",
    "email": "an e-mail address",
    "choice": "one of `options`",
    "number": "a whole number between `min` and `max`",
    "money": "an amount in đồng (digits, dots or spaces allowed)",
}
# Rule kinds (cross-field), each with the fields it reads.
RULES = {
    "not_future": "the date `fields[0]` is not after today",
    "min_age": "the person born on `fields[0]` is at least `value` years old today",
    "differ": "`fields[0]` and `fields[1]` are not equal (when both are given)",
    "year_gap": "the year `fields[0]` is at least `value` years before the date `fields[1]`",
    "required_with": "`fields[0]` is required when `fields[1]` is given",
    "required_if": "`fields[0]` is required when `fields[1]` equals `value`",
    "not_before": "the date `fields[0]` is not before the date `fields[1]`",
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"
    required: bool = True
    help: str = ""
    options: tuple[str, ...] = ()
    max_length: int = 120
    min: int | None = None
    max: int | None = None
    default: str = ""
    prefill: str | None = None  # a CccdData attribute that can fill this field
    upper: bool = False  # written in capitals on the paper form (names on civil-status forms)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name}: unknown kind {self.kind!r}")
        if self.kind == "choice" and not self.options:
            raise ValueError(f"field {self.name}: a choice needs options")

    def to_dict(self) -> dict:
        out = {"name": self.name, "label": self.label, "kind": self.kind, "required": self.required,
               "help": self.help, "max_length": self.max_length}
        for key in ("options", "min", "max", "default", "prefill", "upper"):
            value = getattr(self, key)
            if value not in (None, (), "", False):
                out[key] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class Step:
    title: str
    fields: tuple[Field, ...]
    help: str = ""

    def to_dict(self) -> dict:
        return {"title": self.title, "help": self.help, "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True)
class Rule:
    kind: str
    fields: tuple[str, ...]
    message: str
    value: int | str | None = None

    def __post_init__(self) -> None:
        if self.kind not in RULES:
            raise ValueError(f"unknown rule kind {self.kind!r}")

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "fields": list(self.fields), "message": self.message}
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass(frozen=True)
class Copy:
    """"Data entered once": when `when_field` equals `equals`, empty `targets` take the values
    of their sources (e.g. the requester is the mother → the mother's name is the requester's)."""

    when_field: str
    equals: str
    targets: tuple[tuple[str, str], ...]  # (target field, source field)

    def to_dict(self) -> dict:
        return {"when": self.when_field, "equals": self.equals,
                "targets": [list(t) for t in self.targets]}


@dataclass(frozen=True)
class FormDef:
    code: str
    title: str
    procedures: tuple[str, ...]  # catalogue codes (kiosk/catalog/data) this form belongs to
    form_ref: str  # the catalogue's form reference
    basis: str  # the legal instrument that sets the template
    summary: str
    steps: tuple[Step, ...]
    rules: tuple[Rule, ...] = ()
    copies: tuple[Copy, ...] = ()
    addressee: str = "authority"  # the field holding "Kính gửi"
    signer: str = ""  # the field whose value signs the form
    uncertain: str = ""  # what is not verified against the official template
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields()]
        if len(names) != len(set(names)):
            raise ValueError(f"form {self.code}: duplicate field names")
        known = set(names)
        for rule in self.rules:
            for name in rule.fields:
                if name not in known:
                    raise ValueError(f"form {self.code}: rule {rule.kind} names unknown field {name}")

    def fields(self) -> list[Field]:
        return [f for step in self.steps for f in step.fields]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields() if f.name == name), None)

    def to_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "procedures": list(self.procedures),
                "form_ref": self.form_ref, "basis": self.basis, "summary": self.summary,
                "steps": [s.to_dict() for s in self.steps], "rules": [r.to_dict() for r in self.rules],
                "copies": [c.to_dict() for c in self.copies], "uncertain": self.uncertain}
