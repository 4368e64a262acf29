from __future__ import annotations

from pydantic import Field

from services.common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    intake_url: str | None = Field(None, alias="INTAKE_URL", description="default: http://127.0.0.1:INTAKE_PORT")
    verification_url: str | None = Field(None, alias="VERIFICATION_URL",
                                         description="default: http://127.0.0.1:VERIFICATION_PORT")
    extraction_url: str | None = Field(None, alias="EXTRACTION_URL",
                                       description="default: http://127.0.0.1:EXTRACTION_PORT")
    admin_password: str | None = Field(None, alias="ANTT_ADMIN_PASSWORD", min_length=8,
                                       description="if set, user 'admin' (role admin, unit 38) has it")
    upstream_timeout_s: float = Field(30.0, alias="UPSTREAM_TIMEOUT_S", gt=0)

    def upstream(self, service: str) -> str:
        return getattr(self, f"{service}_url") or f"http://127.0.0.1:{self.port_of(service)}"
