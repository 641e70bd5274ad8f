"""The reports as a reader meets them: in Debian's chromium, driven by Playwright, offline.

Every non-file request is blocked and counted. Pages must load with none, with no console errors,
every image decoded and described, every index link pointing at a file, no serious or critical
axe-core violations, and the stand-in notice visible. Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest
import yaml

from src import pipeline
from src.helpers import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = ROOT / "test-output" / "screenshots"
REPORTS = [r.name for r in pipeline.load_config()]
STORY = [r.name for r in pipeline.load_config() if r.shelf == "story"]
ANALYSTS = [r.name for r in pipeline.load_config() if r.shelf == "analysts"]
PAGES = ["index", "provenance", *REPORTS, *[f"{name}-full" for name in REPORTS]]
PLACEHOLDER_ALT = ("No description has been provided", "image", "figure", "")


class Visit:
    """One page load with its blocked requests, console errors and page errors recorded."""

    def __init__(self, browser, path: Path, bypass_csp: bool = False, width: int = 1200):
        self.context = browser.new_context(
            bypass_csp=bypass_csp, viewport={"width": width, "height": 900}
        )
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.requested: list[str] = []  # every file the page asked for (file: URLs)
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
            if url.startswith("file:"):
                self.requested.append(url)
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def settle(self) -> None:
        """Wait until every image of the page has loaded (or failed)."""
        self.page.wait_for_function("[...document.images].every(i => i.complete)")

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
    _footer_has_credit_date_and_citation(v)


CITATION = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def _footer_has_credit_date_and_citation(v: Visit) -> None:
    """Every page's footer: the project named as in CITATION.cff, its version, the build date,
    how to cite the page, and where to report a data problem (a link when the repository's
    address is known)."""
    footer = v.page.locator("footer.site-footer")
    assert footer.count() == 1
    text = footer.inner_text()
    assert CITATION["title"] in text and CITATION["version"] in text
    assert "page built 20" in text and "How to cite this page" in text
    if CITATION.get("repository-code"):
        hrefs = footer.locator("a").evaluate_all("els => els.map(e => e.href)")
        assert any(h.startswith(CITATION["repository-code"]) for h in hrefs)
        assert any("data-problem" in h for h in hrefs)
    else:
        assert "Data problem" in text  # where to report it, in words


@pytest.mark.parametrize("name", [n for n in PAGES if n not in ("index", "provenance")])
def test_images_are_decoded_and_described(site, visit, name):
    v = visit(site / f"{name}.html")
    images = v.page.eval_on_selector_all(
        "img", "els => els.map(e => ({w: e.naturalWidth, alt: e.getAttribute('alt')}))"
    )
    if name.split("-")[0] in ("figures_calendar", "canada_context"):
        assert len(images) >= 2, f"{name} shows no charts"
    if name.split("-")[0] == "figures_fiscal":
        assert len(images) == 1, f"{name}: only the chart that differs by fiscal year"
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
        if parsed.scheme in ("http", "https"):
            continue  # a citation (the article): navigation in a new tab, checked elsewhere
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
    from src.page import safe_html

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


# ---------------------------------------------------------------- pages a reader can use

PUBLISHED = ["index", "provenance", *REPORTS]
BUILD_WORDS = ["data/raw", "data/processed", "src/", "notebooks/", "pipeline.yml", ".ipynb",
               "make reports", "make manifest", "MANIFEST.sha256", "Run parameters"]  # fmt: skip
PARAMETER_NAMES = sorted(
    {k for r in pipeline.load_config() for k in r.parameters if "_" in k} | {"strict ="}
)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways(site, visit, name, width):
    v = visit(site / f"{name}.html", width=width)
    assert v.page.evaluate("document.documentElement.scrollWidth") <= width
    escaping = v.page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('pre'))
            .filter(e => {  // inside a box that scrolls sideways by itself (a wide table or picture)
                for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                    const x = getComputedStyle(a).overflowX;
                    const inside = a.getBoundingClientRect().right <= window.innerWidth + 1;
                    if ((x === 'auto' || x === 'scroll') && inside) return false;
                }
                return true;
            })
            .map(e => e.tagName + '.' + e.className)"""
    )
    assert escaping == [], f"{name} at {width}px: content past the edge: {escaping[:5]}"


SPLIT_WORDS = """() => {
    // every word or number in a table cell (letters and digits; a number keeps its , and .)
    // that the browser laid out over two lines: broken in the middle, not at punctuation
    const broken = [];
    for (const cell of document.querySelectorAll('td, th, caption')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const words = /[\\p{L}\\p{N}]+(?:[.,]\\p{N}+)*/gu;  // a word, or a number with its , and .
            for (let m = words.exec(node.textContent); m; m = words.exec(node.textContent)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const rects = [...range.getClientRects()].filter(r => r.width > 0);
                // on another line: starts below the middle of the word's first piece
                if (rects.some(r => r.top > rects[0].top + rects[0].height / 2)) broken.push(m[0]);
            }
        }
    }
    return broken;
}"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", PUBLISHED)
def test_no_table_breaks_a_word_or_number_in_the_middle(site, visit, name, width):
    """A narrow screen scrolls a wide table in its box; it never splits "official" or "678"."""
    broken = visit(site / f"{name}.html", width=width).page.evaluate(SPLIT_WORDS)
    assert broken == [], f"{name} at {width}px: split words {broken[:8]} ({len(broken)} in all)"


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_pages_show_no_build_internals_and_read_comfortably(site, visit, name):
    """No build internals; body text 16 px or more, lines of at most about 80 characters on a
    laptop."""
    v = visit(site / f"{name}.html", width=1280)
    text = v.page.inner_text("body")
    found = [w for w in BUILD_WORDS + PARAMETER_NAMES if w in text]
    assert found == [], f"{name}: build internals shown to readers: {found}"
    paragraphs = v.page.eval_on_selector_all(
        "main p",
        """els => els.filter(p => p.innerText.length > 200).map(p => {
            const style = getComputedStyle(p);
            const lines = Math.round(p.getBoundingClientRect().height / parseFloat(style.lineHeight));
            return {size: parseFloat(style.fontSize), perLine: p.innerText.length / lines};
        })""",
    )
    assert paragraphs, f"{name}: no paragraph to measure"
    if v.page.locator("main h2").count() >= 4:  # a long page: contents that link its sections
        missing = v.page.evaluate(
            """() => { const links = [...document.querySelectorAll('nav.toc a')];
                return links.length ? links.filter(a => !document.getElementById(
                    decodeURIComponent(a.hash.slice(1)))).map(a => a.hash) : ['no contents']; }"""
        )
        assert missing == [], f"{name}: contents links without a section {missing}"
    for paragraph in paragraphs:
        assert paragraph["size"] >= 16, f"{name}: body text at {paragraph['size']}px"
        assert paragraph["perLine"] <= 90, f"{name}: {paragraph['perLine']:.0f} characters a line"


@pytest.mark.parametrize("name", PAGES)
def test_every_web_address_is_a_link_that_opens_a_new_tab(site, visit, name):
    v = visit(site / f"{name}.html")
    bare = v.page.evaluate(
        """() => {
            const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            const out = [];
            while (walk.nextNode()) {
                const n = walk.currentNode;
                if (/https?:\\/\\//.test(n.textContent) && !n.parentElement.closest('a')) out.push(n.textContent.trim().slice(0, 80));
            }
            return out;
        }"""
    )
    assert bare == [], f"{name}: web addresses not in a link: {bare[:3]}"
    external = v.page.eval_on_selector_all(
        "a[href^='http']", "els => els.map(e => [e.target, e.rel])"
    )
    assert all(t == "_blank" and "noopener" in r for t, r in external), name


@pytest.mark.parametrize("name", [*REPORTS, *[f"{n}-full" for n in REPORTS]])
def test_every_chart_links_its_svg_png_and_csv(site, visit, name):
    v = visit(site / f"{name}.html")
    figures = v.page.eval_on_selector_all(
        "figure.stca-figure",
        "els => els.map(f => [...f.querySelectorAll('a')].map(a => a.getAttribute('href')))",
    )
    images = v.page.locator("img").count()
    assert len(figures) == images, f"{name}: {images} images, {len(figures)} captioned figures"
    # how to cite each chart, in-line and in full, naming the release version
    cites = v.page.locator("figure.stca-figure .figure-cite").all_inner_texts()
    assert len(cites) == len(figures)
    assert all(f"version {CITATION['version']}" in c and "in full" in c for c in cites), cites[:1]
    for hrefs in figures:
        kinds = {h.rsplit(".", 1)[-1] for h in hrefs}
        assert {"svg", "png", "csv"} <= kinds, hrefs
        for href in hrefs:
            assert (site / unquote(href)).is_file(), f"{name}: missing {href}"


@pytest.mark.parametrize("name", REPORTS)
def test_every_table_has_a_caption_and_scrolls_in_its_own_box(site, visit, name):
    v = visit(site / f"{name}.html")
    tables = v.page.eval_on_selector_all(
        "main table",
        "els => els.map(t => [!!t.querySelector('caption') && t.querySelector('caption').innerText.length > 3, !!t.closest('.table-scroll')])",
    )
    assert all(captioned and boxed for captioned, boxed in tables), f"{name}: {tables}"
    if name in ("claims", "clean_foia", "both_directions", "start_here"):
        assert tables, f"{name} should show its tables"


def test_index_links_the_article_and_lists_findings_with_status(site, visit):
    v = visit(site / "index.html")
    assert v.page.locator("a[href*='vice.com/en/article/bjdkd5']").count() >= 1
    findings = v.page.locator(".findings li")
    assert findings.count() >= 4
    statuses = findings.locator(".status").all_inner_texts()
    assert len(statuses) == findings.count()
    assert "stated in the article" in statuses
    # each label is the words for the weakest status its sentence states; the surge finding rests
    # on a news report's 2016 figure, so it never reads "official figures"
    from src.site import STATUS_WORDS

    assert set(statuses) <= set(STATUS_WORDS.values())
    texts = findings.all_inner_texts()
    surge = next(t for t in texts if "RCMP interceptions of asylum seekers" in t)
    assert "our arithmetic on a news report's figure" in surge and "official figures" not in surge
    downloads = v.page.eval_on_selector_all(
        "a[href^='data/']", "els => els.map(e => e.getAttribute('href'))"
    )
    assert {"data/stca_cases.csv", "data/border_flows.csv", "data/claims_verdicts.csv"} <= set(
        downloads
    )
    for href in downloads:
        assert (site / href).is_file(), href
    order = v.page.eval_on_selector_all(".shelf > li", "els => els.map(e => e.id)")
    assert order == STORY + ANALYSTS  # the story's pages in its order, then the analysts'


# ---------------------------------------------------------------- readers on any screen (#22)

PHONE_MIN_PX = 11  # chart text on a 390 px phone
LAPTOP_MIN_PX = 9  # the wide rendition in its widest box; read at arm's length, it may be smaller
CHART_IMAGES = """() => [...document.querySelectorAll('.stca-figure img')].map(i => ({
    src: i.currentSrc, width: i.getBoundingClientRect().width}))"""


def _rendition(src: str) -> dict:
    """The figures.json record of the image file `src` (a file: URL): its width in inches and
    its smallest text in points."""
    path = Path(unquote(urlparse(src).path))
    for entry in json.loads((path.parent / "figures.json").read_text(encoding="utf-8")):
        for rendition in entry["renditions"].values():
            if rendition["file"] == path.name:
                return rendition
    raise AssertionError(f"{path} is in no figures.json")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", PUBLISHED)
def test_chart_text_is_readable_and_a_phone_downloads_little(site, visit, name, width):
    """From the rendition the page serves at this width and the width it is drawn at: the
    smallest text of every chart, in CSS pixels. On a phone, the page (HTML, its styles and the
    images it shows) transfers at most 300 KB (100 KB for the landing page), every file from
    reports/."""
    v = visit(site / f"{name}.html", width=width)
    v.settle()
    if width == 390:
        files = {Path(unquote(urlparse(u).path)) for u in v.requested}
        outside = [str(f) for f in files if site not in f.parents]
        assert outside == [], f"{name} reads files outside reports/: {outside}"
        total = sum(f.stat().st_size for f in files)
        budget = 100_000 if name == "index" else 300_000
        assert total <= budget, (
            f"{name}: {total:,} bytes on a phone ({sorted(f.name for f in files)})"
        )
    images = v.page.evaluate(CHART_IMAGES)
    if name in ("index", "figures_calendar", "canada_context", "both_directions"):
        assert images, f"{name} shows no charts"
    floor = PHONE_MIN_PX if width == 390 else LAPTOP_MIN_PX
    for image in images:
        rendition = _rendition(image["src"])
        px = rendition["min_font_pt"] / 72 * image["width"] / rendition["width_in"]
        assert px >= floor, f"{name} at {width}px: {rendition['file']} text renders at {px:.1f}px"
        if width == 390:
            assert "-narrow" in rendition["file"], f"{name}: a phone is served {rendition['file']}"
    if width == 390:  # the full-size link a phone sees opens the image drawn for it
        links = v.page.eval_on_selector_all(
            ".stca-figure",
            """els => els.map(f => [...f.querySelectorAll('a')].filter(a => a.offsetParent !== null)
                .map(a => a.getAttribute('href')).find(h => h.endsWith('-narrow.png')) || null)""",
        )
        assert None not in links, f"{name}: a chart without its phone-size link"


def test_each_verdict_is_seen_on_a_phone_without_scrolling_sideways(site, visit):
    v = visit(site / "claims.html", width=390)
    cards = v.page.eval_on_selector_all(
        "td.card-first",
        """els => els.map(e => {
            const r = e.getBoundingClientRect(), box = e.closest('.table-scroll');
            return {left: r.left, right: r.right, label: getComputedStyle(e, '::before').content,
                    scrolls: box.scrollWidth > box.clientWidth + 1,
                    first: [...e.parentElement.children].every(
                        c => c === e || c.getBoundingClientRect().top >= r.top)};
        })""",
    )
    verdicts = pd.read_csv(site / "data" / "claims_verdicts.csv")
    assert len(cards) == (verdicts["basis"] != "no data can test it").sum()
    for card in cards:
        assert 0 <= card["left"] and card["right"] <= 390, card
        assert not card["scrolls"], card
        assert card["first"], f"the verdict is not the first thing on its card: {card}"
        assert "Verdict" in card["label"], card  # named, as every field of the card is


def test_the_landing_page_opens_with_the_answer_for_both_directions(site, visit):
    v = visit(site / "index.html", width=390)
    first = v.page.locator("main p").first
    text = first.inner_text()
    assert "south" in text and "north" in text, text
    assert first.locator(".status").count() >= 2  # each sentence with its status
    # the lead chart comes right after the answer, before any finding
    order = v.page.evaluate(
        """() => [...document.querySelectorAll('main > *')].map(e => e.className || e.tagName)"""
    )
    assert order.index("stca-figure lead-chart") < order.index("H2"), order


def test_the_landing_page_puts_analyst_pages_on_their_own_shelf(site, visit):
    v = visit(site / "index.html")
    story = v.page.eval_on_selector_all(
        "ol.shelf h3 a", "els => els.map(e => e.getAttribute('href'))"
    )
    analysts = v.page.eval_on_selector_all(
        "#for-analysts ~ ul.shelf h3 a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert [h.removesuffix(".html") for h in dict.fromkeys(story)] == STORY
    assert [h.removesuffix(".html") for h in analysts] == ANALYSTS


@pytest.mark.parametrize("name", STORY)
def test_each_story_page_links_the_next_one(site, visit, name):
    v = visit(site / f"{name}.html")
    links = v.page.eval_on_selector_all(
        ".story-next a", "els => els.map(e => e.getAttribute('href'))"
    )
    following = STORY[STORY.index(name) + 1 : STORY.index(name) + 2]
    assert links == [f"{n}.html" for n in following]


def test_the_fiscal_page_shows_only_what_differs_from_the_calendar_page(site):
    fiscal = sorted((site / "figures" / "figures_fiscal").glob("*.csv"))
    assert fiscal
    for path in fiscal:
        calendar = site / "figures" / "figures_calendar" / path.name
        assert calendar.exists() and calendar.read_bytes() != path.read_bytes(), path.name
