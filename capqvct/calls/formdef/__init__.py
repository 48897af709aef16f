"""The application-form engine: definitions, answers and their DSFR rendering (see README.md)."""
