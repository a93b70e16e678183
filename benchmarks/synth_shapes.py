"""The JSON shapes of a simulated post: API v1.1 (twarc), API v2 (twarc2), Twitter archive.

Each follows what the real exports carry, field for field where it matters to a reader: v1.1
tweets with a full ``user`` object and embedded ``retweeted_status``/``quoted_status``; v2
tweets with ``author_id`` and ``referenced_tweets``, joined through a page's ``includes``;
archive items ``{"tweet": {...}}`` with every number written as a string and no ``user``.
Texts are HTML-escaped the way Twitter sends them ('&' as '&amp;').
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from synth_chats import Post, User
from synth_text import SOURCE_URLS

V1_TIME = "%a %b %d %H:%M:%S +0000 %Y"


def escape(text: str) -> str:
    """Escape text as Twitter does: only &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def iso(moment: datetime) -> str:
    """API v2 time: ISO-8601 UTC with milliseconds and Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _span(text: str, needle: str) -> tuple[int, int]:
    start = max(0, text.find(needle))
    return start, start + len(needle)


def _source_html(name: str) -> str:
    return f'<a href="{SOURCE_URLS.get(name, "https://twitter.com")}" rel="nofollow">{name}</a>'


def v1_user(user: User) -> dict[str, Any]:
    """A v1.1 user object, with the profile fields the API sends."""
    return {
        "id": int(user.id), "id_str": user.id, "name": user.name, "screen_name": user.handle,
        "location": user.location, "description": user.bio, "url": None,
        "entities": {"description": {"urls": []}}, "protected": False,
        "followers_count": user.followers, "friends_count": user.following,
        "listed_count": user.followers // 40, "created_at": user.created_at.strftime(V1_TIME),
        "favourites_count": user.statuses // 3, "utc_offset": None, "time_zone": None,
        "geo_enabled": False, "verified": user.verified, "statuses_count": user.statuses,
        "lang": None, "contributors_enabled": False, "is_translator": False,
        "is_translation_enabled": False, "profile_background_color": "C0DEED",
        "profile_background_image_url": "http://abs.twimg.com/images/themes/theme1/bg.png",
        "profile_background_image_url_https":
            "https://abs.twimg.com/images/themes/theme1/bg.png",
        "profile_background_tile": False,
        "profile_image_url": f"http://pbs.twimg.com/profile_images/{user.id}/a_normal.jpg",
        "profile_image_url_https":
            f"https://pbs.twimg.com/profile_images/{user.id}/a_normal.jpg",
        "profile_link_color": "1DA1F2", "profile_sidebar_border_color": "C0DEED",
        "profile_sidebar_fill_color": "DDEEF6", "profile_text_color": "333333",
        "profile_use_background_image": True, "has_extended_profile": False,
        "default_profile": True, "default_profile_image": False, "following": False,
        "follow_request_sent": False, "notifications": False, "translator_type": "none",
    }


def v1_entities(post: Post, numbers: type = int) -> dict[str, Any]:
    """Hashtags, mentions and URLs with their indices (as strings in archives)."""
    text = post.text

    def span(needle: str) -> list[Any]:
        return [numbers(i) for i in _span(text, needle)]

    return {
        "hashtags": [{"text": tag, "indices": span("#" + tag)} for tag in post.hashtags],
        "symbols": [],
        "user_mentions": [
            {"screen_name": u.handle, "name": u.name, "id": numbers(u.id), "id_str": u.id,
             "indices": span("@" + u.handle)}
            for u in post.mentions
        ],
        "urls": [
            {"url": link.short, "expanded_url": link.expanded, "display_url": link.display,
             "indices": span(link.short)}
            for link in post.links
        ],
    }


def v1_tweet(post: Post, embed: bool = True) -> dict[str, Any]:
    """A v1.1 tweet as twarc 1.x writes it (extended mode: ``full_text``)."""
    reply = post.reply_to
    tweet: dict[str, Any] = {
        "created_at": post.created_at.strftime(V1_TIME), "id": int(post.id), "id_str": post.id,
        "full_text": escape(post.text), "truncated": False,
        "display_text_range": [0, len(post.text)], "entities": v1_entities(post),
        "source": _source_html(post.source),
        "in_reply_to_status_id": int(reply.id) if reply else None,
        "in_reply_to_status_id_str": reply.id if reply else None,
        "in_reply_to_user_id": int(reply.user.id) if reply else None,
        "in_reply_to_user_id_str": reply.user.id if reply else None,
        "in_reply_to_screen_name": reply.user.handle if reply else None,
        "user": v1_user(post.user), "geo": None, "coordinates": None, "place": None,
        "contributors": None, "is_quote_status": post.quoted is not None,
        "retweet_count": post.retweets, "favorite_count": post.likes, "favorited": False,
        "retweeted": False, "lang": "en",
    }
    if post.links:
        tweet["possibly_sensitive"] = False
    if post.quoted is not None:
        tweet["quoted_status_id"] = int(post.quoted.id)
        tweet["quoted_status_id_str"] = post.quoted.id
        if embed:
            tweet["quoted_status"] = v1_tweet(post.quoted, embed=False)
    if post.retweeted is not None and embed:
        tweet["retweeted_status"] = v1_tweet(post.retweeted, embed=False)
    return tweet


def v2_user(user: User) -> dict[str, Any]:
    """An API v2 user, with the fields twarc2 asks for."""
    return {
        "id": user.id, "name": user.name, "username": user.handle,
        "created_at": iso(user.created_at), "description": user.bio, "location": user.location,
        "pinned_tweet_id": None, "profile_image_url":
            f"https://pbs.twimg.com/profile_images/{user.id}/a_normal.jpg",
        "protected": False, "url": "", "verified": user.verified,
        "public_metrics": {"followers_count": user.followers, "following_count": user.following,
                           "tweet_count": user.statuses, "listed_count": user.followers // 40},
    }


def references(post: Post) -> list[tuple[str, Post]]:
    """The posts a post refers to, with the v2 reference type."""
    pairs = [("retweeted", post.retweeted), ("quoted", post.quoted), ("replied_to", post.reply_to)]
    return [(kind, other) for kind, other in pairs if other is not None]


def v2_tweet(post: Post) -> dict[str, Any]:
    """An API v2 tweet with the fields and expansions twarc2 asks for."""
    text = post.text
    tweet: dict[str, Any] = {
        "id": post.id, "text": escape(text), "author_id": post.user.id,
        "conversation_id": (post.reply_to or post).id, "created_at": iso(post.created_at),
        "lang": "en", "source": post.source, "reply_settings": "everyone",
        "possibly_sensitive": False, "edit_history_tweet_ids": [post.id],
        "edit_controls": {"edits_remaining": 5, "is_edit_eligible": not post.retweeted,
                          "editable_until": iso(post.created_at)},
        "public_metrics": {"retweet_count": post.retweets, "reply_count": 0,
                           "like_count": post.likes, "quote_count": 0, "impression_count": 0},
        "entities": {
            "hashtags": [dict(zip(("start", "end"), _span(text, "#" + t), strict=True), tag=t)
                         for t in post.hashtags],
            "mentions": [dict(zip(("start", "end"), _span(text, "@" + u.handle), strict=True),
                              username=u.handle, id=u.id) for u in post.mentions],
            "urls": [dict(zip(("start", "end"), _span(text, link.short), strict=True),
                          url=link.short, expanded_url=link.expanded, display_url=link.display,
                          status=200, unwound_url=link.expanded)
                     for link in post.links],
        },
    }
    if refs := references(post):
        tweet["referenced_tweets"] = [{"type": kind, "id": other.id} for kind, other in refs]
    if post.reply_to is not None:
        tweet["in_reply_to_user_id"] = post.reply_to.user.id
    return tweet


def archive_item(post: Post, with_user: bool) -> dict[str, Any]:
    """A tweets.js item: numbers as strings, absent (not null) reply fields, no retweet body."""
    reply = post.reply_to
    tweet: dict[str, Any] = {
        "edit_info": {"initial": {"editTweetIds": [post.id], "editableUntil":
                                  iso(post.created_at), "editsRemaining": "5",
                                  "isEditEligible": post.retweeted is None}},
        "retweeted": False, "source": _source_html(post.source),
        "entities": v1_entities(post, str),
        "display_text_range": ["0", str(len(post.text))],
        "favorite_count": str(post.likes), "id_str": post.id, "truncated": False,
        "retweet_count": str(post.retweets), "id": post.id,
        "created_at": post.created_at.strftime(V1_TIME), "favorited": False,
        "full_text": escape(post.text), "lang": "en",
    }
    if reply is not None:
        tweet.update({
            "in_reply_to_status_id_str": reply.id, "in_reply_to_status_id": reply.id,
            "in_reply_to_user_id": reply.user.id, "in_reply_to_user_id_str": reply.user.id,
            "in_reply_to_screen_name": reply.user.handle,
        })
    if with_user:
        # Not in a personal archive (its owner is in account.js); chat collections carry it.
        tweet["user"] = {"id_str": post.user.id, "screen_name": post.user.handle,
                         "name": post.user.name}
    return {"tweet": tweet}
