"""What leads read and export: the dashboard and its stored totals, item results, the
summary exports (CSV, XLSX, background jobs), the printed documents (minutes, notices,
conclusion notices) with their register of numbers, and the texts they share.

May import: every room below it (not administration).
"""
