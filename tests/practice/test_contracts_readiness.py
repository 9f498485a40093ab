"""The readiness check at intake: practice-defined questions (not a validated measure),
entered by the practitioner or answered by the client, shown on the client page as given,
with no total."""

import pytest
from django.urls import reverse

from alliance.practice.contracts.models import ReadinessCheck
from tests.practice.conftest import login


def test_the_readiness_answers_show_on_the_client_page_without_a_total(
    client, owner, client_record
):
    login(client, owner)
    url = reverse("contracts:readiness", args=[client_record.pk])
    answers = {"importance": "8", "confidence": "4", "expected_sessions": "10"}
    answers["hopes"] = "To enjoy weekends again"
    assert client.post(url, answers).status_code == 302
    check = ReadinessCheck.objects.get()
    assert (check.importance, check.confidence, check.expected_sessions) == (8, 4, 10)
    page = client.get(reverse("dashboard:client", args=[client_record.pk])).content.decode()
    assert "practice-defined questions, not a validated measure" in page.lower()
    assert "To enjoy weekends again" in page
    shown = page[page.index('<table class="readiness">') :].split("</table>")[0]
    assert "8" in shown and "4" in shown and "12" not in shown  # answers as given, no sum
    assert "total" not in shown.lower() and "score" not in shown.lower()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"importance": "11"}, "importance: 11 is not allowed; expected a whole number 0 to 10"),
        ({"confidence": ""}, "confidence: required; expected a whole number 0 to 10"),
        ({"hopes": ""}, "hopes: please write what you hope will be different"),
        ({"expected_sessions": "0"}, "expected_sessions: 0 is not allowed"),
    ],
)
def test_bad_readiness_answers_are_refused_with_400(client, owner, client_record, changes, message):
    login(client, owner)
    answers = {"importance": "8", "confidence": "4", "hopes": "Calmer", **changes}
    response = client.post(reverse("contracts:readiness", args=[client_record.pk]), answers)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReadinessCheck.objects.exists()
