"""Tests of server/services/remediation/ and the pages and API built on it."""
