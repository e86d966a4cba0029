"""CLI of the web page: `xltasks serve [WORKSPACE]` (xltasks.web on uvicorn)."""
from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from .options import Command


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve", cls=Command)
@click.argument("workspace", required=False, default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址。默认只有本机能打开；要让各单位在内网访问，用本机的内网地址或 0.0.0.0（须先设置督查室密码）。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口。")
@click.option("--set-password", is_flag=True, help="先在终端设置（或更改）督查室登录密码，再启动。")
def serve_cmd(workspace, host, port, set_password):
    """在本机启动督查网页：督查室看总览、台账、下发模板、报送情况、编制汇编；各单位凭专属链接上传报送表，
    当场看到检查结果。

    \b
    示例：
      xltasks serve                      # 当前目录（或其上级）的工作区，http://127.0.0.1:8000/
      xltasks serve 督查2021 --port 8080
      xltasks serve 督查2021 --host 0.0.0.0 --set-password   # 内网可访问

    不连互联网，不加载任何外部资源。首次打开督查室页面时设置密码（只能在本机设置）。
    """
    from ..web.adapter import open_site
    from ..web.app import PASSWORD_KEY, create_app
    from ..web.security import hash_password, password_problem
    from ..web.store import Store

    site = open_site(workspace)
    store = Store(site.db_path)
    if set_password:
        password = click.prompt("督查室密码", hide_input=True)
        again = click.prompt("再输入一次", hide_input=True)
        problem = password_problem(password, again)
        if problem:
            raise click.UsageError(problem)
        store.set_setting(PASSWORD_KEY, hash_password(password))
        click.echo("密码已设置。")
    has_password = store.setting(PASSWORD_KEY) is not None
    if not is_loopback(host) and not has_password:
        raise click.UsageError(f"监听 {host}（本机以外也能访问）之前须先设置督查室密码：加 --set-password，"
                               f"或先不加 --host 启动、在本机浏览器中设置密码")
    import uvicorn

    app = create_app(site)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"工作区：{site.root}（{site.title}）")
    click.echo(f"用浏览器打开 http://{shown}:{port}/ " + ("" if has_password else "（首次打开请设置督查室密码）"))
    click.echo("按 Ctrl+C 停止。")
    uvicorn.run(app, host=host, port=port, log_level="warning")


COMMANDS = [serve_cmd]
