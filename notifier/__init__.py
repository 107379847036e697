"""notifier: breach and incident notices from one YAML fact sheet.

The supported Python API is what ``__all__`` lists; the CLI is a thin shell over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "ExitCode",
    "FactSheet",
    "NotifierError",
    "Problem",
    "RenderRefused",
    "SheetError",
    "UsageError",
    "json_schema",
    "load_sheet",
    "merge_recipients",
    "parse_sheet",
    "render_sheet",
    "render_notice",
    "write_outbox",
]

if TYPE_CHECKING:
    from notifier.errors import ExitCode, NotifierError, Problem, RenderRefused, SheetError, UsageError
    from notifier.mergerun import merge_recipients
    from notifier.model import FactSheet
    from notifier.outbox import write_outbox
    from notifier.render import render_notice, render_sheet
    from notifier.sheet import json_schema, load_sheet, parse_sheet

_LAZY = {
    "ExitCode": "notifier.errors", "NotifierError": "notifier.errors", "Problem": "notifier.errors",
    "RenderRefused": "notifier.errors", "SheetError": "notifier.errors", "UsageError": "notifier.errors",
    "FactSheet": "notifier.model", "json_schema": "notifier.sheet", "load_sheet": "notifier.sheet",
    "parse_sheet": "notifier.sheet", "render_sheet": "notifier.render",
    "render_notice": "notifier.render", "write_outbox": "notifier.outbox",
    "merge_recipients": "notifier.mergerun",
}


def __getattr__(name: str) -> Any:
    # Lazy: `notifier --help` must not pay for pydantic, jinja2 and mjml.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'notifier' has no attribute {name!r}")
