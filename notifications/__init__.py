"""E-mail: templates (fr/en), the transactional outbox and its sender."""
