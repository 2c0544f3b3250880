"""Staff review reported links and block sharers from the admin, through the services."""

import pytest
from django.urls import reverse

from jusha.core.models import AuditLog
from jusha.social.models import ShareLink, SharerBlock
from tests.factories import make_project, make_user
from tests.social.conftest import member, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_block_and_unblock_a_sharer(admin_client, sharer):
    link = share(make_project(), member(sharer))
    response = admin_client.post(reverse("admin:social_sharerblock_add"), {"user": sharer.pk, "reason": "spam"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.state == "blocked" and SharerBlock.objects.filter(user=sharer).exists()
    assert AuditLog.objects.filter(action="sharer.block", target_id=str(sharer.pk)).exists()
    block = SharerBlock.objects.get()
    admin_client.post(reverse("admin:social_sharerblock_delete", args=[block.pk]), {"post": "yes"})
    link.refresh_from_db()
    assert link.state == "active" and not SharerBlock.objects.exists()


def test_reinstate_suspended_links(admin_client, sharer):
    link = share(make_project(), member(sharer))
    ShareLink.objects.filter(pk=link.pk).update(state="suspended")
    url = reverse("admin:social_sharelink_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(reverse("admin:social_sharelink_change", args=[link.pk])).status_code == 200
    admin_client.post(url, {"action": "reinstate", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.state == "active"
    assert AuditLog.objects.filter(action="share_link.reinstate").exists()
