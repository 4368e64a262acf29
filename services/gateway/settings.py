from __future__ import annotations

from pydantic import Field, field_validator

from services.common.settings import ServiceSettings


REPLICAS = "several replicas: addresses separated by commas (round robin, the next on a connect error)"


class GatewaySettings(ServiceSettings):
    intake_url: str | None = Field(None, alias="INTAKE_URL",
                                   description="default: http://127.0.0.1:INTAKE_PORT; " + REPLICAS)
    verification_url: str | None = Field(None, alias="VERIFICATION_URL",
                                         description="default: http://127.0.0.1:VERIFICATION_PORT; " + REPLICAS)
    extraction_url: str | None = Field(None, alias="EXTRACTION_URL",
                                       description="default: http://127.0.0.1:EXTRACTION_PORT; " + REPLICAS)
    admin_password: str | None = Field(None, alias="ANTT_ADMIN_PASSWORD", min_length=8,
                                       description="if set, user 'admin' (role admin, unit 38) has it")
    upstream_timeout_s: float = Field(30.0, alias="UPSTREAM_TIMEOUT_S", gt=0)
    extraction_file_max_bytes: int = Field(2 * 1024**3, alias="EXTRACTION_FILE_MAX_BYTES", gt=0,
                                           description="largest footage file one upload through the gateway "
                                                       "may carry (camera-extraction's ANTT_MAX_FILE_BYTES "
                                                       "applies too)")
    login_failures_per_user: int = Field(5, alias="LOGIN_FAILURES_PER_USER", ge=1,
                                         description="wrong passwords for one username (known or not) "
                                                     "within LOGIN_LOCK_S before its logins get 429")
    login_failures_per_client: int = Field(20, alias="LOGIN_FAILURES_PER_CLIENT", ge=1,
                                           description="failed logins from one client address within "
                                                       "LOGIN_LOCK_S before its logins get 429")
    login_lock_s: int = Field(900, alias="LOGIN_LOCK_S", ge=1,
                              description="the window in which failed logins count, and the lock (Retry-After)")
    login_delay_s: float = Field(0.5, alias="LOGIN_DELAY_S", ge=0, le=10,
                                 description="a failed login answers this much later per earlier failure "
                                             "of the same username in the window")
    map_tiles_url: str | None = Field(None, alias="ANTT_MAP_TILES_URL", max_length=500,
                                      pattern=r"^(https?://|/)[^\s\"'<>]*\{z\}[^\s\"'<>]*$",
                                      description="a tile server for the web maps, as a Leaflet URL template "
                                                  "(.../{z}/{x}/{y}.png); unset: ward points only (offline)")
    map_tiles_attribution: str = Field("", alias="ANTT_MAP_TILES_ATTRIBUTION", max_length=300,
                                       description="the credit line the tile server requires (plain text)")

    @field_validator("map_tiles_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def upstreams(self, service: str) -> list[str]:
        """The service's replicas: its *_URL, one address or several separated by commas."""
        urls = getattr(self, f"{service}_url") or f"http://127.0.0.1:{self.port_of(service)}"
        return [url.strip() for url in urls.split(",") if url.strip()]
