"""Facts: the data folder read as text, validated (every problem as file:line: column), typed.

schema (the columns and their rules) -> read (a CSV as text, by line) -> validate (pandera and the
relations between files) -> load (the typed Dataset, windows.csv and inferred vendors applied).
"""
