"""Tests of server/services/administration/ and the pages and API built on it."""
