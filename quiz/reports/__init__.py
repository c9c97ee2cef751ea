"""Staff-side figures from the database: dashboards, the quick report, the appendix and the public feed."""
