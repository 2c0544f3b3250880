"""The admin speaks Chinese: every field staff see in /admin/ has a translatable label (and
help text), translated in both catalogues, and change forms rendered in zh-Hans show no
English field label.

Rendered here, in zh-Hans: the change forms of User, API token, organisation, project (with
its budget-line and status-history inlines), giving day, matching pool (with its deposits),
match, delivery batch (with its history and confirmations), share link and sharer block.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import give, make_campaign, make_pool, make_project, make_user

# Latin letters that may stand in a Chinese label: names of standards and formats, and "ID".
ALLOWED_LATIN = re.compile(r"SHA-256|API|HTML|URL|USCC|Asia/Shanghai|\bID\b")


def english_left(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]", ALLOWED_LATIN.sub("", text)))


def admin_models():
    models = set()
    for model, model_admin in admin.site._registry.items():
        if model.__module__.startswith("jusha."):
            models.add(model)
            models.update(inline.model for inline in model_admin.inlines)
    return sorted(models, key=lambda m: m._meta.label)


def shown_fields(model):
    return [f for f in [*model._meta.local_fields, *model._meta.local_many_to_many] if not f.auto_created]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_every_admin_field_label_and_help_text_is_translated(language):
    models = admin_models()
    assert len(models) >= 20
    untranslated = []
    with translation.override(language):
        for model in models:
            names = [("model", model._meta.verbose_name), ("models", model._meta.verbose_name_plural)]
            for field in shown_fields(model):
                names.append((field.name, field.verbose_name))
                if field.help_text:
                    names.append((field.name + ".help_text", field.help_text))
            untranslated += [(model._meta.label, where, str(text)) for where, text in names if english_left(str(text))]
    assert untranslated == []


def labels(html: str) -> list[str]:
    """The text of every <label> and inline column heading of an admin page."""
    found = re.findall(r"<label\b[^>]*>(.*?)</label>", html, re.S)
    found += re.findall(r'<th class="column-[^"]*"[^>]*>(.*?)</th>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", text).split()) for text in found]


@pytest.mark.django_db
def test_change_forms_in_simplified_chinese_have_no_english_labels():
    from jusha.accounts.services import api_token_create
    from jusha.fulfilment.models import Batch
    from jusha.fulfilment.services import batch_plan_set
    from jusha.matching.models import Match
    from jusha.social.models import SharerBlock
    from tests.social.conftest import member, share

    staff = make_user(is_staff=True, is_superuser=True)
    project = make_project(unit_name="温暖包", unit_cost=2_000)
    batch_plan_set(project=project, batch_size=1, actor=project.organisation.memberships.get(role="owner").user)
    pool = make_pool(campaign=make_campaign(projects=[project]))
    give(project, 2_000)
    token, _secret = api_token_create(name="script", actor=staff)
    link = share(project, member(staff))
    block = SharerBlock.objects.create(user=make_user(), created_by=staff)
    pages = {
        "accounts_user": staff.pk, "accounts_apitoken": token.pk, "organisations_organisation": project.organisation.pk,
        "projects_project": project.pk, "campaigns_campaign": pool.campaign.pk, "matching_pool": pool.pk,
        "matching_match": Match.objects.get().pk, "fulfilment_batch": Batch.objects.first().pk,
        "social_sharelink": link.pk, "social_sharerblock": block.pk,
    }
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-Hans")
    client.force_login(staff)
    english = {}
    for name, pk in pages.items():
        response = client.get(reverse(f"admin:{name}_change", args=[pk]))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert '<html lang="zh-hans"' in html, name
        found = labels(html)
        assert len(found) >= 2, (name, found)
        english[name] = [text for text in found if english_left(text)]
    assert english == {name: [] for name in pages}
