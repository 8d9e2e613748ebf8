"""Built-in DfE 903 rules, one module per table or theme."""
