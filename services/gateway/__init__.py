"""Gateway: the one origin users see. Logs users in, forwards commands to the services that own
them, and answers queries from the read models."""
