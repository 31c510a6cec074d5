"""The schema's revisions, one file each, numbered in order (see mockmkto.store.migrations)."""
