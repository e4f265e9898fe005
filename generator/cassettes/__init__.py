"""Record cassettes: send each model's example requests to a backend and keep the exchanges."""
