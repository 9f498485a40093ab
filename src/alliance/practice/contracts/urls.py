from django.urls import path

from alliance.practice.contracts import client_views, goal_views, views

app_name = "contracts"
urlpatterns = [
    path("clients/<int:pk>/contract/", views.contract_page, name="contract"),
    path("clients/<int:pk>/contract/edit/", views.edit_contract, name="edit"),
    path("clients/<int:pk>/contract/agree/", views.agree, name="agree"),
    path("clients/<int:pk>/contract/link/", views.create_link, name="create_link"),
    path("clients/<int:pk>/goals/", goal_views.goal_list, name="goals"),
    path("clients/<int:pk>/goals/review/", goal_views.review, name="review"),
    path("clients/<int:pk>/goals/<int:goal>/levels/", goal_views.gas_levels, name="gas_levels"),
    path("clients/<int:pk>/readiness/", goal_views.readiness_check, name="readiness"),
    path("contract/<str:token>/", client_views.client_contract, name="client_contract"),
    path("contract/<str:token>/goals/", client_views.client_goals, name="client_goals"),
    path("contract/<str:token>/readiness/", client_views.client_readiness, name="client_readiness"),
]
