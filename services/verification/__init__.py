"""Verification: owns each tip's state. Consumes `tip.received`, takes officers' decisions,
publishes every state change as `tip.status_changed`."""
