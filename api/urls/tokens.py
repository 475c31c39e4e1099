from django.urls import path

from api.views import tokens

urlpatterns = [
    path("api-tokens/", tokens.token_list, name="api_tokens"),
    path("api-tokens/<int:token_pk>/revoke/", tokens.token_revoke, name="api_token_revoke"),
]
