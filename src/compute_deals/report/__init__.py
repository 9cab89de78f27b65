"""Report: what a reader sees, made from the analysis: charts (one renderer for every page),
tables (the CSV behind each chart), present (numbers and tables as text), citations.
"""
