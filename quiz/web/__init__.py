"""Web plumbing shared by both blueprints: login loading, filters, error pages, security headers, limits."""
