"""Sphinx extension: the book serves its own chart JavaScript (only pages with charts load it)
and its stylesheet.

Listed in _config.yml (sphinx.extra_extensions). The bundle is written once per vl-convert version
into a cache folder beside the build and copied into _static/ with the theme's own files.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from docutils import nodes

from compute_deals.report.html_names import CHART_CLASS, TABLES_FOLDER

BUNDLE = "compute-deals-vega.js"
STYLE = "compute-deals.css"
STATIC = Path(__file__).parent / "static"


def _bundle_dir(app) -> Path:
    import vl_convert

    from compute_deals.report import charts  # only when the bundle is not cached: it imports Altair

    folder = Path(app.doctreedir).parent / f"vega-bundle-{vl_convert.__version__}"
    if not (folder / BUNDLE).exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / (BUNDLE + ".partial")
        partial.write_text(charts.javascript_bundle(), encoding="utf-8")
        partial.replace(folder / BUNDLE)
    return folder


def _stamp_footer(app, config) -> None:
    """Every page's footer: data version, commit and build date (book.write_provenance)."""
    stamp_file = Path(app.srcdir) / "provenance.json"
    if not stamp_file.exists():
        return
    stamp = json.loads(stamp_file.read_text())
    config.html_theme_options["extra_footer"] = (
        f'<p class="cd-stamp">Data version {html.escape(stamp["data_version"])} · '
        f'commit {html.escape(stamp["commit"])} · built {html.escape(stamp["built"])}</p>'
    )


def _add_static_files(app) -> None:
    app.config.html_static_path += [str(STATIC), str(_bundle_dir(app))]
    app.add_css_file(STYLE)


def _load_bundle_on_chart_pages(app, pagename, templatename, context, doctree) -> None:
    if f'class="{CHART_CLASS}"' in (context.get("body") or ""):
        app.add_js_file(BUNDLE)


# Jupyter Book 1 always loads sphinx-thebe, whose scripts name a CDN address (unpkg) and are
# declared twice (a console error on every page) even with thebe off, as it is here.
def _is_thebe_script(script) -> bool:
    body = getattr(script, "attributes", {}).get("body", "")
    return "THEBE_JS_URL" in body or str(getattr(script, "filename", "")).endswith("sphinx-thebe.js")


def _drop_thebe_scripts(app, pagename, templatename, context, doctree) -> None:
    context["script_files"] = [s for s in context["script_files"] if not _is_thebe_script(s)]


def _drop_thebe_config(app, doctree, docname) -> None:
    for node in list(doctree.findall(nodes.raw)):
        if "x-thebe-config" in node.astext() or "kernelName =" in node.astext():
            node.parent.remove(node)


def _escape_print_title(app, pagename, templatename, context, doctree) -> None:
    """sphinx-book-theme puts the page title into its print header as plain text left unescaped
    (`title.astext()`); a buyer's page is titled with a name from data/, so escape it."""
    if "pagetitle" in context:
        context["pagetitle"] = html.escape(context["pagetitle"])


def _copy_tables(app, exception) -> None:
    """Copy each page folder's tables/ (the CSV behind its charts, written by the build) beside
    the page's HTML, where the charts' download links point."""
    if exception is not None:
        return
    source = Path(app.srcdir)
    # One level down for chapters and scenario pages, two for buyer pages (buyers/<slug>/).
    found = [*source.glob(f"*/{TABLES_FOLDER}"), *source.glob(f"*/*/{TABLES_FOLDER}")]
    for folder in sorted(f for f in found if not f.relative_to(source).parts[0].startswith(("_", "."))):
        shutil.copytree(folder, Path(app.outdir) / folder.relative_to(source), dirs_exist_ok=True)


def setup(app):
    app.connect("config-inited", _stamp_footer)
    app.connect("builder-inited", _add_static_files)
    app.connect("html-page-context", _load_bundle_on_chart_pages)
    app.connect("html-page-context", _drop_thebe_scripts)
    app.connect("html-page-context", _escape_print_title, priority=900)  # after the theme sets it
    app.connect("doctree-resolved", _drop_thebe_config, priority=900)  # after sphinx-thebe's
    app.connect("build-finished", _copy_tables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
