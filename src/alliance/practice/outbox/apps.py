from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "alliance.practice.outbox"
    label = "outbox"
    verbose_name = "Outbox (emailed links)"

    def ready(self) -> None:
        from alliance.practice.outbox.config import outbox_settings

        outbox_settings()  # a bad OUTBOX_* or ALLIANCE_BASE_URL value stops the start, loudly
