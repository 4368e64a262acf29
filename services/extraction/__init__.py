"""Camera-extraction: will own cameras and footage extractions (issue 6). For now it runs with
its health endpoints and metrics, so deployment and monitoring cover it from the start."""
