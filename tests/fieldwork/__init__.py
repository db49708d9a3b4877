"""Tests of server/services/fieldwork/ and the pages and API built on it."""
