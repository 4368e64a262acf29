"""The fault suite (issue 10): a steady load of tips through the gateway while the broker, the
database and every service are killed, paused and slowed in turn and their connections cut;
then the invariants (no acknowledged tip lost, none counted twice, no DLQ entry without a
reason, every receipt code works) and a table. `python -m tests.chaos`; short: pytest."""
