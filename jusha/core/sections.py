"""Parts of a lower app's page that higher apps draw.

A page that shows data of apps above its own (a project's donors and ledger, an
organisation's projects) offers a `Contributions` extension point; the higher apps
register providers in their `AppConfig.ready()`, each returning a `Section` (or a list of
them, or None): which slot of the page it goes in, the template that draws it and that
template's own context. The view collects them (`collect_sections(...)`) into the page
context's `sections`; the page's template draws a slot with `{% load sections %}` and
`{% sections "slot" %}`, in the providers' order.
The lower app never names the higher apps, their templates nor their data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    slot: str
    template: str
    context: dict = field(default_factory=dict)


def group_sections(results) -> dict[str, list[Section]]:
    """Providers' results (each a Section, a list of them, or None), by slot, in order."""
    by_slot: dict[str, list[Section]] = defaultdict(list)
    for result in results:
        for section in [result] if isinstance(result, Section) else result or ():
            by_slot[section.slot].append(section)
    return dict(by_slot)


def collect_sections(contributions, *args, **kwargs) -> dict[str, list[Section]]:
    """What the providers of `contributions` return for these arguments, by slot, in their
    order: the page context's `sections`."""
    return group_sections(contributions.collect(*args, **kwargs))


def given(context, name: str):
    """In a template tag of a section's template: what the page passed under the tag's name
    (the section read it with the selector of that name). Tags draw, they never query."""
    if name not in context:
        raise KeyError(f"the page passes `{name}` to draw it")
    return context[name]
