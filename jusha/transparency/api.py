"""The log's JSON API (/api/v1/log/): proofs and entries. The tiles and the checkpoint,
the log's own formats, are plain resources under /log/ (views.py)."""

import base64

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from jusha.core.errors import Invalid, NotFound
from jusha.core.openapi import errors
from jusha.transparency import leaves, selectors

router = Router(tags=["transparency log"])
MAX = 2**63 - 1


def _b64(hashes) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def _within(size: int) -> None:
    head = selectors.log_head()
    if size > head.size:
        raise NotFound(_("The log holds %(size)s entries so far.") % {"size": head.size},
                       code="beyond_tree", extra={"tree_size": head.size})


class InclusionQuery(Schema):
    index: int = Field(..., ge=0, le=MAX)
    size: int = Field(..., ge=1, le=MAX)


class ConsistencyQuery(Schema):
    from_: int = Field(..., alias="from", ge=1, le=MAX)
    to: int = Field(..., ge=1, le=MAX)


@router.get("/proof/inclusion", auth=None, response=dict, openapi_extra=errors(404))
def proof_inclusion(request, query: Query[InclusionQuery]):
    """RFC 9162 inclusion proof for entry `index` in the tree of `size` entries: hashes from
    the leaf's sibling up, base64."""
    if query.index >= query.size:
        raise Invalid(_("The index must be below the tree size."), code="index_not_below_size")
    _within(query.size)
    return {"index": query.index, "size": query.size, "hashes": _b64(selectors.inclusion_proof(query.index, query.size))}


@router.get("/proof/consistency", auth=None, response=dict, openapi_extra=errors(404))
def proof_consistency(request, query: Query[ConsistencyQuery]):
    """RFC 9162 consistency proof that the tree of `from` entries is a prefix of the tree of
    `to` entries (0 < from <= to)."""
    if query.from_ > query.to:
        raise Invalid(_("`from` must not be larger than `to`."), code="from_after_to")
    _within(query.to)
    return {"from": query.from_, "to": query.to, "hashes": _b64(selectors.consistency_proof(query.from_, query.to))}


@router.get("/entries/{index}", auth=None, response=dict)
def entry(request, index: int):
    """Entry `index`: the leaf bytes (base64) and the fact they encode."""
    leaf = selectors.entry(index) if 0 <= index <= MAX else None
    if leaf is None:
        raise NotFound(_("No entry with that index."), code="not_found")
    return {"index": index, "leaf": base64.b64encode(leaf).decode(), "fact": leaves.parse(leaf)}
