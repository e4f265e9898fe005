"""`cardgen conform`: run the generated conformance suite and report per model and property."""
