"""Tests of server/services/checklists/ and the pages and API built on it."""
