"""Business logic as plain functions over explicit arguments; no request, flash or login here."""
