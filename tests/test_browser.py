"""The reports as a reader meets them: in Debian's chromium, driven by Playwright, offline.

Every non-file request is blocked and counted. Pages must load with none, with no console errors,
every image decoded and described, every index link pointing at a file, no serious or critical
axe-core violations, and the stand-in notice visible. Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from src import pipeline
from src.helpers import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = ROOT / "test-output" / "screenshots"
REPORTS = [r.name for r in pipeline.load_config()]
PAGES = ["index", "provenance", *REPORTS, *[f"{name}-full" for name in REPORTS]]
PLACEHOLDER_ALT = ("No description has been provided", "image", "figure", "")


class Visit:
    """One page load with its blocked requests, console errors and page errors recorded."""

    def __init__(self, browser, path: Path, bypass_csp: bool = False):
        self.context = browser.new_context(
            bypass_csp=bypass_csp, viewport={"width": 1200, "height": 900}
        )
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on(
            "console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.goto(path.as_uri(), wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def close(self):
        self.context.close()


@pytest.fixture(scope="session")
def site(built_repo) -> Path:
    return built_repo[0] / "reports"


@pytest.fixture
def visit(browser):
    opened = []

    def _open(path: Path, **kwargs) -> Visit:
        opened.append(Visit(browser, path, **kwargs))
        return opened[-1]

    yield _open
    for v in opened:
        v.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_without_errors(site, visit, name):
    v = visit(site / f"{name}.html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert v.blocked == [], f"{name} asked the network for {v.blocked}"
    assert v.console_errors == [], v.console_errors
    assert v.page_errors == [], v.page_errors
    assert v.page.title()


@pytest.mark.parametrize("name", [n for n in PAGES if n not in ("index", "provenance")])
def test_images_are_decoded_and_described(site, visit, name):
    v = visit(site / f"{name}.html")
    images = v.page.eval_on_selector_all(
        "img", "els => els.map(e => ({w: e.naturalWidth, alt: e.getAttribute('alt')}))"
    )
    if name.split("-")[0] in ("figures_calendar", "figures_fiscal", "canada_context"):
        assert len(images) >= 2, f"{name} shows no charts"
    for image in images:
        assert image["w"] > 0, f"an image in {name} did not decode"
        assert image["alt"] and image["alt"].strip() not in PLACEHOLDER_ALT, image["alt"]
        assert len(image["alt"]) > 60, f"alt text too thin: {image['alt']!r}"


def test_every_index_link_resolves(site, visit):
    v = visit(site / "index.html")
    hrefs = v.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert len(hrefs) >= 2 * len(REPORTS)
    for href in hrefs:
        parsed = urlparse(href)
        assert parsed.scheme == "file", f"index links outside the site: {href}"
        target = Path(unquote(parsed.path))
        assert target.is_file(), f"index link to a missing file: {href}"
        assert site in target.parents, f"index link leaves reports/: {href}"


FOIA_REPORTS = [r.name for r in pipeline.load_config() if r.data == "foia"]
OFFICIAL_REPORTS = [r.name for r in pipeline.load_config() if r.data == "official"]


@pytest.mark.parametrize("name", OFFICIAL_REPORTS)
def test_reports_built_only_on_official_files_have_no_standin_notice(site, visit, name):
    v = visit(site / f"{name}.html")
    assert v.page.locator(".standin-notice").count() == 0
    assert "STAND-IN" not in v.page.inner_text("body")


@pytest.mark.parametrize("name", ["index", *FOIA_REPORTS])
def test_standin_notice_is_visible_with_a_working_link(site, visit, name):
    v = visit(site / f"{name}.html")
    notice = v.page.locator(".standin-notice").first
    assert notice.is_visible()
    assert "stand-in" in notice.inner_text().lower()
    href = notice.locator("a").get_attribute("href")
    assert (site / href).is_file()


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(site, visit, name):
    from axe_playwright_python.sync_playwright import Axe

    v = visit(site / f"{name}.html", bypass_csp=True)  # the CSP would refuse axe's own script
    results = Axe().run(v.page)
    serious = [
        f"{item['id']} ({item['impact']}): {item['help']} -> {[n['target'] for n in item['nodes']][:3]}"
        for item in results.response["violations"]
        if item.get("impact") in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)


def test_markup_in_a_country_name_is_shown_not_run(browser, tmp_path):
    """A value from the raw file that holds markup appears as text in a report table."""
    from src.report import safe_html

    evil = '<img src=x onerror="document.title=\'owned\'"><script>document.title="owned"</script>'
    page_html = (
        "<html><head><title>ok</title></head><body>"
        + safe_html("<p>{v}</p>", v=evil)
        + "</body></html>"
    )
    path = tmp_path / "escaped.html"
    path.write_text(page_html)
    v = Visit(browser, path)
    try:
        assert v.page.title() == "ok"
        assert evil in v.page.inner_text("p")
    finally:
        v.close()
