"""Tests of server/services/evidence/ and the pages and API built on it."""
