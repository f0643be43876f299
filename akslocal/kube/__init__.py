"""A Kubernetes API server per managed cluster, like kwok: real API objects, no containers.

Every cluster is served by the edge under ``/clusters/<cluster id>``; its objects live in
the store (kinds prefixed ``kube.``), the store's global revision is the resourceVersion,
and a per-cluster event log feeds watches.  Modules:

* :mod:`provision` - the contract ARM calls (create, update, delete clusters, credentials).
* :mod:`resources` - the resource types served (discovery, scope, short names, kinds).
* :mod:`objects` - the store-backed object registry (CRUD, validation, events).
* :mod:`authn` / :mod:`authz` - the authentication chain and authorization (RBAC in :mod:`rbac`).
* :mod:`routes` - the HTTP surface; it only parses, calls and renders.
"""
