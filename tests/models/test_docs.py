"""botocore's HTML documentation -> plain text -> docstring source (cdnkit/_codegen/_docs.py)."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdnkit._codegen._docs import LIMIT, WIDTH, docstring, summarize


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>The name of the origin.</p>", "The name of the origin."),
        (None, ""),
        ("", ""),
        ("<p> </p>", ""),
        ("Bare text, no tags.", "Bare text, no tags."),
        # Entities, including the ones a tag stripper alone would leave.
        ("<p>Use &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;&nbsp;e.</p>", "Use <b> & \"c\" 'd' e."),
        # Nested inline tags keep their text only.
        ("<p>Use <i>the <b>bold</b> one</i>.</p>", "Use the bold one."),
        # Code keeps its content as inline code, whitespace collapsed, empty code dropped.
        (
            "<p>Set <code>Enabled</code> to <code> true\n</code>.<code></code></p>",
            "Set ``Enabled`` to ``true``.",
        ),
        ("<p><code>a <i>b</i></code> c</p>", "``a b`` c"),
        # Links keep their text, not the address.
        ('<p>See <a href="https://example.com/x">the guide</a>.</p>', "See the guide."),
        # Typographic punctuation becomes ASCII.
        (
            "<p>300\u20133600 s \u2014 the viewer\u2019s \u201cchoice\u201d\u2026</p>",
            '300-3600 s - the viewer\'s "choice"...',
        ),
        # Whitespace of any kind collapses to one space.
        ("<p>one\n\t two  \n three</p>", "one two three"),
        # Unclosed tags do not lose text.
        ("<p>Open <code>x", "Open ``x``"),
        # Paragraphs are separated by a blank line, also when <p> is nested in <p>.
        ("<p>First.</p> <p>Second.</p>", "First.\n\nSecond."),
        ("<p><p>Inner.</p> <p>Next.</p></p>", "Inner.\n\nNext."),
    ],
)
def test_summarize_plain_text(html: str | None, text: str) -> None:
    assert summarize(html) == text


def test_lists_become_dash_items_and_an_item_keeps_all_its_paragraphs() -> None:
    html = (
        "<p>Possible values:</p> <ul> <li> <p><code>ipv4</code> - IPv4 only.</p> </li>"
        "<li><p><code>dualstack</code> - both.</p><p>Slower.</p></li> </ul>"
    )
    assert summarize(html) == (
        "Possible values:\n\n- ``ipv4`` - IPv4 only.\n- ``dualstack`` - both. Slower."
    )


def test_nested_lists_are_indented_and_an_item_continues_after_its_sublist() -> None:
    html = (
        "<p>States:</p><ul><li><p>When active:</p><ul><li>A</li><li>B</li></ul>"
        "<p>(or later)</p></li><li>When failed</li></ul>"
    )
    assert summarize(html) == ("States:\n\n- When active: (or later)\n  - A\n  - B\n- When failed")


def test_ordered_lists_are_items_too() -> None:
    assert summarize("<p>Steps:</p><ol><li>One.</li><li>Two.</li></ol>") == (
        "Steps:\n\n- One.\n- Two."
    )


def test_callouts_are_used_only_when_nothing_else_is_documented() -> None:
    html = "<note><p>Standard distributions only.</p></note> <p>CNAMEs for it.</p>"
    assert summarize(html) == "CNAMEs for it."
    assert summarize("<important><p>Mind this.</p></important>") == "Mind this."


def test_a_long_first_paragraph_is_cut_at_the_last_sentence_end_within_the_limit() -> None:
    sentence = "This sentence is about forty characters. "
    html = f"<p>{sentence * 20}</p><p>Never reached.</p>"
    text = summarize(html)
    assert text.endswith("characters.")
    assert LIMIT - len(sentence) < len(text) <= LIMIT
    assert "Never reached" not in text


def test_abbreviations_and_lower_case_continuations_do_not_end_a_sentence() -> None:
    html = "<p>" + "Pick one, e.g. Amazon S3 or a value like 1.5 here. " * 12 + "</p>"
    text = summarize(html, limit=120)
    assert text == ("Pick one, e.g. Amazon S3 or a value like 1.5 here. " * 2).strip()


def test_a_sentence_end_keeps_its_closing_bracket_or_quote() -> None:
    text = summarize("<p>" + "(A short remark.) " * 10 + "</p>", limit=50)
    assert text == "(A short remark.) (A short remark.)"


def test_one_overlong_sentence_is_cut_at_a_word_and_marked() -> None:
    html = "<p>" + "word, " * 200 + "end.</p>"
    text = summarize(html)
    assert text.endswith("word ...")
    assert len(text) <= LIMIT


def test_a_word_cut_never_leaves_inline_code_open() -> None:
    html = "<p>" + "x " * 45 + "<code>" + "code " * 30 + "</code> end.</p>"
    text = summarize(html, limit=120)
    assert text.count("``") % 2 == 0
    assert text.endswith(" ...")


def test_later_paragraphs_follow_only_while_the_total_fits() -> None:
    short, long = "<p>Short one.</p>", "<p>" + "Long text. " * 40 + "</p>"
    assert summarize(short + short + long + short) == "Short one.\n\nShort one."


def test_a_list_introduced_by_a_kept_paragraph_is_squeezed_in_rather_than_dropped() -> None:
    item = "<li><code>v{}</code> - " + "A rather long explanation of this value. " * 5 + "</li>"
    html = "<p>Valid values are:</p><ul>" + "".join(item.format(i) for i in range(3)) + "</ul>"
    text = summarize(html)
    intro, items = text.split("\n\n")
    assert intro == "Valid values are:"
    lines = items.split("\n")
    assert [line.split()[1] for line in lines] == ["``v0``", "``v1``", "``v2``"]
    assert all(len(line) <= 2 + LIMIT // 3 for line in lines)


def test_a_squeezed_list_keeps_at_most_twelve_items_and_marks_the_rest() -> None:
    html = "<p>Values:</p><ul>" + "".join(f"<li>{'x' * 60} {i}</li>" for i in range(20)) + "</ul>"
    lines = summarize(html).split("\n\n")[1].split("\n")
    assert len(lines) == 13
    assert lines[-1] == "- ..."


def test_a_list_that_nothing_introduces_is_left_out_when_it_does_not_fit() -> None:
    html = "<p>Lead.</p><ul>" + f"<li>{'y' * 300}</li>" * 2 + "</ul>"
    assert summarize(html) == "Lead."


# --- docstring source ---------------------------------------------------------------------


def _value(source: str) -> str:
    node = ast.parse(source.strip()).body[0]
    assert isinstance(node, ast.Expr)
    assert isinstance(node.value, ast.Constant)
    assert isinstance(node.value.value, str)
    return node.value.value


def test_a_short_text_is_one_line() -> None:
    assert docstring("The name.") == '    """The name."""'
    assert docstring("The name.", indent=0) == '"""The name."""'


def test_long_text_wraps_within_the_width_with_closing_quotes_on_their_own_line() -> None:
    text = " ".join(["lorem ipsum dolor"] * 40) + "\n\nSecond paragraph."
    source = docstring(text)
    lines = source.split("\n")
    assert all(len(line) <= WIDTH for line in lines)
    assert lines[0].startswith('    """lorem')
    assert lines[-1] == '    """'
    assert "" in lines  # the paragraph break
    assert " ".join(_value(source).split()) == " ".join(text.split())


def test_list_items_wrap_with_a_hanging_indent() -> None:
    source = docstring("Values:\n\n- " + "long " * 40 + "end\n- b", indent=4, width=60)
    lines = source.split("\n")
    assert lines[:2] == ['    """Values:', ""]
    assert lines[2].startswith("    - long")
    assert lines[3].startswith("      long")
    assert "    - b" in lines


def test_words_longer_than_the_width_are_not_broken() -> None:
    arn = "``arn:aws:wafv2:us-east-1:123456789012:global/webacl/" + "x" * 80 + "``"
    assert arn in docstring(f"For example: {arn}.")


@pytest.mark.parametrize(
    "text",
    [
        "A regex like \\d+\\.\\w and a path C:\\new\\table.",
        'Any character except "/", """, or "@".',
        'Ends with a quote "',
        '"Starts with one',
        'Four """" quotes and a trailing backslash \\',
        'Ends with two quotes ""',
        'Ends with three quotes """',
        '""""',
    ],
)
def test_quotes_and_backslashes_are_escaped(text: str) -> None:
    source = docstring(text)
    assert _value(source) == text
    compile(source.strip(), "<docstring>", "exec")


@given(st.text(alphabet=st.sampled_from(list("ab \"\\'`-.:\n")), min_size=1, max_size=300))
def test_any_text_round_trips_up_to_whitespace(text: str) -> None:
    if not text.split():
        return
    for width in (40, 400):  # wrapped, and on one line where it fits
        source = docstring(text, width=width)
        assert " ".join(_value(source).split()) == " ".join(text.split())


def test_an_empty_docstring_is_refused() -> None:
    with pytest.raises(ValueError, match="needs text"):
        docstring("  ")
