"""Settings of verification: the common ones plus the clock sweep's."""
from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from services.common.settings import ServiceSettings


class VerificationSettings(ServiceSettings):
    clock_sweep_interval_s: float = Field(15.0, alias="CLOCK_SWEEP_INTERVAL_S", gt=0,
                                          description="how often deadline alerts, clock gauges and "
                                                      "unfinished case operations are looked at")
    deadline_near_h: float = Field(48.0, alias="DEADLINE_NEAR_H", gt=0,
                                   description="a deadline this close is 'near' (queue, alerts, metrics)")
    case_recover_after_s: float = Field(30.0, alias="CASE_RECOVER_AFTER_S", gt=0,
                                        description="an unfinished case operation this old is finished or undone")

    recorded_wait_s: float = Field(30.0, alias="RECORDED_WAIT_S", ge=0,
                                   description="how long a recorded decision waits for its tip (the two "
                                               "come on different topics) before it is dead-lettered")

    remote_units: str = Field("", alias="REMOTE_UNITS",
                              description="comma-separated unit codes (any level) marked remote: "
                                          "their tips get 48 h instead of 24 h to be forwarded")

    @property
    def remote_codes(self) -> frozenset[str]:
        return frozenset(code.strip() for code in self.remote_units.split(",") if code.strip())

    @property
    def near(self) -> timedelta:
        return timedelta(hours=self.deadline_near_h)
