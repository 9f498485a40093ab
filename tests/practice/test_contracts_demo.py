"""The demo practice gets contracts, goals with GAS ratings and readiness answers."""

import pytest
from django.db.models import Count
from django.urls import reverse

from alliance.measures import score
from alliance.practice import demo
from alliance.practice.care.models import Client
from alliance.practice.collect.models import Response
from alliance.practice.contracts.models import Contract, ContractVersion, Goal, ReadinessCheck


def test_the_demo_seeds_contracts_after_the_apps_that_set_research_consent():
    apps = demo.APPS_WITH_DEMO_DATA
    assert "contracts" in apps
    assert all(apps.index("contracts") > apps.index(a) for a in ("studies", "process_studies"))


@pytest.fixture
def demo_org(db, monkeypatch):
    """The demo practice with only this app's demo data on top of the clients (so that the
    test does not depend on the other apps' seeds)."""
    monkeypatch.setattr(demo, "APPS_WITH_DEMO_DATA", ("contracts",))
    return demo.seed_demo()


def test_every_current_demo_client_has_a_contract_goals_and_readiness_answers(demo_org):
    current = Client.objects.filter(organisation=demo_org, code__startswith="D")
    contracts = Contract.objects.filter(episode__client__in=current)
    assert contracts.count() == current.count() == 60
    per_contract = contracts.annotate(
        n_goals=Count("goal_set", distinct=True), n_versions=Count("versions", distinct=True)
    )
    assert all(2 <= c.n_goals <= 3 for c in per_contract)
    assert sum(c.n_versions == 2 for c in per_contract) >= 5
    proposals = ContractVersion.objects.filter(from_client=True)
    assert proposals.exists() and all(v.created_by is None for v in proposals)
    for version in ContractVersion.objects.select_related("contract__episode__client"):
        client = version.contract.episode.client
        assert version.research_consent == client.research_consent_scope
    assert ReadinessCheck.objects.filter(episode__client__in=current).count() == 60
    # about twenty clients have goal attainment ratings, Jo's coaching clients among them
    rated = set(
        Response.objects.filter(client__organisation=demo_org, instrument_id="gas").values_list(
            "client__code", flat=True
        )
    )
    assert 18 <= len(rated) <= 25
    coaching = set(
        Client.objects.filter(
            organisation=demo_org, code__startswith="D", episodes__kind="coaching"
        ).values_list("code", flat=True)
    )
    assert coaching and coaching <= rated  # Jo's coaching clients included
    for goal in Goal.objects.filter(contract__episode__client__code__in=rated):
        assert goal.gas_item and all(text for _, _, text in goal.levels)
    for response in Response.objects.filter(instrument_id="gas")[:20]:
        stored = response.scale_scores.get(scale_id="total").value
        assert stored == pytest.approx(score("gas", response.answers).scores["total"])


def test_the_demo_lead_sees_a_coaching_clients_goals(client, demo_org):
    assert client.login(username="demo", password="demo")
    jo_client = Client.objects.get(organisation=demo_org, code="D006")
    page = client.get(reverse("contracts:goals", args=[jo_client.pk]))
    assert page.status_code == 200
    assert "GAS T-score" in page.content.decode()
    panel = client.get(reverse("dashboard:client", args=[jo_client.pk])).content.decode()
    assert "Contract version" in panel and "Goal attainment T-score" in panel
