"""Accessibility basics of an HTML page, checked offline with the standard library's parser.

Not a full WCAG audit: the rules a page can break by construction and a test can see in its
markup (the ``lang`` attribute, a title, one ``h1`` and no skipped heading level, a label for
every form control, alternative text for every image, scoped table headers, named buttons and
links, unique ids).
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.lang = False
        self.title = False
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.open_label = 0
        self.text_of: list[list[str]] = []  # text inside the open <button>/<a>
        self.named: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "html":
            self.lang = bool(a.get("lang"))
        elif tag == "title":
            self.title = True
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        elif tag == "label":
            self.open_label += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        elif tag in ("input", "select", "textarea"):
            if a.get("type") != "hidden":
                self.controls.append((tag, {**a, "_in_label": "1" if self.open_label else None}))
        elif tag == "img":
            if a.get("alt") is None:
                self.problems.append(f"img without alt: {a.get('src')}")
        elif tag == "svg" and a.get("role") == "img":
            if not (a.get("aria-label") or a.get("aria-labelledby")):
                self.problems.append("svg role=img without a name")
        elif tag == "th":
            if a.get("scope") not in ("col", "row"):
                self.problems.append("th without scope")
        if tag in ("button", "a"):
            self.text_of.append([])
            self.named.append((tag, a))
        elif self.text_of and a.get("alt"):
            self.text_of[-1].append(str(a["alt"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_label -= 1
        if tag in ("button", "a") and self.text_of:
            text = "".join(self.text_of.pop()).strip()
            _, a = self.named.pop()
            if not text and not a.get("aria-label"):
                self.problems.append(f"{tag} without a name: {a}")

    def handle_data(self, data: str) -> None:
        for parts in self.text_of:
            parts.append(data)


def problems(page: str) -> list[str]:
    """What the page gets wrong, in words (empty when nothing)."""
    checker = _Checker()
    checker.feed(page)
    checker.close()
    found = list(checker.problems)
    if not checker.lang:
        found.append("html without lang")
    if not checker.title:
        found.append("no title")
    if checker.headings.count(1) != 1:
        found.append(f"{checker.headings.count(1)} h1 headings, not one")
    for before, after in zip(checker.headings, checker.headings[1:], strict=False):
        if after > before + 1:
            found.append(f"heading level skips from h{before} to h{after}")
    for tag, a in checker.controls:
        if not (a.get("_in_label") or a.get("aria-label") or a.get("aria-labelledby")
                or (a.get("id") and a["id"] in checker.label_for)):
            found.append(f"{tag} without a label: {a}")
    duplicates = {i for i in checker.ids if checker.ids.count(i) > 1}
    if duplicates:
        found.append(f"duplicate ids {sorted(duplicates)}")
    return found
