"""Reference implementation of the four steps, plus the training, evaluation and demo tooling."""
