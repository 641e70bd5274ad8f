"""Text-level HTML for the published pages: web addresses as links that open in a new tab, and a
table of contents on long pages. Standard library only: src/run.py applies these to every page.
"""

from __future__ import annotations

import re
from html import escape

URL = re.compile(r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:]")
ARTICLE_URL = (
    "https://www.vice.com/en/article/bjdkd5/a-small-number-of-people-are-fleeing-canada-for-the-u-s"
)
LINK_ATTRS = 'target="_blank" rel="noopener"'


def link(url: str, text: str | None = None) -> str:
    """An escaped link that opens in a new tab (navigation, not a request the page makes)."""
    return f'<a href="{escape(url)}" {LINK_ATTRS}>{escape(text or url)}</a>'


def linkify(html: str) -> str:
    """Turn every bare web address in the text of `html` into a link; addresses already inside a
    link, a tag's attributes, a script or a style are left alone."""
    parts = re.split(r"(<[^>]+>)", html)
    out, skip = [], 0
    for part in parts:
        if part.startswith("<"):
            tag = part[1:].split()[0].rstrip(">").lower() if len(part) > 2 else ""
            if tag in ("a", "script", "style"):
                skip += 1
            elif tag in ("/a", "/script", "/style"):
                skip = max(0, skip - 1)
            out.append(part)
        elif skip:
            out.append(part)
        else:
            out.append(URL.sub(lambda m: link(m.group(0)), part))
    return "".join(out)


def add_contents(html: str, minimum: int = 4) -> str:
    """Put a table of contents (the page's h2 headings) after the first h1 of a long page."""
    headings = re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', html, re.S)
    if len(headings) < minimum:
        return html
    items = "".join(
        f'<li><a href="#{anchor}">{re.sub(r"<[^>]+>", "", text).replace("¶", "").strip()}</a></li>'
        for anchor, text in headings
    )
    toc = f'<nav class="toc" aria-label="On this page"><strong>On this page</strong><ol>{items}</ol></nav>'
    match = re.search(r"</h1>", html)
    return html if match is None else html[: match.end()] + toc + html[match.end() :]


def add_heading_ids(html: str) -> str:
    """Give every h2 without an id one made from its text, so a contents list can link it."""

    def with_id(match: re.Match) -> str:
        text = re.sub(r"<[^>]+>", "", match.group(2))
        anchor = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
        return f'<h2 id="{anchor}"{match.group(1)}>{match.group(2)}</h2>'

    return re.sub(r"<h2((?:(?!\bid=)[^>])*)>(.*?)</h2>", with_id, html, flags=re.S)


def add_contents_after(html: str, marker: str, minimum: int = 4) -> str:
    """add_contents, with the list placed after `marker` (the first occurrence) rather than
    after the h1: a page that opens with its answer keeps it first."""
    with_toc = add_contents(html, minimum)
    if with_toc == html or marker not in html:
        return with_toc
    toc = with_toc[
        with_toc.index('<nav class="toc"') : with_toc.index(
            "</nav>", with_toc.index('<nav class="toc"')
        )
        + 6
    ]
    at = html.index(marker) + len(marker)
    return html[:at] + toc + html[at:]
