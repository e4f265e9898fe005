"""Render: catalog -> in-memory file tree of the SDK (never touches the disk)."""
