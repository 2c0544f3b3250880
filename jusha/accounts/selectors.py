from jusha.accounts.models import ApiToken


def api_tokens_active(user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
