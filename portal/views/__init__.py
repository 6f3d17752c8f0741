"""The partner portal's pages, one module per part of the menu."""
