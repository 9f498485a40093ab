"""The research workbench: de-identified datasets and alliance-outcome statistics.

Pure Python with numpy/pandas/scipy/statsmodels: imports nothing from Django.  Functions take
DataFrames plus column names and return tidy DataFrames (snake_case columns) or frozen
dataclasses; each documents its formula and references.
"""
