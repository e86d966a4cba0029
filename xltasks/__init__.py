"""xltasks: the 督查 cycle of a government work report, from the decomposition to the 完成情况汇编.

Stages (one module each, plain data between them; see README):
import (importers) → Register → templates → returned workbooks → collect → Progress → compile.
"""
__version__ = "0.1.0"
