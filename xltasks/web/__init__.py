"""The local web page of a workspace (`xltasks serve`): the office's pages and each unit's upload page.

app.py wires the Starlette application (sign-in, form tokens, limits); office.py and bureau.py hold the
pages; intake.py stores and checks uploads through collect's own code; store.py keeps the web state in the
workspace database; adapter.py is the one module that knows the workspace's shape; board.py and charts.py
turn collect's and compile's results into what the pages show.
"""
