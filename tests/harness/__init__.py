"""The course's test harness: which implementation is tested, progress, hints and messages."""
