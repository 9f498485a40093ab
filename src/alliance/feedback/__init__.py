"""The feedback engine: change, expected response, alerts, sudden gains, simulator.

Pure Python with numpy/pandas/scipy: imports nothing from Django.
"""
