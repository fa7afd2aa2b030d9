"""Reply addresses are signed per member and thread; a space's address is its own local part at our domain."""

import base64
import struct
from types import SimpleNamespace

import pytest

from forum import mail_tokens
from forum.mail_tokens import ReplyTarget, read_reply_address, read_space_address, reply_address, space_address

CONFIG = {"SECRET_KEY": "a-test-secret-that-is-long-enough-1234567890", "FORUM_INCOMING_DOMAIN": "in.example.gov.uk"}


def test_a_reply_address_reads_back_as_its_member_and_thread():
    address = reply_address(CONFIG, 12, 345)
    local, _, domain = address.partition("@")
    assert domain == "in.example.gov.uk"
    assert local.startswith("reply+") and len(local) <= 64
    assert local == local.lower()
    assert read_reply_address(CONFIG, address) == ReplyTarget(member_id=12, thread_id=345)


def test_the_largest_ids_still_fit_in_a_local_part():
    address = reply_address(CONFIG, 2 ** 63 - 1, 2 ** 63 - 1)
    assert len(address.partition("@")[0]) <= 64
    assert read_reply_address(CONFIG, address) == ReplyTarget(2 ** 63 - 1, 2 ** 63 - 1)


def test_no_incoming_domain_means_no_reply_address():
    assert reply_address({"SECRET_KEY": CONFIG["SECRET_KEY"]}, 1, 2) is None
    assert reply_address({**CONFIG, "FORUM_INCOMING_DOMAIN": "  "}, 1, 2) is None
    address = reply_address(CONFIG, 1, 2)
    assert read_reply_address({"SECRET_KEY": CONFIG["SECRET_KEY"]}, address) is None


def test_mail_servers_that_change_case_or_add_a_display_name_do_not_break_it():
    address = reply_address(CONFIG, 7, 8)
    assert read_reply_address(CONFIG, address.upper()) == ReplyTarget(7, 8)
    assert read_reply_address(CONFIG, f'"Afterchat" <{address}>') == ReplyTarget(7, 8)
    assert read_reply_address({**CONFIG, "FORUM_INCOMING_DOMAIN": "IN.Example.gov.uk"}, address) == ReplyTarget(7, 8)


def test_member_a_token_cannot_be_read_as_member_b_or_another_thread():
    address_a = reply_address(CONFIG, 1, 50)
    assert read_reply_address(CONFIG, address_a) == ReplyTarget(1, 50)
    assert reply_address(CONFIG, 2, 50) != address_a
    assert reply_address(CONFIG, 1, 51) != address_a
    # Rewriting the ids inside A's token (keeping A's signature) is refused.
    token = address_a.partition("@")[0].removeprefix("reply+")
    raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    for member_id, thread_id in ((2, 50), (1, 51)):
        forged = struct.pack(">BQQ", 1, member_id, thread_id) + raw[17:]
        forged_token = base64.b32encode(forged).decode().rstrip("=").lower()
        assert read_reply_address(CONFIG, f"reply+{forged_token}@in.example.gov.uk") is None


def test_every_single_character_change_is_refused():
    address = reply_address(CONFIG, 3, 4)
    local, _, domain = address.partition("@")
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    for position in range(len("reply+"), len(local)):
        for replacement in alphabet:
            if replacement == local[position]:
                continue
            altered = local[:position] + replacement + local[position + 1:]
            assert read_reply_address(CONFIG, f"{altered}@{domain}") is None, altered


def test_a_token_signed_with_another_secret_is_refused():
    other = reply_address({**CONFIG, "SECRET_KEY": "a-different-secret-entirely-0987654321"}, 3, 4)
    assert read_reply_address(CONFIG, other) is None


def test_the_signature_is_for_this_purpose_only():
    # An HMAC of the same bytes under the app's secret itself (as another feature might make) is not a token.
    import hashlib
    import hmac
    header = struct.pack(">BQQ", 1, 3, 4)
    tag = hmac.new(CONFIG["SECRET_KEY"].encode(), header, hashlib.sha256).digest()[:16]
    token = base64.b32encode(header + tag).decode().rstrip("=").lower()
    assert read_reply_address(CONFIG, f"reply+{token}@in.example.gov.uk") is None


@pytest.mark.parametrize("address", [
    "", "not an address", "reply+@in.example.gov.uk", "reply+abc@in.example.gov.uk",
    "reply+!!!!@in.example.gov.uk", "someone@in.example.gov.uk", "reply+" + "a" * 200 + "@in.example.gov.uk",
])
def test_malformed_addresses_are_not_ours(address):
    assert read_reply_address(CONFIG, address) is None


def test_a_valid_token_at_another_domain_is_not_ours():
    local = reply_address(CONFIG, 3, 4).partition("@")[0]
    assert read_reply_address(CONFIG, f"{local}@example.com") is None
    assert read_reply_address(CONFIG, f"{local}@evil-in.example.gov.uk") is None


def test_a_spare_bit_spelling_of_a_token_is_refused():
    # 33 bytes leave one spare bit in the last base32 character: only the spelling we sent counts.
    address = reply_address(CONFIG, 3, 4)
    local, _, domain = address.partition("@")
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    last = alphabet.index(local[-1])
    twin = local[:-1] + alphabet[last ^ 1]
    assert read_reply_address(CONFIG, f"{twin}@{domain}") is None


def space(local="comms-chat", on=True):
    return SimpleNamespace(email_local_part=local, email_threads=on)


def test_a_space_address_is_shown_only_when_on_and_the_domain_is_set():
    assert space_address(CONFIG, space()) == "comms-chat@in.example.gov.uk"
    assert space_address(CONFIG, space(on=False)) is None
    assert space_address(CONFIG, space(local=None)) is None
    assert space_address({"SECRET_KEY": "x"}, space()) is None


def test_a_space_address_reads_back_as_its_local_part():
    assert read_space_address(CONFIG, "Comms-Chat@IN.example.gov.uk") == "comms-chat"
    assert read_space_address(CONFIG, "Forum <news.uk@in.example.gov.uk>") == "news.uk"
    assert read_space_address(CONFIG, "comms-chat@example.com") is None
    assert read_space_address(CONFIG, reply_address(CONFIG, 1, 2)) is None
    assert read_space_address({"SECRET_KEY": "x"}, "comms-chat@in.example.gov.uk") is None


@pytest.mark.parametrize("text, stored", [("Comms-Chat", "comms-chat"), (" news.uk ", "news.uk"), ("a1", "a1")])
def test_good_local_parts_are_kept_lower_case(text, stored):
    assert mail_tokens.clean_local_part(text) == stored


@pytest.mark.parametrize("text", ["", "reply+x", "-start", "end-", ".dot", "two..dots", "a b", "café", "x" * 65])
def test_bad_local_parts_are_refused(text):
    with pytest.raises(ValueError):
        mail_tokens.clean_local_part(text)


def test_a_stop_address_reads_back_as_its_member_and_watch_and_is_no_reply_address():
    address = mail_tokens.stop_address(CONFIG, 12, 99)
    assert address.startswith("stop+") and len(address.partition("@")[0]) <= 64
    assert mail_tokens.read_stop_address(CONFIG, address) == mail_tokens.StopTarget(member_id=12, watch_id=99)
    # Each kind of address is signed for its own purpose: one can't stand in for the other.
    assert read_reply_address(CONFIG, address) is None
    assert read_reply_address(CONFIG, "reply+" + address.partition("@")[0].removeprefix("stop+") + "@in.example.gov.uk") is None
    reply = reply_address(CONFIG, 12, 99)
    assert mail_tokens.read_stop_address(CONFIG, "stop+" + reply.partition("@")[0].removeprefix("reply+")
                                         + "@in.example.gov.uk") is None
    assert read_space_address(CONFIG, address) is None
    assert mail_tokens.stop_address({"SECRET_KEY": "x"}, 12, 99) is None
