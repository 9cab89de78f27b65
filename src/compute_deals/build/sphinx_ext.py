"""Sphinx extension: the book serves its own chart and table JavaScript (only pages with charts,
or with long tables, load it) and its stylesheet.

Listed in _config.yml (sphinx.extra_extensions). Each bundle is written once per version (of
vl-convert, of itables) into a cache folder beside the build and copied into _static/ with the
theme's own files.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
from pathlib import Path

from docutils import nodes

from compute_deals.report.html_names import CARD_LINES, CHART_CLASS, TABLES_FOLDER

BUNDLE = "compute-deals-vega.js"
STYLE = "compute-deals.css"
STATIC = Path(__file__).parent / "static"
TABLES_BUNDLE = "dt-for-itables.js"  # DataTables as itables ships it, for file:// (below)
TABLES_STYLE = "dt-for-itables.css"
TABLES_INIT = "compute-deals-tables.js"  # makes each long table searchable (static/)
SEARCHABLE_CLASS = "cd-searchable"  # report/present.py marks long tables with it
CARD = "compute-deals-card.png"  # a shared page's preview image (_config.yml: ogp_image)


def _cached(app, name: str, files: dict) -> Path:
    """A folder beside the build holding generated static files, each written (by its function,
    returning text or bytes) only when missing: `name` carries what they are made from."""
    folder = Path(app.doctreedir).parent / name
    for file_name, make in files.items():
        if not (folder / file_name).exists():
            folder.mkdir(parents=True, exist_ok=True)
            made, partial = make(), folder / (file_name + ".partial")
            partial.write_bytes(made if isinstance(made, bytes) else made.encode("utf-8"))
            partial.replace(folder / file_name)
    return folder


def _chart_files(app) -> Path:
    """The chart bundle and the preview card (both drawn with vl-convert, by report/charts)."""
    import vl_convert

    def charts():  # only when not cached: it imports Altair
        from compute_deals.report import charts

        return charts

    card_version = hashlib.sha256(repr(CARD_LINES).encode()).hexdigest()[:12]
    return _cached(app, f"vega-bundle-{vl_convert.__version__}-{card_version}", {
        BUNDLE: lambda: charts().javascript_bundle(), CARD: lambda: charts().preview_card_png()})


def _table_files(app) -> Path:
    """itables' offline DataTables bundle (an ES module) as a classic script that imports it from a
    blob URL, as itables' own offline mode does: a module file cannot be imported from a page
    opened from file://, a blob can. Its stylesheet is copied as it is."""
    import itables

    shipped = Path(itables.__file__).parent / "html"

    def script() -> str:
        source = json.dumps((shipped / "dt_bundle.js").read_text(encoding="utf-8"))
        return (f"// DataTables for itables {itables.__version__}, imported from a blob URL.\n"
                "window.computeDealsDataTables = import(URL.createObjectURL(new Blob(["
                f'{source}], {{type: "text/javascript"}})));\n')

    return _cached(app, f"itables-bundle-{itables.__version__}", {
        TABLES_BUNDLE: script, TABLES_STYLE: lambda: (shipped / "dt_bundle.css").read_bytes()})


def _open_graph_address(app, config) -> None:
    """Open Graph addresses start where the book is published (html.baseurl in _config.yml)."""
    if not config.ogp_site_url:
        config.ogp_site_url = config.html_baseurl


DESCRIPTION_CHARS = 200  # what sharing previews show of a page's description


def page_description(doctree) -> str:
    """A page's first paragraph as plain text, cut at a word before DESCRIPTION_CHARS."""
    for paragraph in doctree.findall(nodes.paragraph):
        text = " ".join(paragraph.astext().split())
        if text:
            return text if len(text) <= DESCRIPTION_CHARS else \
                text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return ""


def _describe_page(app, pagename, templatename, context, doctree) -> None:
    """Each page's description (meta and Open Graph) from its first paragraph as docutils reads it:
    sphinxext-opengraph's own joins text nodes with guessed spaces ("is$66.7M" where a glued
    figure meets the words), and it keeps a description a page already has."""
    description = page_description(doctree) if doctree is not None else ""
    if description:
        escaped = html.escape(description)
        context["metatags"] += f'<meta name="description" content="{escaped}" />\n'
        context["meta"] = {**(context.get("meta") or {}), "og:description": escaped}


def _write_every_page(app, env) -> list[str]:
    """Every page is written on every build, not only the pages read again: the sitemap lists
    the pages written, so an incremental build would leave the others out of it."""
    return sorted(env.found_docs)


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
    app.config.html_static_path += [str(STATIC), str(_chart_files(app)), str(_table_files(app))]
    app.add_css_file(STYLE)


def _load_bundles_where_used(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body") or ""
    if f'class="{CHART_CLASS}"' in body:
        app.add_js_file(BUNDLE)
    if SEARCHABLE_CLASS in body:
        app.add_css_file(TABLES_STYLE)
        app.add_js_file(TABLES_BUNDLE)
        app.add_js_file(TABLES_INIT)


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
    app.connect("config-inited", _open_graph_address)
    app.connect("env-updated", _write_every_page)
    app.connect("builder-inited", _add_static_files)
    app.connect("html-page-context", _load_bundles_where_used)
    app.connect("html-page-context", _drop_thebe_scripts)
    app.connect("html-page-context", _describe_page, priority=400)  # before sphinxext-opengraph's
    app.connect("html-page-context", _escape_print_title, priority=900)  # after the theme sets it
    app.connect("doctree-resolved", _drop_thebe_config, priority=900)  # after sphinx-thebe's
    app.connect("build-finished", _copy_tables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
