"""Intake: the front door. Receives tips from every channel, answers with a receipt only after
the broker acknowledged `tip.received`, and keeps informants' contact details to itself."""
