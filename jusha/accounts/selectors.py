from allauth.socialaccount.models import SocialAccount

from jusha.accounts.models import ApiToken

def api_tokens_active(user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))

def social_accounts_of(user) -> list[SocialAccount]:
    """The networks (WeChat, Weibo) the member logs in with, oldest first."""
    return list(SocialAccount.objects.filter(user=user).order_by("date_joined", "pk"))
