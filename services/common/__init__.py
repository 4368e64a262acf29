"""Code every ANTT service shares, written once: settings, contracts, Kafka, Mongo, HTTP, auth."""
