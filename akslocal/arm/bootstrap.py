"""On start: the default subscription in the default tenant (created once, kept after)."""

from __future__ import annotations

from akslocal.arm import subscriptions
from akslocal.store import AlreadyExists


def bootstrap(services) -> list[str]:
    from akslocal.directory import tenants

    for attempt in range(3):
        try:
            with services.store.transaction() as tx:
                tenant = tenants.default_tenant(tx)
                if tenant is None:
                    return []
                sub = subscriptions.ensure_default(tx, tenant.id, services.entropy)
            return [f"Subscription: {sub['subscriptionId']}"]
        except AlreadyExists:
            # Another server process on the same database created it first; read theirs.
            if attempt == 2:
                raise
    return []
