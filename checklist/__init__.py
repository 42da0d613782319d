"""What must be published, by whom, and where: the national 清单 and the universities' catalogues.

The public surface is re-exported here; `checklist.model` holds the records and `checklist.loader` the
code that turns the YAML files people edit into those records, or into located error messages.
"""

from checklist.loader import (
    DEFAULT_CHECKLIST,
    CatalogueError,
    CatalogueErrors,
    FileReport,
    available_checklists,
    available_sites,
    check_files,
    load_checklist,
    load_file,
    load_site,
    shipped_files,
    validate,
)
from checklist.model import (
    Absence,
    Checklist,
    CrawlPolicy,
    Cycle,
    Department,
    Item,
    MonthDay,
    Period,
    Selectors,
    Site,
    SiteItem,
    Source,
    TermMode,
    TermRule,
)

__all__ = [
    "DEFAULT_CHECKLIST",
    "Absence",
    "CatalogueError",
    "CatalogueErrors",
    "Checklist",
    "CrawlPolicy",
    "Cycle",
    "Department",
    "FileReport",
    "Item",
    "MonthDay",
    "Period",
    "Selectors",
    "Site",
    "SiteItem",
    "Source",
    "TermMode",
    "TermRule",
    "available_checklists",
    "available_sites",
    "check_files",
    "load_checklist",
    "load_file",
    "load_site",
    "shipped_files",
    "validate",
]
