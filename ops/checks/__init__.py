"""The doctor's checks, one module per group, in the lab's debugging order."""
