"""The benchmarks (`make bench`, run.py): each section a module run in a child process."""
