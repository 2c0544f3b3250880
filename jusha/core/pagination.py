"""One way every API list takes `limit` and `offset`, bounded so that no number a caller
sends reaches the database out of range (an offset of 2^63 was a server error): 422."""

from __future__ import annotations

from ninja import Field, Schema

MAX_OFFSET = 1_000_000_000  # far beyond any list here, far below what a database index takes


def page_query(*, default: int = 20, maximum: int = 100) -> type[Schema]:
    """A query schema for one list endpoint: `page: Query[page_query()]`."""

    class PageIn(Schema):
        limit: int = Field(default, ge=1, le=maximum, description=f"How many items (1 to {maximum})")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip")

        def window(self, items):
            return items[self.offset : self.offset + self.limit]

    PageIn.__name__ = f"Page{default}of{maximum}"
    return PageIn


Page = page_query()
