"""Renderers of a reports.content.Report: PDF (WeasyPrint), the web page fragment and Word."""
