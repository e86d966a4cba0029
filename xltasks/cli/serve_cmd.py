"""CLI of the web page: `xltasks serve [WORKSPACE]` (xltasks.web on uvicorn)."""
from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from ..web.security import UNIT_UPLOADS, UPLOAD_WINDOW_S  # stdlib only: `xltasks --help` loads this module
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
@click.option("--behind-https-proxy", "proxies", metavar="ADDRESS", multiple=True,
              help="经本单位的 HTTPS 反向代理（如 nginx）对外提供时，写代理的 IP 地址（或网段，可重复）："
                   "登录 Cookie 只经 HTTPS 发送，只信任来自这些地址的 X-Forwarded-For/Proto。见 README。")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="不经反向代理、由本程序直接提供 HTTPS：证书文件（PEM，可含中间证书），与 --tls-key 同用。")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="--tls-cert 证书的私钥文件（PEM，不设口令）。")
@click.option("--upload-limit", type=click.IntRange(1, 100000), default=None, metavar="N",
              help=f"每个单位每 {UPLOAD_WINDOW_S // 60} 分钟最多上传的次数（默认 {UNIT_UPLOADS}）。")
def serve_cmd(workspace, host, port, set_password, proxies, tls_cert, tls_key, upload_limit):
    """在本机启动督查网页：督查室看总览、台账、下发模板、报送情况、编制汇编；各单位凭专属链接上传报送表，
    当场看到检查结果。

    \b
    示例：
      xltasks serve                      # 当前目录（或其上级）的工作区，http://127.0.0.1:8000/
      xltasks serve 督查2021 --port 8080
      xltasks serve 督查2021 --host 0.0.0.0 --set-password   # 内网可访问
      xltasks serve 督查2021 --behind-https-proxy 127.0.0.1   # 本机 nginx 提供 HTTPS
      xltasks serve 督查2021 --host 0.0.0.0 --tls-cert duban.crt --tls-key duban.key

    不连互联网，不加载任何外部资源。首次打开督查室页面时设置密码（只能在本机，凭终端显示的一次性验证码）。
    """
    import dataclasses

    from ..web.adapter import open_site
    from ..web.app import PASSWORD_KEY, Limits, create_app, proxy_network
    from ..web.security import hash_password, new_setup_code, password_problem
    from ..web.store import Store

    for address in proxies:
        try:
            proxy_network(address)
        except ValueError:
            raise click.BadParameter(f"“{address}”不是 IP 地址或网段（例如 127.0.0.1、10.0.0.0/24）",
                                     param_hint="--behind-https-proxy") from None
    check_tls(tls_cert, tls_key)
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
    if proxies and not has_password:
        raise click.UsageError("经反向代理对外提供之前须先设置督查室密码：加 --set-password")
    import uvicorn

    limits = Limits() if upload_limit is None else dataclasses.replace(Limits(), unit_uploads=upload_limit)
    setup_code = new_setup_code()
    app = create_app(site, limits=limits, https_proxies=proxies, https=bool(tls_cert), setup_code=setup_code)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"{'https' if tls_cert else 'http'}://{shown}:{port}"
    click.echo(f"工作区：{site.root}（{site.title}）")
    if has_password:
        click.echo(f"用浏览器打开 {base}/")
    else:
        click.echo(f"首次使用：在本机浏览器打开 {base}/setup?code={setup_code} 设置督查室密码"
                   f"（一次性验证码 {setup_code}，本次启动有效）")
    if proxies:
        click.echo(f"经 HTTPS 反向代理提供：登录 Cookie 只经 HTTPS 发送；只信任 {'、'.join(proxies)} 转发的访问者地址。")
    click.echo("按 Ctrl+C 停止。")
    # forwarded headers are the app's business (create_app): uvicorn's own default trusts 127.0.0.1's
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False,
                ssl_certfile=str(tls_cert) if tls_cert else None, ssl_keyfile=str(tls_key) if tls_key else None)


def check_tls(cert: Path | None, key: Path | None) -> None:
    """Both or neither; and they must load, said in one line before serving rather than as uvicorn's trace."""
    if bool(cert) != bool(key):
        raise click.UsageError("--tls-cert 与 --tls-key 须同时给出")
    if cert is None:
        return
    import ssl

    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key, password=lambda: b"")
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise click.UsageError(f"{cert} / {key}：证书或私钥无法使用（须为 PEM 格式、私钥不设口令且与证书匹配）："
                               f"{exc.__class__.__name__}") from None


COMMANDS = [serve_cmd]
