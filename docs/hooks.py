"""mkdocs hooks: the site's home page is README.md, with its links made to work there.

README links to the documentation as ``docs/<page>.md`` (so they work on a forge and in the
sdist); on the site those pages sit at the root, so the ``docs/`` prefix goes. Links to the
changelog and the licence point at their pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_LINK = re.compile(r"\]\((?:\./)?docs/")
_FILES = {"](CHANGELOG.md": "](changelog.md", "](LICENSE": "](license.md"}


def readme_for_site(text: str) -> str:
    """README's Markdown with its links rewritten for the site's home page."""
    text = _LINK.sub("](", text)
    for old, new in _FILES.items():
        text = text.replace(old, new)
    return text


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if page.file.src_uri == "index.md":
        return readme_for_site((ROOT / "README.md").read_text(encoding="utf-8"))
    return markdown
