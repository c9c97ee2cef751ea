"""Personal-data protection: privacy notices and consent, data requests, "my data", anonymisation."""
