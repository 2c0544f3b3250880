"""The transparency log's storage: facts (queued, then integrated), hash tiles, signed
checkpoints; the witness's memory of other logs; the monitor's memory of logs it follows.

Nothing here holds the tree whole: a proof reads at most a few tiles per level.
"""

from django.db import models


class Fact(models.Model):
    """One public fact, written in the transaction that creates it and never changed.
    While queued it has a `Queued` row; the sequencer integrates it into an `EntryRun`."""

    kind = models.CharField(max_length=32)
    # The creating record's id (the fact's public "id"), so a donation finds its gift.
    ref = models.CharField(max_length=64, blank=True)
    leaf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "ref"], name="fact_kind_ref")]

    def __str__(self):
        return f"{self.kind} {self.ref}"


class Queued(models.Model):
    """A fact waiting for the sequencer; the row goes when the fact is integrated."""

    fact = models.OneToOneField(Fact, primary_key=True, on_delete=models.CASCADE, related_name="queued")


class EntryRun(models.Model):
    """Facts first_fact..last_fact (consecutive ids, all integrated together) are the log's
    entries first_index.. in that order. One row per run, not per fact: integrating costs
    the queue's deletes, and a fact's place is one indexed lookup away."""

    first_fact = models.BigIntegerField(unique=True)
    last_fact = models.BigIntegerField()
    first_index = models.BigIntegerField(unique=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(last_fact__gte=models.F("first_fact")), name="entry_run_ordered")]


class FactSalt(models.Model):
    """The salt of a fact's commitment to its personal fields, kept outside the log.
    Deleting it is erasure: the commitment in the log then points at nobody."""

    fact = models.OneToOneField(Fact, primary_key=True, on_delete=models.CASCADE, related_name="salt")
    salt = models.BinaryField()


class Tile(models.Model):
    """A C2SP tlog-tiles hash tile: up to 256 consecutive hashes (32 bytes each) at one
    level. Full tiles (8,192 bytes) never change; the rightmost tile of a level grows.
    Keyed by one integer, (level << 56) | index, so a proof's few tiles are one `IN` lookup."""

    key = models.BigIntegerField(primary_key=True)
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hashes = models.BinaryField()

    @staticmethod
    def key_of(level: int, index: int) -> int:
        return (level << 56) | index

    @classmethod
    def make(cls, level: int, index: int, hashes: bytes) -> "Tile":
        return cls(key=cls.key_of(level, index), level=level, index=index, hashes=hashes)

    @property
    def width(self) -> int:
        return len(self.hashes) // 32


class Checkpoint(models.Model):
    """A signed tree head, one per integrated batch; witnesses' cosignatures are appended
    to `note` as they arrive."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField()
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"checkpoint {self.size}"


class WitnessState(models.Model):
    """A witness we ask to cosign our checkpoints: the size it last cosigned."""

    name = models.CharField(max_length=200, unique=True)
    size = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class WitnessedLog(models.Model):
    """As a witness: the latest checkpoint we cosigned for another log (by origin)."""

    origin = models.CharField(max_length=200, unique=True)
    size = models.BigIntegerField(default=0)
    root = models.BinaryField(default=b"")
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class MonitoredLog(models.Model):
    """A log this site's monitor follows: its key, and the compact range of every entry
    re-hashed so far (enough to recompute every later tree head)."""

    url = models.CharField(max_length=300, unique=True)
    vkey = models.CharField(max_length=300)
    size = models.BigIntegerField(default=0)
    compact = models.BinaryField(default=b"")
    alarm = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)


class MonitoredCheckpoint(models.Model):
    """Every checkpoint the monitor has seen and verified, per log."""

    log = models.ForeignKey(MonitoredLog, on_delete=models.CASCADE, related_name="checkpoints")
    size = models.BigIntegerField()
    root = models.BinaryField()
    note = models.TextField()
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "size"], name="monitored_checkpoint_once")]
