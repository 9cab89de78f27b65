"""Opening built pages (or JupyterLab) in Debian's chromium (Playwright), offline: every request
that is not file:// or loopback is blocked and recorded, and so are console errors and dialogs."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# The browser, its flags and what counts as local are the PDF printer's own.
from compute_deals.build.pdf import CHROMIUM, CHROMIUM_ARGS, is_local

# Console errors that every Jupyter Book 1 page prints and that do not affect it:
ALLOWED_CONSOLE_ERRORS = (
    # pydata-sphinx-theme reads a theme mode from localStorage, which file:// pages lack.
    "Got invalid theme mode",
)


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    page: object
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in ALLOWED_CONSOLE_ERRORS)]


def visit(browser, path: Path | str, width: int = 1280, height: int = 900) -> Visit:
    """Open a page (a file, or a loopback address); the caller closes visit.page."""
    page = browser.new_page(viewport={"width": width, "height": height})
    seen = Visit(page)

    def guard(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            seen.blocked.append(route.request.url)
            route.abort()

    def on_dialog(dialog):
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.route("**/*", guard)
    page.on("console", lambda msg: seen.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
    page.on("dialog", on_dialog)
    page.goto(path.as_uri() if isinstance(path, Path) else path, wait_until="load")
    return seen


# The centres of the first visible marks (some marks, such as a band, carry no tooltip).
# The first 20 marks big enough to hover, tagged so Playwright can find each one again.
TAG_VISIBLE_MARKS = """() => {
  let n = 0;
  for (const el of document.querySelectorAll('.cd-chart svg.marks g.role-mark > *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 2 && box.height > 2) {
      el.setAttribute('data-hover-test', n);
      if (++n === 20) break;
    }
  }
  return n;
}"""


def shows_a_tooltip(page) -> bool:
    """Hover visible marks one after another until one shows its tooltip. Each mark is scrolled
    into view first and hovered where it is then: near the end of a short page the window cannot
    scroll far enough to put it at a fixed height."""
    for n in range(page.evaluate(TAG_VISIBLE_MARKS)):
        mark = page.locator(f'[data-hover-test="{n}"]')
        mark.scroll_into_view_if_needed()
        box = mark.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            page.wait_for_selector("#vg-tooltip-element.visible", timeout=1_000)
            return True
        except Exception:  # noqa: BLE001 (Playwright's timeout: try the next mark)
            continue
    return False
