"""The official ``kubernetes`` Python client against a live cluster: list, create, watch."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from kubernetes import client, config, watch

from tests.kube.support import Kubectl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def core(admin: Kubectl) -> client.CoreV1Api:
    api_client = config.new_client_from_config(config_file=str(admin.kubeconfig))
    return client.CoreV1Api(api_client)


def test_list_pods_in_kube_system(core: client.CoreV1Api) -> None:
    pods = core.list_namespaced_pod("kube-system")
    assert len(pods.items) >= 10
    assert all(p.status.phase == "Running" for p in pods.items)
    assert {p.metadata.namespace for p in pods.items} == {"kube-system"}
    assert pods.metadata.resource_version


def test_create_namespace_configmap_and_read_back(core: client.CoreV1Api) -> None:
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="pyclient")))
    cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings", labels={"a": "1"}), data={"k": "v"})
    created = core.create_namespaced_config_map("pyclient", cm)
    assert created.metadata.uid and created.metadata.resource_version
    got = core.read_namespaced_config_map("settings", "pyclient")
    assert got.data == {"k": "v"}
    listed = core.list_namespaced_config_map("pyclient", label_selector="a=1")
    assert [c.metadata.name for c in listed.items] == ["settings"]
    with pytest.raises(client.ApiException) as exc:
        core.create_namespaced_config_map("pyclient", cm)
    assert exc.value.status == 409 and '"reason":"AlreadyExists"' in exc.value.body


def test_watch_sees_added_and_deleted(core: client.CoreV1Api) -> None:
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="pywatch")))
    start = core.list_namespaced_config_map("pywatch").metadata.resource_version
    seen: list[tuple[str, str]] = []

    def work() -> None:
        time.sleep(0.5)
        core.create_namespaced_config_map("pywatch", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="one")))
        core.delete_namespaced_config_map("one", "pywatch")

    t = threading.Thread(target=work)
    t.start()
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, "pywatch", resource_version=start, timeout_seconds=5):
        seen.append((event["type"], event["object"].metadata.name))
        if event["type"] == "DELETED":
            w.stop()
    t.join()
    assert seen == [("ADDED", "one"), ("DELETED", "one")]


def test_apps_client_creates_a_deployment(admin: Kubectl, tmp_path: Path) -> None:
    api_client = config.new_client_from_config(config_file=str(admin.kubeconfig))
    apps = client.AppsV1Api(api_client)
    body = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="py-web"),
        spec=client.V1DeploymentSpec(
            replicas=2, selector=client.V1LabelSelector(match_labels={"app": "py-web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "py-web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx")]))))
    apps.create_namespaced_deployment("default", body)
    got = apps.read_namespaced_deployment("py-web", "default")
    assert got.status.ready_replicas == 2
    pods = client.CoreV1Api(api_client).list_namespaced_pod("default", label_selector="app=py-web")
    assert len(pods.items) == 2
