"""Package layout that setup.cfg cannot say: the jinja2 texts stay in the top-level templates/ folder (where
the design card puts them) and ship inside the package as xltasks/templates/, so an installed xltasks — not
only an editable checkout — can render its instructions, notices and pages. Metadata lives in setup.cfg."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["xltasks", "xltasks.*"]) + ["xltasks.templates"],
    package_dir={"xltasks.templates": "templates"},
    package_data={"xltasks.templates": ["*", "*/*", "*/*/*"], "xltasks.compiling": ["rulesets/*.toml"]},
)
