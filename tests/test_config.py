"""The configuration file and its environment overrides, as `auditor config show` prints them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.config import ConfigError, load_config


def test_file_values_and_environment_overrides(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[store]\npath = "/data/a.sqlite"\nkeep = 5\n[smtp]\nhost = "mail.example"\nport = 465\n',
                   encoding="utf-8")
    config = load_config(cfg, environ={"XXGK_STORE_KEEP": "9", "XXGK_SMTP_PASSWORD": "s3cret"})
    assert config.store.path == "/data/a.sqlite"
    assert config.store.keep == 9  # environment wins over the file
    assert config.smtp.port == 465
    assert config.smtp.password == "s3cret"
    assert config.masked()["smtp"]["password"] == "********"


def test_a_night_of_several_sites_from_the_file_or_the_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[crawl]\nsites = ["ustb", "sites/b.yaml"]\n', encoding="utf-8")
    assert load_config(cfg, environ={}).crawl.sites == ("ustb", "sites/b.yaml")
    assert load_config(cfg, environ={"XXGK_CRAWL_SITES": "a.yaml, b.yaml"}).crawl.sites == ("a.yaml", "b.yaml")


def test_the_configured_sites_are_all_reported_when_none_can_be_audited(tmp_path: Path) -> None:
    """`sites` in the file drives `auditor run`: each unusable catalogue is named with its file, exit 2."""
    (tmp_path / "a.yaml").write_text("id: a\nname: [\n", encoding="utf-8")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[crawl]\nsites = ["{tmp_path / "a.yaml"}", "{tmp_path / "none.yaml"}"]\n', encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "auditor", "--config", str(cfg), "run", "--db",
                           str(tmp_path / "a.sqlite"), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, check=False, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{tmp_path / 'a.yaml'}:" in proc.stdout and f"{tmp_path / 'none.yaml'}" in proc.stdout, proc.stdout
    assert "本次共检查 2 个站点" in proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[store]\nkeep = 'many'\n", "expected a whole number"),
        ("[store]\npaht = 'x'\n", "unknown key 'paht'"),
        ("[smtp]\npassword = 'x'\n", "must come from the environment"),
        ("[crawl]\nproxy = 'http://robot:s3cret@proxy.example:3128'\n", "must not hold credentials"),
        ("[nonsense]\na = 1\n", "unknown section"),
        ("[crawl]\nsites = [1, 2]\n", "expected a list of catalogue ids"),
        ("[store\n", "c.toml"),
    ],
)
def test_bad_configuration_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(cfg, environ={})


def test_config_show_masks_the_password(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[crawl]\nsite = "ustb"\n', encoding="utf-8")
    env = {"XXGK_SMTP_PASSWORD": "hunter2", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200",
           "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-m", "auditor", "--config", str(cfg), "config", "show"],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert "hunter2" not in out
    assert "********" in out
    assert "crawl.site" in out


def test_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "auditor", "--config", str(tmp_path / "none.toml"), "config", "show"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "not found" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_proxy_password_is_masked_wherever_the_configuration_is_shown(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[crawl]\nsite = "ustb"\n', encoding="utf-8")
    env = {"XXGK_CRAWL_PROXY": "http://robot:hunter2@proxy.example:3128", "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "COLUMNS": "200", "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-m", "auditor", "--config", str(cfg), "config", "show"],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert "hunter2" not in out
    assert "robot:********@proxy.example:3128" in out
