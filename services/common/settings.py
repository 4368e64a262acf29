"""Configuration from environment variables, with defaults that run everything on one machine.

Every service's settings class derives from `ServiceSettings`; the README lists each variable.
"""
from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "antt-dev-only-secret-change-me-0123456789"
DEV_DATA_KEY = "9xjF0CuC51THzok_nWvGCgkrg3ylVKk-_kaRqRsD-e0="


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    env: str = Field("development", alias="ANTT_ENV", description="development | production")
    kafka_bootstrap: str = Field("127.0.0.1:9092", alias="KAFKA_BOOTSTRAP")
    kafka_timeout_s: float = Field(10.0, alias="KAFKA_TIMEOUT_S", gt=0,
                                   description="how long a produce may wait for the broker's ack before 503")
    kafka_replication_factor: int = Field(1, alias="KAFKA_REPLICATION_FACTOR", ge=1,
                                          description="replicas of each topic created from schemas/")
    mongo_uri: str = Field("mongodb://127.0.0.1:27017", alias="MONGO_URI")
    mongo_db_prefix: str = Field("antt", alias="MONGO_DB_PREFIX", pattern=r"^[A-Za-z0-9_]+$")
    mongo_timeout_ms: int = Field(5000, alias="MONGO_TIMEOUT_MS", gt=0)
    jwt_secret: str = Field(DEV_JWT_SECRET, alias="ANTT_JWT_SECRET", min_length=32)
    data_key: str = Field(DEV_DATA_KEY, alias="ANTT_DATA_KEY",
                          description="Fernet key (urlsafe base64, 32 bytes) sealing contact details")
    token_ttl_s: int = Field(8 * 3600, alias="ANTT_TOKEN_TTL_S", gt=0)
    max_body_bytes: int = Field(256 * 1024, alias="ANTT_MAX_BODY_BYTES", gt=0)
    max_attachment_bytes: int = Field(10 * 1024**2, alias="ANTT_MAX_ATTACHMENT_BYTES", gt=0,
                                      description="the largest file a tip may carry (POST /attachments)")
    dlq_max_per_window: int = Field(100, alias="DLQ_MAX_PER_WINDOW", ge=1,
                                    description="dead letters a consumer may write within DLQ_WINDOW_S; "
                                                "one more stops it (not ready) until its process restarts")
    dlq_window_s: float = Field(60.0, alias="DLQ_WINDOW_S", gt=0,
                                description="the sliding window of DLQ_MAX_PER_WINDOW, in seconds")
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    host: str = Field("127.0.0.1", alias="ANTT_HOST")

    intake_port: int = Field(8001, alias="INTAKE_PORT")
    verification_port: int = Field(8002, alias="VERIFICATION_PORT")
    extraction_port: int = Field(8003, alias="EXTRACTION_PORT")
    aggregation_port: int = Field(8004, alias="AGGREGATION_PORT")
    gateway_port: int = Field(8000, alias="GATEWAY_PORT")

    @model_validator(mode="after")
    def _no_dev_secret_in_production(self) -> "ServiceSettings":
        if self.env == "production" and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError("ANTT_JWT_SECRET must be set to a real secret when ANTT_ENV=production")
        if self.env == "production" and self.data_key == DEV_DATA_KEY:
            raise ValueError("ANTT_DATA_KEY must be set to a real key when ANTT_ENV=production")
        return self

    def database_name(self, service: str) -> str:
        return f"{self.mongo_db_prefix}_{service}"

    def port_of(self, service: str) -> int:
        return getattr(self, f"{service}_port")
