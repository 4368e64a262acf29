"""Settings of camera-extraction: the common ones, those of bulk imports
(services/common/imports.py), the manifest signing key and where uploaded footage is kept."""
from __future__ import annotations

import base64
import binascii

from pydantic import Field, model_validator

from services.common.imports import ImportSettings

# Development only: anyone can read it here, so production refuses it.
DEV_MANIFEST_KEY = "eIUbm3DofXeM44Jvbb9DBSGL9c4jQqHcOwGQM5uh7To="


class ExtractionSettings(ImportSettings):
    manifest_key: str = Field(DEV_MANIFEST_KEY, alias="ANTT_MANIFEST_KEY",
                              description="Ed25519 private key (base64 of the 32-byte seed) signing manifests")
    files_dir: str = Field(".cache/extraction-files", alias="ANTT_EXTRACTION_FILES_DIR",
                           description="where uploaded footage is stored (one folder per database prefix)")
    max_file_bytes: int = Field(8 * 1024**3, alias="ANTT_MAX_FILE_BYTES", gt=0,
                                description="largest footage file one upload may carry")

    @model_validator(mode="after")
    def _real_manifest_key(self) -> "ExtractionSettings":
        try:
            seed = base64.b64decode(self.manifest_key, validate=True)
        except binascii.Error:
            raise ValueError("ANTT_MANIFEST_KEY must be base64") from None
        if len(seed) != 32:
            raise ValueError("ANTT_MANIFEST_KEY must be the base64 of a 32-byte Ed25519 seed")
        if self.env == "production" and self.manifest_key == DEV_MANIFEST_KEY:
            raise ValueError("ANTT_MANIFEST_KEY must be set to a real key when ANTT_ENV=production")
        return self
