"""Helpers for missing-person tests: a partner organisation and a case in its default
(active, consented, public) state."""

import datetime

import pytest
from django.utils import timezone

from jusha.missing import services
from tests.factories import make_member, make_org, make_user, png_bytes
from django.core.files.uploadedfile import SimpleUploadedFile

REGION = "510923"  # 四川省 遂宁市 大英县


def make_partner(org=None):
    org = org or make_org()
    staff = make_user(is_staff=True)
    services.partner_grant(organisation=org, actor=staff)
    return org


def case_values(**over):
    values = {
        "name": "小明", "sex": "m", "birth_date": datetime.date(2016, 5, 1),
        "lost_at": timezone.now() - datetime.timedelta(days=3), "region_code": REGION,
        "lost_place": "车站", "features": "左手有痣", "hotline": "110",
        "expires_on": timezone.localdate() + datetime.timedelta(days=180),
        "consent_by": "family", "consent_recorded_by": "王社工",
        "family_contact": "13800000000", "reporter_contact": "reporter@example.com", "notes": "内部备注",
    }
    values.update(over)
    return values


def photo_upload():
    return SimpleUploadedFile("p.png", png_bytes((600, 800)), content_type="image/png")


def make_case(org=None, *, photo=False, **over):
    org = org or make_partner()
    editor = make_member(org, "editor")
    return services.case_create(organisation=org, values=case_values(**over),
                                photo=photo_upload() if photo else None, actor=editor)


@pytest.fixture
def partner(db):
    return make_partner()


@pytest.fixture
def site(db):
    return services.site_register(owner=make_user(), domain="example.com", region_code="510000")
