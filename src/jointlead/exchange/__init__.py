"""Spreadsheets in and out: readers that turn files into typed rows, writers that make formula-safe workbooks."""
