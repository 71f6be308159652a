"""Procedure catalogue (thủ tục hành chính): model, sample data, import/export, search.

Public API used by the server and the kiosk:

- ``Procedure``, ``Catalog`` (``model``): records with ``to_dict``/``from_dict``/``summary``.
- ``load_sample()`` (``sample``): the bundled ``data/catalog-v1.json``.
- ``import_file``/``import_text`` → ``ImportResult``; ``read_catalog``; ``export_file``/``export_text``
  (``importer``): JSON and CSV, all-or-nothing, issues with line numbers.
- ``CatalogStore`` protocol, ``JsonFileStore`` (``store``); ``make_catalog_group`` (``cli``).
- ``CatalogIndex`` (``search``): ``search(q, limit)``, ``fields()``, ``by_field()``, ``get()``.
"""

from .importer import (
    CatalogImportError,
    ImportResult,
    export_file,
    export_text,
    import_file,
    import_text,
    read_catalog,
)
from .model import Catalog, Channel, Document, DossierCase, Form, Procedure
from .sample import load_sample
from .search import CatalogIndex, fold, search_key
from .services import DEFAULT_SERVICES
from .store import CatalogStore, JsonFileStore
from .validate import CatalogValidationError, Issue

__all__ = [
    "Catalog", "CatalogImportError", "CatalogIndex", "CatalogStore", "CatalogValidationError", "Channel",
    "DEFAULT_SERVICES", "Document", "DossierCase", "Form", "ImportResult", "Issue", "JsonFileStore", "Procedure",
    "export_file", "export_text", "fold", "import_file", "import_text", "load_sample", "read_catalog", "search_key",
]
