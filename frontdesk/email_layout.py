"""What an email says, as a few kinds of blocks, and its two parts made from them.

Every email is built once, as an `OutgoingEmail`, and rendered twice: plain text here,
HTML from the Jinja templates in web/templates/emails (autoescaped). Both parts come
from the same blocks, so they cannot say different things; the HTML part only adds
what text cannot show: real links, the case number set apart, headings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "web" / "templates" / "emails"


@dataclass(frozen=True)
class Paragraph:
    """Our own words."""

    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass(frozen=True)
class Link:
    """A link, said in words: the label is the link's text in HTML, the line before the
    address in plain text."""

    kind: ClassVar[str] = "link"
    label: str
    url: str


@dataclass(frozen=True)
class Quote:
    """Someone's words as they wrote them (a reply, a transcript): line breaks kept,
    addresses in them made links in HTML, everything else escaped."""

    kind: ClassVar[str] = "quote"
    text: str
    title: str = ""


Block = Paragraph | Link | Quote


@dataclass(frozen=True)
class OutgoingEmail:
    subject: str
    heading: str
    greeting: str
    blocks: tuple[Block, ...]
    # Set apart at the top of a case's emails: the number people quote to us.
    case_number: str | None = None

    def text(self) -> str:
        top = [self.heading]
        if self.case_number:
            top.append(f"Case number: {self.case_number}")
        parts = ["\n".join(top), self.greeting, *(_text_of(block) for block in self.blocks)]
        return "\n\n".join(parts) + "\n"

    def html(self) -> str:
        return _templates.get_template("email.html").render(email=self)


def _text_of(block: Block) -> str:
    if isinstance(block, Link):
        return f"{block.label}:\n{block.url}"
    if isinstance(block, Quote):
        return f"{block.title}\n\n{block.text}" if block.title else block.text
    return block.text


_templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
