"""Why a run failed: symptoms, findings with their advice, and seed studies."""
