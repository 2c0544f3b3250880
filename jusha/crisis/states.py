"""The allowed transitions of a case, as a table."""

CASE_TRANSITIONS = {
    ("open", "claim"): "claimed",
    ("claimed", "release"): "open",
    ("claimed", "close"): "closed",
    ("open", "close"): "closed",  # a supervisor closes a false alarm without claiming it
}
