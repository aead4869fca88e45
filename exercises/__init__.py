"""Your implementation of the course's four steps. Run `pytest` to see what to do next."""
