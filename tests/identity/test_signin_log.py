"""The sign-in log's records: batches stored as runs of entries, read back whole and in order."""

from __future__ import annotations

from akslocal.identity import signins
from akslocal.identity.signins import ENTRY_FIELDS, SIGNINS


def _entry(services, i: int, app: str, code: int = 0):
    return signins.entry(
        services.entropy.guid(), now=1_700_000_000 + i, tenant_id="t", app_id=app, app_name=f"app {app}",
        resource_id="r", resource_name="api", grant_type="client_credentials", ip=f"10.0.0.{i}",
        credential_type="clientSecret", correlation_id=f"c{i}", error_code=code,
    )


def test_a_batch_is_stored_as_runs_and_read_back_entry_for_entry(services):
    batch = [_entry(services, 0, "a"), _entry(services, 1, "a"), _entry(services, 2, "b"),
             _entry(services, 3, "a", code=50126), _entry(services, 4, "a", code=50126)]
    with services.store.transaction() as tx:
        signins.write(tx, batch)
    with services.store.transaction(write=False) as tx:
        (record,) = list(tx.scan(SIGNINS))
        assert [len(run["rows"]) for run in record.doc["runs"]] == [2, 1, 2]
        back = signins.list_entries(tx, limit=10)
    assert back == batch
    assert all(list(e) == list(ENTRY_FIELDS) for e in back)


def test_records_of_whole_entries_still_read_and_limit_keeps_the_newest(services):
    old = [_entry(services, i, "old") for i in range(3)]
    new = [_entry(services, 10 + i, "new") for i in range(3)]
    with services.store.transaction() as tx:
        tx.create(SIGNINS, f"{tx.next_sequence('identity.signin'):015d}", {"entries": old})
        signins.write(tx, new)
    with services.store.transaction(write=False) as tx:
        assert signins.list_entries(tx, limit=100) == old + new
        assert signins.list_entries(tx, limit=4) == old[2:] + new
