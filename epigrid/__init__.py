"""epigrid: grid-based community epidemic prevention and control."""
