"""Tests of server/services/reporting/ and the pages and API built on it."""
