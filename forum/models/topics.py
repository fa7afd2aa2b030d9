"""Topics: the library's service-area tags set on chats and on their question threads (#20)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Table

from forum.db import Base

chat_tags = Table(
    "forum_chat_tag", Base.metadata,
    Column("chat_id", ForeignKey("forum_chat.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("forum_library_tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)

thread_tags = Table(
    "forum_thread_tag", Base.metadata,
    Column("thread_id", ForeignKey("forum_thread.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("forum_library_tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)
