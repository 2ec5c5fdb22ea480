"""Use cases. Each public function takes plain values and an explicit Actor, enforces the rules,
and owns its transaction (commit on success, rollback on any error). No Flask request objects."""
