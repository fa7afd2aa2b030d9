"""DiscordChatExporter helpers shared by its CSV and JSON importers: system lines and bot authors."""

from __future__ import annotations

import re

# The sentences DiscordChatExporter writes for system messages in place of their content
# (PlainTextMessageExtensions.GetFallbackContent), and the Discord client's boost notices.
_SYSTEM_TEXT = re.compile(
    r"(?:Added a recipient|Removed a recipient|Left the group|Changed the channel name|Changed the channel icon"
    r"|Pinned a message|Started a thread|Joined the server|A poll has closed)\."
    r"|Added [^\n]+ to the group\.|Removed [^\n]+ from the group\.|Changed the channel name: [^\n]*"
    r"|Started a call that lasted (?:[\d,]+ minutes?|a few seconds)\."
    r"|(?:[^\n]+ )?(?:just )?[Bb]oosted the server(?: \*{0,2}\d+\*{0,2} times)?[.!]?(?: [^\n]+ has achieved [^\n]+)?"
)
# Webhooks (and so most integrations) had the discriminator 0000 before Discord's 2023 names.
_WEBHOOK_DISCRIMINATOR = "0000"
# A name on the 2023 system is lower-case letters, digits, _ and .; an exporter of that summer wrote such
# people as name#0000 too, so those are people, not webhooks.
_NEW_USERNAME = re.compile(r"[a-z0-9_.]{2,32}")
# The client's tag beside an app's name, when a copy or an export kept it: "MEE6 BOT", "Sesh [APP]".
_BOT_TAG = re.compile(r"\s*(?:\[(?:BOT|APP|bot|app)\]|\((?:BOT|APP|bot|app)\)|(?<=\s)(?:BOT|APP))$")
# "Reminder Bot", "carl-bot", "TicketBot", "bot_lgovsm": a name that says it is a bot.
_BOT_WORD = re.compile(r"(?:^|[\s_.\-])[Bb][Oo][Tt](?:$|[\s_.\-])|[a-z0-9]Bot$")
# Widely used Discord bots and integrations whose names don't say "bot" (lower case, without a #tag).
_KNOWN_BOTS = frozenset({
    "mee6", "dyno", "carl", "dank memer", "tatsu", "arcane", "probot", "yagpdb.xyz", "statbot", "ticket tool",
    "tickets", "sesh", "apollo", "simple poll", "disboard", "mudae", "nightbot", "streamcord", "tweetshift",
    "readybot.io", "zapier", "ifttt", "github", "gitlab", "reminder", "remindme", "remind me", "welcomer",
    "giveawaybot", "invite tracker", "double counter", "wick", "xenon", "zira", "pancake", "hydra", "rythm",
    "groovy", "fredboat", "loritta", "koya", "atlas", "birthday bot", "health check", "webhook", "captain hook",
})


def is_system_text(text: str) -> bool:
    """Say whether a message's whole text is one of the exporter's system sentences, such as "Pinned a message."."""
    return _SYSTEM_TEXT.fullmatch(text.strip()) is not None


def strip_bot_tag(name: str) -> tuple[str, bool]:
    """Return a name without a trailing BOT or APP tag, and whether it had one."""
    stripped = _BOT_TAG.sub("", name)
    return (stripped, True) if stripped != name and stripped.strip() else (name, False)


def is_bot_name(name: str, discriminator: str | None = None) -> bool:
    """Say whether an author's name (and legacy #tag) marks a bot or a webhook rather than a person."""
    if discriminator == _WEBHOOK_DISCRIMINATOR and not _NEW_USERNAME.fullmatch(name):
        return True
    return _BOT_WORD.search(name) is not None or name.strip().lower() in _KNOWN_BOTS
