"""`python -m qualcode` runs the command-line interface."""
from qualcode.launch import main

main()
