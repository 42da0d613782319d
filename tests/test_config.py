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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[store]\nkeep = 'many'\n", "expected a whole number"),
        ("[store]\npaht = 'x'\n", "unknown key 'paht'"),
        ("[smtp]\npassword = 'x'\n", "must come from the environment"),
        ("[crawl]\nproxy = 'http://robot:s3cret@proxy.example:3128'\n", "must not hold credentials"),
        ("[nonsense]\na = 1\n", "unknown section"),
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
