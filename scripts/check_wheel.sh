#!/usr/bin/env bash
# Build a wheel, install it into a fresh venv outside the checkout, and run the whole cycle from that install
# in another working directory: proves the package carries everything it needs (texts, rule sets).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip wheel
"$work/venv/bin/pip" wheel --quiet --no-deps -w "$work/dist" "$repo"
"$work/venv/bin/pip" install --quiet "$work"/dist/xltasks-*.whl
example="$repo/workbooks/example"
cd "$work"
x="$work/venv/bin/xltasks"
"$x" import "$example/source/hangzhou_2021_decomposition.txt" -o run/register.xlsx
"$x" templates --register run/register.xlsx -o run/templates --period 2021Q3 --deadline 2021-10-10
test "$(ls run/templates/*.xlsx | grep -vc 分发清单)" -gt 100
test -s "$(ls run/templates/*下发通知.txt | head -1)"
"$x" collect "$example/returns" --register run/register.xlsx --period 2021Q3 -o run/merged.xlsx \
    --report run/report.xlsx --json run/report.json || test $? -eq 1
"$x" remind --report run/report.json -o run/notices
test "$(ls run/notices | wc -l)" -gt 0
"$x" compile run/merged.xlsx --register run/register.xlsx -o run/汇编.xlsx --as-of 2021-09-30
test -s run/汇编.xlsx
# the web page's templates and its one script ship in the wheel
"$work/venv/bin/python" -c "
from xltasks.web.app import WEB_TEMPLATES
for name in ('base.html', 'bureau.html', 'returns.html', 'static/htmx.min.js', 'static/style.css', 'static/app.js'):
    assert (WEB_TEMPLATES / name).is_file(), name
"
# the same period in a workspace: the 督查通报's Word template ships in the wheel too
"$x" init ws --title "2021年政府工作报告重点工作督查" --year 2021
(cd ws && "$x" import "$example/source/hangzhou_2021_decomposition.txt" && "$x" templates 2021Q3 \
    && "$x" receive 2021Q3 "$example/returns" && { "$x" collect 2021Q3 || test $? -eq 1; } \
    && "$x" compile 2021Q3 && "$x" bulletin 2021Q3 && "$x" status 2021Q3 --json > status.json)
test -s ws/2021Q3/督查通报.docx
grep -q '"compiled_at": "20' ws/status.json
echo "wheel install: the whole cycle ran from $(basename "$work"/dist/xltasks-*.whl) outside the checkout"
