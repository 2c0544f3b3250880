"""Project pages: list, detail, progress fragment, forms, transitions, CSRF."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jusha.projects.models import BudgetLine, Project, ProjectUpdate, StatusChange
from tests.factories import give, image_upload, make_member, make_org, make_project, make_user

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def form_data(**overrides) -> dict:
    data = {
        "title": "Books for Leishan",
        "summary": "A shelf of books for each village school",
        "story": "<p>Reading changes lives.</p>",
        "cause": "education",
        "region_code": "522634",
        "goal": "1000",
        "ends_at": (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "beneficiary_count": "120",
        "unit_name": "shelf",
        "unit_cost": "250",
        "shortfall_rule": "proportional",
        "overflow_rule": "keep",
        "budget-TOTAL_FORMS": "3",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "1",
        "budget-MAX_NUM_FORMS": "30",
        "budget-0-title": "Books",
        "budget-0-amount": "800.50",
        "budget-1-title": "Shelves",
        "budget-1-amount": "199.50",
        "budget-2-title": "",
        "budget-2-amount": "",
    }
    data.update(overrides)
    return data


# --- list ------------------------------------------------------------------------------------


def test_list_shows_public_projects_only(client, org):
    public = make_project(org, title="Public warmth")
    make_project(org, status="draft", title="Secret draft")
    make_project(org, status="in_review", title="Under review")
    page = text(client.get(reverse("projects:list")))
    assert "Public warmth" in page and "Secret draft" not in page and "Under review" not in page
    assert reverse("projects:detail", args=[public.slug]) in page


def test_list_filters_and_search(client, org):
    make_project(org, title="Tongjiang elders", cause="elders", region_code="511921")
    make_project(org, title="Leishan school", cause="education", region_code="522634", summary="Books and desks")
    make_project(org, title="Beijing elders", cause="elders", region_code="110105", status="funded")

    def titles(**params):
        page = text(client.get(reverse("projects:list"), params))
        return {t for t in ("Tongjiang elders", "Leishan school", "Beijing elders") if t in page}

    assert titles() == {"Tongjiang elders", "Leishan school", "Beijing elders"}
    assert titles(cause="elders") == {"Tongjiang elders", "Beijing elders"}
    assert titles(region="510000") == {"Tongjiang elders"}  # province matches its counties
    assert titles(region="520000") == {"Leishan school"}
    assert titles(region="110000", cause="elders") == {"Beijing elders"}
    assert titles(status="funded") == {"Beijing elders"}
    assert titles(q="school") == {"Leishan school"}
    assert titles(q="DESKS") == {"Leishan school"}  # the summary too, any case
    assert titles(q="nothing like this") == set()


def test_region_filter_lists_areas_and_takes_any_county(client, org):
    make_project(org, title="Tongjiang elders", region_code="511921")
    make_project(org, title="Nanshan elders", region_code="440305")
    page = text(client.get(reverse("projects:list")))
    assert '<optgroup label="四川省">' in page and '<option value="511900">四川省 巴中市</option>' in page
    assert '<option value="511921"' not in page  # counties are not listed: the page stays small
    assert '<option value="110105">北京市 朝阳区</option>' in page  # a municipality's district is
    by_county = text(client.get(reverse("projects:list"), {"region": "440305"}))
    assert "Nanshan elders" in by_county and "Tongjiang elders" not in by_county
    by_city = text(client.get(reverse("projects:list"), {"region": "440300"}))
    assert "Nanshan elders" in by_city and "Tongjiang elders" not in by_city
    unknown = text(client.get(reverse("projects:list"), {"region": "440399"}))
    assert "Nanshan elders" in unknown and "Tongjiang elders" in unknown  # an unknown code filters nothing


def test_project_form_offers_every_county_by_province(client, org):
    client.force_login(make_member(org, "editor"))
    url = reverse("projects:create") + f"?org={org.slug}"
    page = text(client.get(url))
    assert '<optgroup label="新疆维吾尔自治区">' in page
    assert '<option value="650102">新疆维吾尔自治区 乌鲁木齐市 天山区</option>' in page
    assert client.post(url, form_data(region_code="650102")).status_code == 302
    assert Project.objects.get().region_code == "650102"
    refused = client.post(url, form_data(region_code="650199", title="Other"))
    assert refused.status_code == 200 and Project.objects.count() == 1


def test_list_paginates(client, org):
    for n in range(14):
        make_project(org, title=f"Numbered {n:02d}")
    first, second = text(client.get(reverse("projects:list"))), text(client.get(reverse("projects:list"), {"page": 2}))
    assert first.count("Numbered ") == 12 and second.count("Numbered ") == 2
    assert 'rel="next"' in first and "page=2" in first


def test_home_page_uses_the_cards(client, org):
    make_project(org, title="Featured warmth", featured=True)
    make_project(org, title="Big need", goal=9_000_000)
    page = text(client.get("/"))
    assert "Featured warmth" in page and "Big need" in page


# --- detail ------------------------------------------------------------------------------------


def test_detail_shows_rules_progress_budget_and_ledger(client, org):
    project = make_project(org, goal=100_000, shortfall_rule="refund", overflow_rule="keep", region_code="511921")
    give(project, 25_000, name="Li Lei", message="Stay warm", show_message=True)
    give(project, 5_000, name="Hidden Name", anonymous=True)
    page = text(client.get(reverse("projects:detail", args=[project.slug])))
    assert project.title in page and f"/orgs/{org.slug}/" in page and "四川省 巴中市 通江县" in page
    rules_at, donate_at = page.index(str(Project.ShortfallRule.REFUND.label)), page.index("/donations/new/")
    assert str(Project.OverflowRule.KEEP.label) in page and rules_at < donate_at  # rules before the button
    assert "¥300.00" in page and "¥1,000.00" in page and "30%" in page  # raised, goal, percent
    assert 'aria-valuenow="30"' in page
    assert "Warm packs" in page and "Delivery" in page  # budget lines
    assert "Li Lei" in page and "Stay warm" in page
    assert "Hidden Name" not in page and "A kind guest" in page
    assert "Gift received" in page and "¥250.00" in page  # latest ledger entries
    assert f"/ledger/{project.slug}/" in page and f"/ledger/{project.slug}/ledger.csv" in page
    assert f'hx-get="{reverse("projects:progress", args=[project.slug])}"' in page
    assert 'hx-trigger="every 10s"' in page and 'hx-swap="outerHTML"' in page


def test_progress_fragment(client, project):
    give(project, 1_000)
    response = client.get(reverse("projects:progress", args=[project.slug]))
    page = text(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith("<section") and 'hx-trigger="every 10s"' in page and "¥10.00" in page


def test_funded_project_points_to_unmet_needs(client, org):
    funded = make_project(org, status="funded", title="Already full")
    make_project(org, title="Still needs help", goal=5_000_000)
    page = text(client.get(reverse("projects:detail", args=[funded.slug])))
    assert "fully funded" in page and "Still needs help" in page
    assert "/donations/new/" not in page


def test_completed_project_shows_final_report(client, org):
    project = make_project(org, status="completed")
    page = text(client.get(reverse("projects:detail", args=[project.slug])))
    assert "Final report: all delivered." in page


def test_updates_with_photos_on_the_page(client, org):
    from jusha.projects.services import update_post

    project = make_project(org)
    update_post(project=project, actor=make_member(org, "editor"), title="Packs bought", body="<p>20 packs</p>",
                photos=[image_upload()])
    page = text(client.get(reverse("projects:detail", args=[project.slug])))
    assert "Packs bought" in page and "/media/updates/" in page


@pytest.mark.parametrize("status", ["draft", "in_review", "changes_requested"])
def test_unpublished_projects_are_404_to_outsiders(client, org, status):
    project = make_project(org, status=status)
    url = reverse("projects:detail", args=[project.slug])
    assert client.get(url).status_code == 404
    assert client.get(reverse("projects:progress", args=[project.slug])).status_code == 404
    client.force_login(make_member(make_org(), "owner"))
    assert client.get(url).status_code == 404
    client.force_login(make_member(org, "editor"))
    assert client.get(url).status_code == 200
    client.force_login(make_user(is_staff=True))
    assert client.get(url).status_code == 200


def test_unknown_project_is_404(client):
    assert client.get(reverse("projects:detail", args=["no-such-project"])).status_code == 404


# --- actions -----------------------------------------------------------------------------------


def test_buttons_follow_roles(client, org):
    project = make_project(org, status="in_review")
    url = reverse("projects:detail", args=[project.slug])
    client.force_login(make_member(org, "editor"))
    page = text(client.get(url))
    assert "Withdraw from review" in page and "Approve and publish" not in page
    client.force_login(make_user(is_staff=True))
    page = text(client.get(url))
    assert "Approve and publish" in page and "Request changes" in page and "Withdraw from review" not in page
    client.logout()
    assert "Approve and publish" not in text(client.get(reverse("projects:detail", args=[make_project(org).slug])))


def test_submit_and_approve_through_pages(client, org):
    project = make_project(org, status="draft")
    url = reverse("projects:transition", args=[project.slug])
    client.force_login(make_member(org, "editor"))
    response = client.post(url, {"target": "in_review"})
    assert response.status_code == 302
    client.force_login(make_user(is_staff=True))
    client.post(url, {"target": "fundraising"})
    project.refresh_from_db()
    assert project.status == "fundraising"


def test_refused_transition_says_why(client, org):
    project = make_project(org, status="in_review")
    client.force_login(make_user(is_staff=True))
    response = client.post(reverse("projects:transition", args=[project.slug]), {"target": "changes_requested"}, follow=True)
    assert "reason is required" in text(response)
    project.refresh_from_db()
    assert project.status == "in_review"


def test_complete_with_final_report_through_the_page(client, org):
    project = make_project(org, status="executing")
    owner = make_member(org, "owner")
    client.force_login(owner)
    assert "Complete with final report" in text(client.get(reverse("projects:detail", args=[project.slug])))
    client.post(reverse("projects:transition", args=[project.slug]), {"target": "completed", "final_report": "<p>Done</p>"})
    project.refresh_from_db()
    assert project.status == "completed" and project.final_report == "<p>Done</p>"


def test_editor_of_org_a_is_refused_on_org_b(client):
    org_b = make_org()
    public, draft = make_project(org_b), make_project(org_b, status="draft")
    client.force_login(make_member(make_org(), "editor"))
    changes = StatusChange.objects.count()
    assert client.post(reverse("projects:transition", args=[public.slug]), {"target": "cancelled"}).status_code == 403
    assert client.post(reverse("projects:transition", args=[draft.slug]), {"target": "in_review"}).status_code == 404
    assert client.get(reverse("projects:edit", args=[draft.slug])).status_code == 404
    assert client.get(reverse("projects:post_update", args=[public.slug])).status_code == 403
    public.refresh_from_db()
    draft.refresh_from_db()
    assert (public.status, draft.status) == ("fundraising", "draft")
    assert StatusChange.objects.count() == changes


# --- forms -------------------------------------------------------------------------------------


def test_create_through_the_form(client, org):
    editor = make_member(org, "editor")
    client.force_login(editor)
    url = reverse("projects:create") + f"?org={org.slug}"
    assert client.get(url).status_code == 200
    response = client.post(url, form_data())
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=[project.slug])
    assert project.goal == 100_000 and project.unit_cost == 25_000 and project.status == "draft"
    assert list(project.budget_lines.values_list("title", "amount")) == [("Books", 80_050), ("Shelves", 19_950)]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("goal", "12.345", "two decimal places"),
        ("goal", "-5", "such as 200"),
        ("goal", "0", "more than zero"),
        ("goal", "lots", "such as 200"),
        ("goal", "100000001", "100,000,000"),
        ("budget-0-amount", "800.499", "two decimal places"),
    ],
)
def test_money_typed_wrong_is_refused(client, org, field, value, message):
    client.force_login(make_member(org, "editor"))
    response = client.post(reverse("projects:create") + f"?org={org.slug}", form_data(**{field: value}))
    assert response.status_code == 200 and message in text(response)
    assert not Project.objects.exists()


def test_budget_mismatch_message_on_the_form(client, org):
    client.force_login(make_member(org, "editor"))
    response = client.post(reverse("projects:create") + f"?org={org.slug}", form_data(**{"budget-1-amount": "99.50"}))
    assert "¥100.00 less than the goal of ¥1,000.00" in text(response)
    assert not Project.objects.exists() and not BudgetLine.objects.exists()


def test_bad_cover_on_the_form(client, org):
    client.force_login(make_member(org, "editor"))
    cover = image_upload("cover.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png")
    response = client.post(reverse("projects:create") + f"?org={org.slug}", {**form_data(), "cover": cover})
    assert response.status_code == 200 and "JPEG, PNG or WebP" in text(response)
    assert not Project.objects.exists()


def test_create_needs_an_editor_role(client, org):
    url = reverse("projects:create") + f"?org={org.slug}"
    assert client.get(url).status_code == 302  # to the log-in page
    client.force_login(make_member(org, "finance"))
    assert client.get(url).status_code == 403
    client.force_login(make_member(make_org(), "editor"))
    assert client.post(url, form_data()).status_code == 403
    assert not Project.objects.exists()


def test_edit_form_round_trip(client, org):
    project = make_project(org, status="changes_requested", goal=100_000)
    client.force_login(make_member(org, "owner"))
    url = reverse("projects:edit", args=[project.slug])
    page = text(client.get(url))
    assert 'value="1000.00"' in page and 'value="Warm packs"' in page
    data = form_data(**{"budget-INITIAL_FORMS": "0"})
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.status == "draft" and project.title == "Books for Leishan"


def test_post_update_through_the_form(client, org):
    project = make_project(org)
    client.force_login(make_member(org, "editor"))
    url = reverse("projects:post_update", args=[project.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Week one", "body": "<p>Bought packs</p>", "photos": [image_upload(), image_upload("b.png")]})
    assert response.status_code == 302
    assert ProjectUpdate.objects.get().photos.count() == 2


# --- CSRF --------------------------------------------------------------------------------------


def test_forms_enforce_csrf(org):
    client = Client(enforce_csrf_checks=True)
    owner = make_member(org, "owner")
    client.force_login(owner)
    draft, published = make_project(org, status="draft"), make_project(org)
    changes = StatusChange.objects.count()
    assert client.post(reverse("projects:transition", args=[draft.slug]), {"target": "in_review"}).status_code == 403
    assert client.post(reverse("projects:create") + f"?org={org.slug}", form_data()).status_code == 403
    response = client.post(reverse("projects:post_update", args=[published.slug]), {"title": "x", "body": "y"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft" and StatusChange.objects.count() == changes
    assert Project.objects.count() == 2 and not ProjectUpdate.objects.exists()

    page = text(client.get(reverse("projects:detail", args=[draft.slug])))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("projects:transition", args=[draft.slug]), {"target": "in_review", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "in_review"


def test_create_without_org_uses_the_only_one(client, org):
    client.force_login(make_member(org, "editor"))
    assert org.name in text(client.get(reverse("projects:create")))
    client.force_login(make_user())
    assert client.get(reverse("projects:create")).status_code == 404


def test_cancelled_after_publication_stays_visible_but_unlisted(client, org):
    project = make_project(org, status="cancelled", title="Called off")
    make_project(org, title="Another cause", goal=3_000_000)
    page = text(client.get(reverse("projects:detail", args=[project.slug])))
    assert "no longer taking gifts" in page and "Another cause" in page
    assert "Called off" not in text(client.get(reverse("projects:list")))
    assert make_project(org, status="draft").slug not in text(client.get(reverse("projects:list")))


def test_a_project_without_a_cover_shows_its_causes_designed_cover(client):
    from jusha.projects.models import Cause

    project = make_project(cause="animals")
    type(project).objects.filter(pk=project.pk).update(cover="")
    page = client.get("/projects/").content.decode()
    assert 'src="/projects/covers/animals.svg"' in page
    covers = {cause: client.get(f"/projects/covers/{cause}.svg") for cause in Cause.values}
    for response in covers.values():
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert "<script" not in response.content.decode() and response["X-Content-Type-Options"] == "nosniff"
    assert len({r.content for r in covers.values()}) == len(Cause.values)  # each cause its own picture
    assert client.get("/projects/covers/nothing.svg").status_code == 404


def test_the_home_pages_two_lists_never_show_the_same_project(client):
    from jusha.projects.models import Project

    projects = [make_project(goal=100_000 * (i + 1)) for i in range(4)]
    Project.objects.filter(pk__in=[p.pk for p in projects[:2]]).update(featured=True)
    html = client.get("/").content.decode()
    featured, _, needed = html.partition("Needs help most")
    for p in projects[:2]:
        assert f"/projects/{p.slug}/" in featured and f"/projects/{p.slug}/" not in needed
    assert f"/projects/{projects[3].slug}/" in needed
