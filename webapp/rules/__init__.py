"""Pure business rules: no Flask, no database. Each module is one rule set with its own tests."""
