"""Reading the search box: words, "phrases", -exclusions, and anything else typed, without ever failing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from forum.search.query import MAX_ITEMS, parse
from forum.search.sqlite import match_expression
from forum.search.text import START, STOP, headline, marked, plain_text


def test_words_phrases_and_exclusions():
    query = parse('budget "exact phrase" -excel -"spread sheet"')
    assert query.include == (("budget",), ("exact", "phrase"))
    assert query.exclude == (("excel",), ("spread", "sheet"))


def test_an_unclosed_quote_runs_to_the_end():
    assert parse('budget "simulators in leeds').include == (("budget",), ("simulators", "in", "leeds"))


def test_curly_quotes_and_dashes_count_as_plain_ones():
    query = parse("“budget simulators” –excel")
    assert query.include == (("budget", "simulators"),)
    assert query.exclude == (("excel",),)


def test_punctuation_inside_a_word_makes_a_phrase_of_its_parts():
    assert parse("e-mail covid-19 gov.uk").include == (("e", "mail"), ("covid", "19"), ("gov", "uk"))


@pytest.mark.parametrize("raw, words", [
    ("NEAR(budget simulators)", (("near",), ("budget",), ("simulators",))),
    ("title:budget", (("title",), ("budget",))),
    ("budget* ^simulator", (("budget",), ("simulator",))),
    ("x AND (y OR z)", (("x",), ("y",), ("z",))),
])
def test_search_engine_operators_are_just_words(raw, words):
    assert parse(raw).include == words


@pytest.mark.parametrize("raw", ["", "   ", "*", '"', '""', "-", "- -", "🙂🙂", "AND OR NOT", "the", "-budget", "()"])
def test_nothing_to_look_for(raw):
    assert parse(raw).is_empty


def test_common_words_are_left_out_and_named():
    query = parse("the budget of the council")
    assert query.include == (("budget",), ("council",))
    assert query.ignored_common == ("the", "of")


def test_common_words_stay_inside_a_phrase():
    assert parse('"state of the art"').include == (("state", "of", "the", "art"),)


def test_very_long_input_keeps_the_first_ten_items():
    query = parse(" ".join(f"word{i}" for i in range(300)))
    assert len(query.include) == MAX_ITEMS and query.truncated
    assert query.include[0] == ("word0",)


def test_two_thousand_characters_of_one_word_is_cut_not_refused():
    query = parse("a" * 2000)
    assert query.include == (("a" * 60,),)


def test_emoji_and_control_characters_are_ignored():
    assert parse("budget\x00🙂\u200bsimulators").include == (("budget",), ("simulators",))


def test_fts5_expressions_quote_every_token():
    assert match_expression(parse('budget "two words" -"no" -x')) == '("budget" AND "two words") NOT ("x")'
    assert match_expression(parse("NEAR(a b) OR c")) == '"near" AND "b" AND "c"'


@given(st.text(max_size=300))
def test_any_text_parses_into_plain_tokens_and_quoted_fts_terms(raw):
    query = parse(raw)
    for item in (*query.include, *query.exclude):
        assert item and all(token and token.isalnum() for token in item)
    if not query.is_empty:
        # Outside the quoted terms only our own operators remain: nothing typed becomes FTS5 syntax.
        outside = re.sub(r'"[^"]*"', "", match_expression(query)).replace("(", " ").replace(")", " ")
        assert set(outside.split()) <= {"AND", "NOT", "OR"}


def test_plain_text_keeps_words_apart_across_blocks():
    assert plain_text("<p>budget</p><p>simulators &amp; <em>more</em></p><ul><li>a</li><li>b</li></ul>") == \
        "budget simulators & more a b"


def test_marked_snippets_are_escaped_and_balanced():
    html = marked(f"<script>x</script> {START}budget{STOP} & {STOP} {START}open")
    assert isinstance(html, Markup)
    assert html == "&lt;script&gt;x&lt;/script&gt; <mark>budget</mark> &amp;  <mark>open</mark>"


def test_a_headline_from_html_text_keeps_its_marks_and_reads_entities():
    assert headline(f"  Our {START}budget{STOP}\n\n &amp; &lt;5k\u200b plan\u00adning \x01 ") == \
        f"Our {START}budget{STOP} & <5k planning"
    assert headline(None) == "" and headline("") == ""
