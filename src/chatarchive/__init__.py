"""chatarchive: archive hashtag chats from exports and write a recap after each chat."""

__version__ = "0.1.0"
