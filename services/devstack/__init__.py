"""The dev/test launcher: starts the real Kafka broker (from the jars `make kafka` fetched),
the embedded MongoDB-wire database (SecantusDB) and every service as processes on this
machine. `make run` and the test fixtures both use it; production uses deploy/ or k8s/."""
