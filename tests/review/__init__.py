"""Tests of server/services/review/ and the pages and API built on it."""
