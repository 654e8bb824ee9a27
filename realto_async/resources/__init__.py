"""One module per API area: thin methods that build a request and return models."""
