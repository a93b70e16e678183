"""The links a chat shares: copies of one page counted together, once per post."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from chatarchive.models import LinkShare, Message

_STATUS_HOSTS = frozenset(["twitter.com", "mobile.twitter.com", "x.com", "mobile.x.com"])
_TRACKING = re.compile(r"utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid", re.IGNORECASE)


def _canonical(url: str) -> tuple[str, str, str] | None:
    """(key, clean URL, domain) of a link worth listing; None for post links and odd schemes.

    The key ignores what does not change the page: scheme, "www.", a trailing slash, tracking
    parameters and the fragment, so that copies of one link count together.
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    domain = host.removeprefix("www.")
    if scheme not in ("http", "https") or not host:
        return None
    if domain in _STATUS_HOSTS and "/status" in parts.path:
        return None  # a post, quoted in its own right
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, v) for k, v in pairs if not _TRACKING.fullmatch(k)])
    clean = urlunsplit((scheme, host + port, parts.path or "/", query, ""))
    key = f"{domain}{port}{parts.path.rstrip('/')}?{query}"
    return key, clean, domain


def links(messages: Iterable[Message]) -> tuple[LinkShare, ...]:
    """Count the links shared, once per post, copies of one link together, most shared first."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    domains: dict[str, str] = {}
    for message in messages:
        keys = set()
        for url in message.links:
            canonical = _canonical(url)
            if canonical is not None:
                key, clean, domains[key] = canonical
                forms[key][clean] += 1
                keys.add(key)
        counts.update(keys)

    def shown(key: str) -> str:
        seen = forms[key]
        return min(seen, key=lambda u: (not u.startswith("https:"), -seen[u], len(u), u))

    shares = [LinkShare(shown(key), domains[key], count) for key, count in counts.items()]
    return tuple(sorted(shares, key=lambda share: (-share.count, share.url)))
