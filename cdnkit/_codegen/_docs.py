"""botocore's HTML documentation -> short plain text -> docstring source.

botocore documents shapes and members with a small subset of HTML: ``<p>``, ``<code>``,
``<ul>``/``<ol>``/``<li>``, ``<a>``, ``<i>``, ``<b>`` and the ``<note>`` and ``<important>``
call-outs. :func:`summarize` keeps what an IDE hover needs: the opening paragraph (cut at a
sentence boundary when long), then whole paragraphs and lists while they fit a length budget.
Call-outs are used only when a text has nothing else. :func:`docstring` turns that text into
the source of a string literal, escaped and wrapped.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from html.parser import HTMLParser
from typing import Final

__all__ = ["LIMIT", "WIDTH", "docstring", "summarize"]

#: Soft cap on the characters of a summary (separators not counted).
LIMIT: Final = 400
#: Column a docstring line should not pass.
WIDTH: Final = 99
#: Fewest characters a list item is shortened to when a list must be squeezed in.
_ITEM_MIN: Final = 80
#: Most items a squeezed list keeps; an item ``...`` stands for the rest.
_ITEMS_MAX: Final = 12

_BLOCK_TAGS: Final = frozenset(
    {"p", "div", "br", "ul", "ol", "li", "dl", "dt", "dd", "pre", "h1", "h2", "h3", "h4", "h5"}
    | {"h6", "table", "tr", "td", "th", "blockquote"}
)
# Typographic punctuation -> ASCII: plain text for any editor, and nothing for ruff's
# ambiguous-character checks (RUF001, RUF002) to flag in the generated modules.
_ASCII_PUNCTUATION: Final = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
    }
)
_CALLOUT_TAGS: Final = frozenset({"note", "important"})
_LIST_TAGS: Final = frozenset({"ul", "ol"})

# A sentence ends at . ! or ? (closing quotes or brackets may follow) before a capital letter,
# inline code or an opening bracket; common abbreviations do not end one.
_SENTENCE_END: Final = re.compile(
    r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<=[.!?])[\"')\]]*\s+(?=[A-Z`(\"'])"
)


@dataclasses.dataclass
class _Block:
    text: str
    #: 0 for a paragraph; n for an item of a list nested n deep.
    depth: int
    callout: bool


class _Collector(HTMLParser):
    """Splits botocore's HTML into paragraphs and list items of whitespace-collapsed text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._parts: list[str] = []
        self._code: list[str] | None = None
        self._code_depth = 0
        self._lists = 0
        self._callouts = 0
        #: For each open list item, the index of its block once it has one: later paragraphs
        #: of the item continue that block.
        self._items: list[int | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "code":
            self._code_depth += 1
            if self._code_depth == 1:
                self._code = []
            return
        if tag in _BLOCK_TAGS or tag in _CALLOUT_TAGS:
            self._flush()
        if tag in _LIST_TAGS:
            self._lists += 1
        elif tag == "li":
            self._items.append(None)
        elif tag in _CALLOUT_TAGS:
            self._callouts += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            if self._code_depth == 0:
                return
            self._code_depth -= 1
            if self._code_depth == 0 and self._code is not None:
                code = " ".join("".join(self._code).split())
                self._code = None
                if code:
                    self._parts.append(f"``{code}``")
            return
        if tag in _BLOCK_TAGS or tag in _CALLOUT_TAGS:
            self._flush()
        if tag in _LIST_TAGS:
            self._lists = max(0, self._lists - 1)
        elif tag == "li" and self._items:
            self._items.pop()
        elif tag in _CALLOUT_TAGS:
            self._callouts = max(0, self._callouts - 1)

    def handle_data(self, data: str) -> None:
        if self._code is not None:
            self._code.append(data)
        else:
            self._parts.append(data)

    def close(self) -> None:
        super().close()
        if self._code is not None:  # an unclosed <code>: keep what it held
            self._code_depth = 1
            self.handle_endtag("code")
        self._flush()

    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        self._parts = []
        if not text:
            return
        callout = self._callouts > 0
        if not self._items:
            self.blocks.append(_Block(text, 0, callout))
        elif self._items[-1] is None:
            self._items[-1] = len(self.blocks)
            self.blocks.append(_Block(text, max(1, self._lists), callout))
        else:
            self.blocks[self._items[-1]].text += " " + text


def _blocks(html: str) -> list[_Block]:
    collector = _Collector()
    collector.feed(html.translate(_ASCII_PUNCTUATION))
    collector.close()
    return collector.blocks


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at the last sentence end within ``limit``, else at a word, marked ``...``."""
    if len(text) <= limit:
        return text
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    kept = [end for end in ends if end <= limit]
    if kept:
        cut = kept[-1]
        # Keep the closing quote or bracket that belongs to the sentence.
        while cut < len(text) and not text[cut].isspace():
            cut += 1
        return text[:cut]
    words = text[: limit - 4].rsplit(" ", 1)[0]
    if words.count("``") % 2:
        # The cut fell inside inline code: end before it rather than leave it open.
        words = words[: words.rindex("``")]
    return words.rstrip(" ,;:") + " ..."


def _groups(blocks: list[_Block]) -> list[list[_Block]]:
    """Paragraphs alone, consecutive list items together: the units a summary keeps whole."""
    groups: list[list[_Block]] = []
    for block in blocks:
        if block.depth and groups and groups[-1][-1].depth:
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups


def _size(group: list[_Block]) -> int:
    return sum(len(block.text) for block in group)


def _fit(group: list[_Block], room: int) -> list[_Block]:
    """A paragraph shortened to ``room``; a list with its items shortened to their share."""
    if not group[0].depth:
        return [dataclasses.replace(group[0], text=_shorten(group[0].text, room))]
    items = group[:_ITEMS_MAX]
    share = max(_ITEM_MIN, room // len(items))
    fitted = [dataclasses.replace(block, text=_shorten(block.text, share)) for block in items]
    if len(group) > len(items):
        fitted.append(_Block("...", items[0].depth, items[0].callout))
    return fitted


def summarize(html: str | None, limit: int = LIMIT) -> str:
    """Short plain text of botocore's HTML: paragraphs split by a blank line, items by ``- ``.

    The opening paragraph is always kept, shortened to ``limit`` at a sentence end if need be;
    whole paragraphs and lists follow while the total stays within ``limit``. A list that a
    kept paragraph introduces (it ends with ``:``) is kept with its items shortened rather than
    left out, since it usually holds the allowed values.
    """
    if not html:
        return ""
    blocks = _blocks(html)
    groups = _groups([block for block in blocks if not block.callout] or blocks)
    kept: list[list[_Block]] = []
    used = 0
    for group in groups:
        room = limit - used
        if _size(group) <= room:
            kept.append(group)
            used += _size(group)
            continue
        introduced = bool(kept) and not kept[-1][-1].depth and kept[-1][-1].text.endswith(":")
        if not kept or (group[0].depth and introduced):
            kept.append(_fit(group, room))
        break
    return _join(kept)


def _join(groups: list[list[_Block]]) -> str:
    chunks: list[str] = []
    for group in groups:
        if group[0].depth:
            chunks.append("\n".join(f"{'  ' * (b.depth - 1)}- {b.text}" for b in group))
        else:
            chunks.append(group[0].text)
    return "\n\n".join(chunks)


# Quotes that would end a triple-quoted string early: a run of three, or any at the very end.
_UNSAFE_QUOTES: Final = re.compile(r'"{3,}|"+$')


def _escape(text: str) -> str:
    """Backslashes doubled; quotes escaped where they would close the string."""
    text = text.replace("\\", "\\\\")
    return _UNSAFE_QUOTES.sub(lambda match: '\\"' * len(match.group()), text)


def docstring(text: str, indent: int = 4, width: int = WIDTH) -> str:
    """Source of a triple-quoted string holding ``text``, indented, wrapped within ``width``.

    ``text`` is :func:`summarize`'s form. One line when it fits; otherwise PEP 257 layout with
    the closing quotes on a line of their own. Long words (URLs, code) are never broken.
    """
    if not text.strip():
        raise ValueError("a docstring needs text")
    pad = " " * indent
    escaped = _escape(text)
    one_line = f'{pad}"""{escaped}"""'
    if "\n" not in escaped and len(one_line) <= width:
        return one_line
    lines: list[str] = []
    for chunk in escaped.split("\n\n"):
        if lines:
            lines.append("")
        for line in chunk.split("\n"):
            text_part = line.lstrip(" ")
            nested = line[: len(line) - len(text_part)]
            hanging = nested + ("  " if text_part.startswith("- ") else "")
            # The opening quotes take the first line's first three columns.
            opening = '"""' if not lines else ""
            lines += textwrap.wrap(
                text_part,
                width=width - indent,
                initial_indent=opening + nested,
                subsequent_indent=hanging,
                break_long_words=False,
                break_on_hyphens=False,
            )
    lines.append('"""')
    return "\n".join(f"{pad}{line}" if line else "" for line in lines)
