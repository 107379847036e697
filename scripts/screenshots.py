"""Screenshot every notice of some fact sheets at phone and desktop widths, light and dark.

    .venv/bin/python scripts/screenshots.py OUT_DIR [SHEET.yaml ...]

Without sheets, it shoots the judged copies of the bundled sheets and the synthetic ones
(tests/judges/). Debian's Chromium draws the pages through Playwright; nothing is fetched: a
logo URL gets a stand-in image in the brand colour (the real logo is on the organisation's
server), everything else is refused. Writes OUT_DIR/<sheet>__<audience>__<notice>__<mode>.png.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (320, 375, 600)
SCHEMES = ("light", "dark")


def _logo_svg(name: str, color: str, width: int, height: int) -> bytes:
    """A stand-in logo: the organisation's name on a brand-coloured tile."""
    from html import escape

    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" rx="6" '
            f'fill="{color}"/><text x="50%" y="50%" dominant-baseline="middle" '
            f'text-anchor="middle" font-family="Helvetica, Arial, sans-serif" '
            f'font-size="{min(height // 2, int(width / (0.7 * max(len(name), 1))))}" '
            f'font-weight="bold" fill="#ffffff">{escape(name)}</text>'
            f"</svg>").encode()


def shoot(out: Path, sheets: list[Path]) -> list[Path]:
    """Render each sheet and write one PNG per notice, width and colour scheme."""
    from playwright.sync_api import sync_playwright

    from notifier.render import render_sheet
    from notifier.sheet import load_sheet

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        for path in sheets:
            sheet = load_sheet(path)
            brand = sheet.organisation.brand
            logo = _logo_svg(sheet.organisation.name, brand.color if brand and brand.color
                             else "#1f3a5f", 2 * (brand.logo_width or 160 if brand else 160),
                             2 * (brand.logo_height or 40 if brand else 40))

            def route(r: Any, logo_url: str | None = brand.logo if brand else None,
                      body: bytes = logo) -> None:
                if logo_url and r.request.url == logo_url:
                    r.fulfill(status=200, content_type="image/svg+xml", body=body)
                else:
                    r.abort()

            for notice in render_sheet(sheet).notices:
                for scheme in SCHEMES:
                    for width in WIDTHS:
                        context = browser.new_context(viewport={"width": width, "height": 800},
                                                      color_scheme=scheme)  # type: ignore[arg-type]
                        context.route("**/*", route)
                        page = context.new_page()
                        page.set_content(notice.html, wait_until="load")
                        target = out / (f"{sheet.id}__{notice.audience_id}__{notice.notice}"
                                        f"__{scheme}-{width}.png")
                        page.screenshot(path=str(target), full_page=True)
                        written.append(target)
                        context.close()
        browser.close()
    return written


def main(argv: list[str]) -> int:
    """Shoot the sheets named on the command line (or the judged ones) into argv[0]."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    sheets = [Path(a) for a in argv[1:]] or sorted(
        [*(ROOT / "incidents").glob("*.yaml"), *(ROOT / "tests" / "sheets" / "readers").glob("*.yaml"),
         *(ROOT / "tests" / "judges" / "synthetic").glob("*.yaml")])
    for path in shoot(Path(argv[0]), sheets):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
