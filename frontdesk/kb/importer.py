"""`frontdesk kb import DIR`: Markdown files with front matter into the knowledge base.

    DIR/articles/*.md      one article each (see ArticleIn for the front matter)
    DIR/discussions/*.md   one community thread each, replies in the front matter

Idempotent: a file's slug (its name) says which article it is, and a file whose content
has not changed since the last import is skipped. Every file is checked before any is
saved, so a folder with a mistake changes nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import frontmatter
import yaml
from pydantic import BaseModel, ValidationError
from tqdm import tqdm

from frontdesk.errors import Invalid
from frontdesk.kb.community import Community
from frontdesk.kb.models import ArticleIn, DiscussionIn
from frontdesk.kb.service import KnowledgeBase

DEMO_CONTENT = Path(__file__).parent / "demo_content"
M = TypeVar("M", bound=BaseModel)


@dataclass
class ImportReport:
    # ("articles" or "discussions", "created" / "updated" / "unchanged") -> files
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def __str__(self) -> str:
        parts = []
        for (kind, outcome), n in sorted(self.counts.items()):
            parts.append(f"{n} {kind if n != 1 else kind.removesuffix('s')} {outcome}")
        return ", ".join(parts) or "nothing to import"


def _read(path: Path, model: type[M]) -> tuple[M, str]:
    raw = path.read_bytes()
    try:
        post = frontmatter.loads(raw.decode("utf-8"))
        # The file's name is its slug and the text after the front matter its body.
        if taken := sorted({"slug", "body"} & set(post.metadata)):
            raise Invalid(f"{path}: {', '.join(taken)}: comes from the file, not its front matter")
        fields: dict[str, Any] = {**post.metadata, "slug": path.stem, "body": post.content}
        return model.model_validate(fields), hashlib.sha256(raw).hexdigest()
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise Invalid(f"{path}: cannot be read ({error})") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise Invalid(f"{path}: {where}: {first['msg']}") from error


def read_folder(folder: Path) -> tuple[list[tuple[ArticleIn, str]], list[tuple[DiscussionIn, str]]]:
    """Every article and thread in the folder, checked; the first problem stops it."""
    if not folder.is_dir():
        raise Invalid(f"{folder}: no such folder")
    articles = [_read(p, ArticleIn) for p in sorted((folder / "articles").glob("*.md"))]
    threads = [_read(p, DiscussionIn) for p in sorted((folder / "discussions").glob("*.md"))]
    if not articles and not threads:
        raise Invalid(f"{folder}: no articles/*.md or discussions/*.md files")
    return articles, threads


async def import_folder(
    kb: KnowledgeBase,
    community: Community,
    folder: Path,
    *,
    show_progress: bool = False,
) -> ImportReport:
    articles, threads = read_folder(folder)
    report = ImportReport()
    bar = tqdm(
        total=len(articles) + len(threads), unit="file", disable=not show_progress,
        desc=f"importing {folder.name}",
    )  # fmt: skip
    with bar:
        for article, digest in articles:
            report.counts["articles", await kb.save_article(article, digest)] += 1
            bar.update()
        for thread, digest in threads:
            report.counts["discussions", await community.save_discussion(thread, digest)] += 1
            bar.update()
    return report
