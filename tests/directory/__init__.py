"""Tests of server/services/directory/ and the pages and API built on it."""
