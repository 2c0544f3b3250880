"""Connectors bring posts in from elsewhere. One interface, one real connector.

`HttpJsonConnector` polls a source's HTTP JSON endpoint with a since-cursor:
GET <feed_url>?since=<cursor> answers `{"posts": [...], "cursor": "<next>"}`; the cursor is
saved only after the batch is stored, so an interrupted poll repeats (and deduplicates)
rather than loses posts. Fetches go through the outbound rules (no private or loopback
addresses unless JUSHA_ALLOW_PRIVATE_FETCH, a time limit, a size limit).
"""

from __future__ import annotations

import json
import logging
from typing import Protocol
from urllib.parse import urlencode

from jusha.core.errors import DomainError
from jusha.crisis import services
from jusha.crisis.models import Source
from jusha.transparency import remote

log = logging.getLogger(__name__)


class ConnectorError(Exception):
    pass


class Connector(Protocol):
    def fetch(self, cursor: str) -> tuple[list[dict], str]:
        """The posts after `cursor`, and the cursor after them."""


class HttpJsonConnector:
    def __init__(self, feed_url: str):
        self.feed_url = feed_url

    def fetch(self, cursor: str) -> tuple[list[dict], str]:
        joiner = "&" if "?" in self.feed_url else "?"
        url = self.feed_url + (joiner + urlencode({"since": cursor}) if cursor else "")
        try:
            answer = json.loads(remote.get(url).decode("utf-8"))
        except remote.FetchError as error:
            raise ConnectorError(str(error)) from error
        except (UnicodeDecodeError, ValueError) as error:
            raise ConnectorError("the feed's answer is not UTF-8 JSON") from error
        if not isinstance(answer, dict) or not isinstance(answer.get("posts"), list):
            raise ConnectorError('the feed\'s answer has no "posts" list')
        next_cursor = answer.get("cursor")
        return answer["posts"], str(next_cursor) if next_cursor not in (None, "") else cursor


def connector_for(source: Source) -> Connector | None:
    return HttpJsonConnector(source.feed_url) if source.feed_url else None


def connectors_poll() -> int:
    """The worker's job: every active source with a feed, once. Returns the posts stored."""
    stored = 0
    for source in Source.objects.filter(active=True).exclude(feed_url=""):
        connector = connector_for(source)
        try:
            posts, cursor = connector.fetch(source.feed_cursor)
            for start in range(0, len(posts), services.MAX_BATCH):
                stored += services.posts_ingest(source=source, posts=posts[start : start + services.MAX_BATCH])["created"]
        except (ConnectorError, DomainError) as error:
            log.warning("crisis connector for source %s failed: %s", source.pk, getattr(error, "code", type(error).__name__))
            continue
        if cursor != source.feed_cursor:
            Source.objects.filter(pk=source.pk).update(feed_cursor=cursor[:200])
    return stored
