"""Tests of server/services/foundation/ and the pages and API built on it."""
