"""`manage.py export-config` and the audit row of `sync-config`."""

from __future__ import annotations

from settings import load_settings


def test_export_config_writes_a_loadable_file_and_sync_config_is_audited(app, tmp_path, make_api):
    runner = app.test_cli_runner()
    out = tmp_path / "office.toml"
    result = runner.invoke(args=["export-config", "-o", str(out)])
    assert result.exit_code == 0, result.output
    loaded = load_settings(out, env={})
    assert [s.prefix for s in loaded.services] == ["B", "K", "P"]
    assert loaded.office.complaints.box_en == "Suggestion & complaint box at the BPS PST unit"
    result = runner.invoke(args=["sync-config"])
    assert result.exit_code == 0, result.output
    a = make_api()
    a.login("admin")
    entries = a.get("/api/admin/audit").get_json()["entries"]
    assert (entries[0]["entity"], entries[0]["action"], entries[0]["username"]) == ("config", "imported", "manage.py")
