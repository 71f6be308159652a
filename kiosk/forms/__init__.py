"""Guided form preparation for the kiosk: declarative forms, validation, Telex, CCCD QR, PDF.

Public API:
- ``FORMS``, ``get_form(code)``, ``forms_for_procedure(code)`` (``definitions``): the four
  declarations (khai-sinh, ket-hon, ct01, ho-kinh-doanh) as ``FormDef`` (``model``).
- ``clean(form, data, today)`` → normalised values or ``FormInvalid`` (``validate``).
- ``telex(typed)``, ``apply_key(word, key)`` (``telex``).
- ``parse_cccd(raw)`` → ``CccdData`` or ``CccdError`` (``cccd``).
- ``render_pdf(form, values, reference=, made_on=)`` → A4 PDF bytes (``pdf``).
"""

from .cccd import NOTICE, CccdData, CccdError, parse_cccd
from .definitions import FORMS, forms_for_procedure, get_form
from .model import Copy, Field, FormDef, Rule, Step
from .telex import apply_key, telex
from .validate import FormInvalid, check_field, check_rules, clean

__all__ = [
    "FORMS", "NOTICE", "CccdData", "CccdError", "Copy", "Field", "FormDef", "FormInvalid", "Rule", "Step",
    "apply_key", "check_field", "check_rules", "clean", "forms_for_procedure", "get_form", "parse_cccd",
    "telex",
]
