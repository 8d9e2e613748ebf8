"""One pure function per DfE measure, each documenting numerator, denominator, exclusions and source."""
