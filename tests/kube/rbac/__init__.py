"""RBAC decision-code tests: table cases derived from the upstream authorizer, resolver and escalation tests."""
