"""Camera-extraction: owns the camera registry and footage extractions, their files, their
append-only custody chains and signed manifests (`python -m services.extraction.verify`)."""
