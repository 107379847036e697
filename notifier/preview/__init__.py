"""Live preview of a fact sheet's notices in the browser: server, watcher and pages."""

from __future__ import annotations

from notifier.preview.server import PreviewServer, PreviewStarted, serve_preview

__all__ = ["PreviewServer", "PreviewStarted", "serve_preview"]
