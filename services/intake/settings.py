from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from services.common.imports import ImportSettings


DEV_RECEIPT_PEPPER = "antt-dev-only-receipt-pepper-0123456789"


class WebhookSource(BaseModel):
    channel: Literal["zalo", "sms"]
    secret: str = Field(min_length=16)


class IntakeSettings(ImportSettings):
    """The common settings, those of bulk imports (services/common/imports.py), and these."""
    webhook_sources: dict[str, WebhookSource] = Field(
        default_factory=dict, alias="WEBHOOK_SOURCES",
        description='JSON: {"<source>": {"channel": "zalo"|"sms", "secret": "..."}}; none by default')
    webhook_window_s: int = Field(300, alias="WEBHOOK_WINDOW_S", ge=1,
                                  description="how old a webhook's timestamp may be")
    web_rate_per_min: int = Field(20, alias="INTAKE_WEB_RATE_PER_MIN", ge=1,
                                  description="tips per minute one client may send through the public web channel")
    receipt_failures_per_code: int = Field(5, alias="RECEIPT_FAILURES_PER_CODE", ge=1,
                                           description="wrong secrets for one old-format receipt before it is locked")
    receipt_failures_per_client: int = Field(20, alias="RECEIPT_FAILURES_PER_CLIENT", ge=1,
                                             description="wrong receipt codes from one client before it is locked out")
    publish_lanes: int = Field(3, alias="INTAKE_PUBLISH_LANES", ge=1, le=16,
                               description="Kafka transactions intake keeps in flight side by side (throughput under load)")
    attachments_dir: str = Field(".cache/attachments", alias="ANTT_ATTACHMENTS_DIR",
                                 description="where intake keeps tips' files (a persistent volume in production)")
    attachment_sweep_s: int = Field(3600, alias="ATTACHMENT_SWEEP_S", ge=1,
                                    description="how often expired uploads and the files no attachment names are removed")
    receipt_lock_s: int = Field(900, alias="RECEIPT_LOCK_S", ge=1,
                                description="the window (and lock) for wrong receipt guesses")
    receipt_pepper: str = Field(DEV_RECEIPT_PEPPER, alias="ANTT_RECEIPT_PEPPER", min_length=16,
                                description="the secret salt of receipt codes' Argon2id keys (codes.py); "
                                            "never changed once codes were issued")

    @model_validator(mode="after")
    def _no_dev_pepper_in_production(self) -> "IntakeSettings":
        if self.env == "production" and self.receipt_pepper == DEV_RECEIPT_PEPPER:
            raise ValueError("ANTT_RECEIPT_PEPPER must be set to a real secret when ANTT_ENV=production")
        return self
