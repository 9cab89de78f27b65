"""Build: papermill runs the notebooks (execute), Jupyter Book makes the HTML (book, sphinx_ext),
the command line (cli), the benchmark (bench) and the generated data it builds (synthetic).
"""
