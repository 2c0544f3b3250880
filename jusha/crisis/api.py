"""Crisis ingestion: POST /api/v1/crisis/posts, a batch of posts from a source with its key.

CSRF-exempt machine endpoint: the source key in `Authorization: Bearer <key>` is the only
credential. Answers carry counts, never texts.
"""

import json

from django.utils.translation import gettext as _
from ninja import Router

from jusha.core.errors import BadRequest, NotAuthenticated
from jusha.core.openapi import errors
from jusha.crisis import services

router = Router(tags=["crisis"])


@router.post("/crisis/posts", auth=None, response={200: dict}, openapi_extra=errors(400, 401, 413, 422), summary="Send posts for risk screening")
def ingest(request):
    """A JSON list of up to 1,000 posts `{"id", "text", "posted_at", "author", "url"?}`.
    Posts the source sent before are counted as duplicates; one invalid post refuses the batch."""
    header = request.headers.get("Authorization", "")
    key = header[7:].strip() if header.lower().startswith("bearer ") else ""
    source = services.source_for_key(key)
    if source is None:
        raise NotAuthenticated(_("Send a valid crisis source key as Authorization: Bearer <key>."), code="crisis_source_key")
    try:
        posts = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(_("The request body is not valid UTF-8 JSON."), code="malformed") from error
    if isinstance(posts, dict) and isinstance(posts.get("posts"), list):
        posts = posts["posts"]
    return services.posts_ingest(source=source, posts=posts)
