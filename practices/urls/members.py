from django.urls import path

from practices.views import members as views

urlpatterns = [
    # Not under practices/: practices/<str:ods_code>/ (practices.urls.core) would take "new".
    path("new-practice/", views.practice_create, name="practice_create"),
    path("practices/<str:ods_code>/members/", views.member_list, name="member_list"),
    path("practices/<str:ods_code>/members/invite/", views.member_invite, name="member_invite"),
    path(
        "practices/<str:ods_code>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "practices/<str:ods_code>/members/<int:membership_pk>/role/",
        views.member_change_role,
        name="member_change_role",
    ),
    path(
        "practices/<str:ods_code>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
