"""`auditor demo` as the README tells a newcomer to run it, then every command of the README's demo block,
literally, offline: the demo leaves a configuration pointing at its own database, so they all work."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def demo_block() -> list[str]:
    """The command lines of the README's 'Try the commands on the demo' block, comments dropped."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## 先在示例上试 Try the commands on the demo", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_demo_then_the_readmes_demo_commands_as_printed(tmp_path: Path) -> None:
    env = {**os.environ, "XXGK_CONFIG": "", "COLUMNS": "160"}
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "XXGK_STORE_PATH"):
        env.pop(name, None)
    demo = subprocess.run([sys.executable, "-m", "auditor", "demo"], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path, env=env, check=False)
    assert demo.returncode == 0, demo.stderr
    assert "合计 total" in demo.stdout and "index.html" in demo.stdout
    assert "Traceback" not in demo.stderr
    dashboard = (tmp_path / "audit-demo" / "index.html").read_text(encoding="utf-8")
    # the sample university's home page (www.ustb.edu.cn) reaches the disclosure site through 公共服务
    assert "从学校主页经“公共服务”可到达信息公开网（两次点击）" in dashboard
    assert (tmp_path / "audit-demo" / "recheck" / "index.html").is_file()
    assert "audit-demo/xxgk-auditor.toml" in demo.stdout

    commands = demo_block()
    assert commands[0].startswith("export XXGK_CONFIG=")
    for line in commands:
        if line.startswith("export "):
            name, value = line.removeprefix("export ").split("=", 1)
            env[name] = value
            continue
        argv = shlex.split(line)
        assert argv[0] == ".venv/bin/auditor", line
        proc = subprocess.run([sys.executable, "-m", "auditor", *argv[1:]], capture_output=True, text=True,
                              timeout=120, cwd=tmp_path, env={**env, "no_proxy": "*"}, check=False)
        # evaluate exits 1 when items fail (the sample site fails some on purpose); everything else 0
        assert proc.returncode in ((0, 1) if argv[1] == "evaluate" else (0,)), f"{line}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, line
        if argv[1:2] == ["history"] and len(argv) == 2:
            assert "#2" in proc.stdout and "复核" in proc.stdout
        if argv[1] == "annual":
            assert list((tmp_path / "audit-demo").glob("2018-2019-*.docx"))

    # Right after the demo, in the same folder, without the export: the demo's configuration is found (any
    # real configuration would win; HOME is a fresh folder so none is found here), its database is read.
    for stale in (tmp_path / "audit-demo").glob("2018-2019-*"):
        stale.unlink()
    bare = {k: v for k, v in env.items() if k != "XXGK_CONFIG"} | {"HOME": str(tmp_path), "no_proxy": "*"}
    annual = subprocess.run([sys.executable, "-m", "auditor", "annual", "--year", "2018-2019"], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path, env=bare, check=False)
    assert annual.returncode == 0, annual.stderr
    assert list((tmp_path / "audit-demo").glob("2018-2019-*.docx")) and not (tmp_path / "audit-reports").exists()
    wrong = subprocess.run([sys.executable, "-m", "auditor", "annual", "--year", "2018"], capture_output=True,
                           text=True, timeout=120, cwd=tmp_path, env=bare, check=False)
    assert wrong.returncode == 2 and "2017-2018" in wrong.stderr and "Traceback" not in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1
