from allauth.socialaccount.models import SocialAccount
from django.utils.translation import gettext as _

from jusha.accounts.models import ApiToken
from jusha.core.errors import NotFound

def access_api_token(*, user, pk: int) -> ApiToken:
    """One of the user's own tokens, or NotFound (another member's token is not even named)."""
    token = ApiToken.objects.filter(user=user, pk=pk).first() if user.is_authenticated else None
    if token is None:
        raise NotFound(_("There is no such API token on your account."), code="token_unknown")
    return token

def access_social_account(*, user, pk: int) -> SocialAccount:
    """One of the member's own linked networks (WeChat, Weibo), or NotFound."""
    account = SocialAccount.objects.filter(user=user, pk=pk).first() if user.is_authenticated else None
    if account is None:
        raise NotFound(_("There is no such linked network on your account."), code="social_account_unknown")
    return account
