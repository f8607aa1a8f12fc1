"""Synthetic Form 14-941 scans with truth, for the benchmark, the tests and the demo database.

    from cisr_desk.synth import generate_set
    truth_path = generate_set(Path("out"), n_forms=20, seed=1)
"""
from cisr_desk.synth.generator import generate_set

__all__ = ["generate_set"]
