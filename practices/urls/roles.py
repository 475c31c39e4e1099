from django.urls import path

from practices.views import roles as views

urlpatterns = [
    path("practices/<str:ods_code>/roles/", views.role_list, name="role_list"),
    path("practices/<str:ods_code>/roles/new/", views.role_create, name="role_create"),
    path("practices/<str:ods_code>/roles/<int:role_pk>/edit/", views.role_edit, name="role_edit"),
    path("practices/<str:ods_code>/roles/<int:role_pk>/delete/", views.role_delete, name="role_delete"),
]
