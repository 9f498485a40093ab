from django.urls import path

from alliance.practice.journal import views

app_name = "journal"
urlpatterns = [
    path("clients/<int:pk>/journal/new/", views.new_entry, name="new"),
    path("journal/entries/<int:pk>/", views.entry_detail, name="entry"),
    path("journal/entries/<int:pk>/edit/", views.edit_entry, name="edit"),
    path("journal/entries/<int:pk>/share/", views.share_entry, name="share"),
    path("journal/entries/<int:pk>/unshare/", views.unshare_entry, name="unshare"),
    path("journal/entries/<int:pk>/delete/", views.delete_entry, name="delete"),
    path("journal/shared/", views.shared_with_me, name="shared"),
]
