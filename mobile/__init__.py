"""Phone-first pages for assistants under /m/."""
