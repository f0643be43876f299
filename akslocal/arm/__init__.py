"""Azure Resource Manager, the subset behind ``az group …``, ``az role assignment …`` and ``az aks …``.

Subscriptions, resource groups, role assignments, long-running operations and
``Microsoft.ContainerService/managedClusters`` with their Entra (aadProfile) rules and
kubeconfigs.  Domain modules are plain Python over a store transaction and raise
:class:`akslocal.arm.errors.ArmError`; ``routes.py`` only parses, calls and renders.
"""
