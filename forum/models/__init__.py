"""The forum's models; importing this package registers every table on `forum.db.Base.metadata`."""

from forum.models.accounts import PLATFORMS, SECTORS, Handle, Member, Organisation, normalise_name
from forum.models.chats import CHAT_STATUSES, Chat, ChatHost, ChatImport, PendingImport, ProposedQuestion, QuestionVote
from forum.models.mail import OutboxMessage
from forum.models.mail_in import MAIL_OUTCOMES, MailAddress, ReceivedMail
from forum.models.library import LibraryEntry, LibraryTag
from forum.models.links import Link
from forum.models.moderation import ModerationLogEntry, PostRevision, Report, ThreadRedirect
from forum.models.notifications import EMAIL_FREQUENCIES, Notification, Watch
from forum.models.page_cache import PageVersion
from forum.models.reading import ReadState, SavedPost
from forum.models.spaces import VISIBILITIES, Space, SpaceMembership, SpaceRequest
from forum.models.sign_in import SignInIdentity
from forum.models.threads import PLATFORM_NAMES, Post, Speaker, Thread
from forum.models.topics import chat_tags, thread_tags

__all__ = [
    "SECTORS", "VISIBILITIES", "MAIL_OUTCOMES", "MailAddress", "ReceivedMail", "PLATFORM_NAMES", "PLATFORMS", "OutboxMessage", "ModerationLogEntry",
    "Member", "Organisation", "Handle", "normalise_name",
    "Space", "SpaceMembership", "SpaceRequest", "CHAT_STATUSES", "ChatHost", "PendingImport", "ProposedQuestion",
    "QuestionVote", "LibraryEntry", "LibraryTag", "PostRevision", "Report", "ThreadRedirect",
    "EMAIL_FREQUENCIES", "Notification", "Watch", "Thread", "Post", "Speaker", "Chat", "ChatImport",
    "Link", "chat_tags", "thread_tags", "SignInIdentity",
    "ReadState", "SavedPost", "PageVersion",
]
