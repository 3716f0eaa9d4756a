"""Catalog API URLs."""

urlpatterns: list = []
