"""What counts as a question left open in a chat (#20): forum/services/open_questions.py, pure."""

from __future__ import annotations

import pytest

from forum.services.open_questions import asks_question, question_text

ASKS = [
    "How do you run budget consultations online?",
    "How do you run budget consultations online? #lgovsm",
    "Any thoughts?! https://example.org/a?b=1 @bob #lgovsm",
    "Is there a course for this? 😀",
    "What about (the simulator?)",
    "Anyone tried it? via @LGovSM",
    "Who signs it off?…",
    "A2 Is there a good course for this? #lgovsm #localgov",
]
STATES = [
    "We run drop-ins in libraries.",
    "Q1 at 1.05pm #lgovsm",
    "Read this: https://example.org/faq?",          # the "?" belongs to the link
    "> Who signs it off?\n\nOur head of comms does.",  # the question is only quoted
    "Great. How did you get sign-off? Thanks",      # a question inside, but not a reply
    "",
]


@pytest.mark.parametrize("text", ASKS)
def test_a_post_ending_with_a_question_asks_one(text):
    assert asks_question(text)


@pytest.mark.parametrize("text", STATES)
def test_a_post_that_does_not_end_with_a_question_asks_none(text):
    assert not asks_question(text)


def test_a_reply_asks_when_any_sentence_is_a_question():
    assert asks_question("Great. How did you get sign-off? Thanks", is_reply=True)
    assert asks_question("@alice how did you get sign-off for that", is_reply=True) is False
    assert not asks_question("See https://example.org/?q=1 thanks", is_reply=True)


def test_a_carried_question_keeps_its_words_without_markers_names_links_and_tags():
    assert question_text("A2 Is there a good course for this? #lgovsm https://t.co/x") == \
        "Is there a good course for this?"
    assert question_text("@alice @bob how did you get sign-off?") == "how did you get sign-off?"
    assert question_text("> quoted?\n\nWho pays for **training**?") == "Who pays for training?"
