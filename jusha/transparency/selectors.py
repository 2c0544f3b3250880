"""Reads of the log: its head, hashes from tiles, proofs, entries, bundles, receipts."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from jusha.transparency import merkle, tiles
from jusha.transparency.bundle import ProofBundle
from jusha.transparency.models import Checkpoint, EntryRun, Fact, Tile


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes
    note: str = ""


def id_runs(ids: list[int]):
    """(first id, last id, position) of each run of consecutive ids in a sorted list."""
    start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[i - 1] + 1:
            yield ids[start], ids[i - 1], start
            start = i


def id_conditions(ids: list[int], field: str = "id") -> list[Q]:
    """Conditions matching exactly `ids` (sorted), each an index lookup: a range per run of
    consecutive ids (a run has no gaps, so nothing else can match), lists for stragglers."""
    runs = [(first, last) for first, last, _position in id_runs(ids)]
    ranges = [Q(**{f"{field}__gte": first, f"{field}__lte": last}) for first, last in runs if last - first >= 63]
    singles = [i for first, last in runs if last - first < 63 for i in range(first, last + 1)]
    return ([reduce(or_, ranges[i : i + 100]) for i in range(0, len(ranges), 100)]
            + [Q(**{f"{field}__in": singles[i : i + 900]}) for i in range(0, len(singles), 900)])


def log_head() -> Head:
    """The latest signed checkpoint (size 0 and the empty root before the first)."""
    row = Checkpoint.objects.order_by("-size").values_list("size", "root", "note").first()
    return Head(row[0], bytes(row[1]), row[2]) if row else Head(0, merkle.EMPTY_ROOT)


def _tiles(wanted) -> dict[tuple[int, int], bytes]:
    """{(level, index): hashes} of the stored tiles among `wanted`: one lookup by key. (Raw
    SQL: a proof's query is planned and run in well under a millisecond.)"""
    if not wanted:
        return {}
    keys = [Tile.key_of(level, index) for level, index in wanted]
    quote = connection.ops.quote_name
    with _binary_cursor() as cursor:
        cursor.execute(f"SELECT {quote('level')}, {quote('index')}, hashes FROM {Tile._meta.db_table} "
                       f"WHERE {quote('key')} IN ({', '.join(['%s'] * len(keys))})", keys)
        return {(level, index): bytes(hashes) for level, index, hashes in cursor.fetchall()}


@contextmanager
def _binary_cursor():
    """A cursor for reading tiles. On PostgreSQL, one that takes its results in binary, so
    a tile arrives as its 8 KiB rather than as 16 KiB of hex text to decode (a proof's
    query of five tiles: about a fifth faster). Django's own cursors always ask for text
    results; this one asks for binary, and is wrapped as Django's are (errors, query
    logging)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    raw.format = psycopg.pq.Format.BINARY
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:
        yield cursor


class TileNodes:
    """Perfect-subtree hashes read from stored tiles: the tiles that `nodes` need, fetched in
    one query, each hashed into its levels once (and cached while hot)."""

    def __init__(self, nodes):
        wanted = {tiles.node_tile(height, index)[:2] for height, index in nodes}
        self.levels = {(level, index): tiles.cached_levels(level, data)
                       for (level, index), data in _tiles(wanted).items()}

    def __call__(self, height: int, index: int) -> bytes:
        level, tile, offset, count = tiles.node_tile(height, index)
        return tiles.node_from_levels(self.levels[(level, tile)], offset, count)


def _hashes(ranges) -> list[bytes]:
    parts = [merkle.range_parts(lo, hi) for lo, hi in ranges]
    node = TileNodes({part for each in parts for part in each})
    return [merkle.parts_hash([node(height, index) for height, index in each]) for each in parts]


def inclusion_proof(index: int, size: int) -> list[bytes]:
    return _hashes(merkle.inclusion_ranges(index, size))


def consistency_proof(size1: int, size2: int) -> list[bytes]:
    return _hashes(merkle.consistency_ranges(size1, size2))


def tree_head(size: int) -> bytes:
    return _hashes([(0, size)])[0] if size else merkle.EMPTY_ROOT


def tile_data(level: int, index: int, width: int) -> bytes | None:
    """The first `width` hashes of a tile, if the log holds that many."""
    row = Tile.objects.filter(key=Tile.key_of(level, index)).values_list("hashes", flat=True).first()
    if row is None or len(row) < width * merkle.HASH_SIZE:
        return None
    return bytes(row)[: width * merkle.HASH_SIZE]


def partial_tiles(size: int) -> dict[int, bytes]:
    """The hashes of the rightmost partial tile of each level of a tree of `size`."""
    wanted = tiles.partial_tiles(size)
    stored = _tiles({(ref.level, ref.index) for ref in wanted})
    partials = {}
    for ref in wanted:
        data = stored.get((ref.level, ref.index), b"")[: ref.width * merkle.HASH_SIZE]
        if len(data) != ref.width * merkle.HASH_SIZE:
            raise LookupError(f"tile {ref.path} is missing hashes")
        partials[ref.level] = data
    return partials


def entry_count() -> int:
    """How many facts the runs hold (from the last run: one indexed lookup)."""
    run = EntryRun.objects.order_by("-first_index").values_list("first_index", "first_fact", "last_fact").first()
    return run[0] + run[2] - run[1] + 1 if run else 0


def entries(first: int, count: int) -> list[bytes]:
    """The leaves of entries [first, first + count), fewer if the log ends sooner."""
    start = EntryRun.objects.filter(first_index__lte=first).order_by("-first_index").values("first_index")[:1]
    runs = (EntryRun.objects.filter(first_index__gte=Coalesce(Subquery(start), 0), first_index__lt=first + count)
            .order_by("first_index").values_list("first_index", "first_fact", "last_fact"))
    ids = []
    for first_index, first_fact, last_fact in runs:
        lo = max(first, first_index)
        hi = min(first + count, first_index + last_fact - first_fact + 1)
        ids += range(first_fact + lo - first_index, first_fact + hi - first_index)
    leaves = {}
    for condition in id_conditions(sorted(ids)):
        leaves.update(Fact.objects.filter(condition).values_list("id", "leaf"))
    return [bytes(leaves[i]) for i in ids]


def entry_bundle(index: int, width: int) -> bytes | None:
    """Entries [256·index, 256·index + width) as uint16-length-prefixed leaves."""
    leaves = entries(index * tiles.WIDTH, width)
    if len(leaves) != width:
        return None
    return b"".join(len(leaf).to_bytes(2, "big") + leaf for leaf in leaves)


def entry(index: int) -> bytes | None:
    found = entries(index, 1)
    return found[0] if found else None


def _place():
    """A subquery for a Fact query: the fact's log index, or null while queued. The one run
    that could hold it is found first (index seek), then checked."""
    fact = OuterRef("id")
    candidate = EntryRun.objects.filter(first_fact__lte=OuterRef(fact)).order_by("-first_fact").values("first_fact")[:1]
    runs = EntryRun.objects.filter(first_fact=Subquery(candidate), last_fact__gte=fact)
    return Subquery(runs.annotate(place=F("first_index") + (fact - F("first_fact"))).values("place")[:1])


def log_index_for(kind: str, ref: str) -> int | None:
    """A record's place in the log (None until integrated): one query, on two indexes."""
    facts = Fact.objects.filter(kind=kind, ref=ref).order_by("id").annotate(place=_place())
    return facts.values_list("place", flat=True).first()


def facts_with_places(kind: str, refs) -> list[tuple[int | None, bytes]]:
    """(log index or None, leaf) of a record set's facts, in the order they were queued."""
    rows = Fact.objects.filter(kind=kind, ref__in=list(refs)).order_by("id").annotate(place=_place())
    return [(place, bytes(leaf)) for place, leaf in rows.values_list("place", "leaf")]


def fact_for(kind: str, ref: str) -> Fact | None:
    return Fact.objects.filter(kind=kind, ref=ref).order_by("id").first()


def proof_bundle(index: int, head: Head | None = None) -> ProofBundle:
    """A c2sp.org/tlog-proof@v1 bundle for entry `index` against the latest checkpoint."""
    head = head or log_head()
    return ProofBundle(index=index, proof=inclusion_proof(index, head.size), checkpoint=head.note, extra=entry(index))
