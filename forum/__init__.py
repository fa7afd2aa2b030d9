"""Afterchat: a community-of-practice forum that carries a weekly hashtag chat on between sessions."""

from forum.app import create_app
from forum.extension import Forum
from forum.services.sign_in_providers import HostUser

__version__ = "0.1.0"
__all__ = ["Forum", "HostUser", "create_app", "__version__"]
