"""core.sections: parts of a lower app's page that higher apps draw, in the providers' order."""

from django.template import engines

from jusha.core.events import Contributions
from jusha.core.sections import Section, collect_sections


def _page(template: str, sections) -> str:
    return engines["django"].from_string(template).render({"sections": sections})


def test_providers_fill_slots_in_their_order():
    page = Contributions("a test page")
    page.register(lambda obj: Section("b", "projects/_organisation.html", {"projects": []}), order=20)
    page.register(lambda obj: [Section("a", "organisations/_badge.html", {"organisation": obj})], order=10)
    page.register(lambda obj: None, order=30)  # nothing to show for this one
    found = collect_sections(page, {"verification": "verified", "get_verification_display": "-"})
    assert list(found) == ["a", "b"] and [s.template for s in found["b"]] == ["projects/_organisation.html"]


def test_a_slot_draws_its_sections_with_their_own_context():
    sections = {
        "figures": [
            Section("figures", "organisations/_badge.html", {"organisation": {"verification": "verified"}}),
            Section("figures", "projects/_organisation.html", {"projects": []}),
        ],
    }
    html = _page('{% load sections %}<main>{% sections "figures" %}</main>{% sections "nothing here" %}', sections)
    assert html.index("Verified by the platform") < html.index("no public projects yet")
    assert html.startswith("<main>") and html.endswith("</main>")


def test_a_section_context_does_not_leak_into_the_page():
    template = engines["django"].from_string('{% load sections %}{% sections "s" %}[{{ projects }}]')
    html = template.render({"sections": {"s": [Section("s", "projects/_organisation.html", {"projects": []})]}})
    assert html.endswith("[]") and not html.endswith("[[]]")


def test_a_page_without_sections_draws_nothing():
    assert _page('{% load sections %}({% sections "x" %})', None) == "()"
