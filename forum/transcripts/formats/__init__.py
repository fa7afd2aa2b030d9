"""Every transcript format, imported in sniffing order: the most specific shapes first, plain text last."""

from importlib import import_module

# Order matters for detection: each `sniff` is tried in this order and the first yes wins.
ORDER = [
    "slack",             # Slack workspace export (zip, or a folder packed as one)
    "twitter_archive",   # X personal archive tweets.js (window.YTD...)
    "twitter_v2",        # X API v2 search JSON, and twarc2's flattened JSON Lines
    "twitter_v1",        # X API v1.1 statuses JSON
    "mastodon",          # Mastodon statuses JSON (timeline array or /context)
    "bluesky",           # Bluesky searchPosts or getPostThread JSON
    "discord_json",      # DiscordChatExporter JSON
    "telegram",          # Telegram Desktop export (result.json)
    "tags_csv",          # TAGS sheet CSV
    "twarc_csv",         # X v2 Tweets as twarc-csv writes them
    "discord_csv",       # DiscordChatExporter CSV
    "teams_vtt",         # Teams WebVTT with <v> voice tags
    "teams_docx",        # Teams transcript downloaded as .docx
    "zoom_vtt",          # Zoom cloud transcript WebVTT (Speaker: text cues)
    "meet_transcript",   # Google Meet transcript (.docx or .txt from Google Docs)
    "zoom_chat",         # Zoom in-meeting chat text, three shapes
    "signal",            # Signal chats: signal-export Markdown, sigtop text and short text
    "whatsapp",          # WhatsApp "Export chat" text
    "irc",               # IRC logs: ZNC, irssi, WeeChat, HexChat, mIRC, dircproxy, supybot, Textual
    "teams_chat",        # Teams meeting chat copied as text
    "plain",             # "Name: text" lines
]

for _name in ORDER:
    import_module(f"{__name__}.{_name}")
