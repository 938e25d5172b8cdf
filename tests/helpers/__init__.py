"""Helpers for the store and index tests (workspaces, index inspection)."""
