"""Codebooks: YAML files of themes, read with positions and checked."""
from qualcode.codebook.load import check_codebook, inspect_codebook, load_codebook

__all__ = ["check_codebook", "inspect_codebook", "load_codebook"]
