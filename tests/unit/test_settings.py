"""FORUM_* settings are read in one place, with errors that name the setting."""

import pytest

from forum import settings


def test_environment_values_take_their_types():
    found = settings.from_environment({
        "FORUM_PGBOUNCER": "yes", "FORUM_MAIL_USE_TLS": "0", "FORUM_POSTS_PER_PAGE": " 25 ",
        "FORUM_SITE_NAME": "Comms peers", "NOT_OURS": "x",
    })
    assert found == {"FORUM_PGBOUNCER": True, "FORUM_MAIL_USE_TLS": False, "FORUM_POSTS_PER_PAGE": 25,
                     "FORUM_SITE_NAME": "Comms peers"}


@pytest.mark.parametrize("key, value, words", [
    ("FORUM_PGBOUNCER", "maybe", "FORUM_PGBOUNCER: expected yes or no"),
    ("FORUM_POSTS_PER_PAGE", "fifty", "FORUM_POSTS_PER_PAGE must be a whole number"),
    ("FORUM_POSTS_PER_PAGE", "-3", "FORUM_POSTS_PER_PAGE must be 0 or more"),
])
def test_a_value_of_the_wrong_type_is_an_error_naming_the_setting(key, value, words):
    with pytest.raises(ValueError, match=words):
        settings.from_environment({key: value})


def test_lists_split_on_spaces_and_commas_and_domains_lose_leading_dots():
    assert settings.word_list("Example.gov.uk, .council.gov.uk  other.org") == [
        "example.gov.uk", ".council.gov.uk", "other.org"]
    assert settings.trusted_domains(".gov.uk,nhs.net") == ("gov.uk", "nhs.net")
    assert settings.word_list(None) == []
