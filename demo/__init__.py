"""The Gradio demo of a trained NER model: ``python -m demo --model runs/sample/model``."""
